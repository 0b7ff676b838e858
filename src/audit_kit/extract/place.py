"""Placing a printed row's values into the template's cells: which template a row follows, which value goes
in which column, and the digits of a row printed without separators cut where only one cut is possible."""

from __future__ import annotations

from functools import cache

from ..model import forms as tpl
from ..model.document import Cell
from ..model.numbers import digit_splits, parse_cell
from .walker import How, RowRead


def detect_template(rows: list[RowRead], header_markers: dict[str, list[str]]) -> tuple[str | None, dict]:
    """2019, 2021, mixed or None from the table labels (docs/format.md §5)."""
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


def row_template(row: RowRead, template: str | None, block_templates: dict[str, str]) -> str | None:
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


def place_values(row: RowRead, ncols: int) -> tuple[list[Cell | None] | None, str | None]:
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


def split_run(row: RowRead, targets: list[tuple[str, str]]) -> tuple[list[Cell] | None, How, str | None]:
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
def row_targets(template: str, table: str, code: str) -> tuple[tuple[str, str, str], ...]:
    """The (row, column, kind) cells a row's values go into, in printed order; a "row" of 表四 is all 15."""
    if table == "t4":
        pairs = [(r, c) for r, c in tpl.t4_cells(template) if code in ("row", r)]
    else:
        pairs = [(code, col) for col in tpl.columns(template, table, code)]
    return tuple((r, c, getattr(tpl.spec(template, table, r, c), "kind", "")) for r, c in pairs)
