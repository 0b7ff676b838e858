"""JupyterLab in headless Chromium for the browser tests: a lab on localhost with a fixed token, notebooks
opened in a workspace of their own and run, the lab's own dialogs accepted. Screenshots go to
tests/artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "tests" / "artifacts"
TOKEN = "audit-kit-test-token"
DONE = "全部单元格已运行（测试）"  # what the last cell of a notebook copied for a browser test prints


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-quic"]
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (make test installs it)")


@contextmanager
def jupyter_lab(work: Path, tmp_path: Path, *flags: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """JupyterLab on localhost serving ``work`` with the fixed token (and ``flags``, ``env`` added); yields its
    base URL once it answers."""
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           **(env or {})}
    lab = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
                            f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
                            "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
                            "jupyterlab.NeverCheckForUpdate", *flags],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield base
    finally:
        lab.terminate()
        lab.wait(timeout=30)


def close_lab_dialogs(page) -> list[str]:
    """Accept the lab's own modal dialogs (kernel choice, file changed on disk, ...) that would block the clicks;
    their texts are returned and written to tests/artifacts/lab-dialogs.txt. (A report's ``alert()`` is a browser
    dialog, caught by ``page.on("dialog")``; these are JupyterLab's own widgets.)"""
    texts = []
    for _ in range(5):
        dialog = page.locator("dialog.jp-Dialog")
        if dialog.count() == 0:
            break
        texts.append(" ".join(dialog.first.inner_text().split()))
        accept = dialog.first.locator(".jp-mod-accept")
        (accept.first.click() if accept.count() else page.keyboard.press("Escape"))
        page.wait_for_timeout(500)
    if texts:
        ARTIFACTS.mkdir(exist_ok=True)
        with open(ARTIFACTS / "lab-dialogs.txt", "a", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
    return texts


def run_all_cells(page, base: str, notebook: str, done: str = ""):
    """Open ``notebook`` in the lab and run all its cells; then wait for ``done`` (a text the notebook's last
    cell prints, see :data:`DONE`) when given — the notebooks hide their code, so no execution prompt shows.
    Returns the notebook's panel (the lab may restore other notebooks' tabs beside it);
    a screenshot lands in tests/artifacts/ when it goes wrong."""
    # A workspace of its own per notebook: the lab does not restore another notebook's tab beside it.
    page.goto(f"{base}/lab/workspaces/ak-{Path(notebook).stem}/tree/{notebook}?token={TOKEN}&reset", timeout=120_000)
    page.wait_for_selector(".jp-Notebook", timeout=120_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-DebuggerBugButton",
                           timeout=120_000, state="attached")
    ARTIFACTS.mkdir(exist_ok=True)
    panel = page.locator(".jp-NotebookPanel:visible").first
    try:
        page.get_by_text("Python 3 (ipykernel) | Idle").first.wait_for(timeout=120_000)
        for _attempt in range(3):  # the menu may be clicked before the kernel listens: try again
            close_lab_dialogs(page)
            panel.locator(".jp-Notebook").first.click()
            page.get_by_role("menuitem", name="Run").first.click()
            page.get_by_text("Run All Cells", exact=True).first.click()
            try:
                panel.locator(".jp-InputPrompt", has_text="[1]").first.wait_for(timeout=30_000)
                break
            except Exception:
                page.keyboard.press("Escape")
                close_lab_dialogs(page)
        if done:
            panel.locator(".jp-OutputArea-output", has_text=done).first.wait_for(timeout=300_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"lab-failure-{Path(notebook).stem}.png"))
        raise
    return panel
