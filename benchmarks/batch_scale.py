"""Batch scale: N generated reports (mixed formats, several years of the same agencies) audited with
``--jobs 1`` and ``--jobs 2``: wall time, peak memory (summed over the main process and its workers,
sampled from /proc every 0.1 s, and of the largest single process), store size.

    python benchmarks/batch_scale.py 100 1000 10000 [--jobs 1,2] [--dask]

``--dask`` also runs each batch on a local Dask cluster — a ``dask scheduler`` and two ``dask worker``
processes of one thread each, started before the clock starts — with ``--scheduler``: the same wall time,
the client's peak memory (``peak_rss_mb_largest_process``: the client is one process) and the workers'.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from audit_kit.testing import samples

FORMATS = (".txt", ".html", ".docx")


def _one(i: int, out: Path) -> None:
    years = (2021, 2022, 2023)
    agency, year = i // len(years), years[i % len(years)]
    spec = samples.make_report("2021", year, seed=i, agency=f"示例县第{agency}局")
    sub = out / str(year)
    sub.mkdir(parents=True, exist_ok=True)
    samples.write(spec, sub / f"a{agency:05d}{FORMATS[(agency + i) % len(FORMATS)]}")  # formats mixed in each year


def generate(n: int, out: Path) -> None:
    """n reports: agencies with three years each, the formats mixed within each year (made on 2 cores)."""
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_one, range(n), [out] * n, chunksize=50))


class TreeMemory:
    """Samples the summed RSS of a process and its descendants (from /proc) and keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.largest, self._stop = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            parents, rss = {}, {}
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                    pid = int(stat.parent.name)
                    parents[pid], rss[pid] = int(fields[1]), int(fields[21]) * 4096
                except (OSError, IndexError, ValueError):
                    continue
            tree = {self.pid}
            for _ in range(4):
                tree |= {p for p, pp in parents.items() if pp in tree}
            self.peak = max(self.peak, sum(rss.get(p, 0) for p in tree))
            self.largest = max(self.largest, *(rss.get(p, 0) for p in tree))

    def stop(self) -> tuple[int, int]:
        """Peak of the summed RSS of the tree, and of its largest process (bytes)."""
        self._stop.set()
        self._thread.join()
        return self.peak, self.largest


class LocalCluster:
    """A ``dask scheduler`` and two one-thread ``dask worker`` processes on 127.0.0.1 (no dashboard)."""

    def __init__(self, folder: Path) -> None:
        dask = str(Path(sys.executable).parent / "dask")
        info = folder / "scheduler.json"
        self.procs = [self._start(folder / "scheduler", [dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                                         "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                                                         "--scheduler-file", str(info)])]
        for _ in range(600):
            if info.exists():
                break
            time.sleep(0.1)
        self.address = json.loads(info.read_text())["address"]
        self.workers = [self._start(folder / f"worker{i}", [dask, "worker", self.address, "--nthreads", "1",
                                                            "--nworkers", "1", "--no-dashboard"]) for i in (1, 2)]
        self.procs += self.workers
        from distributed import Client

        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)

    @staticmethod
    def _start(cwd: Path, cmd: list[str]) -> subprocess.Popen:
        cwd.mkdir(parents=True)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path("src").resolve()),
                                                                         os.environ.get("PYTHONPATH")]))}
        return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)


def size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run(src: Path, tmp: Path, n: int, jobs: int, cluster: LocalCluster | None = None) -> dict:
    """One batch of the n reports in ``src``: locally with ``jobs`` processes, or on ``cluster``."""
    name = "dask" if cluster else str(jobs)
    store, out = tmp / f"store{name}", tmp / f"out{name}"
    cmd = [sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(out), "--store", str(store),
           *(["--scheduler", cluster.address] if cluster else ["--jobs", str(jobs)])]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = TreeMemory(proc.pid)
    workers = [TreeMemory(w.pid) for w in cluster.workers] if cluster else []
    proc.wait()
    wall = time.perf_counter() - t0
    tree, largest = memory.stop()
    row = {"reports": n, "jobs": "dask: 2 workers × 1 thread" if cluster else jobs, "seconds": round(wall, 1),
           "reports_per_s": round(n / wall, 1), "peak_rss_mb_largest_process": round(largest / 1e6),
           "peak_rss_mb_all_processes": round(tree / 1e6)}
    if cluster:  # the client is one process; the workers are measured apart (each the peak of its nanny + worker)
        row["peak_rss_mb_workers"] = round(sum(w.stop()[0] for w in workers) / 1e6)
    row.update(store_mb=round(size(store) / 1e6, 1), exit_code=proc.returncode)
    shutil.rmtree(store)
    shutil.rmtree(out)
    return row


def main(counts: list[int], jobs_list: tuple[int, ...] = (1, 2), dask: bool = False) -> None:
    rows = []
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in"
            generate(n, src)
            for jobs in jobs_list:
                rows.append(run(src, Path(tmp), n, jobs))
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
            if dask:
                cluster = LocalCluster(Path(tmp) / "cluster")
                try:
                    rows.append(run(src, Path(tmp), n, 0, cluster))
                finally:
                    cluster.stop()
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    Path("benchmarks/results").mkdir(parents=True, exist_ok=True)
    Path("benchmarks/results/batch_scale.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    jobs = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--jobs=")), "1,2")
    main([int(a) for a in args] or [100, 1000], tuple(int(j) for j in jobs.split(",") if j), "--dask" in sys.argv)
