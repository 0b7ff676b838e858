"""Scanned pages → the common :class:`~audit_kit.document.Document`, with OCR evidence for every cell.

A page is read in three steps: :mod:`.ocr_page` cleans it (seal, skew) and finds its ruled tables and
text lines; :mod:`.ocr_engine` recognises every cell line and text line in one batch; here the results
become table rows (one :class:`Cell` per ruled cell, source ``page 4 table 2 r5c2``) and paragraphs.

- Row labels are matched to the template's vocabulary with rapidfuzz, so an OCR slip does not lose a row;
  value cells get the usual letter/digit confusions undone (O→0, l→1) only when the whole cell is digits.
- Every table cell keeps its evidence — page, box (pixels of the deskewed page), text read, confidence —
  in ``Document.evidence``; :func:`ocr_meta` turns it into ``meta["ocr"]`` and notes for the cells read
  below :data:`THRESHOLD`. :func:`crop_png` gives the image of one cell for the auditor.
- :func:`ocr_page` is the unit of work (one page image → a JSON-able result): a batch spreading pages over
  workers calls it per page; results are cached by file sha256 (:mod:`audit_kit.ocr_cache`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from .. import templates as tpl
from ..document import Block, Cell, Document
from ..errors import NoTablesError, UnreadableImageError
from ..normalize import key
from ..numbers import is_value, parse_cell
from ..ocr_cache import OcrCache
from ..sections import heading_number
from . import ocr_page as op
from .ocr_engine import engine_version, recognizer

THRESHOLD = 0.90  # a value read with less confidence is marked uncertain
VERSION = "p8"  # bump when the page pipeline changes: cached results of older versions are not used
UNREADABLE = "~"  # stands in a value cell whose ink could not be read: a not-a-number mark, never a 0
_CONFUSED = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "!": "1",
                           "i": "1", "S": "5", "B": "8", "Z": "2", "，": ",", "。": "."})
_PUNCT = str.maketrans({"丶": "、"})  # the model reads a list comma as the rare radical 丶 (二丶主动公开…)
_DIGITISH = re.compile(r"^[\dOoDQlIi|!SBZ,，.。]+$")
_MIN_LABEL_SCORE = 86


def cache_version() -> str:
    return f"{VERSION}-{engine_version().replace(' ', '_')}"


# ---------------------------------------------------------------- one page


def ocr_page(rgb: np.ndarray, page: int) -> dict:
    """OCR one page image (RGB or grey array): its tables as rows of cells and its text lines, in reading
    order, with boxes and confidences. Raises :class:`UnreadableImageError` for an image too small to be
    a page."""
    h, w = rgb.shape[:2]
    if min(h, w) < op.MIN_SIDE:
        raise UnreadableImageError("", f"第 {page} 页图像太小（{w}×{h} 像素），无法识别文字")
    rgb, scale = op.normalise(rgb)
    gray, angle = op.prepare(rgb)
    ink = op.binarize(gray)
    ruling = op.line_mask(ink)
    grids = op.find_grids(ruling)
    gray = gray.copy()
    for g in grids:  # the ruling lines out of the cells: a line's stub is not read as a "1"
        x0, y0, x1, y1 = g.box.as_list()
        gray[y0:y1, x0:x1][ruling[y0:y1, x0:x1] > 0] = 255
    lines = op.text_lines(ink, [g.box for g in grids])
    crops: list[np.ndarray] = []
    owners: list[tuple[dict, int]] = []
    items: list[dict] = []
    for g in grids:
        rows = []
        for printed in op.rows_of(g):
            row = []
            for box, continued in printed:
                cell: dict[str, Any] = {"box": box.as_list(), "cont": continued, "lines": []}
                if not continued:
                    cell_img = gray[box.y0 : box.y1, box.x0 : box.x1]
                    cell["ink"] = op.ink_box(cell_img) is not None
                    for piece in op.cell_lines(cell_img):
                        crops.append(piece)
                        owners.append((cell, len(cell["lines"])))
                        cell["lines"].append(None)
                row.append(cell)
            rows.append(row)
        items.append({"kind": "table", "box": g.box.as_list(), "rows": rows})
    em = op.em_size(lines)
    for b in lines:
        item: dict[str, Any] = {"kind": "line", "box": b.as_list(), "words": []}
        for wb in op.words_in(ink, b, em):
            word = {"box": wb.as_list(), "lines": [None], "ink": True}
            crops.append(gray[max(0, wb.y0 - 3) : wb.y1 + 3, max(0, wb.x0 - 3) : wb.x1 + 3])
            owners.append((word, 0))
            item["words"].append(word)
        items.append(item)
    for (owner, i), (text, conf) in zip(owners, recognizer()(crops), strict=True):
        owner["lines"][i] = (text.strip(), conf)
    for item in items:
        if item["kind"] == "line":
            for word in item["words"]:
                _finish(word)
            item["text"] = "".join(w["text"] for w in item["words"])
            item["conf"] = min((w["conf"] for w in item["words"]), default=1.0)
        else:
            for row in item["rows"]:
                for cell in row:
                    _finish(cell)
    items.sort(key=lambda it: it["box"][1])
    return {"page": page, "size": [w, h], "scale": scale, "angle": angle, "items": items}


def _finish(part: dict) -> None:
    """Join a cell's (or line's) recognised lines: text and the lowest line confidence."""
    got = [t for t in part.pop("lines", []) if t and t[0]]
    part["text"] = "".join(t for t, _ in got).translate(_PUNCT)
    part["conf"] = min((c for _, c in got), default=0.0 if part.get("ink") else 1.0)


# ---------------------------------------------------------------- pages → Document


def read_pages(path: Path, sha: str, pages: Iterable[tuple[int, Callable[[], np.ndarray]]], reader: str,
               info: dict[int, dict], cache: OcrCache | None = None) -> list[dict]:
    """OCR each (page number, image loader) — or take its result from the cache — with a progress bar."""
    from tqdm import tqdm

    cache = cache or OcrCache()
    version = cache_version()
    out = []
    todo = list(pages)
    for number, load in tqdm(todo, desc=f"OCR {path.name}", unit="页", disable=None, leave=False):
        result = cache.get(sha, number, version)
        if result is None:
            try:
                result = ocr_page(load(), number)
            except UnreadableImageError as exc:
                raise UnreadableImageError(str(path), exc.reason) from None
            cache.put(sha, number, version, result)
        result["source"] = {"reader": reader, **info.get(number, {})}
        out.append(result)
    return out


def new_evidence() -> dict:
    """Empty OCR evidence: ``{"engine", "threshold", "pages": {...}, "cells": {source: {...}}}``."""
    return {"engine": engine_version(), "threshold": THRESHOLD, "pages": {}, "cells": {}}


def add_page(evidence: dict, res: dict) -> None:
    evidence["pages"][str(res["page"])] = {"size": res["size"], "scale": res["scale"], "angle": res["angle"],
                                           **res.get("source", {})}


def to_blocks(results: list[dict]) -> tuple[list[Block], dict]:
    """Blocks in reading order, and the evidence. Pages with ruled tables are read cell by cell; the
    others' words go, page after page, to the text-layer reader's word-position reconstruction (a table
    without rules, or running over pages)."""
    from .ocr_words import blocks_of, has_grid, page_points, word_lines

    blocks: list[Block] = []
    evidence = new_evidence()
    run: list[dict] = []
    offset = 0.0
    for res in results:
        add_page(evidence, res)
        if has_grid(res):
            blocks += blocks_of(run)
            run = []
            blocks += grid_blocks(res, evidence)
        else:
            run += word_lines(res, offset, evidence)
        offset += page_points(res)[1]
    blocks += blocks_of(run)
    return blocks, evidence


def grid_blocks(res: dict, evidence: dict) -> list[Block]:
    """A page with ruled tables: its tables cell by cell, its text lines joined into paragraphs."""
    blocks: list[Block] = []
    page = res["page"]
    para: list[dict] = []
    right = max((it["box"][2] for it in res["items"] if it["kind"] == "line"), default=0)
    line_no = table_no = 0
    for it in res["items"]:
        if it["kind"] == "line":
            line_no += 1
            it["source"] = f"page {page} line {line_no}"
            if not it["text"]:
                continue
            if para and (heading_number(it["text"]) or para[-1]["box"][2] < right - 0.06 * right):
                blocks.append(_paragraph(para))
                para = []
            para.append(it)
            continue
        if para:
            blocks.append(_paragraph(para))
            para = []
        table_no += 1
        blocks.extend(_table(it, page, table_no, evidence["cells"]))
    if para:
        blocks.append(_paragraph(para))
    return blocks


def _paragraph(lines: list[dict]) -> Block:
    return Block("text", (Cell("".join(ln["text"] for ln in lines), lines[0]["source"]),))


def _table(item: dict, page: int, table_no: int, cells_ev: dict) -> list[Block]:
    blocks = []
    for r, row in enumerate(item["rows"], start=1):
        out = []
        labelled = False
        for c, cell in enumerate(row, start=1):
            src = f"page {page} table {table_no} r{r}c{c}"
            if cell["cont"]:
                out.append(Cell("", src, merged=True))
                continue
            text, how = _read_cell(cell, labelled)
            labelled = labelled or bool(tpl.match_row(text) or tpl.match_group(text))
            value_cell = is_value(text) and text != ""
            uncertain = value_cell and (text == UNREADABLE or cell["conf"] < THRESHOLD)
            cells_ev[src] = {"page": page, "box": cell["box"], "text": cell["text"], "confidence": cell["conf"],
                             "uncertain": uncertain, **({"how": how} if how else {})}
            out.append(Cell(text, src))
        blocks.append(Block("row", tuple(out)))
    blocks.append(Block("end"))
    return blocks


def _read_cell(cell: dict, labelled: bool) -> tuple[str, str]:
    """The text a cell stands for, and how it was got when not as read (``digits``, ``label``, ``unread``)."""
    text = re.sub(r"\s+", "", cell["text"])
    if not text:
        return ("", "") if not cell.get("ink") else (UNREADABLE, "unread")
    if is_value(text):
        return text, ""
    if _DIGITISH.match(text):
        fixed = text.translate(_CONFUSED)
        if parse_cell(fixed).status == "number":
            return fixed, "digits"
    if tpl.match_row(text) or tpl.match_group(text) or tpl.header_template(text):
        return text, ""
    found = _fuzzy_label(text)
    if found:
        return found, "label"
    if labelled and (cell["conf"] < THRESHOLD or not re.search(r"[\u4e00-\u9fff]{2,}", text)):
        return UNREADABLE, "unread"  # right of a row label: a value cell read as something else
    return text, ""


def _label_choices() -> dict[str, str]:
    return {key(lab.text): lab.text for lab in tpl.labels() if lab.kind in ("row", "group")}


_CHOICES: dict[str, str] | None = None


def _fuzzy_label(text: str) -> str | None:
    """The template label ``text`` is an OCR slip of (rapidfuzz ratio ≥ 86 and clearly the best), or None."""
    found = fuzzy_label_score(text)
    return found[0] if found else None


def fuzzy_label_score(text: str) -> tuple[str, float] | None:
    """The template label ``text`` is an OCR slip of, with its score, or None (as :func:`_fuzzy_label`)."""
    global _CHOICES
    if _CHOICES is None:
        _CHOICES = _label_choices()
    k = key(text)
    if len(k) < 4:
        return None
    found = process.extract(k, list(_CHOICES), scorer=fuzz.ratio, limit=2)
    if not found or found[0][1] < _MIN_LABEL_SCORE:
        return None
    if len(found) > 1 and found[1][1] >= found[0][1] - 3 and _CHOICES[found[1][0]] != _CHOICES[found[0][0]]:
        return None  # two labels fit about as well: do not choose
    return _CHOICES[found[0][0]], float(found[0][1])


def document(path: Path, results: list[dict], reader: str, blocks: list[Block] | None = None,
             evidence: dict | None = None) -> Document:
    """The Document of OCR'd pages (``blocks`` and ``evidence`` when the caller read the pages itself, with
    others read otherwise); an error when nothing was read or no table of the template was found."""
    if blocks is None or evidence is None:
        ocr_blocks, evidence = to_blocks(results)
        blocks = ocr_blocks if blocks is None else blocks
    if not any(b.text.strip() for b in blocks):
        raise UnreadableImageError(str(path), "扫描页中未识别到任何文字（空白页，或不是文字图像）")
    if not any(tpl.match_row(c.text) for b in blocks for c in b.cells):
        raise NoTablesError(str(path), "OCR 未找到年报的表格（没有表二、表三、表四的任何行）")
    return Document(blocks, reader, notes=[f"经 OCR 识别 {len(results)} 页（{evidence['engine']}）"],
                    evidence=evidence)


# ---------------------------------------------------------------- evidence for the report


def ocr_meta(doc: Document, cells: list[dict]) -> tuple[dict, list[str]]:
    """``meta["ocr"]`` (the evidence) and a note for each table cell read below the threshold."""
    evidence = doc.evidence
    notes = []
    by_source = evidence.get("cells", {})
    for c in cells:
        ev = by_source.get(c["source"])
        if ev and ev.get("uncertain"):
            what = "无法识别" if ev.get("how") == "unread" else f"识别为“{c['raw']}”，置信度 {ev['confidence']:.2f}"
            notes.append(f"{tpl.TABLE_NAMES.get(c['table'], c['table'])}“{tpl.row_label(c['table'], c['row'])}”行"
                         f"“{tpl.col_label(c['table'], c['row'], c['col'])}”格 OCR {what}，"
                         f"请对照原图核对（{c['source']}）")
    return evidence, notes


def uncertain_cells(meta: dict) -> list[str]:
    """Sources of the cells read below the threshold (for the auditor's list)."""
    return [s for s, ev in (meta.get("ocr") or {}).get("cells", {}).items() if ev.get("uncertain")]


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
        from .pdf_scan import render_page

        return render_page(data, page["index"])
    from .image import load_frame

    if page["reader"] == "docx":
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as z:
            data = z.read(page["part"])
    return load_frame(path, data, page.get("frame", 0))
