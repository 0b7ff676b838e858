"""Check results kept in the workspace with the report they belong to, so they are computed once and
read back by the notebooks, the memo and the next batch.

A stored result set is keyed by the report, the prior-year report it was checked against (or none) and
the fingerprint of the check code (:func:`audit_kit.checks.checks_fingerprint`): a new prior or changed
checks mean new results, never stale ones. Rows are kept as compressed JSON, one SQLite row per report
(``results.sqlite`` in the workspace, WAL), each written in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from pathlib import Path

import orjson
import pandas as pd

from ..checks import RESULT_COLUMNS, checks_fingerprint
from . import sqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    report_id TEXT NOT NULL,
    prior_id TEXT NOT NULL DEFAULT '',
    checks TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    n INTEGER NOT NULL,
    rows BLOB NOT NULL,
    PRIMARY KEY (report_id, prior_id, checks)
);
"""


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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite.connect(self.path, any_thread=True)  # the lab calls back on another thread, one call at a time
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put_many(self, entries: Iterable[tuple[str, str | None, bytes, int]], checks: str | None = None) -> None:
        """Store packed results — (report_id, prior_id, packed rows, row count) each — in one transaction."""
        now = dt.datetime.now().isoformat(timespec="seconds")
        fp = checks or checks_fingerprint()
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?)",
                                [(rid, pid or "", fp, now, n, blob) for rid, pid, blob, n in entries])

    def get(self, report_id: str, prior_id: str | None, checks: str | None = None) -> pd.DataFrame | None:
        """The stored results of a report checked against ``prior_id`` by the current checks, or None."""
        row = self.db.execute("SELECT rows FROM results WHERE report_id = ? AND prior_id = ? AND checks = ?",
                              (report_id, prior_id or "", checks or checks_fingerprint())).fetchone()
        if row is None:
            return None
        return pd.DataFrame(unpack(row[0]), columns=RESULT_COLUMNS)

    def latest(self, report_id: str, checks: str | None = None) -> pd.DataFrame | None:
        """The most recently stored results of a report by the current checks (whatever its prior), or None."""
        row = self.db.execute("SELECT rows FROM results WHERE report_id = ? AND checks = ? ORDER BY stored_at DESC "
                              "LIMIT 1", (report_id, checks or checks_fingerprint())).fetchone()
        return None if row is None else pd.DataFrame(unpack(row[0]), columns=RESULT_COLUMNS)

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
