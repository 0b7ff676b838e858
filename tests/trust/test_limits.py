"""One file may only be and inflate to so much (audit_kit.readers.limits), with a clear error naming
the limit and how to raise it. Hostile files are generated here; memory is checked in a child process whose
address space is capped (RLIMIT_AS) a fixed budget above what it had after importing and reading a report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import audit_kit
from audit_kit import config as limits
from audit_kit import errors
from audit_kit.testing import hostile

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DOCX = ROOT / "data" / "samples" / "sample-2021-示例县财政局.docx"

# Runs in the child: warm up (imports, one real report), cap the address space at what it has now plus
# BUDGET MB, read the file, print what happened and how much the resident set grew.
_CHILD = r"""
import json, resource, sys
import audit_kit, audit_kit.readers.docx, audit_kit.readers.html, audit_kit.readers.text
from audit_kit.cli import main
audit_kit.load(sys.argv[3]).cells

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
before = status("VmHWM:")
limit = (status("VmSize:") + int(sys.argv[2])) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
out = {}
try:
    report = audit_kit.load(sys.argv[1])
    out["loaded"] = len(report.cells)
    out["notes"] = report.meta["notes"]
except audit_kit.AuditKitError as exc:
    out["error"], out["reason"] = type(exc).__name__, exc.reason
except MemoryError:
    out["error"] = "MemoryError"
out["grew_mb"] = status("VmHWM:") - before
print(json.dumps(out, ensure_ascii=False))
"""


def _run_capped(path: Path, budget_mb: int, max_mb: str = "") -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           limits.MAX_MB_ENV: max_mb}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(budget_mb), str(SAMPLE_DOCX)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _names_limit_and_fix(reason: str, limit_mb: int | str) -> None:
    assert f"上限 {limit_mb} MB" in reason
    assert limits.MAX_MB_ENV in reason and "--max-mb" in reason


def test_docx_bomb_stops_at_its_declared_size_in_bounded_memory(tmp_path):
    bomb = hostile.docx_bomb(tmp_path / "bomb.docx", inflated_mb=200)
    assert bomb.stat().st_size < 5 * limits.MB  # small on disk: only inflating shows what it is
    out = _run_capped(bomb, budget_mb=300)
    assert out["error"] == "FileTooLargeError", out
    assert "word/document.xml" in out["reason"] and "解压后过大" in out["reason"]
    _names_limit_and_fix(out["reason"], limits.MAX_INFLATED_MB)
    assert out["grew_mb"] < 100, out


def test_docx_whose_zip_directory_lies_is_read_in_small_pieces(tmp_path):
    """The directory says 1000 bytes; the data inflates to 200 MB. Reading it whole took 500 MB."""
    bomb = hostile.lying_docx(tmp_path / "lying.docx", inflated_mb=200, declared=1000)
    out = _run_capped(bomb, budget_mb=300)
    assert out["error"] == "CorruptFileError", out
    assert "MemoryError" not in out["reason"]
    assert out["grew_mb"] < 100, out


def test_inflation_limit_follows_the_option(tmp_path, monkeypatch):
    """A small file whose XML inflates to 1 MB: refused under a 0.5 MB limit, read under a 2 MB one."""
    small = hostile.docx_bomb(tmp_path / "small.docx", inflated_mb=1)
    assert small.stat().st_size < 0.5 * limits.MB
    monkeypatch.setenv(limits.MAX_MB_ENV, "0.5")
    with pytest.raises(errors.FileTooLargeError) as info:
        audit_kit.load(small)
    assert "word/document.xml" in info.value.reason
    _names_limit_and_fix(info.value.reason, "0.5")
    monkeypatch.setenv(limits.MAX_MB_ENV, "2")
    assert "信息公开" in audit_kit.load(small).meta["title"]


def test_one_line_text_of_39_mb_is_refused_by_default_and_cheap_when_admitted(tmp_path):
    text = hostile.one_line_text(tmp_path / "oneline.txt", mb=39)
    with pytest.raises(errors.FileTooLargeError) as info:
        audit_kit.load(text)
    _names_limit_and_fix(info.value.reason, limits.MAX_INPUT_MB["text"])
    assert str(text) in str(info.value)
    out = _run_capped(text, budget_mb=600, max_mb="64")  # admitted: the line is left unread, not parsed
    assert out["error"] == "NotAReportError", out
    assert "超过单行上限" in out["reason"]
    assert out["grew_mb"] < 400, out  # the bytes, the decoded text and its line; parsing it took 2.9 GB


def test_a_long_line_in_a_report_is_left_unread_and_said(seed_path, tmp_path):
    lines = seed_path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "五、" in line)  # after the tables
    hostile_line = "0 " * (limits.MAX_LINE_CHARS // 2 + 10)
    path = tmp_path / "long-line.txt"
    path.write_text("\n".join([*lines[:at], hostile_line, *lines[at:]]), encoding="utf-8")
    report = audit_kit.load(path)
    seed = audit_kit.load(seed_path)
    assert len(report.cells) == 200
    assert report.cells["value"].tolist() == seed.cells["value"].tolist()
    assert any(f"第 {at + 1} 行" in n and "超过单行上限" in n for n in report.meta["notes"])


@pytest.mark.parametrize(("suffix", "kind"), [(".txt", "text"), (".html", "html"), (".docx", "docx"),
                                              (".pdf", "pdf"), (".doc", "legacy")])
def test_each_format_has_a_size_limit_and_the_error_says_how_to_raise_it(tmp_path, suffix, kind):
    cap = limits.MAX_INPUT_MB[kind]
    big = tmp_path / f"big{suffix}"
    with big.open("wb") as fh:
        fh.truncate(cap * limits.MB + 1)
    with pytest.raises(errors.FileTooLargeError) as info:
        audit_kit.load(big)
    _names_limit_and_fix(info.value.reason, cap)
    assert str(big) in str(info.value)


def test_limits_admit_real_reports(corpus):
    """The defaults sit far above the real reports (and the 20+ MB PDFs the issue speaks of)."""
    largest = max(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    assert largest * 10 < min(limits.MAX_INPUT_MB.values()) * limits.MB
    assert limits.MAX_INPUT_MB["pdf"] >= 100


def test_cli_max_mb_raises_the_limit(seed_path, tmp_path):
    padded = tmp_path / "padded.txt"
    pad = "\n".join(" " * 100_000 for _ in range(90))  # 9 MB of blank lines: over the 8 MB text limit
    padded.write_text(seed_path.read_text(encoding="utf-8") + "\n" + pad, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop(limits.MAX_MB_ENV, None)
    cmd = [sys.executable, "-m", "audit_kit.cli", "extract", str(padded)]
    refused = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 2
    line = refused.stderr.strip()
    assert "\n" not in line and str(padded) in line and "上限 8 MB" in line and "--max-mb" in line
    read = subprocess.run([*cmd, "--max-mb", "16"], capture_output=True, text=True, env=env, timeout=120)
    assert read.returncode == 0, read.stderr
    assert len(read.stdout.strip().splitlines()) == 201  # the header and the seed's 200 cells
    by_env = subprocess.run(cmd, capture_output=True, text=True, env={**env, limits.MAX_MB_ENV: "16"}, timeout=120)
    assert by_env.returncode == 0, by_env.stderr


def test_a_huge_file_in_a_batch_is_an_error_row_and_never_read_whole(tmp_path, seed_path):
    """An 8 GB (sparse) text beside a report: the batch must not read it to hash it. Run under a 6 GB
    address-space cap, reading it whole would fail; refused by size, it becomes one error row."""
    import csv
    import resource

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "yanchi.txt").write_bytes(seed_path.read_bytes())
    with (folder / "huge.txt").open("wb") as fh:
        fh.truncate(8 * 1024 * limits.MB)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (6 * 1024 * limits.MB, 6 * 1024 * limits.MB))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop(limits.MAX_MB_ENV, None)
    proc = subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(folder), "-o", str(tmp_path / "out"),
                           "--store", str(tmp_path / "store")], capture_output=True, text=True, env=env,
                          timeout=300, preexec_fn=cap)
    assert proc.returncode == 2, proc.stderr
    with (tmp_path / "out" / "reports.csv").open(encoding="utf-8-sig") as fh:
        rows = {Path(r["file"]).name: r for r in csv.DictReader(fh)}
    assert rows["huge.txt"]["error_type"] == "too_large" and "上限 8 MB" in rows["huge.txt"]["reason"]
    assert rows["yanchi.txt"]["status"] == "ok"
