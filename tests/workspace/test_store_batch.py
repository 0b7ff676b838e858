"""Agency identity, the report store, cross-year pairing, indicators and batch runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import audit_kit
from audit_kit.batch.client import run_batch
from audit_kit.checks.indicators import indicators
from audit_kit.model.agencies import agency_key
from audit_kit.testing import samples
from audit_kit.workspace.aliases import Aliases
from audit_kit.workspace.reports import ReportStore
from tests.conftest import CORPUS, ROOT


@pytest.mark.parametrize(("a", "b"), [
    ("吴忠市盐池县财政局", "盐池县财政局"), ("宁夏回族自治区吴忠市盐池县财政局", "盐池县财政局"),
    ("淮安市人民政府", "淮安市政府"), ("柞水縣鳳凰鎮人民政府", "柞水县凤凰镇人民政府"),
    ("盐池县 财政局（原财政局）", "盐池县财政局"), ("ＸＸ县教育局", "XX县教育局"),
])
def test_same_agency(a, b):
    assert agency_key(a) == agency_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("盐池县财政局", "同心县财政局"), ("南京市市场监督管理局", "南京市财政局"), ("某县住房和城乡建设局", "某县城乡建设局"),
])
def test_different_agencies(a, b):
    assert agency_key(a) != agency_key(b)


def test_alias_table_pairs_a_renamed_agency(tmp_path):
    aliases = Aliases(tmp_path / "aliases.csv")
    assert aliases.resolve("示例县生态环境分局")[0] != aliases.resolve("示例县环境保护局")[0]
    aliases.add("示例县生态环境分局", "示例县环境保护局", "2023 年机构改革更名")
    key, how = Aliases(tmp_path / "aliases.csv").resolve("示例县生态环境分局")
    assert key == agency_key("示例县环境保护局") and "别名表" in how


def test_store_keeps_a_file_once_and_versions_republications(tmp_path):
    spec = samples.make_report("2021", 2023, seed=1, agency="示例县财政局")
    first = audit_kit.load(samples.write(spec, tmp_path / "a.txt"))
    with ReportStore(tmp_path / "store") as store:
        assert store.add(first) is True
        assert store.add(audit_kit.load(tmp_path / "a.txt")) is False
        spec.values[("t2", "penalty", "decisions")] += 1  # the corrected re-publication, published later
        spec.published = "2024年3月30日"
        second = audit_kit.load(samples.write(spec, tmp_path / "b.txt"))
        assert store.add(second) is True
        versions = store.reports()
        assert list(versions["version"]) == [1, 2]
        assert store.latest(agency_key("示例县财政局"), 2023) == second.meta["report_id"]
        back = store.get(second.meta["report_id"])
        pd.testing.assert_frame_equal(back.cells, second.cells)
        assert back.sections == second.sections and back.meta["period"] == second.meta["period"]


def _series_dir(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for r in samples.make_series("示例县教育局", [2021, 2022, 2023], break_after=2022, seed=5,
                                 names={2021: "示例市示例县教育局"}):
        samples.write(r, d / f"edu-{r.year}.txt")
    return d


def test_batch_pairs_years_and_finds_the_broken_carry_over(tmp_path):
    reports = run_batch(_series_dir(tmp_path), tmp_path / "out", store=tmp_path / "store")
    assert list(reports["status"]) == ["ok"] * 3
    assert "配对" in reports.loc[2, "pairing"] and "edu-2022.txt" in reports.loc[2, "pairing"]
    assert "名称归一" in reports.loc[1, "pairing"] and "示例市示例县教育局" in reports.loc[1, "pairing"]
    res = pd.read_csv(tmp_path / "out" / "results.csv")
    y1 = res[res["check_id"] == "Y-1"]
    assert set(y1.loc[y1["file"].str.endswith("edu-2022.txt"), "status"]) == {"pass"}
    broken = y1[y1["file"].str.endswith("edu-2023.txt") & (y1["status"] == "fail")]
    assert list(broken["col"]) == ["natural", "total"]
    evidence = json.loads(broken.iloc[0]["evidence"])
    assert {e["report"] for e in evidence} == {str(tmp_path / "in" / "edu-2023.txt"), str(tmp_path / "in" / "edu-2022.txt")}
    assert set(res.loc[res["check_id"] == "Y-2", "status"]) >= {"pass"}


def test_rerun_is_identical_and_stores_nothing_twice(tmp_path):
    src = _series_dir(tmp_path)
    run_batch(src, tmp_path / "o1", store=tmp_path / "store")
    run_batch(src, tmp_path / "o2", store=tmp_path / "store")
    for name in ("reports.csv", "results.csv", "indicators.csv"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes(), name
    with ReportStore(tmp_path / "store") as store:
        assert len(store.reports()) == 3


def test_next_years_files_get_cross_year_results_without_options(tmp_path):
    series = samples.make_series("示例县民政局", [2022, 2023], seed=9)
    d = tmp_path / "in"
    d.mkdir()
    samples.write(series[0], d / "2022.html")
    run_batch(d, tmp_path / "o1", store=tmp_path / "store")
    next_year = tmp_path / "in2024"
    next_year.mkdir()
    samples.write(series[1], next_year / "2023.docx")
    reports = run_batch(next_year, tmp_path / "o2", store=tmp_path / "store")
    assert "2022.html" in reports.loc[0, "pairing"]
    res = pd.read_csv(tmp_path / "o2" / "results.csv")
    assert set(res.loc[res["check_id"] == "Y-1", "status"]) == {"pass"}


def test_batch_over_corpus_and_samples_explains_every_error(tmp_path):
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not here")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "broken.doc").write_bytes(b"not a word file" * 20)
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 20)
    reports = pd.concat([run_batch(d, tmp_path / f"o{i}", jobs=2, store=tmp_path / "store")
                         for i, d in enumerate((CORPUS, ROOT / "data" / "samples", bad))])
    n_files = len(list(CORPUS.rglob("*.txt"))) + len(list(CORPUS.rglob("*.html"))) + len(list(CORPUS.rglob("*.pdf")))
    assert (reports["status"] == "ok").sum() >= n_files
    errors = reports[reports["status"] == "error"]
    assert sorted(Path(f).name for f in errors["file"]) == ["binary.txt", "broken.doc", "empty.pdf"]
    assert errors["reason"].str.len().gt(3).all()


def test_indicators_from_huaian_labels():
    label = next((json.loads(x) for x in (CORPUS / "labels.jsonl").read_text(encoding="utf-8").splitlines()
                  if "huaian" in x), None) if CORPUS.exists() else None
    if label is None:
        pytest.skip("../shared/corpus is not here")
    v = {(t, r, c): x for t, r, c, x in label["cells"]}
    ind = indicators(audit_kit.load(CORPUS / label["file"])).set_index("indicator")["value"]
    total = v[("t3", "outcomes_total", "total")]
    assert ind["applications"] == v[("t3", "new", "total")] + v[("t3", "carried_in", "total")]
    assert ind["disclosure_rate"] == pytest.approx((v[("t3", "granted", "total")] + v[("t3", "partial", "total")]) / total)
    decided = sum(v[("t4", "review", p)] for p in ("upheld", "corrected", "other"))
    assert ind["review_correction_rate"] == pytest.approx(v[("t4", "review", "corrected")] / decided)


def _many(tmp_path: Path, n: int) -> Path:
    d = tmp_path / "many"
    d.mkdir()
    for i in range(n):
        samples.write(samples.make_report("2021", 2023, seed=i, agency=f"示例县第{i}局"), d / f"r{i:04d}.html")
    return d


def _store_is_consistent(store: Path) -> int:
    db = sqlite3.connect(store / "index.sqlite")
    rows = db.execute("SELECT report_id, report_year, cells_file FROM reports").fetchall()
    db.close()
    for rid, year, cells_file in rows:
        assert cells_file.startswith(f"cells/year={year}/")
        cells = pd.read_parquet(store / cells_file)
        assert (cells["report_id"] == rid).sum() > 100  # every generated report has its tables
    return len(rows)


@pytest.mark.parametrize(("sig", "jobs"), [(signal.SIGKILL, "1"), (signal.SIGINT, "1"), (signal.SIGINT, "2")])
def test_interrupted_batch_leaves_a_readable_store_and_a_rerun_finishes(tmp_path, sig, jobs):
    src = _many(tmp_path, 400)
    store, out = tmp_path / "store", tmp_path / "out"
    cmd = [sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(out), "--store", str(store), "--jobs", jobs]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(0.2)
        if (store / "index.sqlite").exists() and _count(store) >= 30:
            break
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    done = _store_is_consistent(store)
    assert 30 <= done < 400
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "重新运行" in err and "Traceback" not in err
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert _store_is_consistent(store) == 400
    assert len(pd.read_csv(out / "reports.csv")) == 400


def _count(store: Path) -> int:
    try:
        db = sqlite3.connect(store / "index.sqlite", timeout=1)
        n = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        db.close()
        return n
    except sqlite3.Error:
        return 0


def test_renamed_agency_pairs_once_the_alias_is_added(tmp_path):
    src = ROOT / "data" / "samples" / "series"
    reports = run_batch(src, tmp_path / "o1", store=tmp_path / "store")
    renamed = reports[reports["file"].str.endswith("环境局-2023.txt")].iloc[0]
    assert "库中没有" in renamed["pairing"]
    Aliases(tmp_path / "store" / "aliases.csv").add("示例县生态环境分局", "示例县环境保护局", "2023 年更名")
    reports = run_batch(src, tmp_path / "o2", store=tmp_path / "store")
    renamed = reports[reports["file"].str.endswith("环境局-2023.txt")].iloc[0]
    assert "别名表" in renamed["pairing"] and "环境局-2022.txt" in renamed["pairing"]


def test_an_alias_added_later_rekeys_stored_reports(tmp_path):
    series = samples.make_series("示例县环境保护局", [2022, 2023, 2024], seed=7,
                                 names={2023: "示例县生态环境分局", 2024: "示例县生态环境分局"})
    d = tmp_path / "in"
    d.mkdir()
    for r in series[:2]:
        samples.write(r, d / f"{r.year}.txt")
    run_batch(d, tmp_path / "o1", store=tmp_path / "store")
    Aliases(tmp_path / "store" / "aliases.csv").add("示例县生态环境分局", "示例县环境保护局")
    nxt = tmp_path / "next"
    nxt.mkdir()
    samples.write(series[2], nxt / "2024.txt")
    reports = run_batch(nxt, tmp_path / "o2", store=tmp_path / "store")
    assert "2023.txt" in reports.loc[0, "pairing"]


def test_batch_follows_linked_folders_once_and_skips_hidden_ones(tmp_path):
    src = tmp_path / "in"
    (src / ".trash").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "samples" / "yanchi-2020.txt", src / ".trash" / "old.txt")
    (src / "linked").symlink_to(ROOT / "data" / "samples" / "series", target_is_directory=True)
    (src / "loop").symlink_to(src, target_is_directory=True)  # a link back up must not loop
    reports = run_batch(src, tmp_path / "out", store=tmp_path / "store", follow_links=True)  # outside: asked for
    names = sorted(Path(f).name for f in reports["file"])
    assert names == sorted(p.name for p in (ROOT / "data" / "samples" / "series").iterdir() if p.is_file())


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit_kit.cli", *args], capture_output=True, text=True, timeout=300)


def test_batch_of_an_empty_or_missing_folder_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.xlsx").write_bytes(b"PK")
    done = _cli("batch", str(tmp_path / "empty"), "-o", str(tmp_path / "out"), "--store", str(tmp_path / "store"))
    assert done.returncode == 2 and "没有可读取的年报文件" in done.stderr and "Traceback" not in done.stderr
    assert list(pd.read_csv(tmp_path / "out" / "reports.csv").columns)[:2] == ["file", "status"]
    done = _cli("batch", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out2"))
    assert done.returncode == 2 and "文件夹不存在" in done.stderr and "Traceback" not in done.stderr
