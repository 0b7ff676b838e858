"""The checks of docs/checks.md, each a small registered function. ``check(report, prior)`` runs them all."""

from __future__ import annotations

import pandas as pd

from ..model.report import Report
from . import arithmetic, narrative, structure, years  # noqa: F401 - importing registers the checks
from .code import checks_fingerprint
from .registry import REGISTRY, RESULT_COLUMNS, run


def check(report: Report, prior: Report | None = None) -> pd.DataFrame:
    """One row per check and location (columns as docs/interfaces.md fixes them)."""
    return run(report, prior)


__all__ = ["REGISTRY", "RESULT_COLUMNS", "check", "checks_fingerprint"]
