"""``audit-kit import`` cannot misapply a decision: every row is checked against the finding its 编号 names,
a decision recorded since the export is never overwritten silently, duplicates are reported, an unchanged row
records nothing, the workbook is bounded, and export survives any report text."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_kit.batch.client import run_batch
from audit_kit.cli.app import main
from audit_kit.workspace.ledger import Ledger
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("excel-guard")
    run_batch(ROOT / "data" / "samples" / "series", base / "out", store=base / "ws")
    return base / "ws"


@pytest.fixture
def ws(built, tmp_path) -> Path:
    shutil.copytree(built, tmp_path / "ws")
    return tmp_path / "ws"


def _export(ws: Path, out: Path) -> Path:
    assert main(["export", "--store", str(ws), "-o", str(out)]) == 0
    return out


def _import(book: Path, ws: Path, *more: str) -> int:
    return main(["import", str(book), "--store", str(ws), *more])


def _header(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def _history(ws: Path, fp: str | None = None):
    ledger = Ledger(ws / "ledger.sqlite")
    try:
        return ledger.history(fp)
    finally:
        ledger.close()


def _set(book: Path, cells: dict[tuple[int, str], object]) -> None:
    wb = load_workbook(book)
    sheet = wb["发现"]
    header = _header(sheet)
    for (n, col), value in cells.items():
        cell = sheet.cell(row=n, column=header.index(col) + 1, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
    wb.save(book)


def _column(book: Path, col: str) -> list:
    sheet = load_workbook(book)["发现"]
    i = _header(sheet).index(col)
    return [r[i] for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_sheet_sorted_on_the_fingerprint_column_is_refused_row_by_row(ws, tmp_path, capsys):
    book = _export(ws, tmp_path / "审核结果.xlsx")
    fps, checks = _column(book, "编号"), _column(book, "检查")
    n = len(fps)
    assert n >= 4 and len(set(checks)) > 1
    moved = sorted(fps)  # 编号 alone sorted: each moves against its row
    assert moved != fps
    cells: dict = {(i + 2, "编号"): fp for i, fp in enumerate(moved)}
    cells.update({(i + 2, "审核结论"): "排除" for i in range(n)})
    _set(book, cells)
    assert _import(book, ws, "--auditor", "张审核") == 2
    err = capsys.readouterr().err
    wrong = [i for i in range(n) if moved[i] != fps[i]]
    for i in wrong:
        assert f"“发现”表第 {i + 2} 行：编号“{moved[i]}”与本行其他列不符" in err
    recorded = set(_history(ws)["fingerprint"])
    assert not recorded & {moved[i] for i in wrong}  # never applied to the finding the 编号 names
    assert recorded <= {fps[i] for i in range(n) if moved[i] == fps[i]}


def test_a_row_naming_another_report_or_check_is_refused(ws, tmp_path, capsys):
    book = _export(ws, tmp_path / "审核结果.xlsx")
    rids = _column(book, "报告编号")
    other = next(r for r in rids if r != rids[0])
    _set(book, {(2, "报告编号"): other, (2, "审核结论"): "确认问题", (3, "检查"): "T9-9", (3, "审核结论"): "确认问题"})
    assert _import(book, ws, "--auditor", "张审核") == 2
    err = capsys.readouterr().err
    assert "第 2 行：" in err and "报告编号" in err and "第 3 行：" in err and "检查“T9-9”" in err
    assert _history(ws).empty


def test_a_stale_export_is_refused_then_forced_naming_whose_decision(ws, tmp_path, capsys):
    book = _export(ws, tmp_path / "审核结果.xlsx")
    fp = _column(book, "编号")[0]
    _set(book, {(2, "审核结论"): "确认问题", (2, "审核意见"): "应整改"})
    # a colleague decides the same finding after the export
    later = _export(ws, tmp_path / "同事.xlsx")
    _set(later, {(2, "审核结论"): "排除", (2, "审核意见"): "已核实无误"})
    assert _import(later, ws, "--auditor", "李同事") == 0
    capsys.readouterr()
    assert _import(book, ws, "--auditor", "张审核") == 2
    err = capsys.readouterr().err
    assert "第 2 行" in err and "导出之后已有 李同事" in err and "“排除”" in err and "--force" in err
    assert list(_history(ws, fp)["decision"]) == ["dismissed"]  # the colleague's decision stands
    assert _import(book, ws, "--auditor", "张审核", "--force") == 0
    err = capsys.readouterr().err
    assert "覆盖了 李同事" in err and "“排除”" in err
    assert list(_history(ws, fp)["decision"]) == ["dismissed", "confirmed"]


def test_an_untouched_stale_row_records_nothing(ws, tmp_path, capsys):
    book = _export(ws, tmp_path / "a.xlsx")
    _set(book, {(2, "审核结论"): "确认问题"})
    assert _import(book, ws, "--auditor", "张审核") == 0
    mine = _export(ws, tmp_path / "b.xlsx")  # shows 张审核's decision
    later = _export(ws, tmp_path / "c.xlsx")
    _set(later, {(2, "审核结论"): "排除"})
    assert _import(later, ws, "--auditor", "李同事") == 0
    capsys.readouterr()
    assert _import(mine, ws, "--auditor", "张审核") == 0  # the row as exported: nothing typed, nothing recorded
    fp = _column(mine, "编号")[0]
    assert list(_history(ws, fp)["decision"]) == ["confirmed", "dismissed"]


def test_two_rows_of_one_fingerprint_with_different_decisions_are_reported(ws, tmp_path, capsys):
    book = _export(ws, tmp_path / "审核结果.xlsx")
    sheet = load_workbook(book)["发现"]
    first = next(iter(sheet.iter_rows(min_row=2, max_row=2, values_only=True)))
    wb = load_workbook(book)
    wb["发现"].append(list(first))  # the same finding's row copied below
    wb.save(book)
    last = wb["发现"].max_row
    _set(book, {(2, "审核结论"): "确认问题", (last, "审核结论"): "排除"})
    assert _import(book, ws, "--auditor", "张审核") == 2
    assert f"第 2、{last} 行：编号“{first[_header(sheet).index('编号')]}”出现 2 次" in capsys.readouterr().err
    assert _history(ws).empty  # not "last row wins"


def test_a_comment_starting_with_quote_equals_survives_the_round_trip(ws, tmp_path, capsys):
    from audit_kit.review.excel import collect
    from audit_kit.workspace.access import Workspace

    with Workspace(ws) as w:  # comments typed in the notebook: one starting with '=, one with a control character
        found = collect(w).findings
        w.ledger.record(found.iloc[0], "confirmed", "'=A1 是原文写法", "张审核")
        w.ledger.record(found.iloc[1], "pending", "含\x1b控制符", "张审核")
    book = _export(ws, tmp_path / "a.xlsx")
    assert _import(book, ws, "--auditor", "张审核") == 0
    assert "新记录 0 条" in capsys.readouterr().out  # an unchanged row records nothing
    assert list(_history(ws)["comment"]) == ["'=A1 是原文写法", "含\x1b控制符"]
    _set(book, {(2, "审核意见"): "'=A1 是原文写法，已复核"})  # edited in Excel: recorded once
    assert _import(book, ws, "--auditor", "张审核") == 0
    assert _import(book, ws, "--auditor", "张审核") == 0
    assert list(_history(ws)["comment"])[2:] == ["=A1 是原文写法，已复核"]


def test_export_shows_control_characters_instead_of_failing(ws, tmp_path):
    import sqlite3

    db = sqlite3.connect(ws / "index.sqlite")
    db.execute("UPDATE reports SET agency = agency || ? ", ("\x1b[31m\x0b",))
    db.commit()
    db.close()
    out = _export(ws, tmp_path / "b.xlsx")
    agencies = _column(out, "机关")
    assert any("⟨U+001B⟩[31m⟨U+000B⟩" in str(a) for a in agencies), agencies


def test_a_cell_over_the_character_limit_is_refused(ws, tmp_path, capsys):
    book = _export(ws, tmp_path / "a.xlsx")
    _set(book, {(2, "审核结论"): "确认问题", (2, "审核意见"): "长" * 10_001})
    assert _import(book, ws, "--auditor", "张审核") == 2
    err = capsys.readouterr().err
    assert "第 2 行：“审核意见”列有 10001 个字符，超过每格上限 10000 字" in err
    assert _history(ws).empty


def test_too_many_rows_are_refused(ws, tmp_path, capsys, monkeypatch):
    from audit_kit.review import excel_import

    monkeypatch.setattr(excel_import, "MAX_ROWS", 3)
    book = _export(ws, tmp_path / "a.xlsx")
    _set(book, {(2, "审核结论"): "确认问题"})
    assert _import(book, ws, "--auditor", "张审核") == 2
    err = capsys.readouterr().err
    assert "a.xlsx" in err and "超过 3 行" in err
    assert _history(ws).empty


def test_a_workbook_that_inflates_past_the_limit_is_refused(ws, tmp_path, capsys):
    book = _export(ws, tmp_path / "a.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/padding.bin", b"\0" * (3 * 1024 * 1024))  # 3 MB of zeros: a few KB compressed
    assert bomb.stat().st_size < 200_000
    assert main(["import", str(bomb), "--store", str(ws), "--auditor", "张", "--max-mb", "2"]) == 2
    err = capsys.readouterr().err
    assert "bomb.xlsx" in err and "解压后" in err and "上限 2 MB" in err and "Traceback" not in err
