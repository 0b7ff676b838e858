"""Pictures of OCR'd cells for the evidence: the page an OCR result came from rendered again (a scanned PDF
page or an image frame) and cropped to each cell's box."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from . import layout as op


def crop_png(meta: dict, source: str, margin: int = 6) -> bytes:
    """The image of one OCR'd cell (as scanned, seal and all, on the deskewed page) as PNG bytes."""
    return crops_png(meta, [source], margin)[source]


def crops_png(meta: dict, sources: list[str], margin: int = 6) -> dict[str, bytes]:
    """The images of some OCR'd cells as PNG bytes, by source; each page is rendered once. A KeyError
    for a source that was not OCR'd; the reader's errors when the file cannot be read again."""
    ocr = meta.get("ocr") or {}
    cells = ocr.get("cells", {})
    for source in sources:
        if source not in cells:
            raise KeyError(f"{source} 不是 OCR 识别的单元格")
    pages: dict[int, np.ndarray] = {}
    out = {}
    for source in sources:
        ev = cells[source]
        if ev["page"] not in pages:
            page = ocr["pages"][str(ev["page"])]
            rgb, _scale = op.normalise(page_image(Path(meta["source"]), page))
            pages[ev["page"]] = op.rotate(rgb, page["angle"])
        out[source] = _crop(pages[ev["page"]], ev["box"], margin)
    return out


def _crop(rgb: np.ndarray, box: list[int], margin: int) -> bytes:
    from PIL import Image

    x0, y0, x1, y1 = box
    h, w = rgb.shape[:2]
    crop = rgb[max(0, y0 - margin) : min(h, y1 + margin), max(0, x0 - margin) : min(w, x1 + margin)]
    buf = io.BytesIO()
    Image.fromarray(crop).save(buf, format="PNG")
    return buf.getvalue()


def page_image(path: Path, page: dict) -> np.ndarray:
    """The page image an OCR result was made from, as the reader that made it loads it."""
    data = path.read_bytes()
    if page["reader"] == "pdf":
        from ..pdf.scan import render_page

        return render_page(data, page["index"])
    from ..image import load_frame

    if page["reader"] == "docx":
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as z:
            data = z.read(page["part"])
    return load_frame(path, data, page.get("frame", 0))
