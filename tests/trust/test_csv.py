"""No report text runs as a spreadsheet formula in any CSV audit-kit writes, the batch's
CSVs open right in Excel (UTF-8 with BOM), and the package's own readers see the text as printed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import audit_kit
from audit_kit import cli
from audit_kit.batch import outputs
from audit_kit.batch.client import run_batch
from audit_kit.render.spreadsheet import neutralise, safe_table, write_csv
from audit_kit.testing import samples

HOSTILE = ["=HYPERLINK(A1)示例县财政局", "@SUM(1+1)*cmd|' /C calc'!A0示例县教育局",
           "+cmd示例县民政局", "=1示例县司法局"]
FORMULA_START = tuple("=+-@\t\r")


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("-", "'-"), ("示例县财政局", "示例县财政局"), ("", ""), ("a=1", "a=1"),
    ("-3", "-3"), ("+1.5", "+1.5"), ("-2e3", "-2e3"), (None, None), (-3, -3),
])
def test_the_rule(value, expected):
    assert neutralise(value) == expected


def test_frames_and_tables_keep_numbers_as_numbers(tmp_path):
    frame = pd.DataFrame({"name": ["=1+1", "ok", "-7"], "count": [-5, 3, -1], "rate": [-0.5, 1.0, float("nan")]})
    write_csv(frame, tmp_path / "x.csv")
    data = (tmp_path / "x.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "count", "rate"], ["'=1+1", "-5", "-0.5"], ["ok", "3", "1.0"], ["-7", "-1", ""]]
    table = safe_table(pa.table({"s": ["=x", None, "-1", "@y"], "n": [-1, 2, 3, 4]}))
    assert table.column("s").to_pylist() == ["'=x", None, "-1", "'@y"]
    assert table.column("n").to_pylist() == [-1, 2, 3, 4]


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def test_batch_csvs_are_safe_and_the_package_reads_the_text_as_printed(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i, agency in enumerate(HOSTILE):
        samples.write(samples.make_report("2021", 2023, seed=i, agency=agency), src / f"r{i}.txt")
    (src / "broken.pdf").write_bytes(b"=cmd|' /C calc'!A0")  # an error row too
    run_batch(src, tmp_path / "out", store=tmp_path / "store")
    out = tmp_path / "out"
    printed = {audit_kit.load(f).meta["agency"] for f in src.glob("*.txt")}  # as the reader reads them
    assert len(printed) == len(HOSTILE) and all(a.startswith(FORMULA_START) for a in printed)
    for name in ("reports.csv", "results.csv", "indicators.csv"):
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf"), name
        risky = [c for c in _cells(out / name) if c.startswith(FORMULA_START)]
        assert all(c.lstrip("+-").replace(".", "", 1).replace("e", "", 1).isdigit() for c in risky), (name, risky[:3])
    agencies = set(pd.read_csv(out / "reports.csv", encoding="utf-8-sig")["agency"].dropna())
    assert agencies == {"'" + a for a in printed}  # the spreadsheet shows the text, prefixed
    assert set(outputs.read(out, "reports")["agency"].dropna()) == printed  # the package: as printed
    assert set(outputs.read(out, "indicators")["agency"]) == printed
    from audit_kit.review.batch_view import open_batch

    view = open_batch(str(out), ledger=str(tmp_path / "ledger.sqlite"))
    assert set(view.reports["agency"].dropna()) == printed


def test_cli_csv_exports_are_neutralised(tmp_path, monkeypatch, capsys):
    spec = samples.make_report("2021", 2023, seed=3, agency="=1示例县财政局")
    report = audit_kit.load(samples.write(spec, tmp_path / "r.txt"))
    report.cells.loc[0, "raw"] = "=WEBSERVICE(\"http://example.invalid\")"
    import audit_kit.extract.loader as loader

    monkeypatch.setattr(loader, "load", lambda _p, _config=None: report)  # the command line imports load where it reads
    assert cli.main(["extract", "r.txt", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert not text.startswith("\ufeff")  # a pipe, not a spreadsheet file
    raw = list(pd.read_csv(io.StringIO(text), keep_default_na=False)["raw"])
    assert raw[0] == "'=WEBSERVICE(\"http://example.invalid\")"
    assert not any(str(c).startswith(FORMULA_START) for c in raw if not str(c).lstrip("+-").isdigit())

    import audit_kit.checks as checks

    fake = pd.DataFrame([{"report_id": "x", "check_id": "T3-1", "status": "fail", "severity": "error", "table": "t3",
                          "row": "new", "col": "total", "expected": -1.0, "actual": 2.0, "message": "@cmd 命令",
                          "evidence": [], "fingerprint": "f"}])
    monkeypatch.setattr(checks, "check", lambda _r, _p: fake)
    cli.main(["check", "r.txt", "--format", "csv"])
    row = pd.read_csv(io.StringIO(capsys.readouterr().out)).iloc[0]
    assert row["message"] == "'@cmd 命令" and row["expected"] == -1.0
