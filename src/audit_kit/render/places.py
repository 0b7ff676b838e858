"""Places and cell statuses in Chinese, for every view (memo, walker, index, Excel).

The ``source`` column of ``report.cells`` keeps the format docs/interfaces.md §4 fixes (``line 212``,
``page 3 line 17``, ``table 3 row 9 cell 4``); it is translated only when shown, here. A Word or web
"table 3" is the third table of the file, not necessarily 表三, so it reads "第 3 个表格"."""

from __future__ import annotations

import re

from ..model.numbers import missing
from ..vocabulary import CellStatus

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bpage (\d+) table (\d+) r(\d+)c(\d+)\b"), r"第 \1 页第 \2 个表格第 \3 行第 \4 列"),
    (re.compile(r"\btable (\d+) row (\d+) cell (\d+) \(line (\d+)\)"), r"第 \1 个表格第 \2 行第 \3 列（源码第 \4 行）"),
    (re.compile(r"\btable (\d+) row (\d+) cell (\d+)\b"), r"第 \1 个表格第 \2 行第 \3 列"),
    (re.compile(r"\btable (\d+) row (\d+) \(line (\d+)\)"), r"第 \1 个表格第 \2 行（源码第 \3 行）"),
    (re.compile(r"\btable (\d+) row (\d+)\b"), r"第 \1 个表格第 \2 行"),  # a whole row (the source view's lines)
    (re.compile(r"\bpage (\d+) line (\d+)\b"), r"第 \1 页第 \2 行"),
    (re.compile(r"\bparagraph (\d+)\b"), r"第 \1 段"),
    (re.compile(r"\blines? (\d+)\s*[-–]\s*(\d+)\b"), r"第 \1–\2 行"),
    (re.compile(r"\bline (\d+)\b"), r"第 \1 行"),
    (re.compile(r"\bpage (\d+)\b"), r"第 \1 页"),
]


def where(source: object) -> str:
    """A source as auditors read it: ``page 5 line 17`` → 第 5 页第 17 行 (also inside longer text, such
    as a reading note); anything else is returned as it is, and None or NaN as ""."""
    if missing(source):
        return ""
    out = str(source)
    for pattern, repl in _PATTERNS:
        out = pattern.sub(repl, out)
    return out


def cell_status(status: object) -> str:
    """A cell's status in Chinese: number/blank/text → 数字/空白/文字 (missing → 未读到)."""
    if missing(status):
        return ""
    return CellStatus.zh_of(status)


_NUMBERISH = re.compile(r"[0-9０-９.,，%％]")


def short(text: object, limit: int = 60) -> str:
    """``text`` cut to about ``limit`` characters for a list, with "…" — never inside a number ("+ 103" is
    never shown as "+ 10…"): the cut moves back to before the number it would split."""
    s = "" if missing(text) else str(text)
    if len(s) <= limit:
        return s
    cut = limit
    while cut > 0 and _NUMBERISH.match(s[cut]) and _NUMBERISH.match(s[cut - 1]):
        cut -= 1
    return s[:cut].rstrip(" +＋=≠，,、：:") + "…"
