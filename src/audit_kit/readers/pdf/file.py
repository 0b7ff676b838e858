"""A PDF file opened: its text layer read line by line (``pdf.py`` rebuilds the tables from the words'
positions), or — for pages with an image and no text — OCR (``pdf_scan.py``); encrypted and broken files
are clear errors."""

from __future__ import annotations

import io
from pathlib import Path

from ...config import Config
from ...errors import CorruptFileError, ScannedDocumentError
from ...model.document import Block, Document
from ..limits import too_many_pages
from .words import blocks_of, table_span, text_lines


def page_count(data: bytes) -> int | None:
    """The number of pages (pdfium reads only the page tree), or None when pdfium cannot open the file."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # encrypted or broken: pdfplumber's read below says which
        return None
    try:
        return len(pdf)
    finally:
        pdf.close()


def read_pdf(path: Path, data: bytes, config: Config) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    n = page_count(data)
    if n is not None and n > config.max_pages:  # before a page is parsed: 2,000 scanned pages are hours of OCR
        raise too_many_pages(str(path), f"PDF 共 {n} 页", config.max_pages)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = [text_lines(page) for page in pdf.pages]
        scans = [not lines and bool(page.images) for lines, page in zip(pages, pdf.pages, strict=True)]
    except PDFPasswordIncorrect as exc:
        raise CorruptFileError(str(path), "PDF 已加密，需要密码才能读取") from exc
    except Exception as exc:
        name = type(exc).__name__
        if "Password" in repr(exc) or "Encrypt" in repr(exc):
            raise CorruptFileError(str(path), "PDF 已加密，需要密码才能读取") from exc
        raise CorruptFileError(str(path), f"PDF 无法解析（{name}）") from exc
    if any(scans):  # pages with an image and no text layer (a scan) are read by OCR
        from .scan import read_scanned

        return read_scanned(path, data, pages, scans, pdf, config)
    if not any(pages):
        raise ScannedDocumentError(str(path), "PDF 没有文字层，也没有可供 OCR 识别的图像（空白页）")
    lines = [ln for page in pages for ln in page]
    blocks = blocks_of(lines, pdf)
    if table_span(lines)[0] is None:  # no table: a report whose tables are missing (F-3 fails) or no report
        return Document([*blocks, Block("end")], "pdf", notes=["PDF 中未找到表二、表三、表四的任何一行"])
    return Document([*blocks, Block("end")], "pdf")
