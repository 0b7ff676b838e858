"""Checks as small declared functions: each registers its id, severity, title, what it needs and when it
applies, and yields result rows. :func:`run` runs them all over one report.

What a check needs is declared, not tested in each check: when a needed input is missing (no prior-year
report, no cell of a needed table, no section of the text), the registry gives the check one
``not_assessable`` row saying what is missing and does not call it. A check that does not apply to a report
(``applies`` false: X-3 before 2021, X-4 for a department, Y-2 without 表二 stock cells) gives no row.
The catalogue of the checks (``audit-kit checks``, docs/checks.md) is printed from this registry."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

from ..model import forms as tpl
from ..model.agencies import fingerprint_identity
from ..model.report import Report, ReportMeta
from ..vocabulary import Severity, Status
from .grouping import fold, group
from .result import Result

RESULT_COLUMNS = ["report_id", "check_id", "status", "severity", "table", "row", "col", "expected", "actual",
                  "message", "evidence", "fingerprint"]


CellIndex = dict[tuple[str, str, str], tuple[float, str, str, str]]


@dataclass
class Light:
    """What the cross-year checks read of a report — some meta, some cells, some sections — small enough
    to keep for every report of a large batch and cheap to send between processes."""

    meta: ReportMeta
    index: CellIndex
    sections: dict[str, dict[str, str]]


def cell_index(report: Report | Light) -> CellIndex:
    """(table, row, col) → (value, status, raw, source), built once per report."""
    if isinstance(report, Light):
        return report.index
    names = ("table", "row", "col", "value", "status", "raw", "source")
    columns = report.columns()
    cols = [columns[n] for n in names] if columns is not None else [report.cells[n].tolist() for n in names]
    return {(t, r, k): (v, s, raw, src) for t, r, k, v, s, raw, src in zip(*cols, strict=True)}


class Context:
    """One report (and its prior) prepared for checks: cells by code, blanks, truncation."""

    def __init__(self, report: Report | Light, prior: Report | Light | None = None) -> None:
        self.report = report
        self.prior = prior
        self.meta = report.meta
        self.cells = cell_index(report)
        self.prior_cells = cell_index(prior) if prior is not None else {}
        self.template = report.meta.get("template")
        self._claims: list | None = None
        self._tables: set[str] | None = None

    def claims(self) -> list:
        """(section, Claim) for every figure the narrative states — parsed once per report."""
        if self._claims is None:
            from ..extract.claims import claims

            self._claims = [(num, c) for num, sec in self.report.sections.items() for c in claims(sec["text"])]
        return self._claims

    def has(self, table: str, row: str, col: str) -> bool:
        return (table, row, col) in self.cells

    def has_table(self, table: str) -> bool:
        """Whether any cell of ``table`` was read (a light copy says which tables the full report had)."""
        if self._tables is None:
            tables = self.meta.get("tables_read")
            self._tables = set(tables) if tables is not None else {k[0] for k in self.cells}
        return table in self._tables

    def num(self, table: str, row: str, col: str) -> float | None:
        """Value for arithmetic: blank counts as 0; None when the cell is missing or printed as text."""
        hit = self.cells.get((table, row, col))
        if hit is None:
            return None
        value, status, _, _ = hit
        if status == "blank":
            return 0.0
        return None if math.isnan(value) else value

    def is_blank(self, table: str, row: str, col: str) -> bool:
        hit = self.cells.get((table, row, col))
        return bool(hit and hit[1] == "blank")

    def ev(self, table: str, row: str, col: str) -> dict:
        value, status, raw, src = self.cells.get((table, row, col), (math.nan, "missing", "", ""))
        return {"table": table, "row": row, "col": col, "value": None if math.isnan(value) else value,
                "raw": raw, "status": status, "source": src}

    def name(self, table: str, row: str, col: str | None = None) -> str:
        """Chinese name of a cell for messages: 表三“（一）予以公开”行“自然人”列."""
        t = tpl.TABLE_NAMES.get(table, table)
        if table == "t4":
            return f"{t}“{tpl.row_label(table, row)}·{tpl.col_label(table, row, col or '')}”"
        label = tpl.row_label(table, row)
        spec = tpl.spec_in(self.template, table, row, col) if col else None
        return f"{t}“{label}”" + (f"“{spec.col_label if spec else col}”" if col else "")

    def truncated(self) -> bool:
        return bool(self.meta.get("truncated"))


CheckFn = Callable[[Context], Iterator[Result]]
Applies = Callable[[Context], bool]

# The inputs a check may declare: what each is (for the catalogue), how to tell it is there, and what the
# check's one not_assessable row says when it is not.
NEEDS: dict[str, tuple[str, Callable[[Context], bool], str]] = {
    "t2": ("表二的单元格", lambda ctx: ctx.has_table("t2"), "未读到表二的任何单元格（见 F-3）"),
    "t3": ("表三的单元格", lambda ctx: ctx.has_table("t3"), "未读到表三的任何单元格（见 F-3）"),
    "t4": ("表四的单元格", lambda ctx: ctx.has_table("t4"), "未读到表四的任何单元格（见 F-3）"),
    "sections": ("正文（至少读到一个部分）", lambda ctx: bool(ctx.report.sections), "未读到正文的任何部分（见 S-1）"),
    "prior": ("同一机关上一年度的报告", lambda ctx: ctx.prior is not None, "没有上一年度的报告，无法做跨年核对"),
}


@dataclass(frozen=True)
class Check:
    """A registered check; the catalogue reads its title, its function's docstring and its example."""

    id: str
    severity: Severity
    needs: tuple[str, ...]
    title: str
    fn: CheckFn
    applies: Applies | None = None
    example: str = ""  # an example finding message, for the catalogue
    remedy: str = ""  # what the agency must correct when the problem is confirmed (the memo's 整改要求)

    @property
    def description(self) -> str:
        """What the check checks, in Chinese: its function's docstring as one paragraph."""
        return "".join(line.strip() for line in (self.fn.__doc__ or "").splitlines())


REGISTRY: dict[str, Check] = {}


def check(check_id: str, severity: str, title: str, needs: tuple[str, ...] = (), applies: Applies | None = None,
          example: str = "", remedy: str = "") -> Callable[[CheckFn], CheckFn]:
    """Register a check function under its id (docs/checks.md lists them all)."""
    unknown = set(needs) - set(NEEDS)
    if unknown:
        raise ValueError(f"{check_id}: unknown needs {sorted(unknown)}")
    if severity not in Severity.names():
        raise ValueError(f"{check_id}: severity must be one of {list(Severity.names())}")

    def deco(fn: CheckFn) -> CheckFn:
        REGISTRY[check_id] = Check(check_id, Severity(severity), needs, title, fn, applies, example, remedy)
        return fn

    return deco


def outcomes(spec: Check, ctx: Context) -> Iterator[Result]:
    """The results of one check on a context: nothing when it does not apply, one ``not_assessable`` row
    naming what is missing when a needed input is absent, else what the check yields."""
    if spec.applies is not None and not spec.applies(ctx):
        return
    missing = [NEEDS[n][2] for n in spec.needs if not NEEDS[n][1](ctx)]
    if missing:
        yield Result(Status.NOT_ASSESSABLE, "；".join(missing))
        return
    yield from spec.fn(ctx)


def fingerprint(meta: ReportMeta, check_id: str, r: Result) -> str:
    """Stable across reruns and formats: agency + year + check + location, not the values. The agency part is
    :func:`fingerprint_identity`: a name that cannot tell one agency from another carries its report's id."""
    who = fingerprint_identity(meta)
    parts = [who, str(meta.get("report_year") or ""), check_id, r.table or "", r.row or "", r.col or "", r.where]
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


def run(report: Report, prior: Report | None = None, ids: list[str] | None = None) -> pd.DataFrame:
    """The results of the checks (all, or ``ids``) as a DataFrame."""
    return pd.DataFrame(run_rows(report, prior, ids), columns=RESULT_COLUMNS)


def run_rows(report: Report | Light, prior: Report | Light | None = None, ids: list[str] | None = None) -> list[dict]:
    """The results as a list of row dicts (cheaper than a frame when many reports are collected)."""
    return run_context(Context(report, prior), ids)


def run_context(ctx: Context, ids: list[str] | None = None) -> list[dict]:
    """The results of the checks on a prepared context (whose cell index can be reused afterwards); the
    failing cells of a per-cell check are one finding per table, and blank cells of a table that F-3 finds
    unfilled are folded into F-3 (``grouping.py``)."""

    report = ctx.report
    rows = []
    for cid, spec in REGISTRY.items():
        if ids and cid not in ids:
            continue
        for r in group(cid, list(outcomes(spec, ctx))):
            rows.append({
                "report_id": report.meta["report_id"], "check_id": cid, "status": r.status,
                "severity": spec.severity, "table": r.table, "row": r.row, "col": r.col,
                "expected": r.expected, "actual": r.actual, "message": r.message,
                "evidence": r.evidence, "fingerprint": fingerprint(report.meta, cid, r),
            })
    return fold(rows)
