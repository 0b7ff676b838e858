"""A batch's outputs are one set — a kill at any point leaves the complete old set or the
complete new one — and one batch at a time uses an output folder or a store."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from audit_kit.batch import outputs
from audit_kit.batch.client import run_batch
from audit_kit.testing import samples
from audit_kit.workspace import locks

# A batch in a child process that dies as `kill -9` would at a named point of publishing: just before the
# staging folder is renamed to its commit folder ("staged"), just after ("committed"), or after one file
# was moved from the commit folder into place ("renamed:NAME"). The test wraps os.replace in that child only.
CRASHING_BATCH = """
import os, signal, sys
point, real = sys.argv[1], os.replace

def replace(src, dst, *args, **kwargs):
    src_name = os.path.basename(os.fspath(src))
    parent = os.path.basename(os.path.dirname(os.fspath(src)))
    if point == "staged" and src_name.startswith(".staging-"):
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst, *args, **kwargs)
    if (point == "committed" and src_name.startswith(".staging-")) or (
            parent.startswith(".commit-") and point == "renamed:" + src_name):
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace
from audit_kit.cli import main
sys.exit(main(sys.argv[2:]))
"""

LOCK_HOLDER = """
import sys, time
from audit_kit.workspace.locks import exclusive
with exclusive(sys.argv[1], "输出文件夹"):
    print("held", flush=True)
    time.sleep(600)
"""


def _inputs(folder: Path, n: int, seed: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(n):
        samples.write(samples.make_report("2021", 2023, seed=seed + i, agency=f"示例县第{seed + i}局"), folder / f"r{i}.txt")
    return folder


def _batch(src: Path, out: Path, store: Path, crash_at: str = "") -> subprocess.CompletedProcess:
    args = ["batch", str(src), "-o", str(out), "--store", str(store)]
    start = ["-c", CRASHING_BATCH, crash_at] if crash_at else ["-m", "audit_kit.cli"]
    return subprocess.run([sys.executable, *start, *args], capture_output=True, text=True, timeout=300)


def _snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in [*outputs.FILES, outputs.MANIFEST]}


def _assert_one_set(out: Path, n_reports: int) -> None:
    """Every output of one run: sizes as its manifest says, and the tables agree with each other (read as the
    package reads them, which first finishes a publication a kill left half done)."""
    reports = outputs.read(out, "reports")
    manifest = json.loads((out / outputs.MANIFEST).read_text(encoding="utf-8"))
    assert {name: (out / name).stat().st_size for name in manifest["files"]} == manifest["files"]
    assert len(reports) == n_reports
    files = set(reports["file"])
    assert set(pd.read_parquet(out / "results.parquet")["file"]) == files
    assert set(pd.read_csv(out / "results.csv", encoding="utf-8-sig")["file"]) == files
    assert set(outputs.read(out, "indicators")["file"]) == files
    assert set(pd.read_parquet(out / "cells.parquet")["file"]) == files
    assert len(pd.read_csv(out / "reports.csv", encoding="utf-8-sig")) == n_reports


@pytest.mark.parametrize("point", ["staged", "committed", "renamed:reports.csv", "renamed:results.parquet",
                                   "renamed:indicators.parquet"])
def test_a_kill_leaves_the_old_set_or_the_new_one(tmp_path, point):
    old_in, new_in = _inputs(tmp_path / "a", 2, 0), _inputs(tmp_path / "b", 3, 10)
    out, store = tmp_path / "out", tmp_path / "store"
    assert _batch(old_in, out, store).returncode == 0
    before = _snapshot(out)
    killed = _batch(new_in, out, store, crash_at=point)
    assert killed.returncode == -signal.SIGKILL
    if point == "staged":  # killed before the commit: the old set, byte for byte
        assert _snapshot(out) == before
        _assert_one_set(out, 2)
    else:  # killed after the commit: the first reader finishes the publication
        assert any(out.glob(outputs.COMMIT + "*"))
        _assert_one_set(out, 3)
        assert not any(out.glob(outputs.COMMIT + "*"))
    again = _batch(new_in, out, store)
    assert again.returncode == 0, again.stderr
    _assert_one_set(out, 3)
    assert not any(out.glob(".staging-*")) and not any(out.glob(outputs.COMMIT + "*"))


def test_a_killed_publication_is_finished_by_the_next_batch(tmp_path):
    out, store = tmp_path / "out", tmp_path / "store"
    _batch(_inputs(tmp_path / "a", 2, 0), out, store)
    assert _batch(_inputs(tmp_path / "b", 3, 10), out, store, crash_at="renamed:reports.csv").returncode < 0
    assert run_batch(_inputs(tmp_path / "c", 1, 20), out, store=store, progress=False).shape[0] == 1
    _assert_one_set(out, 1)


def _hold(folder: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(folder)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.parametrize("which", ["out", "store"])
def test_a_second_batch_on_the_same_folder_or_store_stops_at_once(tmp_path, which):
    src = _inputs(tmp_path / "a", 2, 0)
    out, store = tmp_path / "out", tmp_path / "store"
    holder = _hold(out if which == "out" else store)
    try:
        done = _batch(src, out if which == "out" else tmp_path / "other-out", store)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert "另一个批量审核正在使用此" + ("输出文件夹" if which == "out" else "报告库") in done.stderr
        assert f"进程 {holder.pid}" in done.stderr
        assert not (out / "reports.csv").exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_of_a_dead_run_is_taken_over(tmp_path):
    src = _inputs(tmp_path / "a", 2, 0)
    out, store = tmp_path / "out", tmp_path / "store"
    holder = _hold(out)
    assert locks.holder(out)["pid"] == holder.pid
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert json.loads((out / locks.LOCK_NAME).read_text(encoding="utf-8"))["pid"] == holder.pid  # left behind
    assert locks.holder(out) is None  # … and not taken for a running batch
    done = _batch(src, out, store)
    assert done.returncode == 0, done.stderr
    _assert_one_set(out, 2)
    assert (out / locks.LOCK_NAME).read_text(encoding="utf-8") == ""  # a finished run leaves no claim
