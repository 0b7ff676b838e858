"""``audit-kit export`` writes the workspace as a workbook (报告, 发现, 指标: frozen header, filter, widths,
Chinese headers, no formulas); ``audit-kit import`` records the decisions filled in it into the ledger."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_kit.batch.client import run_batch
from audit_kit.cli.app import main
from audit_kit.workspace.ledger import Ledger
from audit_kit.workspace.results import ResultStore, pack
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("excel")
    run_batch(ROOT / "data" / "samples" / "series", base / "out", store=base / "ws")
    return base / "ws"


def _fresh(workspace: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(workspace, ws)
    return ws


def _export(ws: Path, out: Path) -> Path:
    assert main(["export", "--store", str(ws), "-o", str(out)]) == 0
    return out


def _header(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def test_workbook_sheets_header_filter_widths(workspace, tmp_path):
    wb = load_workbook(_export(_fresh(workspace, tmp_path), tmp_path / "审核结果.xlsx"))
    assert wb.sheetnames == ["报告", "发现", "指标"]
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert all(not h.isascii() for h in _header(sheet)), _header(sheet)  # Chinese headers
        assert sheet.max_row > 1
    assert wb["报告"].max_row - 1 == 5  # the five files of the series
    found = wb["发现"]
    assert {"审核结论", "审核意见", "编号", "说明", "严重程度"} <= set(_header(found))
    assert found.column_dimensions["F"].width == 70  # 说明
    severities = {row[_header(found).index("严重程度")] for row in found.iter_rows(min_row=2, values_only=True)}
    assert severities <= {"错误", "警告", "提示"} and severities
    places = " ".join(str(r[_header(found).index("位置")] or "") for r in found.iter_rows(min_row=2, values_only=True))
    assert "第" in places and "line" not in places
    rates = [c for c in wb["指标"]["D"][1:] if c.number_format == "0.0%"]
    assert rates  # rates shown as percentages


def _fill(path: Path, rows: dict[int, tuple[str, str]], fingerprint: dict[int, str] | None = None) -> None:
    wb = load_workbook(path)
    sheet = wb["发现"]
    header = _header(sheet)
    for n, (decision, comment) in rows.items():
        sheet.cell(row=n, column=header.index("审核结论") + 1, value=decision)
        cell = sheet.cell(row=n, column=header.index("审核意见") + 1, value=comment)
        cell.data_type = "s"  # typed as text, as Excel keeps a comment that starts with "="
    for n, fp in (fingerprint or {}).items():
        sheet.cell(row=n, column=header.index("编号") + 1, value=fp)
    wb.save(path)


def test_a_decision_round_trips_once(workspace, tmp_path, capsys):
    ws = _fresh(workspace, tmp_path)
    book = _export(ws, tmp_path / "审核结果.xlsx")
    sheet = load_workbook(book)["发现"]
    fp = sheet.cell(row=2, column=_header(sheet).index("编号") + 1).value
    _fill(book, {2: ("确认问题", "=1+1 已通知整改")})
    assert main(["import", str(book), "--store", str(ws), "--auditor", "张审核"]) == 0
    assert "新记录 1 条" in capsys.readouterr().out
    ledger = Ledger(ws / "ledger.sqlite")
    rows = ledger.history(fp)
    ledger.close()
    assert list(rows["decision"]) == ["confirmed"] and list(rows["auditor"]) == ["张审核"]
    assert list(rows["comment"]) == ["=1+1 已通知整改"]
    assert main(["import", str(book), "--store", str(ws), "--auditor", "张审核"]) == 0  # the same file again
    assert "新记录 0 条" in capsys.readouterr().out
    again = load_workbook(_export(ws, tmp_path / "again.xlsx"))["发现"]
    header = _header(again)
    row = next(r for r in again.iter_rows(min_row=2, values_only=True) if r[header.index("编号")] == fp)
    assert row[header.index("当前结论")] == "确认问题" and row[header.index("审核人")] == "张审核"
    assert row[header.index("审核意见")] == "'=1+1 已通知整改"  # neutralised: no formula in the workbook
    assert main(["import", str(tmp_path / "again.xlsx"), "--store", str(ws), "--auditor", "张审核"]) == 0
    ledger = Ledger(ws / "ledger.sqlite")
    assert len(ledger.history(fp)) == 1  # exported and imported back: still recorded once
    ledger.close()


def test_unknown_fingerprints_and_values_are_reported(workspace, tmp_path, capsys):
    ws = _fresh(workspace, tmp_path)
    book = _export(ws, tmp_path / "审核结果.xlsx")
    _fill(book, {2: ("同意", ""), 3: ("排除", "")}, fingerprint={3: "0000000000000000"})
    assert main(["import", str(book), "--store", str(ws), "--auditor", "张审核"]) == 2
    err = capsys.readouterr().err
    assert "第 2 行：审核结论“同意”无法识别" in err
    assert "第 3 行：编号“0000000000000000”不是工作区当前的检查结果" in err


def test_an_opinion_without_a_decision_is_reported_not_dropped(workspace, tmp_path, capsys):
    ws = _fresh(workspace, tmp_path)
    book = _export(ws, tmp_path / "审核结果.xlsx")
    _fill(book, {2: ("", "数字与原文不符，待定")})
    assert main(["import", str(book), "--store", str(ws), "--auditor", "张审核"]) == 2
    assert "第 2 行：填写了审核意见但没有选择审核结论，未导入" in capsys.readouterr().err
    ledger = Ledger(ws / "ledger.sqlite")
    assert ledger.version() == 0  # nothing recorded
    ledger.close()


def test_import_needs_an_auditor_and_a_workbook(workspace, tmp_path, capsys):
    ws = _fresh(workspace, tmp_path)
    book = _export(ws, tmp_path / "审核结果.xlsx")
    assert main(["import", str(book), "--store", str(ws)]) == 2
    assert "--auditor" in capsys.readouterr().err
    bad = tmp_path / "坏.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    assert main(["import", str(bad), "--store", str(ws), "--auditor", "张"]) == 2
    err = capsys.readouterr().err
    assert "坏.xlsx" in err and "不是可读取的 Excel 工作簿" in err and "Traceback" not in err


def test_stored_results_are_used_when_present(workspace, tmp_path):
    ws = _fresh(workspace, tmp_path)
    from audit_kit.workspace.reports import ReportStore

    with ReportStore(ws) as store:
        rid = store.reports()["report_id"].iloc[0]
    row = {"report_id": rid, "check_id": "S-9", "status": "fail", "severity": "warning", "table": None, "row": None,
           "col": None, "expected": None, "actual": None, "message": "库中保存的结果", "evidence": [], "fingerprint": "f" * 16}
    with ResultStore(ws) as results:
        results.put_many([(rid, None, pack([row]), 1)])
    sheet = load_workbook(_export(ws, tmp_path / "x.xlsx"))["发现"]
    messages = [r[_header(sheet).index("说明")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert "库中保存的结果" in messages
