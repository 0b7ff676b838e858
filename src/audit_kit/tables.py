"""The three tables of a report as wide DataFrames in the template's layout, with Chinese labels."""

from __future__ import annotations

import pandas as pd

from . import render
from . import templates as tpl
from .report import Report


def _template(report: Report) -> str:
    t = report.meta.get("template")
    return t if t in tpl.TEMPLATES else "2021"


def table_frame(report: Report, table: str, show: str = "raw") -> pd.DataFrame:
    """One table in the template's layout with Chinese labels; cells hold ``raw`` text (or ``value``).

    Cells the report does not contain are None; blank cells are "". 表二 is a list of its blocks' cells
    (项, 信息内容, 指标 → 数值) since each block has its own columns; 表三 is rows × seven columns; 表四 is
    its three blocks × five results.
    """
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
    rows = list(tpl.rows(template, "t3"))
    if template == "2021" and any(r == "other" for r, _ in lookup):
        rows.insert(rows.index("other.no_correction"), "other")
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


def styled(report: Report, table: str, results: pd.DataFrame):
    """The table in the template's layout, failing cells highlighted (pandas Styler, all text escaped)."""
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
                         lambda v: "（未读到）" if v is None else ("（空白）" if v == "" else v))
