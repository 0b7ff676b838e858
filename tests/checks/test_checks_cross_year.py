"""Y-1 and Y-2 with a prior report: passing and failing, with evidence naming both reports."""

from __future__ import annotations

import audit_kit
from audit_kit.testing import samples


def _pair(tmp_path, break_carry: bool):
    prior = samples.make_report("2021", year=2022, seed=1, agency="示例县财政局")
    now = samples.make_report("2021", year=2023, seed=2, agency="示例县财政局")
    for col in ("natural", "business", "research", "ngo", "legal", "other_org", "total"):
        shift = now.values[("t3", "carried_in", col)] - prior.values[("t3", "carried_out", col)]
        prior.values[("t3", "carried_out", col)] += shift
        prior.values[("t3", "new", col)] += shift  # keep the prior year's own T3-1 true
    for row in ("rules", "normative"):
        now.values[("t2", row, "in_force")] = (prior.values[("t2", row, "in_force")]
                                             + now.values[("t2", row, "issued")] - now.values[("t2", row, "repealed")])
    if break_carry:
        now.values[("t3", "carried_in", "natural")] += 1  # only the 自然人 column breaks
    p = audit_kit.load(samples.write(prior, tmp_path / "prior.txt"))
    n = audit_kit.load(samples.write(now, tmp_path / "now.html"))
    return n, p


def test_y1_y2_pass_on_consistent_years(tmp_path):
    now, prior = _pair(tmp_path, break_carry=False)
    res = audit_kit.check(now, prior)
    assert set(res.loc[res["check_id"] == "Y-1", "status"]) == {"pass"}
    assert set(res.loc[res["check_id"] == "Y-2", "status"]) == {"pass"}


def test_y1_fails_naming_both_reports(tmp_path):
    now, prior = _pair(tmp_path, break_carry=True)
    res = audit_kit.check(now, prior)
    fails = res[(res["check_id"] == "Y-1") & (res["status"] == "fail")]
    assert list(fails["col"]) == ["natural"]
    sources = {e.get("report") for e in fails.iloc[0]["evidence"]}
    assert sources == {now.meta["source"], prior.meta["source"]}
    assert "2022" in fails.iloc[0]["message"]


def test_y2_fails_when_in_force_jumps(tmp_path):
    now, prior = _pair(tmp_path, break_carry=False)
    prior.cells.loc[(prior.cells["row"] == "rules") & (prior.cells["col"] == "in_force"), "value"] += 5
    res = audit_kit.check(now, prior)
    fails = res[(res["check_id"] == "Y-2") & (res["status"] == "fail")]
    assert list(fails["row"]) == ["rules"]
