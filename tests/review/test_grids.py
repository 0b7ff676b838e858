"""The three tables as the report page shows them, in the template's own layout — 表二 as the stacked 第二十条 blocks of
its template, 表三 with its printed header and row groups, 表四 with 行政复议 / 行政诉讼 — no index column,
flagged cells highlighted, （未读到）/（空白）, numbers as integers, all text escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest

import audit_kit
from audit_kit.model.report import CELL_COLUMNS, Report
from audit_kit.review import tables
from tests.conftest import BUNDLED_SEED, CORPUS


class _Grid(HTMLParser):
    """The cells of the first table: (tag, text, attrs) per cell, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str, dict[str, str]]]] = []
        self._cell: tuple[str, dict[str, str]] | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell, self._text = (tag, {k: v or "" for k, v in attrs}), ""

    def handle_data(self, data):
        if self._cell:
            self._text += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell:
            self.rows[-1].append((self._cell[0], self._text.strip(), self._cell[1]))
            self._cell = None


def parse(html: str) -> list[list[tuple[str, str, dict[str, str]]]]:
    p = _Grid()
    p.feed(html)
    return p.rows


def texts(html: str) -> list[list[str]]:
    return [[t for _tag, t, _a in row] for row in parse(html)]


def _report(cells: list[tuple[str, str, str, float | None, str, str]], template: str | None = "2021") -> Report:
    """A report with just these cells: (table, row, col, value, raw, status); the unit as a reader gives it."""
    frame = pd.DataFrame([{"report_id": "r1", "table": t, "row": r, "col": c, "value": v, "raw": raw, "status": s,
                           "unit": "元" if raw.endswith("元") else "", "source": "line 1", "how": ""}
                          for t, r, c, v, raw, s in cells], columns=CELL_COLUMNS)
    return Report({"report_id": "r1", "template": template, "notes": []}, frame, {})


def test_t2_2021_is_the_four_blocks_of_the_template_without_an_index_column():
    r = _report([("t2", "rules", "issued", 3.0, "3", "number"), ("t2", "fees", "amount_wan", 1.5, "1.5", "number")])
    rows = texts(str(tables.grid(r, "t2")))
    assert [row[0] for row in rows if len(row) == 1] == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项",
                                                         "第二十条第（八）项"]
    assert rows[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert rows[2] == ["规章", "3", "（未读到）", "（未读到）"]  # an integer, not 3.0; a cell not read says so
    assert ["行政事业性收费", "1.5"] in rows  # money in 万元 keeps its decimals
    assert not any(row and row[0] in ("0", "1", "2") for row in rows)  # no pandas index column


def test_t2_2019_draws_its_own_five_blocks_with_their_columns():
    r = _report([("t2", "procurement", "amount", 251000.0, "251000元", "number"),
                 ("t2", "licensing", "change", -4.0, "减4", "number")], template="2019")
    html = str(tables.grid(r, "t2"))
    rows = texts(html)
    assert [row[0] for row in rows if len(row) == 1] == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项",
                                                         "第二十条第（八）项", "第二十条第（九）项"]
    assert ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"] in rows
    assert ["其他对外管理服务事项", "（未读到）", "（未读到）", "（未读到）"] in rows
    assert ["政府集中采购", "（未读到）", "251000元"] in rows
    assert ["行政许可", "（未读到）", "-4", "（未读到）"] in rows
    assert "2019 版格式" in html


def test_t2_of_a_report_without_a_template_follows_the_cells_it_has():
    r = _report([("t2", "rules", "made", 1.0, "1", "number"), ("t2", "procurement", "items", 2.0, "2", "number")],
                template=None)
    assert ["规章", "1", "（未读到）", "（未读到）"] in texts(str(tables.grid(r, "t2")))


def test_t3_header_and_row_groups_as_printed():
    r = _report([("t3", "new", "natural", 5.0, "5", "number"), ("t3", "new", "business", None, "", "blank")])
    rows = parse(str(tables.grid(r, "t3")))
    head = [[t for _g, t, _a in row] for row in rows[:3]]
    assert head[0] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]
    assert head[1] == ["自然人", "法人或其他组织", "总计"]
    assert head[2] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert rows[1][1][2].get("colspan") == "5"
    body = [[t for _g, t, _a in row] for row in rows[3:]]
    assert body[0][:3] == ["一、本年新收政府信息公开申请数量", "5", "（空白）"]
    outcomes = rows[5]  # 三、本年度办理结果 spans the 22 outcome rows of 2021, then （一）予以公开
    assert [t for _g, t, _a in outcomes[:2]] == ["三、本年度办理结果", "（一）予以公开"]
    assert outcomes[0][2].get("rowspan") == "22"
    deny = next(row for row in rows if row and row[0][1] == "（三）不予公开")
    assert deny[0][2].get("rowspan") == "8" and deny[1][1] == "1.属于国家秘密"
    assert body[-1][0] == "四、结转下年度继续办理"
    other = next(row for row in body if row[0].startswith("（六）"))
    assert other[:2] == ["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]


def test_t3_2019_has_one_other_row():
    rows = parse(str(tables.grid(_report([], template="2019"), "t3")))
    outcomes = rows[5]
    assert outcomes[0][2].get("rowspan") == "20"
    assert any(row[0][1] == "（六）其他处理" and row[0][2].get("colspan") == "2" for row in rows if row)


def test_t3_of_a_2021_report_that_printed_the_2019_other_row_shows_it():
    r = _report([("t3", "other", "total", 4.0, "4", "number")])
    rows = texts(str(tables.grid(r, "t3")))
    assert ["（六）其他处理", *["（未读到）"] * 6, "4"] in rows
    assert any(row[:2] == ["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"] for row in rows)


def test_t4_headers_as_printed():
    r = _report([("t4", "review", "upheld", 2.0, "2", "number")])
    rows = texts(str(tables.grid(r, "t4")))
    assert rows[0] == ["行政复议", "行政诉讼"]
    assert rows[1] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"]
    assert rows[2] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    assert rows[3][0] == "2" and len(rows[3]) == 15


def test_a_flagged_cell_carries_the_highlight_class():
    r = _report([("t4", "review", "upheld", 2.0, "2", "number"), ("t4", "review", "total", 3.0, "3", "number")])
    results = pd.DataFrame([{"check_id": "T4-1", "status": "fail", "table": "t4", "row": "review", "col": "total",
                             "evidence": [{"table": "t4", "row": "review", "col": "upheld"}]}])
    body = parse(str(tables.grid(r, "t4", results)))[3]
    flagged = [i for i, (_g, _t, a) in enumerate(body) if "ak-flag" in a.get("class", "").split()]
    assert flagged == [0, 4]  # 结果维持 (cited) and 总计 (the finding's own cell)
    legend = str(tables.grid(r, "t4", results)).split("ak-legend'>")[1]
    assert legend.startswith("红色为检查不通过涉及的单元格（2 格）；“（未读到）”") and "（空白）" not in legend  # none blank


def test_report_text_in_a_cell_is_escaped():
    r = _report([("t3", "new", "natural", None, "<script>x</script>", "text")])
    html = str(tables.grid(r, "t3"))
    assert "<script>x" not in html and "&lt;script&gt;x" in html


def test_the_seed_grids():
    """The seed report's grids (as the report page shows them): 表二 with its block headers, 表三's columns in
    template order, no pandas index column."""
    report = audit_kit.load(BUNDLED_SEED)
    rows = texts(str(tables.grid(report, "t2")))
    for block in ("一", "五", "六", "八"):
        assert [f"第二十条第（{block}）项"] in rows
    assert not any(row[0].isdigit() for row in rows if row)
    columns = [t for row in texts(str(tables.grid(report, "t3")))[1:3] for t in row]
    assert columns == ["自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def test_a_corpus_memo_grid_highlights_the_failing_cells(corpus):
    report = audit_kit.load(CORPUS / "023.html")
    results = audit_kit.check(report)
    rows = parse(str(tables.grid(report, "t3", results)))
    total = next(row for row in rows if row and row[0][1] == "（七）总计")
    assert "ak-flag" in total[-1][2]["class"] and total[-1][1] == "805"  # 总计 of （七）总计 as printed in 023.html



if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
