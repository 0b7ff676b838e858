"""The seed gives exactly the results listed at the end of checks.md."""

from __future__ import annotations

import pytest

import audit_kit


@pytest.fixture(scope="module")
def results(request):
    from tests.conftest import BUNDLED_SEED

    return audit_kit.check(audit_kit.load(BUNDLED_SEED))


def _statuses(results, cid):
    return set(results.loc[results["check_id"] == cid, "status"])


@pytest.mark.parametrize("cid", ["T2-1", "T3-1", "T3-2", "T3-3", "T3-4", "T4-1", "T4-2"])
def test_arithmetic_passes_everywhere(results, cid):
    assert _statuses(results, cid) == {"pass"}


def test_t3_1_has_one_row_per_column(results):
    assert len(results[results["check_id"] == "T3-1"]) == 7


def test_f1_warns_2021_format_in_2020_report(results):
    row = results[results["check_id"] == "F-1"].iloc[0]
    assert (row["status"], row["severity"]) == ("fail", "warning")
    assert "2020" in row["message"] and "2021" in row["message"]


@pytest.mark.parametrize("cid", ["F-2", "F-3", "S-1", "S-3", "X-5"])
def test_structure_passes(results, cid):
    assert _statuses(results, cid) == {"pass"}


def test_s2_info_names_both_headings(results):
    fails = results[(results["check_id"] == "S-2") & (results["status"] == "fail")]
    assert len(fails) == 2 and set(fails["severity"]) == {"info"}
    text = " ".join(fails["message"])
    assert "2、 主动公开政府信息情况" in text and "六、其他需要报告事项" in text and "六、其他需要报告的事项" in text


@pytest.mark.parametrize("cid", ["S-4", "X-1", "X-2", "Y-1", "Y-2"])
def test_not_assessable(results, cid):
    assert _statuses(results, cid) == {"not_assessable"}


@pytest.mark.parametrize("cid", ["X-3", "X-4"])
def test_checks_that_do_not_apply_give_no_row(results, cid):
    assert results[results["check_id"] == cid].empty


def test_no_error_fails_and_columns(results):
    assert list(results.columns) == ["report_id", "check_id", "status", "severity", "table", "row", "col",
                                     "expected", "actual", "message", "evidence", "fingerprint"]
    assert results[(results["status"] == "fail") & (results["severity"] == "error")].empty


def test_fingerprint_stable_across_formats(tmp_path):
    from audit_kit.testing import samples

    spec = samples.make_report("2021", seed=11)
    prints = []
    for suffix in (".txt", ".html", ".docx"):
        res = audit_kit.check(audit_kit.load(samples.write(spec, tmp_path / f"r{suffix}")))
        prints.append(dict(zip(res["fingerprint"], res["status"], strict=True)))
    assert prints[0] == prints[1] == prints[2]
