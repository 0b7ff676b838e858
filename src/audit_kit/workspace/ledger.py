"""The ledger of an auditor's decisions: an SQLite file (WAL), an append-only history keyed by finding
fingerprint, with the auditor, the time, a comment and a hash of the values the decision was made on.

On a rerun a matching decision shows again; if the finding's values changed since, it shows as stale
(数据已变化，请复核) and is not silently applied.

The rows form a hash chain: each row carries ``row_hash`` = sha256 over a canonical serialisation of its
columns (its id included) and of ``prev_hash``, the previous row's ``row_hash``. Both are computed and the row
inserted inside one ``BEGIN IMMEDIATE`` transaction, so concurrent writers chain correctly. ``Ledger.verify``
walks the chain: a changed, deleted, forged or reordered row breaks it. The chain needs no secret, so it
cannot stop someone rewriting the whole file: the tail hash shown by ``verify`` (and in the memo) is what
an auditor keeps to vouch for the ledger later.

The file says it is chained (``PRAGMA user_version`` = :data:`CHAINED_VERSION`, written with the first chained
row and whenever a chained ledger is opened for writing): a chained ledger whose hash columns are gone is
reported as tampered, never hashed again as a ledger from before the chain. ``Ledger(path, read_only=True)``
(``audit-kit ledger verify``) changes nothing in the file: no journal switch, no schema, no upgrade.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from ..errors import DiskFullError, LedgerError, disk_full
from ..model.numbers import missing
from ..vocabulary import STALE, UNDECIDED, Decision
from . import sqlite

GENESIS = "0" * 64  # the prev_hash of the first row
CHAINED_VERSION = 1  # PRAGMA user_version of a ledger whose rows are hash-chained
REQUIRED = ("id", "fingerprint", "decision", "comment", "auditor", "decided_at", "values_hash")
CHAINED = ("id", "fingerprint", "decision", "comment", "auditor", "decided_at", "values_hash", "report_id",
           "check_id", "message")
_NO_UPDATE = ("CREATE TRIGGER IF NOT EXISTS no_update BEFORE UPDATE ON decisions "
              "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;")
_NO_DELETE = ("CREATE TRIGGER IF NOT EXISTS no_delete BEFORE DELETE ON decisions "
              "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'pending')),  -- vocabulary.Decision
    comment TEXT NOT NULL DEFAULT '',
    auditor TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    values_hash TEXT NOT NULL,
    report_id TEXT, check_id TEXT, message TEXT,
    prev_hash TEXT, row_hash TEXT
);
CREATE INDEX IF NOT EXISTS by_fingerprint ON decisions (fingerprint, id);
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""" + _NO_UPDATE + "\n" + _NO_DELETE


def row_hash(row: dict, prev_hash: str, columns: tuple[str, ...] = CHAINED) -> str:
    """sha256 over the row's chained columns (as stored) and the previous row's hash."""
    payload = json.dumps([row[c] for c in columns] + [prev_hash], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _text(value: object) -> str | None:
    """A value as the TEXT the ledger stores (None for a missing one), so the hash is over what is stored."""
    if missing(value):
        return None
    return str(value)


@dataclass(frozen=True)
class Verification:
    """What ``Ledger.verify`` found: ok, rows checked, the first broken row's id and why (in Chinese)."""

    ok: bool
    rows: int
    broken_id: int | None = None
    reason: str = ""
    tail: str = ""  # the last row's hash: keep it to vouch for the ledger later
    migrated: int = 0  # rows written before the chain existed, hashed when the ledger was upgraded

    @property
    def line(self) -> str:
        """One line in Chinese for the memo and the command line."""
        if not self.ok and self.broken_id is None:
            return f"审核记录链校验失败：{self.reason}（共 {self.rows} 条）"
        if not self.ok:
            return f"审核记录链校验失败：第 {self.broken_id} 条记录{self.reason}（已检查 {self.rows} 条）"
        if self.reason:  # read only, from before the chain: nothing to walk yet
            return f"审核记录共 {self.rows} 条，{self.reason}（以可写方式打开时补算哈希），无法校验哈希链"
        extra = f"；其中 {self.migrated} 条写于哈希链启用之前，升级时补算" if self.migrated else ""
        tail = f"（链尾哈希 {self.tail[:16]}）" if self.tail else ""
        return f"审核记录完整：{self.rows} 条，链校验通过{tail}{extra}"


def values_hash(finding: dict | pd.Series) -> str:
    """What a decision was made on: status, the two sides and the evidence values (not the wording)."""
    evidence = finding.get("evidence")
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    values = [(e.get("table"), e.get("row"), e.get("col"), e.get("value"), e.get("text")) for e in evidence or []]

    def side(x: Any) -> str:  # a missing side reads the same from SQLite (None) and from Parquet or CSV (NaN)
        return "None" if missing(x) else str(x)

    payload = json.dumps([finding.get("status"), side(finding.get("expected")), side(finding.get("actual")), values],
                         ensure_ascii=False, default=str)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]


F = TypeVar("F", bound=Callable[..., Any])


def _locked(method: F) -> F:
    """Run a method of the ledger under its lock (its SQLite connection is shared by threads)."""
    @functools.wraps(method)
    def run(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)
    return run  # type: ignore[return-value]


class Ledger:
    """Decisions on findings. Every ``record`` is its own transaction, committed before it returns.

    ``notes`` says in Chinese what opening the ledger did (an upgrade of an older ledger to the hash chain)."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.notes: list[str] = []
        self.lock = threading.RLock()  # one use of the connection at a time, whichever thread it comes from
        _refuse_non_ledger(self.path)
        self.read_only = read_only or not sqlite.writable(self.path)
        try:
            if self.read_only and not self.path.exists():  # nothing recorded yet, and nowhere to record: empty
                self.db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                self.db.executescript(_SCHEMA)
            elif self.read_only:  # nothing written: no journal switch, no schema, no upgrade
                self.db = sqlite.read_only(self.path, any_thread=True, autocommit=True)
                self.db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # any thread: a JupyterLab widget's callback runs in another thread than the cell that made it
                self.db = sqlite.connect(self.path, synchronous="FULL", autocommit=True, any_thread=True)
                if not self._tampered():
                    self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.DatabaseError) as exc:
            if disk_full(exc, self.path.parent):
                raise _full(self.path, exc) from exc
            raise LedgerError(str(path), f"无法打开审核记录（{exc}）") from exc
        self._check_columns()
        if not self.read_only:
            self._migrate()

    def _chained(self) -> bool:
        """Whether the file says its rows are hash-chained."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0]) >= CHAINED_VERSION

    def _tampered(self) -> str:
        """Why the file cannot be a ledger as written ("" when it can): chained, but its hash columns gone."""
        columns = self._columns()
        if self._chained() and columns and not {"prev_hash", "row_hash"} <= columns:
            return "已启用哈希链，但哈希列（prev_hash、row_hash）被删除：审核记录被改动过"
        return ""

    def _check_columns(self) -> None:
        """Refuse a decisions table the code cannot read (columns missing), naming them; a chained ledger
        without its hash columns is tampered (reported by :meth:`verify`, refused for writing)."""
        columns = self._columns()
        if not columns:
            return
        lacking = [c for c in (*REQUIRED, *CHAINED[7:]) if c not in columns]
        if lacking:
            raise LedgerError(str(self.path), f"审核记录表 decisions 缺少列：{'、'.join(lacking)}；文件可能被改动或损坏，"
                              "未作任何改动（请用备份恢复）")
        if self._tampered() and not self.read_only:
            raise LedgerError(str(self.path), f"{self._tampered()}；为免掩盖，未作任何改动（audit-kit ledger verify 可查看）")

    @_locked
    def close(self) -> None:
        self.db.close()

    def _columns(self) -> set[str]:
        return {row[1] for row in self.db.execute("PRAGMA table_info(decisions)")}

    def _rows(self) -> list[dict]:
        cur = self.db.execute(f"SELECT {', '.join(CHAINED)}, prev_hash, row_hash FROM decisions ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def _migrate(self) -> None:
        """Give a ledger written before the hash chain its two columns and hash its rows once, in id order,
        in one transaction (another process may be doing the same: the second finds it done). A chained
        ledger is marked so (``user_version``), so its hash columns cannot be dropped unnoticed."""
        if "row_hash" in self._columns():
            if not self._chained():
                self.db.execute(f"PRAGMA user_version = {CHAINED_VERSION}")
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if "row_hash" not in self._columns():
                self.db.execute("ALTER TABLE decisions ADD COLUMN prev_hash TEXT")
                self.db.execute("ALTER TABLE decisions ADD COLUMN row_hash TEXT")
                self.db.execute("DROP TRIGGER IF EXISTS no_update")  # the one time rows are updated
                prev, rows = GENESIS, self._rows()
                for row in rows:
                    h = row_hash(row, prev)
                    self.db.execute("UPDATE decisions SET prev_hash = ?, row_hash = ? WHERE id = ?", (prev, h, row["id"]))
                    prev = h
                self.db.execute(_NO_UPDATE)
                self.db.execute(f"PRAGMA user_version = {CHAINED_VERSION}")
                now = dt.datetime.now().isoformat(timespec="seconds")
                self.db.executemany("INSERT OR REPLACE INTO ledger_meta VALUES (?, ?)",
                                    [("migrated_rows", str(len(rows))), ("migrated_at", now)])
                self.notes.append(f"审核记录已升级为哈希链：为原有 {len(rows)} 条记录补算哈希（记录内容未改动）")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    @_locked
    def record(self, finding: dict | pd.Series, decision: str, comment: str = "", auditor: str = "") -> int:
        """Append a decision on one finding, chained to the last row in the same transaction; returns its id."""
        if self.read_only:
            raise LedgerError(str(self.path), "审核记录文件或其文件夹不可写，无法记录审核结论")
        if decision not in Decision.names():
            raise ValueError(f"decision must be one of {sorted(Decision.names())}")
        row: dict[str, Any] = {"fingerprint": _text(finding["fingerprint"]), "decision": decision, "comment": _text(comment) or "",
               "auditor": _text(auditor) or "", "decided_at": dt.datetime.now().isoformat(timespec="seconds"),
               "values_hash": values_hash(finding), "report_id": _text(finding.get("report_id")),
               "check_id": _text(finding.get("check_id")), "message": _text(finding.get("message"))}
        self.db.execute("BEGIN IMMEDIATE")  # the last row read here is still the last when this one is written
        try:
            last = self.db.execute("SELECT id, row_hash FROM decisions ORDER BY id DESC LIMIT 1").fetchone()
            seq = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'decisions'").fetchone()
            row["id"] = max(last[0] if last else 0, seq[0] if seq else 0) + 1
            prev = (last[1] or "") if last else GENESIS
            if not last:
                self.db.execute(f"PRAGMA user_version = {CHAINED_VERSION}")  # written with the first chained row
            self.db.execute(f"INSERT INTO decisions ({', '.join(CHAINED)}, prev_hash, row_hash) "
                            f"VALUES ({', '.join('?' * (len(CHAINED) + 2))})",
                            (*(row[c] for c in CHAINED), prev, row_hash(row, prev)))
            self.db.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):  # a transaction a full disk ended is already rolled back
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and disk_full(exc, self.path.parent):
                raise _full(self.path, exc) from exc
            raise
        return int(row["id"])

    @_locked
    def verify(self) -> Verification:
        """Walk the hash chain in id order; the first row that breaks it, and why, in Chinese."""
        tampered = self._tampered()
        if tampered:
            n = int(self.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0])
            return Verification(False, n, None, tampered)
        if not self._columns():
            return Verification(True, 0)
        if "row_hash" not in self._columns():  # read only, from before the chain: upgraded when next opened to write
            n = int(self.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0])
            return Verification(True, n, reason="写于哈希链启用之前，尚未升级", migrated=n)
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.db.execute("BEGIN")  # one snapshot: a writer appending meanwhile is not seen half-way
        try:
            rows = self._rows()
            seq = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'decisions'").fetchone() \
                if "sqlite_sequence" in tables else None
            meta = dict(self.db.execute("SELECT key, value FROM ledger_meta").fetchall()) if "ledger_meta" in tables else {}
        finally:
            self.db.execute("COMMIT")
        migrated = int(meta.get("migrated_rows", 0))
        prev, prev_id = GENESIS, 0
        for n, row in enumerate(rows, 1):
            broken = _broken(row, prev, prev_id)
            if broken:
                return Verification(False, n, row["id"], broken, migrated=migrated)
            prev, prev_id = row["row_hash"], row["id"]
        if seq and seq[0] > prev_id:
            return Verification(False, len(rows), prev_id + 1,
                                f"起缺失：最后 {seq[0] - prev_id} 条记录（编号 {prev_id + 1}–{seq[0]}）被删除", migrated=migrated)
        return Verification(True, len(rows), tail=prev if rows else "", migrated=migrated)

    def verification_line(self) -> str:
        """One line in Chinese saying whether the ledger verified (for the memo's header)."""
        return self.verify().line

    @_locked
    def history(self, fingerprint: str | None = None) -> pd.DataFrame:
        q = "SELECT * FROM decisions" + (" WHERE fingerprint = ?" if fingerprint else "") + " ORDER BY id"
        return pd.read_sql_query(q, self.db, params=(fingerprint,) if fingerprint else None)

    @_locked
    def row(self, row_id: int) -> dict | None:
        """The ledger row ``row_id`` as a dict, or None."""
        cur = self.db.execute("SELECT * FROM decisions WHERE id = ?", (row_id,))
        found = cur.fetchone()
        return None if found is None else dict(zip([d[0] for d in cur.description], found, strict=True))

    @_locked
    def version(self) -> int:
        """The id of the last decision recorded (0 for none): changes whenever anyone records one."""
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM decisions").fetchone()[0])

    @_locked
    def latest(self) -> pd.DataFrame:
        """The last decision per fingerprint."""
        return pd.read_sql_query(
            "SELECT d.* FROM decisions d JOIN (SELECT fingerprint, MAX(id) AS id FROM decisions GROUP BY fingerprint) "
            "m ON d.id = m.id", self.db)

    def annotate(self, results: pd.DataFrame) -> pd.DataFrame:
        """``results`` with the latest decision beside each finding: decision, comment, auditor, decided_at,
        ``stale`` when the finding's values changed since the decision (then ``decision`` is empty), and
        ``decision_id``, the ledger row shown (0 for none)."""
        out = results.copy()
        latest = self.latest().set_index("fingerprint") if len(results) else pd.DataFrame()
        cols: dict[str, list[Any]] = {"decision": [], "decision_zh": [], "comment": [], "auditor": [], "decided_at": [], "stale": [],
                                      "decision_id": []}
        for _, row in out.iterrows():
            d = latest.loc[row["fingerprint"]] if row["fingerprint"] in latest.index else None
            stale = d is not None and d["values_hash"] != values_hash(row)
            decision = "" if d is None or stale else d["decision"]
            cols["decision"].append(decision)
            cols["decision_zh"].append(STALE if stale else Decision.zh_of(decision, UNDECIDED))
            cols["comment"].append("" if d is None else d["comment"])
            cols["auditor"].append("" if d is None else d["auditor"])
            cols["decided_at"].append("" if d is None else d["decided_at"])
            cols["stale"].append(bool(stale))
            cols["decision_id"].append(0 if d is None else int(d["id"]))  # the ledger row shown (0: none)
        for k, v in cols.items():
            out[k] = v
        return out


def _broken(row: dict, prev: str, prev_id: int) -> str:
    """Why ``row`` breaks the chain after the row ``prev_id`` whose hash is ``prev`` ("" when it does not)."""
    if row["id"] != prev_id + 1:
        gone = f"编号 {prev_id + 1}" + (f"–{row['id'] - 1}" if row["id"] - 1 > prev_id + 1 else "")
        return f"之前的记录缺失（{gone} 被删除，或记录被重新编号）"
    if not row["row_hash"]:
        return "没有哈希：不是由 audit-kit 写入的（伪造或绕过程序直接插入）"
    if row["prev_hash"] != prev:
        return "与上一条记录的哈希不衔接：之前的记录被删除、插入、改动或调换了顺序"
    if row_hash(row, prev) != row["row_hash"]:
        return "的内容与其哈希不符：记录写入后被改动（或被调换了顺序）"
    return ""


def _full(path: Path, exc: BaseException) -> DiskFullError:
    return DiskFullError(str(path), f"磁盘空间不足，无法写入审核记录（{exc}）；请腾出空间后重试，已有的记录未受影响")


def _refuse_non_ledger(path: Path) -> None:
    """Raise :class:`LedgerError` when ``path`` is a folder, or an existing file that is not a ledger."""
    if path.is_dir():
        raise LedgerError(str(path), "是文件夹，不是审核记录文件；请给出 .sqlite 文件名")
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise LedgerError(str(path), f"无法读取审核记录（{exc.strerror}）") from exc
    if head != b"SQLite format 3\x00":
        raise LedgerError(str(path), "不是审核记录文件（不是 SQLite 数据库）；为免覆盖，未作任何改动")
    db = sqlite.read_only(path)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if disk_full(exc, path.parent):  # reading a WAL file writes its shared-memory index beside it
            raise _full(path, exc) from exc
        raise LedgerError(str(path), f"无法读取审核记录（{exc}）") from exc
    finally:
        db.close()
    if tables and "decisions" not in tables:
        raise LedgerError(str(path), "是另一个数据库（没有审核记录表），不是审核记录文件")
