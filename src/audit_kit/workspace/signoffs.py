"""The sign-offs of a report's audit, kept in the ledger's file: the auditor's 审核结论 (同意发布 / 修改后发布 /
退回重新编制, with its reason) and the reviewer's 复核 of it (复核通过 / 退回, with a comment) — append-only and
hash-chained like the decisions (a chain of their own, table ``signoffs``), each written in one transaction.

The two-person rule: a review is of the latest conclusion the auditor recorded, and the reviewer is never the
person who recorded it. A review is stale when a decision or a new conclusion was recorded on the report after
it: the memo then says the report must be reviewed again."""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ..errors import WorkspaceError
from ..vocabulary import ReviewVerdict, Verdict
from .ledger import GENESIS, Ledger, row_hash

Role = Literal["auditor", "reviewer"]
CHAINED = ("id", "report_id", "role", "verdict", "reason", "person", "signed_at", "decisions", "refers_to")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS signoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('auditor', 'reviewer')),
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    person TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    decisions INTEGER NOT NULL,  -- the ledger's last decision id when signed
    refers_to INTEGER,           -- a review: the conclusion it reviews
    prev_hash TEXT NOT NULL, row_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS signoffs_by_report ON signoffs (report_id, id);
CREATE TRIGGER IF NOT EXISTS signoffs_no_update BEFORE UPDATE ON signoffs
BEGIN SELECT RAISE(ABORT, 'the sign-offs are append-only'); END;
CREATE TRIGGER IF NOT EXISTS signoffs_no_delete BEFORE DELETE ON signoffs
BEGIN SELECT RAISE(ABORT, 'the sign-offs are append-only'); END;
"""


def same_person(a: str, b: str) -> bool:
    """Whether two names written by hand name one person (width, case and spaces aside)."""
    def norm(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s).casefold().split())
    return bool(norm(a)) and norm(a) == norm(b)


@dataclass(frozen=True)
class SignOff:
    """One sign-off row."""

    id: int
    role: Role
    verdict: str
    reason: str
    person: str
    signed_at: str
    decisions: int
    refers_to: int | None


@dataclass(frozen=True)
class State:
    """A report's sign-offs now: the auditor's latest conclusion, the latest review of it (None: 未复核), and
    whether that review is stale (the report changed after it)."""

    conclusion: SignOff | None
    review: SignOff | None
    review_stale: bool = False


class SignOffs:
    """The sign-offs in the ledger's file (the ledger's connection and lock)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        with ledger.lock:
            if not ledger.read_only:
                ledger.db.executescript(_SCHEMA)
            elif not ledger.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'signoffs'").fetchone():
                # a read-only ledger without sign-offs: an empty table of this connection's own (nothing written)
                ledger.db.executescript(_SCHEMA.split(";")[0].replace("CREATE TABLE", "CREATE TEMP TABLE") + ";")

    def conclude(self, report_id: str, verdict: str, reason: str, auditor: str) -> int:
        """Record the auditor's conclusion on a report; returns its id."""
        Verdict(verdict)  # ValueError for anything else
        if not auditor.strip():
            raise WorkspaceError("审核结论", "请填写审核人姓名后再记录审核结论")
        return self._append(report_id, "auditor", verdict, reason, auditor.strip(), None)

    def review(self, report_id: str, verdict: str, comment: str, reviewer: str) -> int:
        """Record the reviewer's verdict on the auditor's latest conclusion; refused when there is none or when
        the reviewer is the auditor who recorded it."""
        ReviewVerdict(verdict)
        if not reviewer.strip():
            raise WorkspaceError("复核", "请填写复核人姓名后再记录复核")
        conclusion = self.state(report_id).conclusion
        if conclusion is None:
            raise WorkspaceError("复核", "审核人尚未记录审核结论，无法复核")
        if same_person(conclusion.person, reviewer):
            raise WorkspaceError("复核", f"复核人不能是审核人本人（{conclusion.person}）：复核须由另一人进行")
        return self._append(report_id, "reviewer", verdict, comment, reviewer.strip(), conclusion.id)

    def _append(self, report_id: str, role: Role, verdict: str, reason: str, person: str, refers_to: int | None) -> int:
        db = self.ledger.db
        if self.ledger.read_only:
            raise WorkspaceError(str(self.ledger.path), "审核记录文件或其文件夹不可写，无法记录审核结论或复核")
        with self.ledger.lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                last = db.execute("SELECT id, row_hash FROM signoffs ORDER BY id DESC LIMIT 1").fetchone()
                seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'signoffs'").fetchone()
                decisions = db.execute("SELECT COALESCE(MAX(id), 0) FROM decisions").fetchone()[0]
                new_id = max(last[0] if last else 0, seq[0] if seq else 0) + 1
                row: dict[str, object] = {"id": new_id, "report_id": report_id, "role": role,
                       "verdict": verdict, "reason": reason or "", "person": person,
                       "signed_at": dt.datetime.now().isoformat(timespec="seconds"), "decisions": int(decisions),
                       "refers_to": refers_to}
                prev = last[1] if last else GENESIS
                db.execute(f"INSERT INTO signoffs ({', '.join(CHAINED)}, prev_hash, row_hash) "
                           f"VALUES ({', '.join('?' * (len(CHAINED) + 2))})",
                           (*(row[c] for c in CHAINED), prev, row_hash(row, prev, CHAINED)))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return new_id

    def state(self, report_id: str, fingerprints: list[str] | None = None) -> State:
        """The report's sign-offs now. ``fingerprints``: the report's findings, to tell whether a decision on
        them was recorded after the review (else any decision on the report id counts)."""
        db = self.ledger.db
        with self.ledger.lock:
            rows = db.execute(f"SELECT {', '.join(CHAINED)} FROM signoffs WHERE report_id = ? ORDER BY id",
                              (report_id,)).fetchall()
            signed = [SignOff(r[0], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]
            conclusion = next((s for s in reversed(signed) if s.role == "auditor"), None)
            review = next((s for s in reversed(signed) if s.role == "reviewer"), None)
            if review is None or conclusion is None:
                return State(conclusion, None)
            if fingerprints:
                marks = ",".join("?" * len(fingerprints))
                later = db.execute(f"SELECT COUNT(*) FROM decisions WHERE id > ? AND fingerprint IN ({marks})",
                                   (review.decisions, *fingerprints)).fetchone()[0]
            else:
                later = db.execute("SELECT COUNT(*) FROM decisions WHERE id > ? AND report_id = ?",
                                   (review.decisions, report_id)).fetchone()[0]
        stale = review.refers_to != conclusion.id or later > 0
        return State(conclusion, review, stale)

    def verify(self) -> tuple[bool, int, str]:
        """Walk the sign-offs' chain: (intact, rows checked, why not) — Chinese."""
        with self.ledger.lock:
            return verify(self.ledger.db)


def verify(db: sqlite3.Connection) -> tuple[bool, int, str]:
    """Walk the sign-offs' chain in the ledger's file ``db`` without writing to it: (intact, rows checked,
    why not) — Chinese; a file without sign-offs is intact with 0 rows."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'signoffs'").fetchone() is None:
        return True, 0, ""
    rows = db.execute(f"SELECT {', '.join(CHAINED)}, prev_hash, row_hash FROM signoffs ORDER BY id").fetchall()
    prev, prev_id = GENESIS, 0
    for n, r in enumerate(rows, 1):
        row = dict(zip((*CHAINED, "prev_hash", "row_hash"), r, strict=True))
        if row["id"] != prev_id + 1:
            return False, n, f"签署记录第 {prev_id + 1} 条起缺失"
        if row["prev_hash"] != prev or row_hash(row, prev, CHAINED) != row["row_hash"]:
            return False, n, f"签署记录第 {row['id']} 条被改动"
        prev, prev_id = row["row_hash"], row["id"]
    return True, len(rows), ""


def verdict_of(text: str, kind: type[Verdict] | type[ReviewVerdict]) -> str:
    """A verdict given by its code or its Chinese name (修改后发布, 复核通过 …); ValueError naming the choices."""
    for v in kind:
        if text.strip() in (v.value, v.zh):
            return v.value
    raise ValueError(f"“{text}”不是可选的结论：{'、'.join(v.zh for v in kind)}")
