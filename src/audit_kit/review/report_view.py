"""The view of one report's audit, what audit_report.ipynb calls (batch_view.py is the batch's): open a report
of the workspace (by path or stored id, with its prior and its stored results), and the HTML pieces the
notebook and the memo show — header and conclusion, findings with decisions, 需人工核对, cross-year comparison
and trend, appendix, sign-off. Notebooks stay thin."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import bundled
from ..bundled import __version__
from ..checks.catalogue import title_of
from ..checks.indicators import indicators, shown_change, shown_indicator
from ..model.numbers import missing
from ..model.report import Report
from ..render import html as render
from ..render.html import Html
from ..vocabulary import Decision, Severity, Status
from ..workspace.access import Audit, Workspace
from . import trend as trend_

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


def checks_appendix(audit: Audit) -> Html:
    """The appendix: every check run with its title and how many locations passed, failed or could not be
    assessed, then the findings the auditor excluded with the reason given."""
    r = audit.results
    counts = pd.crosstab(r["check_id"], r["status"]).reindex(columns=list(Status.names()), fill_value=0)
    rows = [{"check_id": cid, "title": title_of(cid), "counts": [int(counts.at[cid, s]) for s in Status.names()]}
            for cid in counts.index]
    a = audit.annotated
    excluded = a[(a["status"] == Status.FAIL) & (a["decision"] == Decision.DISMISSED)]
    dismissed = [{"check_id": f["check_id"], "message": f["message"],
                  "line": render.decision_line_of(f, f["decision_zh"])} for _, f in excluded.iterrows()]
    return render.appendix(rows, list(Status.names().values()), dismissed)


def manual_checks(audit: Audit) -> Html:
    """需人工核对: every result the checks could not assess, with its check's title and the reason."""
    r = audit.results
    part = r[r["status"] == Status.NOT_ASSESSABLE]
    items = [{"check_id": f["check_id"], "title": title_of(f["check_id"]), "reason": f["message"]}
             for _, f in part.iterrows()]
    return render.manual_checks(items)


def sign_off(audit: Audit) -> Html:
    """The sign-off block: 审核人 and 复核人 from the workspace settings (or as given), 日期, lines to sign."""
    return render.sign_off(audit.auditor, audit.reviewer)


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


def memo_header(audit: Audit, auditor: str = "") -> Html:
    """Title, scope and sources, and a short conclusion — the head of the audit memo (its title travels in
    the output's metadata, so the memo's <title> never comes from report text)."""
    import datetime as dt

    m = audit.report.meta
    a = audit.annotated
    fails = a[a["status"] == "fail"]
    sev = {s: int((fails["severity"] == s).sum()) for s in Severity.names()}
    title = f"{m.get('agency') or '（机关未识别）'} {m.get('report_year') or ''} 年度政府信息公开工作年度报告 审计备忘录"
    decided = int((a["decision"] != "").sum()) + int(a["stale"].sum())
    scope = [("文件", Path(m["source"]).name), ("报告编号", m["report_id"]), ("SHA-256", m["sha256"]),
             ("读取方式", m.get("reader")), ("识别的模板", m.get("template") or "未识别"), ("上年报告", audit.pairing),
             ("工具版本", about()), ("日期", dt.date.today().isoformat()),
             ("审核人", auditor or audit.auditor or "（未填写）"), ("工作区", str(audit.workspace.root)),
             ("审核记录", str(audit.ledger.path)), ("审核结论", f"审核记录中本报告的结论 {decided} 条"),
             ("审核记录校验", audit.ledger.verification_line())]
    counts = {"checks": a["check_id"].nunique(), "rows": len(a), "fails": len(fails), **sev,
              "decisions": [(zh, int((fails["decision"] == d).sum())) for d, zh in Decision.names().items()],
              "undecided": int((fails["decision"] == "").sum()), "decided": int((fails["decision"] != "").sum())}
    return render.memo_header(title, scope, conclusion(fails), counts, list(m.get("notes") or []), tables_missing(audit.report))


def conclusion(fails: pd.DataFrame) -> str:
    """The memo's 结论 from the auditor's decisions on the failing findings (annotated): any confirmed
    problem → 存在问题; every finding excluded (or none) → 未发现问题; anything else (待核实, undecided, a
    decision made on values that changed since) → 待核实."""
    decisions = fails["decision"] if len(fails) else pd.Series([], dtype=str)
    if (decisions == Decision.CONFIRMED).any():
        return "存在问题"
    if (decisions == Decision.DISMISSED).all():
        return "未发现问题"
    return Decision.PENDING.zh  # 待核实


def tables_missing(report: Report) -> bool:
    """True when not one cell of 表二, 表三 or 表四 was read."""
    return report.cells.empty


def findings_detail(audit: Audit) -> Html:
    """Every failing finding, by severity: check id, message, evidence, and the ledger's decision."""
    a = audit.annotated
    groups = []
    for sev, zh in Severity.names().items():
        part = a[(a["status"] == "fail") & (a["severity"] == sev) & (a["decision"] != Decision.DISMISSED)]
        if part.empty:
            continue
        items = [{"check_id": r["check_id"], "message": r["message"], "fingerprint": r["fingerprint"],
                  "decision": r["decision_zh"], "comment": r["comment"], "auditor": r["auditor"],
                  "decided_at": r["decided_at"], "evidence": render.evidence(r, audit.report)}
                 for _, r in part.iterrows()]
        groups.append({"severity": sev, "name": zh, "items": items})
    return render.findings(groups)


def pairing_line(audit: Audit) -> Html:
    """How the prior-year report was found (or why there is none), as a paragraph."""
    return render.paragraph(audit.pairing, "ak-pairing")
