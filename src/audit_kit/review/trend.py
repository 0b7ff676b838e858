"""The cross-year trend of one agency: its main indicators in every year the workspace holds, and the
jumps between years an auditor should look at.

The jump rule (counts only — rates are shown, not flagged): between two consecutive years held (a gap
in the years is bridged and named, e.g. 2019 → 2021), a count is flagged when the larger value is at
least :data:`JUMP_FACTOR` (5) times the smaller one — or the smaller is 0 — **and** the values differ by at
least :data:`JUMP_MIN` (100). 申请总量 159 → 3153 is flagged (×19.8, +2994); 3 → 40 is not (+37 only);
1200 → 1500 is not (×1.25)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..checks.indicators import INDICATORS, Cells, _cell, cell_map
from ..model.report import Report
from ..workspace.reports import ReportStore

JUMP_FACTOR = 5.0
JUMP_MIN = 100.0


def _litigation(r: Cells) -> float:
    """行政诉讼总计: 未经复议直接起诉 + 复议后起诉 (总计 column of each)."""
    return _cell(r, "t4", "lit_direct", "total") + _cell(r, "t4", "lit_after_review", "total")


# The counts of the trend (code → name, function over a report's cells), then every rate of indicators.py.
COUNTS: dict[str, tuple[str, Callable[[Cells], float]]] = {
    "applications": INDICATORS["applications"],
    "new": ("本年新收申请", lambda r: _cell(r, "t3", "new", "total")),
    "outcomes_total": ("办理结果总计", lambda r: _cell(r, "t3", "outcomes_total", "total")),
    "carried_out": ("结转下年度继续办理", lambda r: _cell(r, "t3", "carried_out", "total")),
    "review": ("行政复议总计", lambda r: _cell(r, "t4", "review", "total")),
    "litigation": ("行政诉讼总计", _litigation),
}
RATES = {code: spec for code, spec in INDICATORS.items() if code.endswith("_rate")}


@dataclass(frozen=True)
class Jump:
    """A count that changed by ×5 or more and by 100 or more between two years held."""

    indicator: str
    name: str
    from_year: int
    to_year: int
    before: float
    after: float

    def text(self) -> str:
        """E.g. "申请总量 2020 年 159 → 2021 年 3153（增至 19.8 倍，+2994），请核对两年的数字"."""
        growth = "增至" if self.after > self.before else "降至"
        ratio = self.after / self.before if self.before else math.inf
        times = "上年为 0" if ratio == math.inf else f"{growth} {ratio:.1f} 倍" if ratio >= 1 else f"{growth}上年的 1/{1 / ratio:.1f}"
        return (f"{self.name} {self.from_year} 年 {round(self.before)} → {self.to_year} 年 {round(self.after)}"
                f"（{times}，{round(self.after - self.before):+d}），请核对两年的数字")


@dataclass
class Trend:
    """The agency's indicators by year (``table``: indicator, name, kind, year, value), the jumps, and notes
    (years left out and why)."""

    table: pd.DataFrame
    jumps: list[Jump]
    notes: list[str]

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in self.table["year"]}) if len(self.table) else []


def agency_years(db: ReportStore | None, report: Report) -> tuple[dict[int, Report], list[str]]:
    """The report and every other year the workspace's reports ``db`` hold for its agency (the version the store's rule
    picks in each year), by year; and notes on years left out (versions that cannot be ordered)."""
    year = report.meta.get("report_year")
    if year is None:
        return {}, ["报告年度未识别，无法列出历年趋势"]
    found: dict[int, Report] = {int(year): report}
    notes: list[str] = []
    if db is None:
        return found, notes
    identity = db.identity(report.meta, report.sections)
    key = identity.key
    if key is None:
        return found, [f"{identity.how}，无法在工作区中找到其他年度的报告" if identity.ambiguous
                       else "机关名称未识别，无法在工作区中找到其他年度的报告"]
    chosen: dict[int, str] = {}
    for y in db.years(key):
        if y == int(year):
            continue
        rid = db.latest(key, y)
        if rid is None:
            notes.append(f"{y} 年度有多个版本无法判断先后，未列入趋势")
        else:
            chosen[y] = rid
    stored = db.get_many(list(chosen.values()))
    for y, rid in chosen.items():
        if rid in stored:
            found[y] = stored[rid]
        else:
            notes.append(f"{y} 年度报告 {rid} 的数据缺失，未列入趋势")
    return dict(sorted(found.items())), notes


def trend_table(reports: dict[int, Report]) -> pd.DataFrame:
    """One row per indicator and year: indicator, name, kind (count / rate), year, value (NaN: not read)."""
    rows = []
    for year, report in sorted(reports.items()):
        cells = cell_map(report)
        for kind, specs in (("count", COUNTS), ("rate", RATES)):
            for code, (name, fn) in specs.items():
                rows.append({"indicator": code, "name": name, "kind": kind, "year": year, "value": fn(cells)})
    return pd.DataFrame(rows, columns=["indicator", "name", "kind", "year", "value"])


def is_jump(before: float, after: float) -> bool:
    """The documented rule: the larger value ≥ 5 × the smaller (or the smaller is 0), and |change| ≥ 100."""
    if math.isnan(before) or math.isnan(after) or abs(after - before) < JUMP_MIN:
        return False
    small, big = sorted((before, after))
    return small <= 0 or big / small >= JUMP_FACTOR


def jumps(table: pd.DataFrame) -> list[Jump]:
    """Every count that jumps between two consecutive years held (:func:`is_jump`)."""
    out = []
    counts = table[table["kind"] == "count"]
    for code, part in counts.groupby("indicator", sort=False):
        part = part.sort_values("year")
        known = part[part["value"].notna()]
        for (_i, a), (_j, b) in zip(known.iterrows(), known.iloc[1:].iterrows(), strict=False):
            if is_jump(float(a["value"]), float(b["value"])):
                out.append(Jump(str(code), str(a["name"]), int(a["year"]), int(b["year"]), float(a["value"]),
                                float(b["value"])))
    return out


def trend(db: ReportStore | None, report: Report) -> Trend:
    """The agency's trend over every year the workspace's reports ``db`` hold, with its jumps."""
    reports, notes = agency_years(db, report)
    table = trend_table(reports)
    return Trend(table, jumps(table), notes)
