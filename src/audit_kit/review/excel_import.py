"""The way back from the workbook of :mod:`.excel`: the 审核结论 / 审核意见 filled in on the 发现 sheet,
recorded in the ledger under the auditor's name — only where each row can be shown to be the finding it
names, and only over what the export showed.

Each row is checked before anything is recorded:

- its 编号 must be a finding of the report the same row names (报告编号, 机关, 年度) and of its 检查, with
  its 说明 and 位置: a sheet sorted on one column (编号 moved against its row) is refused row by row;
- the finding's latest ledger row must still be the one the export showed (审核记录号): a decision
  recorded since the export is never overwritten silently — the row is refused, or with ``force`` recorded
  and the decision it overwrites named;
- two rows of one 编号 with different decisions or comments are both refused (no "last row wins");
- a row equal to what the export showed, or to the ledger's current decision, records nothing.

Limits: the workbook may inflate to ``Config.max_inflated_bytes`` (the .docx limit, counted by
:class:`~audit_kit.readers.limits.InflateBudget`), the 发现 sheet may have :data:`MAX_ROWS` rows and a cell
:data:`MAX_CELL_CHARS` characters."""

from __future__ import annotations

import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from ..errors import FileTooLargeError, SpreadsheetError
from ..model.numbers import missing
from ..readers.limits import InflateBudget
from ..render.decisions import readable_time
from ..render.spreadsheet import cell_value, visible_controls
from ..vocabulary import Decision
from ..workspace.access import Workspace
from ..workspace.ledger import values_hash
from .excel import (
    COMMENT_COL,
    DECISION_COL,
    FINDINGS_SHEET,
    FINGERPRINT_COL,
    LEDGER_ROW_COL,
    REPORT_ID_COL,
    collect,
    where_text,
)

MAX_ROWS = 100_000
MAX_CELL_CHARS = 10_000
BY_ZH = {d.zh: d.value for d in Decision}
# the columns that must agree with the finding the row's 编号 names: (header, the finding's value)
_SAME = (
    (REPORT_ID_COL, lambda f: f["report_id"]),
    ("机关", lambda f: f["agency"]),
    ("年度", lambda f: f["report_year"]),
    ("检查", lambda f: f["check_id"]),
    ("说明", lambda f: f["message"]),
    ("位置", lambda f: where_text(f["evidence"])),
)


@dataclass
class Imported:
    """What an import did: decisions recorded, rows unchanged, decisions overwritten (``force``) and the
    problems found (one line each, naming the sheet row)."""

    recorded: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        tail = f"；{len(self.problems)} 行有问题未导入" if self.problems else ""
        over = f"；覆盖他人在导出后记录的结论 {len(self.overwritten)} 条" if self.overwritten else ""
        return f"导入审核结论：新记录 {self.recorded} 条，与审核记录相同未重复记录 {self.unchanged} 条{over}{tail}"


@dataclass(frozen=True)
class Row:
    """One row of the 发现 sheet, as text the way the sheet holds it."""

    n: int
    cells: dict[str, str]
    ledger_row: int | None  # 审核记录号 (None: the sheet has no such column)

    def get(self, col: str) -> str:
        return self.cells.get(col, "")

    @property
    def decision(self) -> str:
        return self.get(DECISION_COL)

    @property
    def comment(self) -> str:
        """The comment as typed: what :func:`cell_text` was given (control characters left visible)."""
        return cell_value(self.get(COMMENT_COL))


def _text(value: object) -> str:
    """A cell's value as text: empty for none, whole numbers without ``.0``."""
    if value is None or missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_inflated(path: Path, limit: int) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            InflateBudget(str(path), limit).check_all(z)
    except FileTooLargeError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetError(str(path), f"不是可读取的 Excel 工作簿（{type(exc).__name__}）") from exc


def read_rows(path: Path, inflated_limit: int) -> tuple[list[Row], list[str]]:
    """The rows of the 发现 sheet with a 编号, 审核结论 or 审核意见, and the rows refused for a cell over
    :data:`MAX_CELL_CHARS`; raises :class:`SpreadsheetError` for a workbook that cannot be read or is over a
    limit."""
    if not path.is_file():
        raise SpreadsheetError(str(path), "文件不存在")
    _check_inflated(path, inflated_limit)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is no workbook
        raise SpreadsheetError(str(path), f"不是可读取的 Excel 工作簿（{type(exc).__name__}）") from exc
    try:
        if FINDINGS_SHEET not in wb.sheetnames:
            raise SpreadsheetError(str(path), f"没有“{FINDINGS_SHEET}”工作表（应为 audit-kit export 导出的文件）")
        it = wb[FINDINGS_SHEET].iter_rows(values_only=True)
        header = [_text(h) for h in next(it, ())]
        lacking = [c for c in (FINGERPRINT_COL, DECISION_COL, COMMENT_COL) if c not in header]
        if lacking:
            raise SpreadsheetError(str(path), f"“{FINDINGS_SHEET}”工作表第 1 行缺少列：{'、'.join(lacking)}")
        rows: list[Row] = []
        problems: list[str] = []
        for n, values in enumerate(it, 2):
            if n > MAX_ROWS + 1:
                raise SpreadsheetError(str(path), f"“{FINDINGS_SHEET}”工作表超过 {MAX_ROWS} 行（行数上限），未导入任何一行")
            long = [(h, len(v)) for h, v in zip(header, values, strict=False) if isinstance(v, str) and len(v) > MAX_CELL_CHARS]
            if long:
                col, size = long[0]
                problems.append(f"{_at(path, n)}“{col or '无标题'}”列有 {size} 个字符，超过每格上限 {MAX_CELL_CHARS} 字，本行未导入")
                continue
            cells = {h: _text(v) for h, v in zip(header, values, strict=False) if h}
            if not any(cells.get(c) for c in (FINGERPRINT_COL, DECISION_COL, COMMENT_COL)):
                continue
            ledger_row = None
            if LEDGER_ROW_COL in header:
                raw = cells.get(LEDGER_ROW_COL, "")
                ledger_row = int(raw) if raw.isdigit() else 0
            rows.append(Row(n, cells, ledger_row))
        return rows, problems
    finally:
        wb.close()


def _sheet(value: object) -> str:
    """A value of the workspace as the sheet shows it once read back (control characters visible)."""
    return visible_controls(_text(value))


def _at(path: Path, n: int | str) -> str:
    return f"{path.name}“{FINDINGS_SHEET}”表第 {n} 行："


def _mismatch(row: Row, finding: pd.Series) -> str:
    """Which columns of ``row`` do not agree with the finding its 编号 names ("" when all do)."""
    wrong = []
    for col, value in _SAME:
        if col in row.cells and cell_value(row.get(col)) != _sheet(value(finding)):
            wrong.append(f"{col}“{row.get(col)}”（该编号应为“{_text(value(finding))[:40]}”）")
    return "；".join(wrong)


def _shown(row: Row, finding: pd.Series, ws: Workspace) -> tuple[str, str]:
    """(decision, comment) that the export showed for the row's finding."""
    if row.ledger_row is None or row.ledger_row == int(finding["decision_id"]):
        decided = bool(finding["decision"])
        return str(finding["decision"]), _sheet(finding["comment"]) if decided else ""
    then = ws.ledger.row(row.ledger_row) if row.ledger_row else None
    if then is None or then["fingerprint"] != finding["fingerprint"] or then["values_hash"] != values_hash(finding):
        return "", ""
    return str(then["decision"]), _sheet(then["comment"])


def _since(finding: pd.Series) -> str:
    """Who decided the finding last, what and when (for the messages)."""
    zh = Decision.zh_of(str(finding["decision"]), str(finding["decision_zh"]))
    return (f"{finding['auditor'] or '（未署名）'} 于 {readable_time(finding['decided_at'])} 记录的“{zh}”"
            f"（审核记录第 {int(finding['decision_id'])} 条）")


def import_decisions(path: str | Path, ws: Workspace, auditor: str, force: bool = False) -> Imported:
    """Record the decisions filled in the 发现 sheet of ``path`` into the ledger of the workspace (rules of
    the module docstring); ``force``: also over a decision recorded since the export, saying whose."""
    path = Path(path)
    rows, problems = read_rows(path, ws.config.max_inflated_bytes())
    out = Imported(problems=problems)
    ws.ledger  # noqa: B018 - opened first: a ledger that cannot be written is refused before any work
    current = collect(ws).findings
    by_fp = {r["fingerprint"]: r for _, r in current.iterrows()} if len(current) else {}
    checked: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        fp = row.get(FINGERPRINT_COL)
        if row.decision and row.decision not in BY_ZH:
            out.problems.append(f"{_at(path, row.n)}审核结论“{row.decision}”无法识别（应为 {'、'.join(BY_ZH)}）")
            continue
        finding = by_fp.get(fp)
        if finding is None:
            if row.decision or row.comment:
                out.problems.append(f"{_at(path, row.n)}编号“{fp}”不是工作区当前的检查结果（报告或检查已变化？）")
            continue
        wrong = _mismatch(row, finding)
        if wrong:
            out.problems.append(f"{_at(path, row.n)}编号“{fp}”与本行其他列不符：{wrong}；工作表可能只对某一列排序"
                                "或改动过，本行未导入（请重新导出后填写）")
            continue
        checked[fp].append(row)
    for fp, same in checked.items():
        if len({(r.decision, r.comment) for r in same}) > 1:
            lines = "、".join(str(r.n) for r in same)
            out.problems.append(f"{_at(path, lines)}编号“{fp}”出现 {len(same)} 次，审核结论或意见各不相同，均未导入"
                                "（请只保留一行）")
            continue
        _apply(path, same[0], by_fp[fp], ws, auditor, force, out)
    return out


def _apply(path: Path, row: Row, finding: pd.Series, ws: Workspace, auditor: str, force: bool, out: Imported) -> None:
    """Record one checked row (or count it unchanged, or refuse it as stale)."""
    now = (str(finding["decision"]), _sheet(finding["comment"]) if finding["decision"] else "")
    if not row.decision:
        if row.comment and row.comment not in (now[1], _shown(row, finding, ws)[1]):
            out.problems.append(f"{_at(path, row.n)}填写了审核意见但没有选择审核结论，未导入"
                                f"（请在“{DECISION_COL}”列选择 {'、'.join(BY_ZH)}）")
        return
    mine = (BY_ZH[row.decision], row.comment)
    if mine == now or mine == _shown(row, finding, ws):
        out.unchanged += 1  # as the ledger holds it now, or as the export showed it: nothing typed here
        return
    latest = int(finding["decision_id"])
    if latest and row.ledger_row != latest:  # decided since the export (or, without 审核记录号, perhaps)
        if not force:
            where = "导出之后" if row.ledger_row is not None else "（本表没有“审核记录号”列，无法确认导出后无人改动）"
            out.problems.append(f"{_at(path, row.n)}编号“{finding['fingerprint']}”{where}已有 {_since(finding)}，"
                                "本行未导入；请重新导出后再填写，或确认要覆盖时加 --force")
            return
        out.overwritten.append(f"{_at(path, row.n)}按 --force 覆盖了 {_since(finding)}")
    ws.ledger.record(finding, mine[0], row.comment, auditor)
    out.recorded += 1
