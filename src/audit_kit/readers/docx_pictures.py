"""Word files whose tables are pasted pictures: when the text holds no row of the template's tables, the
pictures (in document order) are read by OCR, one page each, after the document's own text."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path, PurePosixPath

from docx.oxml.ns import qn
from lxml import etree

from ..config import Config
from ..model import forms as tpl
from ..model.document import Block, Document
from .image import load_frame
from .limits import too_many_pages
from .ocr import pages as ocr

_BLIP = qn("a:blip")
_EMBED = qn("r:embed")
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_PICTURE_TYPES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif")


def read_pictures(path: Path, data: bytes, body, blocks: list[Block], config: Config) -> Document | None:
    """The document with its pictures OCR'd, or None when it needs no OCR (its text has table rows, or
    it has no pictures)."""
    if body is None or any(tpl.match_row(c.text) for b in blocks for c in b.cells):
        return None
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = _pictures(z, body)
        if not parts:
            return None
        if len(parts) > config.max_pages:
            raise too_many_pages(str(path), f"文件中有 {len(parts)} 张需识别的图片（每张一页）", config.max_pages)
        images = {name: z.read(name) for name in parts}
    sha = hashlib.sha256(data).hexdigest()
    pages = [(i + 1, lambda name=name: load_frame(path, images[name], 0, config.max_pixels))
             for i, name in enumerate(parts)]
    results = ocr.read_pages(path, sha, pages, "docx", {i + 1: {"part": name} for i, name in enumerate(parts)}, config)
    ocr_blocks, evidence = ocr.to_blocks(results)
    return ocr.document(path, results, "docx-ocr", [*blocks, *ocr_blocks], evidence)


def _pictures(z: zipfile.ZipFile, body) -> list[str]:
    """Part names of the pictures the body shows, in order (each once)."""
    try:
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"), etree.XMLParser(resolve_entities=False))
    except KeyError:
        return []
    targets = {r.get("Id"): str(PurePosixPath("/word", r.get("Target", ""))).lstrip("/") for r in rels.iter(_RELS)}
    out: list[str] = []
    for blip in body.iter(_BLIP):
        name = targets.get(blip.get(_EMBED))
        if name and name.lower().endswith(_PICTURE_TYPES) and name in z.namelist() and name not in out:
            out.append(name)
    return out
