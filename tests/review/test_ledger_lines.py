"""Ledger lines read as sentences (no dangling "：", a readable time) and the walker's dropdowns show
Chinese labels over the stored values."""

from __future__ import annotations

import pandas as pd

import audit_kit
from audit_kit.render import html as render
from audit_kit.render.decisions import decision_line
from audit_kit.review.walker import FindingWalker
from audit_kit.workspace.ledger import Ledger
from tests.conftest import BUNDLED_SEED


def test_decision_line_without_comment_has_no_dangling_colon():
    assert decision_line("待核实", "", "张审核", "2026-11-29T04:42:20") == "待核实（张审核，2026-11-29 04:42）"


def test_decision_line_with_comment_and_without_auditor():
    assert decision_line("确认问题", "表三总计有误", "", "2026-11-29T04:42:20") == "确认问题（2026-11-29 04:42）：表三总计有误"
    assert decision_line("排除", " 已核实 ", "李", "2026-01-02T03:04:05") == "排除（李，2026-01-02 03:04）：已核实"


def _finding_with_decision(tmp_path, comment: str) -> pd.DataFrame:
    results = audit_kit.check(audit_kit.load(BUNDLED_SEED))
    fails = results[results["status"] == "fail"].head(1)
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.record(fails.iloc[0], "pending", comment, "张审核")
    out = ledger.annotate(fails)
    ledger.close()
    return out


def test_memo_decision_line(tmp_path):
    """The line the 审核意见书 prints for a decided finding: who and when, a readable time, no dangling colon."""
    r = _finding_with_decision(tmp_path, "").iloc[0]
    line = render.decision_line_of(r, r["decision_zh"])
    assert line.startswith("待核实（张审核，") and line.endswith("）")
    assert "：" not in line and "T" not in line
    assert render.decision_line_of({"decided_at": None}, None) == "未审核"


def test_walker_line_and_dropdowns(tmp_path):
    results = audit_kit.check(audit_kit.load(BUNDLED_SEED))
    ledger = Ledger(tmp_path / "ledger.sqlite")
    walker = FindingWalker(results, ledger, auditor="张审核")
    labels = [label for label, _value in walker.severity.options]
    assert labels == ["全部", "错误", "警告", "提示"]
    assert [v for _l, v in walker.severity.options][1:] == ["error", "warning", "info"]
    assert [label for label, _v in walker.status.options] == ["全部", "不通过", "无法判断", "通过"]
    assert walker.status.value == "fail"
    walker.severity.value = "warning"
    assert set(walker.filtered()["severity"]) == {"warning"}
    walker.comment.value = ""
    walker.decide("pending")
    assert "待核实（张审核，" in walker.detail.value and "待核实：" not in walker.detail.value
    ledger.close()
