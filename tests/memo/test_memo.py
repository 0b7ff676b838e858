"""The HTML audit memo — self-contained, offline, Chinese glyphs, hostile text inert, decisions
beside findings, printable without splitting table rows."""

from __future__ import annotations

import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

import audit_kit
from audit_kit.memo.write import write_memo
from audit_kit.testing import samples
from audit_kit.workspace.ledger import Ledger
from tests.conftest import BUNDLED_SEED, ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (make test installs it)")
HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{7*7}}")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "action", "poster", "data")]


@pytest.fixture(scope="module")
def seed_memo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("memo")
    report = audit_kit.load(BUNDLED_SEED)
    results = audit_kit.check(report)
    f1 = results[results["check_id"] == "F-1"].iloc[0]
    ledger = Ledger(tmp / "l.sqlite")
    ledger.record(f1, "confirmed", "格式版本确有问题，已通知整改", "李四")
    path = write_memo(str(BUNDLED_SEED), tmp / "seed.html", ledger=str(tmp / "l.sqlite"), auditor="李四")
    return path, path.read_text(encoding="utf-8"), f1


def test_memo_references_nothing_online_and_runs_no_script(seed_memo):
    _path, html, _f1 = seed_memo
    parser = _Links()
    parser.feed(html)
    assert parser.scripts == 0
    assert not [r for r in parser.refs if re.match(r"(?i)^\s*(https?:|//)", r)]
    assert "<style>" in html and "@media print" in html and "size: A4" in html


def test_memo_states_the_ledger_and_that_it_verified(seed_memo):
    path, html, _f1 = seed_memo
    assert str(path.parent / "l.sqlite") in html
    assert "审核记录校验" in html and "链校验通过" in html and "1 条" in html


def test_memo_says_when_the_ledger_chain_is_broken(tmp_path):
    import sqlite3

    report = audit_kit.load(BUNDLED_SEED)
    f1 = audit_kit.check(report).query("check_id == 'F-1'").iloc[0]
    Ledger(tmp_path / "l.sqlite").record(f1, "confirmed", "原意见", "李四")
    db = sqlite3.connect(tmp_path / "l.sqlite")
    db.execute("DROP TRIGGER no_update")
    db.execute("UPDATE decisions SET comment = '改过的意见'")
    db.commit()
    db.close()
    html = write_memo(str(BUNDLED_SEED), tmp_path / "m.html", ledger=str(tmp_path / "l.sqlite")).read_text(encoding="utf-8")
    assert "审核记录校验" in html and "链校验通过" not in html


def test_seed_memo_states_the_seed_results(seed_memo):
    _path, html, _f1 = seed_memo
    assert "盐池县机关事务服务中心 2020 年度政府信息公开工作年度报告 审核意见书" in html
    # the seed fails F-1 (confirmed in the fixture's ledger) and two S-2 headings (undecided)
    assert "不通过的发现 3 条，其中确认问题 1 条、待核实 0 条、排除 0 条、未审核 2 条" in html
    assert "二、问题清单（1 条）" in html and "2020 年度报告却使用 2021 版格式" in html
    assert "尚未审核（2 条）" in html
    assert "第二部分标题印为“2、 主动公开政府信息情况”" in html and "第六部分标题印为“六、其他需要报告事项”" in html
    assert "草稿（尚有 2 条未审核）" in html
    for cid in ("T3-1", "T3-2", "S-4", "X-1", "Y-1"):  # the record lists every check run
        assert f"<td class='ak-nowrap'>{cid}</td>" in html
    assert "759db567a490ec5dfd1a00531cf67575601f67f229ea2f45924d6017e445a39d" in html  # sha256 of the seed
    assert "def " not in html and "import " not in html and "widget-view" not in html  # no code, no widgets


def test_a_ledger_decision_stands_beside_its_finding(seed_memo):
    _path, html, f1 = seed_memo
    block = re.search(rf"<article[^>]*data-fingerprint=[\"']{f1['fingerprint']}[\"'].*?</article>", html, re.S)
    assert block and re.search(r"审核意见：格式版本确有问题，已通知整改.*（确认：李四，\d{4}-\d\d-\d\d \d\d:\d\d）",
                               block.group(0))


def _hostile_report(tmp_path: Path) -> Path:
    """A web page whose title, narrative and one table row carry hostile text."""
    import html

    spec = samples.make_report("2021", seed=8, agency=f"{HOSTILE[0]}{HOSTILE[2]}县财政局")
    spec.narrative["一"] += f"另有说明：{HOSTILE[1]}，{HOSTILE[2]}。"
    page = samples.to_html(spec)
    row = f"<tr><td><p>其他文件{html.escape(HOSTILE[1])}</p></td><td>3</td><td>4</td><td>5</td></tr>"
    page = page.replace("<tr><td><p>行政规范性文件", row + "<tr><td><p>行政规范性文件", 1)
    path = tmp_path / "hostile.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_hostile_report_text_is_escaped(tmp_path):
    src = _hostile_report(tmp_path)
    report = audit_kit.load(src)
    results = audit_kit.check(report)
    assert any(HOSTILE[1] in m for m in results["message"])  # the hostile table row really is reported
    html = write_memo(str(src), tmp_path / "h.html", ledger=str(tmp_path / "l.sqlite")).read_text(encoding="utf-8")
    for bad in HOSTILE[:2]:
        assert bad not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{7*7}}县财政局" in html and "49县财政局" not in html
    parser = _Links()
    parser.feed(html)
    assert parser.scripts == 0


def _browser():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"])
    return pw, browser


@needs_browser
def test_memo_offline_in_chromium_with_chinese_glyphs(seed_memo, tmp_path):
    path, _html, _f1 = seed_memo
    pw, browser = _browser()
    try:
        context = browser.new_context(offline=True, viewport={"width": 1100, "height": 1500})
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        assert page.locator("article.ak-problem").count() == 1  # F-1, confirmed
        assert page.locator(".ak-open li[data-fingerprint]").count() == 2  # the two S-2 headings, undecided
        assert page.locator("table").count() >= 3  # cover, 需人工核对, the record's checks
        glyphs = page.evaluate("""() => {
            const font = '40px ' + getComputedStyle(document.body).fontFamily;
            const draw = (t) => { const c = document.createElement('canvas'); c.width = 48; c.height = 48;
                                  const x = c.getContext('2d'); x.font = font; x.fillText(t, 2, 40);
                                  return c.toDataURL(); };
            return {cjk: ['审', '计', '备', '忘', '录'].map(draw), tofu: draw(String.fromCodePoint(0x10FFFD))};
        }""")
        # real glyphs differ from each other and from the missing-glyph box; boxes would all look alike
        assert len(set(glyphs["cjk"])) == 5 and glyphs["tofu"] not in glyphs["cjk"]
        assert page.evaluate("() => document.fonts.check('40px sans-serif', '审核意见书')")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "memo-seed.png"), full_page=True)
        assert [u for u in requests if not u.startswith("file:")] == []
        assert dialogs == []
    finally:
        browser.close()
        pw.stop()


@needs_browser
def test_hostile_memo_fires_no_dialog(tmp_path):
    src = _hostile_report(tmp_path)
    path = write_memo(str(src), tmp_path / "h.html", ledger=str(tmp_path / "l.sqlite"))
    pw, browser = _browser()
    try:
        page = browser.new_context(offline=True).new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_timeout(500)
        assert dialogs == []
        assert HOSTILE[0] in page.inner_text(".ak-subtitle")  # the report's title, shown as text
        assert HOSTILE[1] in page.inner_text("body") and HOSTILE[2] in page.inner_text("body")
    finally:
        browser.close()
        pw.stop()


@needs_browser
def test_print_splits_no_table_row(tmp_path):
    import pdfplumber

    report = ROOT / "data" / "samples" / "sample-2021-示例县财政局.docx"
    path = write_memo(str(report), tmp_path / "m.html", ledger=str(tmp_path / "l.sqlite"))
    pw, browser = _browser()
    try:
        page = browser.new_page()
        page.goto(path.as_uri())
        page.emulate_media(media="print")
        assert page.evaluate("() => getComputedStyle(document.querySelector('tr')).breakInside") == "avoid"
        pdf_path = tmp_path / "m.pdf"
        page.pdf(path=str(pdf_path), format="A4", print_background=True)
    finally:
        browser.close()
        pw.stop()
    ids = sorted(set(audit_kit.check(audit_kit.load(report))["check_id"]))
    with pdfplumber.open(pdf_path) as pdf:
        assert len(pdf.pages) >= 3
        pages = [p.extract_words() for p in pdf.pages]
    # the record's table of every check: 检查, 内容, then one count per status (不通过, 无法判断, 通过)
    heads = [w for words in pages for w in words if unicodedata.normalize("NFKC", w["text"]) == "不通过"]
    assert heads, "the record's table header was not printed"
    counts_x = min(w["x0"] for w in heads) - 2
    for cid in ids:
        rows = [(n, w) for n, words in enumerate(pages) for w in words if w["text"] == cid]
        assert rows, cid
        n, w = rows[-1]  # the record's row (the check id may also appear earlier, in 需人工核对)
        numbers = [x for x in pages[n] if x["x0"] >= counts_x and abs(x["top"] - w["top"]) < 4
                   and re.fullmatch(r"\d+", x["text"])]
        assert len(numbers) == 3, (cid, n, numbers)  # the check and its three counts print on one page, together


def test_batch_memos_and_index(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "in"
    src.mkdir()
    for r in samples.make_series("示例县水务局", [2022, 2023], seed=2):
        samples.write(r, src / f"{r.year}.txt")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(out), "--store",
                           str(tmp_path / "store"), "--memos", "--jobs", "2", "--ledger", str(tmp_path / "l.sqlite")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    memos = sorted((out / "memos").glob("*.html"))
    assert len(memos) == 2
    index = (out / "index.html").read_text(encoding="utf-8")
    for m in memos:
        assert f"memos/{m.name}" in index
    assert "示例县水务局 2023 年度政府信息公开工作年度报告 审核意见书" in memos[1].read_text(encoding="utf-8")
