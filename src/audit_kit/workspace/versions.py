"""Which of several versions of one agency's report for one year is the later one — by a rule that reads
only what the reports say, never the order in which they were read, stored or scheduled.

Two versions are compared criterion by criterion; the first criterion that tells them apart decides:

1. the publication date (``meta["published"]``), when both have one;
2. the latest date written in the title and the six parts of the text, when both have one;
3. what the title says of the report itself: a draft (征求意见稿, 草稿, 初稿, 送审稿, 讨论稿) comes before an
   ordinary report, an ordinary report before a corrected one (更正, 修订, 修正).

Nothing else orders them: a file name, a hash or the time a file was stored says nothing about which
version was published last. The version to use is the one later than every other; when no version is,
the versions cannot be ordered and the caller says so instead of picking one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model.text import key

_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
_DRAFT = re.compile(r"征求意见稿|草稿|初稿|送审稿|讨论稿|草案")
_CORRECTED = re.compile(r"更正|修订|修正")
DRAFT, ORDINARY, CORRECTED = 0, 1, 2


@dataclass(frozen=True)
class Version:
    """What the rule reads of one stored version."""

    report_id: str
    source: str
    published: dt.date | None
    text_date: dt.date | None
    mark: int  # DRAFT, ORDINARY or CORRECTED


def latest_date(text: str) -> dt.date | None:
    """The latest valid date written as ``YYYY年M月D日`` in ``text`` (full-width digits too)."""
    found = []
    for y, m, d in _DATE.findall(key(text)):
        try:
            found.append(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return max(found, default=None)


def mark_of(title: str | None) -> int:
    """DRAFT, CORRECTED or ORDINARY, from what the title says of the report."""
    t = key(title or "")
    if _DRAFT.search(t):
        return DRAFT
    return CORRECTED if _CORRECTED.search(t) else ORDINARY


def version_of(report_id: str, source: str, meta: dict, sections: dict) -> Version:
    """A version from a report's meta and sections (``published`` a date or an ISO string)."""
    published = meta.get("published")
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    text = "\n".join([meta.get("title") or "", *(s.get("text", "") for s in sections.values())])
    return Version(report_id, source, published, latest_date(text), mark_of(meta.get("title")))


def compare(a: Version, b: Version) -> tuple[int, str]:
    """1 when ``a`` is later, -1 when ``b`` is, 0 when the rule cannot tell; and the criterion, in Chinese."""
    criteria: tuple[tuple[str, Any, Any], ...] = (  # dates, then marks: each pair compared with its own kind
        ("发布日期", a.published, b.published), ("正文中最晚的日期", a.text_date, b.text_date),
        ("标题所示的稿次", a.mark, b.mark))
    for name, x, y in criteria:
        if x is not None and y is not None and x != y:
            return (1 if x > y else -1), name
    return 0, ""


def pick(versions: Sequence[Version]) -> tuple[Version | None, str, list[Version]]:
    """The version later than every other, and why; or None, "" and the versions that tie for the top
    (those no other version is later than), sorted by file name."""
    if len(versions) == 1:
        return versions[0], "", []
    for v in versions:
        outcomes = [compare(v, o) for o in versions if o is not v]
        if all(c == 1 for c, _ in outcomes):
            return v, "、".join(sorted({why for _c, why in outcomes})), []
    top = [v for v in versions if not any(compare(o, v)[0] == 1 for o in versions if o is not v)]
    return None, "", sorted(top or versions, key=lambda v: (v.source, v.report_id))


def ranks(versions: Sequence[Version]) -> dict[str, int]:
    """A version number per report id: 1 + how many other versions are earlier by the rule (versions the
    rule cannot order may share a number)."""
    return {v.report_id: 1 + sum(compare(v, o)[0] == 1 for o in versions if o is not v) for v in versions}
