"""The 审核结论 of a report as an action — 同意发布 / 修改后发布 / 退回重新编制 — derived from the auditor's
decisions on its failing findings, with its reason; and whether the memo is still a draft.

The rule: a confirmed problem of the report's form itself (the wrong national template, tables or sections
missing) → 退回重新编制; any other confirmed problem → 修改后发布; none (every failing finding excluded, or
none at all) → 同意发布. While findings are undecided (or 待核实) the conclusion is provisional and says so; the
auditor may record another conclusion with a reason (``Workspace.signoffs``), which then stands."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..vocabulary import Decision, Status, Verdict
from ..workspace.signoffs import State

REDO_CHECKS = {"F-1": "未按国家规定的格式编制", "F-2": "混用了两种模板", "F-3": "缺少表格", "S-1": "缺少规定的章节"}


@dataclass(frozen=True)
class Conclusion:
    """The conclusion shown: the verdict, its reason, who stated it (the auditor's recorded one, or derived),
    and how many failing findings are undecided and 待核实 (the memo is a draft while any is undecided)."""

    verdict: Verdict
    reason: str
    recorded_by: str  # the auditor who recorded it; "" when derived from the decisions
    recorded_at: str
    undecided: int
    pending: int
    derived: Verdict  # what the decisions give, whatever was recorded

    @property
    def draft(self) -> bool:
        return self.undecided > 0

    @property
    def provisional(self) -> bool:
        return self.undecided > 0 or self.pending > 0


def derive(annotated: pd.DataFrame) -> tuple[Verdict, str]:
    """The verdict the decisions on the failing findings give, and why (Chinese)."""
    fails = annotated[annotated["status"] == Status.FAIL]
    confirmed = fails[fails["decision"] == Decision.CONFIRMED]
    redo = sorted({REDO_CHECKS[c] for c in confirmed["check_id"] if c in REDO_CHECKS})
    if redo:
        return Verdict.REDO, f"确认的问题中报告{'、'.join(redo)}，须按国家格式重新编制"
    if len(confirmed):
        return Verdict.REVISE, f"确认问题 {len(confirmed)} 条，须按问题清单整改后发布"
    dismissed = int((fails["decision"] == Decision.DISMISSED).sum())
    return Verdict.APPROVE, "未发现须整改的问题" + (f"（{dismissed} 条经核实排除）" if dismissed else "")


def conclusion(annotated: pd.DataFrame, state: State) -> Conclusion:
    """The conclusion of the memo: the auditor's recorded one when there is, else the derived one."""
    fails = annotated[annotated["status"] == Status.FAIL]
    undecided = int((fails["decision"] == "").sum())
    pending = int((fails["decision"] == Decision.PENDING).sum())
    derived, why = derive(annotated)
    if state.conclusion is not None:
        c = state.conclusion
        return Conclusion(Verdict(c.verdict), c.reason or why, c.person, c.signed_at, undecided, pending, derived)
    if undecided or pending:
        open_ = "、".join(x for x in (f"{undecided} 条未审核" if undecided else "", f"{pending} 条待核实" if pending else "") if x)
        why = f"暂定：尚有 {open_}，结论随审核变化；目前{why}"
    return Conclusion(derived, why, "", "", undecided, pending, derived)
