"""Batch audits of whole folders: read every supported file, check each against its prior year from the
store, and write the tables an auditor and other tools read.

Outputs in OUTDIR: ``reports.csv`` (one row per file: ok/error and why, agency, year, template, fails by
severity, the prior it was paired with), ``results.csv`` / ``results.parquet`` (every check result),
``cells.parquet`` (every cell) and ``indicators.csv``. A file that cannot be read is one ``error`` row and
the batch goes on. Reports are stored as they are read, so an interrupted batch resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import readers
from .checks.registry import REGISTRY, run
from .errors import AuditKitError
from .indicators import indicators
from .report import Report, load
from .store import ReportStore

ONE_REPORT = [cid for cid, spec in REGISTRY.items() if "prior" not in spec.needs]
CROSS_YEAR = [cid for cid, spec in REGISTRY.items() if "prior" in spec.needs]


def find_files(root: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every supported file under ``root`` (sub-folders too), in a stable order."""
    skip = tuple(p.resolve() for p in skip)
    out = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in readers.READERS or any(part.startswith(".") for part in p.relative_to(root).parts):
            continue
        if any(p.resolve().is_relative_to(s) for s in skip):
            continue
        out.append(p)
    return out


@dataclass
class Item:
    """What one worker returns for one file."""

    path: str
    report: Report | None = None
    results: pd.DataFrame | None = None
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
    """Read one file (or take it from the store when its bytes are stored) and run the one-report checks.
    Never raises: an unreadable file is an Item with ``error`` set."""
    try:
        data = Path(path).read_bytes() if Path(path).is_file() else b""
        sha = hashlib.sha256(data).hexdigest()
        store = _worker_store(store_path)
        stored_id = store.has(sha) if data else None
        report = store.get(stored_id) if stored_id else None
        if report is None:
            report = load(path)
        else:
            report.meta["source"] = path
        results = run(report, None, ids=ONE_REPORT)
        report.document = report.extraction = None
        return Item(path, report, results, stored=stored_id is not None)
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
            yield from pool.map(process_file, [str(f) for f in files], [store_path] * len(files), chunksize=8)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _progress(total: int, show: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="份", desc="读取与检查", disable=not show, file=sys.stderr)


def run_batch(root: str | Path, outdir: str | Path, jobs: int = 1, store: str | Path = "audit-store",
              progress: bool | None = None) -> pd.DataFrame:
    """Audit every file under ``root``; write the outputs to ``outdir``; return reports.csv as a frame."""
    root, outdir, store_path = Path(root), Path(outdir), Path(store)
    outdir.mkdir(parents=True, exist_ok=True)
    files = find_files(root, skip=(outdir, store_path))
    db = ReportStore(store_path)
    show = sys.stderr.isatty() if progress is None else progress
    items: list[Item] = []
    bar = _progress(len(files), show)
    for item in _items(files, str(store_path), jobs):
        if item.report is not None and not item.stored:
            db.add(item.report)
        items.append(item)
        bar.update()
    bar.close()
    ok = {i.report.meta["report_id"]: i.report for i in items if i.report is not None}
    report_rows, result_frames, indicator_frames = [], [], []
    cells_writer = None
    for item in items:
        if item.report is None:
            report_rows.append({"file": item.path, "status": "error", "reason": item.error, "error_type": item.error_kind})
            continue
        report = item.report
        prior, pairing = db.prior(report, ok)
        results = pd.concat([item.results, run(report, prior, ids=CROSS_YEAR)], ignore_index=True)
        results.insert(0, "file", item.path)
        result_frames.append(results)
        indicator_frames.append(indicators(report, prior).assign(file=item.path))
        cells = report.cells.assign(file=item.path)
        table = pa.Table.from_pandas(cells, preserve_index=False)
        if cells_writer is None:
            cells_writer = pq.ParquetWriter(outdir / "cells.parquet", table.schema)
        cells_writer.write_table(table.cast(cells_writer.schema))
        fails = results[results["status"] == "fail"]["severity"].value_counts()
        m = report.meta
        report_rows.append({
            "file": item.path, "status": "ok", "reason": "", "error_type": "", "report_id": m["report_id"],
            "agency": m.get("agency"), "agency_key": db.aliases.resolve(m.get("agency"))[0],
            "report_year": m.get("report_year"), "template": m.get("template"), "reader": m.get("reader"),
            "errors": int(fails.get("error", 0)), "warnings": int(fails.get("warning", 0)),
            "infos": int(fails.get("info", 0)), "prior_file": prior.meta.get("source") if prior else "",
            "pairing": pairing, "notes": len(m.get("notes") or []),
        })
    if cells_writer is not None:
        cells_writer.close()
    db.close()
    reports = pd.DataFrame(report_rows)
    reports.to_csv(outdir / "reports.csv", index=False)
    results = pd.concat(result_frames, ignore_index=True) if result_frames else pd.DataFrame()
    if not results.empty:
        results["evidence"] = results["evidence"].map(lambda e: json.dumps(e, ensure_ascii=False, default=str))
        for col in ("expected", "actual"):
            results[col] = results[col].map(lambda x: None if x is None else str(x))
    results.to_csv(outdir / "results.csv", index=False)
    results.to_parquet(outdir / "results.parquet", index=False)
    ind = pd.concat(indicator_frames, ignore_index=True) if indicator_frames else pd.DataFrame()
    ind.to_csv(outdir / "indicators.csv", index=False)
    return reports


def exit_status(reports: pd.DataFrame) -> int:
    """2 when a file could not be read, 1 when a report has an error-level fail, else 0."""
    if reports.empty:
        return 0
    if (reports["status"] == "error").any():
        return 2
    return 1 if reports.get("errors", pd.Series(dtype=int)).fillna(0).astype(int).gt(0).any() else 0
