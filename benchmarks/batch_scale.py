"""Batch scale: N generated reports (mixed formats, several years of the same agencies) audited with
``--jobs 1`` and ``--jobs 2``: wall time, peak memory of the process tree, store size.

    python benchmarks/batch_scale.py 100 1000 10000 [--jobs 1,2]
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from audit_kit import samples

FORMATS = (".txt", ".html", ".docx")


def generate(n: int, out: Path) -> None:
    years = (2021, 2022, 2023)
    for i in range(n):
        agency, year = i // len(years), years[i % len(years)]
        spec = samples.make_report("2021", year, seed=i, agency=f"示例县第{agency}局")
        sub = out / str(year)
        sub.mkdir(parents=True, exist_ok=True)
        samples.write(spec, sub / f"a{agency:05d}{FORMATS[(agency + i) % len(FORMATS)]}")  # formats mixed in each year


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
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                t0 = time.perf_counter()
                subprocess.run(cmd, check=False, capture_output=True)
                wall = time.perf_counter() - t0
                peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
                row = {"reports": n, "jobs": jobs, "seconds": round(wall, 1), "reports_per_s": round(n / wall, 1),
                       "peak_rss_mb_largest_process": round(peak), "store_mb": round(size(store) / 1e6, 1)}
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
