"""One real-browser test: JupyterLab on localhost with a fixed token, audit_report.ipynb opened in headless
Chromium (Debian's, through Playwright), all cells run, 确认问题 clicked on the first finding with a comment
typed, and the ledger row asserted. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import shutil
import sqlite3

from tests.browser import ARTIFACTS, BROWSER_ARGS, CHROMIUM, jupyter_lab, needs_browser, run_all_cells
from tests.conftest import ROOT


@needs_browser
def test_confirm_a_finding_in_jupyterlab(tmp_path, workspace_dir):
    from playwright.sync_api import sync_playwright

    work = tmp_path / "lab"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "audit_report.ipynb", work)
    with jupyter_lab(work, tmp_path) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        run_all_cells(page, base, "audit_report.ipynb")
        confirm = page.get_by_role("button", name="确认问题")
        try:
            confirm.wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "lab-failure.png"))
            raise
        page.get_by_placeholder("审核意见").fill("浏览器中确认")
        page.screenshot(path=str(ARTIFACTS / "lab-notebook.png"))
        confirm.click()
        page.get_by_text("已记录").first.wait_for(timeout=30_000)
        confirm.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-walker.png"))
        browser.close()
    db = sqlite3.connect(workspace_dir / "ledger.sqlite")  # the workspace's ledger (AUDIT_KIT_WORKSPACE)
    rows = db.execute("SELECT check_id, decision, comment FROM decisions").fetchall()
    db.close()
    assert rows == [("F-1", "confirmed", "浏览器中确认")]
