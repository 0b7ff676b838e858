"""表四 after its section heading with a header that cannot be read: only a full row of 15 numbers is
placed (by order, said in the notes); prose such as "无。" under the heading is never a cell."""

from __future__ import annotations

import audit_kit
from audit_kit.testing import samples


def _report(tmp_path, t4_text: str):
    text = samples.to_text(samples.make_report("2021", seed=5, agency="示例县审计局"))
    head, rest = text.split("四、政府信息公开行政复议、行政诉讼情况\n", 1)
    tail = rest.split("五、存在的主要问题及改进情况\n", 1)[1]
    path = tmp_path / "r.txt"
    path.write_text(f"{head}四、政府信息公开行政复议、行政诉讼情况\n{t4_text}\n五、存在的主要问题及改进情况\n{tail}",
                    encoding="utf-8")
    return audit_kit.load(path)


def test_prose_under_the_t4_heading_is_no_cell(tmp_path):
    report = _report(tmp_path, "无。")
    assert report.cells[report.cells["table"] == "t4"].empty
    assert any("表头无法识别" in n and "未读取" in n for n in report.meta["notes"])


def test_a_short_row_under_a_garbled_header_is_not_placed(tmp_path):
    report = _report(tmp_path, "数据 数据 数据\n1 0 0 0 1 2 0")
    assert report.cells[report.cells["table"] == "t4"].empty


def test_fifteen_numbers_under_a_garbled_header_are_placed_by_order(tmp_path):
    values = [1, 0, 0, 0, 1, 2, 1, 0, 0, 3, 0, 0, 0, 1, 1]
    report = _report(tmp_path, "数据 数据 数据\n" + " ".join(map(str, values)))
    t4 = report.cells[report.cells["table"] == "t4"]
    assert list(t4["value"]) == values
    assert set(t4["how"]) == {"order"}
