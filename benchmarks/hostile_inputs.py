"""Hostile inputs, one command: ``python benchmarks/hostile_inputs.py [--out DIR]``.

Generates a .docx whose XML inflates to 200 MB, the same with a zip directory that understates the size,
a 39 MB text on one line and a 35 MB web page, runs ``audit-kit extract`` on each in its own process (with
the default limits, then with ``AUDIT_KIT_MAX_MB=64``) and prints wall time, peak resident memory (the
child's ru_maxrss, or its largest waited-for child's; about 140 MB of it is the imports), the exit status
and the first line of stderr.

Then the pages and numbers beyond reason (issue 21), each in its own process with the default limits: a
160 × 14,400 pt page (``extract``), a scan of 2,000 identical pages (``extract``: refused by the page cap),
a 30-page scan in a batch with ``--file-timeout 10`` (its OCR counted against the limit: one ``timeout``
row) and a report whose cell prints a 400-digit number (``batch --memos``: read as text, the memo and
``index.html`` written). The goal for each: under 10 s and 1 GB, with a clear error or a bounded read.
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


def measure(path: Path, timeout: float, env: dict[str, str], command: tuple[str, ...] = ("extract",),
            after: tuple[str, ...] = ()) -> dict:
    """Run ``audit-kit COMMAND PATH AFTER…`` in a child process; wall seconds, peak RSS (MB), exit status,
    the first line of stderr."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "audit_kit.cli", *command, str(path), *after],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _pid, status, usage = os.wait4(proc.pid, 0)  # the child's own peak memory, not the children's total
        timer.cancel()
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    size = sum(f.stat().st_size for f in path.iterdir()) if path.is_dir() else path.stat().st_size
    return {"file": path.name, "size_mb": round(size / 1048576, 2), "seconds": round(seconds, 2),
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
        results += beyond_reason(out, args.timeout, env)
        if args.json:
            Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def beyond_reason(out: Path, timeout: float, env: dict[str, str]) -> list[dict]:
    """The tall page, the 2,000-page scan, the 30-page scan under a 10 s limit and the 400-digit cell."""
    env = {**env, "AUDIT_KIT_MAX_MB": "", "AUDIT_KIT_OCR_CACHE": "off"}
    scan30, long = out / "scan-30", out / "long-number"  # a batch reads a folder: one file in each
    for folder in (scan30, long):
        folder.mkdir(exist_ok=True)
    hostile.scanned_pdf(scan30 / "scan-30.pdf", 30)
    hostile.long_number_text(long / "long.txt", 400)
    runs = [
        ("tall page", hostile.odd_page_pdf(out / "tall-160x14400.pdf", 160, 14_400), ("extract",), ()),
        ("2000 pages", hostile.scanned_pdf(out / "scan-2000.pdf", 2000), ("extract",), ()),
        ("30 pages, 10 s", scan30, ("batch",),
         ("-o", str(out / "out-30"), "--store", str(out / "store-30"), "--file-timeout", "10")),
        ("400 digits", long, ("batch",),
         ("-o", str(out / "out-long"), "--store", str(out / "store-long"), "--memos",
          "--ledger", str(out / "long.ledger.sqlite"))),
    ]
    print("页面、页数与数字（默认上限）")
    results = []
    for name, path, command, after in runs:
        r = {"case": name, **measure(path, timeout, env, command, after)}
        if name == "30 pages, 10 s":
            r["outcome"] = _rows(out / "out-30" / "reports.csv")
        elif name == "400 digits":
            r["outcome"] = (f"{_rows(out / 'out-long' / 'reports.csv')}; "
                            f"index.html {'written' if (out / 'out-long' / 'index.html').is_file() else 'MISSING'}, "
                            f"{len(list((out / 'out-long' / 'memos').glob('*.html')))} memo(s)")
        else:
            r["outcome"] = r["stderr"] or f"exit {r['exit']}"
        results.append(r)
        print(f"  {name:15} {r['size_mb']:6.2f} MB  {r['seconds']:7.2f} s  peak {r['peak_mb']:6d} MB  "
              f"exit {r['exit']}  {r['outcome']}", flush=True)
    return results


def _rows(csv: Path) -> str:
    """The batch's rows as ``file: status error_type reason`` (or that there is no reports.csv)."""
    import pandas as pd

    if not csv.is_file():
        return "no reports.csv"
    rows = pd.read_csv(csv, encoding="utf-8-sig", keep_default_na=False)
    return "; ".join(f"{Path(r.file).name}: {r.status} {r.error_type} {str(r.reason)[:60]}".strip()
                     for r in rows.itertuples())


if __name__ == "__main__":
    sys.exit(main())
