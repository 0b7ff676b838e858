"""Text normalisation shared by readers, the extractor and metadata: one place for NFKC, traditional →
simplified, pinyin glosses from mirror sites, and the keys labels are matched by."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import opencc

T = TypeVar("T")
_T2S = opencc.OpenCC("t2s")
_PINYIN = re.compile(r"\(([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)")
_SPACE = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")
_NOISE = re.compile(r"[?|*]")
_ENUM = re.compile(r"^(\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[、.]|\(\d{1,2}\))")
_PAREN = re.compile(r"\([^()]*\)|\([^()]*$")
_PUNCT = re.compile(r"[,、;:。.]")
# Footnote markers that NFKC would turn into digits: circled, parenthesised and full-stop numbers (① ⑴ ⒈ ㉑),
# superscript and subscript digits (¹ ² ³ ⁴). After a number they are a note's mark, never its digits: NFKC
# would read "3①" as 31 and "12¹" as 121. :func:`nfkc` keeps them as printed; numbers.py reads them.
FOOTNOTE_MARKS = ("\u2460-\u249b\u24ea-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf"
                  "\u00b9\u00b2\u00b3\u2070\u2074-\u2079\u2080-\u2089")
_MARKS = re.compile(f"[{FOOTNOTE_MARKS}]")


def nfkc(text: str) -> str:
    """NFKC (full-width digits and letters, Kangxi radicals, compatibility forms to their plain forms), with
    footnote markers (:data:`FOOTNOTE_MARKS`) kept as printed."""
    if not _MARKS.search(text):
        return unicodedata.normalize("NFKC", text)
    parts, last = [], 0
    for m in _MARKS.finditer(text):
        parts += [unicodedata.normalize("NFKC", text[last:m.start()]), m.group()]
        last = m.end()
    parts.append(unicodedata.normalize("NFKC", text[last:]))
    return "".join(parts)


def as_printed(text: str) -> str:
    """NFKC (footnote markers kept) and pinyin glosses dropped, characters kept as printed (traditional stays
    traditional)."""
    text = nfkc(text)
    return _PINYIN.sub("", text) if "(" in text else text


def clean(text: str) -> str:
    """NFKC, drop pinyin glosses ("規(guī)章" → "規章"), convert traditional to simplified characters.

    Whitespace is kept; use :func:`squash` to drop it.
    """
    text = as_printed(text)
    if not text.isascii():
        text = _T2S.convert(text)
    return text


def squash(text: str) -> str:
    """Drop all whitespace (including ideographic spaces and NBSP)."""
    return _SPACE.sub("", text)


def short_cache(fn: Callable[[str], T]) -> Callable[[str], T]:
    """``lru_cache`` for a function of one string, used for short strings only: labels, cells and headings
    repeat across reports, whole paragraphs do not — cached, they would fill a batch worker's memory."""
    cached = lru_cache(maxsize=65536)(fn)

    @functools.wraps(fn)
    def wrapper(text: str) -> T:
        return cached(text) if len(text) <= 200 else fn(text)

    wrapper.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return wrapper


@short_cache
def key(text: str) -> str:
    """Comparison key of a label or heading: cleaned, no whitespace, quotes or stray '?', '|'."""
    return _NOISE.sub("", _QUOTES.sub("", squash(clean(text))))


@short_cache
def label_parts(text: str) -> tuple[str, str]:
    """Split a label into (enumerator, body): "(二)部分公开(区分处理的…)" → ("(二)", "部分公开").

    The body loses parenthesised notes (fill-in instructions pasted into labels) and separators, so that
    "申请人无正当理由逾期不补正,行政机关…" and "…不补正、行政机关…" compare equal.
    """
    k = key(text)
    m = _ENUM.match(k)
    enum = m.group(1) if m else ""
    body = k[len(enum):]
    prev = None
    while prev != body:
        prev, body = body, _PAREN.sub("", body)
    if ":" in body[2:]:  # "规章:地方行政规章指…" — a definition pasted after the label
        body = body[: body.index(":", 2)]
    body = _PUNCT.sub("", body)
    enum = enum.replace("、", ".").rstrip(".") if enum else ""
    return enum, body
