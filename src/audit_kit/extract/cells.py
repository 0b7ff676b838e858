"""One extractor for every format: finds the template's row labels in a document's block stream and
reads the values that belong to each row, driven by the templates as data.

It never guesses: a row whose values cannot be placed is left out and said in the notes. Rows are
placed by grid where the reader knows it (a table row), by count and order where it does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model import forms as tpl
from ..model.document import Cell, Document
from ..model.numbers import footnote, parse_cell
from .align import align
from .place import detect_template, place_values, row_targets, row_template, split_run
from .tokens import tokens
from .walker import RowRead, Walker


@dataclass(slots=True)
class Extraction:
    cells: list[dict]
    template: str | None
    notes: list[str]
    rows: list[RowRead]
    extra_rows: list[RowRead]
    block_templates: dict[str, str]
    markers: dict[str, list[str]]


def extract(doc: Document) -> Extraction:
    walker = Walker()
    walker.feed(tokens(doc))
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
        row_tpl = row_template(row, template, walker.block_templates)
        if row.table == "t4":
            row_tpl = template if template in tpl.TEMPLATES else "2021"
        if row_tpl is None:
            notes.append(f"{tpl.TABLE_NAMES[row.table]}“{row.label.text}”行无法判断模板版本，列无法确定，未读取")
            continue
        targets = row_targets(row_tpl, row.table, row.code or "")
        if row.runs:
            placed, row.how, note = split_run(row, [(code, col) for code, col, _ in targets])
        else:
            placed, note = place_values(row, len(targets))
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
            mark = footnote(cell.text)
            if mark:  # "3①": the marker of a note, not a digit (NFKC would have made it 31)
                notes.append(f"{tpl.TABLE_NAMES[row.table]}“{tpl.row_label(row.table, code)}”行"
                             f"“{tpl.col_label(row.table, code, col)}”格印作“{cell.text.strip()}”（{cell.source}），"
                             f"按 {value.value:g} 读取，注释符号“{mark}”不计入数值")
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
