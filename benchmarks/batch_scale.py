"""Batch scale: N generated reports (mixed formats, several years of the same agencies) audited with
``--jobs 1`` and ``--jobs 2``: wall time, peak memory (summed over the main process and its workers,
sampled from /proc every 0.1 s, and of the largest single process), store size.

    python benchmarks/batch_scale.py 100 1000 10000 [--jobs 1,2]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from audit_kit import samples

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


def size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(counts: list[int], jobs_list: tuple[int, ...] = (1, 2)) -> None:
    rows = []
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in"
            generate(n, src)
            for jobs in jobs_list:
                store, out = Path(tmp) / f"store{jobs}", Path(tmp) / f"out{jobs}"
                cmd = [sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(out), "--store", str(store),
                       "--jobs", str(jobs)]
                t0 = time.perf_counter()
                proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                memory = TreeMemory(proc.pid)
                proc.wait()
                wall = time.perf_counter() - t0
                tree, largest = memory.stop()
                row = {"reports": n, "jobs": jobs, "seconds": round(wall, 1), "reports_per_s": round(n / wall, 1),
                       "peak_rss_mb_largest_process": round(largest / 1e6), "peak_rss_mb_all_processes": round(tree / 1e6),
                       "store_mb": round(size(store) / 1e6, 1), "exit_code": proc.returncode}
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
                shutil.rmtree(store)
                shutil.rmtree(out)
    Path("benchmarks/results").mkdir(parents=True, exist_ok=True)
    Path("benchmarks/results/batch_scale.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--jobs")]
    jobs = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--jobs=")), "1,2")
    main([int(a) for a in args] or [100, 1000], tuple(int(j) for j in jobs.split(",")))
