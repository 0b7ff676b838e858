"""The ledger, the finding walker, charts' Chinese glyphs and the notebooks run headless."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import audit_kit
from audit_kit.review.walker import FindingWalker
from audit_kit.testing import samples
from audit_kit.workspace.ledger import Ledger
from tests.conftest import BUNDLED_SEED, CORPUS, ROOT

NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="module")
def shanghai():
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not here")
    report = audit_kit.load(CORPUS / "023.html")
    return report, audit_kit.check(report)


def test_walker_filters_and_clicks_write_the_ledger(tmp_path, shanghai):
    report, results = shanghai
    ledger = Ledger(tmp_path / "l.sqlite")
    walker = FindingWalker(results, ledger, report, auditor="张三")
    fails = results[results["status"] == "fail"]
    assert len(walker.list.options) == len(fails)
    walker.severity.value = "error"
    assert len(walker.list.options) == int((fails["severity"] == "error").sum())
    walker.severity.value = "全部"
    walker.check.value = "X-1"
    assert {label.split("]")[0] for label, _ in walker.list.options} == {"[X-1"}
    first = walker.current
    walker.comment.value = "叙述与表格不符，已核实"
    walker.buttons["confirmed"].click()
    walker.next.click()
    second = walker.current
    walker.buttons["dismissed"].click()
    hist = ledger.history()
    assert list(hist["fingerprint"]) == [first["fingerprint"], second["fingerprint"]]
    assert list(hist["decision"]) == ["confirmed", "dismissed"]
    assert hist.loc[0, "comment"] == "叙述与表格不符，已核实" and set(hist["auditor"]) == {"张三"}
    walker.decision.value = "确认问题"
    assert [v for _l, v in walker.list.options] == [first.name]
    assert "258" in walker.detail.value and "<table class='ak-evidence'>" in walker.detail.value


def test_decision_shows_again_and_goes_stale_when_values_change(tmp_path):
    spec = samples.make_report("2021", seed=3)
    spec.values[("t3", "new", "natural")] += 1
    report = audit_kit.load(samples.write(spec, tmp_path / "r.txt"))
    ledger = Ledger(tmp_path / "l.sqlite")
    first = FindingWalker(audit_kit.check(report), ledger, report)
    decided = first.current["fingerprint"]
    first.buttons["confirmed"].click()
    again = FindingWalker(audit_kit.check(audit_kit.load(tmp_path / "r.txt")), Ledger(tmp_path / "l.sqlite"))
    shown = again.all[again.all["fingerprint"] == decided].iloc[0]
    assert shown["decision_zh"] == "确认问题"
    assert again.current is None or again.current["fingerprint"] != decided  # a rerun starts at an open finding
    spec.values[("t3", "new", "natural")] += 1  # the report is corrected differently: the finding's values change
    changed = audit_kit.load(samples.write(spec, tmp_path / "r.txt"))
    walker = FindingWalker(audit_kit.check(changed), Ledger(tmp_path / "l.sqlite"))
    row = walker.all[walker.all["fingerprint"] == decided].iloc[0]
    assert row["stale"] and row["decision_zh"] == "数据已变化，请复核" and row["decision"] == ""


def test_two_walkers_on_one_ledger_lose_no_update(tmp_path, shanghai):
    report, results = shanghai
    a = FindingWalker(results, Ledger(tmp_path / "l.sqlite"), report, "甲")
    b = FindingWalker(results, Ledger(tmp_path / "l.sqlite"), report, "乙")
    for _ in range(5):
        a.buttons["confirmed"].click()
        a.next.click()
        b.buttons["pending"].click()
        b.next.click()
    hist = Ledger(tmp_path / "l.sqlite").history()
    assert len(hist) == 10 and sorted(hist["auditor"]) == ["乙"] * 5 + ["甲"] * 5


def test_ledger_is_append_only(tmp_path):
    import sqlite3

    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.record({"fingerprint": "f", "status": "fail", "expected": 1, "actual": 2, "evidence": []}, "pending")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        ledger.db.execute("DELETE FROM decisions")


KILL_SCRIPT = """
import os, sys, audit_kit
from audit_kit.workspace.ledger import Ledger
from audit_kit.review.walker import FindingWalker
report = audit_kit.load(sys.argv[1])
w = FindingWalker(audit_kit.check(report), Ledger(sys.argv[2]), report, "丙")
w.status.value = "全部"
w.buttons["confirmed"].click()
w.next.click()
w.buttons["dismissed"].click()
os.kill(os.getpid(), 9)
"""


def test_a_killed_kernel_loses_no_decision(tmp_path):
    proc = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(BUNDLED_SEED), str(tmp_path / "l.sqlite")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9
    hist = Ledger(tmp_path / "l.sqlite").history()
    assert list(hist["decision"]) == ["confirmed", "dismissed"]


def test_charts_have_no_missing_glyphs(shanghai):
    from audit_kit.checks.indicators import indicators
    from audit_kit.review import charts

    report, results = shanghai
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fig in (charts.fails_by_check(results), charts.outcomes(report.cells),
                    charts.indicator_changes(indicators(report, report))):
            fig.canvas.draw()


def _run(tmp_path: Path, name: str, **params) -> dict:
    """Execute a notebook headless with papermill, in a process of its own (as `audit-kit memo` does)."""
    out = tmp_path / f"out-{name}"
    args = [sys.executable, "-m", "papermill", str(NOTEBOOKS / name), str(out), "--cwd", str(tmp_path),
            "--kernel", "python3", "--no-progress-bar", "--execution-timeout", "300"]
    for k, v in params.items():
        args += ["-p", k, str(v)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def _outputs(nb: dict) -> str:
    text = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            text.append("".join(data.get("text/html", "")) + "".join(data.get("text/plain", "")) + "".join(o.get("text", "")))
            assert o.get("output_type") != "error", o
            assert "Glyph" not in "".join(o.get("text", "")), "a chart is missing Chinese glyphs"
    return "\n".join(text)


def test_report_notebook_on_the_seed_writes_the_memo(tmp_path):
    out = _outputs(_run(tmp_path, "audit_report.ipynb", ledger=str(tmp_path / "l.sqlite"), memo=True))
    assert "盐池县机关事务服务中心" in out and "审核意见书" in out
    assert "2020 年度报告却使用 2021 版格式" in out  # the F-1 finding, still undecided
    assert "第二部分标题印为“2、 主动公开政府信息情况”" in out
    assert "image/png" not in out  # images are data, not text
    assert "库中没有" in out  # no prior in the workspace


def test_report_page_on_a_corpus_report_highlights_failing_cells(tmp_path):
    """The lab page of 023.html (built as the notebook builds it): the walker lists the X-1 finding, the
    tables mark the failing cells, and the two charts are images."""
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not here")
    import ipywidgets as w

    from audit_kit.review.lab import ReportPage

    page = ReportPage(str(CORPUS / "023.html"), store=str(tmp_path / "store"))
    assert page.walker is not None
    assert any("正文称予以公开及部分公开 258 件" in label for label, _v in page.walker.list.options)
    details = page.body.children[-1]
    grids, pictures, _years = details.children
    html = "".join(g.value for g in grids.children)
    assert "background-color: #f8d7da" in html and "（七）总计" in html
    images = [i for i in pictures.children if isinstance(i, w.Image)]
    assert len(images) == 2 and all(i.value[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "上海市人民政府办公厅" in page.header.value and "未审核 8 条" in page.header.value


def test_report_notebook_on_a_multi_year_sample_shows_the_cross_year_comparison(tmp_path):
    store = tmp_path / "store"
    series = ROOT / "data" / "samples" / "series"
    from audit_kit.batch.client import run_batch

    run_batch(series, tmp_path / "b", store=store, progress=False)
    out = _outputs(_run(tmp_path, "audit_report.ipynb", report=str(series / "教育局-2023.docx"),
                        store=str(store), ledger=str(tmp_path / "l.sqlite"), memo=True))
    assert "与 2022 年度报告配对" in out
    assert "本年“上年结转”" in out and "2022 年报告“结转下年度继续办理”" in out
    assert "公开率" in out and "五、跨年对比" in out


def test_batch_notebook(tmp_path):
    from audit_kit.batch.client import run_batch

    run_batch(ROOT / "data" / "samples", tmp_path / "b", store=tmp_path / "store", progress=False)
    out = _outputs(_run(tmp_path, "audit_batch.ipynb", outdir=str(tmp_path / "b"), ledger=str(tmp_path / "l.sqlite")))
    assert "共 12 个文件，读取成功 12" in out
    assert "教育局-2023.docx" in out  # the report with errors is ranked
    assert "不通过" in out and "Y-1" in out


def test_batch_ranking_shows_paths_relative_to_the_batch_folder(tmp_path):
    """Full paths are cut by pandas' 50-character column width; the ranking shows the part after the shared folder."""
    import pandas as pd

    from audit_kit.review.batch_view import BatchView

    deep = "/a-very-long-folder-name-that-an-auditor-might-use/another-long-sub-folder/2023"
    reports = pd.DataFrame({"file": [f"{deep}/县/教育局-2023.docx", f"{deep}/环境局-2023.html"], "status": ["ok", "ok"],
                            "agency": ["教育局", "环境局"], "report_year": [2023, 2023], "template": ["2021", "2021"],
                            "errors": [0, 2], "warnings": [1, 0], "infos": [0, 0], "pairing": ["", ""]})
    view = BatchView(tmp_path, reports, pd.DataFrame(), pd.DataFrame(), None)
    t = view.ranking()
    assert list(t["文件"]) == ["环境局-2023.html", "县/教育局-2023.docx"]
    assert "县/教育局-2023.docx" in t.to_html()


def test_an_all_zero_year_is_said_in_the_outcomes_chart_not_drawn_around_zero():
    from audit_kit.review import charts

    seed = audit_kit.load(BUNDLED_SEED)  # every 表三 cell is 0
    fig = charts.outcomes(seed.cells)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the note's glyphs must exist too
        fig.canvas.draw()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["各项办理结果均为 0 或未读到"]
    assert ax.get_ylim() == (0.0, 1.0)
    assert all(float(t).is_integer() for t in ax.get_yticks())
