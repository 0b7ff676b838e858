"""A picture of the part of a PDF page that a finding is about: the page rendered with pypdfium2 (which
pdfplumber brings), cropped to the rows of the finding's cells, and the cells' boxes drawn on it in red
(PIL). Boxes are in PDF points from the page's top, as pdfplumber gives them (``Cell.box``)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from ...config import MAX_PAGE_PIXELS

RED = (220, 0, 0)
SCALE = 2.0  # pixels per PDF point: sharp enough to read small table digits
MARGIN = 28.0  # points kept above the first and below the last box: the rows' neighbours for context

Rect = tuple[float, float, float, float]  # x0, top, x1, bottom (points from the page's top)


def region_png(data: bytes, page: int, boxes: Sequence[Rect], scale: float = SCALE, margin: float = MARGIN) -> bytes:
    """PNG bytes of page ``page`` (1-based) of the PDF ``data``: the page's full width, cut to the rows of
    ``boxes`` (plus ``margin``), each box outlined in red. Raises ValueError for a page that is not there
    or no boxes, and for a rotated page (its boxes would not stand where they are drawn). The picture has
    at most config.MAX_PAGE_PIXELS pixels: a page of odd size is drawn at a smaller scale."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    if not boxes:
        raise ValueError("no boxes")
    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= page <= len(pdf):
            raise ValueError(f"page {page} not in the PDF")
        pg = pdf[page - 1]
        if pg.get_rotation() % 360:
            raise ValueError("rotated page")
        width, height = pg.get_size()
        top, bottom = _clear_of_text(pg, height, min(b[1] for b in boxes) - margin, max(b[3] for b in boxes) + margin)
        area = max(1e-6, width * (bottom - top))
        if area * scale * scale > MAX_PAGE_PIXELS:
            scale = math.sqrt(MAX_PAGE_PIXELS / area)
        image = pg.render(scale=scale, crop=(0, height - bottom, 0, top)).to_pil().convert("RGB")
    finally:
        pdf.close()
    draw = ImageDraw.Draw(image)
    line = max(2, round(scale * 1.2))
    for x0, y0, x1, y1 in boxes:
        pad = 1.5  # points around the glyphs, so the outline does not cover them
        draw.rectangle([(x0 - pad) * scale, (y0 - pad - top) * scale, (x1 + pad) * scale, (y1 + pad - top) * scale],
                       outline=RED, width=line)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _clear_of_text(pg, height: float, top: float, bottom: float) -> tuple[float, float]:
    """``top`` and ``bottom`` moved out of any text run they would cut through (no half glyphs at the edges)."""
    textpage = pg.get_textpage()
    try:
        runs = [(height - t, height - b) for _l, b, _r, t in (textpage.get_rect(i) for i in range(textpage.count_rects()))]
    finally:
        textpage.close()
    for _ in range(8):  # a run moved past may reach into another: a few rounds settle it
        moved = False
        for run_top, run_bottom in runs:
            if run_top < top < run_bottom:
                top, moved = run_top - 2, True
            if run_top < bottom < run_bottom:
                bottom, moved = run_bottom + 2, True
        if not moved:
            break
    return max(0.0, top), min(height, bottom)
