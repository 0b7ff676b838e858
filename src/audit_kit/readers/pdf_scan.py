"""PDF pages without a text layer, read by OCR. Only those pages are OCR'd; pages with a text layer are
read by the text-layer reader and the two are joined in page order."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..document import Block, Document
from . import ocr
from . import ocr_page as op


def render_page(data: bytes, index: int) -> np.ndarray:
    """Page ``index`` (0-based) as an RGB array, its shorter side ocr_page.TARGET_SIDE pixels (≈ 300 dpi
    on A4): the size :func:`~.ocr.ocr_page` works at, whatever resolution the scan was made at."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        scale = op.TARGET_SIDE / max(1.0, min(page.get_width(), page.get_height()))
        return np.asarray(page.render(scale=scale).to_pil().convert("RGB"))
    finally:
        pdf.close()


def read_scanned(path: Path, data: bytes, pages: list[list[dict]], scans: list[bool]) -> Document:
    """Read a PDF some of whose pages are scans (``scans``: an image and no text layer); ``pages`` are the
    text-layer reader's lines of each page."""
    from . import pdf as text_layer

    sha = hashlib.sha256(data).hexdigest()
    scan = [i for i, is_scan in enumerate(scans) if is_scan]
    results = ocr.read_pages(path, sha, [(i + 1, lambda i=i: render_page(data, i)) for i in scan], "pdf",
                             {i + 1: {"index": i} for i in scan})
    by_page = {r["page"]: r for r in results}
    blocks: list[Block] = []
    run: list[dict] = []  # text-layer lines of consecutive pages, read together as the pdf reader does
    for i, lines in enumerate(pages):
        if lines:
            run.extend(lines)
            continue
        blocks.extend(_text_blocks(text_layer, run))
        run = []
        if i + 1 in by_page:
            blocks.extend(ocr.to_blocks([by_page[i + 1]])[0])
    blocks.extend(_text_blocks(text_layer, run))
    blocks.append(Block("end"))
    return ocr.document(path, results, "pdf-ocr" if len(scan) == len(pages) else "pdf+ocr", blocks)


def _text_blocks(text_layer, lines: list[dict]) -> list[Block]:
    """The text-layer reader's blocks for a run of pages (its own prose/table logic)."""
    if not lines:
        return []
    text_layer._margins(lines)
    start, end = text_layer._table_span(lines)
    if start is None:
        return text_layer._prose(lines)
    return text_layer._prose(lines[:start]) + text_layer._table(lines[start:end], []) + text_layer._prose(lines[end:])
