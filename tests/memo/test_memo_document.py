"""The memo as the 审核意见书 an auditor signs: the first page holds who and what was audited, the basis, the
审核结论 as an action and the numbered 问题清单; 草稿 on every printed page while findings are undecided; the
sign-off block with 审核人 and 复核人; the technical record last. Printed with Chromium and read back."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from audit_kit.errors import WorkspaceError
from audit_kit.memo.write import write_memo
from audit_kit.review import report_view
from audit_kit.workspace.access import Workspace
from tests.conftest import BUNDLED_SEED, CORPUS, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_browser = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
DEV_023 = CORPUS / "023.html"
needs_023 = pytest.mark.skipif(not DEV_023.exists(), reason="../shared/corpus is not here")
ARTIFACTS = ROOT / "tests" / "artifacts"


def _verdict(html: str) -> tuple[str, bool]:
    m = re.search(r"class='ak-verdict[^']*'><b>([^<]+)</b>(<span class='ak-provisional'>)?", html)
    assert m, "no 审核结论 on the cover"
    return m.group(1), bool(m.group(2))


def test_the_conclusion_is_an_action_that_follows_the_decisions(workspace_dir):
    audit = report_view.open_audit(str(BUNDLED_SEED))
    fails = audit.results[audit.results["status"] == "fail"]
    assert len(fails) >= 2, "the seed is expected to have failing findings"
    assert _verdict(str(report_view.cover(audit))) == ("同意发布", True)  # nothing confirmed yet, but undecided
    for _, f in fails.iterrows():
        audit.ledger.record(f, "dismissed", "原文无误", "张审核")
    assert _verdict(str(report_view.cover(audit))) == ("同意发布", False)
    wording = fails[fails["check_id"] == "S-2"].iloc[0]  # a heading's wording: corrected, then published
    audit.ledger.record(wording, "pending", "待向机关核实", "张审核")
    assert _verdict(str(report_view.cover(audit))) == ("同意发布", True)
    audit.ledger.record(wording, "confirmed", "确有错误", "张审核")
    assert _verdict(str(report_view.cover(audit))) == ("修改后发布", False)
    form = fails[fails["check_id"] == "F-1"].iloc[0]  # the wrong national format: the report is made again
    audit.ledger.record(form, "confirmed", "应使用 2019 版格式", "张审核")
    cover = str(report_view.cover(audit))
    assert _verdict(cover) == ("退回重新编制", False) and "未按国家规定的格式编制" in cover
    # the auditor states another conclusion, with a reason: it stands, and says who recorded it
    audit.workspace.signoffs.conclude(audit.report.report_id, "revise", "格式问题经请示可整改后发布", "张审核")
    cover = str(report_view.cover(audit))
    assert _verdict(cover) == ("修改后发布", False)
    assert "格式问题经请示可整改后发布" in cover and "审核人 张审核" in cover


@pytest.fixture(scope="module")
def seed_memo(tmp_path_factory) -> tuple[Path, str, str]:
    tmp = tmp_path_factory.mktemp("memo-doc")
    ws = Workspace.find(tmp / "audit-store")
    ws.save_settings(auditor="张审核", reviewer="李复核")
    audit = report_view.open_audit(str(BUNDLED_SEED), store=str(ws.root))
    fails = audit.results[audit.results["status"] == "fail"]
    dismissed = fails[fails["check_id"] == "S-2"].iloc[0]
    audit.ledger.record(dismissed, "dismissed", "原文如此，非错误", "张审核")
    audit.ledger.record(fails[fails["check_id"] == "S-2"].iloc[-1], "confirmed", "请更正第六部分标题", "张审核")
    path = write_memo(str(BUNDLED_SEED), tmp / "seed.html", store=str(ws.root))
    return path, path.read_text(encoding="utf-8"), str(dismissed["message"])


def test_the_sections_come_in_the_order_of_an_opinion(seed_memo):
    _path, html, _ = seed_memo
    heads = re.findall(r"<h[12][^>]*>(.*?)<", html)
    wanted = ["政府信息公开工作年度报告审核意见书", "一、审核结论", "二、问题清单", "三、整改要求",
              "四、待核实与需人工核对的事项", "附：审核记录"]
    positions = [next(i for i, h in enumerate(heads) if h.startswith(w)) for w in wanted]
    assert positions == sorted(positions), heads
    assert html.index("ak-signoff") < html.index("附：审核记录")


def test_the_cover_names_the_unit_the_basis_and_the_people(seed_memo):
    _path, html, _ = seed_memo
    cover = html[:html.index("二、问题清单")]
    for key in ("被审核单位", "报告名称", "年度", "发布日期", "来源", "审核依据", "审核日期", "审核人", "复核人"):
        assert f"<th>{key}</th>" in cover, key
    assert "盐池县" in cover and "第四十九条、第五十条" in cover and "〔2019〕60号" in cover  # a 2020 report
    assert "张审核" in cover and "SHA-256" not in cover and "ledger.sqlite" not in cover


def test_the_problem_list_numbers_the_confirmed_problem_with_place_opinion_and_remedy(seed_memo):
    _path, html, _ = seed_memo
    part = html[html.index("二、问题清单"):html.index("四、待核实")]
    assert "二、问题清单（1 条）" in part
    assert "<b>1.</b>" in part and "位置：第六部分" in part and "审核意见：请更正第六部分标题" in part
    remedies = part[part.index("三、整改要求"):]
    assert "章节标题按国家格式的措辞和编号（问题 1）" in remedies


def test_manual_checks_are_grouped_by_check_with_a_reason(seed_memo):
    _path, html, _ = seed_memo
    manual = html[html.index("需人工核对（"):html.index("附：审核记录")]
    assert "S-4" in manual and "发布日期" in manual


def test_the_record_holds_the_technical_facts_every_check_and_the_excluded_findings(seed_memo):
    _path, html, dismissed = seed_memo
    record = html[html.index("附：审核记录"):]
    for key in ("SHA-256", "报告编号", "工作区", "审核记录校验", "签署记录校验", "工具版本"):
        assert key in record, key
    assert "F-1" in record and "T2-1" in record
    assert "已排除的发现（1 条）" in record and "原文如此，非错误" in record
    assert dismissed[:20].replace("<", "&lt;") in record or dismissed[:20] in record


def test_the_sign_off_names_the_auditor_and_says_not_yet_reviewed(seed_memo):
    _path, html, _ = seed_memo
    block = html[html.index("ak-signoff"):html.index("附：审核记录")]
    assert "张审核" in block and "李复核" in block and "未复核" in block and "尚未记录审核结论" in block


def _printed(html_path: Path, pdf_path: Path, shots: Path | None = None, **options) -> list[str]:
    """Print the memo with Chromium (Playwright) and return the text of each page (pypdf), NFKC-folded and
    without spaces; ``shots``: a PNG of every page there."""
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
    if shots is not None:
        import pypdfium2

        shots.mkdir(parents=True, exist_ok=True)
        for old in shots.glob("page-*.png"):
            old.unlink()
        pdf = pypdfium2.PdfDocument(str(pdf_path))
        for i in range(len(pdf)):
            pdf[i].render(scale=1.3).to_pil().save(shots / f"page-{i + 1}.png")
        pdf.close()
    # pypdf reads some glyphs of the CJK font as radicals (⻚ U+2EDA, ⼼ U+2F3C): NFKC and a fold bring them back
    radicals = str.maketrans({"⻚": "页", "⻅": "见", "⺠": "民"})
    return [re.sub(r"\s+", "", unicodedata.normalize("NFKC", p.extract_text() or "")).translate(radicals)
            for p in PdfReader(str(pdf_path)).pages]


@needs_browser
@pytest.mark.parametrize("how", ["browser", "footer_template"])
def test_the_printed_memo_has_page_numbers_the_sign_off_and_the_record_last(seed_memo, tmp_path, how):
    """Printed as an auditor prints it (the stylesheet's page-margin box) and headless with Chromium's own
    footer (the package's footer template): every page numbered; the record starts a page of its own at the end."""
    from audit_kit.memo.printing import FOOTER_TEMPLATE, HEADER_TEMPLATE

    path, _html, _ = seed_memo
    options = ({"display_header_footer": True, "footer_template": FOOTER_TEMPLATE, "header_template": HEADER_TEMPLATE}
               if how == "footer_template" else {})
    pages = _printed(path, tmp_path / "memo.pdf", **options)
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert f"第{n}页,共{len(pages)}页" in text, (n, text[-80:])
    record = next(i for i, t in enumerate(pages) if "附:审核记录" in t)
    assert all("SHA-256" not in t for t in pages[:record])
    assert "审核人" in pages[record - 1] and "复核人" in pages[record - 1]  # the sign-off closes the opinion
    assert "一、审核结论" in pages[0] and "二、问题清单" in pages[0]


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


# --- the development report 023.html: a blank 总计 column, 8 failing findings ---------------------------------

@pytest.fixture(scope="module")
def memo_023(tmp_path_factory) -> dict:
    if not DEV_023.exists():
        pytest.skip("../shared/corpus is not here")
    tmp = tmp_path_factory.mktemp("memo-023")
    ws = Workspace.find(tmp / "audit-store")
    ws.save_settings(auditor="张审核")
    draft = write_memo(str(DEV_023), tmp / "draft.html", store=str(ws.root))
    audit = ws.open(str(DEV_023))
    fails = audit.results[audit.results["status"] == "fail"]
    for _, f in fails.iterrows():  # every finding decided: T3-5 and X-1 confirmed, the rest 排除
        decision = "confirmed" if f["check_id"] in ("T3-5", "X-1") else "dismissed"
        ws.ledger.record(f, decision, f"{f['check_id']}：已对照原文", "张审核")
    ws.signoffs.conclude(audit.report.report_id, "revise", "", "张审核")
    with pytest.raises(WorkspaceError, match="复核人不能是审核人本人"):
        ws.signoffs.review(audit.report.report_id, "passed", "", "张审核")
    ws.signoffs.review(audit.report.report_id, "passed", "同意按问题清单整改", "李复核")
    final = write_memo(str(DEV_023), tmp / "final.html", store=str(ws.root))
    return {"draft": draft, "final": final, "tmp": tmp, "fails": len(fails)}


@needs_023
def test_the_blank_column_lists_ten_cells_and_says_how_many_there_are(memo_023):
    html = memo_023["final"].read_text(encoding="utf-8")
    assert "共 126 格，列出前 10 格" in html
    assert html.count("<article class='ak-problem") == 5  # T3-5 once (its 126 cells), X-1 four times


@needs_023
@needs_browser
def test_the_draft_of_023_is_marked_on_every_page_and_fits_eight_pages(memo_023):
    pages = _printed(memo_023["draft"], memo_023["tmp"] / "draft.pdf", ARTIFACTS / "memo-023-draft")
    assert 1 <= len(pages) <= 8, len(pages)
    mark = f"草稿(尚有{memo_023['fails']}条未审核)"
    assert all(mark in p for p in pages), [i for i, p in enumerate(pages, 1) if mark not in p]


@needs_023
@needs_browser
def test_the_decided_memo_of_023_is_signed_and_fits_eight_pages(memo_023):
    pages = _printed(memo_023["final"], memo_023["tmp"] / "final.pdf", ARTIFACTS / "memo-023-final")
    assert len(pages) <= 8, len(pages)
    assert not any("草稿" in p for p in pages)
    first = pages[0]
    for words in ("被审核单位上海市人民政府办公厅", "审核依据", "一、审核结论", "修改后发布", "二、问题清单(5条)", "1.表三有126格空白"):
        assert words in first, words
    record = next(i for i, p in enumerate(pages) if "附:审核记录" in p)
    assert record > 0 and all("SHA-256" not in p for p in pages[:record])
    signed = pages[record - 1]
    assert "李复核" in signed and "复核通过" in signed and "张审核" in signed and "修改后发布" in signed


@needs_browser
def test_no_printed_header_is_narrower_than_its_words(seed_memo, memo_023):
    """Every table header of the printed memo stays on one line (no "原/文" or "T3-/3")."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
            page.emulate_media(media="print")
            for memo in (seed_memo[0], memo_023["final"]):
                page.goto(memo.resolve().as_uri())
                broken = page.evaluate("""() => [...document.querySelectorAll('th')].filter(th => {
                    const r = document.createRange(); r.selectNodeContents(th);
                    return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1;
                }).map(th => th.textContent)""")
                assert broken == [], (memo.name, broken)
        finally:
            browser.close()
