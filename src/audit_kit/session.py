"""What the notebooks call: open a report (with its prior from the store or a path), and the HTML pieces
they show — summary card, findings list with decisions, cross-year comparison. Notebooks stay thin."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import __version__
from .checks import check
from .checks.registry import SEVERITY_ZH, STATUS_ZH
from .indicators import indicators
from .report import Report, load
from .review import DECISIONS, Ledger
from .store import ReportStore

SEED = Path(__file__).resolve().parents[2] / "data" / "samples" / "yanchi-2020.txt"


@dataclass
class Audit:
    """One report under audit: the report, its prior (if any), why they were paired, the results."""

    report: Report
    prior: Report | None
    pairing: str
    results: pd.DataFrame
    ledger: Ledger

    @property
    def annotated(self) -> pd.DataFrame:
        return self.ledger.annotate(self.results)


def open_audit(report: str = "", prior: str = "", store: str = "", ledger: str = "",
               force_prior: bool = False) -> Audit:
    """Load ``report`` (default: the bundled seed), find its prior (a path, else the store), run checks.
    A prior path of another agency or year is refused unless ``force_prior`` (then ``pairing`` says so)."""
    from . import priors

    rep = load(report or SEED)
    pri, pairing = None, "未提供上年报告，也未指定报告库"
    if prior:
        pri = load(prior)
        pairing = priors.pairing(rep, pri, prior, force_prior, priors.store_aliases(store))
    elif store:
        with ReportStore(store) as db:
            db.add(rep)
            pri, pairing = db.prior(rep)
    return Audit(rep, pri, pairing, check(rep, pri), Ledger(ledger or "audit.ledger.sqlite"))


def checks_appendix(audit: Audit) -> pd.DataFrame:
    """Every check run, with how many locations passed, failed or could not be assessed."""
    r = audit.results
    table = pd.crosstab(r["check_id"], r["status"]).reindex(columns=list(STATUS_ZH), fill_value=0)
    return table.rename(columns=STATUS_ZH)


def cross_year(audit: Audit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cross-year results (Y-*) and the indicators with their change against the prior year."""
    y = audit.results[audit.results["check_id"].str.startswith("Y-")][["check_id", "status", "message"]]
    return y.reset_index(drop=True), indicators(audit.report, audit.prior)


def about() -> str:
    return f"audit-kit {__version__}"


def memo_header(audit: Audit, auditor: str = "") -> str:
    """Title, scope and sources, and a short conclusion — the head of the audit memo."""
    import datetime as dt

    e = html.escape
    m = audit.report.meta
    a = audit.annotated
    fails = a[a["status"] == "fail"]
    sev = {s: int((fails["severity"] == s).sum()) for s in SEVERITY_ZH}
    dec = {zh: int((fails["decision"] == d).sum()) for d, zh in DECISIONS.items()}
    title = f"{m.get('agency') or '（机关未识别）'} {m.get('report_year') or ''} 年度政府信息公开工作年度报告 审计备忘录"
    scope = [("文件", Path(m["source"]).name), ("SHA-256", m["sha256"]), ("读取方式", m.get("reader")),
             ("识别的模板", m.get("template") or "未识别"), ("上年报告", audit.pairing),
             ("工具版本", about()), ("日期", dt.date.today().isoformat()), ("审核人", auditor or "（未填写）")]
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in scope)
    verdict = ("存在错误级问题，需整改。" if sev["error"] else "未发现错误级问题。" if not sev["warning"]
               else "未发现错误级问题，有警告需人工核实。")
    notes = m.get("notes") or []
    return (f"<header class='ak-memo-head'><h1>{e(title)}</h1></header>"
            f"<section><h2>审核范围与来源</h2><table class='ak-scope'>{rows}</table></section>"
            f"<section><h2>结论</h2><p>{e(verdict)}共运行 {a['check_id'].nunique()} 项检查，不通过 {len(fails)} 条："
            f"错误 {sev['error']} 条，警告 {sev['warning']} 条，提示 {sev['info']} 条。审核结论："
            + "，".join(f"{e(k)} {v}" for k, v in dec.items())
            + f"，未审核 {int((fails['decision'] == '').sum())} 条。</p>"
            + (f"<p>读取说明：{e('；'.join(notes))}</p>" if notes else "") + "</section>")


def findings_detail(audit: Audit) -> str:
    """Every failing finding, by severity: check id, message, evidence, and the ledger's decision."""
    from .widgets import evidence_html

    e = html.escape
    a = audit.annotated
    parts = []
    for sev, zh in SEVERITY_ZH.items():
        part = a[(a["status"] == "fail") & (a["severity"] == sev)]
        if part.empty:
            continue
        parts.append(f"<h3>{zh}（{len(part)} 条）</h3>")
        for _, r in part.iterrows():
            decided = e(r["decision_zh"]) + (f"：{e(r['comment'])}（{e(r['auditor'])}，{e(r['decided_at'])}）"
                                             if r["decided_at"] else "")
            parts.append(f"<article class='ak-finding ak-{sev}' data-fingerprint='{e(r['fingerprint'])}'>"
                         f"<p><b>[{e(r['check_id'])}]</b> {e(r['message'])}</p>"
                         f"<p class='ak-decision'>审核结论：{decided}</p>{evidence_html(r, audit.report)}</article>")
    return "".join(parts) or "<p>没有不通过的检查。</p>"
