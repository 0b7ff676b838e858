"""PDFs and legacy Word files: the real huaian PDF, PDFs and .doc files made from our own .docx by
LibreOffice, and broken inputs."""

from __future__ import annotations

import io
import shutil

import pytest

import audit_kit
from audit_kit import errors
from audit_kit.readers.legacy import convert
from audit_kit.testing import samples

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice is not installed (make test installs it as root)")


@pytest.fixture(scope="module")
def huaian(request):
    from tests.conftest import CORPUS

    path = CORPUS / "pdf" / "huaian-2024.pdf"
    if not path.exists():
        pytest.skip("../shared/corpus is not here")
    return audit_kit.load(path)


def test_huaian_meta_and_sections(huaian):
    assert huaian.meta["template"] == "2021"
    assert huaian.meta["reader"] == "pdf"
    assert huaian.meta["agency"] == "淮安市人民政府" and huaian.meta["level"] == "government"
    assert huaian.meta["report_year"] == 2024
    assert list(huaian.sections) == ["一", "二", "三", "四", "五", "六"]
    assert huaian.meta["notes"] == []


def test_huaian_sources_are_page_and_line(huaian):
    c = huaian.cells
    src = c[(c["table"] == "t3") & (c["row"] == "noproc.reissue") & (c["col"] == "natural")]["source"].iloc[0]
    assert src.startswith("page 5 line ")


def test_huaian_tables_are_consistent(huaian):
    res = audit_kit.check(huaian)
    arithmetic = res[res["check_id"].str.match(r"T[234]-")]
    assert len(arithmetic) > 30
    assert set(arithmetic["status"]) == {"pass"}


def test_huaian_narrative_figures_attach_and_agree(huaian):
    res = audit_kit.check(huaian)
    x1 = res[res["check_id"] == "X-1"]
    got = {(m.split("正文称")[1].split(" ")[0], a) for m, a in zip(x1["message"], x1["actual"], strict=True)}
    want = {("本年新收申请", 3119), ("办结（办理结果总计）", 3050), ("上年结转申请", 34), ("结转下年度继续办理", 103),
            ("行政复议", 351), ("行政复议结果维持", 72), ("行政复议结果纠正", 64), ("行政复议其他结果", 178),
            ("行政复议尚未审结", 37), ("行政诉讼", 46), ("行政诉讼结果维持", 25), ("行政诉讼结果纠正", 5),
            ("行政诉讼其他结果", 9), ("行政诉讼尚未审结", 7)}
    assert want <= got
    assert set(x1["status"]) == {"pass"}


def _values(report):
    c = report.cells
    return dict(zip(zip(c["table"], c["row"], c["col"], strict=True), c["value"], strict=True))


@needs_soffice
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_pdf_and_doc_made_from_docx_read_like_the_docx(tmp_path, template):
    spec = samples.make_report(template, seed=21)
    docx_path = samples.write(spec, tmp_path / "r.docx")
    want = _values(audit_kit.load(docx_path))
    assert want == spec.values
    pdf_path = tmp_path / "r.pdf"
    pdf_path.write_bytes(convert(docx_path, docx_path.read_bytes(), "pdf"))
    pdf = audit_kit.load(pdf_path)
    assert _values(pdf) == want
    assert pdf.meta["template"] == template
    doc_path = tmp_path / "r.doc"
    doc_path.write_bytes(convert(docx_path, docx_path.read_bytes(), "doc:MS Word 97"))
    doc = audit_kit.load(doc_path)
    assert doc.meta["reader"] == "doc"
    assert _values(doc) == want


def _encrypted_pdf(tmp_path, spec):
    import pypdf

    src = samples.write(spec, tmp_path / "plain.docx")
    plain = convert(src, src.read_bytes(), "pdf")
    reader = pypdf.PdfReader(io.BytesIO(plain))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = tmp_path / "locked.pdf"
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def test_blank_and_empty_pdfs(tmp_path):
    import pypdf

    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(errors.EmptyFileError):
        audit_kit.load(empty)
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    scan = tmp_path / "scan.pdf"
    with scan.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(errors.ScannedDocumentError, match="OCR"):
        audit_kit.load(scan)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n this is not a pdf body \n%%EOF")
    with pytest.raises(errors.AuditKitError) as info:
        audit_kit.load(junk)
    assert str(junk) in str(info.value)


@needs_soffice
def test_encrypted_pdf_and_pdf_without_tables(tmp_path):
    spec = samples.make_report("2021", seed=3)
    with pytest.raises(errors.CorruptFileError, match="加密"):
        audit_kit.load(_encrypted_pdf(tmp_path, spec))
    import docx

    d = docx.Document()
    d.add_paragraph("关于做好春季防火工作的通知")
    d.add_paragraph("各单位要高度重视，落实责任。" * 5)
    prose = tmp_path / "prose.docx"
    d.save(str(prose))
    pdf = tmp_path / "prose.pdf"
    pdf.write_bytes(convert(prose, prose.read_bytes(), "pdf"))
    with pytest.raises(errors.NoTablesError):
        audit_kit.load(pdf)


def test_corrupt_doc_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.doc"
    bad.write_bytes(b"this is not a word file at all" * 50)
    with pytest.raises(errors.CorruptFileError, match="文件头"):
        audit_kit.load(bad)


@needs_soffice
def test_truncated_doc_is_a_clear_error(tmp_path):
    spec = samples.make_report("2021", seed=4)
    src = samples.write(spec, tmp_path / "r.docx")
    doc = convert(src, src.read_bytes(), "doc:MS Word 97")
    bad = tmp_path / "cut.doc"
    bad.write_bytes(doc[:1024])
    with pytest.raises(errors.AuditKitError) as info:
        audit_kit.load(bad)
    assert str(bad) in str(info.value)


def test_doc_without_libreoffice_says_how_to_install(tmp_path, monkeypatch):
    from audit_kit.readers import legacy

    monkeypatch.setattr(legacy, "soffice", lambda: None)
    path = tmp_path / "r.doc"
    path.write_bytes(legacy.OLE_MAGIC + b"\x00" * 600)
    with pytest.raises(errors.ConversionError, match="libreoffice-writer-nogui"):
        audit_kit.load(path)


@needs_soffice
def test_a_sentence_naming_table_rows_before_the_tables_is_not_read_as_a_row(tmp_path):
    """Section 一 of this sample says "其中予以公开20件，结转下年度继续办理9件。因…被申请行政复议2件。" on a line of
    its own in the PDF: those are totals in prose, not 表三's 予以公开 row or 表四 (they were read as both)."""
    spec = samples.make_report("2021", seed=3)
    docx_path = samples.write(spec, tmp_path / "r.docx")
    pdf_path = tmp_path / "r.pdf"
    pdf_path.write_bytes(convert(docx_path, docx_path.read_bytes(), "pdf"))
    pdf = audit_kit.load(pdf_path)
    assert "其中予以公开20件" in pdf.sections["一"]["text"]  # the sentence stays in section 一's text
    assert _values(pdf) == spec.values
    assert not [n for n in pdf.meta["notes"] if "重复出现" in n or "模板之外" in n], pdf.meta["notes"]
