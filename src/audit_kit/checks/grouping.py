"""Post-processing of check results, so an auditor decides a problem once, not once per cell.

Grouping: a per-cell check (blank cells T2-4/T3-5, invalid values T2-1/T3-4/T4-2) that fails on cells of
one table gives ONE finding for that table. Its evidence lists every cell (the tables' highlighting reads
it), its message says how many and which, and its fingerprint is check + table — never the cells — so a
decision survives a rerun in which the number of cells changed (the decision then shows as stale, since
the evidence changed). Checks of arithmetic (T3-1 … T4-1) and of text stay one finding per location: each
equation or sentence is its own question.

Folding: when F-3 fails because a table carries no number at all, the blank cells of that table are
implied by it; the table's blank-cell finding is folded into the F-3 finding (its cells join the evidence,
and the message and a note in the evidence say what was folded).
"""

from __future__ import annotations

from ..model import forms as tpl
from ..vocabulary import CellStatus, Status
from .result import Result

# check id → what the grouped message says of each cell
GROUPED = {"T2-1": "数值不合规", "T3-4": "数值不合规", "T4-2": "数值不合规", "T2-4": CellStatus.BLANK.zh, "T3-5": CellStatus.BLANK.zh}
BLANK_CHECKS = {"t2": "T2-4", "t3": "T3-5"}
FOLD_INTO = "F-3"
LISTED = 10  # invalid cells named in a grouped message; the evidence has them all
LISTED_ROWS = 6  # columns or rows whose blank cells a grouped message names
BLANKS_DECIDE = "较小一边有格印为空白"  # how an equation that blank cells leave undecidable says so (arithmetic.py)


def group(check_id: str, results: list[Result]) -> list[Result]:
    """The results of one check with its failing cells of each table merged into one result per table
    (other results unchanged, in their order); a check that is not grouped is returned as it is."""
    what = GROUPED.get(check_id)
    if what is None:
        return results
    by_table: dict[str, list[Result]] = {}
    for r in results:
        if r.status == "fail" and r.table and r.row:
            by_table.setdefault(r.table, []).append(r)
    out: list[Result] = []
    done: set[str] = set()
    for r in results:
        cells = by_table.get(r.table or "") if r.status == "fail" and r.row else None
        if cells is None:
            out.append(r)
        elif r.table not in done:
            done.add(r.table or "")
            out.append(_merged(r.table or "", cells, what))
    return out


def _merged(table: str, cells: list[Result], what: str) -> Result:
    name = tpl.TABLE_NAMES.get(table, table)
    evidence = [e for r in cells for e in r.evidence]
    if len(cells) == 1:
        message = cells[0].message
    elif what == CellStatus.BLANK.zh:
        message = f"{name}有 {len(cells)} 格空白（未填数字），计算时按 0 处理：{_blank_lines(table, cells)}"
    else:
        problems = "；".join(r.message.removeprefix(name) for r in cells[:LISTED])
        more = f"；等（全部 {len(cells)} 格见证据）" if len(cells) > LISTED else ""
        message = f"{name}有 {len(cells)} 格{what}：{problems}{more}"
    return Result(Status.FAIL, message, table, actual=len(cells), evidence=evidence)


def _blank_lines(table: str, cells: list[Result]) -> str:
    """Where blank cells lie, by cause: the columns (or rows, whichever names fewer lines) they fill, each with
    how many, the fullest first — "“总计”列 19 格、“科研机构”列 22 格…"."""
    by_col: dict[str, int] = {}
    by_row: dict[str, int] = {}
    for r in cells:
        by_col[tpl.col_label(table, r.row or "", r.col or "")] = by_col.get(tpl.col_label(table, r.row or "", r.col or ""), 0) + 1
        by_row[r.row or ""] = by_row.get(r.row or "", 0) + 1
    if len(by_col) <= len(by_row):
        lines = [(f"“{col}”列", n) for col, n in by_col.items()]
    else:
        lines = [(f"“{tpl.row_label(table, row)}”行", n) for row, n in by_row.items()]
    lines.sort(key=lambda x: -x[1])
    shown = "、".join(f"{line} {n} 格" for line, n in lines[:LISTED_ROWS])
    return shown + (f" 等 {len(lines)} 处（全部格见证据）" if len(lines) > LISTED_ROWS else "")


def unverifiable(rows: list[dict], table: str) -> str:
    """The equations of ``table`` that its blank cells leave undecidable, as the blank-cell finding names
    them: "T3-2 1 处、T3-3 11 处" (empty when none)."""
    counts: dict[str, int] = {}
    for r in rows:
        if r["table"] == table and r["status"] == "not_assessable" and BLANKS_DECIDE in (r["message"] or ""):
            counts[r["check_id"]] = counts.get(r["check_id"], 0) + 1
    return "、".join(f"{cid} {n} 处" for cid, n in sorted(counts.items()))


def fold(rows: list[dict]) -> list[dict]:
    """Rows with the blank-cell finding of a table folded into the F-3 finding that the table carries no
    number (the F-3 row gains the cells as evidence and says what it took in); a blank-cell finding that
    stays says which equations its blanks leave undecidable (those are 无法判断, not separate errors)."""
    empty = {r["table"]: r for r in rows if r["check_id"] == FOLD_INTO and r["status"] == "fail" and r["table"]}
    for r in rows:
        if r["status"] == "fail" and BLANK_CHECKS.get(r["table"]) == r["check_id"] and r["table"] not in empty:
            blocked = unverifiable(rows, r["table"])
            if blocked:
                r["message"] += f"；这些空白使 {blocked}勾稽无法判断（列在“需人工核对”中）"
    out = []
    for r in rows:
        big = empty.get(r["table"]) if r["status"] == "fail" and BLANK_CHECKS.get(r["table"]) == r["check_id"] else None
        if big is None:
            out.append(r)
            continue
        cells = [e for e in r["evidence"] if "table" in e]
        note = f"已并入 {r['check_id']}（{len(cells)} 格空白）：{r['message']}"
        known = {(e.get("table"), e.get("row"), e.get("col")) for e in big["evidence"]}
        big["evidence"] = [*big["evidence"], *(e for e in cells if (e["table"], e["row"], e["col"]) not in known),
                           {"section": "", "text": note, "source": "并入的发现"}]
        big["message"] = f"{big['message']}（{len(cells)} 格空白，{r['check_id']} 已并入本条）"
    return out
