"""Ruled PDF tables whose wrapped labels push the numbers off the label's line.

The complete seed report (and generated reports of both templates) are printed as ruled HTML tables with
narrow label cells to PDF by headless Chromium; the reading must give the original's cells, no wrong value.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

import audit_kit
from audit_kit.readers.pdf import ruled as pdf_ruled
from audit_kit.readers.pdf import words as pdf_reader
from audit_kit.testing import samples
from tests import degrade as dg
from tests.conftest import BUNDLED_SEED

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (make test installs it)")

Cells = dict[dg.Key, tuple[str, float]]


@pytest.fixture(scope="module")
def printer():
    p = dg.PdfPrinter(CHROMIUM or "")
    yield p
    p.close()


@pytest.fixture(scope="module")
def seed() -> dg.Original:
    return dg.original_of(audit_kit.load(BUNDLED_SEED))


def _load(tmp_path: Path, data: bytes, name: str = "r.pdf") -> audit_kit.Report:
    path = tmp_path / name
    path.write_bytes(data)
    return audit_kit.load(path)


def _cells(report: audit_kit.Report) -> Cells:
    return {(r.table, r.row, r.col): (r.status, r.value) for r in report.cells.itertuples(index=False)}


def _same(a: tuple[str, float], b: tuple[str, float]) -> bool:
    return a[0] == b[0] and ((math.isnan(a[1]) and math.isnan(b[1])) or a[1] == b[1])


def _wrong(got: Cells, want: Cells) -> list:
    return [(k, v, want.get(k)) for k, v in got.items() if k not in want or not _same(v, want[k])]


@pytest.mark.parametrize("style", [{}, {"label_em": 4}, {"centre": False}], ids=["centred", "narrow", "top"])
def test_seed_as_ruled_pdf_reads_every_cell(printer, seed, tmp_path, style):
    report = _load(tmp_path, printer.pdf(dg.as_ruled_html(dg.items_of(seed), **style)))
    got = _cells(report)
    assert _wrong(got, seed.cells) == []
    assert set(got) == set(seed.cells)
    assert set(report.cells["how"]) == {"label"}
    assert not [n for n in report.meta["notes"] if "未读取" in n]


def test_without_the_rules_the_same_pdf_loses_rows_but_places_no_wrong_value(printer, seed, tmp_path, monkeypatch):
    # The premise: these PDFs do put numbers off their label's line (word positions alone miss rows).
    data = printer.pdf(dg.as_ruled_html(dg.items_of(seed)))
    monkeypatch.setattr(pdf_reader, "ruled_items", lambda *a: [])
    got = _cells(_load(tmp_path, data))
    assert len(got) < len(seed.cells) / 2
    assert _wrong(got, seed.cells) == []


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_generated_reports_as_ruled_pdfs(printer, tmp_path, template):
    spec = samples.make_report(template, seed=7)
    orig = dg.original_of(audit_kit.load(samples.write(spec, tmp_path / "r.txt")))
    report = _load(tmp_path, printer.pdf(dg.as_ruled_html(dg.items_of(orig), label_em=5)))
    assert report.meta["template"] == template
    assert {k: v for k, (_status, v) in _cells(report).items()} == spec.values


def test_empty_ruled_cells_are_blank_cells(printer, seed, tmp_path):
    # An empty cell between rules is printed empty: blank, in its own column, the row's other cells read.
    blanks = {"new": (1, 2, 3), "deny.secret": (0,), "rules": (2,), "unable.unclear": (6,)}
    report = _load(tmp_path, printer.pdf(dg.as_ruled_html(dg.blank_values(dg.items_of(seed), blanks))))
    got = _cells(report)
    want = dict(seed.cells)
    for code, cols in blanks.items():
        table = "t2" if code == "rules" else "t3"
        names = [c for (t, r, c) in seed.cells if (t, r) == (table, code)]
        for k in cols:
            want[(table, code, names[k])] = ("blank", math.nan)
    assert _wrong(got, want) == []
    assert set(got) == set(want)


def test_a_row_printed_without_rules_between_its_cells_is_not_run_together(printer, seed, tmp_path):
    # The label and the numbers of these rows fall into one ruled cell ("1.属于国家秘密0000000" if joined):
    # such a row is read by word positions instead, to its own cells.
    unruled = frozenset({"deny.secret", "new", "normative"})
    report = _load(tmp_path, printer.pdf(dg.as_ruled_html(dg.items_of(seed), centre=False, unruled=unruled)))
    got = _cells(report)
    assert _wrong(got, seed.cells) == []
    assert {k for k in seed.cells if k[1] in unruled} <= set(got)


def test_rows_broken_across_pages_are_joined(printer, seed, tmp_path):
    # Labels three characters wide make rows tall; the empty space before the text moves them onto page
    # breaks, where Chromium breaks a row in two boxes, open at the page's foot and at the next one's head.
    import io

    import pdfplumber

    # Empty cells in every row of 表三: word positions alone cannot tell their columns.
    codes = {it.code: (1, 4) for it in dg.items_of(seed) if isinstance(it, dg.Row) and it.table == "t3"}
    items = dg.blank_values(dg.items_of(seed), codes)
    want = dict(seed.cells)
    for code in codes:
        names = [c for (t, r, c) in seed.cells if (t, r) == ("t3", code)]
        want.update({("t3", code, names[k]): ("blank", math.nan) for k in (1, 4)})
    broken = 0
    for lead in (0, 20, 150, 180):
        data = printer.pdf(dg.as_ruled_html(items, label_em=3, lead_mm=lead))
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            broken += sum(pdf_ruled._open_ends(page)[1] is not None for page in pdf.pages)
        got = _cells(_load(tmp_path, data, f"lead{lead}.pdf"))
        assert _wrong(got, want) == [], lead
        assert set(got) == set(want), lead
    assert broken >= 4  # the premise: these PDFs do break rows across pages


def _row(page: int, cut: str, xs: list[float], texts: list[str]) -> pdf_ruled._Row:
    boxes = [(x, 0.0, x + 20, 10.0) for x in xs]
    words = [[{"text": t, "doctop": page * 100.0, "x0": x}] if t else [] for x, t in zip(xs, texts, strict=True)]
    return pdf_ruled._Row(page, page * 100.0, page * 100.0 + 10, xs[0], boxes, words, cut)


def test_broken_row_pieces_join_only_column_for_column():
    whole = _row(1, "", [0, 20, 40], ["规章", "1", "2"])
    foot, head = _row(1, "foot", [0, 20, 40], ["4.无正当理由大", "", "3"]), _row(2, "head", [0, 20, 40], ["量反复申请", "5", ""])
    joined = pdf_ruled._join_broken([whole, foot, head])
    assert [[pdf_ruled.cell_text(ws) for ws in r.words] for r in joined] == [
        ["规章", "1", "2"], ["4.无正当理由大量反复申请", "5", "3"]]
    other = _row(2, "head", [0, 30, 40], ["量反复申请", "5", ""])  # the columns do not match: not read here
    assert pdf_ruled._join_broken([foot, other, whole]) == [whole]
    far = _row(3, "head", [0, 20, 40], ["量反复申请", "5", ""])  # not the next page
    assert pdf_ruled._join_broken([foot, far]) == []


def test_two_rows_in_one_box_are_not_read(printer, seed, tmp_path):
    # No rule between 1.属于国家秘密 (numbers) and 2.其他法律… (printed empty), nor between 规章 (empty) and
    # 行政规范性文件: one box holds two labels and one row of values. Whose values they are cannot be told
    # from the rules: both rows stay unread and the notes name the box, never a value in the wrong row.
    items = dg.blank_values(dg.items_of(seed), {"deny.law": tuple(range(7)), "rules": (0, 1, 2)})
    data = printer.pdf(dg.as_ruled_html(items, open_below=frozenset({"deny.secret", "rules"})))
    report = _load(tmp_path, data)
    got = _cells(report)
    assert _wrong(got, seed.cells) == []
    gone = {k for k in seed.cells if k[1] in ("deny.secret", "deny.law", "rules", "normative")}
    assert set(got) == set(seed.cells) - gone
    assert any("1.属于国家秘密2.其他法律行政法规禁止公开" in n for n in report.meta["notes"])
