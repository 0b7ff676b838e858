"""The check catalogue: docs/checks.md, `audit-kit checks` and the registry agree; the registry gives the
not_assessable row of a missing input in one place; a check applies by the cells it needs, not by the
template label."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import audit_kit
from audit_kit.checks import REGISTRY, catalogue
from audit_kit.model.report import Report
from audit_kit.testing import samples
from tests.conftest import ROOT, SHARED

DOCS = ROOT / "docs" / "checks.md"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit_kit.cli", *args], capture_output=True, text=True, timeout=120)


def test_docs_checks_md_is_the_catalogue_of_the_registry():
    """Fails when a check is added, renamed or re-worded without regenerating docs/checks.md."""
    assert DOCS.read_text(encoding="utf-8") == catalogue.markdown(), \
        "docs/checks.md is stale: run `audit-kit checks --format markdown > docs/checks.md`"


def test_docs_name_every_check_with_its_severity():
    text = DOCS.read_text(encoding="utf-8")
    zh = {"error": "错误", "warning": "警告", "info": "提示"}
    for cid, spec in REGISTRY.items():
        block = text.split(f"### {cid} ", 1)[1].split("\n### ", 1)[0]
        assert f"严重程度：{zh[spec.severity]}" in block
        assert "检查内容：" in block and "需要：" in block and "示例发现：" in block
        assert spec.example and spec.description, cid


def test_cli_checks_prints_the_same_catalogue():
    out = _cli("checks", "--format", "markdown")
    assert out.returncode == 0, out.stderr
    assert out.stdout == DOCS.read_text(encoding="utf-8")
    records = json.loads(_cli("checks", "--format", "json").stdout)
    assert [r["id"] for r in records] == re.findall(r"^### (\S+) ", out.stdout, flags=re.M)
    plain = _cli("checks").stdout
    assert all(f"[{cid}]" in plain for cid in REGISTRY)


@pytest.mark.skipif(not (SHARED / "spec" / "checks.md").exists(), reason="../shared/spec is not here")
def test_registry_has_exactly_the_checks_of_the_spec():
    spec = (SHARED / "spec" / "checks.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([FSTXY]\d?-\d) \|.*\| (error|warning|info) \|$", spec, flags=re.M))
    assert rows, "no check rows parsed from the spec"
    assert {cid: s.severity for cid, s in REGISTRY.items()} == rows


def _without(report: Report, table: str) -> Report:
    cells = report.cells[report.cells["table"] != table].reset_index(drop=True)
    return Report(dict(report.meta), cells, report.sections)


def test_missing_table_gives_one_not_assessable_row_per_check(seed_path):
    report = _without(audit_kit.load(seed_path), "t3")
    res = audit_kit.check(report)
    for cid in ("T3-1", "T3-2", "T3-3", "T3-4", "T3-5"):
        rows = res[res["check_id"] == cid]
        assert len(rows) == 1, cid
        assert rows.iloc[0]["status"] == "not_assessable"
        assert "未读到表三" in rows.iloc[0]["message"]
    # the table checks of the tables that are there still run
    assert set(res.loc[res["check_id"] == "T4-1", "status"]) == {"pass"}
    # and F-3, whose subject the tables are, says what is missing instead of not_assessable
    f3 = res[(res["check_id"] == "F-3") & (res["table"] == "t3")]
    assert list(f3["status"]) == ["fail"]


def test_no_prior_gives_one_not_assessable_row_per_cross_year_check(seed_path):
    res = audit_kit.check(audit_kit.load(seed_path))
    for cid in ("Y-1", "Y-2", "Y-4"):  # the seed prints 2021 表二 stock cells, so Y-2 applies; Y-3 does not
        rows = res[res["check_id"] == cid]
        assert list(rows["status"]) == ["not_assessable"], cid
        assert "没有上一年度的报告" in rows.iloc[0]["message"]
    assert res[res["check_id"] == "Y-3"].empty


def _mixed_pair(tmp_path) -> tuple[Report, Report]:
    prior = samples.make_report("2021", year=2022, seed=1, agency="示例县财政局")
    now = samples.make_report("2021", year=2023, seed=2, agency="示例县财政局")
    p = audit_kit.load(samples.write(prior, tmp_path / "prior.txt"))
    n = audit_kit.load(samples.write(now, tmp_path / "now.txt"))
    n.meta["template"] = "mixed"  # as a report mixing 2019 rows into 2021 tables is labelled
    return n, p


def test_y2_decides_by_cells_not_by_the_template_label(tmp_path):
    now, prior = _mixed_pair(tmp_path)
    res = audit_kit.check(now, prior)
    y2 = res[res["check_id"] == "Y-2"]
    assert sorted(y2["row"]) == ["normative", "rules"]
    assert set(y2["status"]) <= {"pass", "fail"}


def test_y2_does_not_apply_without_stock_cells(tmp_path):
    now, prior = _mixed_pair(tmp_path)
    cells = now.cells[now.cells["col"] != "in_force"].reset_index(drop=True)
    res = audit_kit.check(Report(now.meta, cells, now.sections), prior)
    assert res[res["check_id"] == "Y-2"].empty
