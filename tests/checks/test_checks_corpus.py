"""On the real corpus: T3-1/T3-2/T3-3/T4-1 verdicts agree with what the labels imply (computed here from
the labels, not with the code under test), and labelled anomalies are found."""

from __future__ import annotations

import pytest

import audit_kit
from tests.conftest import corpus_labels

LABELS = [lab for lab in corpus_labels() if not lab["file"].endswith(".pdf")]
COLS = ("natural", "business", "research", "ngo", "legal", "other_org", "total")
PARTS = COLS[:-1]


def _implied(label: dict) -> dict[tuple[str, str | None], bool]:
    """Verdict per (check, location) wherever the labels hold every cell the equation needs."""
    v = {(t, r, c): x for t, r, c, x in label["cells"]}
    out = {}
    for col in COLS:
        cells = [("t3", r, col) for r in ("new", "carried_in", "outcomes_total", "carried_out")]
        if all(k in v for k in cells):
            a, b, c, d = (v[k] for k in cells)
            out[("T3-1", col)] = a + b == c + d
    rows = {r for t, r, _c in v if t == "t3"}
    for row in rows:
        cells = [("t3", row, c) for c in COLS]
        if all(k in v for k in cells):
            out[("T3-3", row)] = v[cells[-1]] == sum(v[k] for k in cells[:-1])
    for block in ("review", "lit_direct", "lit_after_review"):
        cells = [("t4", block, p) for p in ("upheld", "corrected", "other", "pending", "total")]
        if all(k in v for k in cells):
            out[("T4-1", block)] = v[cells[-1]] == sum(v[k] for k in cells[:-1])
    return out


@pytest.mark.parametrize("label", LABELS, ids=[lab["file"] for lab in LABELS])
def test_arithmetic_verdicts_agree_with_labels(corpus, label):
    implied = _implied(label)
    res = audit_kit.check(audit_kit.load(corpus / label["file"]))
    for (cid, loc), holds in implied.items():
        col = "col" if cid == "T3-1" else "row"
        got = res[(res["check_id"] == cid) & (res[col] == loc)]
        assert len(got) == 1, (cid, loc)
        assert got.iloc[0]["status"] == ("pass" if holds else "fail"), (cid, loc, got.iloc[0]["message"])


def test_truncated_reports_give_no_false_table_fails(corpus):
    for label in LABELS:
        if "t4 no" not in label["tables_complete"]:
            continue
        report = audit_kit.load(corpus / label["file"])
        if report.cells.empty:
            continue  # no table read at all: F-3 fails by design (tests/trust/test_not_a_report.py)
        res = audit_kit.check(report)
        f3 = res[(res["check_id"] == "F-3") & (res["table"] == "t4")]
        assert list(f3["status"]) == ["not_assessable"], label["file"]


def test_023_anomalies_found(corpus):
    res = audit_kit.check(audit_kit.load(corpus / "023.html"))
    fails = res[res["status"] == "fail"]
    blanks = fails[fails["check_id"] == "T3-5"]  # one finding for the table, every blank cell in its evidence
    assert len(blanks) == 1
    assert sum(e["col"] == "total" for e in blanks.iloc[0]["evidence"]) >= 19
    x1 = " ".join(fails.loc[fails["check_id"] == "X-1", "message"])
    assert "258" in x1 and "275" in x1
    assert "均获维持" in x1
    x2 = " ".join(fails.loc[fails["check_id"] == "X-2", "message"])
    assert "33.9%" in x2 and "34.2%" in x2


def test_x1_evidence_carries_the_sentence(corpus):
    res = audit_kit.check(audit_kit.load(corpus / "023.html"))
    row = res[(res["check_id"] == "X-1") & (res["status"] == "fail")].iloc[0]
    spans = [e for e in row["evidence"] if "section" in e]
    assert spans and "258" in spans[0]["text"]
