"""Batches on a Dask cluster (``batch --scheduler``): a scheduler and two workers started here on 127.0.0.1,
each worker in a working folder of its own, give the same reports.csv and results.csv as the local run —
also when one worker is killed part-way — and every report is stored once. And the client's ordering of
results and its handling of a chunk that keeps killing workers, with an engine that fakes the cluster."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import audit_kit
from audit_kit.batch import engine as batch_engine
from audit_kit.testing import samples
from tests import ocr_scans

pytest.importorskip("distributed")

BIN = Path(sys.executable).parent
SRC = str(Path(audit_kit.__file__).resolve().parents[1])
N = 240  # 80 agencies × 3 years: 6 chunks of 40 files per pass


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([SRC, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _wait(what: str, test: Callable[[], Any], timeout: float = 120) -> Any:
    """Poll ``test`` until it gives something true (generous timeout: the machine is shared)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if found := test():
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Cluster:
    """A ``dask scheduler`` and two ``dask worker`` processes, each in a session of its own (killed whole)."""

    def __init__(self, folder: Path, allowed_failures: int | None = None) -> None:
        self.procs: list[subprocess.Popen] = []
        info = folder / "scheduler.json"
        config = {} if allowed_failures is None else {
            "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures)}
        self.log, self.allowed_failures = folder / "scheduler" / "log.txt", allowed_failures
        self.procs.append(self._start(folder / "scheduler", [
            "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
            "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(info)], config))
        self.address = _wait("the scheduler", lambda: info.exists() and json.loads(info.read_text())["address"])
        self.workers = [self._start(folder / f"worker{i}", ["worker", self.address, "--nthreads", "1",
                                                             "--nworkers", "1", "--no-dashboard"]) for i in (1, 2)]
        self.procs += self.workers
        from distributed import Client

        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)

    @staticmethod
    def _start(cwd: Path, args: list[str], config: dict[str, str] | None = None) -> subprocess.Popen:
        cwd.mkdir(parents=True)
        log = (cwd / "log.txt").open("wb")
        return subprocess.Popen([str(BIN / "dask"), *args], cwd=cwd, env={**_env(), **(config or {})}, stdout=log,
                                stderr=log, start_new_session=True)

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the process and its children (a worker's nanny and the worker it started)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            self.kill(proc)


@pytest.fixture
def cluster(tmp_path: Path, request) -> Iterator[Cluster]:
    started = Cluster(tmp_path / "cluster", getattr(request, "param", None))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    """N generated reports: agencies with three years each, text and web pages mixed in each year."""
    root = tmp_path_factory.mktemp("dask") / "in"
    years = (2021, 2022, 2023)
    for i in range(N):
        agency, year = i // len(years), years[i % len(years)]
        spec = samples.make_report("2021", year, seed=i, agency=f"示例县第{agency}局")
        (root / str(year)).mkdir(parents=True, exist_ok=True)
        samples.write(spec, root / str(year) / f"a{agency:05d}{('.txt', '.html')[(agency + i) % 2]}")
    return root


def _batch(src: Path, out: Path, store: Path, *extra: str) -> subprocess.Popen:
    cmd = [str(BIN / "audit-kit"), "batch", str(src), "-o", str(out), "--store", str(store), *extra]
    return subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> str:
    _out, err = proc.communicate(timeout=600)
    assert proc.returncode in (0, 1), err  # 1: the generated reports have error-level fails by design
    return err


@pytest.fixture(scope="module")
def local(reports: Path, tmp_path_factory) -> Path:
    """The same batch run on this machine (two local processes)."""
    folder = tmp_path_factory.mktemp("local")
    _finish(_batch(reports, folder / "out", folder / "store", "--jobs", "2"))
    return folder / "out"


def _table(path: Path) -> pd.DataFrame:
    """A CSV output as text, rows sorted (no column of these outputs is specific to the run)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _same_outputs(out: Path, local: Path) -> None:
    for name in ("reports.csv", "results.csv"):
        pd.testing.assert_frame_equal(_table(out / name), _table(local / name), obj=name)
    assert len(_table(out / "reports.csv")) == N


def _stored_once(store: Path) -> None:
    with sqlite3.connect(store / "index.sqlite") as db:
        rows, files = db.execute("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM reports").fetchone()
    assert (rows, files) == (N, N)
    with sqlite3.connect(store / "results.sqlite") as db:
        (stored,) = db.execute("SELECT COUNT(*) FROM results").fetchone()
    assert stored == N


def test_cluster_batch_matches_local_run(cluster: Cluster, reports: Path, local: Path, tmp_path: Path) -> None:
    err = _finish(_batch(reports, tmp_path / "out", tmp_path / "store", "--scheduler", cluster.address))
    assert f"Dask 集群 {cluster.address}：2 个工作线程；无仪表盘" in err  # no bokeh here: no dashboard claimed
    _same_outputs(tmp_path / "out", local)
    _stored_once(tmp_path / "store")
    # the auditor merges an agency into another; the same workers see it in the next batch (no stale store)
    with (tmp_path / "store" / "aliases.csv").open("a", encoding="utf-8") as fh:
        fh.write("示例县第0局,示例县合并局,\n")
    _finish(_batch(reports, tmp_path / "again", tmp_path / "store", "--scheduler", cluster.address))
    again = pd.read_csv(tmp_path / "again" / "reports.csv", dtype=str, keep_default_na=False)
    assert set(again.loc[again["agency"] == "示例县第0局", "agency_key"]) == {"示例县合并局"}


@pytest.mark.parametrize("cluster", [None, 0], indirect=True, ids=["rerun", "give-up-at-once"])
def test_worker_killed_part_way_loses_nothing(cluster: Cluster, reports: Path, local: Path, tmp_path: Path) -> None:
    """Killed part-way: Dask runs its tasks again elsewhere (by default), or — with allowed-failures 0 — gives
    up on them at once, and the client runs those chunks again file by file. The same outputs either way."""
    out = tmp_path / "out"
    proc = _batch(reports, out, tmp_path / "store", "--scheduler", cluster.address)
    _wait("the first part file", lambda: any(out.glob(".staging-*/parts/1-*-results.parquet")), timeout=300)
    assert proc.poll() is None, "the batch ended before the worker could be killed"
    victim = cluster.workers[0]
    cluster.kill(victim)
    _finish(proc)
    assert victim.returncode is not None
    if cluster.allowed_failures == 0:  # the client really had chunks given up on (and ran them file by file)
        assert "workers died while trying to run it" in cluster.log.read_text(encoding="utf-8")
    _same_outputs(out, local)
    _stored_once(tmp_path / "store")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_scanned_pages_are_ocr_tasks_on_the_workers(cluster: Cluster, tmp_path: Path, workspace_dir: Path) -> None:
    """A scanned report: its pages OCR'd as tasks of their own over both workers, into the batch's
    workspace cache, which the workers' read then finds (the client's settings travel with the tasks)."""
    from audit_kit.readers.legacy import convert

    docx = tmp_path / "sample.docx"
    docx.write_bytes(samples.to_docx(samples.make_report("2021", seed=7)))
    pdf = tmp_path / "sample.pdf"
    pdf.write_bytes(convert(docx, docx.read_bytes(), "pdf"))
    pages = ocr_scans.raster(pdf, 150)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "scan.pdf").write_bytes(ocr_scans.image_pdf([ocr_scans.jpeg(p, 85) for p in pages]))
    store = tmp_path / "store"
    _finish(_batch(tmp_path / "in", tmp_path / "out", store, "--scheduler", cluster.address))
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in (store / "ocr-cache").rglob("*.json")]
    assert len(entries) == len(pages) > 1
    assert {e["by"]["pass"] for e in entries} == {"batch"}  # by the pre-pass, none by the read
    assert len({e["by"]["pid"] for e in entries}) == 2  # on both workers
    assert not list(workspace_dir.glob("ocr-cache/**/*.json"))  # no worker fell back to a cache of its own
    cells = pd.read_parquet(tmp_path / "out" / "cells.parquet")
    got = dict(zip(zip(cells["table"], cells["row"], cells["col"], strict=True), cells["value"], strict=True))
    text = audit_kit.load(pdf).cells
    assert got == dict(zip(zip(text["table"], text["row"], text["col"], strict=True), text["value"], strict=True))


def test_ocr_on_the_cluster_stays_inside_the_file_time_limit(cluster: Cluster, tmp_path: Path,
                                                             workspace_dir: Path) -> None:
    """A 30-page scan (2–3 s of OCR a page) with --file-timeout 3: on the cluster no per-file limit applied
    at all, and its 30 pages were OCR'd over the workers and reported ok. Now the pre-pass counts its pages'
    time against its limit (the rest are cancelled) and the read gets only what is left."""
    from audit_kit.testing import hostile

    src = tmp_path / "in"
    src.mkdir()
    hostile.scanned_pdf(src / "scan-30.pdf", 30)
    shutil.copy(Path(audit_kit.__file__).parents[2] / "data" / "samples" / "yanchi-2020.txt", src / "seed.txt")
    store = tmp_path / "store"
    started = time.monotonic()
    proc = _batch(src, tmp_path / "out", store, "--scheduler", cluster.address, "--file-timeout", "3")
    _out, err = proc.communicate(timeout=600)
    took = time.monotonic() - started
    assert proc.returncode == 2 and "Traceback" not in err, err
    rows = pd.read_parquet(tmp_path / "out" / "reports.parquet").set_index("file")
    scan = rows.loc[str(src / "scan-30.pdf")]
    assert scan["error_type"] == "timeout" and "时间限制 3 秒" in scan["reason"], scan.to_dict()
    assert rows.loc[str(src / "seed.txt"), "status"] == "ok"
    assert len(list((store / "ocr-cache").rglob("*.json"))) < 10  # the pages past the limit were not OCR'd
    assert took < 90, took


class FakeCluster:
    """An engine that completes tasks in reverse order and loses every task holding a file named in
    ``deadly`` (as Dask does once the task has killed ``allowed-failures`` workers)."""

    def __init__(self, deadly: set[str]) -> None:
        self.deadly, self.calls = deadly, []

    def imap(self, fn: Callable, calls: list[tuple], keys: list[str]) -> Iterator[tuple[int, Any]]:
        self.calls.append([c[0] for c in calls])
        for i in reversed(range(len(calls))):
            if self.deadly & set(calls[i][0]):
                yield i, batch_engine.WorkerLost("KilledWorker")
            else:
                yield i, fn(*calls[i])

    def executor(self) -> None:
        return None

    def close(self) -> None:
        pass


def _upper(chunk: list[str], _shared: object, part: str) -> list[str]:
    return [f"{s.upper()}@{part}" for s in chunk]


def test_results_in_chunk_order_and_deadly_file_becomes_one_lost_row() -> None:
    engine = FakeCluster(deadly={"c"})
    ticks: list[int] = []
    got = list(batch_engine.in_order(engine, _upper, [["a", "b"], ["c", "d"], ["e"]], ["p0", "p1", "p2"], None,
                                     lambda item, reason: f"lost {item}: {reason}", ticks.append))
    assert got == [(["p0"], ["A@p0", "B@p0"]),
                   (["p1-s001"], [f"lost c: {batch_engine.LOST}", "D@p1-s001"]),
                   (["p2"], ["E@p2"])]
    assert engine.calls[1] == [["c"], ["d"]]  # the lost chunk was run again file by file, once
    assert len(engine.calls) == 2 and sorted(ticks) == [1, 2, 2]
