"""Checks as small declared functions: each registers its id, severity and the tables/sections it needs,
and yields result rows. :func:`run` runs them all over one report."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from .. import templates as tpl
from ..normalize import key
from ..report import Report

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_ZH = {"fail": "不通过", "not_assessable": "无法判断", "pass": "通过"}
RESULT_COLUMNS = ["report_id", "check_id", "status", "severity", "table", "row", "col", "expected", "actual",
                  "message", "evidence", "fingerprint"]


@dataclass
class Result:
    status: str  # pass | fail | not_assessable
    message: str
    table: str | None = None
    row: str | None = None
    col: str | None = None
    expected: float | str | None = None
    actual: float | str | None = None
    evidence: list[dict] = field(default_factory=list)
    where: str = ""  # an extra location part for the fingerprint (a sentence, a section)


CellIndex = dict[tuple[str, str, str], tuple[float, str, str, str]]


@dataclass
class Light:
    """What the cross-year checks read of a report — some meta, some cells, some sections — small enough
    to keep for every report of a large batch and cheap to send between processes."""

    meta: dict
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

    def claims(self) -> list:
        """(section, Claim) for every figure the narrative states — parsed once per report."""
        if self._claims is None:
            from ..narrative import claims

            self._claims = [(num, c) for num, sec in self.report.sections.items() for c in claims(sec["text"])]
        return self._claims

    def has(self, table: str, row: str, col: str) -> bool:
        return (table, row, col) in self.cells

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


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    needs: tuple[str, ...]
    title: str
    fn: CheckFn


REGISTRY: dict[str, Check] = {}


def check(check_id: str, severity: str, title: str, needs: tuple[str, ...] = ()) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under its id from checks.md."""

    def deco(fn: CheckFn) -> CheckFn:
        REGISTRY[check_id] = Check(check_id, severity, needs, title, fn)
        return fn

    return deco


def fingerprint(meta: dict, check_id: str, r: Result) -> str:
    """Stable across reruns and formats: agency + year + check + location, not the values."""
    who = key(meta.get("agency") or "") or meta.get("report_id", "")
    parts = [who, str(meta.get("report_year") or ""), check_id, r.table or "", r.row or "", r.col or "", r.where]
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


def run(report: Report, prior: Report | None = None, ids: list[str] | None = None) -> pd.DataFrame:
    """The results of the checks (all, or ``ids``) as a DataFrame."""
    return pd.DataFrame(run_rows(report, prior, ids), columns=RESULT_COLUMNS)


def run_rows(report: Report | Light, prior: Report | Light | None = None, ids: list[str] | None = None) -> list[dict]:
    """The results as a list of row dicts (cheaper than a frame when many reports are collected)."""
    return run_context(Context(report, prior), ids)


def run_context(ctx: Context, ids: list[str] | None = None) -> list[dict]:
    """The results of the checks on a prepared context (whose cell index can be reused afterwards)."""
    report = ctx.report
    rows = []
    for cid, spec in REGISTRY.items():
        if ids and cid not in ids:
            continue
        for r in spec.fn(ctx):
            rows.append({
                "report_id": report.meta["report_id"], "check_id": cid, "status": r.status,
                "severity": spec.severity, "table": r.table, "row": r.row, "col": r.col,
                "expected": r.expected, "actual": r.actual, "message": r.message,
                "evidence": r.evidence, "fingerprint": fingerprint(report.meta, cid, r),
            })
    return rows
