"""Memo speed: one memo of a report already stored in the workspace (wall time of `audit-kit memo`, kernel
start included; the first memo, which reads and stores the report, is timed too) and N memos written by
`audit-kit batch --memos --jobs 2`, end to end and the memo phase alone (the same batch without --memos
subtracted: reading and checking are batch_scale.py's business). Targets: ≤ 3 s for a stored
report, ≥ 5 memos/s.

    python benchmarks/memo_speed.py [N]

The machine is shared: compare versions by running this alternately with each one's PYTHONPATH.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from audit_kit.testing import samples

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "samples" / "yanchi-2020.txt"


def _cpu() -> float:
    """CPU seconds of finished child processes (kernels included): steadier than wall time on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _memo(t: Path, name: str) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, "-m", "audit_kit.cli", "memo", str(SEED), "-o", str(t / name), "--store",
                    str(t / "ws"), "--ledger", str(t / "l.sqlite")], check=True, capture_output=True)
    return time.perf_counter() - t0, _cpu() - c0


def _batch(t: Path, src: Path, name: str, *extra: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(t / name), "--store",
                    str(t / f"{name}-store"), "--jobs", "2", "--ledger", str(t / f"{name}.sqlite"), *extra],
                   capture_output=True)
    return time.perf_counter() - t0


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        first, first_cpu = _memo(t, "first.html")
        stored, stored_cpu = min(_memo(t, f"again{i}.html") for i in range(3))
        src = t / "in"
        src.mkdir()
        for i in range(n):
            samples.write(samples.make_report("2021", 2023, seed=i, agency=f"示例县第{i}局"), src / f"r{i:03d}.txt")
        plain = _batch(t, src, "plain")
        many = _batch(t, src, "memos", "--memos")
    row = {"first_memo_seconds": round(first, 2), "first_memo_cpu_s": round(first_cpu, 2),
           "stored_memo_seconds": round(stored, 2), "stored_memo_cpu_s": round(stored_cpu, 2), "memos": n,
           "batch_seconds": round(many, 1), "memos_per_s": round(n / many, 2),
           "batch_without_memos_seconds": round(plain, 1), "memo_phase_per_s": round(n / max(many - plain, 1e-9), 2)}
    print(json.dumps(row))
    Path("benchmarks/results").mkdir(parents=True, exist_ok=True)
    Path("benchmarks/results/memo_speed.json").write_text(json.dumps(row, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
