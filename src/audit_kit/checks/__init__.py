"""The checks of docs/checks.md, each a small registered function. ``check(report, prior)`` runs them all."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pandas as pd

from ..report import Report
from . import arithmetic, narrative, structure, years  # noqa: F401 - importing registers the checks
from .registry import REGISTRY, RESULT_COLUMNS, run


def check(report: Report, prior: Report | None = None) -> pd.DataFrame:
    """One row per check and location (columns as interfaces.md fixes them)."""
    return run(report, prior)


# What the results of the checks depend on besides the report: the check modules, the narrative parser
# they use and the template data. Results stored in a workspace carry this fingerprint.
_PACKAGE = Path(__file__).resolve().parent.parent
_SOURCES = ("checks/*.py", "narrative.py", "numbers.py", "normalize.py", "sections.py", "templates.py", "data/*.csv")


@functools.cache
def checks_fingerprint() -> str:
    """A hash of the source of the checks (and what they read): stored results are reused only while it
    is unchanged."""
    digest = hashlib.sha256()
    for pattern in _SOURCES:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


__all__ = ["REGISTRY", "RESULT_COLUMNS", "check", "checks_fingerprint"]
