"""The audit workspace: one folder that holds everything an audit keeps — the stored reports and their
cells, the check results of each stored report, the ledger of decisions and the auditor's settings.

The CLI, both notebooks and the memo find it by one rule (:func:`locate`), whatever the current folder
(JupyterLab starts in ``notebooks/``, the CLI usually in the project folder):

1. the folder given (``--store``, the notebooks' ``store`` parameter);
2. else the folder named by the environment variable ``AUDIT_KIT_WORKSPACE``;
3. else the nearest ``audit-store/`` workspace in the current folder or one of its parents;
4. else a new ``audit-store/`` in the nearest parent that is a project folder (holds ``.git`` or
   ``pyproject.toml``), or in the current folder.

Layout::

    audit-store/
      workspace.json      marks the folder as a workspace (format version, created)
      settings.json       the auditor's settings: 审核人, 复核人
      index.sqlite        stored reports (see store.py) and their check results
      cells/ …            cells as Parquet (see store.py)
      ledger.sqlite       the decisions (hash-chained, append-only)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from .ledger import Ledger
from .reports import ReportStore
from .results import ResultStore

if TYPE_CHECKING:
    from ..model.report import Report
    from .audit import Audit

DIRNAME = "audit-store"
MARKER = "workspace.json"
LEDGER = "ledger.sqlite"
ENV = "AUDIT_KIT_WORKSPACE"
FORMAT = 1
_PROJECT_MARKERS = (".git", "pyproject.toml")


def is_workspace(folder: Path) -> bool:
    """Whether ``folder`` is a workspace (marked, or a report store written before workspaces had a marker)."""
    return (folder / MARKER).is_file() or (folder / "index.sqlite").is_file()


def locate(explicit: str | Path | None = None, start: str | Path | None = None) -> Path:
    """The workspace folder by the rule of the module docstring (it may not exist yet)."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser().resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_workspace(folder / DIRNAME):
            return folder / DIRNAME
    for folder in (here, *here.parents):
        if any((folder / m).exists() for m in _PROJECT_MARKERS):
            return folder / DIRNAME
    return here / DIRNAME


@dataclass
class Settings:
    """What an auditor sets once per workspace and every memo and walker reuses."""

    auditor: str = ""
    reviewer: str = ""


def _write_json(path: Path, data: dict) -> None:
    """Write JSON atomically: a temporary file in the same folder, flushed, then renamed over the old one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ledger_path(root: Path, ledger: str | Path | None = None) -> Path:
    """The ledger of the workspace ``root``: its ``ledger.sqlite`` unless another file is named."""
    return Path(ledger).expanduser().absolute() if ledger else root / LEDGER


class Workspace:
    """An open workspace folder (created when missing): the one way into stored state.

    ``reports`` (the stored reports), ``results`` (their check results), ``ledger`` (the decisions; another
    file when ``ledger`` is given) and ``settings`` (the auditor's), each opened on first use; ``open(ref)``
    a report by path or stored id with its prior and results. ``config`` is the run's configuration with the
    OCR cache in the workspace. Use it in a ``with`` block (or call :meth:`close`) to close its databases."""

    def __init__(self, root: str | Path, config: Config | None = None, ledger: str | Path | None = None) -> None:
        self.root = Path(root).expanduser().resolve()
        if self.root.exists() and not self.root.is_dir():
            from ..errors import WorkspaceError

            raise WorkspaceError(str(self.root), "不是文件夹，不能用作审核工作区（--store）")
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / MARKER).exists():
            _write_json(self.root / MARKER, {"format": FORMAT, "created": dt.datetime.now().isoformat(timespec="seconds")})
        self.config = (config or Config.from_env()).in_workspace(self.root)
        self.ledger_path = ledger_path(self.root, ledger)
        self._reports: ReportStore | None = None
        self._results: ResultStore | None = None
        self._ledger: Ledger | None = None

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

    def report(self, ref: str | Path) -> Report:
        """The report ``ref`` names: a file (taken from the store when its bytes are stored, else read once and
        stored) or the id of a stored report (or a prefix naming exactly one)."""
        from .audit import resolve

        return resolve(self, ref)

    def open(self, ref: str | Path, prior: str | Path = "", force_prior: bool = False) -> Audit:
        """The report ``ref`` with its prior (``prior``, else last year's from the store) and its results
        (stored ones when there are, else computed and stored); see :mod:`.audit`."""
        from .audit import open_audit

        return open_audit(self, ref, prior, force_prior)

    @property
    def settings_path(self) -> Path:
        return self.root / "settings.json"

    @property
    def settings(self) -> Settings:
        """The auditor's settings (defaults when none were saved or the file cannot be read)."""
        try:
            data = json.loads(self.settings_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Settings()
        known = Settings.__dataclass_fields__
        return Settings(**{k: str(v) for k, v in data.items() if k in known})

    def save_settings(self, **changes: str) -> Settings:
        """Change some settings (``auditor=…``, ``reviewer=…``) and write them at once."""
        settings = self.settings
        for name, value in changes.items():
            if name not in Settings.__dataclass_fields__:
                raise ValueError(f"unknown setting {name!r}")
            setattr(settings, name, value)
        _write_json(self.settings_path, asdict(settings))
        return settings
