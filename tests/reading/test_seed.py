"""The seed report (yanchi-2020.txt) reads as checks.md and the issue describe it."""

from __future__ import annotations

import audit_kit
from audit_kit.model import forms as tpl


def test_seed_reads_all_200_cells_as_zero(seed_path):
    report = audit_kit.load(seed_path)
    cells = report.cells
    expected = {(c.table, c.row, c.col) for c in tpl.cells() if c.template == "2021"}
    assert len(expected) == 200
    assert set(zip(cells["table"], cells["row"], cells["col"], strict=True)) == expected
    assert (cells["status"] == "number").all()
    assert (cells["value"] == 0).all()
    assert report.meta["notes"] == []


def test_seed_meta(seed_path):
    meta = audit_kit.load(seed_path).meta
    assert meta["template"] == "2021"
    assert meta["report_year"] == 2020
    assert meta["agency"] == "盐池县机关事务服务中心"
    assert meta["level"] == "department"
    assert [d.isoformat() for d in meta["period"]] == ["2020-01-01", "2020-12-31"]
    assert meta["published"] is None
    assert meta["reader"] == "text"
    assert len(meta["sha256"]) == 64 and meta["report_id"] == meta["sha256"][:16]


def test_seed_sections_with_headings_as_printed(seed_path):
    sections = audit_kit.load(seed_path).sections
    assert list(sections) == ["一", "二", "三", "四", "五", "六"]
    assert sections["二"]["heading"] == "2、 主动公开政府信息情况"
    assert sections["六"]["heading"] == "六、其他需要报告事项"
    assert sections["六"]["text"] == "无其他需要报告的事项。"
    assert "健全完善工作机构" in sections["一"]["text"]
    assert "[bookmark" not in sections["一"]["text"]


def test_seed_sources_point_at_lines(seed_path):
    cells = audit_kit.load(seed_path).cells
    src = cells[(cells["table"] == "t3") & (cells["row"] == "new") & (cells["col"] == "natural")]["source"]
    assert list(src) == ["line 106"]
