"""The national division table (GB/T 2260): province, city and county names with their six-digit codes, as
shipped in ``data/divisions.csv`` (written by ``tools/make_divisions.py``).

A code's level is read from its digits: ``PP0000`` a province, ``PPCC00`` a city, anything else a county.
A division lies within another when its code starts with the other's province (or province and city) digits.
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from collections.abc import Iterable

from .. import bundled

LONGEST = 16  # the longest division name, in characters (积石山保安族东乡族撒拉族自治县 is 15)


@functools.cache
def table() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """(name → codes, code → name) of every division; a code renamed since keeps both names."""
    by_name: dict[str, set[str]] = defaultdict(set)
    by_code: dict[str, str] = {}
    with bundled.path("data", "divisions.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            by_name[row["name"]].add(row["code"])
            by_code.setdefault(row["code"], row["name"])
    return {k: frozenset(v) for k, v in by_name.items()}, by_code


def codes(name: str) -> frozenset[str]:
    """The codes of the divisions named exactly ``name`` (empty when it names none)."""
    return table()[0].get(name, frozenset())


def within(code: str, outer: str) -> bool:
    """Whether the division ``code`` lies inside ``outer`` (a different, larger division)."""
    if code == outer:
        return False
    if outer.endswith("0000"):
        return code[:2] == outer[:2]
    if outer.endswith("00"):
        return code[:4] == outer[:4]
    return False


def same_or_within(code: str, outer: str) -> bool:
    return code == outer or within(code, outer)


def parents(code: str) -> list[str]:
    """The names of the province and city that hold ``code``, outermost first (those the table has)."""
    names = table()[1]
    out = []
    for outer in (code[:2] + "0000", code[:4] + "00"):
        if outer != code and outer in names and names[outer] not in out:
            out.append(names[outer])
    return out


def name_of(code: str) -> str:
    return table()[1].get(code, code)


@functools.cache
def full_name(code: str) -> str:
    """The division with its province and city: 江苏省南京市鼓楼区."""
    return "".join([*parents(code), name_of(code)])


@functools.cache
def qualified(code: str) -> str:
    """The shortest name that names ``code`` alone: the division's own name when no other division has it
    (盐池县), else preceded by its city (南京市鼓楼区), else by its province too."""
    name = name_of(code)
    if len(codes(name)) <= 1:
        return name
    chain = parents(code)
    for n in range(1, len(chain) + 1):
        prefix = "".join(chain[-n:])
        rivals = [c for c in codes(name) if "".join(parents(c)[-n:]) == prefix]
        if len(rivals) <= 1:
            return prefix + name
    return full_name(code)


def narrow(candidates: Iterable[str], outer: Iterable[str]) -> frozenset[str]:
    """Those of ``candidates`` that lie within (or are) one of ``outer``."""
    outer = list(outer)
    return frozenset(c for c in candidates if any(same_or_within(c, o) for o in outer))


@functools.cache
def read_region(text: str) -> frozenset[str]:
    """The divisions a declared region names (南京市, 江苏省南京市, 320100): the innermost one, narrowed by
    those before it; empty when the text names no division."""
    text = "".join(text.split())
    if text.isdigit() and len(text) == 6:
        return frozenset({text}) if text in table()[1] else frozenset()
    found: frozenset[str] = frozenset()
    pos = 0
    while pos < len(text):
        for n in range(min(LONGEST, len(text) - pos), 1, -1):
            here = codes(text[pos:pos + n])
            if here and (not found or narrow(here, found)):
                found = narrow(here, found) if found else here
                pos += n
                break
        else:
            break
    return found if pos == len(text) else frozenset()
