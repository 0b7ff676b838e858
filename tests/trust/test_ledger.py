"""The ledger's rows form a hash chain; any change, deletion, forgery or reordering of a
row is found by ``Ledger.verify`` and ``audit-kit ledger verify``, and older ledgers are upgraded without
losing a decision."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from audit_kit.errors import LedgerError
from audit_kit.workspace.ledger import Ledger

FIELDS = ("id", "fingerprint", "decision", "comment", "auditor", "decided_at", "values_hash", "report_id",
          "check_id", "message")
OLD_SCHEMA = """
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'pending')),
    comment TEXT NOT NULL DEFAULT '',
    auditor TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    values_hash TEXT NOT NULL,
    report_id TEXT, check_id TEXT, message TEXT
);
CREATE TRIGGER no_update BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER no_delete BEFORE DELETE ON decisions BEGIN SELECT RAISE(ABORT, 'append-only'); END;
"""


def finding(i: int) -> dict:
    return {"fingerprint": f"fp-{i}", "report_id": "r1", "check_id": "T3-1", "message": f"第 {i} 条发现",
            "status": "fail", "expected": i, "actual": i + 1, "evidence": []}


def ledger_with(path: Path, n: int) -> Ledger:
    ledger = Ledger(path)
    for i in range(1, n + 1):
        ledger.record(finding(i), "confirmed", comment=f"意见 {i}", auditor="张三")
    return ledger


def tamper(path: Path, *sql: str) -> None:
    """What someone with the file and the sqlite3 shell can do: drop the triggers, then change rows."""
    db = sqlite3.connect(path)
    db.executescript("DROP TRIGGER IF EXISTS no_update; DROP TRIGGER IF EXISTS no_delete;" + ";".join(sql))
    db.commit()
    db.close()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit_kit.cli", *args], capture_output=True, text=True, timeout=120)


def test_intact_chain_verifies_and_hashes_are_sha256_of_the_canonical_row(tmp_path):
    path = tmp_path / "l.sqlite"
    result = ledger_with(path, 5).verify()
    assert (result.ok, result.rows, result.broken_id) == (True, 5, None)
    assert result.line.startswith("审核记录完整：5 条，链校验通过")
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    prev = "0" * 64
    for row in db.execute("SELECT * FROM decisions ORDER BY id"):
        payload = json.dumps([row[f] for f in FIELDS] + [prev], ensure_ascii=False, separators=(",", ":"))
        assert row["prev_hash"] == prev
        assert row["row_hash"] == hashlib.sha256(payload.encode("utf-8")).hexdigest()
        prev = row["row_hash"]
    assert result.tail == prev


def test_empty_ledger_verifies(tmp_path):
    result = Ledger(tmp_path / "l.sqlite").verify()
    assert result.ok and result.rows == 0 and "0 条" in result.line


@pytest.mark.parametrize(("sql", "broken", "words"), [
    (["UPDATE decisions SET comment = '已排除' WHERE id = 3"], 3, "改动"),
    (["UPDATE decisions SET decision = 'dismissed' WHERE id = 2"], 2, "改动"),
    (["DELETE FROM decisions WHERE id = 3"], 4, "缺失"),
    (["DELETE FROM decisions WHERE id = 1"], 2, "缺失"),
    (["DELETE FROM decisions WHERE id = 5"], 5, "被删除"),
    (["INSERT INTO decisions (id, fingerprint, decision, decided_at, values_hash) "
      "VALUES (6, 'fp-x', 'dismissed', '2024-01-01T00:00:00', 'x')"], 6, "没有哈希"),
    (["INSERT INTO decisions (id, fingerprint, decision, decided_at, values_hash, prev_hash, row_hash) "
      "SELECT 6, 'fp-x', 'dismissed', '2024-01-01T00:00:00', 'x', row_hash, "
      "'0000000000000000000000000000000000000000000000000000000000000001' FROM decisions WHERE id = 5"], 6, "改动"),
    # reordering: rows 2 and 3 swap places (their ids are exchanged)
    (["UPDATE decisions SET id = 100 WHERE id = 2", "UPDATE decisions SET id = 2 WHERE id = 3",
      "UPDATE decisions SET id = 3 WHERE id = 100"], 2, ""),
    # reordering: the contents of rows 2 and 3 exchanged, hashes and ids kept
    (["CREATE TEMP TABLE t AS SELECT * FROM decisions WHERE id IN (2, 3)",
      "UPDATE decisions SET fingerprint = (SELECT fingerprint FROM t WHERE id = 5 - decisions.id), "
      "comment = (SELECT comment FROM t WHERE id = 5 - decisions.id), "
      "message = (SELECT message FROM t WHERE id = 5 - decisions.id) WHERE id IN (2, 3)"], 2, "改动"),
])
def test_tampering_breaks_the_chain_at_the_right_row(tmp_path, sql, broken, words):
    path = tmp_path / "l.sqlite"
    ledger_with(path, 5).close()
    tamper(path, *sql)
    result = Ledger(path).verify()
    assert not result.ok
    assert result.broken_id == broken, result.line
    assert f"第 {broken} 条" in result.line and words in result.line


def test_upgrading_an_old_ledger_keeps_every_decision_and_says_so(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    db.executemany("INSERT INTO decisions (fingerprint, decision, comment, auditor, decided_at, values_hash) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [("fp-a", "confirmed", "甲意见", "甲", "2023-05-01T10:00:00", "h1"),
                    ("fp-b", "dismissed", "", "乙", "2023-05-02T10:00:00", "h2"),
                    ("fp-a", "pending", "再看", "甲", "2023-05-03T10:00:00", "h1")])
    db.commit()
    db.close()
    ledger = Ledger(path)
    assert any("3 条" in n for n in ledger.notes)
    hist = ledger.history()
    assert list(hist["decision"]) == ["confirmed", "dismissed", "pending"]
    assert list(hist["comment"]) == ["甲意见", "", "再看"]
    first = ledger.verify()
    assert first.ok and first.rows == 3 and first.migrated == 3 and "3 条写于哈希链启用之前" in first.line
    ledger.record(finding(9), "dismissed")
    ledger.close()
    again = Ledger(path)  # a second open upgrades nothing
    assert again.notes == []
    assert again.verify().ok and again.verify().rows == 4
    with pytest.raises(sqlite3.DatabaseError):  # the append-only triggers are back
        again.db.execute("UPDATE decisions SET comment = 'x' WHERE id = 1")


WRITER = """
import sys
from audit_kit.workspace.ledger import Ledger
ledger = Ledger(sys.argv[1])
for i in range(int(sys.argv[3])):
    ledger.record({"fingerprint": f"{sys.argv[2]}-{i}", "check_id": "T3-1", "status": "fail", "evidence": []},
                  "pending", auditor=sys.argv[2])
"""


def test_two_processes_writing_at_once_still_chain(tmp_path):
    path = tmp_path / "l.sqlite"
    Ledger(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), who, "40"]) for who in ("甲", "乙")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    result = Ledger(path).verify()
    assert result.ok and result.rows == 80, result.line
    assert set(Ledger(path).history()["auditor"]) == {"甲", "乙"}


def test_a_file_that_is_not_a_ledger_is_refused_untouched(tmp_path):
    report = tmp_path / "report.html"
    report.write_text("<html>年度报告</html>", encoding="utf-8")
    with pytest.raises(LedgerError, match="不是审核记录"):
        Ledger(report)
    assert report.read_text(encoding="utf-8") == "<html>年度报告</html>"
    store = tmp_path / "index.sqlite"
    sqlite3.connect(store).executescript("CREATE TABLE reports (id TEXT);")
    with pytest.raises(LedgerError, match="另一个数据库"):
        Ledger(store)
    with pytest.raises(LedgerError, match="文件夹"):
        Ledger(tmp_path)


def test_cli_ledger_verify(tmp_path):
    path = tmp_path / "l.sqlite"
    ledger_with(path, 4).close()
    ok = cli("ledger", "verify", str(path))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("审核记录完整：4 条，链校验通过") and ok.stderr == ""
    tamper(path, "UPDATE decisions SET comment = '改过' WHERE id = 2")
    bad = cli("ledger", "verify", str(path))
    assert bad.returncode == 1
    assert "第 2 条" in bad.stdout and "Traceback" not in bad.stderr
    for target, words in ((tmp_path / "missing.sqlite", "不存在"), (tmp_path, "文件夹")):
        gone = cli("ledger", "verify", str(target))
        assert gone.returncode == 2 and "Traceback" not in gone.stderr
        lines = gone.stderr.strip().splitlines()
        assert len(lines) == 1 and str(target) in lines[0] and words in lines[0]
    assert not (tmp_path / "missing.sqlite").exists()


def test_a_missing_side_hashes_alike_from_sqlite_and_from_parquet():
    """A decision made on a row of results.parquet (NaN where SQLite gives None) is not stale in the workspace's
    view of the same finding (it was: the batch index counted the decision as not made)."""
    import math

    from audit_kit.workspace.ledger import values_hash

    row = {"status": "fail", "expected": None, "actual": "7.0", "evidence": "[]"}
    assert values_hash({**row, "expected": math.nan}) == values_hash(row)
    assert values_hash({**row, "expected": 3.0}) != values_hash(row)
