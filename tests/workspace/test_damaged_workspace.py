"""A damaged workspace is repaired or refused, never trusted: stored results and OCR cache entries that do
not match their digest are computed again, a missing or truncated cells part is read again and repaired, a
damaged results.sqlite is rebuilt, a damaged index.sqlite is a clear error, odd settings.json files are read
or refused naming the line, ``ledger verify`` only reads, and a ledger whose hash columns were dropped is
tampered."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from audit_kit.batch.client import run_batch
from audit_kit.cli.app import main
from audit_kit.errors import LedgerError, WorkspaceError
from audit_kit.readers.ocr.cache import OcrCache
from audit_kit.workspace.access import Workspace
from audit_kit.workspace.ledger import Ledger
from audit_kit.workspace.results import pack, unpack
from tests.conftest import ROOT

SERIES = ROOT / "data" / "samples" / "series"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("damaged")
    run_batch(SERIES, base / "out", store=base / "ws")
    return base / "ws"


@pytest.fixture
def ws(built, tmp_path) -> Path:
    shutil.copytree(built, tmp_path / "ws")
    return tmp_path / "ws"


def _ids(ws: Path) -> list[str]:
    with Workspace(ws) as w:
        return list(w.reports.reports()["report_id"])


def _with_fails(ws: Path) -> str:
    with Workspace(ws) as w:
        for rid in w.reports.reports()["report_id"]:
            if (w.open(rid).results["status"] == "fail").any():
                return str(rid)
    raise AssertionError("no report of the series fails a check")


def test_stored_results_edited_from_fail_to_pass_are_computed_again(ws):
    rid = _with_fails(ws)
    db = sqlite3.connect(ws / "results.sqlite")
    rows = db.execute("SELECT rowid, rows FROM results WHERE report_id = ?", (rid,)).fetchall()
    assert rows
    for rowid, blob in rows:
        edited = [{**r, "status": "pass"} for r in unpack(blob)]
        db.execute("UPDATE results SET rows = ? WHERE rowid = ?", (pack(edited), rowid))
    db.commit()
    db.close()
    with Workspace(ws) as w:
        audit = w.open(rid)
        assert (audit.results["status"] == "fail").any()  # not the edited "all pass"
        assert audit.computed


def test_an_edited_ocr_cache_entry_is_not_used(tmp_path):
    cache = OcrCache(tmp_path / "ocr-cache")
    cache.put("ab" * 32, 1, "v1", {"words": [{"text": "12", "conf": 0.99}], "by": {"pass": "read"}})
    assert cache.get("ab" * 32, 1, "v1")["words"][0]["text"] == "12"
    (entry,) = (tmp_path / "ocr-cache").rglob("*.json")
    entry.write_text(entry.read_text(encoding="utf-8").replace('"12"', '"99"'), encoding="utf-8")
    assert cache.get("ab" * 32, 1, "v1") is None  # OCR'd again, never the edited value


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_a_missing_or_truncated_cells_part_is_read_again_and_repaired(ws, tmp_path, damage, capsys):
    rid = _ids(ws)[0]
    with Workspace(ws) as w:
        before = w.report(rid).cells
        part = ws / w.reports.db.execute("SELECT cells_file FROM reports WHERE report_id = ?", (rid,)).fetchone()[0]
    if damage == "missing":
        part.unlink()
    else:
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    with Workspace(ws) as w, pytest.raises(Exception, match="缺失或损坏"):
        w.report(rid)
    assert main(["export", "--store", str(ws), "-o", str(tmp_path / "x.xlsx")]) == 0
    assert f"报告 {rid}" in capsys.readouterr().err  # the export says which report it left out
    reports = run_batch(SERIES, tmp_path / "out2", store=ws)
    assert set(reports["status"]) == {"ok"}
    with Workspace(ws) as w:  # the index points at a readable part again: the memo's report loads
        again = w.report(rid).cells
    assert again.equals(before)


def _damage_results(ws: Path) -> None:
    (ws / "results.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    for tail in ("-wal", "-shm"):
        (ws / f"results.sqlite{tail}").unlink(missing_ok=True)


def test_a_damaged_results_file_is_rebuilt_and_export_says_so(ws, tmp_path, capsys):
    _damage_results(ws)
    assert main(["export", "--store", str(ws), "-o", str(tmp_path / "x.xlsx")]) == 0
    err = capsys.readouterr().err
    assert "results.sqlite" in err and "已损坏" in err and "重建" in err


def test_a_damaged_results_file_is_rebuilt(ws):
    rid = _with_fails(ws)
    _damage_results(ws)
    with Workspace(ws) as w:
        assert (w.open(rid).results["status"] == "fail").any()
        assert any("已损坏" in n for n in w.results.notes)
    assert list(ws.glob("results.sqlite.damaged-*"))


def test_a_damaged_index_is_a_clear_error(ws, capsys):
    rid = _ids(ws)[0]
    (ws / "index.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x07" * 8192)
    for tail in ("-wal", "-shm"):
        (ws / f"index.sqlite{tail}").unlink(missing_ok=True)
    assert main(["check", rid, "--store", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "index.sqlite" in err and "已损坏" in err and "batch" in err and "内部错误" not in err


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_settings_saved_as_gbk_or_with_a_bom_are_read(tmp_path, encoding):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "settings.json").write_bytes('{"auditor": "张三", "reviewer": "李四"}'.encode(encoding))
    with Workspace(tmp_path / "ws") as w:
        assert (w.settings.auditor, w.settings.reviewer) == ("张三", "李四")


@pytest.mark.parametrize(("text", "line"), [("[1, 2]", 1), ('{\n "auditor": "张三",\n "reviewer": 李四\n}', 3)])
def test_settings_that_are_no_json_object_name_the_line(tmp_path, text, line):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "settings.json").write_text(text, encoding="utf-8")
    with Workspace(tmp_path / "ws") as w, pytest.raises(WorkspaceError, match=f"第 {line} 行") as caught:
        w.settings  # noqa: B018
    assert "settings.json" in str(caught.value)


def _ledger(path: Path, n: int = 2) -> Path:
    ledger = Ledger(path)
    for i in range(n):
        ledger.record({"fingerprint": f"{i:016x}", "status": "fail", "evidence": []}, "confirmed", "", "张")
    ledger.close()
    return path


def test_ledger_verify_only_reads(tmp_path, capsys):
    path = _ledger(tmp_path / "ledger.sqlite")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    before = path.read_bytes()
    assert main(["ledger", "verify", str(path)]) == 0
    assert path.read_bytes() == before  # no journal switch, no migration
    assert not path.with_name("ledger.sqlite-wal").exists()


def _execute(path: Path, *statements: str) -> None:
    """Change an SQLite file behind audit-kit's back, as an editor or an attacker would."""
    db = sqlite3.connect(path)
    for sql in statements:
        db.execute(sql)
    db.commit()
    db.close()


def test_dropped_hash_columns_are_tampering_not_an_old_ledger(tmp_path, capsys):
    path = _ledger(tmp_path / "ledger.sqlite")
    _execute(path, "ALTER TABLE decisions DROP COLUMN row_hash", "ALTER TABLE decisions DROP COLUMN prev_hash")
    assert main(["ledger", "verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "校验失败" in out and "哈希列" in out and "补算" not in out
    with pytest.raises(LedgerError, match="哈希列"):
        Ledger(path)  # never re-hashed as a ledger from before the chain


def test_a_decisions_table_with_missing_columns_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "ledger.sqlite"
    _execute(path, "CREATE TABLE decisions (id INTEGER PRIMARY KEY, fingerprint TEXT)",
             "INSERT INTO decisions VALUES (1, 'abc')")
    assert main(["ledger", "verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert "ledger.sqlite" in err and "缺少列" in err and "decision" in err and "内部错误" not in err


def _as_reader(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI as someone who cannot write the workspace (as root: the user nobody, with a Python that
    user can run and this environment's packages)."""
    import sysconfig

    import audit_kit

    src = str(Path(audit_kit.__file__).resolve().parents[1])  # the package under test
    env = {**os.environ, "PYTHONPATH": src, "HOME": str(cwd), "XDG_CACHE_HOME": str(cwd / "cache"),
           "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    env.pop("AUDIT_KIT_WORKSPACE", None)
    python, prefix = sys.executable, []
    if os.geteuid() == 0:
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        python = _python_for_nobody()
        env["PYTHONPATH"] = os.pathsep.join((src, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]))
    run = [*prefix, python, "-c", "from audit_kit.cli import run; run()", *cmd]
    return subprocess.run(run, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _python_for_nobody() -> str:
    """A Python of this version that the user nobody can run, and start again as the memo's kernel (the
    environment's may sit in root's home)."""
    for candidate in (sys.executable, f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}", "/usr/bin/python3"):
        check = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", candidate, "-c",
                                "import subprocess, sys; subprocess.run([sys.executable, '-c', ''], check=True); "
                                "print(sys.version_info[:2])"], capture_output=True, text=True)
        if check.returncode == 0 and check.stdout.strip() == str(tuple(sys.version_info[:2])):
            return candidate
    pytest.skip("no Python of this version that another user can run")


@pytest.fixture
def read_only_copy(built):
    """A copy of the workspace its user can only read, in a folder that user can write (for outputs)."""
    base = Path(tempfile.mkdtemp(prefix="ro-ws-"))
    try:
        ws = base / "ws"
        shutil.copytree(built, ws)
        _ledger(ws / "ledger.sqlite", 1)
        os.chmod(base, 0o777)
        for p in [ws, *ws.rglob("*")]:
            os.chmod(p, 0o555 if p.is_dir() else 0o444)
        before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
        yield ws, base
        assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before  # nothing written
    finally:
        for p in [base, *base.rglob("*")]:
            os.chmod(p, 0o777)
        shutil.rmtree(base)


def test_verify_check_export_and_memo_by_id_work_on_a_read_only_workspace(read_only_copy):
    ws, base = read_only_copy
    rid = _ids_read_only(ws)
    done = _as_reader(["ledger", "verify", str(ws / "ledger.sqlite")], base)
    assert done.returncode == 0, done.stderr
    assert "审核记录完整：1 条" in done.stdout
    done = _as_reader(["check", rid, "--store", str(ws)], base)
    assert done.returncode in (0, 1), done.stderr
    assert "检查结果" in done.stdout
    done = _as_reader(["export", "--store", str(ws), "-o", str(base / "out.xlsx")], base)
    assert done.returncode == 0, done.stderr
    assert (base / "out.xlsx").stat().st_size > 0
    done = _as_reader(["memo", rid, "--store", str(ws), "-o", str(base / "审核意见书.html")], base)
    assert done.returncode == 0, done.stderr
    assert "审核意见书" in (base / "审核意见书.html").read_text(encoding="utf-8")


def _ids_read_only(ws: Path) -> str:
    db = sqlite3.connect(f"{(ws / 'index.sqlite').as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return str(db.execute("SELECT report_id FROM reports ORDER BY report_id LIMIT 1").fetchone()[0])
    finally:
        db.close()
