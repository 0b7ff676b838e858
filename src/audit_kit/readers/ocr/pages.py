"""Scanned pages → the common :class:`~audit_kit.model.document.Document`, with OCR evidence for every cell.

A page is read in three steps: :mod:`.ocr_page` cleans it (seal, skew) and finds its ruled tables and
text lines; :mod:`.ocr_engine` recognises every cell line and text line in one batch; here the results
become table rows (one :class:`Cell` per ruled cell, source ``page 4 table 2 r5c2``) and paragraphs.

- Row labels are matched to the template's vocabulary with rapidfuzz, so an OCR slip does not lose a row;
  value cells get the usual letter/digit confusions undone (O→0, l→1) only when the whole cell is digits.
- Every table cell keeps its evidence — page, box (pixels of the deskewed page), text read, confidence —
  in ``Document.evidence``; :func:`ocr_meta` turns it into ``meta["ocr"]`` and notes for the cells read
  below :data:`THRESHOLD`. :func:`crop_png` gives the image of one cell for the auditor.
- :func:`ocr_page` is the unit of work (one page image → a JSON-able result): a batch spreading pages over
  workers calls it per page; results are cached by file sha256 (:mod:`audit_kit.readers.ocr.cache`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ...config import Config
from ...errors import FileTimeoutError, NoTablesError, UnreadableImageError
from ...model import forms as tpl
from ...model.document import Block, Cell, Document
from ...model.headings import heading_number
from ...model.numbers import is_value, parse_cell
from . import layout as op
from .cache import OcrCache
from .engine import OutOfTime, engine_version, recognizer
from .strings import CONFUSED, DIGITISH, PUNCT, THRESHOLD, UNREADABLE, fuzzy_label

VERSION = "p8"  # bump when the page pipeline changes: cached results of older versions are not used


def cache_version() -> str:
    return f"{VERSION}-{engine_version().replace(' ', '_')}"


# ---------------------------------------------------------------- one page


def ocr_page(rgb: np.ndarray, page: int, threads: int = 1, deadline: float | None = None) -> dict:
    """OCR one page image (RGB or grey array): its tables as rows of cells and its text lines, in reading
    order, with boxes and confidences. Raises :class:`UnreadableImageError` for an image too small to be
    a page, and :class:`OutOfTime` when ``deadline`` (``time.monotonic()``) passes: it is looked at between
    the page's steps and between batches of line images (``engine.Recognizer``)."""
    h, w = rgb.shape[:2]
    if min(h, w) < op.MIN_SIDE:
        raise UnreadableImageError("", f"第 {page} 页图像太小（{w}×{h} 像素），无法识别文字")
    _in_time(deadline)
    rgb, scale = op.normalise(rgb)
    gray, angle = op.prepare(rgb)
    _in_time(deadline)
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
    for (owner, i), (text, conf) in zip(owners, recognizer(threads)(crops, deadline), strict=True):
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


def _in_time(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime


def _finish(part: dict) -> None:
    """Join a cell's (or line's) recognised lines: text and the lowest line confidence."""
    got = [t for t in part.pop("lines", []) if t and t[0]]
    part["text"] = "".join(t for t, _ in got).translate(PUNCT)
    part["conf"] = min((c for _, c in got), default=0.0 if part.get("ink") else 1.0)


# ---------------------------------------------------------------- pages → Document


def read_pages(path: Path, sha: str, pages: Iterable[tuple[int, Callable[[], np.ndarray]]], reader: str,
               info: dict[int, dict], config: Config) -> list[dict]:
    """OCR each (page number, image loader) — or take its result from the cache of ``config`` — with a
    progress bar. A page not cached is read only before ``config.deadline`` (the file's time limit, set by a
    batch): past it, :class:`FileTimeoutError` says how many pages were read."""
    from tqdm import tqdm

    cache = OcrCache(config.ocr_cache)
    version = cache_version()
    out = []
    todo = list(pages)
    for number, load in tqdm(todo, desc=f"OCR {path.name}", unit="页", disable=None, leave=False):
        result = cache.get(sha, number, version)
        if result is None:
            try:
                _in_time(config.deadline)
                result = ocr_page(load(), number, config.ocr_threads, config.deadline)
            except UnreadableImageError as exc:
                raise UnreadableImageError(str(path), exc.reason) from exc
            except OutOfTime:
                raise FileTimeoutError.after(str(path), config.file_timeout,
                                             f"（OCR 识别到第 {number} 页时，共 {len(todo)} 页）") from None
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
    from .words import blocks_of, has_grid, page_points, word_lines

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
    if DIGITISH.match(text):
        fixed = text.translate(CONFUSED)
        if parse_cell(fixed).status == "number":
            return fixed, "digits"
    if tpl.match_row(text) or tpl.match_group(text) or tpl.header_template(text):
        return text, ""
    found = fuzzy_label(text)
    if found:
        return found, "label"
    if labelled and (cell["conf"] < THRESHOLD or not re.search(r"[\u4e00-\u9fff]{2,}", text)):
        return UNREADABLE, "unread"  # right of a row label: a value cell read as something else
    return text, ""


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

