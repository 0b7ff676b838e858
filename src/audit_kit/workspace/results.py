"""Check results kept in the workspace with the report they belong to, so they are computed once and
read back by the notebooks, the memo and the next batch.

A stored result set is keyed by the report, the prior-year report it was checked against (or none) and
the fingerprint of the check code (:func:`audit_kit.checks.checks_fingerprint`): a new prior or changed
checks mean new results, never stale ones. Rows are kept as compressed JSON, one SQLite row per report
(``results.sqlite`` in the workspace, WAL), each written in its own transaction.

The store is a cache, never trusted: each row keeps a digest (sha256 over its key and packed rows), and a row
whose digest does not match (edited, or written before digests) is not returned, so the results are computed
again. A file SQLite cannot read is moved aside (``results.sqlite.damaged-<time>``) and a new one started.
On a read-only workspace nothing is stored: results are computed each time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path

import orjson
import pandas as pd

from ..checks import RESULT_COLUMNS, checks_fingerprint
from ..errors import WorkspaceError
from . import sqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    report_id TEXT NOT NULL,
    prior_id TEXT NOT NULL DEFAULT '',
    checks TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    n INTEGER NOT NULL,
    rows BLOB NOT NULL,
    digest TEXT,
    PRIMARY KEY (report_id, prior_id, checks)
);
"""


def digest(report_id: str, prior_id: str, checks: str, blob: bytes) -> str:
    """What a stored row must hash to: its key and its packed rows."""
    h = hashlib.sha256("\0".join((report_id, prior_id, checks, "")).encode())
    h.update(blob)
    return h.hexdigest()


def pack(rows: list[dict]) -> bytes:
    """Result rows (as the checks yield them) as compressed JSON (zlib's fastest level: a batch packs every
    report's rows twice)."""
    return zlib.compress(_json(rows), 1)


def extend(blob: bytes, rows: list[dict]) -> bytes:
    """Packed rows with ``rows`` appended, without decoding the rows packed before (a batch's second pass)."""
    head, tail = zlib.decompress(blob), _json(rows)
    if head == b"[]":
        return zlib.compress(tail, 1)
    return zlib.compress(head if tail == b"[]" else head[:-1] + b"," + tail[1:], 1)


def _json(rows: list[dict]) -> bytes:
    return orjson.dumps(rows, option=orjson.OPT_SERIALIZE_NUMPY, default=str)


def unpack(blob: bytes) -> list[dict]:
    return orjson.loads(zlib.decompress(blob))


class ResultStore:
    """The results of stored reports, in ``FOLDER/results.sqlite``."""

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / "results.sqlite"
        self.notes: list[str] = []  # what opening did (a damaged file moved aside), in Chinese
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self._rebuild(exc)

    def _open(self) -> None:
        self.db = sqlite.open_for(self.path, any_thread=True)  # the lab calls back on another thread, one call at a time
        self.writable = sqlite.writable(self.path)
        if self.writable or not self.path.exists():
            self.db.executescript(_SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(results)")}
        if "digest" not in columns and self.writable:  # a store written before digests: its rows count as unchecked
            with self.db:
                self.db.execute("ALTER TABLE results ADD COLUMN digest TEXT")
            columns.add("digest")
        self._digests = "digest" in columns
        self.db.execute("SELECT COUNT(*) FROM results").fetchone()

    def _rebuild(self, exc: BaseException) -> None:
        """Move the damaged file aside and start an empty one (results are a cache: they are computed again);
        an error that is not damage (busy, read-only, a full disk) is raised as it is."""
        if not sqlite.damaged(exc):
            raise exc
        with contextlib.suppress(Exception):
            self.db.close()
        if not sqlite.writable(self.path):
            raise WorkspaceError(str(self.path), f"检查结果文件已损坏（{exc}），且工作区不可写，无法重建；"
                                 "请把它移走或删除后重新运行（检查结果会重新计算）") from exc
        aside = self.path.with_name(f"{self.path.name}.damaged-{dt.datetime.now():%Y%m%d-%H%M%S}")
        os.replace(self.path, aside)
        for tail in ("-wal", "-shm"):
            self.path.with_name(self.path.name + tail).unlink(missing_ok=True)
        self.notes.append(f"检查结果文件 {self.path} 已损坏（{exc}），已移到 {aside.name} 并重建；检查结果将重新计算")
        self._open()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put_many(self, entries: Iterable[tuple[str, str | None, bytes, int]], checks: str | None = None) -> None:
        """Store packed results — (report_id, prior_id, packed rows, row count) each — in one transaction
        (nothing on a read-only workspace)."""
        if not self.writable:
            return
        now = dt.datetime.now().isoformat(timespec="seconds")
        fp = checks or checks_fingerprint()
        rows = [(rid, pid or "", fp, now, n, blob, digest(rid, pid or "", fp, blob)) for rid, pid, blob, n in entries]
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO results (report_id, prior_id, checks, stored_at, n, rows, "
                                    "digest) VALUES (?,?,?,?,?,?,?)", rows)
        except sqlite3.DatabaseError as exc:
            if sqlite.is_read_only(exc):
                return
            self._rebuild(exc)
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?)", rows)

    def _checked(self, where: str, params: tuple) -> pd.DataFrame | None:
        """The first row matching ``where`` whose digest is right, as a frame (None when there is none)."""
        if not self._digests:
            return None
        try:
            found = self.db.execute(f"SELECT report_id, prior_id, checks, rows, digest FROM results WHERE {where}",
                                    params).fetchall()
        except sqlite3.DatabaseError as exc:
            self._rebuild(exc)
            return None
        for rid, pid, fp, blob, stored in found:
            if stored == digest(rid, pid, fp, blob):
                try:
                    return pd.DataFrame(unpack(blob), columns=RESULT_COLUMNS)
                except (zlib.error, ValueError):
                    continue
        return None  # edited, damaged or unchecked: computed again

    def get(self, report_id: str, prior_id: str | None, checks: str | None = None) -> pd.DataFrame | None:
        """The stored results of a report checked against ``prior_id`` by the current checks, or None."""
        return self._checked("report_id = ? AND prior_id = ? AND checks = ?",
                             (report_id, prior_id or "", checks or checks_fingerprint()))

    def latest(self, report_id: str, checks: str | None = None) -> pd.DataFrame | None:
        """The most recently stored results of a report by the current checks (whatever its prior), or None."""
        return self._checked("report_id = ? AND checks = ? ORDER BY stored_at DESC", (report_id, checks or checks_fingerprint()))

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
