"""The source beside a finding: the table with the finding's cells highlighted, the text lines
around the evidence with Chinese places, and for a PDF a crop of the page with the cells' boxes in red."""

from __future__ import annotations

import base64
import io
import re
import shutil

import pytest

import audit_kit
from audit_kit.readers.legacy import convert
from audit_kit.review import report_view
from audit_kit.review.source_view import load_source, source_view
from audit_kit.review.walker import FindingWalker
from audit_kit.testing import samples

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice is not installed (make test installs it as root)")
WRONG_TOTAL = 7  # added to 表三 本年新收 总计: T3-1 and T3-3 fail on it


def _spec():
    spec = samples.make_report("2021", seed=21)
    spec.values[("t3", "new", "total")] += WRONG_TOTAL
    return spec


def _t31(report):
    results = audit_kit.check(report)
    return results[(results["check_id"] == "T3-1") & (results["status"] == "fail")].iloc[0].to_dict()


def _marked_cells(html: str) -> set[str]:
    """The cells the table's style block colours red (pandas Styler writes one rule for the marked cells)."""
    styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S))
    rules = [r for r in styles.split("}") if "#f8d7da" in r]
    return {m for r in rules for m in re.findall(r"#T_[0-9a-z]+_(row\d+_col\d+)", r)}


def _images(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)]


@pytest.mark.parametrize("fmt", ["txt", "html", "docx"])
def test_text_sources_show_the_evidence_lines_in_chinese(tmp_path, fmt):
    spec = _spec()
    report = audit_kit.load(samples.write(spec, tmp_path / f"r.{fmt}"))
    finding = _t31(report)
    html = str(source_view(finding, report, load_source(report)))
    total = str(int(spec.values[("t3", "new", "total")]))
    marked = re.findall(r"<tr style='background:#fdecea;font-weight:bold'><td[^>]*>([^<]*)</td><td>([^<]*)</td>", html)
    assert any(total in text for _where, text in marked)  # the line printing the wrong total is marked
    assert all(where.startswith("第 ") for where, _text in marked)
    places = re.findall(r"<td style='color:#666;[^']*'>([^<]*)</td>", html)
    assert len(places) > len(marked) and all(re.fullmatch(r"第 .*", p) for p in places)  # never "line 12"
    assert _marked_cells(html)  # the table beside it, the finding's cells highlighted
    assert "data:image/png" not in html  # no page picture for a text source


def test_the_table_highlights_only_the_findings_cells(tmp_path):
    report = audit_kit.load(samples.write(_spec(), tmp_path / "r.txt"))
    html = str(source_view(_t31(report), report, None))
    # T3-1: 本年新收, 上年结转, 办理结果总计, 结转下年度, all in the 总计 column (the seventh, col6)
    marked = _marked_cells(html)
    assert len(marked) == 4 and {c.split("_")[1] for c in marked} == {"col6"}


def test_report_text_is_escaped(tmp_path):
    spec = _spec()
    spec.narrative["五"] = "<script>alert(1)</script>" + spec.narrative["五"]
    report = audit_kit.load(samples.write(spec, tmp_path / "r.txt"))
    results = audit_kit.check(report)
    x5 = results[results["check_id"] == "X-5"].iloc[0].to_dict()
    x5["evidence"] = [{"table": "t3", "row": "new", "col": "total", "source": s} for _t, s in
                      report.document.lines() if "<script>" in _t][:1]
    html = str(source_view(x5, report, load_source(report)))
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.fixture(scope="module")
def pdf_report(tmp_path_factory):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (make test installs it as root)")
    folder = tmp_path_factory.mktemp("pdfsrc")
    docx = samples.write(_spec(), folder / "r.docx")
    path = folder / "r.pdf"
    path.write_bytes(convert(docx, docx.read_bytes(), "pdf"))
    return path


def _word_box(path, page_no: int, text: str, near_top: float | None = None):
    """Where pdfplumber prints ``text`` on the page (the test's own reading, not the reader's)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        words = [w for w in pdf.pages[page_no - 1].extract_words() if w["text"] == text]
        size = (pdf.pages[page_no - 1].width, pdf.pages[page_no - 1].height)
    return words, size


def _red(image) -> list[tuple[int, int]]:
    px = image.load()
    return [(x, y) for y in range(image.height) for x in range(image.width)
            if px[x, y][0] > 180 and px[x, y][1] < 60 and px[x, y][2] < 60]


def test_a_pdf_finding_shows_a_crop_of_the_page_with_red_boxes(pdf_report):
    from PIL import Image

    report = audit_kit.load(pdf_report)
    finding = _t31(report)
    total = next(e for e in finding["evidence"] if e["row"] == "new")
    page_no = int(total["source"].split()[1])
    html = str(source_view(finding, report, load_source(report)))
    images = _images(html)
    assert images, "no page picture"
    words, (width, height) = _word_box(pdf_report, page_no, total["raw"])
    assert len(words) == 1
    word = words[0]
    assert f"第 {page_no} 页" in html
    image = Image.open(io.BytesIO(images[0])).convert("RGB")
    assert image.width == round(width * 2)  # the page's width at 2 pixels a point …
    assert image.height < height * 2 / 2  # … and a crop of its height, not the full page
    red = _red(image)
    assert red, "no red box drawn"
    xs = [x for x, _y in red]
    # every red pixel stands around the 总计 column the wrong total is printed in (the four cells are there)
    assert word["x0"] * 2 - 12 <= min(xs) and max(xs) <= word["x1"] * 2 + 12
    plain = Image.open(io.BytesIO(_plain_render(pdf_report, page_no))).convert("RGB")
    assert not _red(plain)  # the page itself has no red: the boxes are drawn


def _plain_render(path, page_no: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    out = io.BytesIO()
    pdf[page_no - 1].render(scale=1).to_pil().save(out, format="PNG")
    pdf.close()
    return out.getvalue()


def test_a_stored_pdf_report_is_read_again_for_its_source_and_says_when_it_moved(pdf_report, tmp_path):
    path = tmp_path / "r.pdf"
    shutil.copy(pdf_report, path)
    report_view.open_audit(str(path))  # stored in the workspace
    audit = report_view.open_audit(audit_kit.load(path).report_id)  # by id: from the store, no document
    assert audit.report.document is None
    walker = FindingWalker.for_audit(audit)
    walker.check.value = "T3-1"
    assert _images(walker.source.value)
    path.rename(tmp_path / "moved.pdf")
    again = FindingWalker.for_audit(report_view.open_audit(audit.report.report_id))
    again.check.value = "T3-1"
    assert "原文件不在原处" in again.source.value and not _images(again.source.value)


def test_a_changed_file_is_not_shown_as_the_source(tmp_path):
    path = samples.write(_spec(), tmp_path / "r.txt")
    report_view.open_audit(str(path))
    rid = audit_kit.load(path).report_id
    path.write_text(path.read_text(encoding="utf-8").replace("示例县财政局", "别的机关"), encoding="utf-8")
    audit = report_view.open_audit(rid)
    html = str(source_view(_t31(audit.report), audit.report, load_source(audit.report)))
    assert "已改动" in html and "ak-source-lines" not in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (make test installs it)")
def test_ruled_pdf_cells_keep_the_box_of_their_ruled_cell(tmp_path):
    """A ruled table's cell (blank ones too) keeps the box its rules draw: the words pdfplumber finds inside
    that box are the cell's text as read (none for a blank cell)."""
    import pdfplumber

    from tests import degrade as dg
    from tests.conftest import BUNDLED_SEED

    seed = dg.original_of(audit_kit.load(BUNDLED_SEED))
    printer = dg.PdfPrinter(CHROMIUM or "")
    try:
        data = printer.pdf(dg.as_ruled_html(dg.blank_values(dg.items_of(seed), {"new": (1, 2, 3)})))
    finally:
        printer.close()
    path = tmp_path / "ruled.pdf"
    path.write_bytes(data)
    report = audit_kit.load(path)
    cells = [c for c in report.extraction.cells if c["table"] == "t3"]
    assert cells and all(c["box"] for c in cells)
    blanks = [c for c in cells if c["status"] == "blank"]
    assert len(blanks) == 3
    with pdfplumber.open(path) as pdf:
        for c in cells:
            page, x0, top, x1, bottom = c["box"]
            inside = [w["text"] for w in pdf.pages[page - 1].extract_words()
                      if x0 <= (w["x0"] + w["x1"]) / 2 <= x1 and top <= (w["top"] + w["bottom"]) / 2 <= bottom]
            assert "".join(inside) == c["raw"], c


def test_a_row_joined_across_pages_has_no_box():
    from audit_kit.readers.pdf import ruled as pdf_ruled

    def row(page: int, cut: str, texts: list[str]) -> pdf_ruled._Row:
        xs = [0.0, 20.0, 40.0]
        words = [[{"text": t, "doctop": page * 100.0, "x0": x}] if t else [] for x, t in zip(xs, texts, strict=True)]
        return pdf_ruled._Row(page, page * 100.0, page * 100.0 + 10, 0.0, [(x, 0.0, x + 20, 10.0) for x in xs], words, cut)

    whole, foot, head = row(1, "", ["规章", "1", "2"]), row(1, "foot", ["4.无正当理由大", "", "3"]), row(2, "head", ["量反复申请", "5", ""])
    joined = pdf_ruled._join_broken([whole, foot, head])
    assert [r.joined for r in joined] == [False, True]  # the joined row's boxes are its first piece's only
