"""One file that never finishes does not stall a batch — it becomes an
``error`` row when its time limit runs out, and the other files are read as usual."""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from audit_kit import readers
from audit_kit.batch.client import run_batch
from audit_kit.batch.tasks import time_limit
from audit_kit.errors import FileTimeoutError
from audit_kit.testing import samples

# A reader that never returns for files named hang*: it burns CPU in Python and swallows every Exception
# (as a careless reader might), so only a limit the reader cannot catch stops it.
HANG = """
import audit_kit.readers as readers

_real = readers.READERS[".txt"]


def _hang(path, data, config):
    if not path.name.startswith("hang"):
        return _real(path, data, config)
    n = 0
    while True:
        try:
            n += 1
        except Exception:
            pass


readers.READERS[".txt"] = _hang
"""


def _inputs(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        samples.write(samples.make_report("2021", 2023, seed=i, agency=f"示例县第{i}局"), src / f"r{i}.txt")
    samples.write(samples.make_report("2021", 2023, seed=9, agency="示例县第9局"), src / "hang.txt")
    return src


def test_the_limit_stops_python_code_that_catches_exceptions():
    with pytest.raises(FileTimeoutError, match=r"时间限制 0\.2 秒") as info, time_limit(0.2, "x.txt"):
        while True:
            with contextlib.suppress(Exception):
                sum(range(100))
    assert info.value.path == "x.txt"


def test_the_limit_also_stops_python_code_in_another_thread():
    """A Dask worker runs its tasks in threads, where SIGALRM cannot reach: the limit held nowhere there."""
    import threading
    import time

    outcome: list[BaseException | str] = []

    def task() -> None:
        try:
            with time_limit(0.3, "x.txt"):
                end = time.monotonic() + 10
                while time.monotonic() < end:
                    with contextlib.suppress(Exception):
                        sum(range(100))
            outcome.append("ran to the end")
        except FileTimeoutError as exc:
            outcome.append(exc)
        with time_limit(5, "quick.txt"):  # a block that ends in time is not interrupted later
            pass
        time.sleep(0.2)
        outcome.append("after")

    worker = threading.Thread(target=task)
    started = time.monotonic()
    worker.start()
    worker.join(30)
    assert isinstance(outcome[0], FileTimeoutError) and outcome[0].path == "x.txt", outcome
    assert outcome[1:] == ["after"] and time.monotonic() - started < 5


def test_a_hanging_file_is_an_error_row_in_process(tmp_path, monkeypatch):
    monkeypatch.setitem(readers.READERS, ".txt", readers.READERS[".txt"])  # restored after the test
    (tmp_path / "hang_reader.py").write_text(HANG, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("hang_reader")  # installs the hanging reader in this process
    reports = run_batch(_inputs(tmp_path), tmp_path / "out", store=tmp_path / "store", file_timeout=0.5,
                        progress=False)
    by_name = {Path(r.file).name: r for r in reports.itertuples()}
    assert by_name["hang.txt"].status == "error" and by_name["hang.txt"].error_type == "timeout"
    assert "时间限制" in by_name["hang.txt"].reason
    assert [by_name[f"r{i}.txt"].status for i in range(3)] == ["ok"] * 3


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_batch_goes_on_past_a_hanging_file(tmp_path, jobs):
    src = _inputs(tmp_path)
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(HANG, encoding="utf-8")  # every process of the run: workers too
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(inject), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(src), "-o", str(tmp_path / "out"),
                           "--store", str(tmp_path / "store"), "--jobs", jobs, "--file-timeout", "1"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "hang.txt" in done.stderr and "时间限制 1 秒" in done.stderr
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet").set_index("file")
    assert reports.loc[str(src / "hang.txt"), "error_type"] == "timeout"
    assert list(reports.drop(index=str(src / "hang.txt"))["status"]) == ["ok"] * 3
