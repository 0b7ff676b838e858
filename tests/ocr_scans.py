"""Make scanned-looking copies of a PDF for the OCR tests: pages rasterised (pypdfium2) at a dpi, turned
by a few degrees, saved as JPEG, with a red seal stamped on a page — wrapped as an image-only PDF, page
PNGs or a .docx of pictures. Nothing made here is committed: tests write it to tmp folders."""

from __future__ import annotations

import io
import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw


def raster(pdf: Path, dpi: int) -> list[Image.Image]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()


def rotate(img: Image.Image, degrees: float) -> Image.Image:
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor="white")


def seal(img: Image.Image, centre: tuple[float, float], radius_share: float = 0.09) -> Image.Image:
    """A red official seal (ring, star, ring of marks) multiplied onto the page like ink: black under it
    stays black."""
    w, h = img.size
    r = int(min(w, h) * radius_share)
    cx, cy = int(centre[0] * w), int(centre[1] * h)
    stamp = Image.new("RGB", img.size, "white")
    d = ImageDraw.Draw(stamp)
    red = (215, 35, 40)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, r // 12))
    pts = [(cx + r * 0.4 * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
            cy - r * 0.4 * math.sin(math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)]
    d.polygon(pts, fill=red)
    for k in range(18):  # the agency's name printed round the ring, as blocks
        a = math.pi * (0.15 + 0.7 * k / 17)
        x, y = cx - (r * 0.75) * math.cos(a), cy - (r * 0.75) * math.sin(a)
        d.rectangle((x - r * 0.06, y - r * 0.06, x + r * 0.06, y + r * 0.06), fill=red)
    return ImageChops.multiply(img, stamp)


def jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def image_pdf(pages: list[bytes]) -> bytes:
    """An image-only PDF, one page per JPEG/PNG (img2pdf embeds them as they are)."""
    import img2pdf

    return img2pdf.convert(pages)


def docx_of_pictures(pages: list[bytes], title: str = "") -> bytes:
    """A Word file holding a title paragraph and one full-width picture per page."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    if title:
        doc.add_paragraph(title)
    for data in pages:
        doc.add_picture(io.BytesIO(data), width=Cm(16))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def mixed_pdf(text_pdf: Path, scan_pages: dict[int, bytes]) -> bytes:
    """The text-layer PDF with some pages (0-based index → image bytes) replaced by image-only pages."""
    import pypdf

    scans = pypdf.PdfReader(io.BytesIO(image_pdf(list(scan_pages.values()))))
    src = pypdf.PdfReader(str(text_pdf))
    out = pypdf.PdfWriter()
    order = {i: k for k, i in enumerate(scan_pages)}
    for i, page in enumerate(src.pages):
        out.add_page(scans.pages[order[i]] if i in order else page)
    buf = io.BytesIO()
    out.write(buf)
    return buf.getvalue()


def ruled_docx(data: bytes) -> bytes:
    """The .docx with every table given ruling lines ("Table Grid"), as printed reports have them."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    for table in doc.tables:
        table.style = doc.styles["Table Grid"]
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
