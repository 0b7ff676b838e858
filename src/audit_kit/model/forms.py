"""The official templates (2019 试行 and 2021) as data.

Cell codes come from ``data/cells.csv`` (a copy of the project's spec); the label variants real reports
print come from ``data/labels.csv``. Adding a label variant is one line in that file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .text import key, label_parts, short_cache

TEMPLATES = ("2019", "2021")
TABLES = ("t2", "t3", "t4")
TABLE_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四"}
# Bodies that only count as a row label when an enumerator stands before them ("3.其他", "（七）总计"):
# bare "其他" and "总计" are column headers.
NEEDS_ENUM = {"其他", "总计"}
# 表二 block captions: 第二十条第（X）项 → the rows the block holds.
T2_BLOCKS = {
    "一": ("rules", "normative"),
    "五": ("licensing", "other_services"),
    "六": ("penalty", "coercion"),
    "八": ("fees",),
    "九": ("procurement",),
}


@dataclass(frozen=True, slots=True)
class CellSpec:
    """One cell of a template: codes, printed labels and kind (count, signed_count, money_wan, …)."""

    template: str
    table: str
    row: str
    col: str
    row_label: str
    col_label: str
    kind: str


@dataclass(frozen=True, slots=True)
class Label:
    """A label variant: ``kind`` is row, group or header; ``code`` the row, group or column code."""

    kind: str
    template: str | None
    table: str
    code: str
    text: str
    enum: str
    body: str


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("audit_kit").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def cells() -> tuple[CellSpec, ...]:
    """Every cell of both templates, in template order."""
    return tuple(CellSpec(**row) for row in _read_csv("cells.csv"))


@cache
def labels() -> tuple[Label, ...]:
    out = []
    for row in _read_csv("labels.csv"):
        enum, body = label_parts(row["text"])
        out.append(Label(row["kind"], row["template"] or None, row["table"], row["code"], row["text"],
                         enum, body))
    return tuple(out)


@cache
def columns(template: str, table: str, row: str) -> tuple[str, ...]:
    """Column codes of one row of one template, in printed order (empty if the row is not in it)."""
    return tuple(c.col for c in cells() if c.template == template and c.table == table and c.row == row)


@cache
def table_columns(template: str, table: str) -> tuple[str, ...]:
    """Every column code of one table of one template, in printed order (表三's and 表四's rows all share
    theirs; 表二's rows each have their own)."""
    seen: dict[str, None] = {}
    for c in cells():
        if c.template == template and c.table == table:
            seen.setdefault(c.col)
    return tuple(seen)


@cache
def parts(template: str, table: str) -> tuple[str, ...]:
    """The columns of a table that add up to its 总计 column (every column but ``total``)."""
    return tuple(c for c in table_columns(template, table) if c != "total")


@cache
def group_rows(template: str, table: str, group: str) -> tuple[str, ...]:
    """The rows of one group, in printed order: ``group_rows("2021", "t3", "deny")`` → deny.secret … deny.query."""
    return tuple(r for r in rows(template, table) if r == group or r.startswith(f"{group}."))


OUTSIDE_OUTCOMES = ("new", "carried_in", "outcomes_total", "carried_out")  # 表三 rows that are no outcome


@cache
def outcome_groups(template: str = "2021") -> dict[str, tuple[str, str]]:
    """表三's outcome groups （一）…（六） in printed order: group code → (label as printed, its short name),
    e.g. "deny" → ("（三）不予公开", "不予公开"); from the row labels and the group labels of the templates."""
    printed = {lab.code: lab.text for lab in labels() if lab.kind == "group" and lab.table == "t3"}
    out: dict[str, tuple[str, str]] = {}
    for row in rows(template, "t3"):
        head = row.split(".")[0]
        if head in OUTSIDE_OUTCOMES or head in out:
            continue
        text = printed.get(head) if "." in row else row_label("t3", row)
        out[head] = (text or row, label_parts(text or row)[1])
    return out


@cache
def rows(template: str, table: str) -> tuple[str, ...]:
    """Row codes of one table of one template, in printed order."""
    seen: dict[str, None] = {}
    for c in cells():
        if c.template == template and c.table == table:
            seen.setdefault(c.row)
    return tuple(seen)


@cache
def t4_cells(template: str = "2021") -> tuple[tuple[str, str], ...]:
    """The 15 (row, col) codes of 表四 in printed order (行政复议, 未经复议直接起诉, 复议后起诉)."""
    return tuple((c.row, c.col) for c in cells() if c.template == template and c.table == "t4")


@cache
def spec(template: str, table: str, row: str, col: str) -> CellSpec | None:
    for c in cells():
        if (c.template, c.table, c.row, c.col) == (template, table, row, col):
            return c
    return None


@cache
def kind(template: str | None, table: str, row: str, col: str) -> str:
    """The kind of a cell (count, signed_count, money_wan, money_as_written) in ``template`` or either."""
    c = spec_in(template, table, row, col)
    return c.kind if c else "count"


@cache
def spec_in(template: str | None, table: str, row: str, col: str) -> CellSpec | None:
    """The cell in ``template`` if it has it, else in the other template."""
    for t in (template, *TEMPLATES):
        if t in TEMPLATES and (c := spec(t, table, row, col)):
            return c
    return None


@cache
def row_label(table: str, row: str) -> str:
    """The printed label of a row (any template), for messages."""
    for c in cells():
        if c.table == table and c.row == row:
            return c.row_label
    return row


@cache
def col_label(table: str, row: str, col: str) -> str:
    for c in cells():
        if c.table == table and c.row == row and c.col == col:
            return c.col_label
    return col


@cache
def _by_body(kind: str) -> dict[str, tuple[Label, ...]]:
    out: dict[str, list[Label]] = {}
    for lab in labels():
        if lab.kind == kind:
            out.setdefault(lab.body, []).append(lab)
    return {k: tuple(v) for k, v in out.items()}


def match_row(text: str) -> Label | None:
    """The row label ``text`` prints, or None. Notes in brackets and separators are ignored."""
    enum, body = label_parts(text)
    found = _by_body("row").get(body)
    if not found or (body in NEEDS_ENUM and not enum):
        return None
    return found[0]


def match_group(text: str) -> Label | None:
    """A group label of 表三 (三、本年度办理结果, （三）不予公开 …), or None."""
    _enum, body = label_parts(text)
    found = _by_body("group").get(body)
    return found[0] if found else None


@cache
def label_prefixes() -> frozenset[str]:
    """Every proper prefix (≥ 2 characters) of a row-label body: a label cut over two lines starts so."""
    out: set[str] = set()
    for lab in labels():
        if lab.kind == "row":
            out.update(lab.body[:i] for i in range(2, len(lab.body)))
    return frozenset(out)


@cache
def _all_bodies() -> tuple[str, ...]:
    return tuple(lab.body for lab in labels() if lab.kind in ("row", "group"))


@short_cache
def is_label_start(text: str) -> bool:
    """Whether ``text`` may be the start of a row or group label (for labels wrapped over lines)."""
    enum, body = label_parts(text)
    if not body:
        return bool(enum) or key(text) in ("(", "")
    return any(b.startswith(body) for b in _all_bodies())


def header_template(text: str) -> tuple[str, str] | None:
    """(template, column code) when ``text`` is a 表二 column header unique to one template."""
    _, body = label_parts(text)
    for lab in labels():
        if lab.kind == "header" and lab.body in body:
            return lab.template or "", lab.code
    return None


_SEP = "[“”\"'、，,；;：:。·\\s]?"


@cache
def run_pattern():
    """A row label (any enumerator, punctuation optional, bracketed notes allowed) directly followed by a
    run of digits: how a copy with every separator removed prints a row ("规章000", "（七）总计2000002").
    The 表四 header's last words ("…尚未审结总计") stand for the 表四 row. The digits stop before a
    one-digit enumerator of the next label ("…0002.其他法律…")."""
    import re

    bodies = sorted({lab.body for lab in labels() if lab.kind == "row" and lab.body not in NEEDS_ENUM}, key=len,
                    reverse=True)
    alts = "|".join(_SEP.join(re.escape(ch) for ch in b) for b in bodies)
    enum = r"(?:[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、])"
    label = rf"(?:{enum}?(?:{alts})[”\"]?|{enum}(?:其他|总计)|尚未审结总计)"
    return re.compile(rf"(?P<label>{label})\s*(?P<note>[（(][^（()）]{{0,80}}[)）])?"
                      r"(?P<num>\d[\d.]*?)(?=[^\d.]|$|\d[.．、][^\d])")
