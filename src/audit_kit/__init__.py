"""audit-kit: read and audit 政府信息公开工作年度报告 (China's government information disclosure reports).

``load`` and ``Report`` are imported on first use (PEP 562): the command line starts without pandas, so
``audit-kit memo`` can start its kernel while the rest is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import AuditKitError

if TYPE_CHECKING:
    import pandas as pd

    from .report import Report, load


def __getattr__(name: str) -> Any:
    if name in ("Report", "load"):
        from . import report

        return getattr(report, name)
    raise AttributeError(f"module 'audit_kit' has no attribute {name!r}")


def check(report: Report, prior: Report | None = None) -> pd.DataFrame:
    """Run every check of docs/checks.md on ``report`` (and ``prior``, last year's report of the same agency)."""
    from .checks import check as _check

    return _check(report, prior)

__version__ = "0.1.0"
__all__ = ["AuditKitError", "Report", "__version__", "check", "load"]
