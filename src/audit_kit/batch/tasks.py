"""The batch's worker tasks: pass 1 reads and checks a chunk of files, pass 2 runs the cross-year checks of a
chunk. The same functions run in this process, a local pool or on a Dask cluster (``engine.py``); they never
write SQLite, only part files, and return small summaries (the named tuples below) the client commits."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import orjson
import pyarrow as pa

from ..checks.indicators import INDICATORS, cell_map
from ..checks.passes import cross_year_rows, one_report
from ..checks.registry import RESULT_COLUMNS, Context, Light, run_context
from ..checks.years import light
from ..config import Config
from ..errors import INTERNAL, AuditKitError, FileTimeoutError, printable
from ..extract.loader import load
from ..model.report import CELL_SCHEMA as REPORT_CELLS
from ..model.report import Report, ReportMeta
from ..workspace.reports import ReportStore
from ..workspace.results import extend, pack
from .parts import write_part


class Shared(NamedTuple):
    """What every task of a batch is handed: the store's folder, the name of the index copy the workers
    read (``ReportStore.freeze``), the run's configuration, and the seconds of OCR the batch's pre-pass
    spent on each file (counted against the file's time limit)."""

    store: str
    frozen: str
    config: Config
    ocr_spent: dict[str, float] = {}  # noqa: RUF012 - a NamedTuple default, never changed


class Entry(NamedTuple):
    """The store's index row of a new report (``ReportStore.index``)."""

    meta: ReportMeta
    sections: dict
    cells_file: str


class Packed(NamedTuple):
    """Result rows packed for the workspace (``workspace.results.pack``) and how many."""

    blob: bytes
    rows: int


NOTHING = Packed(b"", 0)


class Read(NamedTuple):
    """A file's pass-1 summary: its reports.csv row, its light copy (pickled), its indicators, its
    one-report results, and its index row when the report is new to the store."""

    row: dict
    light: bytes = b""
    values: dict[str, float] = {}  # noqa: RUF012 - a NamedTuple default, never changed
    one: Packed = NOTHING
    entry: Entry | None = None


class Task(NamedTuple):
    """A report's pass-2 work: its file and light copy, last year's report (id, light copy, indicators),
    the files of last year's versions that cannot be ordered, and its one-report results."""

    file: str
    light: bytes
    prior_id: str | None
    prior_light: bytes | None
    prior_values: dict[str, float] | None
    unordered: tuple[str, ...]
    one: Packed


class StoredResults(NamedTuple):
    """All the results of one report as the client stores them (``ResultStore.put_many``)."""

    report_id: str
    prior_id: str | None
    blob: bytes
    rows: int


class Crossed(NamedTuple):
    """A report's pass-2 summary: its cross-year fail counts, last year's indicators and its results to
    store (None for a report whose workers kept dying)."""

    counts: dict[str, int] | None
    prior_values: dict[str, float]
    stored: StoredResults | None


RESULT_SCHEMA = pa.schema([("file", pa.string()), *((c, pa.string()) for c in RESULT_COLUMNS)])

CELL_SCHEMA = REPORT_CELLS.append(pa.field("file", pa.string()))


def start_worker() -> None:
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


def _error_row(path: str, reason: str, code: str) -> dict:
    """The reports.csv row of a file that failed; ``detail`` (not an output column) carries the traceback of
    the exception being handled to the main process, which writes it to batch.log."""
    return {"file": path, "status": "error", "reason": reason, "error_type": code, "detail": traceback.format_exc()}


def _stored(paths: list[str], store: ReportStore, config: Config) -> dict[str, Report]:
    """The reports of ``paths`` whose bytes are already in the store, by path."""
    ids = {str(p): rid for p, rid in store.stored_ids([Path(p) for p in paths], config).items()}
    found = store.get_many(list(ids.values()))
    return {p: found[i] for p, i in ids.items() if i in found}


class _Alarm(BaseException):
    """Raised by the time limit's signal handler: a BaseException, so no reader's ``except Exception``
    swallows it."""


def _on_alarm(_signum: int, _frame: object) -> None:
    raise _Alarm


@contextlib.contextmanager
def time_limit(seconds: float, path: str, limit: float | None = None) -> Iterator[None]:
    """Raise :class:`FileTimeoutError` for ``path`` when the block runs longer than ``seconds`` (0: no limit;
    ``limit``: the file's whole limit, for the message, when ``seconds`` is what is left of it).

    In a process's main thread (a batch's local workers, a --jobs 1 run) SIGALRM interrupts the block; the
    alarm repeats each second in case a handler is lost. In another thread (a Dask worker's) a timer raises
    the same exception into the block's thread (``PyThreadState_SetAsyncExc``); it is taken back if the
    block ends first. Either way Python code is stopped, also code that catches every Exception; a C call
    that keeps the GIL delays it until it returns (OCR looks at the batch's deadline itself, page by page)."""
    limit = seconds if limit is None else limit
    if seconds <= 0:
        yield
        return
    try:
        if threading.current_thread() is threading.main_thread():
            with _alarm(seconds):
                yield
        else:
            with _async_alarm(seconds):
                yield
    except _Alarm:
        raise FileTimeoutError.after(path, limit) from None


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    old = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _raise_in(ident: int, exc: type[BaseException] | None) -> None:
    """Make (or with None: take back) an exception pending in the thread ``ident``."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc else None)


@contextlib.contextmanager
def _async_alarm(seconds: float) -> Iterator[None]:
    ident = threading.get_ident()
    lock = threading.Lock()
    state = {"armed": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["armed"]:
                state["fired"] = True
                _raise_in(ident, _Alarm)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        while True:  # the alarm may arrive here, after the block: it is too late then, and taken back
            try:
                with lock:
                    state["armed"] = False
                    timer.cancel()
                    if state["fired"]:
                        _raise_in(ident, None)
                break
            except _Alarm:
                continue


def read_chunk(paths: list[str], shared: Shared, part: str) -> list[Read]:
    """Pass 1 for a chunk of files (in a worker). Never raises for a bad file: it becomes an error row.

    Writes the cells of the chunk's new reports to the store and the part files ``part``-results/-cells;
    returns, per file, a :data:`Read` (the client commits the index rows). Run again, it rewrites the
    same files. The store is opened for the task only (a long-lived Dask worker never keeps a store or its
    alias table from an earlier batch), through the index copy the client made at the start."""
    with ReportStore(shared.store, frozen=shared.frozen) as store:
        return _read(paths, store, part, shared.config, shared.ocr_spent)


def _within(config: Config, path: str, shown: str, spent: float) -> tuple[Config, float]:
    """The file's configuration with its deadline (the limit less the pre-pass's OCR of it) and the seconds
    left; FileTimeoutError when the pre-pass used them all."""
    if config.file_timeout <= 0:
        return config, 0.0
    left = config.file_timeout - spent
    if left <= 0:
        raise FileTimeoutError.after(shown, config.file_timeout, f"（其扫描页的 OCR 识别已用 {spent:.1f} 秒）")
    return config.but(deadline=time.monotonic() + left), left


def _read(paths: list[str], store: ReportStore, part: str, config: Config,
          ocr_spent: dict[str, float] | None = None) -> list[Read]:
    known = _stored(paths, store, config)
    out: list[Read] = []
    results: list[dict] = []
    cells: list[tuple[str, pa.Table]] = []
    new: list[Report] = []
    fresh: list[bool] = []  # per ok row: its report is new to the store
    for path in paths:
        shown = printable(path)  # a name that is not UTF-8 (GBK bytes) is shown with its bytes escaped
        try:
            file_config, left = _within(config, path, shown, (ocr_spent or {}).get(path, 0.0))
            with time_limit(left, shown, config.file_timeout):
                report = known.get(path)
                if report is None:
                    report = load(path, file_config)
                report.meta["source"] = shown
                ctx = Context(report)
                rows = run_context(ctx, ids=one_report())
                values = _indicators(ctx.cells)
            if path not in known:
                new.append(report)
        except AuditKitError as exc:
            out.append(Read(_error_row(shown, exc.reason, exc.code)))
            continue
        except Exception as exc:  # a bug must not stop the batch; the row says what happened
            out.append(Read(_error_row(shown, f"内部错误：{type(exc).__name__}: {exc}", INTERNAL)))
            continue
        m = report.meta
        results += _as_text(rows, shown)
        cells.append((shown, report.cells_table()))
        fresh.append(path not in known)
        row = {"file": shown, "status": "ok", "reason": "", "error_type": "", "report_id": m["report_id"],
               "agency": m.get("agency"), "agency_key": store.identity(m, report.sections).key,
               "report_year": m.get("report_year"), "template": m.get("template"), "reader": m.get("reader"),
               **_counts(rows), "prior_file": "", "pairing": "", "notes": len(m.get("notes") or [])}
        out.append(Read(row, pickle.dumps(light(ctx), protocol=5), values, Packed(pack(rows), len(rows))))
    if new:
        tag = hashlib.sha256("".join(sorted(r.meta["report_id"] for r in new)).encode()).hexdigest()[:8]
        files = store.write_cells(new, tag=tag)
        entries = {r.meta["report_id"]: Entry(r.meta, r.sections, files[r.meta["report_id"]]) for r in new}
        ok = iter(fresh)
        for k, read in enumerate(out):
            if read.row["status"] == "ok" and next(ok):
                out[k] = read._replace(entry=entries[str(read.row["report_id"])])
    table = pa.concat_tables([c for _p, c in cells]) if cells else REPORT_CELLS.empty_table()
    table = table.append_column("file", pa.array([p for p, c in cells for _ in range(c.num_rows)], pa.string()))
    write_part(table, part + "-cells.parquet")
    _write_results(part + "-results.parquet", results)
    return out


def cross_chunk(tasks: list[Task], shared: Shared, part: str) -> list[Crossed]:
    """Pass 2 for a chunk (in a worker): cross-year checks and the indicators' change, per report, and all
    its results packed for the workspace (the main process stores them: no SQLite writes here).
    A prior that is not in this run was stored before it: it is read through the batch's index copy."""
    with ReportStore(shared.store, frozen=shared.frozen) as store:
        from_store = store.get_many([t.prior_id for t in tasks if t.prior_id and t.prior_light is None])
    out, results = [], []
    for task in tasks:
        report = pickle.loads(task.light)
        prior = pickle.loads(task.prior_light) if task.prior_light else None
        prior_values = task.prior_values
        if task.prior_id and prior is None and task.prior_id in from_store:
            prior, prior_values = as_prior(from_store[task.prior_id])
        rows = cross_year_rows(report, prior, task.unordered)
        results += _as_text(rows, task.file)
        stored = StoredResults(report.meta["report_id"], task.prior_id if prior is not None else None,
                               extend(task.one.blob, rows), task.one.rows + len(rows))
        out.append(Crossed(_counts(rows), prior_values or {}, stored))
    _write_results(part + "-results.parquet", results)
    return out


def as_prior(report: Report) -> tuple[Light, dict[str, float]]:
    """A stored report as a prior of the cross-year checks: its light copy and its indicators."""
    ctx = Context(report)
    return light(ctx), _indicators(ctx.cells)


def _write_results(path: str, rows: list[dict]) -> None:
    write_part(pa.Table.from_pylist(rows, schema=RESULT_SCHEMA), path)
