"""A workspace is found where the auditor put it and nowhere else: the read-only commands never create one,
and a fresh clone placed under a folder that holds an unrelated ``audit-store/`` passes its tests and leaves
that workspace untouched."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import audit_kit
from audit_kit.workspace.access import Workspace
from audit_kit.workspace.folder import ENV
from tests.conftest import ROOT

SAMPLES = ROOT / "data" / "samples"
TXT = SAMPLES / "sample-2021-示例县财政局.txt"
DOCX = SAMPLES / "sample-2021-示例县财政局.docx"
PRIOR = SAMPLES / "sample-2019-示例市生态环境局.txt"


def _cli(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    """The CLI in ``cwd`` with no workspace named (neither --store nor the environment)."""
    src = str(Path(audit_kit.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src, "XDG_CACHE_HOME": str(cache)}
    env.pop(ENV, None)
    env.pop("AUDIT_KIT_OCR_CACHE", None)
    return subprocess.run([sys.executable, "-c", "from audit_kit.cli import run; run()", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its sha256 (what a run must leave as it found)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("args", [["check", str(TXT)], ["check", str(TXT), "--prior", str(PRIOR), "--force-prior"],
                                  ["extract", str(DOCX)], ["show", str(TXT)], ["check", "35c367005f02cdfe"]])
def test_a_read_only_command_never_creates_a_workspace(tmp_path, args):
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    done = _cli(args, project / "notebooks", tmp_path / "cache")
    assert done.returncode in (0, 1, 2), done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.rglob("audit-store")), done.stderr
    assert not list(tmp_path.rglob("*.sqlite"))


def test_a_fresh_clone_under_a_folder_with_an_audit_store_leaves_it_untouched(tmp_path):
    outer = tmp_path / "审计"
    store = outer / "audit-store"
    with Workspace(store) as ws:  # a real workspace of the auditor's, above where the clone goes
        audit = ws.open(TXT)
        ws.ledger.record(audit.results.iloc[0], "confirmed", "真实的审核结论", "审核人")
        ws.save_settings(auditor="审核人")
    before = _tree(store)
    clone = outer / "audit-kit"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop(ENV, None)
    env.pop("AUDIT_KIT_OCR_CACHE", None)
    files = ["tests/design/test_hermetic.py", "tests/workspace/test_workspace.py", "tests/trust/test_ledger.py",
             "tests/review/test_excel.py", "tests/language/test_cli_zh.py"]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           "--basetemp", str(tmp_path / "basetemp"), *files], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "passed" in done.stdout
    tested = subprocess.run([sys.executable, "-c", "import audit_kit; print(audit_kit.__file__)"], cwd=clone, env=env,
                            capture_output=True, text=True).stdout
    assert tested.startswith(str(clone / "src")), tested  # the clone's own package was tested
    assert _tree(store) == before  # not a byte of the auditor's workspace changed
    assert not (clone / "audit-store").exists()
