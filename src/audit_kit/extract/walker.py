"""The walk over the token stream: each printed row with its label, the values that follow it and what ended
it; the 表二 blocks, the 表四 header and the section headings on the way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..model import forms as tpl
from ..model.document import Cell
from ..model.headings import heading_number
from ..model.numbers import is_value, parse_cell
from ..model.text import key, label_parts
from .tokens import Token, merge_interleaved, merge_split_label, t4_block

_CAPTION = re.compile(r"第二十条第\(([一二三四五六七八九十])\)项")

_CJK = re.compile(r"[\u4e00-\u9fff]{2,}")


How = Literal["label", "order", "identity"]  # by the row's label, by the template's order, by its identity
Ended = Literal["", "next", "row_end", "end", "cut", "text"]  # what closed a printed row


@dataclass(slots=True)
class RowRead:
    """One printed row: its label, the value cells that followed it, and what ended it."""

    table: str
    code: str | None
    label: Cell
    values: list[Cell] = field(default_factory=list)
    block: str | None = None
    ended: Ended = ""
    grid: bool = False
    gapped: bool = False
    anchor: str | None = None  # a nameless run of values: a group label ("deny") or "orphan"
    how: How = "label"  # how the values were put into this row
    runs: bool = False  # a value is the digits of several cells run together


class Walker:
    """Walks the token stream once and collects rows."""

    def __init__(self) -> None:
        self.rows: list[RowRead] = []
        self.extra: list[RowRead] = []
        self.open: RowRead | None = None
        self.block: str | None = None
        self.context: str | None = None  # t2 | t3 | t4 | None
        self.section: str | None = None
        self.block_templates: dict[str, str] = {}
        self.block_units: dict[str, str] = {}
        self.header_markers: dict[str, list[str]] = {"2019": [], "2021": []}
        self.pending_extra: Cell | None = None
        self.t4_done = False
        self.notes: list[str] = []
        self.seq: list[RowRead] = []  # every row of 表二/表三 in printed order, nameless runs of values too

    def close(self, reason: Ended) -> None:
        row = self.open
        self.open = None
        if row is None:
            return
        row.ended = reason
        if row.anchor is not None:  # a group label marks a place in the order even without numbers
            if (row.values or row.anchor != "orphan") and row.table in ("t2", "t3"):
                self.seq.append(row)
            return
        if row.code is None:
            if any(parse_cell(v.text).status == "number" for v in row.values):
                self.extra.append(row)
            return
        if row.table == "t4":
            if not row.values:
                return
            self.t4_done = row.code in ("row", "lit_after_review")
        else:
            self.seq.append(row)
        self.rows.append(row)

    def feed(self, toks: list[Token]) -> None:
        i = 0
        while i < len(toks):
            tok = toks[i]
            i += 1
            if tok.kind == "row_end":
                if self.open and (self.open.values or self.open.table != "t4"):
                    cut = i < len(toks) and toks[i].kind == "cut"
                    self.close("cut" if cut else "row_end")
                continue
            if tok.kind == "gap":
                if self.open is not None:
                    self.open.gapped = True
                continue
            if tok.kind in ("end", "cut"):
                self.close(tok.kind)
                continue
            text = tok.cell.text
            if is_value(text):
                waiting_t4 = self.open is not None and self.open.table == "t4" and not self.open.values
                if waiting_t4 and self.open is not None and self.open.code == "row" and not text.strip() and not tok.data_row:
                    continue  # empty header cells above the 表四 numbers
                if self.open is None and self.pending_extra is not None:
                    self.open = RowRead(self.context or "", None, self.pending_extra, block=self.block)
                    self.pending_extra = None
                if self.open is None and self.context in ("t2", "t3"):
                    if tok.grid and not text.strip() and tok.row and tok.cell is tok.row[0]:
                        continue  # the empty label cell of a row whose label stands elsewhere
                    self.open = RowRead(self.context, None, Cell("", tok.cell.source), block=self.block,
                                        anchor="orphan")
                if (self.open is not None and not self.open.values and tok.grid and not text.strip()
                        and tok.cell is tok.row[0] and self.open.label not in tok.row):
                    continue  # the empty label cell of a row of numbers whose label stands above it
                if self.open is not None:
                    self.open.runs = self.open.runs or tok.run
                    self.open.values.append(tok.cell)
                    self.open.grid = self.open.grid or tok.grid
                continue
            self.pending_extra = None
            lab = tpl.match_row(text)
            merged = None
            values: list = []  # the values a label merged from pieces brings with it
            if lab is None:
                merged = merge_split_label(toks, i - 1)
                if merged is None and self.context == "t3":  # group labels stand in 表三 only
                    inter = merge_interleaved(toks, i - 1)
                    if isinstance(inter, str):
                        self.notes.append(inter)
                    else:
                        merged = inter
                if merged:
                    cell, last, values = merged
                    i = last + 1
                    lab = tpl.match_row(cell.text)
                    tok = Token("cell", cell, tok.grid)
            if lab is not None:
                self.close("next")
                self.context = lab.table
                self.open = RowRead(lab.table, lab.code, tok.cell, block=self.block if lab.table == "t2" else None)
                if merged:
                    self.open.values.extend(v.cell for v in values)
                    self.open.grid = any(v.grid for v in values)
                continue
            self._structure(tok)

    def _structure(self, tok: Token) -> None:
        text = tok.cell.text
        k = key(text)
        group = tpl.match_group(text)
        if group:
            self.close("next")
            self.context = "t3"
            self.open = RowRead("t3", None, tok.cell, anchor=group.code)
            return
        m = _CAPTION.search(k)
        if m and len(k) <= 30:
            self.close("next")
            self.block, self.context = m.group(1), "t2"
            return
        num = heading_number(text) if len(text) <= 60 else None
        if num:
            self.close("next")
            self.section, self.context = num, None
            if not self.t4_done and "行政复议" in k:  # the 表四 numbers may follow a header that is garbled
                self.context = "t4"
                self.open = RowRead("t4", "row", tok.cell, how="order")
            return
        block = t4_block(k) if self.context == "t4" and not self.t4_done else None
        if block and self.open is not None and self.open.table == "t4" and self.open.values:
            if self.open.code == "row" and len(self.open.values) == 5:
                self.open.code = "review"  # 表四 printed as three small tables, each under its heading
            if self.open.code != "row":
                self.close("next")
                self.open = RowRead("t4", block, tok.cell)
                return
        if not self.t4_done and k == "尚未审结总计":  # a copy with separators removed: the 表四 header's end
            self.close("next")
            self.context = "t4"
            self.open = RowRead("t4", "row", tok.cell)
            return
        if not self.t4_done and "行政复议" in k and len(k) <= 20:
            self.close("next")
            self.context = "t4"
            self.open = RowRead("t4", "row", tok.cell)
            return
        if self.open is not None and self.open.table == "t4" and not self.open.values:
            return  # header words above the 表四 numbers
        if self.context == "t2" and self.block:
            found = tpl.header_template(text)
            if found:
                template, _col = found
                self.block_templates.setdefault(self.block, template)
                self.header_markers[template].append(text)
                if self.block == "九" and ("万元" in k or "元" in k):
                    self.block_units["九"] = "万元" if "万元" in k else "元"
        self.close("text")
        body = label_parts(text)[1]  # a row label may carry long fill-in notes in brackets
        if self.context in ("t2", "t3") and _CJK.search(body) and len(body) <= 30 and "。" not in body:
            self.pending_extra = tok.cell
