"""The six section headings of the national form, the variants real reports print, and which section a line heads."""

from __future__ import annotations

import re

from .text import key, short_cache

SECTION_NUMBERS = ("一", "二", "三", "四", "五", "六")

OFFICIAL_HEADINGS = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}

# Accepted variants (docs/format.md §2.3); S-2 reports any wording that is not the official one.
HEADING_VARIANTS = {
    "四": ("四、因政府信息公开工作被申请行政复议提起行政诉讼情况",
           "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    "五": ("五、政府信息公开工作存在的主要问题及改进情况", "五、存在问题及改进情况"),
}

_KEYWORDS = {
    "一": ("总体情况", "概述"),
    "二": ("主动公开",),
    "三": ("收到和处理", "依申请公开"),
    "四": ("行政复议", "行政诉讼"),
    "五": ("存在的主要问题", "问题及改进", "存在问题", "主要问题"),
    "六": ("其他需要报告",),
}

_DIGITS = {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六"}

_HEAD = re.compile(r"^(?P<num>[一二三四五六]|[1-6])[、.,]")

_MAX_HEADING = 40


@short_cache
def heading_number(text: str) -> str | None:
    """The section ("一".."六") a line is the heading of, or None. Lines longer than a heading are not."""
    k = key(text)
    m = _HEAD.match(k)
    if not m or len(k) > _MAX_HEADING:
        return None
    body = k[m.end():].rstrip("。:")
    if any(p in body for p in "。,;"):
        return None
    num = _DIGITS.get(m.group("num"), m.group("num"))
    if any(w in body for w in _KEYWORDS[num]):
        return num
    for other, words in _KEYWORDS.items():  # numbered wrong but worded as another section
        if any(w in body for w in words) and body.endswith(("情况", "事项")):
            return other
    return None
