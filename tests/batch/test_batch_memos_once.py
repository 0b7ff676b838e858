"""``batch --memos`` reads and checks each report once — the memo kernels take the report and its
results from the workspace — and every memo agrees with results.csv.

Reads and checks are counted in every process the batch starts (its workers and the memo kernels) by a
``sitecustomize`` module put first on PYTHONPATH: it wraps ``audit_kit.extract.loader.load`` and the registry's
``run_context`` before anything imports them, and appends one line per call to a log file."""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd

from audit_kit.testing import samples

HOOK = textwrap.dedent('''
    import os

    import audit_kit
    import audit_kit.checks.registry as _registry
    import audit_kit.extract.loader as _report

    def _log(*fields):
        with open(os.environ["AK_TEST_COUNT_LOG"], "a", encoding="utf-8") as f:
            f.write("\\t".join(map(str, fields)) + "\\n")

    _load, _run_context = _report.load, _registry.run_context

    def load(path, *args, **kwargs):
        _log("load", os.getpid(), path)
        return _load(path, *args, **kwargs)

    def run_context(ctx, ids=None):
        _log("check", os.getpid(), ctx.report.meta["report_id"], ",".join(ids or ["*"]))
        return _run_context(ctx, ids)

    _report.load = audit_kit.load = load
    _registry.run_context = run_context
''')


def _batch(tmp_path: Path) -> tuple[Path, list[list[str]]]:
    src = tmp_path / "in"
    src.mkdir()
    for r in samples.make_series("示例县水务局", [2021, 2022, 2023], seed=5):
        samples.write(r, src / f"水务局-{r.year}.txt")
    samples.write(samples.make_report("2019", 2020, seed=3, agency="示例市统计局"), src / "统计局-2020.html")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = tmp_path / "count.log"
    env = {**os.environ, "AK_TEST_COUNT_LOG": str(log),
           "PYTHONPATH": os.pathsep.join([str(hook), *filter(None, [os.environ.get("PYTHONPATH", "")])])}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(out), "--store",
                           str(tmp_path / "ws"), "--memos", "--jobs", "2"], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    return out, [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]


def test_batch_memos_read_and_check_each_report_once_and_agree_with_results_csv(tmp_path):
    out, calls = _batch(tmp_path)
    reports = pd.read_parquet(out / "reports.parquet")
    assert list(reports["status"]) == ["ok"] * 4
    memos = sorted((out / "memos").glob("*.html"))
    assert len(memos) == 4  # the memos were written, in kernels that had the hook too

    loads = collections.Counter(Path(c[2]).name for c in calls if c[0] == "load")
    assert loads == {Path(f).name: 1 for f in reports["file"]}
    one_report = collections.Counter(c[2] for c in calls if c[0] == "check" and "F-1" in c[3].split(","))
    assert one_report == {rid: 1 for rid in reports["report_id"]}  # the one-report checks, once per report
    cross = collections.Counter(c[2] for c in calls if c[0] == "check" and "Y-1" in c[3].split(","))
    assert cross == {rid: 1 for rid in reports["report_id"]}  # and the cross-year checks once
    assert sum(c[0] == "check" and "*" in c[3] for c in calls) == 0  # no full re-check anywhere

    results = pd.read_csv(out / "results.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    by_file = {f: name for f, name in zip(*_memo_names(out), strict=True)}
    for f in reports["file"]:
        html = (out / "memos" / by_file[f]).read_text(encoding="utf-8")
        fails = results[(results["file"] == f) & (results["status"] == "fail")]
        shown = re.findall(r"data-fingerprint=[\"']([0-9a-f]+)", html)
        assert sorted(shown) == sorted(fails["fingerprint"]), f
        n = len(fails)  # nothing was decided in this batch: every failing finding is 未审核
        assert f"不通过的发现 {n} 条，其中确认问题 0 条、待核实 0 条、排除 0 条、未审核 {n} 条" in html, f
    # the 2022 and 2023 reports were checked against last year's: their memos show the cross-year findings
    assert (results["check_id"].str.startswith("Y-") & (results["status"] != "not_assessable")).any()


def _memo_names(out: Path) -> tuple[list[str], list[str]]:
    status = pd.read_csv(out / "memos" / "memos.csv", dtype=str, keep_default_na=False)
    assert (status["error"] == "").all(), status
    return list(status["file"]), list(status["memo"])
