"""The three tables of a report: as wide DataFrames (the CLI's ``show``) and as HTML grids in the
template's own printed layout (memo and notebook) — 表二 as the stacked 第二十条 blocks of its template,
表三 with its three-row header and the 三、本年度办理结果 row groups, 表四 with 行政复议 / 行政诉讼 headers.

Labels and the cells of each block come from the templates as data (``templates.py``, ``data/cells.csv``);
only the header words the template prints above the columns (申请人情况, 法人或其他组织, the 勾稽关系 note,
行政复议 / 行政诉讼) are named here, from the form (docs/format.md §3.2, §3.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..model import forms as tpl
from ..model.numbers import missing
from ..model.report import Report
from ..render import html as render
from ..render.html import Html
from ..vocabulary import UNREAD

BLANK = "（空白）"  # the cell is printed empty
T3_RULE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"  # 表三's top-left cell
T3_APPLICANTS = "申请人情况"
T3_ORGS = "法人或其他组织"
T3_OUTSIDE = ("new", "carried_in", "carried_out")  # 表三 rows outside 三、本年度办理结果
T4_LITIGATION = "行政诉讼"



def _template(report: Report) -> str:
    t = report.meta.get("template")
    return t if t in tpl.TEMPLATES else "2021"


def t2_template(report: Report) -> str:
    """The template whose 表二 layout to draw: the report's, else the one more of its 表二 cells belong to
    (a report whose template was not recognised, or mixed), 2021 on a tie."""
    t = report.meta.get("template")
    if t in tpl.TEMPLATES:
        return t
    got = report.cells[report.cells["table"] == "t2"]
    hits = {name: sum(tpl.spec(name, "t2", r, c) is not None for r, c in zip(got["row"], got["col"], strict=True))
            for name in tpl.TEMPLATES}
    return "2019" if hits["2019"] > hits["2021"] else "2021"


def table_frame(report: Report, table: str, show: str = "raw") -> pd.DataFrame:
    """One table in the template's layout with Chinese labels; cells hold ``raw`` text (or ``value``).

    Cells the report does not contain are None; blank cells are "". 表二 is a list of its blocks' cells
    (项, 信息内容, 指标 → 数值) since each block has its own columns; 表三 is rows × seven columns; 表四 is
    its three blocks × five results. (For the command line; the memo draws :func:`grid`.)"""
    template = _template(report)
    got = report.cells[report.cells["table"] == table]
    lookup = {(r, c): v for r, c, v in zip(got["row"], got["col"], got[show], strict=True)}
    if table == "t2":
        records = []
        for block, block_rows in tpl.T2_BLOCKS.items():
            for row in block_rows:
                owners = [t for t in (template, *tpl.TEMPLATES)
                          if tpl.columns(t, "t2", row) and any((row, c) in lookup for c in tpl.columns(t, "t2", row))]
                if not owners:
                    owners = [t for t in (template, *tpl.TEMPLATES) if tpl.columns(t, "t2", row)]
                    if template not in owners:
                        continue
                for col in tpl.columns(owners[0], "t2", row):
                    c = tpl.spec(owners[0], "t2", row, col)
                    records.append({"项": f"第二十条第（{block}）项", "信息内容": c.row_label,  # type: ignore[union-attr]
                                    "指标": c.col_label, "数值": lookup.get((row, col))})  # type: ignore[union-attr]
        return pd.DataFrame.from_records(records, columns=["项", "信息内容", "指标", "数值"])
    if table == "t4":
        blocks = list(dict.fromkeys(r for r, _ in tpl.t4_cells(template)))
        parts = [c for r, c in tpl.t4_cells(template) if r == blocks[0]]
        index = [tpl.row_label("t4", b) for b in blocks]
        columns = [tpl.col_label("t4", blocks[0], p) for p in parts]
        return pd.DataFrame([[lookup.get((b, p)) for p in parts] for b in blocks], index=index, columns=columns)
    rows = _t3_rows(report)
    cols = tpl.columns("2021", "t3", "new")
    index = [tpl.row_label("t3", r) for r in rows]
    columns = [tpl.col_label("t3", "new", c) for c in cols]
    return pd.DataFrame([[lookup.get((r, c)) for c in cols] for r in rows], index=index, columns=columns)


def all_tables(report: Report) -> dict[str, pd.DataFrame]:
    return {tpl.TABLE_NAMES[t]: table_frame(report, t) for t in tpl.TABLES}


def failing_cells(results: pd.DataFrame, table: str) -> set[tuple[str, str]]:
    """(row, col) codes of the cells that failing results of ``table`` are about or cite."""
    out: set[tuple[str, str]] = set()
    for r in results[(results["status"] == "fail")].itertuples():
        if r.table == table and r.row and r.col:
            out.add((r.row, r.col))
        for e in r.evidence if isinstance(r.evidence, list) else []:
            if e.get("table") == table and e.get("report") in (None, ""):
                out.add((e["row"], e["col"]))
    return out


# --- the grids -----------------------------------------------------------------------------------------------

@dataclass
class Cell:
    """One printed cell of a grid: a header or label (``head``) or a value; spans as printed."""

    text: str
    head: bool = False
    colspan: int = 1
    rowspan: int = 1
    classes: list[str] = field(default_factory=list)
    title: str = ""  # the cell's place (表三 （七）总计 · 总计), shown on hover
    code: tuple[str, str] | None = None  # (row, col) of a value cell


def shown_value(cell: Any) -> tuple[str, str]:
    """A read cell as printed in the memo and its class: numbers as integers (money keeps its decimals and
    unit, signed changes their sign), text as printed, blank as （空白）, a cell not read as （未读到）."""
    if cell is None:
        return UNREAD, "ak-unread"
    status, raw, value, unit = cell
    if status == "blank" or (status != "number" and not render.text(raw).strip()):
        return BLANK, "ak-blank"
    if status != "number" or missing(value):
        return render.text(raw), "ak-text"
    number = float(value)
    text = str(int(number)) if number.is_integer() else f"{number:g}"
    if unit and unit != "万元":  # 万元 is in the column header; a unit printed in the cell (251000元) stays
        text += str(unit)
    return text, "ak-num"


class _Lookup:
    """The report's cells of one table by (row, col), and the set of flagged ones."""

    def __init__(self, report: Report, table: str, flagged: set[tuple[str, str]]) -> None:
        got = report.cells[report.cells["table"] == table]
        self.cells = {(r, c): (s, raw, v, u) for r, c, s, raw, v, u in
                      zip(got["row"], got["col"], got["status"], got["raw"], got["value"], got["unit"], strict=True)}
        self.flagged = flagged
        self.table = table

    @staticmethod
    def places(body: list[list[Cell]]) -> list[tuple[str, str]]:
        """The (row, col) codes of the value cells drawn (kept on each value cell as ``code``)."""
        return [c.code for row in body for c in row if c.code]

    def value(self, row: str, col: str, colspan: int = 1) -> Cell:
        text, cls = shown_value(self.cells.get((row, col)))
        classes = [cls, "ak-flag"] if (row, col) in self.flagged else [cls]
        where = f"{tpl.TABLE_NAMES[self.table]} {tpl.row_label(self.table, row)} · {tpl.col_label(self.table, row, col)}"
        return Cell(text, colspan=colspan, classes=classes, title=where, code=(row, col))


def _t2(report: Report, cells: _Lookup) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """表二: for each 第二十条 block of the template, a caption row across the table, its header row
    (信息内容 and the block's columns) and one row per item; a block with fewer columns than the widest
    stretches its last column over the rest, as the template prints it."""
    template = t2_template(report)
    blocks = [(name, [r for r in rows if tpl.columns(template, "t2", r)]) for name, rows in tpl.T2_BLOCKS.items()]
    blocks = [(name, rows) for name, rows in blocks if rows]
    width = max(len(tpl.columns(template, "t2", r)) for _n, rows in blocks for r in rows)
    body: list[list[Cell]] = []
    for name, rows in blocks:
        cols = tpl.columns(template, "t2", rows[0])
        spans = [1] * (len(cols) - 1) + [width - len(cols) + 1]
        body.append([Cell(f"第二十条第（{name}）项", head=True, colspan=width + 1, classes=["ak-block"])])
        specs = [tpl.spec(template, "t2", rows[0], c) for c in cols]
        body.append([Cell("信息内容", head=True)] + [Cell(sp.col_label, head=True, colspan=s)  # type: ignore[union-attr]
                                                    for sp, s in zip(specs, spans, strict=True)])
        for row in rows:
            label = tpl.spec(template, "t2", row, cols[0]).row_label  # type: ignore[union-attr]
            body.append([Cell(label, head=True, classes=["ak-label"])]
                        + [cells.value(row, c, s) for c, s in zip(tpl.columns(template, "t2", row), spans, strict=True)])
    return [], body


def _t3_rows(report: Report) -> list[str]:
    """表三's rows in the report's template; a 2021 (or unrecognised) report that printed the 2019 single
    （六）其他处理 row gets it too, before the three 2021 rows (a cell read is never hidden)."""
    template = _template(report)
    rows = list(tpl.rows(template, "t3"))
    got = report.cells[report.cells["table"] == "t3"]
    if template == "2021" and (got["row"] == "other").any():
        rows.insert(rows.index("other.no_correction"), "other")
    return rows


def _split(label: str) -> tuple[str, str]:
    """"（三）不予公开 1.属于国家秘密" → ("（三）不予公开", "1.属于国家秘密"); a label without an item → (label, "")."""
    head, _, item = label.partition(" ")
    return head, item


def _t3(report: Report, cells: _Lookup) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """表三 as printed: the rule in the top-left 3 × 3 cell, 申请人情况 over 自然人 / 法人或其他组织 (its five
    kinds) / 总计; rows 一, 二, 三、本年度办理结果 spanning its outcome rows (（三）–（六） spanning their
    items), 四."""
    cols = tpl.columns("2021", "t3", "new")
    names = [tpl.col_label("t3", "new", c) for c in cols]
    head = [[Cell(T3_RULE, head=True, colspan=3, rowspan=3, classes=["ak-rule"]),
             Cell(T3_APPLICANTS, head=True, colspan=len(cols))],
            [Cell(names[0], head=True, rowspan=2), Cell(T3_ORGS, head=True, colspan=len(cols) - 2),
             Cell(names[-1], head=True, rowspan=2)],
            [Cell(n, head=True) for n in names[1:-1]]]
    rows = _t3_rows(report)
    outcomes = [r for r in rows if r not in T3_OUTSIDE]
    group_label = next((lab.text for lab in tpl.labels() if lab.kind == "group" and lab.code == "outcomes"), "")
    body: list[list[Cell]] = []
    seen_groups: set[str] = set()
    for row in rows:
        values = [cells.value(row, c) for c in cols]
        label = tpl.row_label("t3", row)
        if row in T3_OUTSIDE:
            body.append([Cell(label, head=True, colspan=3, classes=["ak-label"]), *values])
            continue
        line: list[Cell] = []
        if row == outcomes[0]:
            line.append(Cell(group_label, head=True, rowspan=len(outcomes), classes=["ak-group"]))
        group, item = _split(label)
        if not item:
            line.append(Cell(label, head=True, colspan=2, classes=["ak-label"]))
        else:
            key = row.split(".")[0]
            if key not in seen_groups:
                seen_groups.add(key)
                span = sum(1 for r in outcomes if r.split(".")[0] == key and "." in r)
                line.append(Cell(group, head=True, rowspan=span, classes=["ak-group"]))
            line.append(Cell(item, head=True, classes=["ak-label"]))
        body.append(line + values)
    return head, body


def _t4(report: Report, cells: _Lookup) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """表四 as printed: 行政复议 (five results) and 行政诉讼 (未经复议直接起诉 and 复议后起诉, five each), one
    row of 15 cells without a label."""
    template = _template(report)
    order = tpl.t4_cells(template)
    blocks = list(dict.fromkeys(r for r, _ in order))
    parts = [c for r, c in order if r == blocks[0]]
    results = [tpl.col_label("t4", blocks[0], p) for p in parts]
    review, litigation = blocks[0], blocks[1:]
    head = [[Cell(tpl.row_label("t4", review), head=True, colspan=len(parts)),
             Cell(T4_LITIGATION, head=True, colspan=len(parts) * len(litigation))],
            [*(Cell(n, head=True, rowspan=2) for n in results),
             *(Cell(_split(tpl.row_label("t4", b))[1] or tpl.row_label("t4", b), head=True, colspan=len(parts))
               for b in litigation)],
            [Cell(n, head=True) for _b in litigation for n in results]]
    return head, [[cells.value(b, p) for b, p in order]]


_BUILDERS = {"t2": _t2, "t3": _t3, "t4": _t4}


def grid(report: Report, table: str, results: pd.DataFrame | None = None) -> Html:
    """One table as an HTML grid in the template's printed layout: no index column, cells the failing
    results are about highlighted (class ``ak-flag``), （未读到）/（空白） as the legend says, numbers as
    integers. Rendered by ``render.py``'s autoescaping environment."""
    flagged = failing_cells(results, table) if results is not None and len(results) else set()
    head, body = _BUILDERS[table](report, _Lookup(report, table, flagged))
    got = report.cells[report.cells["table"] == table]
    caption = tpl.TABLE_NAMES[table]
    if table == "t2":
        caption += f"（{t2_template(report)} 版格式）"
    shown = {cls for row in body for c in row for cls in c.classes}
    return render.grid(table, caption, head, body, empty=got.empty, flagged=len(flagged & set(_Lookup.places(body))),
                       unread="ak-unread" in shown, blank="ak-blank" in shown)


def styled(report: Report, table: str, results: pd.DataFrame):
    """The table of :func:`table_frame`, failing cells highlighted (pandas Styler, all text escaped) — what the
    walker's source view shows beside a finding; the memo and notebook draw :func:`grid`."""
    frame = table_frame(report, table)
    bad = failing_cells(results, table)
    template = _template(report)
    marks = pd.DataFrame("", index=frame.index, columns=frame.columns)
    if table == "t2":
        for i, rec in frame.iterrows():
            for row, col in bad:
                spec = tpl.spec(template, "t2", row, col) or tpl.spec("2019" if template == "2021" else "2021", "t2", row, col)
                if spec and (spec.row_label, spec.col_label) == (rec["信息内容"], rec["指标"]):
                    marks.loc[i, "数值"] = render.MARK
    else:
        for row, col in bad:
            r, c = tpl.row_label(table, row), tpl.col_label(table, row, col)
            if r in marks.index and c in marks.columns:
                marks.loc[r, c] = render.MARK
    return render.styled(frame, marks, f"{tpl.TABLE_NAMES[table]}（红色：检查不通过涉及的单元格）",
                         lambda v: UNREAD if v is None else (BLANK if v == "" else v))
