"""All HTML audit-kit makes — the 审核意见书's pieces (cover, problems, open items, sign-off, record), evidence,
the pairing line, the batch summary and memo index, the widgets' HTML and the tables the notebooks display —
comes from here.

Report text is hostile input (it comes from the open web), so every piece is rendered by an autoescaping
Jinja2 environment from templates in ``fragments/``; pieces nest as :class:`Html` (a
``markupsafe.Markup``), which is never escaped twice and never built with f-strings. Every piece is wrapped
in ``tex2jax_ignore`` so JupyterLab's MathJax leaves report text alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ..model.numbers import missing
from ..vocabulary import UNDECIDED, Severity, Status
from . import places
from .visible import visible

TITLE_KEY = "audit_kit_title"  # output metadata that carries the memo's title (see memo.runner.title_of)
HIGHLIGHT = "background:#fdecea;font-weight:bold"
MARK = "background-color:#f8d7da;font-weight:bold"


class Html(Markup):
    """Safe HTML: shown as is by ``display()`` in a notebook, and not escaped again inside a template."""

    memo_title: str = ""  # the memo's <title>, carried in the output's metadata (not str.title)

    def _repr_html_(self) -> str | tuple[str, dict[str, str]]:
        if self.memo_title:
            return str(self), {TITLE_KEY: self.memo_title}
        return str(self)


@cache
def environment() -> Environment:
    """The one Jinja2 environment: autoescape on for every template, undefined names are errors."""
    env = Environment(loader=PackageLoader("audit_kit.render", "fragments"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                      finalize=_shown)
    env.filters["url"] = lambda s: quote(str(s), safe="")
    env.globals.update(Severity=Severity, Status=Status, UNDECIDED=UNDECIDED)  # the one vocabulary
    return env


def _shown(value: Any) -> Any:
    """What a template prints of a value: text with its invisible characters made visible (``visible.py``);
    safe HTML (already rendered, and so already shown) as it is."""
    return visible(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def render(template: str, **context: Any) -> Html:
    """Render ``fragments/<template>.html.j2`` with ``context`` (all values escaped unless Html)."""
    return Html(environment().get_template(f"{template}.html.j2").render(**context).strip())


def text(value: Any) -> str:
    """A cell value as display text: None and NaN as empty, invisible characters made visible."""
    if missing(value):
        return ""
    return visible(str(value))


# --- single report -----------------------------------------------------------------------------------------

def memo_cover(title: str, facts: Iterable[tuple[str, Any]], verdict: str, verdict_code: str, reason: str, by: str,
               provisional: bool, draft: str, counts: Mapping[str, int], tables_missing: bool) -> Html:
    """The first page of the 审核意见书: the title (also the memo's <title>), who and what was audited and on
    what basis, the 审核结论 as an action with its reason, and the counts; ``draft``: the 草稿 mark ("" when none)."""
    page = render("memo_cover", title=title, facts=[(k, text(v)) for k, v in facts], verdict=verdict,
                  verdict_code=verdict_code, reason=reason, by=by, provisional=provisional, draft=draft, counts=counts,
                  tables_missing=tables_missing)
    page.memo_title = f"{title} 审核意见书"
    return page


def problems(items: list[dict[str, Any]], remedies: list[dict[str, Any]]) -> Html:
    """问题清单 (confirmed problems numbered: message, check, place, the auditor's opinion, capped evidence) and
    整改要求 ({"text", "problems": [numbers]})."""
    return render("problems", items=items, remedies=remedies)


def open_items(heading: str, pending: list[dict[str, Any]], undecided: list[dict[str, Any]],
               manual: list[dict[str, Any]], manual_total: int) -> Html:
    """待核实 and 尚未审核 findings, short; 需人工核对 grouped by check ({"check_id", "title", "n", "reason"})."""
    return render("open_items", heading=heading, pending=pending, undecided=undecided, manual=manual,
                  manual_total=manual_total)


def record(facts: Iterable[tuple[str, Any]], notes: list[str], dismissed: list[dict[str, Any]],
           rows: list[dict[str, Any]], statuses: list[str]) -> Html:
    """附：审核记录 — the technical facts, reading notes, the excluded findings and every check run."""
    return render("record", facts=[(k, text(v)) for k, v in facts], notes=[places.where(n) for n in notes],
                  dismissed=dismissed, rows=rows, statuses=statuses)


def figure(png: bytes, alt: str) -> Html:
    """A chart as an inline PNG (the memo has no other files)."""
    import base64

    return render("figure", src="data:image/png;base64," + base64.b64encode(png).decode("ascii"), alt=alt)


def evidence(finding: Mapping[str, Any], report: Any = None, limit: int | None = None) -> Html:
    """The evidence of one finding: a small table of the cells involved (the finding's own cell highlighted;
    ``limit``: at most that many, with how many there are), the source sentences, and the source lines of the
    first cells."""
    from ..model import forms as tpl

    items = finding["evidence"]
    if isinstance(items, str):
        items = json.loads(items)
    cells = [x for x in items if "table" in x]
    spans = [x for x in items if "table" not in x]
    rows = []
    for c in cells:
        label = (f"{tpl.TABLE_NAMES.get(c['table'], c['table'])} {tpl.row_label(c['table'], c['row'])} · "
                 f"{tpl.col_label(c['table'], c['row'], c['col'])}")
        where = " ".join(x for x in (text(c.get("report")), places.where(c.get("source"))) if x)
        mine = (c.get("row"), c.get("col")) == (finding.get("row"), finding.get("col"))
        rows.append({"label": label, "raw": text(c.get("raw")), "status": places.cell_status(c.get("status")), "where": where,
                     "style": HIGHLIGHT if mine else ""})
    quotes = [{"where": f"第{s['section']}部分" if s.get("section") else places.where(s.get("source")), "text": text(s.get("text"))}
              for s in spans]
    excerpt: list[str] = []
    if report is not None and getattr(report, "document", None) is not None and cells:
        lines = {src: line for line, src in report.document.lines()}
        excerpt = [lines[c["source"]] for c in cells[:3] if c.get("source") in lines]
    total = len(rows)
    if limit is not None and total > limit:
        rows = rows[:limit]
    page = render("evidence", rows=rows, quotes=quotes, excerpt=excerpt, more=total > len(rows), total=total)
    meta = getattr(report, "meta", None) or {}
    if (meta.get("ocr") or {}).get("cells") and cells:  # OCR'd cells: their crops beside the values read
        page = Html(page + ocr_crops(items, meta, failing=finding.get("status") == "fail"))
    return page


def ocr_crops(items: list[Mapping[str, Any]] | str, meta: Mapping[str, Any], failing: bool = True) -> Html:
    """The image crops of a finding's OCR'd cells beside the value read and its confidence, as PNG
    ``data:`` images: every OCR'd cell of a failing finding (a misread or a real error?), else the cells
    read below the confidence threshold. Empty when no such cell; a note in place of an image that cannot
    be made again (the scan moved)."""
    import base64

    from ..errors import AuditKitError
    from ..model import forms as tpl
    from ..readers.ocr.crops import crops_png

    evidence: list[Mapping[str, Any]] = json.loads(items) if isinstance(items, str) else items
    ocr = meta.get("ocr") or {}
    by_source = ocr.get("cells", {})
    chosen = [c for c in evidence if "table" in c and c.get("source") in by_source
              and (failing or by_source[c["source"]].get("uncertain"))]
    if not chosen:
        return Html("")
    try:
        images = crops_png(dict(meta), [c["source"] for c in chosen])
        why = ""
    except (AuditKitError, OSError, KeyError, ValueError) as exc:
        images, why = {}, getattr(exc, "reason", "") or type(exc).__name__
    crops = []
    for c in chosen:
        ev = by_source[c["source"]]
        png = images.get(c["source"])
        label = (f"{tpl.TABLE_NAMES.get(c['table'], c['table'])} {tpl.row_label(c['table'], c['row'])} · "
                 f"{tpl.col_label(c['table'], c['row'], c['col'])}")
        crops.append({"label": label, "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else "",
                      "why": why, "text": text(ev.get("text")), "raw": text(c.get("raw")),
                      "confidence": f"{float(ev.get('confidence', 0)):.2f}", "uncertain": bool(ev.get("uncertain"))})
    return render("ocr_crops", crops=crops, threshold=text(ocr.get("threshold", "")))



def decision_line_of(finding: Mapping[str, Any], decision: Any) -> str:
    """A finding's decision as one readable line (未审核 when none)."""
    from .decisions import decision_line

    if not finding.get("decided_at"):
        return text(decision) or UNDECIDED
    return decision_line(decision, finding.get("comment"), finding.get("auditor"), finding.get("decided_at"))


def sign_off(auditor: str, auditor_state: str, reviewer: str, reviewer_state: str) -> Html:
    """The sign-off block: 审核人 and 复核人 with what each recorded and when (未复核 until then), lines to sign."""
    return render("sign_off", auditor=text(auditor), auditor_state=auditor_state, reviewer=text(reviewer),
                  reviewer_state=reviewer_state)


def cross_year(checks: list[dict[str, Any]], indicators: list[dict[str, str]], year: str, prior_year: str) -> Html:
    """跨年对比: the cross-year checks and the indicators of this year and the prior year."""
    return render("cross_year", checks=checks, indicators=indicators, year=year, prior_year=prior_year)




def finding_detail(finding: Mapping[str, Any], severity: str, status: str, evidence_html: Html) -> Html:
    """One finding as the finding walker shows it."""
    keys = ("check_id", "message", "decision_zh", "decided_at", "auditor", "comment")
    return render("finding_detail", f={k: text(finding.get(k)) for k in keys}, severity=severity, status=status,
                  line=decision_line_of(finding, finding.get("decision_zh")), evidence=evidence_html)


def paragraph(value: Any, cls: str = "") -> Html:
    """One line of text as a paragraph (e.g. how the prior-year report was found)."""
    return render("paragraph", text=text(value), cls=cls)


def heading(value: Any, level: int = 2) -> Html:
    """A section heading of the memo (h2 by default)."""
    return render("heading", text=text(value), level=int(level))


def message(value: Any, kind: str = "info") -> Html:
    """A short status line in the widgets: ``kind`` is info, ok or error."""
    return render("message", text=text(value), kind=kind)


def notice(value: Any) -> Html:
    """An italic note, e.g. "没有符合筛选条件的检查结果"."""
    return render("notice", text=text(value))


# --- tables ------------------------------------------------------------------------------------------------

def frame(df: pd.DataFrame, index: bool = True) -> Html:
    """A DataFrame as an HTML table: values, index labels and column names escaped (pandas ``escape=True``)."""
    table = df.to_html(index=index, escape=True, na_rep="", border=0, classes=["dataframe", "ak-frame"])
    return render("frame", table=Markup(table))


def styled(frame_: pd.DataFrame, marks: pd.DataFrame, caption: str, shown: Any) -> Any:
    """A pandas Styler of ``frame_`` with ``marks`` as cell CSS, cell text formatted by ``shown`` and escaped
    (Styler does not escape by default): values, index labels and column names; the caption escaped."""
    return (frame_.style.apply(lambda _f: marks, axis=None)
            .format(shown, escape="html")
            .format_index(escape="html", axis=0)
            .format_index(escape="html", axis=1)
            .set_table_attributes('class="ak-styled tex2jax_ignore"')
            .set_caption(str(escape(caption))))


FLAG_STYLE = "background-color: #f8d7da; font-weight: bold"  # a flagged cell of a grid (inline: the lab has no memo.css)


def grid(table: str, caption: str, head: list[list[Any]], body: list[list[Any]], empty: bool, flagged: int,
         unread: bool = True, blank: bool = True) -> Html:
    """One of the three tables in the template's layout (cells from :mod:`audit_kit.review.tables`), escaped; the
    legend under it names only what the table shows (flagged cells, （未读到）, （空白））."""
    from ..model import forms as tpl

    return render("grid", table=table, caption=caption, head=head, body=body, empty=empty, flagged=flagged,
                  unread=unread, blank=blank, name=tpl.TABLE_NAMES.get(table, table), flag_style=FLAG_STYLE)


def trend(years: list[int], rows: list[dict[str, Any]], jumps: list[str], notes: list[str], rule: str) -> Html:
    """历年趋势: indicators (rows of {"name", "cells": [{"text", "jump"}]}) by year, the jumps and the rule."""
    return render("trend", years=years, rows=rows, jumps=jumps, notes=notes, rule=rule, flag_style=FLAG_STYLE)


# --- batch ---------------------------------------------------------------------------------------------------

def batch_summary(outdir: str, total: int, ok: int, failed: list[tuple[str, str]], errors: int, warnings: int) -> Html:
    """The summary card of a batch: counts, and every file that could not be read with its reason."""
    return render("batch_summary", outdir=outdir, total=total, ok=ok, failed=failed, errors=errors, warnings=warnings)


def table(headers: list[str], rows: list[list[Any]], empty: str = "（无）", row_head: bool = False) -> Html:
    """A plain table of text cells under Chinese headers, without an index column; None and NaN as empty;
    ``row_head``: the first cell of each row is the row's header."""
    return render("table", headers=headers, rows=[[text(c) for c in r] for r in rows], empty=empty, row_head=row_head)


def memo_index(rows: list[dict[str, Any]], memos_written: bool) -> Html:
    """Every report of a batch: link to its memo (href URL-encoded), or why there is none."""
    return render("memo_index", rows=rows, memos_written=memos_written)
