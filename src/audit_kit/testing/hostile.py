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
