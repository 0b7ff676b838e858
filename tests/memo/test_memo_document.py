"""The memo as a finished document — 结论 first and following the decisions, sections in
order, the sign-off block and page numbers in the printed PDF, no raw pandas words in the memo."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from audit_kit.memo.write import write_memo
from audit_kit.review import report_view
from audit_kit.workspace.access import Workspace
from tests.conftest import BUNDLED_SEED

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_browser = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def _conclusion(html: str) -> str:
    m = re.search(r"class='ak-verdict[^']*'><b>([^<]+)</b>", html)
    assert m, "no 结论 in the memo header"
    return m.group(1)


def test_the_conclusion_follows_the_decisions(workspace_dir):
    audit = report_view.open_audit(str(BUNDLED_SEED))
    fails = audit.results[audit.results["status"] == "fail"]
    assert len(fails) >= 2, "the seed is expected to have failing findings"
    head = str(report_view.memo_header(audit))
    assert _conclusion(head) == "待核实"
    assert "已审核 0 条" in head
    for _, f in fails.iterrows():
        audit.ledger.record(f, "dismissed", "原文无误", "张审核")
    head = str(report_view.memo_header(audit))
    assert _conclusion(head) == "未发现问题"
    assert f"已审核 {len(fails)} 条" in head
    audit.ledger.record(fails.iloc[0], "pending", "待向机关核实", "张审核")
    assert _conclusion(str(report_view.memo_header(audit))) == "待核实"
    audit.ledger.record(fails.iloc[1], "confirmed", "确有错误", "张审核")
    assert _conclusion(str(report_view.memo_header(audit))) == "存在问题"


@pytest.fixture(scope="module")
def seed_memo(tmp_path_factory) -> tuple[Path, str, str]:
    tmp = tmp_path_factory.mktemp("memo-doc")
    ws = Workspace.find(tmp / "audit-store")
    ws.save_settings(auditor="张审核", reviewer="李复核")
    audit = report_view.open_audit(str(BUNDLED_SEED), store=str(ws.root))
    fails = audit.results[audit.results["status"] == "fail"]
    dismissed = fails.iloc[0]
    audit.ledger.record(dismissed, "dismissed", "原文如此，非错误", "张审核")
    path = write_memo(str(BUNDLED_SEED), tmp / "seed.html", store=str(ws.root))
    return path, path.read_text(encoding="utf-8"), str(dismissed["message"])


def test_sections_come_in_order(seed_memo):
    _path, html, _ = seed_memo
    heads = [h for h in re.findall(r"<h2[^>]*>(.*?)<", html)]
    wanted = ["结论", "发现（按严重程度）", "需人工核对", "附录：全部检查", "签字"]
    positions = [next(i for i, h in enumerate(heads) if h.startswith(w)) for w in wanted]
    assert positions == sorted(positions), heads


def test_manual_checks_list_every_not_assessable_item_with_its_reason(seed_memo):
    _path, html, _ = seed_memo
    manual = html[html.index(">需人工核对<"):html.index(">附录：全部检查<")]
    assert "S-4" in manual and "发布日期" in manual


def test_the_appendix_lists_every_check_with_its_title_and_the_excluded_findings(seed_memo):
    _path, html, dismissed = seed_memo
    appendix = html[html.index(">附录：全部检查<"):]
    findings = html[html.index(">发现（按严重程度）<"):html.index(">需人工核对<")]
    assert "F-1" in appendix and "T2-1" in appendix
    assert "已排除的发现（1 条）" in appendix
    assert dismissed.replace("<", "&lt;") in appendix or dismissed in appendix
    assert "原文如此，非错误" in appendix and "原文如此，非错误" not in findings


def test_the_sign_off_names_the_workspace_auditor_and_reviewer(seed_memo):
    _path, html, _ = seed_memo
    block = html[html.index("ak-signoff"):]
    assert "张审核" in block and "李复核" in block and "日期" in block


def _printed(html_path: Path, pdf_path: Path, **options) -> list[str]:
    """Print the memo with Chromium (Playwright) and return the text of each page (pypdf)."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(html_path.resolve().as_uri())
            page.pdf(path=str(pdf_path), prefer_css_page_size=True, **options)
        finally:
            browser.close()
    return [p.extract_text() or "" for p in PdfReader(str(pdf_path)).pages]


@needs_browser
@pytest.mark.parametrize("how", ["browser", "footer_template"])
def test_the_printed_memo_has_page_numbers_and_the_sign_off(seed_memo, tmp_path, how):
    """Printed as an auditor prints it (the stylesheet's page-margin box) and headless with Chromium's own
    footer (the package's footer template): every page numbered, the sign-off block on the last page."""
    from audit_kit.memo.printing import FOOTER_TEMPLATE, HEADER_TEMPLATE

    path, _html, _ = seed_memo
    options = ({"display_header_footer": True, "footer_template": FOOTER_TEMPLATE, "header_template": HEADER_TEMPLATE}
               if how == "footer_template" else {})
    pages = _printed(path, tmp_path / "memo.pdf", **options)
    assert len(pages) >= 2
    # pypdf reads some glyphs of the CJK font as radicals (⻚ U+2EDA, ⼼ U+2F3C): fold them back
    squeezed = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", p)).replace("⻚", "页") for p in pages]
    for n, text in enumerate(squeezed, 1):
        assert f"第{n}页,共{len(pages)}页" in text, (n, text[-80:])
    last = squeezed[-1]
    assert "审核人" in last and "复核人" in last and "日期" in last and "张审核" in last and "李复核" in last


RAW = re.compile(r"(?i)\bnan\b|\b(?:pass|fail|not_assessable|error|warning|info)\b|check_id|prior_value|"
                 r"\bname\b|\bvalue\b|\bchange\b|\bstatus\b|\bmessage\b|\d{4}\.0\b")


def _visible(html: str) -> str:
    """The memo's text as a reader sees it: no style sheet, no tags, no attributes."""
    body = re.sub(r"(?s)<style.*?</style>|<head.*?</head>", "", html)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture(scope="module")
def prior_memo(tmp_path_factory) -> str:
    series = BUNDLED_SEED.parent / "series"
    tmp = tmp_path_factory.mktemp("memo-prior")
    path = write_memo(str(series / "教育局-2022.html"), tmp / "m.html", prior=str(series / "教育局-2021.txt"),
                      store=str(tmp / "audit-store"))
    return path.read_text(encoding="utf-8")


def test_no_raw_pandas_in_the_seed_memo(seed_memo):
    _path, html, _ = seed_memo
    text = _visible(html)
    assert not RAW.search(text), text[max(0, RAW.search(text).start() - 80):RAW.search(text).end() + 40]


def test_no_raw_pandas_in_a_memo_with_a_prior(prior_memo):
    text = _visible(prior_memo)
    assert "跨年对比" in text and "公开率" in text
    assert not RAW.search(text), text[max(0, RAW.search(text).start() - 80):RAW.search(text).end() + 40]
    assert re.search(r"\d+\.\d%", text), "rates are shown as percentages"
    assert "2021 年" in text and "2022 年" in text
