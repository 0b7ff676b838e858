"""Memo speed: one memo of the seed (wall time, kernel start included, as `audit-kit memo` runs it) and
N memos written by `audit-kit batch --memos --jobs 2`.

    python benchmarks/memo_speed.py [N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from audit_kit import samples

ROOT = Path(__file__).resolve().parents[1]


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "audit_kit.cli", "memo", str(ROOT / "data/samples/yanchi-2020.txt"),
                        "-o", str(t / "seed.html"), "--ledger", str(t / "l.sqlite")], check=True, capture_output=True)
        one = time.perf_counter() - t0
        src = t / "in"
        src.mkdir()
        for i in range(n):
            samples.write(samples.make_report("2021", 2023, seed=i, agency=f"示例县第{i}局"), src / f"r{i:03d}.txt")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(t / "out"), "--store",
                        str(t / "store"), "--memos", "--jobs", "2", "--ledger", str(t / "l.sqlite")], capture_output=True)
        many = time.perf_counter() - t0
    row = {"one_memo_seconds": round(one, 2), "memos": n, "batch_seconds": round(many, 1),
           "memos_per_s": round(n / many, 2)}
    print(json.dumps(row))
    Path("benchmarks/results").mkdir(parents=True, exist_ok=True)
    Path("benchmarks/results/memo_speed.json").write_text(json.dumps(row, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
