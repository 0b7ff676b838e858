"""Hostile inputs, one command: ``python benchmarks/hostile_inputs.py [--out DIR]``.

Generates a .docx whose XML inflates to 200 MB, the same with a zip directory that understates the size,
a 39 MB text on one line and a 35 MB web page, runs ``audit-kit extract`` on each in its own process (with
the default limits, then with ``AUDIT_KIT_MAX_MB=64``) and prints wall time, peak resident memory (the
child's ru_maxrss; about 140 MB of it is the imports), the exit status and the first line of stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from audit_kit.testing import hostile


def measure(path: Path, timeout: float, env: dict[str, str]) -> dict:
    """Run ``audit-kit extract PATH`` in a child process; wall seconds, peak RSS (MB), exit status, stderr."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "audit_kit.cli", "extract", str(path)],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _pid, status, usage = os.wait4(proc.pid, 0)  # the child's own peak memory, not the children's total
        timer.cancel()
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    return {"file": path.name, "size_mb": round(path.stat().st_size / 1048576, 2), "seconds": round(seconds, 2),
            "peak_mb": round(usage.ru_maxrss / 1024), "exit": proc.returncode, "stderr": lines[0][:160] if lines else ""}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="folder for the generated files (default: a temporary folder)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds before a run is killed")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="audit-kit-hostile-") as tmp:
        out = Path(args.out or tmp)
        out.mkdir(parents=True, exist_ok=True)
        files = [hostile.docx_bomb(out / "bomb.docx", 200), hostile.lying_docx(out / "lying.docx", 200),
                 hostile.one_line_text(out / "oneline.txt", 39), hostile.large_html(out / "large.html", 35)]
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parent.parent / "src")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        results = []
        for limit in ("", "64"):  # the default limits, then AUDIT_KIT_MAX_MB=64: all but the bomb are read
            env["AUDIT_KIT_MAX_MB"] = limit
            print(f"AUDIT_KIT_MAX_MB={limit or '（默认）'}")
            for path in files:
                r = {"max_mb": limit or "default", **measure(path, args.timeout, env)}
                results.append(r)
                print(f"  {r['file']:12} {r['size_mb']:6.2f} MB  {r['seconds']:7.2f} s  peak {r['peak_mb']:6d} MB  "
                      f"exit {r['exit']}  {r['stderr']}", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
