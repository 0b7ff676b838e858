"""audit-kit: read and audit 政府信息公开工作年度报告 (China's government information disclosure reports)."""

from __future__ import annotations

from .errors import AuditKitError
from .report import Report, load


def check(report: Report, prior: Report | None = None):
    """Run every check of docs/checks.md on ``report`` (and ``prior``, last year's report of the same agency)."""
    from .checks import check as _check

    return _check(report, prior)

__version__ = "0.1.0"
__all__ = ["AuditKitError", "Report", "__version__", "check", "load"]
