"""One workspace for the notebooks, the CLI and the memo, whatever the current folder; a memo
from a stored report after its file is gone; the memo names its workspace, ledger and decision count."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from audit_kit import bundled
from audit_kit.workspace.folder import ENV
from tests.conftest import BUNDLED_SEED

COMMENT = "在笔记本中确认：格式版本用错"


def cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit_kit.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder as a user has it: pyproject.toml, notebooks/, a report; no workspace named anywhere."""
    monkeypatch.delenv(ENV)
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'my-audit'\n", encoding="utf-8")
    bundled.copy_notebooks(root / "notebooks")
    shutil.copy(BUNDLED_SEED, root / "yanchi-2020.txt")
    return root


def _run_in_notebooks_folder(root: Path, report: str) -> None:
    """audit_report.ipynb run as JupyterLab runs it (cwd notebooks/), with the report filled in; the walker's
    first finding is confirmed with a comment, as an auditor clicks it."""
    nb = nbformat.read(root / "notebooks" / "audit_report.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace('report = ""', f"report = {report!r}", 1)
    nb.cells.append(nbformat.v4.new_code_cell(
        f"walker = audit_page.walker\nwalker.comment.value = {COMMENT!r}\nwalker.buttons['confirmed'].click()\n"
        "print(walker.message.value)"))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(root / "notebooks")}}).execute()
    assert "已记录" in nb.cells[-1].outputs[0]["text"]


def test_a_decision_made_in_the_notebook_reaches_the_memo_written_from_the_project_folder(project):
    _run_in_notebooks_folder(project, "../yanchi-2020.txt")
    workspace = project / "audit-store"
    assert (workspace / "ledger.sqlite").exists() and not list((project / "notebooks").glob("*.sqlite"))
    proc = cli("memo", "yanchi-2020.txt", "-o", "memo.html", cwd=project)
    assert proc.returncode == 0, proc.stderr
    html = (project / "memo.html").read_text(encoding="utf-8")
    assert re.search("审核意见：" + re.escape(COMMENT) + "<span class='ak-by'>（确认：", html)  # decision, comment
    assert f"<th class='ak-nowrap'>工作区</th><td class='ak-wrap'>{workspace}</td>" in html  # which workspace
    assert f"<th class='ak-nowrap'>审核记录</th><td class='ak-wrap'>{workspace / 'ledger.sqlite'}</td>" in html
    assert "其中确认问题 1 条、待核实 0 条、排除 0 条" in html


def test_a_memo_from_a_stored_report_after_its_file_is_gone(tmp_path):
    ws = tmp_path / "ws"
    report = tmp_path / "copy.txt"
    shutil.copy(BUNDLED_SEED, report)
    first = cli("memo", report, "--store", ws, "-o", tmp_path / "one.html")
    assert first.returncode == 0, first.stderr
    report.unlink()
    report_id = re.search(r"<th class='ak-nowrap'>报告编号</th><td class='ak-wrap'>([0-9a-f]{16})</td>",
                          (tmp_path / "one.html").read_text(encoding="utf-8")).group(1)
    again = cli("memo", report_id[:8], "--store", ws, "-o", tmp_path / "two.html")
    assert again.returncode == 0, again.stderr
    html = (tmp_path / "two.html").read_text(encoding="utf-8")
    assert "盐池县机关事务服务中心 2020 年度政府信息公开工作年度报告 审核意见书" in html
    assert "不通过的发现 3 条，其中确认问题 0 条、待核实 0 条、排除 0 条、未审核 3 条" in html  # from the workspace
    assert "copy.txt" in html  # the file the report was read from


def test_an_unknown_report_id_is_one_clear_line(tmp_path):
    proc = cli("memo", "0123abcd", "--store", tmp_path / "ws", "-o", tmp_path / "m.html")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"audit-kit: 0123abcd: 文件不存在，也不是工作区 {tmp_path / 'ws'} 中报告的编号"]
    assert not (tmp_path / "m.html").exists()


def test_the_notebooks_default_to_the_workspace_of_the_project(project):
    """The seed opened from notebooks/ with no workspace named is stored, with its results, in the project's
    workspace (not in notebooks/)."""
    _run_in_notebooks_folder(project, "../yanchi-2020.txt")
    import sqlite3

    db = sqlite3.connect(project / "audit-store" / "results.sqlite")
    assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1
    db.close()
