"""Hostile files stay bounded: no runaway memory or time, one bad file name never stops a batch, and every
failure is one clear Chinese line. Every hostile file is generated here (``audit_kit.testing.hostile``):
odd PDF page sizes, a TIFF bomb behind a harmless first frame, scans of 2,000 and 30 pages, a file name of
GBK bytes, a 400-digit cell, footnote markers, deep nesting, terminal escapes and a disk that fills."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

import audit_kit
from audit_kit import errors
from audit_kit.config import Config
from audit_kit.readers.ocr import engine as ocr_engine
from audit_kit.readers.ocr import prepass
from audit_kit.testing import hostile, samples
from tests.cli_refusal import one_line
from tests.conftest import BUNDLED_SEED, ROOT

CLI = [sys.executable, "-m", "audit_kit.cli"]
GB = 1024 ** 3


def _env(**extra: str | None) -> dict[str, str]:
    """The environment of a child: this source tree, no OCR cache (unless ``AUDIT_KIT_OCR_CACHE=None``: the
    workspace's), and ``extra``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "AUDIT_KIT_OCR_CACHE": "off", **extra}
    return {k: v for k, v in env.items() if v is not None}


def cli(*args: object, timeout: float = 600, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=_env(**env))


# The command line in a child that reports its own peak memory: VmHWM of the process as it exits, not wait4's
# ru_maxrss, which Linux carries over from the fork of the test process (1 GB late in a suite) through exec.
_MEASURED = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))  # the machine is shared
from audit_kit.cli.app import main

code = main(sys.argv[1:])
with open("/proc/self/status") as fh:
    kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
with open(os.environ["AUDIT_KIT_TEST_PEAK"], "w") as fh:
    fh.write(str(kb * 1024))
sys.exit(code)
"""


def measured(*args: object, timeout: float = 300) -> tuple[subprocess.CompletedProcess, float, float]:
    """The command line run in a child under an 8 GB address-space guard: its outcome, wall seconds and the
    child's peak resident memory in bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", _MEASURED, *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, env=_env(AUDIT_KIT_TEST_PEAK=str(peak)))
        took = time.monotonic() - started
        return proc, took, float(peak.read_text()) if peak.is_file() else float("inf")


# ---------------------------------------------------------------- pixels


@pytest.mark.parametrize(("width", "height"), [(160, 14_400), (40, 842), (1, 842)], ids=["tall", "40pt", "1pt"])
def test_a_page_of_odd_size_is_rendered_bounded_or_refused(tmp_path, width, height):
    """A 160 × 14,400 pt page took 5.2 GB to render for OCR, a 40 pt-wide one 1.4 GB, a 1 pt one died of
    MemoryError. The scale now comes from the page's size: a bounded read or one clear line."""
    pdf = hostile.odd_page_pdf(tmp_path / f"page-{width}x{height}.pdf", width, height)
    proc, seconds, peak = measured("extract", pdf)
    one_line(proc, pdf)
    assert peak < 1 * GB, (peak / GB, proc.stderr)
    assert seconds < 60, seconds
    if width <= 160 and height / width > 40:  # nothing of it can be read at a size OCR reads
        assert "尺寸异常" in proc.stderr and f"{width}×{height} 点" in proc.stderr


def test_a_tiff_whose_second_frame_is_a_decompression_bomb_is_refused_before_any_ocr(tmp_path):
    tiff = hostile.tiff_second_frame_bomb(tmp_path / "two-pages.tif", side=60_000)
    assert tiff.stat().st_size < 100_000  # a few KB declaring 3.6 billion pixels
    before = ocr_engine.Recognizer.calls
    with pytest.raises(errors.FileTooLargeError) as info:
        audit_kit.load(tiff, Config(ocr_cache=None))
    assert ocr_engine.Recognizer.calls == before  # refused from the headers: page 1 was not OCR'd first
    assert "第 2 帧" in info.value.reason and "60000×60000" in info.value.reason
    proc = cli("extract", tiff)
    one_line(proc, tiff, "第 2 帧", "像素")


# ---------------------------------------------------------------- pages and time


def test_a_scan_of_2000_pages_is_refused_at_once_with_the_page_cap(tmp_path, workspace_dir):
    cap = 200  # the documented default of --max-pages (docs/interfaces.md, config.MAX_PAGES)
    (tmp_path / "in").mkdir()
    scan = hostile.scanned_pdf(tmp_path / "in" / "scan-2000.pdf", 2000)
    assert scan.stat().st_size < 1024 * 1024  # one image shared by every page
    started = time.monotonic()
    proc = cli("extract", scan, timeout=120)
    one_line(proc, scan, "2000 页", f"上限 {cap} 页", "--max-pages")
    assert time.monotonic() - started < 30
    # a batch schedules no OCR for it and gives it one error row; the option moves the cap
    assert prepass.scan_jobs([scan], Config(ocr_cache=tmp_path / "cache")) == []
    shutil.copy(BUNDLED_SEED, tmp_path / "in" / "seed.txt")
    proc = cli("batch", tmp_path / "in", "-o", tmp_path / "out", "--store", workspace_dir, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    rows = pd.read_parquet(tmp_path / "out" / "reports.parquet").set_index("file")
    assert rows.loc[str(scan), "error_type"] == "too_many_pages"
    assert rows.loc[str(tmp_path / "in" / "seed.txt"), "status"] == "ok"
    small = hostile.scanned_pdf(tmp_path / "scan-3.pdf", 3)
    one_line(cli("extract", small, "--max-pages", "2"), small, "3 页", "上限 2 页")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ocr_of_a_30_page_scan_stays_inside_the_file_time_limit(tmp_path, workspace_dir, jobs):
    """With --file-timeout 3, a 30-page scan (some 2–3 s of OCR a page) took all its pages' time and was
    reported ok: the batch's OCR pre-pass (into the workspace's cache) ran outside any limit. Now its OCR
    counts against the file's limit."""
    src = tmp_path / "in"
    src.mkdir()
    hostile.scanned_pdf(src / "scan-30.pdf", 30)
    shutil.copy(BUNDLED_SEED, src / "seed.txt")
    started = time.monotonic()
    proc = cli("batch", src, "-o", tmp_path / "out", "--store", workspace_dir, "--jobs", jobs, "--file-timeout", "3",
               timeout=300, AUDIT_KIT_OCR_CACHE=None)
    took = time.monotonic() - started
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    rows = pd.read_parquet(tmp_path / "out" / "reports.parquet").set_index("file")
    scan = rows.loc[str(src / "scan-30.pdf")]
    assert scan["error_type"] == "timeout" and "时间限制 3 秒" in scan["reason"], scan.to_dict()
    assert rows.loc[str(src / "seed.txt"), "status"] == "ok"
    cached = list((workspace_dir / "ocr-cache").rglob("*.json"))
    assert 0 < len(cached) < 10, len(cached)  # OCR'd into the workspace's cache, the pages past the limit never
    assert took < 60, took


# ---------------------------------------------------------------- names, numbers, markers, nesting


GBK_NAME = "盐池县2020年报告".encode("gbk") + b".txt"


def test_a_file_name_of_gbk_bytes_never_stops_a_batch(tmp_path, workspace_dir):
    src = tmp_path / "in"
    src.mkdir()
    with open(os.fsencode(src) + b"/" + GBK_NAME, "wb") as fh:  # what unzipping a Chinese Windows archive gives
        fh.write(BUNDLED_SEED.read_bytes())
    samples.write(samples.make_report("2021", 2023, seed=2, agency="示例县财政局"), src / "other.txt")
    out = tmp_path / "out"
    proc = cli("batch", src, "-o", out, "--store", workspace_dir, "--memos", "--ledger", tmp_path / "l.sqlite")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr and "未生成" not in proc.stderr
    shown = os.fsdecode(os.fsencode(src) + b"/" + GBK_NAME).encode("utf-8", "surrogateescape").decode(
        "utf-8", "backslashreplace")
    assert "\\x" in shown
    reports = pd.read_parquet(out / "reports.parquet").set_index("file")
    assert set(reports.index) == {shown, str(src / "other.txt")}
    assert (reports["status"] == "ok").all()
    with (out / "reports.csv").open(encoding="utf-8-sig") as fh:
        assert shown in fh.read()
    assert set(pd.read_parquet(out / "results.parquet")["file"]) == set(reports.index)
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = [a or b for a, b in re.findall(r"href=\"(memos/[^\"]*)\"|href='(memos/[^']*)'", index)]
    assert len(hrefs) == 2 and all((out / unquote(h)).is_file() for h in hrefs), hrefs


def test_a_file_name_of_gbk_bytes_is_shown_escaped_by_show_check_and_extract(tmp_path):
    """Printed raw, the name's bytes either fail to encode or reach the terminal as C1 controls; JSON must
    stay UTF-8. Every command shows the name with its bytes escaped (as the batch's outputs do)."""
    import json

    raw = os.fsencode(tmp_path) + b"/" + GBK_NAME
    with open(raw, "wb") as fh:
        fh.write(BUNDLED_SEED.read_bytes())
    name = os.fsdecode(raw)
    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    for args in (("show", name), ("check", name), ("check", name, "--format", "json")):
        proc = subprocess.run([*CLI, *args], capture_output=True, env={**_env(), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
        text = proc.stdout.decode("utf-8")  # strict: every byte printed is UTF-8
        assert "Error" not in proc.stderr.decode("utf-8", "replace")
        if args[0] == "show":
            assert Path(shown).name in text
    proc = subprocess.run([*CLI, "extract", name, "--format", "json"], capture_output=True, env=_env())
    assert json.loads(proc.stdout.decode("utf-8"))["meta"]["source"] == shown


def _report_with_long_numbers(path: Path, digits: int) -> Path:
    """A generated report whose 表三 总计 of 本年新收 and 表二 规章 本年制发件数 are numbers of ``digits`` digits."""
    lines = samples.to_text(samples.make_report("2021", 2023, seed=5)).split("\n")
    at = lines.index("\t一、本年新收政府信息公开申请数量")
    lines[at + 7] = "\t" + "9" * digits
    rules = next(k for k, line in enumerate(lines) if line.startswith("\t规章"))
    lines[rules + 1] = "\t" + "8" * digits
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_a_400_digit_number_is_text_and_batch_memos_writes_the_index(tmp_path, workspace_dir):
    src = tmp_path / "in"
    src.mkdir()
    long = _report_with_long_numbers(src / "long.txt", 400)
    report = audit_kit.load(long)
    cells = report.cells.set_index(["table", "row", "col"])
    for key in (("t3", "new", "total"), ("t2", "rules", "issued")):
        assert cells.loc[key, "status"] == "text" and pd.isna(cells.loc[key, "value"]), cells.loc[key]
    assert not report.cells["value"].map(lambda v: v in (float("inf"), float("-inf"))).any()
    results = audit_kit.check(report)
    said = results[(results["status"] == "fail") & results["message"].str.contains("400 位数字")]
    assert set(said["check_id"]) == {"T2-1", "T3-4"}, said
    out = tmp_path / "out"
    proc = cli("batch", src, "-o", out, "--store", workspace_dir, "--memos", "--ledger", tmp_path / "l.sqlite")
    assert proc.returncode in (0, 1), proc.stderr
    assert "未生成" not in proc.stderr and "Overflow" not in proc.stderr, proc.stderr
    assert (out / "index.html").is_file()
    memos = [p for p in (out / "memos").glob("*.html")]
    assert len(memos) == 1 and "inf" not in re.sub(r"<[^>]*>", " ", memos[0].read_text(encoding="utf-8")).split()


@pytest.mark.parametrize("fmt", [".txt", ".html", ".docx"])
def test_footnote_markers_after_numbers_are_never_folded_into_them(tmp_path, fmt):
    """NFKC makes ① a 1 and ¹ a 1: "3①" read as 31 and "12¹" as 121 gave findings such as "31 + 0 ≠ 0 + 0".
    The marked cells read their own numbers, and the notes say what was printed."""
    spec = samples.make_report("2021", 2023, seed=8)
    marked = {("t3", "new", "natural"): "①", ("t3", "new", "total"): "¹", ("t3", "carried_in", "business"): "⑵"}
    printed = {k: f"{int(spec.values[k])}{mark}" for k, mark in marked.items()}
    path = samples.write(spec, tmp_path / f"r{fmt}")
    _mark_cells(path, spec, printed)
    report = audit_kit.load(path)
    got = report.cells.set_index(["table", "row", "col"])["value"].to_dict()
    assert got == spec.values  # every cell as generated: no marker became a digit
    for key, text in printed.items():
        assert any(f"印作“{text}”" in n and f"“{marked[key]}”不计入数值" in n for n in report.meta["notes"]), key
    results = audit_kit.check(report)
    assert not results[results["check_id"].str.match(r"T3-") & (results["status"] == "fail")].shape[0], results


def _mark_cells(path: Path, spec: samples.SampleReport, printed: dict[tuple[str, str, str], str]) -> None:
    """Print the chosen 表三 cells of the written report with their markers, found after their row's label."""
    from audit_kit.model import forms as tpl

    cols = tpl.table_columns("2021", "t3")
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        for (_table, row, col), text in printed.items():
            for t in d.tables:
                for r in t.rows:
                    if any(c.text.strip() == tpl.row_label("t3", row) for c in r.cells):
                        cell = r.cells[len(r.cells) - len(cols) + cols.index(col)]
                        assert cell.text.strip() == str(int(spec.values[("t3", row, col)]))
                        cell.paragraphs[0].runs[0].text = text
        d.save(str(path))
        return
    text = path.read_text(encoding="utf-8")
    number = re.compile(r"(?:\t|<p>)(\d+)[^\t\n<&]*(?:\n|&nbsp;</p>)")  # a cell marked already counts too
    for (_table, row, col), marked_text in printed.items():
        label = tpl.row_label("t3", row)
        start = text.index(f"\t{label}\n" if path.suffix == ".txt" else f"<p>{label}&nbsp;</p>")
        m = list(number.finditer(text, start))[cols.index(col)]
        assert m.group(1) == str(int(spec.values[("t3", row, col)])), m.group(0)
        text = text[:m.start(1)] + marked_text + text[m.end(1):]
    path.write_text(text, encoding="utf-8")


def test_a_deeply_nested_page_reads_its_tables_or_says_why_not(tmp_path):
    page = samples.to_html(samples.make_report("2021", 2023, seed=1))
    a, b = page.index("<p>二、主动公开"), page.index("<p>五、存在")

    def nested(depth: int) -> Path:
        path = tmp_path / f"deep-{depth}.html"
        path.write_text(page[:a] + "<div>" * depth + page[a:b] + "</div>" * depth + page[b:], encoding="utf-8")
        return path

    assert len(audit_kit.load(nested(260)).cells) == 200  # ~240 levels deeper than a site's usual template
    too_deep = audit_kit.load(nested(3000))
    assert too_deep.cells.empty
    assert any("嵌套过深" in n for n in too_deep.meta["notes"]), too_deep.meta["notes"]


# ---------------------------------------------------------------- terminal


def test_terminal_escapes_in_report_text_are_never_printed_raw(tmp_path):
    """An agency name that recolours the terminal, and a 表二 row outside the template that retitles the window
    and clears the screen (C1 CSI): ``check`` and ``show`` print them escaped, in the summary, the findings
    and the notes; JSON escapes them too, and an error naming such a file does as well."""
    red, title, clear = "\x1b[31m", "\x1b]0;pwned\x07", "\x9b2J"
    agency = f"某县{red}财政局"
    lines = samples.to_text(samples.make_report("2021", 2023, seed=3, agency=agency)).split("\n")
    lines[0:2] = [f"{agency}2023年政府信息公开工作年度报告"]  # agency and title on one line: the agency is read
    text, n = re.subn(r"(\t行政规范性文件\n\t\d+\n\t\d+\n\t\d+\n)", lambda m: f"{m.group(1)}\n\t其他文件{title}{clear}\n"
                      "\t3\n\t4\n\t5\n", "\n".join(lines), count=1)
    assert n == 1
    path = tmp_path / "escapes.txt"
    path.write_text(text, encoding="utf-8")
    bad = tmp_path / f"bad{red}.docx"
    bad.write_bytes(b"PK\x03\x04 not a zip" * 20)
    for args, shown in ((("check", path), [red, title, clear]), (("show", path), [red, title, clear]),
                        (("check", path, "--format", "json"), [title, clear]), (("show", bad), [red])):
        proc = cli(*args)
        printed = proc.stdout + proc.stderr
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", printed), (args, printed[:800])
        for raw in shown:  # the text is there, as an escape: \x1b… in text, \u001b… in JSON
            escaped = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f else c for c in raw)
            in_json = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f else c for c in raw)
            assert escaped in printed or in_json in printed, (args, raw, printed[:800])


# ---------------------------------------------------------------- a full disk


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[bool]:
    """A tmpfs of ``size`` mounted at ``folder`` (as root); False where it cannot be mounted."""
    folder.mkdir(parents=True)
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                                 capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        mounted = False
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


_NO_SPACE = """
import errno, os
import audit_kit.batch.parts as parts

_real, _count = parts.write_part, [0]


def _write_part(table, path):
    _count[0] += 1
    if _count[0] > 2:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
    return _real(table, path)


parts.write_part = _write_part
"""


def test_a_disk_that_fills_during_a_batch_is_one_clear_line_and_no_staging_folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(60):
        samples.write(samples.make_report("2021", 2023, seed=i, agency=f"示例县第{i}局"), src / f"r{i:02d}.txt")
    with small_disk(tmp_path / "disk", "1m") as mounted:
        disk = tmp_path / "disk"
        env = {}
        if not mounted:  # not root: the disk "fills" in the workers' writes instead (ENOSPC from a part file)
            inject = tmp_path / "inject"
            inject.mkdir()
            (inject / "sitecustomize.py").write_text(_NO_SPACE, encoding="utf-8")
            env["PYTHONPATH"] = os.pathsep.join([str(inject), str(ROOT / "src")])
        proc = cli("batch", src, "-o", disk / "out", "--store", disk / "store", **env)
        one_line(proc, disk / "out", "磁盘空间不足")
        assert not list((disk / "out").glob(".staging-*")), list((disk / "out").iterdir())


def test_an_import_onto_a_full_disk_says_it_was_a_write(tmp_path):
    from openpyxl import load_workbook

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(BUNDLED_SEED, src / "seed.txt")
    with small_disk(tmp_path / "disk", "20m") as mounted:
        if not mounted:
            pytest.skip("a small disk can be mounted only as root")
        store = tmp_path / "disk" / "store"
        assert cli("batch", src, "-o", tmp_path / "out", "--store", store).returncode in (0, 1)
        book = tmp_path / "decisions.xlsx"
        assert cli("export", "--store", store, "-o", book).returncode == 0
        wb = load_workbook(book)
        sheet = wb["发现"]
        column = [c.value for c in sheet[1]].index("审核结论") + 1
        for r in range(2, sheet.max_row + 1):
            sheet.cell(r, column).value = "已确认"
        wb.save(book)
        with (tmp_path / "disk" / f"fill-{uuid.uuid4().hex}").open("wb", buffering=0) as fh, contextlib.suppress(OSError):
            while True:  # the disk fills up
                fh.write(b"\0" * 1024 * 1024)
        with pytest.raises(OSError) as full:
            (tmp_path / "disk" / "more").write_bytes(b"\0" * 65536)
        assert full.value.errno == errno.ENOSPC
        proc = cli("import", book, "--store", store, "--auditor", "张三")
        one_line(proc, store / "ledger.sqlite", "磁盘空间不足", "写入")
        assert "无法读取" not in proc.stderr
