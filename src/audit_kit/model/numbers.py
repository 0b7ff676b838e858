"""Numbers as printed in table cells: "0", "3,119", "+19", "减4", "251000元", "26.55", "/", "—"."""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from .text import clean, short_cache, squash

_NUM = re.compile(
    r"^(?P<sign>[+\-−－]|增加?|减少?|增|减)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>万元|元|件|个|项|条|次)?$"
)
_PLUS_MINUS = re.compile(r"^\+\(?(\d+)\)?-\(?(\d+)\)?$")
_NOT_A_NUMBER = re.compile(r"^[/\\\-−－—–_＿~～·.。无空]+$|^(无|不适用|暂无|—+)$")
_STRIP = re.compile(r"[?？|*※]")


class CellValue(NamedTuple):
    value: float
    status: str  # number | blank | text
    unit: str


BLANK = CellValue(math.nan, "blank", "")


@short_cache
def parse_cell(raw: str) -> CellValue:
    """Read one cell. Never guesses: what is not plainly a number is ``text`` with value NaN."""
    t = squash(_STRIP.sub("", clean(raw)))
    if not t:
        return BLANK
    m = _NUM.match(t)
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
    """Whether a token can stand in a value cell: a number, a blank, or a not-applicable mark ("/", "—")."""
    t = squash(_STRIP.sub("", clean(raw)))
    return not t or bool(_NUM.match(t) or _PLUS_MINUS.match(t) or _NOT_A_NUMBER.match(t))


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
