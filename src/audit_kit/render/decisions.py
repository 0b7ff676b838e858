"""A ledger decision as one readable line for the memo and the walker:
"待核实（张审核，2026-11-29 04:42）", "确认问题（张审核，2026-11-29 04:42）：表三总计有误" — no dangling
punctuation when the comment or the auditor is missing, and the time without seconds or a "T"."""

from __future__ import annotations

import datetime as dt

from ..model.numbers import missing
from ..vocabulary import UNDECIDED


def readable_time(stamp: object) -> str:
    """An ISO time as ``2026-11-29 04:42`` (text that is not an ISO time is returned as it is)."""
    text = "" if missing(stamp) else str(stamp).strip()
    try:
        return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text


def decision_line(decision: object, comment: object = "", auditor: object = "", decided_at: object = "") -> str:
    """The decision (its Chinese name), who and when in brackets, then the comment after a colon if any."""

    def clean(x: object) -> str:
        return "" if missing(x) else str(x).strip()

    head = clean(decision) or UNDECIDED
    who = "，".join(x for x in (clean(auditor), readable_time(decided_at)) if x)
    line = f"{head}（{who}）" if who else head
    note = clean(comment)
    return f"{line}：{note}" if note else line
