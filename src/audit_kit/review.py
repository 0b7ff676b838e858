"""The ledger of an auditor's decisions: an SQLite file (WAL), an append-only history keyed by finding
fingerprint, with the auditor, the time, a comment and a hash of the values the decision was made on.

On a rerun a matching decision shows again; if the finding's values changed since, it shows as stale
(数据已变化，请复核) and is not silently applied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import pandas as pd

DECISIONS = {"confirmed": "确认问题", "dismissed": "排除", "pending": "待核实"}
STALE = "数据已变化，请复核"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'pending')),
    comment TEXT NOT NULL DEFAULT '',
    auditor TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    values_hash TEXT NOT NULL,
    report_id TEXT, check_id TEXT, message TEXT
);
CREATE INDEX IF NOT EXISTS by_fingerprint ON decisions (fingerprint, id);
CREATE TRIGGER IF NOT EXISTS no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
"""


def values_hash(finding: dict | pd.Series) -> str:
    """What a decision was made on: status, the two sides and the evidence values (not the wording)."""
    evidence = finding.get("evidence")
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    values = [(e.get("table"), e.get("row"), e.get("col"), e.get("value"), e.get("text")) for e in evidence or []]
    payload = json.dumps([finding.get("status"), str(finding.get("expected")), str(finding.get("actual")), values],
                         ensure_ascii=False, default=str)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]


class Ledger:
    """Decisions on findings. Every ``record`` is its own transaction, committed before it returns."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record(self, finding: dict | pd.Series, decision: str, comment: str = "", auditor: str = "") -> int:
        """Append a decision on one finding; returns its id."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {sorted(DECISIONS)}")
        cur = self.db.execute(
            "INSERT INTO decisions (fingerprint, decision, comment, auditor, decided_at, values_hash, report_id, "
            "check_id, message) VALUES (?,?,?,?,?,?,?,?,?)",
            (finding["fingerprint"], decision, comment, auditor, dt.datetime.now().isoformat(timespec="seconds"),
             values_hash(finding), finding.get("report_id"), finding.get("check_id"), finding.get("message")))
        return int(cur.lastrowid or 0)

    def history(self, fingerprint: str | None = None) -> pd.DataFrame:
        q = "SELECT * FROM decisions" + (" WHERE fingerprint = ?" if fingerprint else "") + " ORDER BY id"
        return pd.read_sql_query(q, self.db, params=(fingerprint,) if fingerprint else None)

    def latest(self) -> pd.DataFrame:
        """The last decision per fingerprint."""
        return pd.read_sql_query(
            "SELECT d.* FROM decisions d JOIN (SELECT fingerprint, MAX(id) AS id FROM decisions GROUP BY fingerprint) "
            "m ON d.id = m.id", self.db)

    def annotate(self, results: pd.DataFrame) -> pd.DataFrame:
        """``results`` with the latest decision beside each finding: decision, comment, auditor, decided_at,
        and ``stale`` when the finding's values changed since the decision (then ``decision`` is empty)."""
        out = results.copy()
        latest = self.latest().set_index("fingerprint") if len(results) else pd.DataFrame()
        cols = {"decision": [], "decision_zh": [], "comment": [], "auditor": [], "decided_at": [], "stale": []}
        for _, row in out.iterrows():
            d = latest.loc[row["fingerprint"]] if row["fingerprint"] in latest.index else None
            stale = d is not None and d["values_hash"] != values_hash(row)
            decision = "" if d is None or stale else d["decision"]
            cols["decision"].append(decision)
            cols["decision_zh"].append(STALE if stale else DECISIONS.get(decision, "未审核"))
            cols["comment"].append("" if d is None else d["comment"])
            cols["auditor"].append("" if d is None else d["auditor"])
            cols["decided_at"].append("" if d is None else d["decided_at"])
            cols["stale"].append(bool(stale))
        for k, v in cols.items():
            out[k] = v
        return out
