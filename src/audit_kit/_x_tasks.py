"""The batch's worker tasks: pass 1 reads and checks a chunk of files, pass 2 runs the cross-year checks of a
chunk. The same functions run in this process, a local pool or on a Dask cluster (``engine.py``); they never
write SQLite, only part files, and return small summaries the client commits."""

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


RESULT_SCHEMA = pa.schema([("file", pa.string()), *((c, pa.string()) for c in RESULT_COLUMNS)])

CELL_SCHEMA = REPORT_CELLS.append(pa.field("file", pa.string()))

FILE_TIMEOUT = 120.0  # seconds for reading and checking one file; the largest real report takes about 2

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
            prior, prior_values = as_prior(from_store[pid])
        rows = run_rows(report, prior, ids=CROSS_YEAR)
        if unordered:
            rows = unordered_rows(report.meta, unordered, rows)
        results += _as_text(rows, path)
        stored = (report.meta["report_id"], pid if prior is not None else None, extend(one[0], rows), one[1] + len(rows))
        out.append((_counts(rows), prior_values or {}, stored))
    _write_results(part + "-results.parquet", results)
    return out

def as_prior(report: Report) -> tuple[Light, dict[str, float]]:
    """A stored report as a prior of the cross-year checks: its light copy and its indicators."""
    ctx = Context(report)
    return light(ctx), _indicators(ctx.cells)

def _write_results(path: str, rows: list[dict]) -> None:
    write_part(pa.Table.from_pylist(rows, schema=RESULT_SCHEMA), path)
