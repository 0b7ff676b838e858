"""The batch index (index.html and audit_batch.ipynb) — no "nan", "NaN" or "2019.0"; every report
with its review progress from the ledger and a memo-failed status; memo links that name the file when
titles repeat; and links that open the memos in JupyterLab (not /files/memos/… → 404)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from audit_kit.batch.outputs import memo_name
from audit_kit.review.batch_view import BatchView, memo_href
from audit_kit.workspace.ledger import Ledger
from tests.conftest import BUNDLED_SEED, ROOT


class _Page(HTMLParser):
    """Visible text (no <style>, no images) and the rows of every table, cell texts and the links in them."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._skip = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self.links += [v or "" for k, v in attrs if k == "href" and not (v or "").startswith("#")]

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip = False
        elif tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)
            if self._cell is not None:
                self._cell.append(data)


def page(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    return p


def memo_rows(p: _Page) -> list[list[str]]:
    """The rows of the memo index: 被审核单位（审核意见书）, 年度, 审核结论, 确认问题, 审核进度, 复核, 错误, 警告, 文件, 状态."""
    return [r for r in p.rows if len(r) == 10 and (r[4].startswith("已审") or r[4] in ("", "无不通过的发现"))]


def _batch(src: Path, out: Path, store: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(out), "--store", str(store),
                           *extra], capture_output=True, text=True, timeout=1200)
    assert proc.returncode in (0, 1), proc.stderr
    return proc


def test_corpus_index_has_no_nan_and_no_float_years_and_lists_every_report(corpus, tmp_path):
    """The development corpus batched, its index written by the batch notebook: the visible text has no
    nan/NaN and no year or count printed as 2019.0; every report is a row with its review progress."""
    from audit_kit.memo.write import write_index

    folder = tmp_path / "in"
    folder.mkdir()
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix != ".jsonl")
    for p in files:
        shutil.copyfile(p, folder / p.name)
    out = tmp_path / "out"
    _batch(folder, out, tmp_path / "store")
    index = write_index(out, store=str(tmp_path / "store")).read_text(encoding="utf-8")
    p = page(index)
    text = " ".join(p.text)
    assert not re.search(r"\bnan\b|NaN|<NA>|None", text), re.findall(r".{30}(?:\bnan\b|NaN|<NA>|None).{30}", text)[:3]
    assert not re.search(r"\b(?:19|20)\d\d\.0\b", text)
    assert not re.search(r"(?<![\d.])\d+\.0(?![\d%])", text), re.findall(r".{20}(?<![\d.])\d+\.0(?![\d%]).{10}", text)[:3]
    rows = memo_rows(p)
    assert len(rows) == len(files)
    assert all(r[4].startswith("已审 0 / 共 ") or r[4] == "无不通过的发现" for r in rows)
    assert "status" not in text and "check_id" not in text and "report_year" not in text  # no raw pandas headings


def _view(tmp_path: Path, files: list[str], errors: list[int], memo_errors: dict[str, str],
          results: pd.DataFrame | None = None) -> BatchView:
    reports = pd.DataFrame({"file": files, "status": ["ok"] * len(files), "reason": [""] * len(files),
                            "agency": ["甲局"] * len(files), "report_year": [2023.0] * len(files),
                            "template": ["2021"] * len(files), "errors": errors, "warnings": [0] * len(files),
                            "infos": [0] * len(files), "pairing": [""] * len(files)})
    (tmp_path / "memos").mkdir(exist_ok=True)
    for f in files:
        if f not in memo_errors:
            (tmp_path / "memos" / memo_name(f)).write_text("memo", encoding="utf-8")
    pd.DataFrame({"file": files, "memo": [memo_name(f) for f in files],
                  "error": [memo_errors.get(f, "") for f in files]}).to_csv(tmp_path / "memos" / "memos.csv", index=False)
    return BatchView(tmp_path, reports, results if results is not None else pd.DataFrame(), pd.DataFrame(),
                     Ledger(tmp_path / "l.sqlite"))


def _finding(file: str, n: int) -> dict:
    return {"file": file, "report_id": file, "check_id": "T3-1", "status": "fail", "severity": "error", "table": "t3",
            "row": "new", "col": "total", "expected": 1.0, "actual": 2.0, "message": "m", "evidence": "[]",
            "fingerprint": f"{file}-{n}"}


def test_review_progress_comes_from_the_ledger_and_a_failed_memo_says_so(tmp_path):
    results = pd.DataFrame([_finding("/d/a.txt", 1), _finding("/d/a.txt", 2), _finding("/d/a.txt", 3),
                            _finding("/d/b.txt", 1)])
    view = _view(tmp_path, ["/d/a.txt", "/d/b.txt"], [3, 1], {"/d/b.txt": "笔记本单元格运行超过 300 秒，已中止"}, results)
    before = {r[8]: r[4] for r in memo_rows(page(str(view.memo_links())))}
    assert before == {"a.txt": "已审 0 / 共 3", "b.txt": "已审 0 / 共 1"}
    view.ledger.record(results.iloc[0], "confirmed", "", "张审核")
    view.ledger.record(results.iloc[1], "dismissed", "不是问题", "张审核")
    rows = {r[8]: r for r in memo_rows(page(str(view.memo_links())))}
    assert rows["a.txt"][4] == "已审 2 / 共 3" and rows["b.txt"][4] == "已审 0 / 共 1"
    assert rows["b.txt"][9] == "审核意见书生成失败：笔记本单元格运行超过 300 秒，已中止"
    assert rows["a.txt"][9] == "审核意见书已生成"


def test_repeated_titles_name_the_file_in_the_link(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    view = _view(tmp_path, ["/d/x/年报.txt", "/d/y/年报-副本.txt", "/d/z.txt"], [0, 0, 0], {})
    view.reports.loc[2, "report_year"] = 2022.0  # 甲局 2022 is not repeated
    p = page(str(view.memo_links()))
    names = sorted(r[0] for r in memo_rows(p))
    assert names == ["甲局", "甲局（年报-副本.txt）", "甲局（年报.txt）"]
    assert sorted(unquote(h) for h in p.links) == sorted(f"memos/{memo_name(f)}" for f in view.reports["file"])


def test_memo_href_is_relative_to_where_the_notebook_runs(tmp_path):
    memo = tmp_path / "out" / "memos" / "甲局 #1.html"
    memo.parent.mkdir(parents=True)
    memo.write_text("m", encoding="utf-8")
    assert memo_href(memo, here=tmp_path / "out") == ("memos/%E7%94%B2%E5%B1%80%20%231.html", "")
    assert memo_href(memo, here=tmp_path / "notebooks", root=tmp_path)[0] == "../out/memos/%E7%94%B2%E5%B1%80%20%231.html"
    href, note = memo_href(memo, here=tmp_path / "lab", root=tmp_path / "lab")  # outside the lab's root
    assert href == "" and "JupyterLab" in note and str(memo) in note


def test_memo_link_outside_the_lab_root_is_no_link_but_says_where(tmp_path, monkeypatch):
    import audit_kit.review.batch_view as bv

    monkeypatch.setattr(bv, "lab_root", lambda: tmp_path / "lab")
    view = _view(tmp_path, ["/d/a.txt"], [1], {})
    p = page(str(view.memo_links()))
    assert p.links == []
    assert "无法在此打开" in memo_rows(p)[0][9]


# --- in JupyterLab -------------------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium is not installed (make test installs it)")
def test_memo_links_open_in_jupyterlab(tmp_path):
    """The batch notebook run in a real JupyterLab whose root holds the notebook in notebooks/ and the batch
    output beside it: the memo link resolves to the lab's /files/ path of the memo, which answers 200, and
    clicking it opens the memo in the lab."""
    from playwright.sync_api import sync_playwright

    from tests.browser import ARTIFACTS, BROWSER_ARGS, CHROMIUM, jupyter_lab, run_all_cells
    from tests.trust.test_injection import _parameterized

    work = tmp_path / "lab"
    (work / "notebooks").mkdir(parents=True)
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(BUNDLED_SEED, src / "盐池 2020.txt")
    out = work / "批量输出"
    _batch(src, out, tmp_path / "store", "--memos")
    memo = next((out / "memos").glob("*.html"))
    done = _parameterized("audit_batch.ipynb", work / "notebooks", outdir=str(out), store=str(tmp_path / "store"))
    with jupyter_lab(work, tmp_path) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page_ = browser.new_page(viewport={"width": 1400, "height": 1000})
            panel = run_all_cells(page_, base, "notebooks/audit_batch.ipynb", done)
            link = panel.locator("table.ak-memo-index a").first
            link.wait_for(timeout=120_000)
            link.scroll_into_view_if_needed()
            page_.wait_for_timeout(1000)  # the lab rewrites the link to its /files/ URL once rendered
            href = link.get_attribute("href") or ""
            page_.screenshot(path=str(ARTIFACTS / "lab-batch-memo-links.png"))
            assert unquote(href).split("?")[0].endswith(f"/files/批量输出/memos/{memo.name}"), href
            answer = page_.request.get(href if href.startswith("http") else base + href)
            assert answer.status == 200 and "审核意见书" in answer.text()
            link.click()
            page_.locator(".lm-TabBar-tab", has_text=memo.name[:10]).first.wait_for(timeout=60_000)
            page_.screenshot(path=str(ARTIFACTS / "lab-batch-memo-opened.png"))
        finally:
            browser.close()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium is not installed (make test installs it)")
def test_index_in_the_browser_opens_the_memos_and_shows_progress(tmp_path):
    """A batch of the multi-year samples with memos, one decision recorded, the index written again: the
    index in Chromium (screenshot tests/artifacts/batch-index.png) shows the decision in its row, and its
    first memo link opens that memo."""
    from playwright.sync_api import sync_playwright

    from audit_kit.memo.write import write_index
    from tests.browser import ARTIFACTS, BROWSER_ARGS, CHROMIUM

    store, out = tmp_path / "store", tmp_path / "out"
    _batch(ROOT / "data" / "samples" / "series", out, store, "--memos", "--jobs", "2")
    results = pd.read_parquet(out / "results.parquet")
    fails = results[results["status"] == "fail"]
    first = fails.iloc[0]
    Ledger(store / "ledger.sqlite").record(first, "confirmed", "已核实", "张审核")
    index = write_index(out, store=str(store))
    rows = {r[8]: r[4] for r in memo_rows(page(index.read_text(encoding="utf-8")))}
    assert rows[Path(first["file"]).name] == f"已审 1 / 共 {int((fails['file'] == first['file']).sum())}"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1200, "height": 900})
            tab.goto(index.as_uri())
            tab.screenshot(path=str(ARTIFACTS / "batch-index.png"), full_page=True)
            link = tab.locator("table.ak-memo-index a").first
            agency = link.inner_text().split("（")[0]
            with tab.expect_popup() as opened:
                link.click()
            memo = opened.value
            memo.wait_for_load_state()
            assert "审核意见书" in memo.title() and agency in memo.title()
        finally:
            browser.close()


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, str(ROOT)])


def test_the_batch_walker_shows_the_source_and_keeps_the_auditor(tmp_path):
    """The report picker of audit_batch.ipynb opens the walker with the report as the batch stored it (so the
    source is shown beside each finding) and with the workspace (so the auditor's name is remembered)."""
    from audit_kit.batch.client import run_batch
    from audit_kit.review.batch_view import open_batch

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(BUNDLED_SEED, src / "yanchi.txt")
    store = tmp_path / "store"
    run_batch(src, tmp_path / "out", store=store, progress=False)
    view = open_batch(str(tmp_path / "out"), store=str(store))
    view.picker()
    walker = view.walker
    assert walker is not None and walker.report is not None
    assert walker.report.report_id == view.reports["report_id"].iloc[0]
    assert walker.workspace is not None and walker.workspace.root == store.resolve()
    walker.auditor.value = "批量审核人"
    assert open_batch(str(tmp_path / "out"), store=str(store)).auditor == "批量审核人"
