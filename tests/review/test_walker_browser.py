"""JupyterLab runs audit_report.ipynb on a PDF report (made by LibreOffice from a
generated .docx); the walker shows the PDF page region with the cells' boxes, a comment typed before the
click is saved with the decision, and a key pressed over the finding records a decision (ipyevents).
Screenshots of the walker (the PDF source view included) go to tests/artifacts/."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from audit_kit.readers.legacy import convert
from audit_kit.testing import samples
from tests.browser import ARTIFACTS, BROWSER_ARGS, CHROMIUM, jupyter_lab, needs_browser, run_all_cells
from tests.conftest import ROOT


def _notebook_on(report: str, target) -> None:
    """The bundled notebook with its ``report`` parameter set (as papermill would inject it)."""
    nb = json.loads((ROOT / "notebooks" / "audit_report.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    src = "".join(cell["source"])
    assert src.startswith('report = ""')
    cell["source"] = [f"report = {json.dumps(report, ensure_ascii=False)}" + src[len('report = ""'):]]
    target.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


@needs_browser
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make test installs it)")
def test_walker_in_jupyterlab_with_the_pdf_source(tmp_path, workspace_dir):
    from playwright.sync_api import sync_playwright

    spec = samples.make_report("2021", seed=21)
    spec.values[("t3", "new", "total")] += 7  # T3-1 fails on cells of two pages
    docx = samples.write(spec, tmp_path / "示例年报.docx")
    pdf = tmp_path / "示例年报.pdf"
    pdf.write_bytes(convert(docx, docx.read_bytes(), "pdf"))
    work = tmp_path / "lab"
    work.mkdir()
    _notebook_on(str(pdf), work / "audit_report.ipynb")
    with jupyter_lab(work, tmp_path) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        run_all_cells(page, base, "audit_report.ipynb")
        try:
            image = page.locator(".ak-source-pages img").first
            image.wait_for(timeout=180_000)
            no_news = page.get_by_role("button", name="No", exact=True)
            if no_news.count():  # the lab's own news question covers the corner of the screenshots
                no_news.first.click()
            page.get_by_role("button", name="确认问题").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "walker.png"))
            image.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "walker-pdf-source.png"))
            assert image.evaluate("im => im.naturalWidth > 0 && im.naturalHeight < im.naturalWidth")  # a crop
            page.get_by_placeholder("审核意见").fill("浏览器中先写意见")
            page.get_by_role("button", name="确认问题").first.click()
            page.get_by_text("已记录").first.wait_for(timeout=30_000)
            page.locator(".ak-walker-finding").first.hover()
            page.keyboard.press("2")
            page.get_by_text("已记录：[T3-3] 排除").first.wait_for(timeout=30_000)
            page.locator(".ak-walker-finding").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "walker-after-keys.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "walker-failure.png"))
            raise
        finally:
            browser.close()
    db = sqlite3.connect(workspace_dir / "ledger.sqlite")
    rows = db.execute("SELECT check_id, decision, comment FROM decisions ORDER BY id").fetchall()
    db.close()
    assert rows == [("T3-1", "confirmed", "浏览器中先写意见"), ("T3-3", "dismissed", "")]
