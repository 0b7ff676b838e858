"""Property: consistent tables give no T2/T3/T4 fail; changing one 表三 cell makes exactly the checks that
involve that cell fail, naming it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import audit_kit
from audit_kit.extract.loader import build
from audit_kit.model.document import Document
from audit_kit.testing import samples

COLS = ("natural", "business", "research", "ngo", "legal", "other_org", "total")


def _report(spec: samples.SampleReport) -> audit_kit.Report:
    from audit_kit.readers.text import parse_text

    text = samples.to_text(spec)
    doc: Document = parse_text(text)
    return build(doc, text.encode("utf-8"), "generated.txt")


@settings(max_examples=25, deadline=None)
@given(template=st.sampled_from(["2019", "2021"]), seed=st.integers(0, 10_000))
def test_consistent_tables_have_no_arithmetic_fail(template, seed):
    res = audit_kit.check(_report(samples.make_report(template, seed=seed)))
    arithmetic = res[res["check_id"].str.match(r"T[234]-")]
    assert not arithmetic.empty
    assert (arithmetic["status"] != "fail").all(), arithmetic[arithmetic["status"] == "fail"]["message"].tolist()


@settings(max_examples=25, deadline=None)
@given(template=st.sampled_from(["2019", "2021"]), seed=st.integers(0, 10_000),
       row=st.sampled_from(["new", "carried_in", "granted", "deny.secret", "unable.not_held", "outcomes_total",
                            "carried_out"]),
       col=st.sampled_from(COLS[:-1]), delta=st.integers(1, 5))
def test_one_changed_cell_fails_exactly_its_checks(template, seed, row, col, delta):
    spec = samples.make_report(template, seed=seed)
    spec.values[("t3", row, col)] += delta
    res = audit_kit.check(_report(spec))
    fails = res[(res["status"] == "fail") & res["check_id"].str.match(r"T[234]-")]
    got = {(r.check_id, r.row if r.check_id == "T3-3" else r.col) for r in fails.itertuples()}
    expected = {("T3-3", row)}
    if row in ("new", "carried_in", "outcomes_total", "carried_out"):
        expected.add(("T3-1", col))
    if row not in ("new", "carried_in", "carried_out"):
        expected.add(("T3-2", col))
    assert got == expected
    for r in fails.itertuples():
        assert any(e["row"] == row and e["col"] == col for e in r.evidence)
