"""No command writes over an input (same path, symlink or hard link), and a batch writes
nothing inside the folder it audits unless ``--allow-output-inside`` is given. Every refusal happens before
any work: exit 2, one line naming the path, the input's bytes unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_refusal import one_line
from tests.conftest import BUNDLED_SEED


def cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit_kit.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.fixture
def report(tmp_path) -> Path:
    path = tmp_path / "年报.txt"
    shutil.copy(BUNDLED_SEED, path)
    return path


def test_memo_never_writes_over_the_report_or_the_prior(tmp_path, report):
    original = report.read_bytes()
    hard = tmp_path / "hard.html"
    os.link(report, hard)
    soft = tmp_path / "soft.html"
    soft.symlink_to(report)
    ledger = tmp_path / "l.sqlite"
    for out in (report, hard, soft, tmp_path / "." / report.name):
        one_line(cli("memo", report, "--ledger", ledger, "-o", out), out, "年报", "覆盖")
    prior = tmp_path / "上年.txt"
    shutil.copy(BUNDLED_SEED, prior)
    one_line(cli("memo", report, "--prior", prior, "--force-prior", "--ledger", ledger, "-o", prior), prior, "上年报告")
    assert report.read_bytes() == original and prior.read_bytes() == original
    assert hard.read_bytes() == original and not ledger.exists()


def test_memo_never_writes_over_the_ledger_nor_the_ledger_over_an_input(tmp_path, report):
    ledger = tmp_path / "l.sqlite"
    one_line(cli("memo", report, "--ledger", ledger, "-o", ledger), ledger, "审核记录")
    one_line(cli("memo", report, "--ledger", report, "-o", tmp_path / "m.html"), report, "审核记录", "年报")
    store = tmp_path / "store"
    store.mkdir()
    one_line(cli("memo", report, "--store", store, "--ledger", ledger, "-o", store / "index.sqlite"),
            store / "index.sqlite", "报告库")


@pytest.fixture
def audited(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(BUNDLED_SEED, folder / "a.txt")
    return folder


def test_batch_output_or_store_inside_the_audited_folder_is_refused_unless_asked(tmp_path, audited, monkeypatch):
    monkeypatch.delenv("AUDIT_KIT_WORKSPACE")  # the default workspace is found from the current folder
    before = sorted(p.name for p in audited.iterdir())
    one_line(cli("batch", audited, "-o", audited / "out", "--store", tmp_path / "s"), audited / "out",
            "输出文件夹", "--allow-output-inside")
    one_line(cli("batch", audited, "-o", audited, "--store", tmp_path / "s"), audited, "输出文件夹")
    one_line(cli("batch", audited, "-o", tmp_path / "o", "--store", audited / "store"), audited / "store", "报告库")
    link = tmp_path / "out-link"
    link.symlink_to(audited, target_is_directory=True)  # an output named through a link into the folder
    one_line(cli("batch", audited, "-o", link / "out", "--store", tmp_path / "s"), link / "out", "输出文件夹")
    # the default workspace (audit-store/ found from the current folder) when run from inside the audited folder
    proc = cli("batch", ".", "-o", tmp_path / "o", cwd=audited)
    one_line(proc, audited / "audit-store", "报告库", "--allow-output-inside")
    assert sorted(p.name for p in audited.iterdir()) == before and not (tmp_path / "o").exists()
    ok = cli("batch", audited, "-o", audited / "out", "--store", audited / "store", "--allow-output-inside")
    assert ok.returncode in (0, 1), ok.stderr
    assert (audited / "out" / "reports.csv").exists()
    rows = (audited / "out" / "reports.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2  # the header and a.txt: nothing of the output or the store was read as a report


def test_batch_output_and_store_are_not_one_folder(tmp_path, audited):
    one_line(cli("batch", audited, "-o", tmp_path / "x", "--store", tmp_path / "x"), tmp_path / "x", "同一个文件夹")


def test_batch_never_writes_through_a_link_to_an_input(tmp_path, audited):
    out = tmp_path / "out"
    out.mkdir()
    os.link(audited / "a.txt", out / "reports.csv")  # a hard link planted under an output's name
    original = (audited / "a.txt").read_bytes()
    one_line(cli("batch", audited, "-o", out, "--store", tmp_path / "s"), out / "reports.csv", "覆盖")
    assert (audited / "a.txt").read_bytes() == original
