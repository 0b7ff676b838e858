"""Report text is hostile input. A corpus generated here plants markup, a refresh to another
site, script, an event handler, a template expression and a </textarea> in the agency name, the title, the
file names of a report and of its prior (found via a store), a heading, a table cell, the narrative, the
ledger's comments and the auditor's name. Through ``audit-kit memo`` (with --prior and with --store),
``audit-kit batch --memos`` with a store (index.html too) and both notebooks in a real JupyterLab in
Chromium: nothing runs, nothing is fetched, nothing navigates, nothing is hidden — every failing check id
of the report is on the page, and the hostile text is shown as text."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import audit_kit
from audit_kit.testing import samples
from audit_kit.workspace.ledger import Ledger
from tests.browser import ARTIFACTS, BROWSER_ARGS, CHROMIUM, DONE, jupyter_lab, needs_browser, run_all_cells
from tests.conftest import ROOT

STYLE = "<style>article{display:none}</style>"
META = '<meta http-equiv=refresh content="0;url=http://127.0.0.1:9/">'
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JINJA = "{{7*7}}"
TEXTAREA = "</textarea>"
AGENCY = f"{STYLE}{JINJA}{TEXTAREA}某县财政局"  # short enough to be read as the title's agency
# file names cannot hold "/": an unclosed <style> hides everything after it just as well
NAMES = {2022: f"2022{IMG}{JINJA}.txt", 2023: "2023<script>alert(1)<script><style>article{display:none}.txt"}
AUDITOR = f"{IMG}{TEXTAREA}王五"
COMMENT = f"{SCRIPT}{META}{STYLE}已核实"
PLANTED = {"X-1", "S-2", "F-2"}  # the narrative count, the heading, the extra 表二 row: failing by construction


def hostile_series(folder: Path) -> dict[int, Path]:
    """Two years of one agency as text dumps, hostile text planted in every place a report's text reaches."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for r in samples.make_series(AGENCY, [2022, 2023], seed=3):
        lines = samples.to_text(r).split("\n")
        lines[0:2] = [f"{AGENCY}{r.year}年政府信息公开工作年度报告"]  # agency and title on one line
        text = "\n".join(lines)
        text = text.replace("一、总体情况\n", f"一、总体情况{IMG}\n", 1)  # a misprinted heading (S-2)
        text = text.replace("全年共收到政府信息公开申请", f"{META}全年共收到政府信息公开申请{SCRIPT}", 1)
        if r.year == 2023:  # a 表二 row outside the template (F-2), and a narrative count the table contradicts
            text, n = re.subn(r"(\t行政规范性文件\n\t\d+\n\t\d+\n\t\d+\n)", rf"\g<1>\n\t其他文件{IMG}\n\t3\n\t4\n\t5\n", text, count=1)
            text, m = re.subn(rf"(全年共收到政府信息公开申请{re.escape(SCRIPT)})\d+件", r"\g<1>99999件", text, count=1)
            assert n == m == 1
        out[r.year] = folder / NAMES[r.year]
        out[r.year].write_text(text, encoding="utf-8")
    return out


class _Page(HTMLParser):
    """What a browser would act on: elements, attributes and visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.images: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_inert(page: str) -> _Page:
    """No element, attribute or style block came from report text; the CSP of the memo is the only meta."""
    p = _Page()
    p.feed(page)
    assert "script" not in p.tags and "textarea" not in p.tags
    assert all(src.startswith("data:image/png;base64,") for src in p.images)  # the charts only
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, re.S)  # the memo's stylesheet and the Stylers' rules
    assert not [s for s in styles if "article{display:none}" in s.replace(" ", "")]
    assert [v for k, v in p.attrs if k == "http-equiv"] in ([], ["Content-Security-Policy"])
    assert not [k for k, _v in p.attrs if k.startswith("on")]
    assert "49某县" not in page  # no template engine evaluated report text
    return p


def failing_ids(report: Path, prior: Path | None = None) -> set[str]:
    r = audit_kit.check(audit_kit.load(report), audit_kit.load(prior) if prior else None)
    ids = set(r.loc[r["status"] == "fail", "check_id"])
    assert ids >= PLANTED  # the planted faults really are found: the page has hostile findings to show
    return ids


def hostile_ledger(path: Path, report: Path, prior: Path | None = None) -> None:
    """Decisions with hostile comments and auditor on every failing finding."""
    results = audit_kit.check(audit_kit.load(report), audit_kit.load(prior) if prior else None)
    ledger = Ledger(path)
    for _, row in results[results["status"] == "fail"].iterrows():
        ledger.record(row, "confirmed", COMMENT, AUDITOR)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit_kit.cli", *args], capture_output=True, text=True, timeout=900)


def assert_memo_shows(page: str, ids: set[str]) -> None:
    parsed = assert_inert(page)
    text = "".join(parsed.text)
    for cid in ids:  # every failing check was confirmed: each is in the 问题清单 as "（check title；severity）"
        assert re.search(rf"（{re.escape(cid)} [^）]+；(错误|警告|提示)）", text), cid
    for hostile in (AGENCY, SCRIPT, IMG, COMMENT, AUDITOR):
        assert hostile in text, hostile  # shown as text, not dropped
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and html.unescape(title.group(1)) == f"{AGENCY} 2023 年度政府信息公开工作年度报告 审核意见书"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[int, Path]:
    return hostile_series(tmp_path_factory.mktemp("hostile") / "in")


def test_memo_with_prior_is_inert(corpus, tmp_path):
    ledger = tmp_path / "l.sqlite"
    hostile_ledger(ledger, corpus[2023], corpus[2022])
    out = tmp_path / "m.html"
    proc = cli("memo", str(corpus[2023]), "--prior", str(corpus[2022]), "--ledger", str(ledger), "--auditor", AUDITOR,
               "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert_memo_shows(page, failing_ids(corpus[2023], corpus[2022]))
    assert NAMES[2022] in "".join(assert_inert(page).text)  # the prior's file name, as text


def test_memo_with_store_is_inert(corpus, tmp_path):
    store, ledger = tmp_path / "store", tmp_path / "l.sqlite"
    assert cli("batch", str(corpus[2022].parent), "-o", str(tmp_path / "b"), "--store", str(store)).returncode in (0, 1)
    hostile_ledger(ledger, corpus[2023], corpus[2022])
    out = tmp_path / "m.html"
    proc = cli("memo", str(corpus[2023]), "--store", str(store), "--ledger", str(ledger), "--auditor", AUDITOR, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    text = "".join(assert_inert(page).text)
    assert_memo_shows(page, failing_ids(corpus[2023], corpus[2022]))
    assert "与 2022 年度报告配对" in text and NAMES[2022] in text  # the prior found via the store, named as text


def test_memo_title_is_not_taken_from_report_markup():
    import nbformat

    from audit_kit.memo.kernels import title_of

    forged = {"output_type": "display_data", "data": {"text/html": "<h1>伪造的标题</h1>"}, "metadata": {}}
    header = {"output_type": "display_data", "data": {"text/html": "<h1>x</h1>"},
              "metadata": {"text/html": {"audit_kit_title": "真实标题"}}}
    nb = nbformat.from_dict({"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [forged]}]})
    assert title_of(nb, "审核意见书") == "审核意见书"
    nb.cells[0].outputs.append(nbformat.from_dict(header))
    assert title_of(nb, "审核意见书") == "真实标题"


@pytest.fixture(scope="module")
def batch(corpus, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("batch")
    ledger = tmp / "l.sqlite"
    hostile_ledger(ledger, corpus[2023], corpus[2022])
    out = tmp / "out"
    proc = cli("batch", str(corpus[2022].parent), "-o", str(out), "--store", str(tmp / "store"), "--memos", "--jobs", "2",
               "--ledger", str(ledger), "--auditor", AUDITOR)
    assert proc.returncode in (0, 1), proc.stderr
    return out


def test_batch_memos_and_index_are_inert(corpus, batch):
    from audit_kit.batch.outputs import memo_name

    memo = batch / "memos" / memo_name(str(corpus[2023]))
    assert_memo_shows(memo.read_text(encoding="utf-8"), failing_ids(corpus[2023], corpus[2022]))
    index = (batch / "index.html").read_text(encoding="utf-8")
    parsed = assert_inert(index)
    text = "".join(parsed.text)
    assert AGENCY in text and NAMES[2023] in text and NAMES[2022] in text
    hrefs = [v for k, v in parsed.attrs if k == "href" and not v.startswith("#")]  # not the headings' anchors
    assert len(hrefs) == 2 and all(h.startswith("memos/") and "<" not in h and "{" not in h for h in hrefs)
    from urllib.parse import unquote

    assert sorted(unquote(h) for h in hrefs) == sorted(f"memos/{memo_name(str(corpus[y]))}" for y in (2022, 2023))


def _parameterized(name: str, folder: Path, **parameters: str) -> str:
    """A copy of one of the project's notebooks in ``folder`` with ``parameters`` injected (papermill) and a
    last cell printing :data:`tests.browser.DONE`; returns that text, to wait for once every cell ran."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(load_notebook_node(str(ROOT / "notebooks" / name)), parameters)
    nb.cells.append(nbformat.v4.new_code_cell(f"print({DONE!r})"))
    nbformat.write(nb, str(folder / name))
    return DONE


@needs_browser
def test_both_notebooks_in_jupyterlab_are_inert(corpus, batch, tmp_path):
    """In JupyterLab (no CSP there) the hostile report and batch run: no dialog, no request but the lab's own,
    no navigation, and every failing check id of the report visible."""
    from playwright.sync_api import sync_playwright

    work = tmp_path / "lab"
    work.mkdir()
    ledger = tmp_path / "l.sqlite"
    hostile_ledger(ledger, corpus[2023], corpus[2022])
    ids = failing_ids(corpus[2023], corpus[2022])
    last = {"audit_report.ipynb": _parameterized("audit_report.ipynb", work, report=str(corpus[2023]),
                                                 store=str(batch.parent / "store"), ledger=str(ledger), auditor=AUDITOR),
            "audit_batch.ipynb": _parameterized("audit_batch.ipynb", work, outdir=str(batch), ledger=str(ledger),
                                                auditor=AUDITOR)}
    with jupyter_lab(work, tmp_path) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            for notebook, done in last.items():
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                requests: list[str] = []
                context.on("request", lambda r, requests=requests: requests.append(r.url))
                page = context.new_page()
                dialogs: list[str] = []
                page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
                navigations: list[str] = []
                page.on("framenavigated", lambda f, page=page, navigations=navigations:
                        navigations.append(f.url) if f == page.main_frame else None)
                panel = run_all_cells(page, base, notebook, done)
                page.wait_for_timeout(1500)  # a refresh or a handler would have fired by now
                page.screenshot(path=str(ARTIFACTS / f"hostile-{Path(notebook).stem}.png"))
                for cid in sorted(ids):  # the report page lists each in its walker, the batch in its table
                    if notebook == "audit_report.ipynb":
                        where = panel.locator(".ak-walker-list option", has_text=f"[{cid}]").first
                        where.wait_for(timeout=30_000, state="attached")
                    else:
                        where = panel.locator(".ak-frame th", has_text=cid).first
                        where.scroll_into_view_if_needed(timeout=30_000)
                        assert where.is_visible(), (notebook, cid)
                assert panel.locator(".jp-OutputArea-output", has_text=AGENCY).count() >= 1  # hostile text as text
                assert dialogs == [], (notebook, dialogs)
                assert [u for u in navigations if not u.startswith(base)] == [], notebook
                outside = [u for u in requests if not u.startswith((base, "data:", "blob:"))]
                assert outside == [], (notebook, outside)
                assert not [u for u in requests if u.split("?")[0].endswith("/x")], notebook  # no <img src=x>
                context.close()
        finally:
            browser.close()
