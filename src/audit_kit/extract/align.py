"""Aligning printed runs of values with the template's rows by order, where labels and numbers stand apart."""

from __future__ import annotations

from functools import cache

from ..model import forms as tpl
from ..model.document import Cell
from .walker import RowRead


def _position(template: str, table: str, order: tuple[str, ...], row: RowRead, prev: float) -> float:
    """Where a row stands in the template's order; a group label just before its first row."""
    if row.code in order:
        return float(order.index(row.code))
    anchor = row.anchor or ("other" if row.code == "other" else None)  # 2021: （六）其他处理 is a group label
    if anchor not in (None, "orphan"):
        first = "granted" if row.anchor == "outcomes" else next(
            (c for c in order if c.startswith(f"{anchor}.")), None)
        if first is not None:
            return order.index(first) - 0.5
    return prev + 0.25


def _ncols(template: str, table: str, codes: list[str]) -> int:
    return sum(len(tpl.columns(template, table, c)) for c in codes)


@cache
def _order(template: str, table: str) -> tuple[tuple[str, ...], dict[str, int], dict[str | None, int]]:
    """The rows of a table in template order (2021: （六）其他处理 is a group label), their widths and ranks."""
    order = tuple(c for c in tpl.rows(template, table) if not (table == "t3" and c == "other" and template == "2021"))
    return order, {c: len(tpl.columns(template, table, c)) for c in order}, {c: i for i, c in enumerate(order)}


def _misplaced(r: RowRead, widths: dict[str, int]) -> bool:
    """Whether a printed run of values is not simply its own row's (a nameless run, too few or too many)."""
    if not r.values:
        return False
    if r.code in widths:
        return widths[r.code] != len(r.values)
    return not r.code or r.code == "other"


def align(template: str, table: str, seq: list[RowRead], notes: list[str]) -> list[RowRead]:
    """Align the printed runs of values with the template's rows, in order.

    A row whose values are exactly those of itself and its neighbours that printed no values of their own
    (labels standing together above their numbers, a label printed after its numbers), or of the rows next
    to it whose labels were lost, or a group label followed by the numbers of its unlabelled rows, is split
    in order. Each row so placed is marked ``how="order"`` and said in the notes. A run that fits no such
    reading is left as it is (the placing step says why it is not read)."""
    order, widths, rank = _order(template, table)
    last = len(order)
    if not any(_misplaced(r, widths) for r in seq):
        return sorted((r for r in seq if r.code), key=lambda r: rank.get(r.code, last))
    pos: list[float] = []
    prev = -1.0
    for r in seq:
        prev = _position(template, table, order, r, prev)
        pos.append(prev)
    labelled = {r.code for r in seq if r.code}
    out: list[RowRead] = []
    used: set[int] = set()
    for i, r in enumerate(seq):
        if i in used or not r.values:
            continue
        n = len(r.values)
        own = [r.code] if r.code and r.code in order else []
        if r.code and not own and r.code != "other":
            continue
        if own and n == _ncols(template, table, own):
            continue
        back: list[int] = []
        j = i - 1
        while own and j >= 0 and j not in used and seq[j].code in order and not seq[j].values:
            back.insert(0, j)
            j -= 1
        nxt = next((pos[k] for k in range(i + 1, len(seq))), len(order))
        lost = [c for c in order if pos[i] < order.index(c) < nxt and c not in labelled]
        after = []
        k = i + 1
        while k < len(seq) and seq[k].code in order and not seq[k].values:
            after.append(k)
            k += 1
        candidates = []
        for b in range(len(back), -1, -1):
            codes = [seq[x].code or "" for x in back[len(back) - b:]] + own  # codes in order: never None
            if b and n == _ncols(template, table, codes):
                candidates.append((back[len(back) - b:], codes))
        if lost and n == _ncols(template, table, own + lost):
            candidates.append(([], own + lost))
        for a in range(1, len(after) + 1):
            codes = own + [seq[x].code or "" for x in after[:a]]
            if n == _ncols(template, table, codes):
                candidates.append((after[:a], codes))
        if len(candidates) != 1:
            if not r.code:
                notes.append(f"{tpl.TABLE_NAMES[table]}中有 {n} 个没有行名的数值（{r.values[0].source} 起），"
                             "无法确定属于哪几行，未读取")
            continue
        taken, codes = candidates[0]
        used.update(taken)
        used.add(i)
        at = 0
        for code in codes:
            width = len(tpl.columns(template, table, code or ""))
            label = next((seq[x].label for x in [*taken, i] if seq[x].code == code), None)
            out.append(RowRead(table, code, label or Cell(tpl.row_label(table, code or ""), r.values[at].source),
                               r.values[at:at + width], r.block, r.ended, r.grid, r.gapped, how="order"))
            at += width
        names = "、".join(f"“{tpl.row_label(table, c or '')}”" for c in codes)
        notes.append(f"{tpl.TABLE_NAMES[table]}{names}的数值没有印在各自行名之后（{r.values[0].source} 起共 {n} 个），"
                     "按模板行的顺序逐行填入（推断）")
    for i, r in enumerate(seq):
        if i not in used and r.code:
            out.append(r)
    out.sort(key=lambda r: rank.get(r.code, last))
    return out
