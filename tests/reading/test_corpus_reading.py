"""Every labelled cell of the real-report corpus is read exactly, and nothing is invented."""

from __future__ import annotations

import math

import pytest

import audit_kit
from tests.conftest import corpus_labels

LABELS = corpus_labels()
IDS = [lab["file"] for lab in LABELS]


def _cells(report: audit_kit.Report) -> dict[tuple[str, str, str], tuple[float, str]]:
    c = report.cells
    return {(t, r, k): (v, s) for t, r, k, v, s in zip(c["table"], c["row"], c["col"], c["value"], c["status"],
                                                       strict=True)}


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_every_labelled_cell_is_read_exactly(corpus, label):
    report = audit_kit.load(corpus / label["file"])
    got = _cells(report)
    wrong = []
    for table, row, col, want in label["cells"]:
        value, status = got.get((table, row, col), (math.nan, "missing"))
        if status != "number" or abs(value - float(want)) > 1e-9:
            wrong.append(f"{table}.{row}.{col}: read {value} ({status}), label {want}")
    assert not wrong, "\n".join(wrong)


def test_corpus_tally(corpus, capsys):
    exact = total = 0
    for label in LABELS:
        got = _cells(audit_kit.load(corpus / label["file"]))
        for table, row, col, want in label["cells"]:
            total += 1
            value, status = got.get((table, row, col), (math.nan, "missing"))
            exact += status == "number" and abs(value - float(want)) < 1e-9
    with capsys.disabled():
        print(f"\ncorpus (text, HTML, PDF): {exact}/{total} labelled cells read exactly")
    assert total > 1300
    assert exact == total


@pytest.mark.parametrize("label", [lab for lab in LABELS if "prose" in lab["layout"]],
                         ids=lambda lab: lab["file"])
def test_prose_only_reports_give_no_numbers(corpus, label):
    report = audit_kit.load(corpus / label["file"])
    assert (report.cells["status"] == "number").sum() == 0
    assert any("未找到表三" in n for n in report.meta["notes"])


def test_single_values_of_unknown_column_are_left_out(corpus):
    # 001: 表三 rows print one value then collapsed empty cells: the column cannot be told.
    report = audit_kit.load(corpus / "001.txt")
    assert report.cells[report.cells["table"] == "t3"].empty
    assert any("无法确定各值所在的列" in n for n in report.meta["notes"])
    # 005: two values per row ("3 |" "3 |" then "|||||||"): probably 自然人 and 总计, unverifiable.
    report = audit_kit.load(corpus / "005.txt")
    assert report.cells[report.cells["table"] == "t3"].empty


def test_unfilled_template_gives_no_zeros_and_no_invented_blanks(corpus):
    # 028 prints row labels and no cells at all: the cells are unread, never 0 nor "blank".
    report = audit_kit.load(corpus / "028.txt")
    assert report.cells.empty
    assert any("只印了行名，没有找到数值" in n for n in report.meta["notes"])


def test_cut_row_keeps_what_is_printed_and_says_where(corpus):
    report = audit_kit.load(corpus / "004.txt")
    row = report.cells[(report.cells["table"] == "t3") & (report.cells["row"] == "deny.enforcement")]
    assert list(row["col"]) == ["natural", "business", "research", "ngo", "legal", "other_org"]
    assert any("截断" in n for n in report.meta["notes"])
    assert any("表三不完整" in n and "8.属于行政查询事项" in n for n in report.meta["notes"])
    assert report.cells[report.cells["table"] == "t4"].empty


def test_023_blank_total_column_is_blank_status(corpus):
    report = audit_kit.load(corpus / "023.html")
    c = report.cells
    totals = c[(c["table"] == "t3") & (c["col"] == "total") & (c["row"] == "granted")]
    assert list(totals["status"]) == ["blank"]
    assert report.meta["template"] == "2019"
    assert report.meta["published"].isoformat() == "2020-01-31"


def _template_specific(label: dict) -> bool:
    """Whether a labelled cell exists in one template only (else the printed part cannot tell them apart)."""
    from audit_kit.model import forms as tpl

    return any(sum(bool(tpl.spec(t, table, row, col)) for t in tpl.TEMPLATES) == 1
               for table, row, col, _ in label["cells"])


@pytest.mark.parametrize("label", LABELS, ids=IDS)
def test_template_and_year_match_labels(corpus, label):
    report = audit_kit.load(corpus / label["file"])
    if label["template"] is not None and _template_specific(label):
        assert report.meta["template"] == label["template"]
    if label["file"] not in ("047.txt", "062.txt"):  # 047: period printed as 2020; 062: no year printed
        assert report.meta["report_year"] == label["report_year"]
