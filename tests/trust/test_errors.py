"""Clear errors, not “内部错误”. Every case runs the real command line in a subprocess:
exit 2, one line on stderr naming the path the user gave, no traceback — and nothing is written first."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.cli_refusal import one_line
from tests.conftest import BUNDLED_SEED

CLI = [sys.executable, "-m", "audit_kit.cli"]


def cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd)


@pytest.fixture
def report(tmp_path) -> Path:
    path = tmp_path / "年报.txt"
    shutil.copy(BUNDLED_SEED, path)
    return path


def test_odd_length_utf16_file(tmp_path):
    text = "政府信息公开工作年度报告\n".encode("utf-16")
    for name, data in (("odd.txt", text + b"\x41"), ("surrogate.txt", text + "\ud800".encode("utf-16-le", "surrogatepass"))):
        (tmp_path / name).write_bytes(data)
        one_line(cli("extract", tmp_path / name), tmp_path / name, "UTF-16")


def test_batch_output_folder_or_store_that_is_a_file(tmp_path, report):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(report, folder / report.name)
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    one_line(cli("batch", folder, "-o", taken, "--store", tmp_path / "s"), taken, "输出文件夹", "文件")
    one_line(cli("batch", folder, "-o", tmp_path / "o", "--store", taken), taken, "报告库", "文件")
    one_line(cli("memo", report, "--store", taken, "--ledger", tmp_path / "l.sqlite", "-o", tmp_path / "m.html"), taken,
             "报告库")
    assert taken.read_text(encoding="utf-8") == "x" and not (tmp_path / "o").exists()


def test_memo_output_or_ledger_that_is_a_folder_is_refused_before_any_work(tmp_path, report):
    folder = tmp_path / "folder"
    folder.mkdir()
    ledger = tmp_path / "l.sqlite"
    one_line(cli("memo", report, "--ledger", ledger, "-o", folder), folder, "文件夹")
    assert not ledger.exists()  # refused before the ledger (or a kernel) was opened
    one_line(cli("memo", report, "--ledger", folder, "-o", tmp_path / "m.html"), folder, "审核记录")
    not_a_ledger = tmp_path / "notes.sqlite"
    not_a_ledger.write_text("我的笔记", encoding="utf-8")
    one_line(cli("memo", report, "--ledger", not_a_ledger, "-o", tmp_path / "m.html"), not_a_ledger, "不是审核记录")
    assert not_a_ledger.read_text(encoding="utf-8") == "我的笔记"
    file_parent = tmp_path / "file"
    file_parent.write_text("x", encoding="utf-8")
    one_line(cli("memo", report, "--ledger", ledger, "-o", file_parent / "m.html"), file_parent / "m.html", "不是文件夹")
    assert not (tmp_path / "m.html").exists()


def test_show_into_a_closed_pipe_exits_quietly(report):
    proc = subprocess.Popen([*CLI, "show", *[str(report)] * 200], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does: the reader goes away while the command still writes
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=300) == 141
    assert err == ""


def test_an_error_names_the_link_the_user_gave_not_its_target(tmp_path, report):
    target = tmp_path / "真实文件.docx"
    target.write_bytes(b"PK\x03\x04 not a zip" * 20)
    link = tmp_path / "上年报告.docx"
    link.symlink_to(target)
    for args in (("check", report, "--prior", link),
                 ("memo", report, "--prior", link, "--ledger", tmp_path / "l.sqlite", "-o", tmp_path / "m.html")):
        proc = cli(*args)
        one_line(proc, link, ".docx")
        assert target.name not in proc.stderr
    linked_report = tmp_path / "linked.txt"
    linked_report.symlink_to(tmp_path / "gone.txt")  # a dangling link
    one_line(cli("extract", linked_report), linked_report, "不存在")


LONG_NAME = "很" * 83 + ".txt"  # 253 bytes in UTF-8: a valid file name whose memo name was not


@pytest.mark.parametrize("names", [[LONG_NAME], ["第#1号?.txt", "百分%20号.txt", "a'b.txt"]])
def test_batch_memos_for_long_and_url_special_file_names(tmp_path, names):
    assert len(LONG_NAME.encode("utf-8")) == 253
    folder = tmp_path / "in"
    folder.mkdir()
    for name in names:
        shutil.copy(BUNDLED_SEED, folder / name)
    out = tmp_path / "out"
    proc = cli("batch", folder, "-o", out, "--store", tmp_path / "s", "--memos", "--ledger", tmp_path / "l.sqlite")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "未生成" not in proc.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = [a or b for a, b in re.findall(r"href=\"(memos/[^\"]*)\"|href='(memos/[^']*)'", index)]
    assert len(hrefs) == len(names), index
    for href in hrefs:
        assert "#" not in href and "?" not in href
        assert (out / unquote(href)).is_file(), href
        assert len(unquote(href).split("/")[-1].encode("utf-8")) <= 255
