"""Numbers as printed in table cells: "0", "3,119", "+19", "减4", "251000元", "26.55", "/", "—".

A number of more digits than any report prints (:data:`MAX_INT_DIGITS` before the point, :data:`MAX_DIGITS`
in all) is text, not a number: a float would round it, or make a 400-digit cell ``inf``. A footnote marker
after a number ("3①", "12¹") is not one of its digits: the cell reads 3 (or 12), and :func:`footnote` gives
the marker for the notes."""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from .text import FOOTNOTE_MARKS, clean, short_cache, squash

_NUM = re.compile(
    r"^(?P<sign>[+\-−－]|增加?|减少?|增|减)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>万元|元|件|个|项|条|次)?$"
)
_PLUS_MINUS = re.compile(r"^\+\(?(\d{1,12})\)?-\(?(\d{1,12})\)?$")
_NOT_A_NUMBER = re.compile(r"^[/\\\-−－—–_＿~～·.。无空]+$|^(无|不适用|暂无|—+)$")
_STRIP = re.compile(r"[?？|*※]")
_MARKED = re.compile(f"^(?P<body>.*?\\d)(?P<marks>[{FOOTNOTE_MARKS}]+)$")
MAX_INT_DIGITS = 12  # digits before the point: a trillion cases or 万元 is beyond any agency's report
MAX_DIGITS = 15  # digits in all: what a float holds exactly


class CellValue(NamedTuple):
    value: float
    status: str  # number | blank | text
    unit: str


BLANK = CellValue(math.nan, "blank", "")


def _token(raw: str) -> tuple[str, str]:
    """The cell as compared (cleaned, no spaces or stray marks) and the footnote markers after its number."""
    t = squash(_STRIP.sub("", clean(raw)))
    m = _MARKED.match(t)
    return (m.group("body"), m.group("marks")) if m else (t, "")


def _too_long(digits: str) -> bool:
    whole, _, part = digits.replace(",", "").partition(".")
    return len(whole.lstrip("0")) > MAX_INT_DIGITS or len(whole) + len(part) > MAX_DIGITS


@short_cache
def parse_cell(raw: str) -> CellValue:
    """Read one cell. Never guesses: what is not plainly a number is ``text`` with value NaN; a footnote
    marker after the number is left out of it (see :func:`footnote`)."""
    t, _marks = _token(raw)
    if not t:
        return BLANK
    m = _NUM.match(t)
    if m and _too_long(m.group("num")):
        return CellValue(math.nan, "text", "")
    if m:
        value = float(m.group("num").replace(",", ""))
        sign = m.group("sign") or ""
        if sign and sign[0] in "-−－减":
            value = -value
        return CellValue(value, "number", m.group("unit") or "")
    m = _PLUS_MINUS.match(t)
    if m:
        return CellValue(float(int(m.group(1)) - int(m.group(2))), "number", "")
    return CellValue(math.nan, "text", "")


@short_cache
def is_value(raw: str) -> bool:
    """Whether a token can stand in a value cell: a number (a footnote marker after it too, and one of more
    digits than plausible), a blank, or a not-applicable mark ("/", "—")."""
    t, _marks = _token(raw)
    return not t or bool(_NUM.match(t) or _PLUS_MINUS.match(t) or _NOT_A_NUMBER.match(t))


def footnote(raw: str) -> str:
    """The footnote markers printed after the number of a cell ("3①" → "①"), or ""."""
    marks = _token(raw)[1]
    return marks if marks and parse_cell(raw).status == "number" else ""


def implausible(raw: str) -> bool:
    """Whether the cell prints a number of more digits than any report's (read as text, not as a number)."""
    m = _NUM.match(_token(raw)[0])
    return bool(m and _too_long(m.group("num")))


def is_number(raw: str) -> bool:
    return parse_cell(raw).status == "number"


def digit_splits(run: str, n: int, limit: int = 20000) -> list[tuple[int, ...]] | None:
    """Every way to cut a run of digits into ``n`` numbers as printed (no leading zero but "0" itself);
    None when there are more than ``limit`` ways (too many to choose from)."""
    out: list[tuple[int, ...]] = []

    def walk(i: int, parts: tuple[int, ...]) -> bool:
        left = n - len(parts)
        if left == 0:
            if i == len(run):
                out.append(parts)
            return len(out) <= limit
        rest = len(run) - i
        if rest < left:
            return True
        if left == 1:
            if run[i] != "0" or rest == 1:
                out.append((*parts, int(run[i:])))
            return len(out) <= limit
        longest = 1 if run[i] == "0" else rest - left + 1
        return all(walk(i + k, (*parts, int(run[i:i + k]))) for k in range(1, longest + 1))

    if not run.isdigit() or not walk(0, ()):
        return None
    return out


def missing(value: object) -> bool:
    """Whether a value read back from a table is not there: None, NaN (a gap in a float column) or pandas'
    NA. The one test for it; ``x != x`` is how it works."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pandas' NA has no truth value
        return True
