"""Batch audits of whole folders: read every supported file, check each against its prior year from the
store, and write the tables an auditor and other tools read.

Outputs in OUTDIR: ``reports.csv`` (one row per file: ok/error and why, agency, year, template, fails by
severity, the prior it was paired with), ``results.parquet`` / ``results.csv`` (every check result),
``cells.parquet`` (every cell) and ``indicators.csv``. A file that cannot be read is one ``error`` row and
the batch goes on.

Two passes, memory bounded by the size of one chunk: (1) workers read each file (or take it from the
store when its bytes are stored), write its cells into the store and run the one-report checks; the main
process commits the store index and streams results and cells to Parquet; (2) once every report of the
run is stored, each is paired with last year's report of the same agency and the cross-year checks run on
"light" copies (only the rows and sections they read). Reports are committed to the store as they are
read, so an interrupted batch resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import readers
from .checks.registry import REGISTRY, RESULT_COLUMNS, run_rows
from .checks.years import light
from .errors import AuditKitError
from .indicators import INDICATORS, cell_map
from .report import Report, load
from .store import ReportStore

ONE_REPORT = [cid for cid, spec in REGISTRY.items() if "prior" not in spec.needs]
CROSS_YEAR = [cid for cid, spec in REGISTRY.items() if "prior" in spec.needs]
CHUNK = 200
RESULT_SCHEMA = pa.schema([("file", pa.string()), *((c, pa.string()) for c in RESULT_COLUMNS)])


def find_files(root: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every supported file under ``root`` (sub-folders too), in a stable order."""
    skip = tuple(p.resolve() for p in skip)
    out = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in readers.READERS:
            continue
        if any(part.startswith(".") for part in p.relative_to(root).parts):
            continue
        if any(p.resolve().is_relative_to(s) for s in skip):
            continue
        out.append(p)
    return out


@dataclass
class Item:
    """What a worker returns for one file."""

    path: str
    meta: dict | None = None
    sections: dict = field(default_factory=dict)
    cells: pd.DataFrame | None = None
    rows: list[dict] = field(default_factory=list)
    light: Report | None = None
    indicators: dict[str, float] = field(default_factory=dict)
    stored: bool = False
    error: str = ""
    error_kind: str = ""


_STORE: ReportStore | None = None


def _worker_store(path: str) -> ReportStore:
    global _STORE
    if _STORE is None or str(_STORE.path) != path:
        _STORE = ReportStore(path)
    return _STORE


def process_file(path: str, store_path: str) -> Item:
    """Pass 1 for one file. Never raises: an unreadable file is an Item with ``error`` set."""
    try:
        p = Path(path)
        data = p.read_bytes() if p.is_file() else b""
        store = _worker_store(store_path)
        stored_id = store.has(hashlib.sha256(data).hexdigest()) if data else None
        report = store.get(stored_id) if stored_id else None
        if report is None:
            report = load(path)
            store.write_cells(report)
        report.meta["source"] = path
        rows = run_rows(report, None, ids=ONE_REPORT)
        values = cell_map(report)
        return Item(path, report.meta, report.sections, report.cells, rows, light(report),
                    {code: fn(values) for code, (_name, fn) in INDICATORS.items()}, stored=stored_id is not None)
    except AuditKitError as exc:
        return Item(path, error=exc.reason, error_kind=type(exc).__name__)
    except Exception as exc:
        return Item(path, error=f"内部错误：{type(exc).__name__}: {exc}", error_kind="InternalError")


def _items(files: list[Path], store_path: str, jobs: int) -> Iterator[Item]:
    if jobs <= 1:
        for f in files:
            yield process_file(str(f), store_path)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        try:
            yield from pool.map(process_file, [str(f) for f in files], [store_path] * len(files), chunksize=4)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _as_text(rows: list[dict], path: str) -> list[dict]:
    out = []
    for r in rows:
        row = {k: (None if v is None else str(v)) for k, v in r.items()}
        row["evidence"] = json.dumps(r["evidence"], ensure_ascii=False, default=str)
        row["file"] = path
        out.append(row)
    return out


class _Sink:
    """Streams result rows and cells to Parquet in chunks."""

    def __init__(self, outdir: Path) -> None:
        self.results = pq.ParquetWriter(outdir / "results.parquet", RESULT_SCHEMA)
        self.cells_path = outdir / "cells.parquet"
        self.cells: pq.ParquetWriter | None = None
        self.rows: list[dict] = []
        self.frames: list[pd.DataFrame] = []

    def add(self, rows: list[dict], cells: pd.DataFrame | None = None) -> None:
        self.rows.extend(rows)
        if cells is not None:
            self.frames.append(cells)
        if len(self.rows) >= CHUNK * 80:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.results.write_table(pa.Table.from_pylist(self.rows, schema=RESULT_SCHEMA))
            self.rows = []
        if self.frames:
            table = pa.Table.from_pandas(pd.concat(self.frames, ignore_index=True), preserve_index=False)
            if self.cells is None:
                self.cells = pq.ParquetWriter(self.cells_path, table.schema)
            self.cells.write_table(table.cast(self.cells.schema))
            self.frames = []

    def close(self) -> None:
        self.flush()
        self.results.close()
        if self.cells is not None:
            self.cells.close()


def _progress(total: int, show: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="份", desc=desc, disable=not show, file=sys.stderr)


def run_batch(root: str | Path, outdir: str | Path, jobs: int = 1, store: str | Path = "audit-store",
              progress: bool | None = None) -> pd.DataFrame:
    """Audit every file under ``root``; write the outputs to ``outdir``; return reports.csv as a frame."""
    root, outdir, store_path = Path(root), Path(outdir), Path(store)
    outdir.mkdir(parents=True, exist_ok=True)
    files = find_files(root, skip=(outdir, store_path))
    db = ReportStore(store_path)
    show = sys.stderr.isatty() if progress is None else progress
    sink = _Sink(outdir)
    rows: list[dict] = []
    lights: dict[str, Report] = {}
    values: dict[str, dict[str, float]] = {}
    bar = _progress(len(files), show, "读取与检查")
    for item in _items(files, str(store_path), jobs):
        bar.update()
        if item.meta is None:
            rows.append({"file": item.path, "status": "error", "reason": item.error, "error_type": item.error_kind})
            continue
        if not item.stored:
            db.index(item.meta, item.sections)
        m = item.meta
        lights[m["report_id"]] = item.light  # type: ignore[assignment]
        values[m["report_id"]] = item.indicators
        sink.add(_as_text(item.rows, item.path), item.cells.assign(file=item.path))  # type: ignore[union-attr]
        fails = [r["severity"] for r in item.rows if r["status"] == "fail"]
        rows.append({"file": item.path, "status": "ok", "reason": "", "error_type": "", "report_id": m["report_id"],
                     "agency": m.get("agency"), "agency_key": db.aliases.resolve(m.get("agency"))[0],
                     "report_year": m.get("report_year"), "template": m.get("template"), "reader": m.get("reader"),
                     "errors": fails.count("error"), "warnings": fails.count("warning"), "infos": fails.count("info"),
                     "prior_file": "", "pairing": "", "notes": len(m.get("notes") or [])})
    bar.close()
    indicator_rows = _cross_year(db, rows, lights, values, sink, show)
    sink.close()
    db.close()
    reports = pd.DataFrame(rows)
    reports.to_csv(outdir / "reports.csv", index=False)
    pd.DataFrame(indicator_rows).to_csv(outdir / "indicators.csv", index=False)
    _parquet_to_csv(outdir / "results.parquet", outdir / "results.csv")
    return reports


def _cross_year(db: ReportStore, rows: list[dict], lights: dict[str, Report], values: dict[str, dict[str, float]],
                sink: _Sink, show: bool) -> list[dict]:
    """Pass 2: pair each report with last year's and run the cross-year checks; indicators with changes."""
    indicator_rows = []
    bar = _progress(len(lights), show, "跨年核对")
    for row in rows:
        if row["status"] != "ok":
            continue
        bar.update()
        report = lights[row["report_id"]]
        prior, pairing = db.prior(report, lights)
        prior = light(prior) if prior is not None and prior.meta["report_id"] not in lights else prior
        results = run_rows(report, prior, ids=CROSS_YEAR)
        sink.add(_as_text(results, row["file"]))
        fails = [r["severity"] for r in results if r["status"] == "fail"]
        for sev, col in (("error", "errors"), ("warning", "warnings"), ("info", "infos")):
            row[col] += fails.count(sev)
        row["prior_file"] = prior.meta.get("source") if prior else ""
        row["pairing"] = pairing
        before = values.get(prior.meta["report_id"]) if prior else None
        if prior is not None and before is None:
            before = {code: fn(cell_map(db.get(prior.meta["report_id"]) or prior)) for code, (_n, fn) in INDICATORS.items()}
        for code, (name, _fn) in INDICATORS.items():
            value = values[row["report_id"]][code]
            then = before[code] if before else math.nan
            indicator_rows.append({"file": row["file"], "report_id": row["report_id"], "agency": row["agency"],
                                   "report_year": row["report_year"], "indicator": code, "name": name,
                                   "value": value, "prior_value": then, "change": value - then})
    bar.close()
    return indicator_rows


def _parquet_to_csv(src: Path, dst: Path) -> None:
    """Copy a Parquet file to CSV batch by batch (the whole table never sits in memory)."""
    parquet = pq.ParquetFile(src)
    with pacsv.CSVWriter(dst, parquet.schema_arrow) as writer:
        for batch in parquet.iter_batches(batch_size=50_000):
            writer.write_batch(batch)


def exit_status(reports: pd.DataFrame) -> int:
    """2 when a file could not be read, 1 when a report has an error-level fail, else 0."""
    if reports.empty:
        return 0
    if (reports["status"] == "error").any():
        return 2
    return 1 if reports.get("errors", pd.Series(dtype=int)).fillna(0).astype(int).gt(0).any() else 0
