"""Batch audits of whole folders: read every supported file, check each against its prior year from the
store, and write the tables an auditor and other tools read.

Outputs in OUTDIR: ``reports.csv`` (one row per file: ok/error and why, agency, year, template, fails by
severity, the prior it was paired with), ``results.parquet`` / ``results.csv`` (every check result),
``cells.parquet`` (every cell) and ``indicators.csv``. A file that cannot be read is one ``error`` row and
the batch goes on.

Work goes to the workers in chunks of files, and the main process (the client) only collects small
summaries, so neither its time nor its memory grows with what a report holds. The workers are a local pool
(``--jobs``) or a Dask cluster (``--scheduler``, ``batch_engine.py``): the same task functions run in both.

1. a worker reads each file of its chunk (or takes it from the store when its bytes are stored), runs the
   one-report checks, writes the chunk's new cells to the store (a part file named by what it holds) and
   its results and cells to part files of OUTDIR named by the task, and returns the store's index rows;
2. the client commits those index rows, chunk after chunk in the order of the files (no SQLite writes in
   a worker; a task run again after a lost worker rewrites the same files and its rows are committed once);
3. once every report of the run is stored, the client pairs each with last year's report from the store
   index, and workers run the cross-year checks on "light" copies (the rows and sections they read).

The parts the client accepted are joined into the outputs at the end. Reports are committed to the store
chunk by chunk, so an interrupted batch resumes where it stopped.

Trust:

- one batch at a time per output folder and per store (``locks.py``: a second one fails at once, naming
  the first); the outputs are written to a staging folder and published as one set (``outputs.py``);
- the CSVs are for spreadsheets (UTF-8 with BOM, text neutralised against formulas by ``csvsafe.py``); the
  package reads ``reports.parquet`` and ``indicators.parquet`` beside them;
- pairing does not depend on scheduling: the prior version is chosen by ``versions.py``; when last year's
  versions cannot be ordered, the report gets a ``Y-0`` finding (fail, warning) naming their files, and its
  cross-year checks say why they were not run;
- links that lead out of the audited folder are not followed unless asked (``follow_links``);
- each file has a time limit (``file_timeout`` seconds: SIGALRM in a worker process, a timer raising into the
  thread on a Dask worker): a file that takes longer is an ``error`` row and the batch goes on. OCR counts:
  the pre-pass's seconds on a file's pages are taken from its limit, and OCR looks at the file's deadline
  between pages. A C extension that keeps the GIL delays the alarm until it returns to Python; the readers'
  size, page and pixel caps bound how long such a call can run;
- a file name that is not UTF-8 (GBK bytes from a Chinese Windows archive) is read; the outputs show it with
  the undecodable bytes escaped (``errors.printable``);
- a full disk stops the batch with one line (:class:`DiskFullError`, 磁盘空间不足) and the staging folder
  removed; the reports already stored stay, so the same command run again goes on.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ..checks.indicators import INDICATORS
from ..config import Config
from ..errors import WORKER_LOST, DiskFullError, disk_full, printable
from ..readers.ocr import prepass as ocr_batch
from ..render.spreadsheet import write_csv
from ..workspace import locks
from ..workspace.access import Workspace
from ..workspace.folder import locate
from ..workspace.reports import ReportStore, drop_frozen
from . import engine as batch_engine
from . import log as batchlog
from . import outputs
from .files import find_files
from .parts import Joiner
from .tasks import CELL_SCHEMA, RESULT_SCHEMA, Crossed, Packed, Read, Shared, Task, as_prior, cross_chunk, read_chunk, start_worker

CHUNK = 40  # files per worker task
PARTS = "parts"
REPORT_COLUMNS = ["file", "status", "reason", "error_type", "report_id", "agency", "agency_key", "report_year", "template",
                  "reader", "errors", "warnings", "infos", "prior_file", "pairing", "notes"]
INDICATOR_COLUMNS = ["file", "report_id", "agency", "report_year", "indicator", "name", "value", "prior_value", "change"]


class Joins(NamedTuple):
    """The outputs joined from the part files while the batch runs."""

    results: Joiner
    cells: Joiner


def _chunks(items: list, size: int = CHUNK) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _progress(total: int, show: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="份", desc=desc, disable=not show, file=sys.stderr)


def run_batch(root: str | Path, outdir: str | Path, jobs: int = 1, store: str | Path | None = None,
              progress: bool | None = None, follow_links: bool = False, file_timeout: float | None = None,
              lock: bool = True, scheduler: str | None = None, config: Config | None = None,
              region: str | None = None) -> pd.DataFrame:
    """Audit every file under ``root``; write the outputs to ``outdir``; return reports.csv as a frame.

    ``store`` is the workspace the reports and results go to (None: the one :func:`audit_kit.workspace.locate`
    finds); ``config`` the run's configuration (else the
    environment's), whose per-file time limit ``file_timeout`` replaces when given (seconds, 0: none).

    The work runs on the Dask cluster at ``scheduler`` (``tcp://HOST:PORT``; its workers must see ``root``,
    ``outdir`` and ``store`` at the same paths, which are then made absolute), else on ``jobs`` local
    processes. Holds the locks of ``outdir`` and of the store (``lock=False``: the caller holds them, see
    :func:`batch_lock`). ``frame.attrs["outside"]`` lists the links out of ``root`` that were not followed.
    ``region`` declares the workspace's region (``Workspace.declare_region``) before any file is read."""
    root, outdir, store_path = Path(root), Path(outdir), locate(store)
    if scheduler:
        root, outdir, store_path = root.absolute(), outdir.absolute(), store_path.absolute()
    config = config or Config.from_env()
    if file_timeout is not None:
        config = config.but(file_timeout=file_timeout)
    held = batch_lock(outdir, store_path) if lock else contextlib.nullcontext()
    with held, batchlog.batch_log(outdir), Workspace(store_path, config) as ws:  # log after lock: never cut
        ws.declare_region(region)
        return _run(root, outdir, jobs, ws, progress, follow_links, scheduler)


@contextlib.contextmanager
def batch_lock(outdir: str | Path, store: str | Path) -> Iterator[None]:
    """Hold the locks of a batch's output folder and store (``FolderBusyError`` when another run has one)."""
    with locks.exclusive(outdir, "输出文件夹"), locks.exclusive(store, "报告库"):
        yield


def _run(root: Path, outdir: Path, jobs: int, ws: Workspace, progress: bool | None, follow_links: bool,
         scheduler: str | None = None) -> pd.DataFrame:
    engine = batch_engine.connect(scheduler, jobs, initializer=start_worker)  # no cluster: nothing written
    staged = outputs.start(outdir)
    parts = staged / PARTS
    parts.mkdir()
    outside: list[Path] = []
    joins = Joins(Joiner(staged / "results.parquet", RESULT_SCHEMA, csv=staged / "results.csv"),
                  Joiner(staged / "cells.parquet", CELL_SCHEMA))
    try:
        files = [str(f) for f in find_files(root, skip=(outdir, ws.root), follow_links=follow_links,
                                            outside=outside)]
        show = sys.stderr.isatty() if progress is None else progress
        # scanned pages OCR'd as tasks of their own, into the workspace's OCR cache, within each file's limit
        spent = ocr_batch.ocr_pages(engine.executor(), files, ws.config, show)
        # what the workers read: the store as it was before this batch (the alias table applied)
        shared = Shared(str(ws.root), ws.reports.freeze(), ws.config, spent)
        rows, lights, values, ones = _first_pass(engine, files, ws, shared, parts, joins, show)
        indicator_rows = _cross_year(engine, rows, lights, values, ones, ws, shared, parts, joins, show)
    except BaseException as exc:
        joins.results.close()
        joins.cells.close()
        _failed(outdir, staged, exc)
        raise
    finally:
        engine.close()
        drop_frozen(ws.root)
    reports = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    indicators = pd.DataFrame(indicator_rows, columns=INDICATOR_COLUMNS)
    try:
        for name, frame in (("reports", reports), ("indicators", indicators)):
            frame.to_parquet(staged / f"{name}.parquet", index=False)
            write_csv(frame, staged / f"{name}.csv")
        joins.results.finish()
        joins.cells.finish()
        shutil.rmtree(parts, ignore_errors=True)
        outputs.publish(outdir, staged, outputs.FILES)
    except BaseException as exc:
        joins.results.close()
        joins.cells.close()
        _failed(outdir, staged, exc)
        raise
    reports.attrs["outside"] = [str(p) for p in outside]
    return reports


def _failed(outdir: Path, staged: Path, exc: BaseException) -> None:
    """After a batch failed: its staging folder removed; a full disk raised as :class:`DiskFullError`."""
    shutil.rmtree(staged, ignore_errors=True)
    if isinstance(exc, Exception) and disk_full(exc, outdir):
        raise DiskFullError(str(outdir), f"磁盘空间不足，写入批量结果或报告库时失败（{exc}）；未完成的输出已清理，"
                                         "已存入报告库的报告不会重读，腾出空间后重新运行同一命令即可继续") from exc


def _lost_file(path: str, reason: str) -> Read:
    """The pass-1 summary of a file whose workers kept dying."""
    return Read({"file": printable(path), "status": "error", "reason": reason, "error_type": WORKER_LOST,
                 "detail": "Dask 报告工作进程多次退出：KilledWorker"})


def _first_pass(engine: batch_engine.Engine, files: list[str], ws: Workspace, shared: Shared, parts: Path,
                joins: Joins, show: bool) -> tuple[list[dict], dict[str, bytes], dict[str, dict], dict[str, Packed]]:
    """Pass 1 over ``engine``; commits the new reports' index rows and hands the part files to ``joins``
    chunk by chunk, in file order. Returns the rows, lights, indicators and one-report results of the files."""
    chunks = _chunks(files)
    names = [str(parts / f"1-{i:06d}") for i in range(len(chunks))]
    rows: list[dict] = []
    lights: dict[str, bytes] = {}
    values: dict[str, dict] = {}
    ones: dict[str, Packed] = {}  # one-report results
    bar = _progress(len(files), show, "读取与检查")
    done: list[Read]
    for written, done in batch_engine.in_order(engine, read_chunk, chunks, names, shared, _lost_file, bar.update):
        ws.reports.index([read.entry for read in done if read.entry is not None])
        joins.results.add(f"{p}-results.parquet" for p in written)
        joins.cells.add(f"{p}-cells.parquet" for p in written)
        for read in done:
            row = read.row
            rows.append(row)
            if "detail" in row:
                batchlog.file_failed(row["file"], row["reason"], row.pop("detail"))
            if row["status"] == "ok":
                rid = row["report_id"]
                lights[rid], values[rid], ones[rid] = read.light, read.values, read.one
    bar.close()
    return rows, lights, values, ones


def _lost_cross(_task: Task, reason: str) -> Crossed:
    """The pass-2 summary of a report whose workers kept dying: no cross-year results (see _collect)."""
    return Crossed(None, {}, None)


def _cross_year(engine: batch_engine.Engine, rows: list[dict], lights: dict[str, bytes], values: dict[str, dict],
                ones: dict[str, Packed], ws: Workspace, shared: Shared, parts: Path, joins: Joins,
                show: bool) -> list[dict]:
    """Pass 2: pair each report with last year's and run the cross-year checks; indicators with changes.
    Every report's results (one-report and cross-year) are stored in the workspace, chunk by chunk, by
    this process, and the part files handed to ``joins``. Returns the indicator rows."""
    ok = [row for row in rows if row["status"] == "ok"]
    sources = {row["report_id"]: row["file"] for row in ok}
    tasks: list[Task] = []
    pairings = [ws.reports.pair(row, sources) for row in ok]
    _add_late_priors(ws.reports, shared.frozen,
                     {p.report_id for p in pairings if p.report_id and p.report_id not in lights}, lights, values)
    for row, (pid, row["prior_file"], row["pairing"], unordered) in zip(ok, pairings, strict=True):
        tasks.append(Task(row["file"], lights[row["report_id"]], pid, lights.get(pid or ""), values.get(pid or ""),
                          unordered, ones[row["report_id"]]))
    chunks = _chunks(tasks)
    names = [str(parts / f"2-{i:06d}") for i in range(len(chunks))]
    indicator_rows: list[dict] = []
    bar = _progress(len(ok), show, "跨年核对")
    done_rows = iter(ok)
    done: list[Crossed]
    for written, done in batch_engine.in_order(engine, cross_chunk, chunks, names, shared, _lost_cross, bar.update):
        ws.results.put_many([c.stored for c in done if c.stored is not None])
        _collect(done, done_rows, values, indicator_rows)
        joins.results.add(f"{p}-results.parquet" for p in written)
    bar.close()
    return indicator_rows


def _add_late_priors(db: ReportStore, frozen: str, ids: set[str], lights: dict[str, bytes],
                     values: dict[str, dict]) -> None:
    """Priors stored after the batch froze its index copy (by another program: a notebook, a memo) are not
    in that copy, so the workers could not read them: read them here and send them as light copies."""
    if not ids:
        return
    with ReportStore(db.path, frozen=frozen) as before:
        late = ids - before.known(ids)
    for rid, report in db.get_many(sorted(late)).items():
        prior, values[rid] = as_prior(report)
        lights[rid] = pickle.dumps(prior, protocol=5)


def _collect(done: list[Crossed], done_rows: Iterator[dict], values: dict[str, dict], indicator_rows: list[dict]) -> None:
    """Add a chunk's cross-year counts to the reports' rows and its indicators to ``indicator_rows``. A
    report whose cross-year task kept killing workers becomes an error row (its one-report results stay)."""
    for counts, before, _stored in done:
        row = next(done_rows)
        if counts is None:
            row.update(status="error", reason=f"跨年核对：{batch_engine.LOST}", error_type=WORKER_LOST)
            batchlog.file_failed(row["file"], row["reason"], "Dask 报告工作进程多次退出：KilledWorker")
            continue
        for col, n in counts.items():
            row[col] += n
        now = values[row["report_id"]]
        for code, (name, _fn) in INDICATORS.items():
            then = before.get(code, math.nan)
            indicator_rows.append({"file": row["file"], "report_id": row["report_id"], "agency": row["agency"],
                                   "report_year": row["report_year"], "indicator": code, "name": name,
                                   "value": now[code], "prior_value": then, "change": now[code] - then})


def exit_status(reports: pd.DataFrame) -> int:
    """2 when a file could not be read, 1 when a report has an error-level fail, else 0."""
    if reports.empty:
        return 0
    if (reports["status"] == "error").any():
        return 2
    return 1 if reports.get("errors", pd.Series(dtype=int)).fillna(0).astype(int).gt(0).any() else 0
