"""Ruled tables in a PDF: each word put into the cell its table's rules draw (the ruled layout of docs/degraded-reading.md).

In a ruled table a wrapped label (``4.无正当理由大量反复`` / ``申请``) stands in a tall cell and its numbers,
vertically centred, land on another text line than the label's first; reading rows from word positions
then misses them. Where a page draws rules, pdfplumber's table finder gives the cells' boxes; every word
goes to the cell that holds its centre, a cell's lines are joined, and each table row becomes a ``row``
block as an HTML or Word table would (a merged cell once, an empty cell as printed: empty).

A row broken across pages (its box open at the page's foot and at the next page's head) is closed on both
pages and its two pieces joined cell by cell; pieces that do not match column for column are not read
here. Pages without rules, tables of one column (a ruled box around prose) and words outside any cell are
left to the word-position reading, and so is a row where a number shares its cell with other words (rules
missing between its cells: joining them would run the digits together).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...model.document import Block, Cell
from ...model.numbers import is_value

_LINE_TOLERANCE = 3.0
_EDGE_OBJECTS = ("rect", "line", "curve")
_SNAP = 1.5

Item = tuple[float, float, Block]  # (doctop, x0, block): the table part's items are sorted by position
Box = tuple[float, float, float, float]  # x0, top, x1, bottom (page coordinates)


@dataclass
class _Row:
    page: int
    top: float  # doctop
    bottom: float
    x0: float
    boxes: list[Box]  # the row's cells, left to right (a merged cell once)
    words: list[list[dict]]  # each cell's words
    cut: str = ""  # "foot": open at the page's foot; "head": comes in open at the page's head
    table_bottom: float | None = None  # doctop of the table's foot, on the table's last row
    joined: bool = False  # two pieces of a row broken across pages: its boxes are the first piece's only


def _rounded(box: Box) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = box
    return round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)


def ruled_items(pdf, lines: list[dict], start: int, end: int) -> list[Item]:
    """Rows of the ruled tables between ``lines[start]`` and ``lines[end]`` (exclusive), as positioned blocks.

    The words placed in a cell are marked ``w["ruled"] = True`` so the word-position reading skips them.
    """
    if start >= end:
        return []
    top, bottom = lines[start]["top"], lines[end]["top"] if end < len(lines) else float("inf")
    pages = {ln["page"]: ln["page_words"] for ln in lines}
    rows: list[_Row] = []
    for number in sorted({ln["page"] for ln in lines[start:end]}):
        page = pdf.pages[number - 1]
        if not any(page.objects.get(kind) for kind in _EDGE_OBJECTS):
            continue
        try:
            rows += _page_rows(page, pages[number])
        except Exception:  # a page whose drawing the finder cannot follow is read by word positions
            continue
    items: list[Item] = []
    for row in _join_broken(rows):
        if row.bottom <= top or row.top >= bottom:
            continue  # outside the table part (the caption's line starts it)
        if not any(row.words):
            continue  # a row printing nothing says nothing
        if any(len(ws) > 1 and any(is_value(w["text"]) for w in ws) for ws in row.words):
            continue  # a number sharing its cell: the rules do not part this row's cells (word positions do)
        row_src = next(ws[0]["source"] for ws in row.words if ws)
        cells = []
        for c, ws in enumerate(row.words):
            for w in ws:
                w["ruled"] = True
            box = None if row.joined or c >= len(row.boxes) else (row.page, *_rounded(row.boxes[c]))
            cells.append(Cell(cell_text(ws), ws[0]["source"] if ws else f"{row_src} cell {c + 1}", box=box))
        items.append((row.top, row.x0, Block("row", tuple(cells))))
        if row.table_bottom is not None:
            items.append((row.table_bottom, row.x0, Block("end")))
    return items


def _page_rows(page, words: list[dict]) -> list[_Row]:
    """The rows of a page's ruled tables of two columns or more, with their words."""
    closing, foot, head = _open_ends(page)
    settings = {"explicit_horizontal_lines": closing} if closing else {}
    offset = page.initial_doctop
    out: list[_Row] = []
    for table in page.find_tables(settings):
        grid = [[b for b in row.cells if b is not None] for row in table.rows]
        if max((len(r) for r in grid), default=0) < 2:
            continue  # one column: a ruled box around prose, not a data table
        where = {b: (r, c) for r, boxes in enumerate(grid) for c, b in enumerate(boxes)}
        inside: dict[tuple[int, int], list[dict]] = {}
        x0, t_top, x1, t_bottom = table.bbox
        for w in words:
            cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
            if x0 <= cx <= x1 and t_top <= cy <= t_bottom:
                box = next((b for b in where if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]), None)
                if box is not None:
                    inside.setdefault(where[box], []).append(w)
        rows = []
        for r, boxes in enumerate(grid):
            if not boxes:
                continue
            r_top, r_bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
            cut = ("foot" if foot is not None and abs(r_bottom - foot) <= _SNAP else
                   "head" if head is not None and abs(r_top - head) <= _SNAP else "")
            rows.append(_Row(page.page_number, r_top + offset, r_bottom + offset, x0, boxes,
                             [inside.get((r, c), []) for c in range(len(boxes))], cut))
        if rows:
            rows[-1].table_bottom = t_bottom + offset
            out += rows
    return out


def _open_ends(page) -> tuple[list[dict], float | None, float | None]:
    """Rules that close a table running off the page's foot, or coming in at its head, where no rule
    does: a row broken across pages. Returns those edges and the foot's and head's y (or None)."""
    edges = page.edges
    vertical = [e for e in edges if e["orientation"] == "v"]
    if not vertical:
        return [], None, None
    horizontal = [e for e in edges if e["orientation"] == "h" and e["x1"] - e["x0"] > 3]  # not a rule's end
    closing: list[dict] = []
    ends: dict[str, float | None] = {"bottom": None, "top": None}
    for side, y in (("bottom", max(e["bottom"] for e in vertical)), ("top", min(e["top"] for e in vertical))):
        at = [e for e in vertical if abs(e[side] - y) <= _SNAP]
        if len(at) < 2:
            continue
        x0, x1 = min(e["x0"] for e in at), max(e["x1"] for e in at)
        if any(abs(h["top"] - y) <= _SNAP and h["x0"] < x1 and h["x1"] > x0 for h in horizontal):
            continue  # the table is ruled shut there
        closing.append({"object_type": "page_edge", "orientation": "h", "x0": x0, "x1": x1, "width": x1 - x0,
                        "top": y, "bottom": y, "height": 0, "doctop": y + page.initial_doctop})
        ends[side] = y
    return closing, ends["bottom"], ends["top"]


def _join_broken(rows: list[_Row]) -> list[_Row]:
    """Join each row open at a page's foot with the row open at the next page's head, cell by cell, when
    their cells stand in the same columns; pieces without such a partner are left out."""
    out: list[_Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if row.cut == "foot":
            if nxt is not None and nxt.cut == "head" and nxt.page == row.page + 1 and _same_columns(row, nxt):
                words = [a + b for a, b in zip(row.words, nxt.words, strict=True)]
                out.append(_Row(row.page, row.top, nxt.bottom, row.x0, row.boxes, words,
                                table_bottom=nxt.table_bottom, joined=True))
                i += 2
                continue
            i += 1
            continue
        if row.cut != "head":
            out.append(row)
        i += 1
    return out


def _same_columns(a: _Row, b: _Row) -> bool:
    return len(a.boxes) == len(b.boxes) and all(
        abs(p[0] - q[0]) <= 2 and abs(p[2] - q[2]) <= 2 for p, q in zip(a.boxes, b.boxes, strict=True))


def cell_text(words: list[dict]) -> str:
    """A cell's words in reading order, lines joined without a space: a wrapped label is one label."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["doctop"], w["x0"])):
        if lines and abs(w["doctop"] - lines[-1][0]["doctop"]) <= _LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    return "".join(w["text"] for ln in lines for w in sorted(ln, key=lambda w: w["x0"]))
