"""One report written as .txt, .html and .docx reads to identical cells; format quirks are handled."""

from __future__ import annotations

import io

import docx
import pytest

import audit_kit
from audit_kit.testing import samples


def _values(report: audit_kit.Report) -> dict:
    c = report.cells
    return dict(zip(zip(c["table"], c["row"], c["col"], strict=True), c["value"], strict=True))


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_same_report_in_three_formats_reads_identically(tmp_path, template):
    spec = samples.make_report(template, seed=7)
    reads = {}
    for suffix in (".txt", ".html", ".docx"):
        report = audit_kit.load(samples.write(spec, tmp_path / f"r{suffix}"))
        assert report.meta["template"] == template
        assert report.meta["agency"] == spec.agency
        assert report.meta["report_year"] == spec.year
        assert list(report.sections) == ["一", "二", "三", "四", "五", "六"]
        reads[suffix] = _values(report)
    assert reads[".txt"] == reads[".html"] == reads[".docx"] == spec.values


def test_truncated_text_keeps_what_is_there_and_notes_where_it_stops(tmp_path):
    spec = samples.make_report("2021", seed=1)
    text = samples.to_text(spec)
    cut = text[: text.index("4.保护第三方合法权益")]
    path = tmp_path / "cut.txt"
    path.write_text(cut, encoding="utf-8")
    report = audit_kit.load(path)
    rows = set(report.cells.loc[report.cells["table"] == "t3", "row"])
    assert "deny.security" in rows and "deny.third_party" not in rows
    assert report.cells[report.cells["table"] == "t4"].empty
    assert any("表三不完整" in n and "3.危及" in n for n in report.meta["notes"])
    assert "未找到表四" in report.meta["notes"]
    for key, value in _values(report).items():
        assert spec.values[key] == value


def test_html_in_gbk_declared_as_gb2312_loses_nothing(tmp_path):
    spec = samples.make_report("2021", seed=2, agency="镕鑫县市场监督管理局")  # 镕 is GBK, not GB2312
    page = samples.to_html(spec).replace('<meta charset="utf-8">', '<meta charset="gb2312">')
    path = tmp_path / "gbk.html"
    path.write_bytes(page.encode("gbk"))
    report = audit_kit.load(path)
    assert report.meta["agency"] == "镕鑫县市场监督管理局"
    assert _values(report) == spec.values


def test_html_in_utf8_declared_as_gb2312(tmp_path):
    spec = samples.make_report("2019", seed=4)
    page = samples.to_html(spec).replace('<meta charset="utf-8">', '<meta charset="gb2312">')
    path = tmp_path / "wrong.html"
    path.write_bytes(page.encode("utf-8"))
    assert _values(audit_kit.load(path)) == spec.values


def _docx_bytes(rows: list[list[str]], merge_down: tuple[int, int, int] | None = None) -> bytes:
    d = docx.Document()
    d.add_paragraph("示例县民政局2021年政府信息公开工作年度报告")
    d.add_paragraph("二、主动公开政府信息情况")
    t = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for i, r in enumerate(rows):
        for j, text in enumerate(r):
            t.cell(i, j).text = text
    if merge_down:
        col, top, bottom = merge_down
        keep = t.cell(top, col).text
        t.cell(top, col).merge(t.cell(bottom, col)).text = keep
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_merged_value_cell_is_not_repeated(tmp_path):
    rows = [["第二十条第（五）项", "", "", ""], ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            ["行政许可", "12", "+19", "40"], ["其他对外管理服务事项", "7", "减4", "251000元"]]
    path = tmp_path / "merged.docx"
    path.write_bytes(_docx_bytes(rows, merge_down=(3, 2, 3)))  # 处理决定数量 merged over both rows
    c = audit_kit.load(path).cells
    got = dict(zip(zip(c["row"], c["col"], strict=True), c["value"], strict=True))
    assert got[("licensing", "prev_items")] == 12
    assert got[("licensing", "change")] == 19
    assert got[("other_services", "change")] == -4
    assert got[("licensing", "decisions")] == 40
    assert ("other_services", "decisions") not in got  # the merged cell is read once, for 行政许可
    assert got[("other_services", "prev_items")] == 7
    assert any("合并" in n for n in audit_kit.load(path).meta["notes"])


def test_docx_table_split_over_two_word_tables(tmp_path):
    spec = samples.make_report("2021", seed=5)
    path = samples.write(spec, tmp_path / "whole.docx")
    d = docx.Document(str(path))
    t3 = d.tables[4]  # 表三 is the fifth Word table (four 表二 blocks before it)
    split_at = 12
    new = d.add_table(rows=0, cols=len(t3.columns))
    for tr in list(t3._tbl.tr_lst)[split_at:]:
        new._tbl.append(tr)
    t3._tbl.addnext(new._tbl)
    d.save(str(path))
    assert len(docx.Document(str(path)).tables) == 7
    assert _values(audit_kit.load(path)) == spec.values


def test_units_and_signs_in_cells(tmp_path):
    rows = [["第二十条第（九）项", "", ""], ["信息内容", "采购项目数量", "采购总金额"],
            ["政府集中采购", "3", "251000元"]]
    path = tmp_path / "units.docx"
    path.write_bytes(_docx_bytes(rows))
    c = audit_kit.load(path).cells
    amount = c[(c["row"] == "procurement") & (c["col"] == "amount")].iloc[0]
    assert (amount["value"], amount["unit"], amount["raw"]) == (251000, "元", "251000元")


def test_pipe_rows_and_spaced_numbers(tmp_path):
    text = "\n".join([
        "示例镇人民政府2022年政府信息公开工作年度报告",
        "| 第二十条第(一)项 | |||", "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 | ",
        "| 规章 | 2 | 0 | 2 | ", "四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼",
        "结果 结果 其他 尚未 总", "0 1 0 0 1 0 0 0 0 0 2 0 0 0 2", "五、存在的主要问题及改进情况"])
    path = tmp_path / "pipes.txt"
    path.write_text(text, encoding="utf-8")
    report = audit_kit.load(path)
    got = _values(report)
    assert got[("t2", "rules", "issued")] == 2 and got[("t2", "rules", "in_force")] == 2
    assert got[("t4", "review", "corrected")] == 1 and got[("t4", "lit_after_review", "total")] == 2
    assert report.meta["level"] == "township"


def test_seven_single_digits_run_together_are_not_guessed_when_ambiguous(tmp_path):
    text = "二、主动公开政府信息情况第二十条第(一)项信息内容本年新制作数量规章555规范性文件141414"
    path = tmp_path / "run.txt"
    path.write_text(text, encoding="utf-8")
    report = audit_kit.load(path)
    assert report.cells.empty
