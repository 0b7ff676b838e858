"""The auditor's path in a real JupyterLab (headless Chromium through Playwright, the lab started as `make lab`
starts it): run all cells of audit_report.ipynb without editing code, pick the report in the field, confirm a
finding with an opinion, go back and edit that opinion, move on — the ledger has the edited opinion and the
memo prints it; the 审核结论 at the top follows without a rerun; the conclusion and the reviewer's 复核 are
recorded from the page (the auditor refused as reviewer); the saved notebook keeps no outputs."""

from __future__ import annotations

import json
import shutil
import sqlite3

from audit_kit.memo.write import write_memo
from audit_kit.workspace.access import Workspace
from tests.browser import ARTIFACTS, BROWSER_ARGS, CHROMIUM, jupyter_lab, needs_browser, run_all_cells
from tests.conftest import BUNDLED_SEED, ROOT

LAB_CONFIG = ROOT / "jupyter" / "jupyter_server_config.py"


@needs_browser
def test_an_edited_opinion_reaches_the_ledger_and_the_memo(tmp_path, workspace_dir):
    from playwright.sync_api import sync_playwright

    Workspace(workspace_dir).save_settings(auditor="张审核")
    work = tmp_path / "lab"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "audit_report.ipynb", work)
    with jupyter_lab(work, tmp_path, f"--config={LAB_CONFIG}") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        panel = run_all_cells(page, base, "audit_report.ipynb")
        try:
            field = page.get_by_placeholder("从列表选择工作区中的报告，或填入年报文件的路径")
            field.wait_for(timeout=120_000)
            assert panel.locator(".jp-InputArea-editor:visible").count() == 0  # the code is folded away
            field.fill(str(BUNDLED_SEED))
            page.get_by_role("button", name="打开").click()
            confirm = page.get_by_role("button", name="确认问题", exact=True)
            confirm.wait_for(timeout=120_000)
            assert "未审核 3 条" in page.locator(".ak-cover").first.inner_text()
            page.get_by_placeholder("审核意见", exact=True).fill("浏览器中确认")
            confirm.click()
            page.get_by_text("已记录：[F-1] 确认问题").first.wait_for(timeout=30_000)
            # the header followed the decision, no rerun
            page.locator(".ak-cover", has_text="确认问题 1 条").first.wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "lab-notebook.png"))
            page.get_by_role("button", name="上一条").click()  # back to the decided finding
            box = page.get_by_placeholder("审核意见", exact=True)
            page.wait_for_function("() => [...document.querySelectorAll('textarea')].some(t => t.value === '浏览器中确认')")
            box.fill("改过的意见：表三格式")
            page.get_by_role("button", name="下一条").click()  # moving on commits the box (continuous_update off)
            page.get_by_text("已更新意见：[F-1]").first.wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "lab-walker.png"))
            # the conclusion, then a 复核 by the auditor (refused) and by another person
            page.get_by_role("button", name="记录审核结论").click()
            page.get_by_text("已记录审核结论").first.wait_for(timeout=30_000)
            reviewer = page.get_by_label("复核人")
            reviewer.fill("张审核")
            page.get_by_role("button", name="记录复核").click()
            page.get_by_text("复核人不能是审核人本人").first.wait_for(timeout=30_000)
            reviewer.fill("李复核")
            page.get_by_role("button", name="记录复核").click()
            page.get_by_text("已记录复核：复核通过（复核人 李复核）").first.wait_for(timeout=30_000)
            page.locator(".ak-signoff", has_text="李复核").first.wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "lab-signed.png"))
            page.keyboard.press("Control+s")
            page.wait_for_timeout(3000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "lab-failure.png"))
            raise
        finally:
            browser.close()
    db = sqlite3.connect(workspace_dir / "ledger.sqlite")  # the workspace's ledger (AUDIT_KIT_WORKSPACE)
    rows = db.execute("SELECT check_id, decision, comment, auditor FROM decisions ORDER BY id").fetchall()
    signed = db.execute("SELECT role, verdict, person FROM signoffs ORDER BY id").fetchall()
    db.close()
    assert rows == [("F-1", "confirmed", "浏览器中确认", "张审核"), ("F-1", "confirmed", "改过的意见：表三格式", "张审核")]
    assert signed == [("auditor", "redo", "张审核"), ("reviewer", "passed", "李复核")]
    saved = json.loads((work / "audit_report.ipynb").read_text(encoding="utf-8"))
    assert all(c.get("outputs", []) == [] for c in saved["cells"]) and "widgets" not in saved["metadata"]
    memo = write_memo(str(BUNDLED_SEED), tmp_path / "memo.html").read_text(encoding="utf-8")
    problems = memo[memo.index("二、问题清单"):memo.index("三、整改要求")]
    assert "审核意见：改过的意见：表三格式" in problems and "浏览器中确认" not in problems
    assert "李复核" in memo[memo.index("ak-signoff"):] and "草稿" in memo  # two S-2 findings still undecided
