"""Agency identity across years, resting on the administrative division (GB/T 2260, ``divisions.py``).

The region part of a name is read against the national division table: "吴忠市盐池县财政局" and "盐池县财政局"
are one agency (盐池县 is one county), "南京市鼓楼区财政局" and "徐州市鼓楼区财政局" are two (two 鼓楼区). A name
whose region the table names more than once ("鼓楼区财政局") is resolved by the workspace's declared region,
then by the report's own text ("南京市鼓楼区…" in its address); otherwise it has no identity and is not paired,
and :attr:`Identity.how` says why. Full- and half-width forms, traditional characters, "人民政府"/"政府",
bracketed notes and invisible format characters (Unicode category Cf: zero-width joiner, bidi overrides) do
not change an identity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import divisions
from .text import key, short_cache

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\]]*\]|【[^】]*】")
# a region the division table does not know (示例县, a development zone): the rule from before the table
_REGION = re.compile(r"^(.{2,9}?(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|州|盟|地区|县|区|旗))")
_NOT_REGION = re.compile(r"[和与及局委厅办会处所院队站]|城乡|市场")
# a township or street office printed without its county (城关镇政府): one of many, never unique alone
_TOWNSHIP = re.compile(r"^([^省市州盟县区旗]{1,8}?(?:镇|乡|街道|苏木))(?:政府|办事处|街道办事处)?$")


def strip_format(text: str) -> str:
    """``text`` without format characters (category Cf: U+200D, U+202E, U+FEFF …)."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


@short_cache
def normal(name: str) -> str:
    """The comparison form of an agency name: key form, no Cf characters, no bracketed notes, 政府."""
    return _BRACKETS.sub("", key(strip_format(name))).replace("人民政府", "政府")


@dataclass(frozen=True)
class Identity:
    """Who published a report: ``key`` (None when it cannot be told), the division's code when known, and
    how it was found — or why not — in Chinese; ``ambiguous``: the name is of several places (``candidates``,
    the divisions it may be, or none listed for a township printed without its county)."""

    key: str | None
    how: str
    division: str | None = None
    candidates: tuple[str, ...] = ()
    ambiguous: bool = False


@dataclass(frozen=True)
class Parsed:
    """A normalised name split into its region (the innermost division's possible codes, and the names read)
    and its body."""

    codes: frozenset[str]
    regions: tuple[str, ...]
    body: str


def _outermost(found: frozenset[str]) -> frozenset[str]:
    """Drop codes that lie within another of ``found`` (北京市 is both 110000 and 110100)."""
    return frozenset(c for c in found if not any(divisions.within(c, o) for o in found))


@short_cache
def parse(k: str) -> Parsed:
    """Read division names off the start of ``k`` while each lies within the one before; the rest is the body
    (never empty)."""
    found: frozenset[str] = frozenset()
    regions: list[str] = []
    pos = 0
    while True:
        step = None
        for n in range(min(divisions.LONGEST, len(k) - pos - 1), 1, -1):
            here = divisions.codes(k[pos:pos + n])
            inner = divisions.narrow(here, found) if found else here
            if inner:
                step = n, inner
                break
        if step is None:
            break
        regions.append(k[pos:pos + step[0]])
        found = _outermost(step[1])
        pos += step[0]
    return Parsed(found, tuple(regions), k[pos:])


def _innermost(k: str) -> str:
    """The innermost region and the body of a name whose regions the table does not know (示例市示例县教育局
    → 示例县教育局), as identity was read before the division table."""
    regions = []
    while True:
        m = _REGION.match(k)
        if not m or _NOT_REGION.search(m.group(1)) or len(k) == len(m.group(1)):
            break
        regions.append(m.group(1))
        k = k[len(m.group(1)):]
    return (regions[-1] if regions else "") + k


def _place(code: str) -> str:
    """What tells one candidate division from the others: its city (or province)."""
    outer = divisions.parents(code)
    return outer[-1] if outer else divisions.name_of(code)


def _in_text(code: str, text: str) -> bool:
    """Whether ``text`` names the division with its city: "南京市鼓楼区" or "南京鼓楼区"."""
    name = divisions.name_of(code)
    for outer in divisions.parents(code)[-1:]:
        short = re.sub(r"(市|地区|盟|自治州|省|自治区)$", "", outer)
        if outer + name in text or (len(short) >= 2 and short + name in text):
            return True
    return False


def identify(name: str | None, region: str = "", text: str | Callable[[], str] = "") -> Identity:
    """The identity of an agency name; ``region`` the workspace's declared region, ``text`` the report's own
    text (or a function giving it, called only when the name is ambiguous)."""
    if not name or not normal(name):
        return Identity(None, "机关名称未识别")
    k = normal(name)
    parsed = parse(k)
    if not parsed.codes:
        inner = _innermost(k)
        if inner != k and parse(inner).codes:  # 某市鼓楼区…: an unknown region, then one the table knows
            return identify(inner, region, text)
        township = _TOWNSHIP.match(inner) if inner == k else None
        if township:
            return _township(k, township.group(1), region, text)
        return Identity(inner, "名称相同" if inner == key(name) else f"名称归一为“{inner}”")
    found = parsed.codes
    how = ""
    where = parsed.regions[-1]
    if len(found) > 1 and region:
        declared = divisions.read_region(region)
        inside = divisions.narrow(found, declared)
        if len(inside) == 1:
            how = f"“{where}”在多个地方均有，按工作区声明的地区“{region}”"
            found = inside
    if len(found) > 1:
        body = text() if callable(text) else text
        hits = frozenset(c for c in found if _in_text(c, key(strip_format(body)))) if body else frozenset()
        if len(hits) == 1:
            how = f"“{where}”在多个地方均有，按报告正文中所写的“{_place(next(iter(hits)))}{where}”"
            found = hits
    if len(found) > 1:
        places = "、".join(dict.fromkeys(_place(c) for c in sorted(found)))
        said = f"声明的地区“{region}”不能确定是哪一个" if region else "未声明地区"
        return Identity(None, f"{where}在多个地方（{places}）均有，{said}，报告正文也未写明，不与往年配对",
                        candidates=tuple(sorted(found)), ambiguous=True)
    code = next(iter(found))
    ident = divisions.qualified(code) + parsed.body
    how = (how + f"确定为{divisions.full_name(code)}") if how else f"名称中的地区为{divisions.full_name(code)}"
    return Identity(ident, how, code)


def _township(k: str, place: str, region: str, text: str | Callable[[], str]) -> Identity:
    """A township or street office printed without its county (太平镇政府): its county from the declared region,
    else from the report's text (the county printed before the township: 桃江县太平镇); else none."""
    declared = divisions.read_region(region) if region else frozenset()
    if len(declared) == 1:
        code = next(iter(declared))
        return Identity(divisions.qualified(code) + k, f"“{place}”未写明所属县（区），按工作区声明的地区“{region}”"
                        f"确定为{divisions.full_name(code)}{place}", code)
    body = key(strip_format(text() if callable(text) else text))
    found: set[str] = set()
    for m in re.finditer(re.escape(place), body):
        before = body[max(0, m.start() - divisions.LONGEST):m.start()]
        found |= next((divisions.codes(before[-n:]) for n in range(len(before), 1, -1) if divisions.codes(before[-n:])),
                      frozenset())
    found = set(_outermost(frozenset(found)))
    if len(found) == 1:
        code = found.pop()
        return Identity(divisions.qualified(code) + k, f"“{place}”未写明所属县（区），按报告正文中所写的"
                        f"“{divisions.name_of(code)}{place}”确定为{divisions.full_name(code)}{place}", code)
    said = f"声明的地区“{region}”不能确定是哪一个" if region else "未声明地区"
    return Identity(None, f"“{place}”未写明所属县（区），各地同名的乡镇、街道很多，{said}，报告正文也未写明，不与往年配对",
                    ambiguous=True)


@short_cache
def agency_key(name: str) -> str:
    """The identity key of an agency name read alone (a name whose region is ambiguous gets a key of its own
    marked "?", never shared with the same name of another place: pair with :func:`identify`).

    >>> agency_key("吴忠市盐池县财政局") == agency_key("盐池县财政局")
    True
    """
    found = identify(name)
    return found.key if found.key is not None else f"?{normal(name)}"


def fingerprint_identity(meta: Mapping[str, Any]) -> str:
    """The agency part of a finding's fingerprint: the name's key form as before (so decisions recorded on it
    stay valid) when the name tells one agency; when it cannot — its region is in several places, or it is a
    township or street office printed without its county — the report's own id, so that two agencies'
    reports printing the same name never share a decision."""
    name = meta.get("agency") or ""
    who = key(strip_format(name))
    if not who:
        return str(meta.get("report_id", ""))
    if _ambiguous_alone(name):
        return f"{who}#{meta.get('report_id', '')}"
    return who


@short_cache
def _ambiguous_alone(name: str) -> bool:
    """Whether a name read alone cannot tell its agency (asked once per result row: cached per name)."""
    return identify(name).ambiguous
