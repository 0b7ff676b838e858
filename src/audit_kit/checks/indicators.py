"""Indicators per report: each a small function over the report's cells, defined in its docstring.

A cell printed blank or not read is unknown: an indicator with any such input is NaN (shown as （未读到） or
（无法计算）) and is left out of a batch's means — never 0 (a blank 总计 column is no 0.0% 公开率). A ratio with
a zero denominator is NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from ..model import forms as tpl
from ..model.report import Report
from ..vocabulary import UNREAD
from .registry import CellIndex, cell_index

DENY = tpl.group_rows("2021", "t3", "deny")  # （三）不予公开 1–8
UNABLE = tpl.group_rows("2021", "t3", "unable")  # （四）无法提供 1–3
NOPROC = tpl.group_rows("2021", "t3", "noproc")  # （五）不予处理 1–5
T4_DECIDED = tuple(p for p in tpl.parts("2021", "t4") if p != "pending")  # 已审结: all but 尚未审结


Cells = dict[tuple[str, str, str], float]


def cell_map(report: Report | CellIndex) -> Cells:
    """(table, row, col) → value of every cell read as a number (built once per report; a checks' cell
    index is reused); blank, text and unread cells are absent, so they are unknown."""
    index = report if isinstance(report, dict) else cell_index(report)
    return {k: value for k, (value, status, _raw, _src) in index.items() if status == "number" and not math.isnan(value)}


def _cell(r: Cells, table: str, row: str, col: str) -> float:
    return r.get((table, row, col), math.nan)


def _sum(r: Cells, table: str, rows: tuple[str, ...], col: str = "total") -> float:
    return sum(_cell(r, table, row, col) for row in rows)


def _ratio(a: float, b: float) -> float:
    return math.nan if (math.isnan(a) or math.isnan(b) or b == 0) else a / b


def applications(r: Cells) -> float:
    """申请总量：一、本年新收 + 二、上年结转（总计列）。"""
    return _cell(r, "t3", "new", "total") + _cell(r, "t3", "carried_in", "total")


def disclosure_rate(r: Cells) -> float:
    """公开率：（（一）予以公开 + （二）部分公开）÷ （七）总计。"""
    return _ratio(_sum(r, "t3", ("granted", "partial")), _cell(r, "t3", "outcomes_total", "total"))


def denial_rate(r: Cells) -> float:
    """不予公开率：（三）不予公开 1–8 之和 ÷ （七）总计。"""
    return _ratio(_sum(r, "t3", DENY), _cell(r, "t3", "outcomes_total", "total"))


def unable_rate(r: Cells) -> float:
    """无法提供率：（四）无法提供 1–3 之和 ÷ （七）总计。"""
    return _ratio(_sum(r, "t3", UNABLE), _cell(r, "t3", "outcomes_total", "total"))


def no_processing_rate(r: Cells) -> float:
    """不予处理率：（五）不予处理 1–5 之和 ÷ （七）总计。"""
    return _ratio(_sum(r, "t3", NOPROC), _cell(r, "t3", "outcomes_total", "total"))


def carry_over_rate(r: Cells) -> float:
    """结转率：四、结转下年度继续办理 ÷ 申请总量。"""
    return _ratio(_cell(r, "t3", "carried_out", "total"), applications(r))


def review_correction_rate(r: Cells) -> float:
    """复议纠错率：行政复议 结果纠正 ÷ 已审结（结果维持 + 结果纠正 + 其他结果）。"""
    return _ratio(_cell(r, "t4", "review", "corrected"), sum(_cell(r, "t4", "review", p) for p in T4_DECIDED))


def litigation_correction_rate(r: Cells) -> float:
    """诉讼纠错率：行政诉讼（未经复议直接起诉 + 复议后起诉）结果纠正 ÷ 两者已审结之和。"""
    blocks = tuple(b for b in tpl.rows("2021", "t4") if b.startswith("lit_"))  # 行政诉讼: both blocks
    corrected = sum(_cell(r, "t4", b, "corrected") for b in blocks)
    decided = sum(_cell(r, "t4", b, p) for b in blocks for p in T4_DECIDED)
    return _ratio(corrected, decided)


INDICATORS: dict[str, tuple[str, Callable[[Cells], float]]] = {
    "applications": ("申请总量", applications),
    "disclosure_rate": ("公开率", disclosure_rate),
    "denial_rate": ("不予公开率", denial_rate),
    "unable_rate": ("无法提供率", unable_rate),
    "no_processing_rate": ("不予处理率", no_processing_rate),
    "carry_over_rate": ("结转率", carry_over_rate),
    "review_correction_rate": ("复议纠错率", review_correction_rate),
    "litigation_correction_rate": ("诉讼纠错率", litigation_correction_rate),
}


def indicators(report: Report, prior: Report | None = None) -> pd.DataFrame:
    """One row per indicator: value, the prior year's value and the change."""
    rows = []
    now, then = cell_map(report), cell_map(prior) if prior is not None else None
    for code, (name, fn) in INDICATORS.items():
        value = fn(now)
        before = fn(then) if then is not None else math.nan
        rows.append({"report_id": report.meta["report_id"], "agency": report.meta.get("agency"),
                     "report_year": report.meta.get("report_year"), "indicator": code, "name": name,
                     "value": value, "prior_value": before, "change": value - before})
    return pd.DataFrame(rows)


NOT_COMPUTABLE = "（无法计算）"  # a rate without a denominator, a change with a year missing


def shown_indicator(code: str, value: float) -> str:
    """An indicator's value as the memo prints it: a count as an integer, a rate (``*_rate``, a fraction) as
    a percentage with one decimal (14.8%); a count not read as （未读到）, a rate without a denominator as
    （无法计算）. Never "nan"."""
    rate = code.endswith("_rate")
    if value is None or pd.isna(value):
        return NOT_COMPUTABLE if rate else UNREAD
    return f"{value * 100:.1f}%" if rate else f"{round(value)}"


def shown_change(code: str, change: float) -> str:
    """The change against the prior year: counts signed (+3), rates in percentage points; （无法计算）
    when either year is missing."""
    if change is None or pd.isna(change):
        return NOT_COMPUTABLE
    if code.endswith("_rate"):
        return f"{change * 100:+.1f} 个百分点"
    return f"{round(change):+d}"
