"""PDF pages without a text layer, read by OCR. Only those pages are OCR'd; pages with a text layer are
read by the text-layer reader and the two are joined in page order."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np

from ...config import MAX_PAGE_PIXELS, Config
from ...errors import UnreadableImageError
from ...model.document import Block, Document
from ..ocr import layout as op
from ..ocr import pages as ocr


def render_scale(width: float, height: float) -> float:
    """Pixels per point for a page of ``width`` × ``height`` points: its shorter side at the size OCR reads
    (layout.TARGET_SIDE, ≈ 300 dpi on A4), its longer side at most layout.MAX_LONG_SIDE — the size OCR would
    scale it to anyway. Chosen from the page's size, so no page's points make a huge image."""
    return min(op.TARGET_SIDE / max(1e-3, min(width, height)), op.MAX_LONG_SIDE / max(1e-3, width, height))


def render_page(data: bytes, index: int, max_pixels: int = MAX_PAGE_PIXELS) -> np.ndarray:
    """Page ``index`` (0-based) as an RGB array at :func:`render_scale`: the size :func:`~.ocr.ocr_page` works
    at, whatever resolution the scan was made at. A page so narrow for its length that its shorter side would
    come out under layout.MIN_SIDE pixels (a 160 × 14,400 pt strip, a 1 pt sliver) holds nothing to read and
    is refused before rendering (:class:`UnreadableImageError`, path left to the caller)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        width, height = page.get_width(), page.get_height()
        scale = render_scale(width, height)
        w, h = round(width * scale), round(height * scale)
        if min(w, h) < op.MIN_SIDE or w * h > max_pixels:
            raise UnreadableImageError("", f"第 {index + 1} 页尺寸异常（{width:g}×{height:g} 点），"
                                           "按可识别的分辨率渲染后只有 "
                                           f"{w}×{h} 像素，无法识别文字")
        return np.asarray(page.render(scale=scale).to_pil().convert("RGB"))
    finally:
        pdf.close()


def read_scanned(path: Path, data: bytes, pages: list[list[dict]], scans: list[bool], pdf, config: Config) -> Document:
    """Read a PDF some of whose pages are scans (``scans``: an image and no text layer); ``pages`` are the
    text-layer reader's lines of each page, ``pdf`` the open pdfplumber document (page sizes, rules).

    Scanned pages with ruled tables are read cell by cell; the words of the others join the text-layer
    lines of the pages around them, and the text-layer reader rebuilds their tables from word positions."""
    from ..ocr.words import blocks_of, has_grid, page_points, word_lines

    sha = hashlib.sha256(data).hexdigest()
    scan = [i for i, is_scan in enumerate(scans) if is_scan]
    results = ocr.read_pages(path, sha, [(i + 1, functools.partial(render_page, data, i)) for i in scan], "pdf",
                             {i + 1: {"index": i} for i in scan}, config)
    by_page = {r["page"]: r for r in results}
    evidence = ocr.new_evidence()
    blocks: list[Block] = []
    run: list[dict] = []  # lines of consecutive pages (text layer or OCR'd words), read together
    offset = 0.0  # the page's top in document points: OCR'd pages have their own size (ocr_words)
    for i, lines in enumerate(pages):
        res = by_page.get(i + 1)
        if res is None:
            _move(lines, offset - float(pdf.pages[i].initial_doctop))
            run.extend(lines)
            offset += float(pdf.pages[i].height)
            continue
        ocr.add_page(evidence, res)
        if has_grid(res):
            blocks += blocks_of(run, pdf)
            run = []
            blocks += ocr.grid_blocks(res, evidence)
        else:
            run += word_lines(res, offset, evidence)
        offset += page_points(res)[1]
    blocks += blocks_of(run, pdf)
    blocks.append(Block("end"))
    return ocr.document(path, results, "pdf-ocr" if len(scan) == len(pages) else "pdf+ocr", blocks, evidence)


def _move(lines: list[dict], by: float) -> None:
    """Move a text-layer page's lines down the document by ``by`` points (after OCR'd pages of another size)."""
    if not lines or abs(by) < 1e-6:
        return
    for w in lines[0]["page_words"]:
        w["doctop"] += by
    for ln in lines:
        ln["top"] += by
