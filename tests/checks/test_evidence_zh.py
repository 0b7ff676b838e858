"""Evidence reads in Chinese: places (第 5 页第 17 行) and cell statuses (数字/空白/文字), in every view that
renders evidence; the cells' ``source`` column keeps its interface format."""

from __future__ import annotations

import re

import pytest

import audit_kit
from audit_kit.render import html as render
from audit_kit.render import places
from audit_kit.testing.samples import make_report, write

ENGLISH = re.compile(r"\b(page|line|table|row|cell|paragraph|number|blank|text|missing)\b")


@pytest.mark.parametrize(("source", "shown"), [
    ("line 212", "第 212 行"),
    ("page 5 line 17", "第 5 页第 17 行"),
    ("table 3 row 9 cell 4", "第 3 个表格第 9 行第 4 列"),
    ("table 2 row 5 cell 2 (line 120)", "第 2 个表格第 5 行第 2 列（源码第 120 行）"),
    ("page 4 table 2 r5c2", "第 4 页第 2 个表格第 5 行第 2 列"),
    ("paragraph 12", "第 12 段"),
    ("表三“（一）予以公开”行（line 105）只印了 4 个值", "表三“（一）予以公开”行（第 105 行）只印了 4 个值"),
    ("第六部分", "第六部分"),
    (None, ""),
])
def test_where(source, shown):
    assert places.where(source) == shown


def test_cell_status():
    assert [places.cell_status(s) for s in ("number", "blank", "text")] == ["数字", "空白", "文字"]


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _evidence_text(path) -> str:
    report = audit_kit.load(path)
    results = audit_kit.check(report)
    assert results["evidence"].map(len).sum() > 0
    return " ".join(_visible(str(render.evidence(r, report))) for _, r in results.iterrows())


@pytest.mark.parametrize("fmt", ["txt", "html", "docx"])
def test_evidence_of_every_format_is_chinese(tmp_path, fmt):
    path = write(make_report("2021", seed=3), tmp_path / f"r.{fmt}")
    report = audit_kit.load(path)
    assert ENGLISH.search(" ".join(report.cells["source"]))  # the interface format is kept in the cells
    shown = _evidence_text(path)
    assert "数字" in shown and "行" in shown
    assert not ENGLISH.search(shown), ENGLISH.search(shown)


def test_evidence_of_a_pdf_is_chinese(corpus):
    shown = _evidence_text(corpus / "pdf" / "huaian-2024.pdf")
    assert "页" in shown
    assert not ENGLISH.search(shown), ENGLISH.search(shown)


def test_memo_record_notes_are_chinese():
    """The reading notes in 附：审核记录 speak of 第 N 行, never of the reader's "line N"."""
    html = str(render.record([("文件", "r.txt")], ["表三“一、本年新收”行（line 105）只印了 4 个值"], [], [], []))
    assert "读取说明（1 条）" in html
    assert "第 105 行" in html and "line 105" not in html
