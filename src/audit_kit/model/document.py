"""The one intermediate every reader produces: an ordered list of blocks with their sources.

A block is a run of prose or a cell whose grid is unknown (``text``), a table row whose cells are known
(``row``), the digits of several cells run together (``run``: "000" for three cells), or a
marker: ``end`` (a table ended), ``cut`` (the input stops here: a page cut short) and
``gap`` (an unknown number of empty cells collapsed into one mark, as mirror sites print "|||||").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["text", "row", "run", "end", "cut", "gap"]
Box = tuple[int, float, float, float, float]  # page (1-based), x0, top, x1, bottom in PDF points from the page's top


@dataclass(frozen=True, slots=True)
class Cell:
    """A piece of text as printed, and where it was read (``line 12``, ``table 2 row 3 cell 4``…)."""

    text: str
    source: str
    merged: bool = False  # the continuation of a cell merged with the one above: no value of its own
    box: Box | None = field(default=None, compare=False)  # a PDF text layer: where on the page it stands


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    cells: tuple[Cell, ...] = ()

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.cells)

    @property
    def source(self) -> str:
        return self.cells[0].source if self.cells else ""


@dataclass
class Document:
    """What a reader returns. ``hints`` carries metadata the container knows (an HTML page's 发布日期)."""

    blocks: list[Block]
    reader: str
    notes: list[str] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)  # OCR: pages and per-cell evidence (readers/ocr.py)
    _lines: list[tuple[str, str]] | None = field(default=None, init=False, repr=False, compare=False)

    def lines(self) -> list[tuple[str, str]]:
        """The text as (line, source) pairs in reading order: prose blocks, and table rows joined."""
        if self._lines is None:
            self._lines = self._make_lines()
        return self._lines

    def _make_lines(self) -> list[tuple[str, str]]:
        out = []
        for b in self.blocks:
            if b.kind in ("text", "run"):
                out.append((b.text, b.source))
            elif b.kind == "row":
                out.append((" | ".join(c.text for c in b.cells), b.source))
        return out
