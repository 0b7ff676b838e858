"""Hostile inputs for tests and benchmarks, written in small pieces so that making them costs little memory:
a .docx whose XML inflates to hundreds of MB, a .docx whose zip directory understates its sizes, a text of
one enormous line, and a very large web page."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from . import samples

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>")
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>")
_PARA = '<w:p><w:r><w:t>本年新收政府信息公开申请数量 {i} 件，予以公开。</w:t></w:r></w:p>'


def _bomb_chunks(inflated_mb: int):
    """document.xml in pieces of about 1 MB: a title, then numbered paragraphs up to ``inflated_mb``."""
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}"><w:body>'
           '<w:p><w:r><w:t>某县2023年政府信息公开工作年度报告</w:t></w:r></w:p>').encode()
    target, written, i = inflated_mb * 1024 * 1024, 0, 0
    while written < target:
        chunk = "".join(_PARA.format(i=(i + k) % 100) for k in range(8000)).encode()
        i += 8000
        written += len(chunk)
        yield chunk
    yield b"</w:body></w:document>"


def docx_bomb(path: Path, inflated_mb: int = 200) -> Path:
    """A well-formed .docx whose word/document.xml inflates to about ``inflated_mb`` MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w") as fh:
            for chunk in _bomb_chunks(inflated_mb):
                fh.write(chunk)
    return path


def lying_docx(path: Path, inflated_mb: int = 200, declared: int = 1000) -> Path:
    """A .docx bomb whose zip directory and local header declare word/document.xml ``declared`` bytes long."""
    docx_bomb(path, inflated_mb)
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    # (signature, offset of the uncompressed size, offset of the name length, offset of the name)
    for sig, size_at, len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = data.find(sig)
        while pos >= 0:
            n = struct.unpack_from("<H", data, pos + len_at)[0]
            if bytes(data[pos + name_at:pos + name_at + n]) == name:
                struct.pack_into("<I", data, pos + size_at, declared)
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))
    return path


def one_line_text(path: Path, mb: int = 39) -> Path:
    """A text file of ``mb`` MB on one line: numbers separated by spaces, as a flipbook row is printed."""
    piece = " ".join(str(i % 10) for i in range(500_000)).encode() + b" "
    with path.open("wb") as fh:
        fh.write("某县2023年政府信息公开工作年度报告 ".encode())
        written = 0
        while written < mb * 1024 * 1024:
            fh.write(piece)
            written += len(piece)
    return path


def large_html(path: Path, mb: int = 35) -> Path:
    """A generated report page padded with ``mb`` MB of site navigation tables and paragraphs after it."""
    page = samples.to_html(samples.make_report("2021", seed=1))
    head, tail = page.rsplit("</body>", 1)
    row = "<tr>" + "<td><p>栏目</p></td>" * 12 + "</tr>"  # fixed words: nothing interpolated into markup
    block = ("<table>" + row * 200 + "</table>" + "<p>相关链接 网站地图 联系我们 无障碍浏览</p>" * 200).encode()
    with path.open("wb") as fh:
        fh.write(head.encode())
        written = 0
        while written < mb * 1024 * 1024:
            fh.write(block)
            written += len(block)
        fh.write(("</body>" + tail).encode())
    return path


# ---------------------------------------------------------------- scans, pages and images beyond reason

_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


def _font(size: int):
    from PIL import ImageFont

    for name in _FONTS:
        if Path(name).exists():
            return ImageFont.truetype(name, size)
    return ImageFont.load_default()


def scan_page(rows: int = 12, dpi: int = 150) -> bytes:
    """A JPEG of an A4 page as a scanner gives it: a title and a ruled table of 表三's rows with numbers —
    enough for OCR to read for a few seconds."""
    import io

    from PIL import Image, ImageDraw

    w, h = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    big, small = _font(dpi // 4), _font(dpi // 7)
    d.text((w // 8, h // 16), "某县2023年政府信息公开工作年度报告", fill="black", font=big)
    labels = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "1.予以公开",
              "2.部分公开", "3.不予公开", "4.无法提供", "5.不予处理", "6.其他处理", "7.总计",
              "四、结转下年度继续办理", "（一）予以公开", "（二）部分公开"]
    x0, y0, row_h = w // 12, h // 6, h // 30
    cols = [x0, x0 + w // 3] + [x0 + w // 3 + k * (w // 11) for k in range(1, 7)]
    for r in range(rows + 1):
        d.line([(x0, y0 + r * row_h), (cols[-1], y0 + r * row_h)], fill="black", width=2)
    for x in cols:
        d.line([(x, y0), (x, y0 + rows * row_h)], fill="black", width=2)
    for r in range(rows):
        d.text((x0 + 6, y0 + r * row_h + row_h // 4), labels[r % len(labels)], fill="black", font=small)
        for c in range(len(cols) - 1 - 1):
            d.text((cols[c + 1] + 10, y0 + r * row_h + row_h // 4), str((r * 7 + c * 3) % 50), fill="black", font=small)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=70)
    return out.getvalue()


def scanned_pdf(path: Path, pages: int, page: bytes | None = None) -> Path:
    """An image-only PDF of ``pages`` identical pages (one image, shared by every page: small on disk)."""
    import io

    import img2pdf
    import pypdf

    one = pypdf.PdfReader(io.BytesIO(img2pdf.convert([page or scan_page()])))
    out = pypdf.PdfWriter()
    for _ in range(pages):
        out.add_page(one.pages[0])
    with path.open("wb") as fh:
        out.write(fh)
    return path


def odd_page_pdf(path: Path, width_pt: float, height_pt: float) -> Path:
    """An image-only PDF of one page of ``width_pt`` × ``height_pt`` points (160 × 14,400: a strip; 1 × 842:
    a sliver) holding a small grey image stretched over it."""
    import io

    import img2pdf
    import pypdf
    from PIL import Image

    img = Image.new("L", (max(1, round(width_pt / 4)), max(1, round(height_pt / 4))), 128)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    size = (max(3.0, width_pt), max(3.0, min(14400.0, height_pt)))  # what img2pdf writes; the box is set after
    pdf = pypdf.PdfReader(io.BytesIO(img2pdf.convert([buf.getvalue()], layout_fun=img2pdf.get_layout_fun(size))))
    out = pypdf.PdfWriter()
    page = out.add_page(pdf.pages[0])
    page.mediabox = pypdf.generic.RectangleObject((0, 0, width_pt, height_pt))
    with path.open("wb") as fh:
        out.write(fh)
    return path


def tiff_second_frame_bomb(path: Path, side: int = 60_000) -> Path:
    """A two-frame TIFF: page 1 an ordinary small page, page 2 declaring ``side`` × ``side`` pixels (3.6
    billion for the default) in a few bytes of data — a decompression bomb behind a harmless first frame."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (1000, 1400), 255).save(buf, format="TIFF", save_all=True, compression="packbits",
                                            append_images=[Image.new("L", (300, 300), 255)])
    data = bytearray(buf.getvalue())
    assert data[:2] == b"II"
    offset, frame = struct.unpack_from("<I", data, 4)[0], 0
    while offset:
        n = struct.unpack_from("<H", data, offset)[0]
        for i in range(n):
            entry = offset + 2 + 12 * i
            tag, kind = struct.unpack_from("<HH", data, entry)
            if frame == 1 and tag in (256, 257, 278):  # width, length, rows per strip
                if kind == 3:
                    struct.pack_into("<H", data, entry + 8, side)
                else:
                    struct.pack_into("<I", data, entry + 8, side)
        offset = struct.unpack_from("<I", data, offset + 2 + 12 * n)[0]
        frame += 1
    path.write_bytes(bytes(data))
    return path


def long_number_text(path: Path, digits: int = 400) -> Path:
    """A generated report as a text dump whose first cell of 表三 is a number of ``digits`` digits."""
    r = samples.make_report("2021", 2023, seed=5)
    text = samples.to_text(r)
    head, sep, tail = text.partition("\t自然人")
    assert sep
    label = "\t一、本年新收政府信息公开申请数量\n"
    at = tail.index(label) + len(label)
    first = tail[at:].split("\n", 1)[0]
    tail = tail[:at] + "\t" + "9" * digits + tail[at + len(first):]
    path.write_text(head + sep + tail, encoding="utf-8")
    return path
