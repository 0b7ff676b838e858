"""The finding walker (ipywidgets): filter findings, step through them, see the evidence and the source,
and record a decision — 确认问题 / 排除 / 待核实 — with a comment and the auditor's name. Every decision is
written to the ledger at once."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from . import render
from .ledger import Ledger
from .render import Html
from .report import Report
from .vocabulary import STALE, UNDECIDED, Decision, Severity, Status

ALL = "全部"


def evidence_html(finding: pd.Series | dict, report: Report | None = None) -> Html:
    """The evidence of one finding as HTML (see :func:`audit_kit.render.evidence`); everything escaped."""
    return render.evidence(finding, report)


class FindingWalker:
    """Walk through the findings of one report or a batch. ``.widget`` is the box to display."""

    def __init__(self, results: pd.DataFrame, ledger: Ledger, report: Report | None = None, auditor: str = "") -> None:
        self.ledger = ledger
        self.report = report
        self.all = ledger.annotate(results.reset_index(drop=True))
        checks = sorted(self.all["check_id"].unique())
        # Chinese labels, the stored values behind them (widgets take (label, value) pairs)
        self.severity = w.Dropdown(options=[(ALL, ALL), *((zh, v) for v, zh in Severity.names().items())], value=ALL,
                                   description="严重程度")
        self.check = w.Dropdown(options=[ALL, *checks], value=ALL, description="检查")
        self.status = w.Dropdown(options=[(ALL, ALL), *((zh, v) for v, zh in Status.names().items())], value="fail",
                                 description="结果")
        self.decision = w.Dropdown(options=[ALL, UNDECIDED, *Decision.names().values(), STALE], value=ALL, description="审核")
        self.list = w.Select(options=[], rows=8, layout=w.Layout(width="100%"))
        self.prev = w.Button(description="上一条", icon="arrow-left")
        self.next = w.Button(description="下一条", icon="arrow-right")
        self.position = w.Label()
        self.detail = w.HTML()
        self.buttons = {d.value: w.Button(description=d.zh, button_style=s) for d, s in
                        zip(Decision, ("danger", "success", "warning"), strict=True)}
        self.comment = w.Textarea(placeholder="审核意见", layout=w.Layout(width="100%"))
        self.auditor = w.Text(value=auditor, description="审核人")
        self.message = w.HTML()
        for f in (self.severity, self.check, self.status, self.decision):
            f.observe(lambda _change: self.refresh(), names="value")
        self.list.observe(lambda change: self._show(change["new"]), names="value")
        self.prev.on_click(lambda _b: self.step(-1))
        self.next.on_click(lambda _b: self.step(1))
        for d, b in self.buttons.items():
            b.on_click(lambda _b, d=d: self.decide(d))
        self.widget = w.VBox([
            w.HBox([self.severity, self.check]), w.HBox([self.status, self.decision]), self.list,
            w.HBox([self.prev, self.next, self.position]), self.detail,
            w.HBox(list(self.buttons.values())), self.comment, self.auditor, self.message,
        ])
        self.refresh()

    def filtered(self) -> pd.DataFrame:
        """The findings the filters let through."""
        f = self.all
        if self.severity.value != ALL:
            f = f[f["severity"] == self.severity.value]
        if self.check.value != ALL:
            f = f[f["check_id"] == self.check.value]
        if self.status.value != ALL:
            f = f[f["status"] == self.status.value]
        if self.decision.value != ALL:
            f = f[f["decision_zh"] == self.decision.value]
        return f

    def refresh(self) -> None:
        f = self.filtered()
        options = [(f"[{r.check_id}] {Severity.zh_of(r.severity)} · {r.decision_zh} · {r.message[:60]}",
                    int(i)) for i, r in zip(f.index, f.itertuples(), strict=True)]
        keep = self.list.value
        self.list.options = options
        values = [v for _label, v in options]
        self.list.value = keep if keep in values else (values[0] if values else None)
        if not values:
            self.detail.value = str(render.notice("没有符合筛选条件的检查结果"))
            self.position.value = "0 / 0"

    @property
    def current(self) -> pd.Series | None:
        return None if self.list.value is None else self.all.loc[self.list.value]

    def _show(self, index: int | None) -> None:
        if index is None:
            return
        r = self.all.loc[index]
        values = [v for _l, v in self.list.options]
        self.position.value = f"{values.index(index) + 1} / {len(values)}"
        detail = render.finding_detail(r, Severity.zh_of(r["severity"], ""), Status.zh_of(r["status"]),
                                       evidence_html(r, self.report))
        self.detail.value = str(detail)
        self.comment.value = r["comment"] if r["decided_at"] and not r["stale"] else ""

    def step(self, delta: int) -> None:
        values = [v for _l, v in self.list.options]
        if not values:
            return
        i = values.index(self.list.value) if self.list.value in values else 0
        self.list.value = values[max(0, min(len(values) - 1, i + delta))]

    def decide(self, decision: str) -> None:
        """Write the decision on the current finding to the ledger now, then show it."""
        r = self.current
        if r is None:
            self.message.value = str(render.message("没有选中的检查结果", "error"))
            return
        self.ledger.record(r, decision, self.comment.value, self.auditor.value)
        index = self.list.value
        fresh = self.ledger.annotate(self.all.loc[[index]].drop(
            columns=["decision", "decision_zh", "comment", "auditor", "decided_at", "stale"]))
        for col in ("decision", "decision_zh", "comment", "auditor", "decided_at", "stale"):
            self.all.at[index, col] = fresh.iloc[0][col]
        self.message.value = str(render.message(f"已记录：[{r['check_id']}] {Decision(decision).zh}", "ok"))
        self.refresh()
        self._show(index if self.list.value == index else self.list.value)
