"""One vocabulary for statuses, severities and decisions: the enums keep the values the
interfaces fix, carry the Chinese names, and no other module spells those names again."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import audit_kit
from audit_kit.checks import registry
from audit_kit.render import html as render
from audit_kit.vocabulary import STALE, UNDECIDED, CellStatus, Decision, Severity, Status
from audit_kit.workspace.ledger import Ledger

SRC = Path(audit_kit.__file__).parent
SEED = Path(__file__).resolve().parents[2] / "data" / "samples" / "yanchi-2020.txt"


def test_values_are_the_ones_interfaces_md_fixes() -> None:
    assert [s.value for s in Status] == ["fail", "not_assessable", "pass"]
    assert [s.value for s in Severity] == ["error", "warning", "info"]
    assert [d.value for d in Decision] == ["confirmed", "dismissed", "pending"]


def test_chinese_names() -> None:
    assert [s.zh for s in Status] == ["不通过", "无法判断", "通过"]
    assert [s.zh for s in Severity] == ["错误", "警告", "提示"]
    assert [d.zh for d in Decision] == ["确认问题", "排除", "待核实"]
    assert Severity("warning").zh == "警告"
    assert Status.names() == {"fail": "不通过", "not_assessable": "无法判断", "pass": "通过"}
    assert CellStatus.names() == {"number": "数字", "blank": "空白", "text": "文字", "missing": "未读到"}


def test_members_compare_and_hash_as_their_strings() -> None:
    """The result frames hold plain strings; comparing and looking up with a member must still work."""
    assert Status.FAIL == "fail"
    assert {Severity.ERROR: 1}["error"] == 1
    assert f"{Decision.PENDING}" == "pending"


def test_zh_of_unknown_value() -> None:
    assert Severity.zh_of("fatal") == "fatal"
    assert Decision.zh_of("", UNDECIDED) == "未审核"
    assert Status.zh_of("pass") == "通过"


def test_results_use_the_vocabulary() -> None:
    results = audit_kit.check(audit_kit.load(SEED))
    assert set(results["status"]) <= {"fail", "not_assessable", "pass"}
    assert set(results["severity"]) <= {"error", "warning", "info"}
    assert all(type(v) is str for v in results["status"])  # plain strings in the frame, as before


def test_registry_refuses_an_unknown_severity() -> None:
    with pytest.raises(ValueError, match="severity"):
        registry.check("Z-9", "fatal", "不存在的检查")


def test_ledger_stores_the_decision_values(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    finding = {"fingerprint": "f1", "status": "fail", "expected": 1, "actual": 2, "evidence": []}
    for d in Decision:
        ledger.record(finding, d.value)
    with pytest.raises(ValueError):
        ledger.record(finding, "maybe")
    ledger.close()
    db = sqlite3.connect(tmp_path / "l.sqlite")
    assert [r[0] for r in db.execute("SELECT decision FROM decisions ORDER BY id")] == ["confirmed", "dismissed",
                                                                                     "pending"]
    db.close()
    annotated = Ledger(tmp_path / "l.sqlite").annotate(pd.DataFrame([
        {**finding, "fingerprint": "f1"}, {**finding, "fingerprint": "f2"}]))
    assert list(annotated["decision_zh"]) == ["待核实", "未审核"]


def test_templates_name_the_vocabulary() -> None:
    page = str(render.memo_index([], True))
    assert "<th>错误</th><th>警告</th>" in page
    statuses = [s.zh for s in Status]
    record = str(render.record([], [], [], [], statuses))
    assert "".join(f"<th class='ak-nowrap'>{s}</th>" for s in statuses) in record
    assert "没有被排除的发现" in record and "没有确认的问题" in str(render.problems([], []))
    assert STALE == "数据已变化，请复核"


def _literals(path: Path) -> list[tuple[int, str]]:
    names = {m.zh for enum in (Status, Severity, Decision, CellStatus) for m in enum} | {UNDECIDED, STALE}
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names]


def test_no_module_spells_the_names_again() -> None:
    """The Chinese names live in vocabulary.py only (as whole string literals or in the HTML templates)."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.name != "vocabulary.py" and (hits := _literals(path)):
            found[str(path.relative_to(SRC))] = hits
    assert found == {}
    for path in sorted((SRC / "render" / "fragments").glob("*.j2")):
        text = path.read_text(encoding="utf-8")
        assert not any(f"<th>{m.zh}</th>" in text for m in Severity), path.name
