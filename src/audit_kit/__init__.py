"""audit-kit: read and audit 政府信息公开工作年度报告 (China's government information disclosure reports).

The entry points a notebook user needs::

    report = audit_kit.load("年报.pdf")          # read any supported file (extract/loader.py)
    results = audit_kit.check(report, prior)      # every check (checks/)
    with audit_kit.Workspace("audit-store") as ws:  # stored reports, results, ledger, settings (workspace/)
        audit = ws.open("年报.pdf")
    audit_kit.run_batch("年报/", "输出/")          # a whole folder (batch/)
    audit_kit.write_memo("年报.pdf", "意见书.html")  # the 审核意见书 (memo/)

Everything is imported on first use (PEP 562): the command line starts without pandas, so ``audit-kit memo``
can start its kernel while the rest is imported."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .bundled import __version__
from .errors import AuditKitError

if TYPE_CHECKING:
    import pandas as pd

    from .batch.client import run_batch
    from .config import Config
    from .extract.loader import load
    from .memo.write import write_memo, write_memos
    from .model.report import Report
    from .workspace.access import Workspace


_LAZY = {"load": "extract.loader", "Report": "model.report", "Workspace": "workspace.access", "Config": "config",
         "run_batch": "batch.client", "write_memo": "memo.write", "write_memos": "memo.write"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'audit_kit' has no attribute {name!r}")


def check(report: Report, prior: Report | None = None) -> pd.DataFrame:
    """Run every check of docs/checks.md on ``report`` (and ``prior``, last year's report of the same agency)."""
    from .checks import check as _check

    return _check(report, prior)


__all__ = ["AuditKitError", "Config", "Report", "Workspace", "__version__", "check", "load", "run_batch", "write_memo",
           "write_memos"]
