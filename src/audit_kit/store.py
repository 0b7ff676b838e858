"""The report store: every report read, kept with its meta, cells (Parquet, partitioned by year) and
sections, keyed by agency identity and year, so next year's run finds last year's report by itself.

Layout of a store folder::

    index.sqlite                     one row per stored report (WAL; the row is written last)
    cells/year=2023/<report_id>.parquet
    aliases.csv                      editable agency aliases

A file is stored once (by sha256). A corrected re-publication of the same agency and year is a new
version; the latest version is the one used. A report's cells are written to a temporary file and
renamed before its index row is committed, so an interrupted run leaves a readable store.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pandas as pd

from .agencies import Aliases
from .report import CELL_COLUMNS, Report

DEFAULT_STORE = Path("audit-store")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    report_id TEXT PRIMARY KEY,
    sha256 TEXT UNIQUE NOT NULL,
    agency TEXT, agency_key TEXT, report_year INTEGER, template TEXT, source TEXT, reader TEXT,
    published TEXT, version INTEGER NOT NULL, stored_at TEXT NOT NULL,
    meta TEXT NOT NULL, sections TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS by_agency_year ON reports (agency_key, report_year);
"""


def _json_default(x: object) -> object:
    if isinstance(x, dt.date):
        return x.isoformat()
    raise TypeError(type(x).__name__)


def _meta_from_json(text: str) -> dict:
    meta = json.loads(text)
    for k in ("published",):
        if meta.get(k):
            meta[k] = dt.date.fromisoformat(meta[k])
    if meta.get("period"):
        meta["period"] = tuple(dt.date.fromisoformat(d) for d in meta["period"])
    return meta


class ReportStore:
    """An embedded store in a folder the auditor chooses (default ``./audit-store/``)."""

    def __init__(self, path: str | Path = DEFAULT_STORE) -> None:
        self.path = Path(path)
        (self.path / "cells").mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path / "index.sqlite", timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a commit survives a crash of the process
        self.db.executescript(_SCHEMA)
        self.aliases = Aliases(self.path / "aliases.csv")
        self._rekey()

    def _rekey(self) -> None:
        """Apply the alias table (which the auditor may have edited) to every stored report's identity."""
        rows = self.db.execute("SELECT DISTINCT agency, agency_key FROM reports WHERE agency IS NOT NULL").fetchall()
        changes = [(key, agency) for agency, old in rows if (key := self.aliases.resolve(agency)[0]) != old]
        if changes:
            with self.db:
                self.db.executemany("UPDATE reports SET agency_key = ? WHERE agency = ?", changes)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ReportStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, sha256: str) -> str | None:
        """The report_id stored for a file with these bytes, if any."""
        row = self.db.execute("SELECT report_id FROM reports WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def add(self, report: Report) -> bool:
        """Store a report; False when the same bytes are already stored."""
        if self.has(report.meta["sha256"]):
            return False
        self.write_cells(report)
        return self.index(report.meta, report.sections)

    def _cells_path(self, report_id: str, year: int | None) -> Path:
        return self.path / "cells" / f"year={year or 'unknown'}" / f"{report_id}.parquet"

    def write_cells(self, report: Report) -> None:
        """Write a report's cells (temporary file, then rename). Safe from several processes at once."""
        target = self._cells_path(report.meta["report_id"], report.meta.get("report_year"))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        report.cells.to_parquet(tmp, index=False)
        os.replace(tmp, target)

    def index(self, m: dict, sections: dict) -> bool:
        """Commit the index row of a report whose cells are written; the report counts as stored from now."""
        if self.has(m["sha256"]):
            return False
        agency_key, _how = self.aliases.resolve(m.get("agency"))
        year = m.get("report_year")
        with self.db:
            version = 1 + self.db.execute(
                "SELECT COUNT(*) FROM reports WHERE agency_key = ? AND report_year = ?", (agency_key, year)
            ).fetchone()[0] if agency_key else 1
            self.db.execute(
                "INSERT OR IGNORE INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (m["report_id"], m["sha256"], m.get("agency"), agency_key, year, m.get("template"), m.get("source"),
                 m.get("reader"), m["published"].isoformat() if m.get("published") else None, version,
                 dt.datetime.now().isoformat(timespec="seconds"),
                 json.dumps(m, ensure_ascii=False, default=_json_default),
                 json.dumps(sections, ensure_ascii=False)))
        return True

    def get(self, report_id: str) -> Report | None:
        row = self.db.execute("SELECT report_id, report_year, meta, sections FROM reports WHERE report_id = ?",
                              (report_id,)).fetchone()
        if row is None:
            return None
        rid, year, meta, sections = row
        cells = pd.read_parquet(self._cells_path(rid, year))
        return Report(_meta_from_json(meta), cells[CELL_COLUMNS], json.loads(sections))

    def latest(self, agency_key: str, year: int) -> str | None:
        """The report used for an agency and year: the latest version."""
        row = self.db.execute(
            "SELECT report_id FROM reports WHERE agency_key = ? AND report_year = ? ORDER BY version DESC LIMIT 1",
            (agency_key, year)).fetchone()
        return row[0] if row else None

    def prior(self, report: Report, loaded: dict[str, Report] | None = None) -> tuple[Report | None, str]:
        """Last year's report of the same agency, and why it was paired (in Chinese). ``loaded`` maps
        report ids to reports already in memory, so a batch does not read them back from disk."""
        year = report.meta.get("report_year")
        agency_key, how = self.aliases.resolve(report.meta.get("agency"))
        if agency_key is None or year is None:
            return None, f"无法配对上年报告：{'报告年度未识别' if year is None else how}"
        rid = self.latest(agency_key, year - 1)
        if rid is None:
            return None, f"库中没有“{agency_key}” {year - 1} 年度的报告"
        prior = (loaded or {}).get(rid) or self.get(rid)
        if prior is None:
            return None, f"库中 {year - 1} 年度报告 {rid} 的数据缺失"
        now_name, then_name = report.meta.get("agency"), prior.meta.get("agency")
        if now_name == then_name:
            why = f"机关名称相同“{now_name}”"
        elif "别名表" in how or "别名表" in self.aliases.resolve(then_name)[1]:
            why = f"按别名表：本年“{now_name}”，上年“{then_name}”"
        else:
            why = f"名称归一后相同：本年“{now_name}”，上年“{then_name}”，均记为“{agency_key}”"
        return prior, f"与 {year - 1} 年度报告配对（{why}；文件 {prior.meta.get('source')}）"

    def reports(self) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT report_id, sha256, agency, agency_key, report_year, template, source, reader, published, "
            "version, stored_at FROM reports ORDER BY agency_key, report_year, version", self.db)
