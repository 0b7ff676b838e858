"""The words audit-kit uses for a result's status, a check's severity and an auditor's decision: one
``StrEnum`` each, whose values are what the result frames and the ledger store (docs/interfaces.md §1) and whose
``.zh`` is the Chinese name every view shows. The members are listed in display order."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Named(StrEnum):
    """A string enum member that also carries its Chinese name (``.zh``)."""

    zh: str

    def __new__(cls, value: str, zh: str = "") -> Self:  # zh: given by each member's definition
        member = str.__new__(cls, value)
        member._value_ = value
        member.zh = zh
        return member

    @classmethod
    def names(cls) -> dict[str, str]:
        """value → Chinese name, in display order."""
        return {m.value: m.zh for m in cls}

    @classmethod
    def zh_of(cls, value: object, default: str | None = None) -> str:
        """The Chinese name of ``value``; ``default`` (else the value itself) when it is no member."""
        try:
            return cls(str(value)).zh
        except ValueError:
            return str(value) if default is None else default


class Status(_Named):
    """The status of one result row."""

    FAIL = "fail", "不通过"
    NOT_ASSESSABLE = "not_assessable", "无法判断"
    PASS = "pass", "通过"


class Severity(_Named):
    """The severity of a check (meaningful where its status is ``fail``)."""

    ERROR = "error", "错误"
    WARNING = "warning", "警告"
    INFO = "info", "提示"


class Decision(_Named):
    """An auditor's decision on a finding, as the ledger stores it."""

    CONFIRMED = "confirmed", "确认问题"
    DISMISSED = "dismissed", "排除"
    PENDING = "pending", "待核实"


class Verdict(_Named):
    """The 审核结论 of a report, as an action on its publication (the auditor's, in the sign-offs)."""

    APPROVE = "approve", "同意发布"
    REVISE = "revise", "修改后发布"
    REDO = "redo", "退回重新编制"


class ReviewVerdict(_Named):
    """The reviewer's (复核人) verdict on the auditor's conclusion."""

    PASSED = "passed", "复核通过"
    RETURNED = "returned", "退回"


class CellStatus(_Named):
    """The status of one table cell (``report.cells["status"]``; ``missing``: the input has no such cell)."""

    NUMBER = "number", "数字"
    BLANK = "blank", "空白"
    TEXT = "text", "文字"
    MISSING = "missing", "未读到"


UNDECIDED = "未审核"  # a finding without a decision
UNREVIEWED = "未复核"  # a conclusion no reviewer has passed or returned yet
STALE = "数据已变化，请复核"  # a decision made on values that have changed since


UNREAD = "（未读到）"  # a cell or count the report does not give (table cut off, row missing)
