"""A report under audit taken from the workspace: found by path or by stored id, paired with its prior,
and its check results read from the workspace — computed (and stored) only when missing.

A file whose bytes are stored is never read again: its report comes from the store. Results are keyed
by report, prior and check code (:mod:`.results`), so a batch's results are the ones the notebooks and the
memo show, and a memo can be written after the original file moved or was deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..checks.passes import all_rows
from ..checks.registry import RESULT_COLUMNS
from ..errors import FileMissingError, UnknownReportError
from ..extract.loader import load
from ..model.report import Report
from . import priors
from .ledger import Ledger
from .results import pack, unpack

if TYPE_CHECKING:
    from .folder import Workspace


@dataclass
class Audit:
    """One report under audit: the report, its prior (if any), why they were paired, the results (and
    whether they were computed now), the workspace they come from and who audits and reviews."""

    report: Report
    prior: Report | None
    pairing: str
    results: pd.DataFrame
    workspace: Workspace
    computed: bool = False
    auditor: str = ""  # the auditor's name given, else the workspace's setting
    reviewer: str = ""  # the reviewer's name given, else the workspace's setting
    _annotated: tuple[int, pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    @property
    def ledger(self) -> Ledger:
        return self.workspace.ledger

    @property
    def annotated(self) -> pd.DataFrame:
        """The results with the ledger's latest decisions — computed again only when a decision was recorded
        since (the memo's sections ask for it several times)."""
        version = self.ledger.version()
        if self._annotated is None or self._annotated[0] != version:
            self._annotated = (version, self.ledger.annotate(self.results))
        return self._annotated[1]


def resolve(workspace: Workspace, ref: str | Path) -> Report:
    """The report ``ref`` names: a file (taken from the store when its bytes are stored, else read once and
    stored) or the id of a stored report (or a prefix naming exactly one)."""
    db = workspace.reports
    path = Path(ref)
    if path.is_file():
        rid = db.stored_ids([path], workspace.config).get(path)
        found = db.get(rid) if rid else None
        if found is not None:
            return found
        report = load(path, workspace.config)
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


def open_audit(workspace: Workspace, ref: str | Path, prior_ref: str | Path = "", force_prior: bool = False) -> Audit:
    """The report ``ref`` of the workspace with its prior (``prior_ref``, else last year's from the store by
    the store's pairing rule) and its results (stored ones when there are, else computed and stored)."""
    report = resolve(workspace, ref)
    unordered: tuple[str, ...] = ()
    prior: Report | None
    if prior_ref:
        prior = resolve(workspace, prior_ref)
        pairing = priors.pairing(report, prior, prior_ref, force_prior, workspace.reports.aliases)
    else:
        prior, found = workspace.reports.prior(report)
        pairing, unordered = found.reason, found.unordered
    settings = workspace.settings
    prior_id = prior.report_id if prior is not None else None
    results = workspace.results.get(report.report_id, prior_id)
    if results is not None:
        return Audit(report, prior, pairing, results, workspace, False, settings.auditor, settings.reviewer)
    rows = all_rows(report, prior, unordered)
    blob = pack(rows)
    workspace.results.put_many([(report.report_id, prior_id, blob, len(rows))])
    # the rows as stored (JSON round trip), so a decision made now matches the memo's results later
    return Audit(report, prior, pairing, pd.DataFrame(unpack(blob), columns=RESULT_COLUMNS), workspace, True,
                 settings.auditor, settings.reviewer)
