"""A report under audit taken from the workspace: found by path or by stored id, paired with its prior,
and its check results read from the workspace — computed (and stored) only when missing.

A file whose bytes are stored is never read again: its report comes from the store. Results are keyed
by report, prior and check code (:mod:`audit_kit.results_store`), so a batch's results are the ones the
notebooks and the memo show, and a memo can be written after the original file moved or was deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from .checks.registry import REGISTRY, RESULT_COLUMNS, Result, fingerprint
from .errors import FileMissingError, UnknownReportError
from .meta import ReportMeta
from .report import Report, load
from .results_store import ResultStore, pack, unpack
from .store import ReportStore

UNORDERED = "Y-0"  # the finding for a prior year whose versions cannot be ordered
ONE_REPORT = [cid for cid, spec in REGISTRY.items() if "prior" not in spec.needs]
CROSS_YEAR = [cid for cid, spec in REGISTRY.items() if "prior" in spec.needs]


@dataclass
class Stored:
    """A report, its prior (if any), why they were paired, the results, and whether they were computed now."""

    report: Report
    prior: Report | None
    pairing: str
    results: pd.DataFrame
    computed: bool


def resolve(db: ReportStore, ref: str | Path) -> Report:
    """The report ``ref`` names: a file (taken from the store when its bytes are stored, else read once and
    stored) or the id of a stored report (or a prefix naming exactly one)."""
    from . import readers

    path = Path(ref)
    if path.is_file():
        if readers.within_limit(path):
            rid = db.has(hashlib.sha256(path.read_bytes()).hexdigest())
            found = db.get(rid) if rid else None
            if found is not None:
                return found
        report = load(path)
        db.add(report)
        return report
    ids = db.find(str(ref))
    if len(ids) == 1:
        found = db.get(ids[0])
        if found is not None:
            return found
        raise UnknownReportError(str(ref), f"工作区 {db.path} 中该报告的数据缺失")
    if len(ids) > 1:
        raise UnknownReportError(str(ref), f"工作区 {db.path} 中有多份报告的编号以此开头，请给出更长的编号")
    if path.exists():
        raise FileMissingError(str(ref), "不是文件")
    raise FileMissingError(str(ref), f"文件不存在，也不是工作区 {db.path} 中报告的编号")


def unordered_rows(meta: Mapping[str, Any], files: tuple[str, ...], rows: list[dict]) -> list[dict]:
    """The Y-0 finding for a report whose prior year has versions that cannot be ordered, and its cross-year
    rows saying why they were not run."""
    year = (meta.get("report_year") or 0) - 1
    result = Result("fail", f"{year} 年度报告有 {len(files)} 个版本，按发布日期、正文日期和标题都无法判断哪一份在后："
                    f"{'、'.join(files)}；未做跨年核对，请核实正式版本", evidence=[{"report": f} for f in files])
    finding = {"report_id": meta["report_id"], "check_id": UNORDERED, "status": "fail", "severity": "warning",
               "table": None, "row": None, "col": None, "expected": None, "actual": None, "message": result.message,
               "evidence": result.evidence, "fingerprint": fingerprint(cast(ReportMeta, meta), UNORDERED, result)}
    why = f"上年度报告有多个版本无法判断先后，未做跨年核对（见 {UNORDERED}）"
    return [finding, *({**r, "message": why} if r["status"] == "not_assessable" else r for r in rows)]


def open_stored(workspace: str | Path, ref: str | Path, prior_ref: str | Path = "", force_prior: bool = False) -> Stored:
    """The report ``ref`` of the workspace with its prior (``prior_ref``, else last year's from the store by
    the store's pairing rule) and its results (stored ones when there are, else computed and stored)."""
    from . import priors
    from .checks.registry import run_rows

    with ReportStore(workspace) as db:
        report = resolve(db, ref)
        unordered: tuple[str, ...] = ()
        if prior_ref:
            given = resolve(db, prior_ref)
            pairing = priors.pairing(report, given, prior_ref, force_prior, db.aliases)
            prior: Report | None = given
        else:
            found = db.pair(report.meta)
            prior, pairing, unordered = None, found.reason, found.unordered
            if found.report_id:
                prior = db.get(found.report_id)
                if prior is None:
                    pairing = f"库中上年度报告 {found.report_id} 的数据缺失"
    prior_id = prior.report_id if prior is not None else None
    with ResultStore(workspace) as rs:
        results = rs.get(report.report_id, prior_id)
        if results is not None:
            return Stored(report, prior, pairing, results, computed=False)
        cross = run_rows(report, prior, ids=CROSS_YEAR)  # in the order a batch stores them
        if unordered:
            cross = unordered_rows(report.meta, unordered, cross)
        rows = run_rows(report, None, ids=ONE_REPORT) + cross
        blob = pack(rows)
        rs.put_many([(report.report_id, prior_id, blob, len(rows))])
    # the rows as stored (JSON round trip), so a decision made now matches the memo's results later
    return Stored(report, prior, pairing, pd.DataFrame(unpack(blob), columns=RESULT_COLUMNS), computed=True)
