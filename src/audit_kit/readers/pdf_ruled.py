"""Ruled tables in a PDF: each word put into the cell its table's rules draw (issue 13, layout 5).

In a ruled table a wrapped label (``4.无正当理由大量反复`` / ``申请``) stands in a tall cell and its numbers,
vertically centred, land on another text line than the label's first; reading rows from word positions
then misses them. Where a page draws rules, pdfplumber's table finder gives the cells' boxes; every word
goes to the cell that holds its centre, a cell's lines are joined, and each table row becomes a ``row``
block as an HTML or Word table would (a merged cell once, an empty cell as printed: empty). Pages without
rules, tables of one column (a ruled box around prose) and words outside any cell are left to the
word-position reading, and so is a row where a number shares its cell with other words (rules missing
between its cells: joining them would run the digits together).
"""

from __future__ import annotations

from ..document import Block, Cell
from ..numbers import is_value

_LINE_TOLERANCE = 3.0
_EDGE_OBJECTS = ("rect", "line", "curve")

Item = tuple[float, float, Block]  # (doctop, x0, block): the table part's items are sorted by position


def ruled_items(pdf, lines: list[dict], start: int, end: int) -> list[Item]:
    """Rows of the ruled tables between ``lines[start]`` and ``lines[end]`` (exclusive), as positioned blocks.

    The words placed in a cell are marked ``w["ruled"] = True`` so the word-position reading skips them.
    """
    if start >= end:
        return []
    top, bottom = lines[start]["top"], lines[end]["top"] if end < len(lines) else float("inf")
    pages = {ln["page"]: ln["page_words"] for ln in lines}
    span_pages = {ln["page"] for ln in lines[start:end]}
    items: list[Item] = []
    for number in sorted(span_pages):
        page = pdf.pages[number - 1]
        if not any(page.objects.get(kind) for kind in _EDGE_OBJECTS):
            continue
        try:
            tables = page.find_tables()
        except Exception:  # a page whose drawing the finder cannot follow is read by word positions
            continue
        for table in tables:
            items += _table_items(table, pages[number], page.initial_doctop, top, bottom)
    return items


def _table_items(table, words: list[dict], offset: float, top: float, bottom: float) -> list[Item]:
    rows = [row.cells for row in table.rows]
    if max((sum(c is not None for c in r) for r in rows), default=0) < 2:
        return []  # one column: a ruled box around prose, not a data table
    where_of = {bbox: (r, c) for r, cells in enumerate(rows) for c, bbox in enumerate(cells) if bbox is not None}
    boxes = list(where_of)
    x0, t_top, x1, t_bottom = table.bbox
    inside: dict[tuple[int, int], list[dict]] = {}
    for w in words:
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        if not (x0 <= cx <= x1 and t_top <= cy <= t_bottom):
            continue
        box = next((b for b in boxes if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]), None)
        if box is not None:
            inside.setdefault(where_of[box], []).append(w)
    items: list[Item] = []
    for r, cells in enumerate(rows):
        y = next(b[1] for b in cells if b is not None) + offset
        low = max(b[3] for b in cells if b is not None) + offset
        if low <= top or y >= bottom:
            continue  # the row lies outside the table part (the caption line starts it)
        placed = [(c, inside.get((r, c), [])) for c, bbox in enumerate(cells) if bbox is not None]
        if not any(ws for _, ws in placed):
            continue  # a row printing nothing says nothing
        if any(len(ws) > 1 and any(is_value(w["text"]) for w in ws) for _, ws in placed):
            continue  # a number sharing its cell: the rules do not part this row's cells (word positions do)
        row_src = next(ws[0]["source"] for _, ws in placed if ws)
        out = []
        for c, ws in placed:
            for w in ws:
                w["ruled"] = True
            src = ws[0]["source"] if ws else f"{row_src} cell {c + 1}"
            out.append(Cell(cell_text(ws), src))
        items.append((y, x0, Block("row", tuple(out))))
    if items:
        items.append((t_bottom + offset, x0, Block("end")))
    return items


def cell_text(words: list[dict]) -> str:
    """A cell's words in reading order, lines joined without a space: a wrapped label is one label."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(w["top"] - lines[-1][0]["top"]) <= _LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    return "".join(w["text"] for ln in lines for w in sorted(ln, key=lambda w: w["x0"]))
