"""One extractor for every format: finds the template's row labels in a document's block stream and
reads the values that belong to each row, driven by the templates as data.

It never guesses: a row whose values cannot be placed is left out and said in the notes. Rows are
placed by grid where the reader knows it (a table row), by count and order where it does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from . import templates as tpl
from .document import Cell, Document
from .normalize import key, label_parts
from .numbers import digit_splits, is_value, parse_cell
from .sections import heading_number

_CAPTION = re.compile(r"第二十条第\(([一二三四五六七八九十])\)项")
_CJK = re.compile(r"[\u4e00-\u9fff]{2,}")


_NO_CELL = Cell("", "")


@dataclass(slots=True)
class _Tok:
    kind: str  # cell | row_end | end | cut | gap
    cell: Cell = _NO_CELL
    grid: bool = False
    row: tuple[Cell, ...] = ()  # the cells of the table row this cell stands in
    run: bool = False  # the digits of several cells run together

    @property
    def data_row(self) -> bool:
        """Whether this cell stands in a table row whose cells are all values."""
        return bool(self.row) and all(is_value(c.text) for c in self.row)


@dataclass(slots=True)
class RowRead:
    """One printed row: its label, the value cells that followed it, and what ended it."""

    table: str
    code: str | None
    label: Cell
    values: list[Cell] = field(default_factory=list)
    block: str | None = None
    ended: str = ""
    grid: bool = False
    gapped: bool = False
    anchor: str | None = None  # a nameless run of values: a group label ("deny") or "orphan"
    how: str = "label"  # label | order | identity: how the values were put into this row
    runs: bool = False  # a value is the digits of several cells run together


@dataclass(slots=True)
class Extraction:
    cells: list[dict]
    template: str | None
    notes: list[str]
    rows: list[RowRead]
    extra_rows: list[RowRead]
    block_templates: dict[str, str]
    markers: dict[str, list[str]]


def _tokens(doc: Document) -> list[_Tok]:
    out: list[_Tok] = []
    for b in doc.blocks:
        if b.kind == "row":
            out.extend(_Tok("cell", c, True, b.cells) for c in b.cells)
            out.append(_Tok("row_end"))
        elif b.kind == "text":
            out.append(_Tok("cell", b.cells[0], False))
        elif b.kind == "run":
            out.append(_Tok("cell", b.cells[0], False, run=True))
        else:
            out.append(_Tok(b.kind))
    return out


def _merge_split_label(toks: list[_Tok], i: int) -> tuple[Cell, int, list[_Tok]] | None:
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


def _merge_interleaved(toks: list[_Tok], i: int) -> tuple[Cell, int, list[_Tok]] | str | None:
    """A group label and the row label beside it wrapped into each other across lines, as markdown
    converters print a tall group cell next to a wrapped row label ("（四）无2.没有现成信息需要另" /
    "法提供行制作"), or printed whole on one line ("（三）不予公开1.属于国家秘密").

    The first line is a leading piece of a group label (its enumerator at least) followed by a row number;
    each next line starts with the group label's next piece. Read only when exactly one way of cutting the
    lines makes up the whole group label and a whole row label of that group; returns the row label, the index of its last
    piece and the values skipped on the way (as :func:`_merge_split_label`), or a note why not, or None
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
    values: list[_Tok] = []
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


def _t4_block(k: str) -> str | None:
    """The 表四 block a heading names, where 表四 is printed as three small tables."""
    if "未经复议直接起诉" in k and len(k) <= 20:
        return "lit_direct"
    if "复议后起诉" in k and len(k) <= 12:
        return "lit_after_review"
    return None


class _Walker:
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

    def close(self, reason: str) -> None:
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

    def feed(self, toks: list[_Tok]) -> None:
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
                merged = _merge_split_label(toks, i - 1)
                if merged is None and self.context == "t3":  # group labels stand in 表三 only
                    inter = _merge_interleaved(toks, i - 1)
                    if isinstance(inter, str):
                        self.notes.append(inter)
                    else:
                        merged = inter
                if merged:
                    cell, last, values = merged
                    i = last + 1
                    lab = tpl.match_row(cell.text)
                    tok = _Tok("cell", cell, tok.grid)
            if lab is not None:
                self.close("next")
                self.context = lab.table
                self.open = RowRead(lab.table, lab.code, tok.cell, block=self.block if lab.table == "t2" else None)
                if merged:
                    self.open.values.extend(v.cell for v in values)
                    self.open.grid = any(v.grid for v in values)
                continue
            self._structure(tok)

    def _structure(self, tok: _Tok) -> None:
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
        block = _t4_block(k) if self.context == "t4" and not self.t4_done else None
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


def detect_template(rows: list[RowRead], header_markers: dict[str, list[str]]) -> tuple[str | None, dict]:
    """2019, 2021, mixed or None from the table labels (format-spec §6)."""
    markers: dict[str, list[str]] = {"2019": list(header_markers["2019"]), "2021": list(header_markers["2021"])}
    for r in rows:
        # a 2019 （六）其他处理 row has 7 values; 21 are the three 2021 rows under it, their labels lost
        printed = any(parse_cell(v.text).status == "number" for v in r.values) and len(r.values) <= 7
        if r.code in ("other_services", "procurement") or (r.code == "other" and printed):
            markers["2019"].append(r.label.text)
        elif r.code and r.code.startswith("other."):
            markers["2021"].append(r.label.text)
    has19, has21 = bool(markers["2019"]), bool(markers["2021"])
    template = "mixed" if has19 and has21 else "2019" if has19 else "2021" if has21 else None
    return template, markers


def _row_template(row: RowRead, template: str | None, block_templates: dict[str, str]) -> str | None:
    owners = [t for t in tpl.TEMPLATES if tpl.columns(t, row.table, row.code or "")]
    if not owners:
        return None
    if row.table == "t2":
        for cand in (block_templates.get(row.block or ""), template):
            if cand in owners:
                return cand
        return owners[0] if len(owners) == 1 else None
    if template in owners:
        return template
    return owners[-1]


def _place(row: RowRead, ncols: int) -> tuple[list[Cell | None] | None, str | None]:
    """Decide which value goes in which column; None and a note when that cannot be told."""
    vals = row.values
    n = len(vals)
    # 表四 under a header that could not be read has no label at all: only a full row of numbers is placed
    if row.code == "row" and row.how == "order" and (n != ncols or any(parse_cell(v.text).status == "text" for v in vals)):
        return None, (f"表四（{row.label.source} 起）表头无法识别，其后印有 {n} 个值（应为 {ncols} 个数字），"
                      "无法确定各值所在的列，未读取" if n else None)
    if n == ncols:
        return list(vals), None
    label = tpl.row_label(row.table, row.code or "") if row.table != "t4" else "表四"
    where = f"{tpl.TABLE_NAMES.get(row.table, row.table)}“{label}”行（{row.label.source}）"
    blank = [parse_cell(v.text).status == "blank" for v in vals]
    if n > ncols:
        if all(blank[ncols:]):
            return list(vals[:ncols]), None
        if row.grid and all(blank[: n - ncols]):
            return list(vals[n - ncols :]), None
        return None, f"{where}有 {n} 个值，多于 {ncols} 列，无法确定对应关系，未读取"
    if row.ended == "cut":
        note = f"{where}在第 {n} 格后截断，其后 {ncols - n} 格未读到" if n else None
        return list(vals) + [None] * (ncols - n), note
    if n == 0:  # no value printed after the label: unread (blank is only what the report prints empty)
        return None, None
    if not row.grid and not row.gapped:
        return list(vals) + [None] * (ncols - n), (
            f"{where}只印了 {n} 个值（应有 {ncols} 个），按从左到右的顺序填入，其余视为未读到")
    return None, f"{where}只印了 {n} 个值（应有 {ncols} 个），其余为空格或合并格，无法确定各值所在的列，未读取"


def _identity(table: str, targets: list[tuple[str, str]]):
    """The row's own identity over its values in printed order, or None: 表三 总计 = six applicants,
    表四 each block's 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    cols = [c for _, c in targets]
    if table == "t3" and tuple(cols) == tpl.table_columns("2021", "t3"):  # the six applicants and 总计
        return lambda v: sum(v[:6]) == v[6]
    if table == "t4" and len(cols) in (5, 15):
        return lambda v: all(sum(v[i:i + 4]) == v[i + 4] for i in range(0, len(v), 5))
    return None


def _split_run(row: RowRead, targets: list[tuple[str, str]]) -> tuple[list[Cell] | None, str, str | None]:
    """Cut the digits of a row printed without separators ("规章000") into its cells where only one
    cut is possible, or only one satisfies the row's own identity (then ``how`` is "identity")."""
    label = tpl.row_label(row.table, row.code or "") if row.code != "row" else "表四"
    where = f"{tpl.TABLE_NAMES[row.table]}“{label}”行（{row.label.source}）的数字连在一起印出"
    n = len(targets)
    if len(row.values) != 1:
        return None, "label", f"{where}，又混有其他数值，无法拆分，未读取"
    run, src = row.values[0].text, row.values[0].source
    if n == 1:
        return [row.values[0]], "label", None
    splits = digit_splits(run, n)
    if splits is None:
        return None, "label", f"{where}（“{run}”），拆法过多，无法确定各格，未读取"
    if not splits:
        return None, "label", f"{where}（“{run}”），位数不足 {n} 格（可能省去了空格），未读取"
    ident = _identity(row.table, targets)
    if len(splits) == 1:
        if ident and not ident(splits[0]):
            return None, "label", (f"{where}（“{run}”），唯一的拆法与本行总计不符（可能省去了空格），未读取")
        return [Cell(str(v), src) for v in splits[0]], "label", None
    fits = [s for s in splits if ident and ident(s)]
    if len(fits) == 1:
        return [Cell(str(v), src) for v in fits[0]], "identity", (
            f"{where}（“{run}”），{len(splits)} 种拆法中只有一种满足本行总计，按此填入（推断，"
            "该行总计的勾稽因此无法验证）")
    return None, "label", f"{where}（“{run}”），有 {len(splits)} 种拆法，无法确定各格，未读取"


@cache
def _targets(template: str, table: str, code: str) -> tuple[tuple[str, str, str], ...]:
    """The (row, column, kind) cells a row's values go into, in printed order; a "row" of 表四 is all 15."""
    if table == "t4":
        pairs = [(r, c) for r, c in tpl.t4_cells(template) if code in ("row", r)]
    else:
        pairs = [(code, col) for col in tpl.columns(template, table, code)]
    return tuple((r, c, getattr(tpl.spec(template, table, r, c), "kind", "")) for r, c in pairs)


def extract(doc: Document) -> Extraction:
    walker = _Walker()
    walker.feed(_tokens(doc))
    walker.close("end")
    template, markers = detect_template(walker.rows, walker.header_markers)
    notes: list[str] = list(walker.notes)
    rows = walker.rows
    if template in tpl.TEMPLATES:
        rows = [r for r in rows if r.table == "t4"]
        for table in ("t2", "t3"):
            rows += align(template, table, [r for r in walker.seq if r.table == table], notes)
    cells: dict[tuple[str, str, str], dict] = {}
    printed: dict[tuple[str, str, str], int] = {}  # how many values the row a cell came from printed
    unread: dict[str, list[RowRead]] = {}
    placed: Sequence[Cell | None] | None
    for row in rows:
        row_tpl = _row_template(row, template, walker.block_templates)
        if row.table == "t4":
            row_tpl = template if template in tpl.TEMPLATES else "2021"
        if row_tpl is None:
            notes.append(f"{tpl.TABLE_NAMES[row.table]}“{row.label.text}”行无法判断模板版本，列无法确定，未读取")
            continue
        targets = _targets(row_tpl, row.table, row.code or "")
        if row.runs:
            placed, row.how, note = _split_run(row, [(code, col) for code, col, _ in targets])
        else:
            placed, note = _place(row, len(targets))
        if note:
            notes.append(note)
        if placed is None:
            if not row.values and row.code != "other":
                unread.setdefault(row.table, []).append(row)
            continue
        if row.how == "order" and row.table == "t4":
            notes.append(f"表四表头无法识别（{row.label.source}），按 {len(targets)} 个数值的顺序填入")
        for (code, col, kind), cell in zip(targets, placed, strict=True):
            if cell is None:
                continue
            if cell.merged:
                notes.append(f"{tpl.TABLE_NAMES[row.table]}“{tpl.row_label(row.table, code)}”行"
                             f"“{tpl.col_label(row.table, code, col)}”格与上一行合并（{cell.source}），未单独读取")
                continue
            k = (row.table, code, col)
            if k in cells:
                if cells[k]["raw"] == cell.text.strip():
                    continue
                fuller = len(row.values) > printed[k]  # a row printed in full beats a partial one, cell by cell
                notes.append(f"{tpl.TABLE_NAMES[row.table]}“{tpl.row_label(row.table, code)}”行重复出现"
                             f"（{cell.source}），" + ("取印全的一次" if fuller else "取第一次出现的值"))
                if not fuller:
                    continue
            printed[k] = len(row.values)
            value = parse_cell(cell.text)
            unit = value.unit
            if kind == "money_wan":
                unit = unit or "万元"
            elif kind == "money_as_written":
                unit = unit or walker.block_units.get("九", "")
            else:
                unit = ""
            cells[k] = {"table": row.table, "row": code, "col": col, "value": value.value,
                        "raw": cell.text.strip(), "status": value.status, "unit": unit, "source": cell.source,
                        "how": row.how, "box": cell.box}  # box: not a column (the source view's, PDFs only)
    for table, empty in unread.items():
        names = "、".join(f"“{tpl.row_label(table, r.code or '')}”（{r.label.source}）" for r in empty[:5])
        more = f"等 {len(empty)} 行" if len(empty) > 5 else ""
        notes.append(f"{tpl.TABLE_NAMES[table]}{names}{more}只印了行名，没有找到数值（未填写，或数值印在别处），"
                     "未读取，不作空白格")
    notes.extend(_coverage_notes(rows, template))
    for extra in walker.extra:
        notes.append(f"{tpl.TABLE_NAMES.get(extra.table, '表格')}中有模板之外的行“{extra.label.text}”"
                     f"（{extra.label.source}）")
    return Extraction(list(cells.values()), template, notes, rows, walker.extra, walker.block_templates,
                      markers)


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
    """Align the printed runs of values with the template's rows, in order (issue 13).

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


def layout(ex: Extraction) -> dict:
    """What the checks need to know of the printed layout, as plain data (kept in ``meta["layout"]``)."""
    return {
        "rows": [{"table": r.table, "row": r.code, "source": r.label.source,
                  "numbers": sum(parse_cell(v.text).status == "number" for v in r.values)} for r in ex.rows],
        "extra_rows": [{"table": r.table, "label": r.label.text, "source": r.label.source} for r in ex.extra_rows],
        "block_templates": dict(ex.block_templates),
        "markers": {t: list(dict.fromkeys(m)) for t, m in ex.markers.items()},
    }


def _coverage_notes(rows: list[RowRead], template: str | None) -> list[str]:
    """Say which rows of each table were not read (where it stops), and which tables are absent."""
    notes = []
    ref = template if template in tpl.TEMPLATES else "2021"
    for table in tpl.TABLES:
        seen = [r for r in rows if r.table == table]
        name = tpl.TABLE_NAMES[table]
        if not seen:
            notes.append(f"未找到{name}")
            continue
        if table == "t4":
            continue
        expected = [c for c in tpl.rows(ref, table) if not (c == "other" and ref == "2021")]
        codes = {r.code for r in seen}
        missing = [c for c in expected if c not in codes]
        if missing:
            last = seen[-1]
            first = tpl.row_label(table, missing[0])
            notes.append(f"{name}不完整：读到 {len(expected) - len(missing)}/{len(expected)} 行，"
                         f"最后一行为“{tpl.row_label(table, last.code or '')}”（{last.label.source}），"
                         f"缺少“{first}”等 {len(missing)} 行")
    return notes
