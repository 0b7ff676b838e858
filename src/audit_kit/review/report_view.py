"""The view of one report's audit, what audit_report.ipynb calls (batch_view.py is the batch's): open a report
of the workspace (by path or stored id, with its prior and its stored results), and the HTML pieces the
notebook and the memo show. The memo is an 审核意见书: a first page with the audited unit, the basis, the 审核结论
as an action and the numbered 问题清单; then 整改要求, the short 待核实 / 需人工核对 lists, the cross-year comparison,
the sign-off block (审核人, 复核人) and, on its own last page, 附：审核记录 (everything technical). Notebooks stay
thin."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .. import bundled
from ..bundled import __version__
from ..checks.catalogue import title_of
from ..checks.indicators import indicators, shown_change, shown_indicator
from ..checks.registry import REGISTRY
from ..model.numbers import missing
from ..model.report import Report
from ..render import html as render
from ..render import places
from ..render.decisions import readable_time
from ..render.html import Html
from ..vocabulary import UNREVIEWED, Decision, ReviewVerdict, Severity, Status, Verdict
from ..workspace.access import Audit, Workspace
from ..workspace.signoffs import State
from . import trend as trend_
from .conclusion import Conclusion, conclusion

SEED = bundled.seed()


def open_audit(report: str = "", prior: str = "", store: str = "", ledger: str = "",
               force_prior: bool = False, auditor: str = "", reviewer: str = "") -> Audit:
    """Open ``report`` — a file or a stored report's id (default: the bundled seed) — in the workspace
    ``store`` (empty: :func:`audit_kit.workspace.locate`), with its prior (``prior``, else last year's from
    the workspace) and its stored results (computed and stored only when missing). A stored file is never
    read again. A prior of another agency or year is refused unless ``force_prior`` (``pairing`` says so).
    The ledger is the workspace's unless ``ledger`` names another; auditor and reviewer default to its
    settings. What the notebook's parameters cell hands over, as one call."""
    audit = Workspace.find(store or None, ledger=ledger or None).open(report or SEED, prior, force_prior)
    audit.auditor = auditor or audit.auditor
    audit.reviewer = reviewer or audit.reviewer
    return audit








def cross_year(audit: Audit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cross-year results (Y-*) and the indicators with their change against the prior year."""
    y = audit.results[audit.results["check_id"].str.startswith("Y-")][["check_id", "status", "message"]]
    return y.reset_index(drop=True), indicators(audit.report, audit.prior)


def cross_year_section(audit: Audit) -> Html:
    """The cross-year comparison in words and numbers an auditor reads: the Y-* results (check, title, result
    in Chinese, message) and the indicators this year, last year and the change — no pandas headings."""
    years, ind = cross_year(audit)
    checks = [{"check_id": r["check_id"], "title": title_of(r["check_id"]), "status": Status.zh_of(r["status"]),
               "message": r["message"]} for _, r in years.iterrows()]
    prior_year = audit.prior.meta.get("report_year") if audit.prior is not None else None
    rows = [{"name": r["name"], "value": shown_indicator(r["indicator"], r["value"]),
             "prior": shown_indicator(r["indicator"], r["prior_value"]),
             "change": shown_change(r["indicator"], r["change"])} for _, r in ind.iterrows()]
    year = audit.report.meta.get("report_year")
    return render.cross_year(checks, rows, _year(year), _year(prior_year))


def trend_of(audit: Audit) -> trend_.Trend:
    """The agency's indicators in every year the workspace holds (this report's year included) and the jumps."""
    return trend_.trend(audit.workspace.reports, audit.report)


def trend_section(audit: Audit, found: trend_.Trend | None = None) -> Html:
    """历年趋势 as the memo prints it: one row per indicator, one column per year (counts as integers, rates
    as percentages, （未读到）), the jumps highlighted and listed, and the rule that flags them."""
    t = found or trend_of(audit)
    marked = {(j.indicator, y) for j in t.jumps for y in (j.from_year, j.to_year)}
    rows = []
    for (code, name), part in t.table.groupby(["indicator", "name"], sort=False):
        by_year = dict(zip(part["year"], part["value"], strict=True))
        rows.append({"name": name, "cells": [{"text": shown_indicator(str(code), by_year.get(y, float("nan"))),
                                              "jump": (code, y) in marked} for y in t.years]})
    rule = (f"相邻两个年度（中间缺年度时跨过）之间，较大值不小于较小值的 {trend_.JUMP_FACTOR:g} 倍（或较小值为 0），"
            f"且相差不少于 {trend_.JUMP_MIN:g} 的数量标为跳变；比率只列出，不标注")
    return render.trend(t.years, rows, [j.text() for j in t.jumps], t.notes, rule)


def _year(value: object) -> str:
    """A year as an integer (2019, never 2019.0); empty when unknown."""
    if missing(value):
        return ""
    return str(int(float(str(value))))


def about() -> str:
    return f"audit-kit {__version__}"


EVIDENCE_LIMIT = 10  # cells listed per problem in the memo (the walker and the Excel export list them all)
BASIS_LAW = "《中华人民共和国政府信息公开条例》第四十九条、第五十条"
FORMATS = {"2021": "《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）",
           "2019": "《中华人民共和国政府信息公开工作年度报告格式（试行）》（国办公开办函〔2019〕60号）"}


def basis(year: object) -> str:
    """审核依据: the regulation and the national format the report's year must follow (2019–2020: the 2019
    format; from 2021: the 2021 one; unknown year: both named)."""
    y = _year(year)
    if not y:
        return f"{BASIS_LAW}；{FORMATS['2021']}（2020 年度及以前：{FORMATS['2019']}）"
    return f"{BASIS_LAW}；{FORMATS['2021' if int(y) >= 2021 else '2019']}"


def conclusion_of(audit: Audit) -> Conclusion:
    """The 审核结论 now: the auditor's recorded one, else what the decisions give (provisional while open)."""
    return conclusion(audit.annotated, signoff_state(audit))


def signoff_state(audit: Audit) -> State:
    return audit.workspace.signoffs.state(audit.report.report_id, list(audit.results["fingerprint"]))


def draft_mark(c: Conclusion) -> str:
    """草稿（尚有 N 条未审核） while a failing finding is undecided; "" when none is."""
    return f"草稿（尚有 {c.undecided} 条未审核）" if c.draft else ""


def _date(value: object) -> str:
    return "" if missing(value) or not value else str(value)[:10]


def cover(audit: Audit, c: Conclusion | None = None) -> Html:
    """The first page: 被审核单位 (as printed), 报告名称, 年度, 发布日期, 来源, 审核依据, 审核日期, 审核人, 复核人 and
    the 审核结论 with its reason and the counts."""
    import datetime as dt

    c = c or conclusion_of(audit)
    m = audit.report.meta
    a = audit.annotated
    fails = a[a["status"] == Status.FAIL]
    state = signoff_state(audit)
    reviewer = audit.reviewer or (state.review.person if state.review else "")
    facts = [("被审核单位", m.get("agency") or "（未识别）"), ("报告名称", m.get("title") or "（未识别）"),
             ("年度", f"{_year(m.get('report_year'))} 年度" if _year(m.get("report_year")) else "（未识别）"),
             ("发布日期", _date(m.get("published")) or "（报告中未找到）"),
             ("来源", m.get("url") or Path(str(m.get("source", ""))).name),
             ("审核依据", basis(m.get("report_year"))), ("审核日期", dt.date.today().isoformat()),
             ("审核人", audit.auditor or (state.conclusion.person if state.conclusion else "") or "（未填写）"),
             ("复核人", f"{reviewer}（{review_state(state)}）" if reviewer else UNREVIEWED)]
    by = (f"审核人 {c.recorded_by} 于 {c.recorded_at[:10]} 记录" if c.recorded_by
          else "由审核结论自动得出（审核人可改写并说明理由）")
    counts = {"checks": int(a["check_id"].nunique()), "fails": len(fails),
              "confirmed": int((fails["decision"] == Decision.CONFIRMED).sum()),
              "pending": c.pending, "dismissed": int((fails["decision"] == Decision.DISMISSED).sum()),
              "undecided": c.undecided, "manual": int((a["status"] == Status.NOT_ASSESSABLE).sum())}
    agency = render.text(m.get("agency")) or "（机关未识别）"
    title = f"{agency} {_year(m.get('report_year'))} 年度政府信息公开工作年度报告".replace("  ", " ")
    return render.memo_cover(title, facts, c.verdict.zh, c.verdict.value, c.reason, by, c.provisional, draft_mark(c),
                             counts, tables_missing(audit.report))


def place_of(finding: pd.Series | dict, report: Report | None = None) -> str:
    """Where a finding is in the report, as a reader finds it: 表三“（三）不予公开 1.属于国家秘密”行“自然人”列 /
    第 4 页第 15 行 (the first cell's source); a span's section; "" when it has no place."""
    from ..model import forms as tpl

    table, row, col = (finding.get(k) for k in ("table", "row", "col"))
    parts = []
    if not missing(table) and table:
        name = tpl.TABLE_NAMES.get(str(table), str(table))
        if not missing(row) and row:
            name += f"“{tpl.row_label(str(table), str(row))}”行"
            if not missing(col) and col:
                name += f"“{tpl.col_label(str(table), str(row), str(col))}”列"
        parts.append(name)
    items = finding.get("evidence")
    evidence = json.loads(items) if isinstance(items, str) and items else (items or [])
    section = next((x["section"] for x in evidence if x.get("section")), None)
    if section and not parts:
        parts.append(f"第{section}部分")
    source = next((x.get("source") for x in evidence if x.get("source")), None)
    if source:
        parts.append(places.where(source))
    return " / ".join(p for p in parts if p)


def _confirmed(audit: Audit) -> pd.DataFrame:
    a = audit.annotated
    part = a[(a["status"] == Status.FAIL) & (a["decision"] == Decision.CONFIRMED)].copy()
    order = {s: n for n, s in enumerate(Severity.names())}
    part["_order"] = part["severity"].map(order)
    return part.sort_values(["_order", "check_id"], kind="stable")


def problems(audit: Audit) -> Html:
    """问题清单: the confirmed problems, numbered, each with its place, the auditor's opinion and at most
    :data:`EVIDENCE_LIMIT` cells; then 整改要求, each naming the problems it corrects."""
    items: list[dict] = []
    remedies: dict[str, list[int]] = {}
    for n, (_, r) in enumerate(_confirmed(audit).iterrows(), 1):
        items.append({"check_id": r["check_id"], "title": title_of(r["check_id"]), "message": r["message"],
                      "severity": r["severity"], "severity_zh": Severity.zh_of(r["severity"]),
                      "fingerprint": r["fingerprint"], "place": place_of(r, audit.report),
                      "opinion": r["comment"] or "（审核人未填写意见）",
                      "by": "，".join(x for x in ("" if missing(r["auditor"]) else str(r["auditor"]).strip(),
                                              readable_time(r["decided_at"])) if x),
                      "evidence": render.evidence(r, audit.report, limit=EVIDENCE_LIMIT)})
        remedy = remedy_of(r["check_id"]) or "按审核意见更正"
        remedies.setdefault(remedy, []).append(n)
    return render.problems(items, [{"text": t, "problems": ns} for t, ns in remedies.items()])


def remedy_of(check_id: str) -> str:
    spec = REGISTRY.get(check_id)
    return spec.remedy if spec is not None else ""


def open_items(audit: Audit) -> Html:
    """待核实 and (in a draft) 尚未审核 findings, one line each; 需人工核对 grouped by check with how many and
    one reason."""
    a = audit.annotated
    fails = a[a["status"] == Status.FAIL]
    pending = [{"fingerprint": r["fingerprint"], "message": places.short(r["message"], 120), "opinion": r["comment"]}
               for _, r in fails[fails["decision"] == Decision.PENDING].iterrows()]
    undecided = [{"fingerprint": r["fingerprint"], "check_id": r["check_id"], "message": places.short(r["message"], 120)}
                 for _, r in fails[fails["decision"] == ""].iterrows()]
    manual_rows = a[a["status"] == Status.NOT_ASSESSABLE]
    manual = [{"check_id": cid, "title": title_of(str(cid)), "n": len(part), "reason": places.short(part["message"].iloc[0], 90)}
              for cid, part in manual_rows.groupby("check_id", sort=True)]
    return render.open_items("四、待核实与需人工核对的事项", pending, undecided, manual, len(manual_rows))


def review_state(state: State) -> str:
    """The 复核 as one line: 未复核, 复核通过（date）：comment, or that it must be done again."""
    r = state.review
    if r is None:
        return UNREVIEWED
    if state.review_stale:
        return f"{ReviewVerdict(r.verdict).zh}（{r.signed_at[:10]}）后报告的审核有变化，须重新复核"
    return f"{ReviewVerdict(r.verdict).zh}（{r.signed_at[:10]}）" + (f"：{r.reason}" if r.reason else "")


def sign_off(audit: Audit) -> Html:
    """The sign-off block: 审核人 with the conclusion recorded and its date (or 未记录审核结论), 复核人 with the
    review and its date (未复核 until then), lines to sign."""
    state = signoff_state(audit)
    c = state.conclusion
    auditor_state = f"审核结论：{Verdict(c.verdict).zh}（{c.signed_at[:10]}）" if c else "尚未记录审核结论"
    reviewer = state.review.person if state.review else audit.reviewer
    return render.sign_off(c.person if c else audit.auditor, auditor_state, reviewer, review_state(state))


def record(audit: Audit) -> Html:
    """附：审核记录: file, report id, SHA-256, reader, template, prior pairing, tool version, workspace, ledger and
    its verification (decisions and sign-offs), reading notes, excluded findings and every check run."""
    import datetime as dt

    m = audit.report.meta
    ok, n, why = audit.workspace.signoffs.verify()
    facts = [("文件", Path(str(m["source"])).name), ("报告编号", m["report_id"]), ("SHA-256", m["sha256"]),
             ("读取方式", m.get("reader")), ("识别的模板", m.get("template") or "未识别"), ("上年报告", audit.pairing),
             ("工作区", str(audit.workspace.root)), ("审核记录", str(audit.ledger.path)),
             ("审核记录校验", audit.ledger.verification_line()),
             ("签署记录校验", f"完整（{n} 条）" if ok else f"不完整：{why}"),
             ("工具版本", about()), ("生成时间", dt.datetime.now().isoformat(timespec="seconds"))]
    r = audit.results
    counts = pd.crosstab(r["check_id"], r["status"]).reindex(columns=list(Status.names()), fill_value=0)
    rows = [{"check_id": cid, "title": title_of(cid), "counts": [int(counts.at[cid, s]) for s in Status.names()]}
            for cid in counts.index]
    a = audit.annotated
    excluded = a[(a["status"] == Status.FAIL) & (a["decision"] == Decision.DISMISSED)]
    dismissed = [{"fingerprint": f["fingerprint"], "check_id": f["check_id"], "message": places.short(f["message"], 120),
                  "line": render.decision_line_of(f, f["decision_zh"])} for _, f in excluded.iterrows()]
    return render.record(facts, list(m.get("notes") or []), dismissed, rows, list(Status.names().values()))


def memo(audit: Audit) -> Html:
    """The whole 审核意见书 as one piece (what the memo notebook displays): cover, 问题清单 and 整改要求, open items,
    the cross-year comparison (when there is a prior or several years), the sign-off block, 附：审核记录."""
    c = conclusion_of(audit)
    parts = [cover(audit, c), problems(audit), open_items(audit)]
    t = trend_of(audit)
    if audit.prior is not None or len(t.years) > 1:
        parts.append(render.heading("五、跨年对比"))
        parts.append(pairing_line(audit))
        if audit.prior is not None:
            parts.append(cross_year_section(audit))
        if len(t.years) > 1:
            parts.append(trend_section(audit, t))
    parts += [sign_off(audit), record(audit)]
    page = Html("\n".join(str(p) for p in parts))
    page.memo_title = parts[0].memo_title
    return page


def tables_missing(report: Report) -> bool:
    """True when not one cell of 表二, 表三 or 表四 was read."""
    return report.cells.empty


def pairing_line(audit: Audit) -> Html:
    """How the prior-year report was found (or why there is none), as a paragraph."""
    return render.paragraph(audit.pairing, "ak-pairing")
