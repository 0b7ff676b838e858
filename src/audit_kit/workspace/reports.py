"""The report store: every report read, kept with its meta, cells (Parquet, partitioned by year) and
sections, keyed by agency identity and year, so next year's run finds last year's report by itself.

Layout of a store folder::

    index.sqlite                     one row per stored report (WAL; the row is written last)
    cells/year=2023/<part>.parquet   the cells of one or more reports of that year
    aliases.csv                      editable agency aliases

A file is stored once (by sha256). A corrected re-publication of the same agency and year is a new
version. Which version is used is decided by the rule of ``versions.py`` (publication date, then the
latest date in the text, then draft/corrected marks in the title) — never by the order in which files
were stored, so a batch gives the same pairing whatever its ``--jobs`` or file order. Versions the rule
cannot order are reported (``Pairing.unordered``), not picked from. The ``version`` column of the index
is not written any more (0); ``reports()`` numbers versions by the same rule. Cells are written to a temporary file and renamed before
the index rows that point at it are committed, so an interrupted run leaves a readable store. A batch
writes one part file per year and chunk of reports (many small files would cost more than the reading).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, cast

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..checks.code import checks_fingerprint
from ..config import Config
from ..errors import WorkspaceError
from ..model.agencies import Identity, agency_key
from ..model.divisions import full_name
from ..model.report import CELL_COLUMNS, Report, ReportMeta
from ..readers import within_limit
from . import sqlite
from .aliases import Aliases
from .folder import declared_region
from .versions import Version, pick, ranks, version_of

_FROZEN = ".index-frozen-"  # the index copies a batch's workers read (ReportStore.freeze)
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    report_id TEXT PRIMARY KEY,
    sha256 TEXT UNIQUE NOT NULL,
    agency TEXT, agency_key TEXT, report_year INTEGER, template TEXT, source TEXT, reader TEXT,
    published TEXT, version INTEGER NOT NULL, stored_at TEXT NOT NULL,
    meta TEXT NOT NULL, sections TEXT NOT NULL, cells_file TEXT
);
CREATE INDEX IF NOT EXISTS by_agency_year ON reports (agency_key, report_year);
CREATE TABLE IF NOT EXISTS index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _json_default(x: object) -> object:
    if isinstance(x, dt.date):
        return x.isoformat()
    raise TypeError(type(x).__name__)


def _dumps(value: object) -> str:
    """JSON of a report's meta or sections as the index keeps it (dates as ISO text)."""
    return orjson.dumps(value, default=_json_default, option=_ORJSON).decode()


def _meta_from_json(text: str) -> ReportMeta:
    meta = json.loads(text)
    for k in ("published",):
        if meta.get(k):
            meta[k] = dt.date.fromisoformat(meta[k])
    if meta.get("period"):
        meta["period"] = tuple(dt.date.fromisoformat(d) for d in meta["period"])
    return cast(ReportMeta, meta)


def damaged_index(index: Path, exc: BaseException) -> WorkspaceError:
    """The error for an index SQLite cannot read: which file, and how to rebuild it."""
    return WorkspaceError(str(index), f"报告库索引已损坏，无法读取（{exc}）；请把该文件移走（例如改名为 "
                          f"{index.name}.damaged），再用 audit-kit batch 年报文件夹 --store {index.parent} 重新读取年报以重建"
                          "（审核记录 ledger.sqlite 不受影响）")


def cells_readable(path: Path) -> bool:
    """Whether a cells part file exists and its Parquet footer can be read (a truncated one cannot)."""
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException, ValueError):
        return False
    return True


def drop_frozen(store: Path) -> None:
    """Remove the index copies :meth:`ReportStore.freeze` made in ``store`` (call under the store's lock)."""
    for copy in store.glob(f"{_FROZEN}*"):
        copy.unlink(missing_ok=True)


class Pairing(NamedTuple):
    """Last year's report found for a report: its id (None when there is none), its file, and why; when
    last year has versions the rule cannot order, ``unordered`` holds their files (and no id is chosen)."""

    report_id: str | None
    source: str
    reason: str
    unordered: tuple[str, ...] = ()


class ReportStore:
    """The reports of a workspace folder (``Workspace.reports``; a batch's workers open the index copy)."""

    def __init__(self, path: str | Path, rekey: bool = True, frozen: str | None = None, region: str | None = None) -> None:
        """Open (or create) the store; ``rekey=False`` skips applying the alias table to the stored reports
        (a batch's tasks: the batch applied it when it started). ``frozen`` opens, read-only, the copy of
        the index that :meth:`freeze` made under that name instead of the live index (a batch's workers).
        ``region``: the declared region names are read in (default: the workspace's ``settings.json``)."""
        self.path = Path(path)
        self.region = declared_region(self.path) if region is None else region
        index = self.path / "index.sqlite"
        self.writable = not frozen and sqlite.writable(index)
        self.aliases = Aliases(self.path / "aliases.csv", create=self.writable)  # a read-only workspace: none made
        if frozen:  # immutable: no locks, no WAL shared memory — readable over a network file system
            self.db = sqlite.read_only(self.path / frozen, immutable=True)
            return
        if self.writable:
            (self.path / "cells").mkdir(parents=True, exist_ok=True)
        try:
            # the lab calls back on another thread, one call at a time
            self.db = sqlite.open_for(index, any_thread=True)
            if self.writable or not index.exists():
                self.db.executescript(_SCHEMA)
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(reports)")}
            if "cells_file" not in columns and self.writable:  # a store written before cells were kept in part files
                with self.db:
                    self.db.execute("ALTER TABLE reports ADD COLUMN cells_file TEXT")
            self.db.execute("SELECT COUNT(*), MAX(LENGTH(meta)) FROM reports").fetchone()
        except sqlite3.DatabaseError as exc:
            if not sqlite.damaged(exc):  # busy, read-only or a full disk: said as such by the caller
                raise
            raise damaged_index(index, exc) from exc
        if rekey and self.writable:
            self._rekey()

    def _identity_stamp(self) -> str:
        """What the stored identities were computed from: the rule's code and table, the alias table, the region."""
        digest = hashlib.sha256(checks_fingerprint().encode() + b"\0" + self.region.encode() + b"\0")
        path = self.aliases.path
        digest.update(path.read_bytes() if path.exists() else b"")
        return digest.hexdigest()[:16]

    def _rekey(self, force: bool = False) -> None:
        """Apply the identity rule, the alias table (which the auditor may have edited) and the declared region
        to every stored report's identity (an index written before identity rested on the division is
        rekeyed here too) — unless none of them changed since the last time (``index_meta``)."""
        stamp = self._identity_stamp()
        done = self.db.execute("SELECT value FROM index_meta WHERE key = 'identity'").fetchone()
        if done and done[0] == stamp and not force:
            return
        rows = self.db.execute("SELECT report_id, agency, agency_key FROM reports WHERE agency IS NOT NULL").fetchall()
        by_name: dict[str, Identity] = {}  # a name that tells its agency alone: one identity for all its reports
        changes = []
        for rid, agency, old in rows:
            if rid in self.aliases.by_report or agency_key(agency).startswith("?"):  # its own line, or its own text
                found = self.identity({"agency": agency, "report_id": rid})
            else:
                found = by_name.get(agency) or by_name.setdefault(agency, self.identity({"agency": agency}))
            if found.key != old:
                changes.append((found.key, rid))
        try:
            with self.db:
                self.db.executemany("UPDATE reports SET agency_key = ? WHERE report_id = ?", changes)
                self.db.execute("INSERT OR REPLACE INTO index_meta VALUES ('identity', ?)", (stamp,))
        except sqlite3.OperationalError:
            if changes:  # a read-only index that needs new identities cannot be used as it is
                raise

    def set_region(self, region: str) -> None:
        """Read names in another declared region from now on (stored identities follow)."""
        self.region = region
        self._rekey(force=True)

    def identity(self, meta: Mapping[str, Any], sections: Mapping[str, Any] | None = None) -> Identity:
        """The agency identity of a report (its meta, and its sections or the stored ones): the alias table,
        the name, the declared region, then the report's own text."""
        def text() -> str:
            found = sections
            title = meta.get("title") or ""
            if found is None and meta.get("report_id"):
                row = self.db.execute("SELECT meta, sections FROM reports WHERE report_id = ?",
                                      (meta["report_id"],)).fetchone()
                if row:
                    found, title = json.loads(row[1]), json.loads(row[0]).get("title") or title
            return "\n".join([title, *(str(s.get("text", "")) for s in (found or {}).values() if isinstance(s, dict))])
        return self.aliases.identity(meta.get("agency"), str(meta.get("report_id") or ""), self.region, text)

    def close(self) -> None:
        self.db.close()

    def freeze(self) -> str:
        """Copy the index, as it is now, to a file of its own in the store and return its name (open it with
        ``ReportStore(path, frozen=name)``). A batch's workers read this copy: SQLite's WAL needs memory
        shared by every process that opens the live index, which workers on other hosts do not share. Copies
        left by a batch that died are removed (call under the store's lock)."""
        drop_frozen(self.path)
        name = f"{_FROZEN}{uuid.uuid4().hex[:12]}.sqlite"
        tmp = self.path / f"{name}.tmp"
        copy = sqlite3.connect(tmp)
        try:
            self.db.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, no WAL: what immutable=1 can read
        finally:
            copy.close()
        os.replace(tmp, self.path / name)
        return name

    def __enter__(self) -> ReportStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, sha256: str) -> str | None:
        """The report_id stored for a file with these bytes, if any."""
        row = self.db.execute("SELECT report_id FROM reports WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def stored_ids(self, paths: list[Path], config: Config) -> dict[Path, str]:
        """The stored report id of each of ``paths`` whose bytes are stored (the one "is this file already
        stored?"). A file over its size limit is never read whole here (loading it says why); one that cannot
        be read is left to the loading too."""
        out = {}
        for path in paths:
            try:
                if not within_limit(path, config):
                    continue
                rid = self.has(hashlib.sha256(path.read_bytes()).hexdigest())
            except OSError:
                continue
            if rid:
                out[path] = rid
        return out

    def _rows(self, columns: str, report_ids: list[str]) -> list[tuple]:
        """``columns`` of the index rows of ``report_ids`` (queried 500 ids at a time)."""
        rows: list[tuple] = []
        for i in range(0, len(report_ids), 500):
            ids = report_ids[i:i + 500]
            rows += self.db.execute(f"SELECT {columns} FROM reports WHERE report_id IN ({','.join('?' * len(ids))})",
                                    ids).fetchall()
        return rows

    def known(self, report_ids: set[str]) -> set[str]:
        """Those of ``report_ids`` the index holds."""
        return {r[0] for r in self._rows("report_id", sorted(report_ids))}

    def find(self, ref: str) -> list[str]:
        """The ids of stored reports whose id is ``ref`` or starts with it (hex digits only; at most two)."""
        ref = ref.strip().lower()
        if not ref or any(c not in "0123456789abcdef" for c in ref):
            return []
        rows = self.db.execute("SELECT report_id FROM reports WHERE report_id >= ? AND report_id < ? ORDER BY report_id "
                               "LIMIT 2", (ref, ref + "g")).fetchall()
        return [r[0] for r in rows]

    def add(self, report: Report) -> bool:
        """Store a report; False when the same bytes are already stored (their cells part is written again
        when it is missing or damaged). A read-only workspace stores nothing."""
        if not self.writable or (self.has(report.meta["sha256"]) and not self.broken([report.meta["report_id"]])):
            return False
        files = self.write_cells([report])
        return self.index([(report.meta, report.sections, files[report.meta["report_id"]])]) == 1

    def write_cells(self, reports: list[Report], tag: str | None = None) -> dict[str, str]:
        """Write the cells of ``reports``, one part file per report year (temporary file, then rename);
        return each report's file relative to the store. Safe from several processes at once. ``tag``
        (instead of a random one) names the files by what they hold: a task run again rewrites them."""
        by_year: dict[object, list[Report]] = defaultdict(list)
        for r in reports:
            by_year[r.meta.get("report_year") or "unknown"].append(r)
        files: dict[str, str] = {}
        for year, group in by_year.items():
            rel = f"cells/year={year}/{group[0].meta['report_id']}-{tag or uuid.uuid4().hex[:8]}.parquet"
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
            pq.write_table(pa.concat_tables([r.cells_table() for r in group]), tmp)
            os.replace(tmp, target)
            files.update((r.meta["report_id"], rel) for r in group)
        return files

    def index(self, entries: list[tuple[ReportMeta, dict, str]]) -> int:
        """Commit the index rows of reports whose cells are written — (meta, sections, cells file) each —
        in one transaction; they count as stored from now. Returns how many were new."""
        added = 0
        broken = self.broken([m["report_id"] for m, _s, _f in entries])
        self.db.execute("BEGIN IMMEDIATE")  # versions are counted and written under one lock
        try:
            for m, sections, cells_file in entries:
                if m["report_id"] in broken:  # stored, but its cells part is missing or damaged: repaired
                    self.db.execute("UPDATE reports SET cells_file = ? WHERE report_id = ?", (cells_file, m["report_id"]))
                    continue
                if self.has(m["sha256"]):
                    continue
                agency_key = self.identity(m, sections).key
                year = m.get("report_year")
                version = 0  # not numbered by commit order: versions.py orders versions when they are read
                self.db.execute(
                    "INSERT OR IGNORE INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (m["report_id"], m["sha256"], m.get("agency"), agency_key, year, m.get("template"), m.get("source"),
                     m.get("reader"), published.isoformat() if (published := m.get("published")) else None, version,
                     dt.datetime.now().isoformat(timespec="seconds"),
                     _dumps(m), _dumps(sections), cells_file))
                added += 1
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise
        return added

    def broken(self, report_ids: list[str]) -> set[str]:
        """Those of ``report_ids`` that are stored but whose cells part is missing or cannot be read."""
        rows = self._rows("report_id, report_year, cells_file", report_ids)
        return {rid for rid, year, f in rows if not cells_readable(self.path / f if f else self._old_cells_path(rid, year))}

    def get(self, report_id: str) -> Report | None:
        return self.get_many([report_id]).get(report_id)

    def get_many(self, report_ids: list[str]) -> dict[str, Report]:
        """Stored reports by id; each part file is read once for all the ids it holds."""
        rows = self._rows("report_id, report_year, meta, sections, cells_file", report_ids)
        by_file: dict[Path, list[str]] = defaultdict(list)
        for rid, year, _m, _s, cells_file in rows:
            by_file[self.path / cells_file if cells_file else self._old_cells_path(rid, year)].append(rid)
        cells: dict[str, pd.DataFrame] = {}
        for path, ids in by_file.items():
            try:
                frame = pq.read_table(path).to_pandas()[CELL_COLUMNS]
            except (OSError, pa.ArrowException, ValueError, KeyError):
                continue  # missing or damaged: the report counts as not stored (a batch reads the file again)
            groups = dict(iter(frame.groupby("report_id", sort=False)))
            for rid in ids:  # a report without tables has no rows, and is still stored
                cells[rid] = groups[rid].reset_index(drop=True) if rid in groups else frame.iloc[:0]
        return {rid: Report(_meta_from_json(m), cells[rid], json.loads(s)) for rid, _y, m, s, _f in rows if rid in cells}

    def _old_cells_path(self, report_id: str, year: int | None) -> Path:
        return self.path / "cells" / f"year={year or 'unknown'}" / f"{report_id}.parquet"

    def latest(self, agency_key: str, year: int) -> str | None:
        """The report used for an agency and year: the version the rule of ``versions.py`` puts last
        (None when there is none, or when its versions cannot be ordered)."""
        chosen, _why, _tied = self._pick(agency_key, year)
        return chosen[0] if chosen else None

    def years(self, agency_key: str) -> list[int]:
        """Every report year the store holds for an agency, in order (for the trend over all years)."""
        rows = self.db.execute("SELECT DISTINCT report_year FROM reports WHERE agency_key = ? AND report_year IS NOT NULL "
                               "ORDER BY report_year", (agency_key,)).fetchall()
        return [int(r[0]) for r in rows]

    def _pick(self, agency_key: str, year: int) -> tuple[tuple[str, str | None, str | None] | None, str, list[Version]]:
        """((report_id, agency as printed, source) of the version to use, or None; the criterion that chose
        it; the versions that could not be ordered)."""
        rows = self.db.execute(
            "SELECT report_id, agency, source, published, meta, sections FROM reports "
            "WHERE agency_key = ? AND report_year = ?", (agency_key, year)).fetchall()
        if len(rows) <= 1:
            return (rows[0][:3] if rows else None), "", []
        found = {r[0]: r for r in rows}
        chosen, why, tied = pick([version_of(rid, src or "", {**json.loads(m), "published": pub}, json.loads(sec))
                                  for rid, _a, src, pub, m, sec in rows])
        return (found[chosen.report_id][:3] if chosen else None), why, tied

    def pair(self, meta: Mapping[str, Any], sources: dict[str, str] | None = None) -> Pairing:
        """Last year's report of the same agency (latest version): its id and file, and why it was paired,
        in Chinese. ``sources`` maps report ids to the file names to show (a batch's own paths)."""
        year = meta.get("report_year")
        found = self.identity(meta)
        agency_key, how = found.key, found.how
        if agency_key is None or year is None:
            return Pairing(None, "", f"无法配对上年报告：{'报告年度未识别' if year is None else how}")
        row, chosen_by, tied = self._pick(agency_key, year - 1)
        printed = meta.get("agency") or agency_key  # messages name the agency as printed, not its key
        if tied:
            files = tuple(sorted((sources or {}).get(v.report_id, v.source) for v in tied))
            return Pairing(None, "", f"库中“{printed}” {year - 1} 年度有 {len(files)} 个版本无法判断先后（发布日期、"
                           f"正文日期和标题都不能区分）：{'、'.join(files)}；未做跨年核对，请核实哪一份是正式版本", files)
        if row is None:
            return Pairing(None, "", f"库中没有“{printed}” {year - 1} 年度的报告")
        rid, then_name, stored_source = row
        source = (sources or {}).get(rid, stored_source or "")
        now_name = meta.get("agency")
        then_how = self.identity({"agency": then_name, "report_id": rid}).how
        if "别名表" in how or "别名表" in then_how:
            why = f"按别名表：本年“{now_name}”，上年“{then_name}”"
        elif now_name == then_name:
            why = f"机关名称相同“{now_name}”"
        else:
            why = f"名称归一后相同：本年“{now_name}”，上年“{then_name}”"
        if found.division:
            why += f"，同属{full_name(found.division)}"
        for said in dict.fromkeys((how, then_how)):
            if "多个地方" in said:  # the name alone was ambiguous: say how the region was settled
                why += f"；{said}"
        if chosen_by:
            why += f"；该年度有多个版本，按{chosen_by}取较晚的一份"
        return Pairing(rid, source, f"与 {year - 1} 年度报告配对（{why}；文件 {source}）")

    def prior(self, report: Report) -> tuple[Report | None, Pairing]:
        """Last year's report of the same agency (the one lookup every caller uses) and how it was found;
        the pairing's reason says so when the stored report's data is missing."""
        found = self.pair(report.meta)
        if found.report_id is None:
            return None, found
        prior = self.get(found.report_id)
        if prior is None:
            return None, found._replace(report_id=None, reason=f"库中上年度报告 {found.report_id} 的数据缺失")
        return prior, found

    def reports(self) -> pd.DataFrame:
        """Every stored report; ``version`` numbers the versions of an agency-year by the rule of
        ``versions.py`` (1 = earliest; versions it cannot order share a number)."""
        frame = pd.read_sql_query(
            "SELECT report_id, sha256, agency, agency_key, report_year, template, source, reader, published, "
            "stored_at, meta, sections FROM reports", self.db)
        numbers: dict[str, int] = {}
        for _k, group in frame.groupby(["agency_key", "report_year"]):  # no identity: no versions
            numbers.update(ranks([version_of(r.report_id, r.source or "", {**json.loads(r.meta), "published": r.published},
                                             json.loads(r.sections)) for r in group.itertuples()]))
        frame["version"] = frame["report_id"].map(numbers).fillna(1).astype(int)
        frame = frame.drop(columns=["meta", "sections"]).sort_values(["agency_key", "report_year", "version", "source"])
        return frame.reset_index(drop=True)[["report_id", "sha256", "agency", "agency_key", "report_year", "template",
                                             "source", "reader", "published", "version", "stored_at"]]
