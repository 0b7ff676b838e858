"""One finding per table for per-cell checks (blank cells, invalid values); blank cells of a table F-3
finds unfilled are folded into F-3; the grouped fingerprint is check + table, so decisions survive reruns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import audit_kit
from audit_kit.workspace.ledger import Ledger
from tests.conftest import BUNDLED_SEED


def _seed_with_blank_t3(tmp_path: Path) -> Path:
    """The seed with every 表三 value printed as a blank cell (a lone ``|``)."""
    lines = BUNDLED_SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if "收到和处理政府信息公开申请情况" in ln)
    end = next(i for i, ln in enumerate(lines) if i > start and "行政复议" in ln)
    lines[start:end] = ["\t|" if ln == "\t0" else ln for ln in lines[start:end]]
    path = tmp_path / "unfilled.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _seed_blanking(blanks: int) -> pd.DataFrame:
    """The results of the seed whose first ``blanks`` 表三 cells are made blank (as the reader gives them)."""
    report = audit_kit.load(BUNDLED_SEED)
    cells = report.cells.copy()
    hit = cells.index[cells["table"] == "t3"][:blanks]
    cells.loc[hit, ["value", "raw", "status"]] = [np.nan, "", "blank"]
    report.cells = cells
    return audit_kit.check(report)


def _fails(path: Path, check_id: str):
    res = audit_kit.check(audit_kit.load(path))
    return res[(res["check_id"] == check_id) & (res["status"] == "fail")]


def test_002_one_finding_for_the_blank_cells_of_table_3(corpus):
    res = audit_kit.check(audit_kit.load(corpus / "002.txt"))
    fails = res[res["status"] == "fail"]
    assert len(fails[fails["check_id"] == "T3-5"]) <= 1
    assert len(fails[(fails["check_id"] == "F-3") & (fails["table"] == "t3")]) == 1


def test_many_blank_cells_of_one_table_are_one_finding(corpus):
    report = audit_kit.load(corpus / "023.html")
    cells = report.cells
    blank = cells[(cells["table"] == "t3") & (cells["status"] == "blank")]
    assert len(blank) > 100  # the reader's count: the premise of this test
    fails = _fails(corpus / "023.html", "T3-5")
    assert len(fails) == 1
    row = fails.iloc[0]
    assert row["table"] == "t3" and pd.isna(row["row"]) and pd.isna(row["col"])
    assert f"表三有 {len(blank)} 格空白" in row["message"]
    listed = {(e["row"], e["col"]) for e in row["evidence"]}
    assert listed == set(zip(blank["row"], blank["col"], strict=True))  # every cell, for the highlighting


def test_invalid_values_of_one_table_are_one_finding(corpus):
    fails = _fails(corpus / "071.txt", "T2-1")
    assert len(fails) == 1
    assert "表二有 3 格数值不合规" in fails.iloc[0]["message"]
    assert len(fails.iloc[0]["evidence"]) == 3


def test_blank_cells_of_an_unfilled_table_fold_into_f3(tmp_path):
    path = _seed_with_blank_t3(tmp_path)
    cells = audit_kit.load(path).cells
    blank = cells[(cells["table"] == "t3") & (cells["status"] == "blank")]
    assert len(blank) > 20 and (cells.loc[cells["table"] == "t3", "status"] == "blank").all()  # the premise
    assert _fails(path, "T3-5").empty
    f3 = _fails(path, "F-3")
    f3 = f3[f3["table"] == "t3"]
    assert len(f3) == 1
    row = f3.iloc[0]
    assert "T3-5 已并入本条" in row["message"]
    listed = [e for e in row["evidence"] if "table" in e]
    assert {(e["row"], e["col"]) for e in listed} == set(zip(blank["row"], blank["col"], strict=True))
    assert any("已并入 T3-5" in e.get("text", "") for e in row["evidence"] if "table" not in e)


def test_grouped_fingerprint_is_check_and_table_and_a_decision_survives(tmp_path):
    def blanks(results: pd.DataFrame) -> pd.DataFrame:
        return results[(results["check_id"] == "T3-5") & (results["status"] == "fail")]

    three, five = blanks(_seed_blanking(3)), blanks(_seed_blanking(5))
    assert len(three) == len(five) == 1
    assert len(three.iloc[0]["evidence"]) == 3 and len(five.iloc[0]["evidence"]) == 5
    assert three.iloc[0]["fingerprint"] == five.iloc[0]["fingerprint"]  # the cells are not in the fingerprint
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.record(three.iloc[0], "dismissed", "报告人确认填 0 即可", "张审核")
    again = blanks(_seed_blanking(3))
    assert ledger.annotate(again).iloc[0]["decision"] == "dismissed"  # a rerun: the decision shows again
    changed = ledger.annotate(five).iloc[0]
    assert changed["stale"] and changed["decision"] == ""  # more blank cells: the decision must be reviewed
    ledger.close()


def test_arithmetic_checks_stay_per_location(seed_path):
    """An equation that fails on printed numbers is a finding of its own, at its row."""
    report = audit_kit.load(seed_path)
    cells = report.cells.copy()
    for row in ("granted", "partial"):  # two rows whose 总计 is printed wrong, no blank cell involved
        hit = cells.index[(cells["table"] == "t3") & (cells["row"] == row) & (cells["col"] == "total")]
        cells.loc[hit, ["value", "raw", "status"]] = [99.0, "99", "number"]
    report.cells = cells
    res = audit_kit.check(report)
    fails = res[(res["check_id"] == "T3-3") & (res["status"] == "fail")]
    assert sorted(fails["row"]) == ["granted", "partial"]


def test_a_blank_total_column_is_one_finding_and_its_equations_cannot_be_judged(corpus):
    """023 prints the 总计 column of every outcome row blank: one finding (the blank cells, naming the
    column) and its 12 equations undecidable for that reason, not 13 separate errors."""
    res = audit_kit.check(audit_kit.load(corpus / "023.html"))
    fails = res[res["status"] == "fail"]
    tables = fails[fails["check_id"].str.startswith("T")]
    assert list(tables["check_id"]) == ["T3-5"]
    message = tables.iloc[0]["message"]
    assert "“总计”列 19 格" in message and "T3-2 1 处、T3-3 11 处勾稽无法判断" in message
    blocked = res[res["check_id"].isin(["T3-2", "T3-3"]) & (res["status"] == "not_assessable")]
    assert len(blocked) == 12 and blocked["message"].str.contains("印为空白").all()
    before = {("T3-3", "granted"), ("T3-2", "outcomes_total")}  # their locations are kept: stable fingerprints
    assert before <= set(zip(blocked["check_id"], blocked["row"], strict=True))


def test_a_blank_total_column_makes_the_rates_unknown_not_zero():
    """A sample with its 表三 总计 column printed blank: 公开率 and the other rates are unknown (NaN, shown as
    （无法计算）), never 0.0%; a batch mean then leaves the report out."""
    from audit_kit.checks.indicators import indicators, shown_indicator

    report = audit_kit.load(BUNDLED_SEED.parent / "sample-2021-示例县财政局.txt")
    before = indicators(report).set_index("indicator")["value"]
    assert before["disclosure_rate"] > 0  # the seed's own rate, read from its numbers
    cells = report.cells.copy()
    total = cells.index[(cells["table"] == "t3") & (cells["col"] == "total")]
    cells.loc[total, ["value", "raw", "status"]] = [np.nan, "", "blank"]
    report.cells = cells
    after = indicators(report).set_index("indicator")["value"]
    assert np.isnan(after["disclosure_rate"]) and np.isnan(after["applications"])
    assert shown_indicator("disclosure_rate", after["disclosure_rate"]) == "（无法计算）"
