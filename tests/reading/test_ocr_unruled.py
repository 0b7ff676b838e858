"""A generated report printed without table rules and scanned reads like its
text PDF (150/200/300 dpi); the OCR cache lives in the workspace; a batch OCRs scanned pages over its
workers; the crops of OCR'd cells are shown beside the values read."""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

import audit_kit
from audit_kit.readers.ocr import engine as ocr_engine
from audit_kit.render import html as render
from audit_kit.testing import samples
from tests import ocr_scans

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def _values(report) -> dict:
    c = report.cells
    return dict(zip(zip(c["table"], c["row"], c["col"], strict=True), c["value"], strict=True))


def _verdicts(report) -> Counter:
    r = audit_kit.check(report)
    return Counter(zip(r["check_id"], r["table"].astype(str), r["row"].astype(str), r["col"].astype(str), r["status"],
                       strict=True))


@pytest.fixture(scope="module")
def unruled(tmp_path_factory):
    """A generated report (known values) printed to PDF by LibreOffice as it is — its tables have no rules —
    and its pages rasterised at 150, 200 and 300 dpi; plus a copy at 200 dpi with a seal on 表三."""
    from audit_kit.readers.legacy import convert

    folder = tmp_path_factory.mktemp("unruled")
    spec = samples.make_report("2021", seed=7)
    docx = folder / "sample.docx"
    docx.write_bytes(samples.to_docx(spec))
    pdf = folder / "sample.pdf"
    pdf.write_bytes(convert(docx, docx.read_bytes(), "pdf"))
    scans = {}
    for dpi in (150, 200, 300):
        pages = ocr_scans.raster(pdf, dpi)
        scans[dpi] = folder / f"scan{dpi}.pdf"
        scans[dpi].write_bytes(ocr_scans.image_pdf([ocr_scans.jpeg(p, 85) for p in pages]))
        if dpi == 200:
            pages[2] = ocr_scans.seal(pages[2], (0.45, 0.3))  # over 表三's numbers
            scans["seal"] = folder / "scan-seal.pdf"
            scans["seal"].write_bytes(ocr_scans.image_pdf([ocr_scans.jpeg(p, 85) for p in pages]))
            scans["page1"] = folder / "page1.png"  # 表二 with its caption: a table starts on it
            scans["page1"].write_bytes(ocr_scans.png(pages[0]))
    return spec, pdf, scans, folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One cache for this module's reads (each scan is OCR'd once)."""
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("unruled-cache")
    mp.setenv("AUDIT_KIT_OCR_CACHE", str(folder))
    yield folder
    mp.undo()


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_scan_of_tables_without_rules_reads_like_the_text_pdf(unruled, cache, dpi):
    spec, pdf, scans, _folder = unruled
    text_layer = audit_kit.load(pdf)
    want = _values(text_layer)
    assert len(want) == 200 and all(spec.values[k] == v for k, v in want.items())  # the reference is right
    report = audit_kit.load(scans[dpi])
    got = _values(report)
    same = sum(1 for k, v in want.items() if got.get(k) == v)
    print(f"\n[OCR] 无表格线 {dpi} dpi：{same}/{len(want)} 格与文字层相同，读到 {len(got)} 格")
    assert got == want
    assert report.meta["reader"] == "pdf-ocr"
    assert _verdicts(report) == _verdicts(text_layer)
    ev = report.meta["ocr"]["cells"]
    assert all(re.fullmatch(r"page \d+ line \d+ word \d+", s) and s in ev for s in report.cells["source"])
    assert not any("表格线" in n or "未找到" in n for n in report.meta["notes"])


def test_word_boxes_are_the_cells_on_the_page(unruled, cache):
    """A cell read from an unruled table keeps the box of its own digits: its crop holds one number."""
    from PIL import Image

    from audit_kit.readers.ocr.crops import crop_png

    _spec, _pdf, scans, _folder = unruled
    report = audit_kit.load(scans[200])
    c = report.cells
    row = c[(c["table"] == "t3") & (c["row"] == "new")]
    boxes = [report.meta["ocr"]["cells"][s]["box"] for s in row["source"]]
    assert max(b[1] for b in boxes) - min(b[1] for b in boxes) < 20  # one printed line
    assert all(a[2] < b[0] for a, b in itertools.pairwise(boxes))  # left to right, apart
    img = Image.open(io.BytesIO(crop_png(report.meta, row["source"].iloc[0], margin=0)))
    x0, y0, x1, y1 = boxes[0]
    assert img.size == (x1 - x0, y1 - y0) and img.size[0] < 3 * img.size[1]  # a number, not a line of them


def test_cache_is_in_the_workspace_and_a_rerun_never_ocrs(unruled, tmp_path, monkeypatch, user_cache):
    _spec, _pdf, scans, _folder = unruled
    workspace = tmp_path / "ws"
    before = ocr_engine.Recognizer.calls
    with audit_kit.Workspace(workspace) as ws:
        first = ws.report(scans["page1"])
    assert ocr_engine.Recognizer.calls - before == 1  # the page was OCR'd (one batched call)
    assert list((workspace / "ocr-cache").rglob("*.json"))  # into the workspace's cache
    assert not list(user_cache.rglob("*.json"))
    again = audit_kit.load(scans["page1"], audit_kit.Workspace(workspace).config)
    assert ocr_engine.Recognizer.calls - before == 1  # no engine call the second time
    assert _values(again) == _values(first) and len(_values(first)) > 0
    outside = audit_kit.load(scans["page1"])  # outside any workspace: the user's cache folder, no workspace made
    assert ocr_engine.Recognizer.calls - before == 2
    assert list((user_cache / "audit-kit" / "ocr").rglob("*.json"))
    assert _values(outside) == _values(first)
    monkeypatch.setenv("AUDIT_KIT_OCR_CACHE", str(tmp_path / "override"))  # the variable wins, in a workspace too
    audit_kit.Workspace(tmp_path / "other").report(scans["page1"])
    assert ocr_engine.Recognizer.calls - before == 3
    assert list((tmp_path / "override").rglob("*.json")) and not (tmp_path / "other" / "ocr-cache").exists()


def test_batch_spreads_scanned_pages_over_its_workers(unruled, tmp_path, monkeypatch):
    from audit_kit.batch.client import run_batch

    _spec, _pdf, scans, _folder = unruled
    monkeypatch.delenv("AUDIT_KIT_OCR_CACHE", raising=False)
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(scans[150], src / "a.pdf")
    shutil.copy(scans[300], src / "b.pdf")
    store = tmp_path / "store"
    reports = run_batch(src, tmp_path / "out", jobs=2, store=store, progress=False)
    assert list(reports["status"]) == ["ok", "ok"]
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in (store / "ocr-cache").rglob("*.json")]
    assert len(entries) == 12  # 6 pages each, each OCR'd once
    assert all(e.get("by", {}).get("pass") == "batch" for e in entries)  # by the pre-pass: the read hit the cache
    pids = Counter(e["by"]["pid"] for e in entries)
    assert len(pids) == 2, pids  # both workers OCR'd pages
    import pandas as pd

    cells = pd.read_parquet(tmp_path / "out" / "cells.parquet")
    for name, scan in (("a.pdf", scans[150]), ("b.pdf", scans[300])):
        mine = cells[cells["file"].str.endswith(name)]
        got = dict(zip(zip(mine["table"], mine["row"], mine["col"], strict=True), mine["value"], strict=True))
        assert got == _values(audit_kit.load(scan))
        assert len(got) == 200


def _finding(report, status: str) -> dict:
    """The T3-1 finding of the natural-person column, as the walker gets it."""
    res = audit_kit.check(report)
    row = res[(res["check_id"] == "T3-1") & (res["col"] == "natural")].iloc[0].to_dict()
    row["status"] = status
    return row


def test_uncertain_cell_is_shown_as_its_crop_beside_the_value(unruled, cache):
    from PIL import Image

    _spec, _pdf, scans, _folder = unruled
    report = audit_kit.load(scans["seal"])
    c = report.cells
    i = c.index[(c["table"] == "t3") & (c["row"] == "new") & (c["col"] == "natural")][0]
    src = c.at[i, "source"]
    ev = report.meta["ocr"]["cells"][src]
    ev["uncertain"], ev["confidence"], ev["text"] = True, 0.42, "<b>8</b>"  # as a shaky read, hostile text
    html = str(render.evidence(_finding(report, "pass"), report))
    crops = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(crops) == 1  # a passing finding: only the uncertain cell
    img = Image.open(io.BytesIO(base64.b64decode(crops[0])))
    x0, y0, x1, y1 = ev["box"]
    assert img.size == (x1 - x0 + 12, y1 - y0 + 12)  # the cell's box and a 6-pixel margin
    assert "0.42" in html and "&lt;b&gt;8&lt;/b&gt;" in html and "<b>8</b>" not in html
    assert "新收" in html or "本年新收" in html


def test_failing_identity_shows_the_crops_of_every_ocr_cell_involved(unruled, cache):
    _spec, _pdf, scans, _folder = unruled
    report = audit_kit.load(scans["seal"])
    finding = _finding(report, "fail")
    ocr_cells = [e for e in json.loads(finding["evidence"]) if "table" in e] if isinstance(finding["evidence"], str) \
        else [e for e in finding["evidence"] if "table" in e]
    html = str(render.evidence(finding, report))
    assert len(re.findall(r"data:image/png;base64,", html)) == len(ocr_cells) > 2


def test_crops_say_why_when_the_scan_is_gone(unruled, cache, tmp_path):
    _spec, _pdf, scans, _folder = unruled
    moved = tmp_path / "moved.pdf"
    shutil.copy(scans["seal"], moved)
    report = audit_kit.load(moved)
    moved.unlink()
    html = str(render.evidence(_finding(report, "fail"), report))
    assert "data:image" not in html and "原图不可用" in html


def test_text_reports_get_no_crops(seed_path):
    report = audit_kit.load(seed_path)
    html = str(render.evidence(_finding(report, "fail"), report))
    assert "ak-ocr-crops" not in html and "ak-evidence" in html


def test_scan_jobs_list_only_scanned_pages_not_cached(unruled, tmp_path):
    from audit_kit.config import Config
    from audit_kit.readers.ocr import prepass as ocr_batch

    _spec, pdf, scans, _folder = unruled
    config = Config(ocr_cache=tmp_path / "c")
    jobs = ocr_batch.scan_jobs([pdf, scans[150], scans["page1"], Path(__file__)], config)
    assert Counter(Path(j.path).name for j in jobs) == {"scan150.pdf": 6, "page1.png": 1}
    assert [j.frame for j in jobs if j.kind == "pdf"] == list(range(6))
    done = ocr_batch.run_page(jobs[-1])
    assert (done.path, done.page, done.error) == (str(scans["page1"]), 1, "") and done.seconds > 0
    assert len(ocr_batch.scan_jobs([scans["page1"]], config)) == 0  # cached now


def test_an_edited_cache_entry_is_ocrd_again_never_read(unruled, tmp_path):
    """The OCR cache is a cache: an entry edited on disk (its digits changed) is not used, the page is OCR'd
    again and the values read are the scan's own."""
    _spec, _pdf, scans, _folder = unruled
    workspace = tmp_path / "ws"
    with audit_kit.Workspace(workspace) as ws:
        first = audit_kit.load(scans["page1"], ws.config)
        before = ocr_engine.Recognizer.calls
        for entry in (workspace / "ocr-cache").rglob("*.json"):
            text = entry.read_text(encoding="utf-8")
            edited = re.sub(r'"text": "(\d+)"', lambda m: f'"text": "{int(m.group(1)) + 1}"', text)
            assert edited != text
            entry.write_text(edited, encoding="utf-8")
        again = audit_kit.load(scans["page1"], ws.config)
    assert ocr_engine.Recognizer.calls - before == 1  # OCR'd again
    assert _values(again) == _values(first) and len(_values(first)) > 0
