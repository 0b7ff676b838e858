"""The source beside a finding: the table with the finding's cells highlighted, the text lines around its
evidence ("第 5 页第 17 行"), and for a PDF a picture of the page region with the cells' boxes drawn on it.

The original is what the report was read from: the ``Report``'s own document when it was read now, else
the file at ``meta["source"]`` read again — only when its sha256 is the stored one, so the lines and boxes
shown are those of the very bytes the cells came from. A cell without a box (read by OCR, joined across
pages, split out of digits run together) gets no box: a box is never guessed. All HTML by render.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..model import forms as tpl
from ..model.document import Box, Document
from ..render import html as render
from ..render import places
from ..render.html import Html

CONTEXT = 2  # lines shown above and below each evidence line
MAX_LINES = 30  # lines shown at most (a grouped finding may cite a whole table)
MAX_PAGES = 3  # page pictures shown at most
_CELL_PART = re.compile(r" cell \d+")

CellKey = tuple[str, str, str]


@dataclass
class Source:
    """What the source view needs of a report's original: its lines, each cell's box, the PDF's bytes."""

    lines: list[tuple[str, str]] = field(default_factory=list)  # (text, source of the line)
    line_of: dict[str, int] = field(default_factory=dict)  # any cell's source → its line's index
    boxes: dict[CellKey, Box] = field(default_factory=dict)
    pdf: bytes | None = None
    why: str = ""  # why the original cannot be shown ("" when it can)


def _lines(doc: Document) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The document's lines as :meth:`Document.lines` makes them, and the line of every cell's source."""
    lines: list[tuple[str, str]] = []
    line_of: dict[str, int] = {}
    for b in doc.blocks:
        if b.kind not in ("text", "run", "row"):
            continue
        text = b.text if b.kind != "row" else " | ".join(c.text for c in b.cells)
        label = _CELL_PART.sub("", b.source) if b.kind == "row" else b.source
        if lines and lines[-1][1] == label and b.kind == "text":  # words of one printed line read apart
            lines[-1] = (f"{lines[-1][0]} {text}", label)
        else:
            lines.append((text, label))
        for c in b.cells:
            line_of.setdefault(c.source, len(lines) - 1)
    return lines, line_of


def load_source(report: Any) -> Source:
    """The original of ``report`` (see the module docstring); ``why`` says in Chinese when it cannot be had."""
    from .. import readers
    from ..errors import AuditKitError
    from ..extract.cells import extract

    meta = report.meta
    path = Path(str(meta.get("source") or ""))
    doc, cells = getattr(report, "document", None), None
    data: bytes | None = None
    if doc is not None and getattr(report, "extraction", None) is not None:
        cells = report.extraction.cells
    if doc is None:
        if (meta.get("ocr") or {}).get("cells"):
            return Source(why="扫描件：原图截图见上方证据，原文未重新识别")
        if not path.is_file():
            return Source(why=f"原文件不在原处（{path}），无法显示原文")
        try:
            doc, data = readers.read(path)
        except AuditKitError as exc:
            return Source(why=f"原文件无法重新读取：{exc}")
        if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            return Source(why=f"原文件（{path}）已改动，与报告库中的不同，不显示原文")
        cells = extract(doc).cells
    lines, line_of = _lines(doc)
    boxes = {(c["table"], c["row"], c["col"]): c["box"] for c in cells or [] if c.get("box")}
    if boxes and data is None:
        try:
            data = path.read_bytes()
        except OSError:
            data = None
        if data is not None and hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            data = None
    return Source(lines, line_of, boxes, data if boxes else None)


def own_cells(finding: Mapping[str, Any]) -> list[dict]:
    """The finding's evidence cells of this report (a prior year's cells carry ``report``), its own cell first."""
    items = finding.get("evidence")
    items = json.loads(items) if isinstance(items, str) else list(items or [])
    cells = [x for x in items if "table" in x and not x.get("report")]
    mine = (finding.get("table"), finding.get("row"), finding.get("col"))
    if mine[0] and mine[1] and mine[2] and not any((c["table"], c["row"], c["col"]) == mine for c in cells):
        cells.insert(0, {"table": mine[0], "row": mine[1], "col": mine[2]})
    return cells


def excerpt(source: Source, sources: list[str]) -> tuple[list[dict], int]:
    """The lines around the evidence lines: each {where, text, mark, gap}; and how many more were left out."""
    hits = sorted({source.line_of[s] for s in sources if s in source.line_of})
    shown = sorted({j for i in hits for j in range(max(0, i - CONTEXT), min(len(source.lines), i + CONTEXT + 1))})
    out, prev = [], None
    for j in shown[:MAX_LINES]:
        text, where = source.lines[j]
        out.append({"where": places.where(where), "text": text, "mark": j in hits, "gap": prev is not None and j != prev + 1})
        prev = j
    return out, max(0, len(shown) - MAX_LINES)


def page_images(source: Source, cells: list[dict]) -> tuple[list[dict], list[str]]:
    """PNG pictures (``data:`` URLs) of the page regions of the cells that have boxes, one per page; and
    notes for cells without a box or pages left out."""
    from ..readers.pdf.region import region_png

    notes: list[str] = []
    by_page: dict[int, list[tuple[float, float, float, float]]] = {}
    missing = 0
    for c in cells:
        box = source.boxes.get((c["table"], c["row"], c["col"]))
        if box is None:
            missing += 1
            continue
        by_page.setdefault(box[0], []).append(tuple(box[1:]))  # type: ignore[arg-type]
    if source.pdf is None or not by_page:
        return [], notes
    if missing:
        notes.append(f"{missing} 个单元格在原文中没有确定的位置（如跨页拼接或未读到），图中未画框")
    pages = sorted(by_page)
    if len(pages) > MAX_PAGES:
        notes.append(f"涉及 {len(pages)} 页，只显示前 {MAX_PAGES} 页")
    images = []
    for page in pages[:MAX_PAGES]:
        try:
            png = region_png(source.pdf, page, by_page[page])
        except ValueError as exc:
            notes.append(f"第 {page} 页无法显示（{exc}）")
            continue
        images.append({"page": page, "count": len(by_page[page]),
                       "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii")})
    return images, notes


def table_views(report: Any, finding: Mapping[str, Any], cells: list[dict]) -> list[Html]:
    """Each table the finding's cells are in, in the template's layout, those cells highlighted."""
    from . import tables

    if report is None or getattr(report, "cells", None) is None or report.cells.empty:
        return []
    one = {**dict(finding), "status": "fail", "evidence": cells}
    frame = pd.DataFrame([{k: one.get(k) for k in ("status", "table", "row", "col", "evidence")}])
    out = []
    for table in tpl.TABLES:
        if any(c["table"] == table for c in cells):
            out.append(Html(tables.styled(report, table, frame).to_html()))
    return out


def source_view(finding: Mapping[str, Any], report: Any, source: Source | None) -> Html:
    """The source beside one finding, as HTML (everything escaped; the tables by pandas' escaping Styler)."""
    cells = own_cells(finding)
    tables_html = table_views(report, finding, cells)
    lines: list[dict] = []
    more = 0
    images: list[dict] = []
    notes: list[str] = []
    if source is not None and not source.why:
        items = finding.get("evidence")
        items = json.loads(items) if isinstance(items, str) else list(items or [])
        sources = [c["source"] for c in cells if c.get("source")] + [
            s["source"] for s in items if "table" not in s and s.get("source")]
        lines, more = excerpt(source, sources)
        images, notes = page_images(source, cells)
    elif source is not None:
        notes.append(source.why)
    return render.render("source_view", tables=tables_html, lines=lines, more=more, images=images, notes=notes)
