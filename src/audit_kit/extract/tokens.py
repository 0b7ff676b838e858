"""The extractor's token stream: a document's blocks as cells and row ends, and the row labels printed over
several cells or lines joined again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ..model import forms as tpl
from ..model.document import Cell, Document
from ..model.numbers import is_value
from ..model.text import key, label_parts

_NO_CELL = Cell("", "")


TokenKind = Literal["cell", "row_end", "end", "cut", "gap"]


@dataclass(slots=True)
class Token:
    kind: TokenKind
    cell: Cell = _NO_CELL
    grid: bool = False
    row: tuple[Cell, ...] = ()  # the cells of the table row this cell stands in
    run: bool = False  # the digits of several cells run together

    @property
    def data_row(self) -> bool:
        """Whether this cell stands in a table row whose cells are all values."""
        return bool(self.row) and all(is_value(c.text) for c in self.row)


def tokens(doc: Document) -> list[Token]:
    out: list[Token] = []
    for b in doc.blocks:
        if b.kind == "row":
            out.extend(Token("cell", c, True, b.cells) for c in b.cells)
            out.append(Token("row_end"))
        elif b.kind == "text":
            out.append(Token("cell", b.cells[0], False))
        elif b.kind == "run":
            out.append(Token("cell", b.cells[0], False, run=True))
        else:
            out.append(Token(b.kind))
    return out


def merge_split_label(toks: list[Token], i: int) -> tuple[Cell, int, list[Token]] | None:
    """A row label printed over several cells or lines ("5.要求行政机关确认或重新出" / "具已获取信息").

    In a PDF the row's numbers stand on the middle line, between the pieces of its label: they are
    skipped while joining and returned, to be read as the row's values.
    """
    _, body = label_parts(toks[i].cell.text)
    if body not in tpl.label_prefixes():
        return None
    text, pieces, values = toks[i].cell.text, 1, []
    for j in range(i + 1, min(i + 20, len(toks))):
        t = toks[j]
        if t.kind == "row_end":
            continue
        if t.kind != "cell":
            return None
        if is_value(t.cell.text):
            values.append(t)
            continue
        if tpl.match_row(t.cell.text) or pieces >= 4:
            return None
        text, pieces = text + t.cell.text, pieces + 1
        if tpl.match_row(text):
            return Cell(text, toks[i].cell.source), j, values
    return None


_DIGIT = re.compile(r"\d")

_INTERLEAVED = re.compile(r"(\D{1,12}?)(\d{1,2}[.、．])")


@cache
def _group_keys() -> tuple[tuple[str, str], ...]:
    """(comparison key, code) of each 表三 group label whose rows are numbered under it (（三）不予公开 …)."""
    return tuple((key(lab.text), lab.code) for lab in tpl.labels()
                 if lab.kind == "group" and lab.table == "t3" and lab.code != "outcomes")


def merge_interleaved(toks: list[Token], i: int) -> tuple[Cell, int, list[Token]] | str | None:
    """A group label and the row label beside it wrapped into each other across lines, as markdown
    converters print a tall group cell next to a wrapped row label ("（四）无2.没有现成信息需要另" /
    "法提供行制作"), or printed whole on one line ("（三）不予公开1.属于国家秘密").

    The first line is a leading piece of a group label (its enumerator at least) followed by a row number;
    each next line starts with the group label's next piece. Read only when exactly one way of cutting the
    lines makes up the whole group label and a whole row label of that group; returns the row label, the index of its last
    piece and the values skipped on the way (as :func:`merge_split_label`), or a note why not, or None
    when the line is no such start."""
    text = toks[i].cell.text
    if len(text) > 80 or not _DIGIT.search(text):
        return None
    k = key(text)
    m = _INTERLEAVED.match(k)
    if m is None:
        return None
    head, rest = m.group(1), k[m.start(2):]
    states = [(g[len(head):], rest, code) for g, code in _group_keys() if g.startswith(head) and len(head) >= 3]
    if not states:
        return None
    values: list[Token] = []
    j = i
    while True:
        done = {}
        for g, r, code in states:
            lab = None if g else tpl.match_row(r)
            if lab is not None and lab.table == "t3" and lab.code.startswith(code + "."):
                done[lab.code] = r
        if len(done) == 1:
            return Cell(next(iter(done.values())), toks[i].cell.source), j, values
        if done or len(states) > 50:
            break
        j += 1
        while j < min(i + 20, len(toks)) and (toks[j].kind == "row_end" or (
                toks[j].kind == "cell" and is_value(toks[j].cell.text))):
            if toks[j].kind == "cell":
                values.append(toks[j])
            j += 1
        if j >= min(i + 20, len(toks)) or toks[j].kind != "cell" or tpl.match_row(toks[j].cell.text):
            break
        piece = key(toks[j].cell.text)
        states = [(g[n:], r + piece[n:], code) for g, r, code in states
                  for n in range(min(len(g), len(piece)) + 1) if piece[:n] == g[:n]]
    return (f"表三“{text.strip()}”（{toks[i].cell.source}）像是组名与行名折行交错，"
            "无法拼出完整的组名和该组的一个行名，未读取")


def t4_block(k: str) -> str | None:
    """The 表四 block a heading names, where 表四 is printed as three small tables."""
    if "未经复议直接起诉" in k and len(k) <= 20:
        return "lit_direct"
    if "复议后起诉" in k and len(k) <= 12:
        return "lit_after_review"
    return None
