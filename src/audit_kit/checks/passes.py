"""Which checks run when: the one-report checks (a batch's first pass) and the cross-year checks (its second,
once every report of the run is stored and paired), and the Y-0 finding that replaces the cross-year checks
when last year's versions cannot be ordered. A report's results are stored in this order, whoever ran them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ..model.report import Report, ReportMeta
from ..vocabulary import Status
from .registry import REGISTRY, Light, Result, fingerprint, run_rows

UNORDERED = "Y-0"  # the finding for a prior year whose versions cannot be ordered


def one_report() -> list[str]:
    """The ids of the checks that need no prior-year report."""
    return [cid for cid, spec in REGISTRY.items() if "prior" not in spec.needs]


def cross_year() -> list[str]:
    """The ids of the checks that compare a report with last year's."""
    return [cid for cid, spec in REGISTRY.items() if "prior" in spec.needs]


def unordered_rows(meta: Mapping[str, Any], files: tuple[str, ...], rows: list[dict]) -> list[dict]:
    """The Y-0 finding for a report whose prior year has versions that cannot be ordered, and its cross-year
    rows saying why they were not run."""
    year = (meta.get("report_year") or 0) - 1
    result = Result(Status.FAIL, f"{year} 年度报告有 {len(files)} 个版本，按发布日期、正文日期和标题都无法判断哪一份在后："
                    f"{'、'.join(files)}；未做跨年核对，请核实正式版本", evidence=[{"report": f} for f in files])
    finding = {"report_id": meta["report_id"], "check_id": UNORDERED, "status": "fail", "severity": "warning",
               "table": None, "row": None, "col": None, "expected": None, "actual": None, "message": result.message,
               "evidence": result.evidence, "fingerprint": fingerprint(cast(ReportMeta, meta), UNORDERED, result)}
    why = f"上年度报告有多个版本无法判断先后，未做跨年核对（见 {UNORDERED}）"
    return [finding, *({**r, "message": why} if r["status"] == "not_assessable" else r for r in rows)]


def cross_year_rows(report: Report | Light, prior: Report | Light | None, unordered: tuple[str, ...] = ()) -> list[dict]:
    """The cross-year results of a report (the Y-0 finding first when last year cannot be ordered)."""
    rows = run_rows(report, prior, ids=cross_year())
    return unordered_rows(report.meta, unordered, rows) if unordered else rows


def all_rows(report: Report, prior: Report | None, unordered: tuple[str, ...] = ()) -> list[dict]:
    """Every result of a report, one-report checks first, as a batch stores them."""
    return run_rows(report, None, ids=one_report()) + cross_year_rows(report, prior, unordered)
