"""The cross-year trend over every year the workspace holds for the agency (not only N−1), as a
table and a chart, with a jump such as 申请总量 159 → 3153 flagged by the documented rule (×5 or more and
a change of 100 or more)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

import audit_kit
from audit_kit.review import charts, trend
from audit_kit.testing import samples
from audit_kit.workspace.reports import ReportStore

AGENCY = "示例县教育局"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    p = _Text()
    p.feed(html)
    return "".join(p.parts)


def _applications(r: samples.SampleReport) -> float:
    return r.values[("t3", "new", "total")] + r.values[("t3", "carried_in", "total")]


@pytest.fixture
def series(tmp_path) -> tuple[Path, list[samples.SampleReport], list[Path]]:
    """Four years of one agency stored in a workspace; 2022's new applications jump by 3000 (自然人)."""
    years = samples.make_series(AGENCY, [2019, 2020, 2021, 2022], seed=3)
    jump = years[3].values
    for col in ("natural", "total"):
        for row in ("new", "outcomes_total"):
            jump[("t3", row, col)] += 3000
    ws = tmp_path / "ws"
    paths = [samples.write(r, tmp_path / f"{AGENCY}-{r.year}.txt") for r in years]
    with ReportStore(ws) as db:
        for p in paths:
            db.add(audit_kit.load(p))
    return ws, years, paths


def test_trend_lists_every_year_held_for_the_agency(series):
    ws, years, paths = series
    with ReportStore(ws) as db:
        t = trend.trend(db, audit_kit.load(paths[2]))  # the trend of 2021 also shows 2022, not only 2020
    assert t.years == [2019, 2020, 2021, 2022]
    apps = t.table[t.table["indicator"] == "applications"].set_index("year")["value"]
    assert [apps[r.year] for r in years] == [_applications(r) for r in years]


def test_the_jump_is_flagged_and_nothing_else(series):
    ws, years, paths = series
    with ReportStore(ws) as db:
        t = trend.trend(db, audit_kit.load(paths[3]))
    flagged = {(j.indicator, j.from_year, j.to_year) for j in t.jumps}
    assert ("applications", 2021, 2022) in flagged and ("new", 2021, 2022) in flagged
    assert all(to == 2022 for _i, _f, to in flagged)  # the years before are steady
    j = next(j for j in t.jumps if j.indicator == "applications")
    before, after = _applications(years[2]), _applications(years[3])
    assert (j.before, j.after) == (before, after)
    assert f"{round(before)} → 2022 年 {round(after)}" in j.text() and f"{round(after - before):+d}" in j.text()


@pytest.mark.parametrize(("before", "after", "flagged"), [
    (159, 3153, True),  # the example
    (3153, 159, True),  # a fall as large
    (0, 120, True),  # from nothing to 120
    (3, 40, False),  # ×13 but only +37
    (1200, 1500, False),  # +300 but only ×1.25
    (100, 499, False),  # ×4.99
    (100, 500, True),  # exactly ×5 and +400
])
def test_the_jump_rule(before, after, flagged):
    assert trend.is_jump(float(before), float(after)) is flagged


def test_the_trend_section_and_chart(series):
    from audit_kit.review.report_view import open_audit, trend_section

    ws, _years, paths = series
    audit = open_audit(str(paths[3]), store=str(ws), ledger=str(ws / "l.sqlite"))
    t = trend.trend(audit.workspace.reports, audit.report)
    html = str(trend_section(audit, t))
    words = text_of(html)
    assert "2019 年" in words and "2022 年" in words and "请核对的跳变" in words
    assert html.count("ak-jump") >= 4  # 申请总量 and 本年新收申请, each in 2021 and 2022
    assert "nan" not in words.lower()
    fig = charts.trend(t.table, t.jumps)
    assert fig.axes[0].get_title().startswith("数量") and len(fig.axes[0].lines) > 6  # the counts, then the jump lines
    assert charts.png(fig)[:4] == b"\x89PNG"


def test_a_single_year_says_there_is_no_trend(tmp_path):
    from audit_kit.review.report_view import open_audit, trend_section

    r = samples.make_report("2021", 2023, seed=1, agency="示例县水利局")
    path = samples.write(r, tmp_path / "水利局-2023.txt")
    audit = open_audit(str(path), store=str(tmp_path / "ws"), ledger=str(tmp_path / "l.sqlite"))
    assert "无法列出历年趋势" in text_of(str(trend_section(audit)))


def test_the_memo_shows_the_trend_over_all_years(series, tmp_path):
    from audit_kit.memo.write import write_memo

    ws, years, paths = series
    html = write_memo(str(paths[3]), tmp_path / "m.html", store=str(ws), ledger=str(ws / "l.sqlite")).read_text(encoding="utf-8")
    words = text_of(html)
    assert "工作区中本机关共有 4 个年度的报告（2019、2020、2021、2022）" in words
    assert f"申请总量 2021 年 {round(_applications(years[2]))} → 2022 年 {round(_applications(years[3]))}" in words
