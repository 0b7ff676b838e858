"""The one way into stored state: :class:`Workspace`, an open workspace folder with its reports, results,
ledger and settings, and the :class:`Audit` of one report opened in it — found by path or by stored id, paired
with its prior, and its check results read from the workspace (computed and stored only when missing).

A file whose bytes are stored is never read again: its report comes from the store. Results are keyed
by report, prior and check code (:mod:`.results`), so a batch's results are the ones the notebooks and the
memo show, and a memo can be written after the original file moved or was deleted.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ..checks.passes import all_rows
from ..checks.registry import RESULT_COLUMNS
from ..config import Config
from ..errors import FileMissingError, UnknownReportError, WorkspaceError
from ..extract.loader import load
from ..model.report import Report
from . import priors
from .folder import FORMAT, MARKER, Settings, ledger_path, locate, read_settings, write_json
from .ledger import Ledger
from .reports import ReportStore
from .results import ResultStore, pack, unpack
from .signoffs import SignOffs


class Workspace:
    """An open workspace folder (created when missing): the one way into stored state.

    ``reports`` (the stored reports), ``results`` (their check results), ``ledger`` (the decisions; another
    file when ``ledger`` is given) and ``settings`` (the auditor's), each opened on first use; ``open(ref)``
    a report by path or stored id with its prior and results. ``config`` is the run's configuration with the
    OCR cache in the workspace. Use it in a ``with`` block (or call :meth:`close`) to close its databases."""

    def __init__(self, root: str | Path, config: Config | None = None, ledger: str | Path | None = None) -> None:
        self.root = Path(root).expanduser().resolve()
        if self.root.exists() and not self.root.is_dir():
            raise WorkspaceError(str(self.root), "不是文件夹，不能用作审核工作区（--store）")
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / MARKER).exists() and os.access(self.root, os.W_OK):  # a read-only one is only read
            write_json(self.root / MARKER, {"format": FORMAT, "created": dt.datetime.now().isoformat(timespec="seconds")})
        self.config = (config or Config.from_env()).in_workspace(self.root)
        self.ledger_path = ledger_path(self.root, ledger)
        self._reports: ReportStore | None = None
        self._results: ResultStore | None = None
        self._ledger: Ledger | None = None
        self._signoffs: SignOffs | None = None

    @classmethod
    def find(cls, explicit: str | Path | None = None, start: str | Path | None = None, config: Config | None = None,
             ledger: str | Path | None = None) -> Workspace:
        """The workspace by the one rule (see :func:`locate`)."""
        return cls(locate(explicit, start), config, ledger)

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the databases opened so far (they open again when next used)."""
        for db in (self._reports, self._results, self._ledger):
            if db is not None:
                db.close()
        self._reports = self._results = self._ledger = None
        self._signoffs = None

    @property
    def notes(self) -> list[str]:
        """What opening the workspace's files did (a damaged results file rebuilt, a ledger upgraded), in Chinese."""
        return [*(self._results.notes if self._results else []), *(self._ledger.notes if self._ledger else [])]

    @property
    def reports(self) -> ReportStore:
        if self._reports is None:
            self._reports = ReportStore(self.root)
        return self._reports

    @property
    def results(self) -> ResultStore:
        if self._results is None:
            self._results = ResultStore(self.root)
        return self._results

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger(self.ledger_path)
        return self._ledger

    @property
    def signoffs(self) -> SignOffs:
        """The auditors' conclusions and the reviewers' 复核, in the ledger's file."""
        if self._signoffs is None:
            self._signoffs = SignOffs(self.ledger)
        return self._signoffs

    def report(self, ref: str | Path) -> Report:
        """The report ``ref`` names: a file (taken from the store when its bytes are stored, else read once and
        stored) or the id of a stored report (or a prefix naming exactly one)."""
        return resolve(self, ref)

    def open(self, ref: str | Path, prior: str | Path = "", force_prior: bool = False) -> Audit:
        """The report ``ref`` with its prior (``prior``, else last year's from the store) and its results
        (stored ones when there are, else computed and stored); see :mod:`.audit`."""
        return open_audit(self, ref, prior, force_prior)

    def findings(self, report_id: str) -> pd.DataFrame:
        """The results of a stored report as its audit shows them — against the prior the pairing rule gives
        now, as :meth:`open` gives them — without the ledger's decisions (``ledger.annotate`` adds them). The
        one source of truth of the walker, the batch overview, ``index.html``, the Excel export and the memo."""
        return self.open(report_id).results

    @property
    def settings_path(self) -> Path:
        return self.root / "settings.json"

    @property
    def settings(self) -> Settings:
        """The auditor's settings (defaults when none were saved); a file that cannot be read as settings
        raises :class:`WorkspaceError` naming the line (see :func:`.folder.read_settings`)."""
        return read_settings(self.settings_path)

    def save_settings(self, **changes: str) -> Settings:
        """Change some settings (``auditor=…``, ``reviewer=…``) and write them at once."""
        settings = self.settings
        for name, value in changes.items():
            if name not in Settings.__dataclass_fields__:
                raise ValueError(f"unknown setting {name!r}")
            setattr(settings, name, value)
        write_json(self.settings_path, asdict(settings))
        if "region" in changes and self._reports is not None:
            self._reports.set_region(settings.region)  # the stored identities follow the declared region
        return settings

    def declare_region(self, region: str | None) -> None:
        """Declare the workspace's region (``--region``; kept in ``settings.json`` for later runs and for the
        batch's workers and the memo's kernel); raises :class:`WorkspaceError` when it names no division."""
        if not region or region.strip() == self.settings.region:
            return
        from ..model.divisions import read_region

        if not read_region(region):
            raise WorkspaceError(region, "不是可识别的行政区划名称（如“南京市”“江苏省南京市”或代码“320100”）")
        self.save_settings(region=region.strip())


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
        raise UnknownReportError(str(ref), f"工作区 {db.path} 中该报告的单元格文件缺失或损坏；请用原文件重新运行 "
                                 "audit-kit batch（或以文件路径运行 memo），会重新读取并修复")
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
        pairing = priors.pairing(report, prior, prior_ref, force_prior, workspace.reports.aliases,
                                 workspace.reports.region)
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
