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
- each file has a time limit (``file_timeout`` seconds, SIGALRM): a file that takes longer is an ``error``
  row and the batch goes on. A C extension that keeps the GIL delays the alarm until it returns to Python;
  the readers' size caps bound how long such a call can run.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import math
import os
import pickle
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import orjson
import pandas as pd
import pyarrow as pa

from . import batch_engine, batchlog, locks, outputs, readers
from .checks.registry import RESULT_COLUMNS, Context, Light, run_context, run_rows
from .checks.years import light
from .csvsafe import write_csv
from .errors import AuditKitError, FileTimeoutError
from .indicators import INDICATORS, cell_map
from .meta import ReportMeta
from .parts import Joiner, write_part
from .readers import ocr_batch
from .report import CELL_SCHEMA as REPORT_CELLS
from .report import Report, load
from .results_store import ResultStore, extend, pack
from .store import ReportStore, drop_frozen
from .stored import CROSS_YEAR, ONE_REPORT, unordered_rows

CHUNK = 40  # files per worker task
RESULT_SCHEMA = pa.schema([("file", pa.string()), *((c, pa.string()) for c in RESULT_COLUMNS)])
CELL_SCHEMA = REPORT_CELLS.append(pa.field("file", pa.string()))
PARTS = "parts"
REPORT_COLUMNS = ["file", "status", "reason", "error_type", "report_id", "agency", "agency_key", "report_year", "template",
                  "reader", "errors", "warnings", "infos", "prior_file", "pairing", "notes"]
INDICATOR_COLUMNS = ["file", "report_id", "agency", "report_year", "indicator", "name", "value", "prior_value", "change"]
OUTPUTS = ["reports.csv", "reports.parquet", "results.csv", "results.parquet", "cells.parquet", "indicators.csv",
           "indicators.parquet"]
FILE_TIMEOUT = 120.0  # seconds for reading and checking one file; the largest real report takes about 2


class Joins(NamedTuple):
    """The outputs joined from the part files while the batch runs."""

    results: Joiner
    cells: Joiner


def find_files(root: Path, skip: tuple[Path, ...] = (), follow_links: bool = False,
               outside: list[Path] | None = None) -> list[Path]:
    """Every supported file under ``root`` (sub-folders too), in a stable order; hidden files and folders,
    and the folders in ``skip`` (the output, the store), are left out.

    A linked folder or file whose target is inside ``root`` is followed once; one that leads out of
    ``root`` is not, unless ``follow_links`` — its path goes into ``outside`` when a list is given."""
    top = Path(root).resolve()
    skip = tuple(p.resolve() for p in skip)
    seen: set[Path] = set()
    out = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        here = Path(folder).resolve()
        if here in seen or any(here.is_relative_to(s) for s in skip):
            dirs[:] = []
            continue
        seen.add(here)
        kept = []
        for d in sorted(d for d in dirs if not d.startswith(".")):
            if _leaves(Path(folder) / d, top, follow_links, outside):
                continue
            kept.append(d)
        dirs[:] = kept
        out += [Path(folder) / n for n in names
                if not n.startswith(".") and Path(n).suffix.lower() in readers.READERS and (Path(folder) / n).is_file()
                and not _leaves(Path(folder) / n, top, follow_links, outside)]
    return sorted(out)


def _leaves(path: Path, top: Path, follow_links: bool, outside: list[Path] | None) -> bool:
    """True when ``path`` is a link out of ``top`` that is not to be followed (and note it)."""
    if follow_links or not path.is_symlink() or path.resolve().is_relative_to(top):
        return False
    if outside is not None:
        outside.append(path)
    return True


def _start_worker() -> None:
    """Move what the imports allocated out of the collector's way: a worker makes many short-lived
    objects per report, and every full collection would walk the ~300,000 objects of pandas & co."""
    gc.freeze()


def _indicators(index: dict) -> dict[str, float]:
    """The indicators from a checks' cell index."""
    values = cell_map(index)
    return {code: fn(values) for code, (_name, fn) in INDICATORS.items()}


def _as_text(rows: list[dict], path: str) -> list[dict]:
    """Result rows as strings, evidence as JSON — the schema of results.parquet."""
    out = []
    for r in rows:
        row = {k: (None if v is None else str(v)) for k, v in r.items() if k != "evidence"}
        row["evidence"] = orjson.dumps(r["evidence"], default=str).decode()
        row["file"] = path
        out.append(row)
    return out


def _counts(rows: list[dict]) -> dict[str, int]:
    fails = [r["severity"] for r in rows if r["status"] == "fail"]
    return {"errors": fails.count("error"), "warnings": fails.count("warning"), "infos": fails.count("info")}


def _error_row(path: str, reason: str, kind: str) -> dict:
    """The reports.csv row of a file that failed; ``detail`` (not an output column) carries the traceback of
    the exception being handled to the main process, which writes it to batch.log."""
    return {"file": path, "status": "error", "reason": reason, "error_type": kind, "detail": traceback.format_exc()}


def _stored(paths: list[str], store: ReportStore) -> dict[str, Report]:
    """The reports of ``paths`` whose bytes are already in the store, by path."""
    ids = {}
    for p in paths:
        try:
            if not readers.within_limit(Path(p)):
                continue  # never read whole: load() refuses it with the limit (audit_kit.limits)
            ids[p] = store.has(hashlib.sha256(Path(p).read_bytes()).hexdigest())
        except OSError:
            continue  # load() says what is wrong with the file
    found = store.get_many([i for i in ids.values() if i])
    return {p: found[i] for p, i in ids.items() if i in found}


class _Alarm(BaseException):
    """Raised by the time limit's signal handler: a BaseException, so no reader's ``except Exception``
    swallows it."""


def _on_alarm(_signum: int, _frame: object) -> None:
    raise _Alarm


@contextlib.contextmanager
def time_limit(seconds: float, path: str) -> Iterator[None]:
    """Raise :class:`FileTimeoutError` for ``path`` when the block runs longer than ``seconds`` (0: no
    limit). Uses SIGALRM, so it works in a process's main thread only (a batch's workers and a --jobs 1
    run); elsewhere the block runs unlimited. The alarm repeats each second in case a handler is lost."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
        yield
    except _Alarm:
        raise FileTimeoutError(path, f"读取和检查超过时间限制 {seconds:g} 秒，已停止处理此文件"
                                     "（可用 --file-timeout 调整）") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# the store's index row of a new report: meta, sections, cells file (``ReportStore.index``)
Entry = tuple[ReportMeta, dict, str]
# a file's pass-1 summary: reports.csv row, light copy (pickled), indicators, one-report results (packed),
# and its index row when the report is new to the store
Read = tuple[dict, bytes, dict, tuple[bytes, int], Entry | None]


def read_chunk(paths: list[str], store_path: str, frozen: str, part: str,
               file_timeout: float = FILE_TIMEOUT) -> list[Read]:
    """Pass 1 for a chunk of files (in a worker). Never raises for a bad file: it becomes an error row.

    Writes the cells of the chunk's new reports to the store and the part files ``part``-results/-cells;
    returns, per file, a :data:`Read` (the client commits the index rows). Run again, it rewrites the
    same files. The store is opened for the task only (a long-lived Dask worker never keeps a store or its
    alias table from an earlier batch), through the index copy ``frozen`` the client made at the start."""
    with ReportStore(store_path, frozen=frozen) as store:
        return _read(paths, store, part, file_timeout)


def _read(paths: list[str], store: ReportStore, part: str, file_timeout: float) -> list[Read]:
    known = _stored(paths, store)
    out: list[Read] = []
    results: list[dict] = []
    cells: list[tuple[str, pa.Table]] = []
    new: list[Report] = []
    for path in paths:
        try:
            with time_limit(file_timeout, path):
                report = known.get(path)
                if report is None:
                    report = load(path)
                report.meta["source"] = path
                ctx = Context(report)
                rows = run_context(ctx, ids=ONE_REPORT)
                values = _indicators(ctx.cells)
            if path not in known:
                new.append(report)
        except AuditKitError as exc:
            out.append((_error_row(path, exc.reason, type(exc).__name__), b"", {}, (b"", 0), None))
            continue
        except Exception as exc:  # a bug must not stop the batch; the row says what happened
            out.append((_error_row(path, f"内部错误：{type(exc).__name__}: {exc}", "InternalError"), b"", {},
                        (b"", 0), None))
            continue
        m = report.meta
        results += _as_text(rows, path)
        cells.append((path, report.cells_table()))
        row = {"file": path, "status": "ok", "reason": "", "error_type": "", "report_id": m["report_id"],
               "agency": m.get("agency"), "agency_key": store.aliases.resolve(m.get("agency"))[0],
               "report_year": m.get("report_year"), "template": m.get("template"), "reader": m.get("reader"),
               **_counts(rows), "prior_file": "", "pairing": "", "notes": len(m.get("notes") or [])}
        out.append((row, pickle.dumps(light(ctx), protocol=5), values, (pack(rows), len(rows)), None))
    if new:
        tag = hashlib.sha256("".join(sorted(r.meta["report_id"] for r in new)).encode()).hexdigest()[:8]
        files = store.write_cells(new, tag=tag)
        entries = {r.meta["report_id"]: (r.meta, r.sections, files[r.meta["report_id"]]) for r in new}
        for k, (row, light_bytes, values, one, _none) in enumerate(out):
            if row["status"] == "ok" and row["file"] not in known:
                out[k] = (row, light_bytes, values, one, entries[str(row["report_id"])])
    table = pa.concat_tables([c for _p, c in cells]) if cells else REPORT_CELLS.empty_table()
    table = table.append_column("file", pa.array([p for p, c in cells for _ in range(c.num_rows)], pa.string()))
    write_part(table, part + "-cells.parquet")
    _write_results(part + "-results.parquet", results)
    return out


# file, light, prior id, prior light, prior values, the files of last year's unordered versions, the
# one-report results (packed)
Task = tuple[str, bytes, str | None, bytes | None, dict | None, tuple[str, ...], tuple[bytes, int]]
# the results of one report for the workspace: report id, prior id, packed rows, row count
Stored = tuple[str, str | None, bytes, int]


def cross_chunk(tasks: list[Task], store_path: str, frozen: str,
                part: str) -> list[tuple[dict[str, int], dict[str, float], Stored]]:
    """Pass 2 for a chunk (in a worker): cross-year checks and the indicators' change, per report, and all
    its results packed for the workspace (the main process stores them: no SQLite writes here).
    A prior that is not in this run was stored before it: it is read through the index copy ``frozen``."""
    with ReportStore(store_path, frozen=frozen) as store:
        from_store = store.get_many([pid for _f, _l, pid, plight, _v, _u, _o in tasks if pid and plight is None])
    out, results = [], []
    for path, now_bytes, pid, prior_bytes, prior_values, unordered, one in tasks:
        report = pickle.loads(now_bytes)
        prior = pickle.loads(prior_bytes) if prior_bytes else None
        if pid and prior is None and pid in from_store:
            prior, prior_values = _as_prior(from_store[pid])
        rows = run_rows(report, prior, ids=CROSS_YEAR)
        if unordered:
            rows = unordered_rows(report.meta, unordered, rows)
        results += _as_text(rows, path)
        stored = (report.meta["report_id"], pid if prior is not None else None, extend(one[0], rows), one[1] + len(rows))
        out.append((_counts(rows), prior_values or {}, stored))
    _write_results(part + "-results.parquet", results)
    return out


def _as_prior(report: Report) -> tuple[Light, dict[str, float]]:
    """A stored report as a prior of the cross-year checks: its light copy and its indicators."""
    ctx = Context(report)
    return light(ctx), _indicators(ctx.cells)


def _write_results(path: str, rows: list[dict]) -> None:
    write_part(pa.Table.from_pylist(rows, schema=RESULT_SCHEMA), path)


def _chunks(items: list, size: int = CHUNK) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _progress(total: int, show: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="份", desc=desc, disable=not show, file=sys.stderr)


def run_batch(root: str | Path, outdir: str | Path, jobs: int = 1, store: str | Path = "audit-store",
              progress: bool | None = None, follow_links: bool = False, file_timeout: float = FILE_TIMEOUT,
              lock: bool = True, scheduler: str | None = None) -> pd.DataFrame:
    """Audit every file under ``root``; write the outputs to ``outdir``; return reports.csv as a frame.

    The work runs on the Dask cluster at ``scheduler`` (``tcp://HOST:PORT``; its workers must see ``root``,
    ``outdir`` and ``store`` at the same paths, which are then made absolute), else on ``jobs`` local
    processes. Holds the locks of ``outdir`` and of the store (``lock=False``: the caller holds them, see
    :func:`batch_lock`). ``frame.attrs["outside"]`` lists the links out of ``root`` that were not followed."""
    root, outdir, store_path = Path(root), Path(outdir), Path(store)
    if scheduler:
        root, outdir, store_path = root.absolute(), outdir.absolute(), store_path.absolute()
    held = batch_lock(outdir, store_path) if lock else contextlib.nullcontext()
    with held, batchlog.batch_log(outdir):  # after the lock: another run's log is never cut
        return _run(root, outdir, jobs, store_path, progress, follow_links, file_timeout, scheduler)


@contextlib.contextmanager
def batch_lock(outdir: str | Path, store: str | Path) -> Iterator[None]:
    """Hold the locks of a batch's output folder and store (``FolderBusyError`` when another run has one)."""
    with locks.exclusive(outdir, "输出文件夹"), locks.exclusive(store, "报告库"):
        yield


def _run(root: Path, outdir: Path, jobs: int, store_path: Path, progress: bool | None, follow_links: bool,
         file_timeout: float, scheduler: str | None = None) -> pd.DataFrame:
    engine = batch_engine.connect(scheduler, jobs, initializer=_start_worker)  # no cluster: nothing written
    staged = outputs.start(outdir)
    parts = staged / PARTS
    parts.mkdir()
    outside: list[Path] = []
    undo_ocr_cache = ocr_batch.workspace_cache(store_path)  # the workspace's OCR cache, for the workers too
    joins = Joins(Joiner(staged / "results.parquet", RESULT_SCHEMA, csv=staged / "results.csv"),
                  Joiner(staged / "cells.parquet", CELL_SCHEMA))
    try:
        files = [str(f) for f in find_files(root, skip=(outdir, store_path), follow_links=follow_links,
                                            outside=outside)]
        with ReportStore(store_path) as db:  # creates the store and applies the alias table
            frozen = db.freeze()  # what the workers read: the store as it was before this batch
        store = (str(store_path), frozen)
        show = sys.stderr.isatty() if progress is None else progress
        ocr_batch.ocr_pages(engine.executor(), files, show)  # scanned pages OCR'd as tasks of their own
        reader = functools.partial(read_chunk, file_timeout=file_timeout)
        rows, lights, values, ones = _first_pass(engine, reader, files, store, parts, joins, show)
        indicator_rows = _cross_year(engine, rows, lights, values, ones, store, parts, joins, show)
    except BaseException:
        joins.results.close()
        joins.cells.close()
        raise
    finally:
        engine.close()
        undo_ocr_cache()
        drop_frozen(store_path)
    reports = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    indicators = pd.DataFrame(indicator_rows, columns=INDICATOR_COLUMNS)
    for name, frame in (("reports", reports), ("indicators", indicators)):
        frame.to_parquet(staged / f"{name}.parquet", index=False)
        write_csv(frame, staged / f"{name}.csv")
    joins.results.finish()
    joins.cells.finish()
    shutil.rmtree(parts, ignore_errors=True)
    outputs.publish(outdir, staged, OUTPUTS)
    reports.attrs["outside"] = [str(p) for p in outside]
    return reports


def _lost_file(path: str, reason: str) -> Read:
    """The pass-1 summary of a file whose workers kept dying."""
    row = {"file": path, "status": "error", "reason": reason, "error_type": "WorkerLost",
           "detail": "Dask 报告工作进程多次退出：KilledWorker"}
    return row, b"", {}, (b"", 0), None


def _first_pass(engine: batch_engine.Engine, reader: Callable, files: list[str], store: tuple[str, str], parts: Path,
                joins: Joins,
                show: bool) -> tuple[list[dict], dict[str, bytes], dict[str, dict], dict[str, tuple[bytes, int]]]:
    """Pass 1 over ``engine``; commits the new reports' index rows and hands the part files to ``joins``
    chunk by chunk, in file order. Returns the rows, lights, indicators and one-report results of the files."""
    chunks = _chunks(files)
    names = [str(parts / f"1-{i:06d}") for i in range(len(chunks))]
    rows: list[dict] = []
    lights: dict[str, bytes] = {}
    values: dict[str, dict] = {}
    ones: dict[str, tuple[bytes, int]] = {}  # one-report results, packed, and how many
    bar = _progress(len(files), show, "读取与检查")
    with ReportStore(store[0]) as db:
        for written, done in batch_engine.in_order(engine, reader, chunks, names, store, _lost_file,
                                                   bar.update):
            db.index([entry for *_r, entry in done if entry is not None])
            joins.results.add(f"{p}-results.parquet" for p in written)
            joins.cells.add(f"{p}-cells.parquet" for p in written)
            for row, light_bytes, ind, one, _entry in done:
                rows.append(row)
                if "detail" in row:
                    batchlog.file_failed(row["file"], row["reason"], row.pop("detail"))
                if row["status"] == "ok":
                    rid = row["report_id"]
                    lights[rid], values[rid], ones[rid] = light_bytes, ind, one
    bar.close()
    return rows, lights, values, ones


def _lost_cross(_task: Task, reason: str) -> tuple[None, dict, None]:
    """The pass-2 summary of a report whose workers kept dying: no cross-year results (see _collect)."""
    return None, {}, None


def _cross_year(engine: batch_engine.Engine, rows: list[dict], lights: dict[str, bytes], values: dict[str, dict],
                ones: dict[str, tuple[bytes, int]], store: tuple[str, str], parts: Path, joins: Joins,
                show: bool) -> list[dict]:
    """Pass 2: pair each report with last year's and run the cross-year checks; indicators with changes.
    Every report's results (one-report and cross-year) are stored in the workspace, chunk by chunk, by
    this process, and the part files handed to ``joins``. Returns the indicator rows."""
    ok = [row for row in rows if row["status"] == "ok"]
    sources = {row["report_id"]: row["file"] for row in ok}
    tasks: list[Task] = []
    with ReportStore(store[0]) as db:
        pairings = [db.pair(row, sources) for row in ok]
        _add_late_priors(db, store[1], {p.report_id for p in pairings if p.report_id and p.report_id not in lights},
                         lights, values)
    for row, (pid, row["prior_file"], row["pairing"], unordered) in zip(ok, pairings, strict=True):
        tasks.append((row["file"], lights[row["report_id"]], pid, lights.get(pid or ""), values.get(pid or ""),
                      unordered, ones[row["report_id"]]))
    chunks = _chunks(tasks)
    names = [str(parts / f"2-{i:06d}") for i in range(len(chunks))]
    indicator_rows: list[dict] = []
    bar = _progress(len(ok), show, "跨年核对")
    done_rows = iter(ok)
    results = ResultStore(store[0])
    try:
        for written, done in batch_engine.in_order(engine, cross_chunk, chunks, names, store, _lost_cross,
                                                   bar.update):
            results.put_many([stored for _c, _b, stored in done if stored is not None])
            _collect(done, done_rows, values, indicator_rows)
            joins.results.add(f"{p}-results.parquet" for p in written)
    finally:
        results.close()
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
        prior, values[rid] = _as_prior(report)
        lights[rid] = pickle.dumps(prior, protocol=5)


def _collect(done: list, done_rows: Iterator[dict], values: dict[str, dict], indicator_rows: list[dict]) -> None:
    """Add a chunk's cross-year counts to the reports' rows and its indicators to ``indicator_rows``. A
    report whose cross-year task kept killing workers becomes an error row (its one-report results stay)."""
    for counts, before, _stored in done:
        row = next(done_rows)
        if counts is None:
            row.update(status="error", reason=f"跨年核对：{batch_engine.LOST}", error_type="WorkerLost")
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
