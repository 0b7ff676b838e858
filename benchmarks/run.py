"""Benchmarks (one command: ``make bench``). Prints one line per measurement and writes JSON results.

- read: reports read per second for text, HTML and .docx over N generated reports, one process (one core;
  the first report of each format is read before the clock starts: imports happen once per batch worker),
  and the peak resident memory of that process;
- check: all one-report checks on N generated reports, milliseconds per report.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import audit_kit
from audit_kit.testing import samples


def _generate(out: Path, suffix: str, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        template = "2021" if i % 2 else "2019"
        spec = samples.make_report(template, seed=i, agency=f"示例县第{i}局")
        paths.append(samples.write(spec, out / f"r{i:05d}{suffix}"))
    return paths


def bench_read(n: int, work: Path) -> dict:
    results = {}
    for suffix in (".txt", ".html", ".docx"):
        with ProcessPoolExecutor(1) as pool:  # made in another process: the reader's heap is a batch worker's
            paths = pool.submit(_generate, work, suffix, n).result()
        audit_kit.load(paths[0])  # the format's reader imported and its caches built before the clock starts
        t0 = time.perf_counter()
        cells = 0
        for p in paths:
            cells += len(audit_kit.load(p).cells)
        dt = time.perf_counter() - t0
        results[suffix] = {"reports": n, "seconds": round(dt, 3), "reports_per_s": round(n / dt, 1),
                           "cells": cells}
        print(f"read {suffix:6} {n} reports in {dt:6.2f} s → {n / dt:7.1f} reports/s ({cells} cells)")
    return results


def bench_pdf_doc(n: int, work: Path) -> dict | None:
    """PDF pages read per second (PDFs made by LibreOffice from generated .docx) and .doc conversions/s."""
    from audit_kit.readers.legacy import convert, soffice

    if soffice() is None:
        print("pdf/doc: LibreOffice not installed, skipped")
        return None
    import pdfplumber

    pdfs, docs = [], []
    for i in range(n):
        src = samples.write(samples.make_report("2021" if i % 2 else "2019", seed=i), work / f"d{i}.docx")
        pdf = work / f"d{i}.pdf"
        pdf.write_bytes(convert(src, src.read_bytes(), "pdf"))
        pdfs.append(pdf)
        doc = work / f"d{i}.doc"
        doc.write_bytes(convert(src, src.read_bytes(), "doc:MS Word 97"))
        docs.append(doc)
    pages = sum(len(pdfplumber.open(p).pages) for p in pdfs)
    t0 = time.perf_counter()
    for p in pdfs:
        audit_kit.load(p)
    dt_pdf = time.perf_counter() - t0
    t0 = time.perf_counter()
    for p in docs:
        audit_kit.load(p)
    dt_doc = time.perf_counter() - t0
    print(f"pdf    {pages} pages in {dt_pdf:6.2f} s → {pages / dt_pdf:6.1f} pages/s")
    print(f"doc    {n} files in {dt_doc:6.2f} s → {n / dt_doc:6.2f} conversions/s (LibreOffice start included)")
    return {"pdf_pages": pages, "pdf_pages_per_s": round(pages / dt_pdf, 1), "doc_files": n,
            "doc_per_s": round(n / dt_doc, 2)}


def bench_check(n: int, work: Path) -> dict | None:
    try:
        from audit_kit.checks import check
    except ImportError:
        return None
    reports = [audit_kit.load(p) for p in _generate(work, ".txt", n)]
    t0 = time.perf_counter()
    rows = 0
    for r in reports:
        rows += len(check(r))
    dt = time.perf_counter() - t0
    print(f"check  {n} reports in {dt:6.2f} s → {1000 * dt / n:6.2f} ms/report ({rows} result rows)")
    return {"reports": n, "seconds": round(dt, 3), "ms_per_report": round(1000 * dt / n, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=1000, help="reports per format (default 1000)")
    ap.add_argument("--pdf-n", type=int, default=20, help="PDF and .doc files (default 20)")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/latest.json"))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = {"read": bench_read(args.n, work)}
        for f in work.iterdir():
            f.unlink()
        out["check"] = bench_check(args.n, work)
        for f in work.iterdir():
            f.unlink()
        out["pdf_doc"] = bench_pdf_doc(args.pdf_n, work)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["peak_rss_mb"] = round(peak_mb, 1)
    out["python"] = sys.version.split()[0]
    print(f"peak resident memory: {peak_mb:.0f} MB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
