"""audit-kit: read and audit 政府信息公开工作年度报告 (China's government information disclosure reports)."""

from __future__ import annotations

from .errors import AuditKitError
from .report import Report, load

__version__ = "0.1.0"
__all__ = ["AuditKitError", "Report", "__version__", "load"]
