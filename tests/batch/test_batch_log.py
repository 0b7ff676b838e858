"""A batch's failures leave their full traceback in OUTDIR/batch.log while the console keeps one line per
file."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import nbformat
import pytest

from audit_kit import cli
from audit_kit.batch import client as batch
from audit_kit.memo import kernels as runner
from audit_kit.readers import text as text_reader
from tests.conftest import ROOT

SAMPLES = ROOT / "data" / "samples"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two reports: a text dump (the one made to fail) and a web page."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "yanchi-2020.txt", src / "yanchi-2020.txt")
    shutil.copy(SAMPLES / "sample-2021-示例县财政局.html", src / "county.html")
    return src


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("模拟的读取故障")


def _batch(folder: Path, tmp_path: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out"
    code = cli.main(["batch", str(folder), "-o", str(out), "--store", str(tmp_path / "store"), *extra])
    return code, out


def _file_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger("audit_kit").handlers if isinstance(h, logging.FileHandler)]


def test_internal_error_one_console_line_and_traceback_in_log(folder: Path, tmp_path: Path, monkeypatch,
                                                              capsys) -> None:
    monkeypatch.setattr(text_reader, "read_text", _boom)
    code, out = _batch(folder, tmp_path)
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if "yanchi-2020.txt" in line]
    assert len(lines) == 1 and "内部错误" in lines[0] and "模拟的读取故障" in lines[0]
    assert "Traceback" not in err and "county.html" not in err
    log = (out / "batch.log").read_text(encoding="utf-8")
    assert log.count("读取失败") == 1 and "yanchi-2020.txt" in log
    assert "Traceback (most recent call last)" in log
    assert "in _boom" in log and "RuntimeError: 模拟的读取故障" in log  # the frame that raised, and the error
    assert _file_handlers() == []  # the handler is gone with the run


def test_unreadable_file_traceback_in_log(folder: Path, tmp_path: Path, capsys) -> None:
    (folder / "empty.txt").write_bytes(b"")
    code, out = _batch(folder, tmp_path)
    err = capsys.readouterr().err
    assert code == 2
    assert len([line for line in err.splitlines() if "empty.txt" in line]) == 1 and "Traceback" not in err
    log = (out / "batch.log").read_text(encoding="utf-8")
    assert "empty.txt" in log and "Traceback (most recent call last)" in log and "EmptyFileError" in log


def test_clean_batch_logs_no_failure(folder: Path, tmp_path: Path, capsys) -> None:
    code, out = _batch(folder, tmp_path)
    capsys.readouterr()
    assert code in (0, 1)
    log = (out / "batch.log").read_text(encoding="utf-8")
    assert "批量开始" in log and "批量结束" in log and "Traceback" not in log and "ERROR" not in log


def test_error_that_stops_the_batch_is_logged(folder: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("模拟的跨年故障")

    monkeypatch.setattr(batch, "_cross_year", broken)
    code, out = _batch(folder, tmp_path)
    err = capsys.readouterr().err
    assert code == 2 and "内部错误" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    log = (out / "batch.log").read_text(encoding="utf-8")
    assert "批量运行中止" in log and "in broken" in log and "KeyError: '模拟的跨年故障'" in log


def test_memo_failure_traceback_in_log(folder: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    """The CLI writes each failed memo's traceback (recorded by the runner) to batch.log, one line on stderr."""
    def write_memos(outdir: str, *_a: object, **_k: object) -> list[runner.Outcome]:
        job = runner.Job({"report": str(folder / "county.html")}, Path(outdir) / "memos" / "county.html")
        return [runner.Outcome(job, "笔记本运行出错：ValueError: 模拟", "Traceback (most recent call last):\n"
                               "  File \"x\", line 1, in cell\nValueError: 模拟的审核意见书故障\n")]

    monkeypatch.setattr("audit_kit.memo.write.write_memos", write_memos)
    code, out = _batch(folder, tmp_path, "--memos", "--ledger", str(tmp_path / "l.sqlite"))
    err = capsys.readouterr().err
    assert code == 2
    assert len([line for line in err.splitlines() if "审核意见书未生成" in line]) == 1 and "Traceback" not in err
    log = (out / "batch.log").read_text(encoding="utf-8")
    assert "审核意见书未生成" in log and "county.html" in log and "ValueError: 模拟的审核意见书故障" in log


def test_runner_records_the_traceback_of_a_failed_notebook(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
                                           "language_info": {"name": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("def fail():\n    raise ValueError('审核意见书故障')\nfail()")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    [outcome] = runner.run_notebooks(path, [runner.Job({}, tmp_path / "memo.html")], cwd=str(tmp_path),
                                     export=lambda _nb, _title: "")
    assert outcome.error and "审核意见书故障" in outcome.error
    assert "Traceback" in outcome.detail and "fail()" in outcome.detail and "ValueError" in outcome.detail
