"""Table shapes come from the template data: the row and column lists the checks,
indicators, charts, samples and the narrative use equal what data/cells.csv and data/labels.csv say, and no
module types a whole template sequence again. The expected values are read here with the csv module."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pandas as pd

import audit_kit
from audit_kit.checks import arithmetic, indicators
from audit_kit.extract import claims as narrative
from audit_kit.model import forms as tpl
from audit_kit.review import charts
from audit_kit.testing import samples

SRC = Path(audit_kit.__file__).parent


def _rows(name: str) -> list[dict[str, str]]:
    with (SRC / "data" / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


CELLS = _rows("cells.csv")


def _ordered(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _cols(template: str, table: str) -> tuple[str, ...]:
    return _ordered([c["col"] for c in CELLS if c["template"] == template and c["table"] == table])


def _table_rows(template: str, table: str) -> tuple[str, ...]:
    return _ordered([c["row"] for c in CELLS if c["template"] == template and c["table"] == table])


def _col_labels(table: str) -> tuple[str, ...]:
    return _ordered([c["col_label"] for c in CELLS if c["template"] == "2021" and c["table"] == table])


def test_templates_columns_and_parts() -> None:
    for template in ("2019", "2021"):
        for table in ("t2", "t3", "t4"):
            assert tpl.table_columns(template, table) == _cols(template, table)
    assert tpl.table_columns("2021", "t3") == ("natural", "business", "research", "ngo", "legal", "other_org", "total")
    assert tpl.parts("2021", "t4") == ("upheld", "corrected", "other", "pending")
    assert tpl.columns("2021", "t3", "new") == _cols("2021", "t3")  # one row of 表三: all its columns
    assert tpl.columns("2021", "t2", "rules") == ("issued", "repealed", "in_force")
    assert tpl.columns("2021", "t3", "") == ()  # no row code: no columns (callers pass a missing code so)


def test_group_rows_and_outcome_groups() -> None:
    deny = tuple(r for r in _table_rows("2021", "t3") if r.startswith("deny."))
    assert tpl.group_rows("2021", "t3", "deny") == deny and len(deny) == 8
    assert tpl.group_rows("2019", "t3", "other") == ("other",)
    groups = {g["code"]: g["text"] for g in _rows("labels.csv") if g["kind"] == "group"}
    got = tpl.outcome_groups("2021")
    assert list(got) == ["granted", "partial", "deny", "unable", "noproc", "other"]
    assert got["deny"] == (groups["deny"], "不予公开")
    assert got["partial"][1] == "部分公开"
    assert tpl.outcome_groups("2019") == got


def test_checks_shapes_equal_the_template() -> None:
    assert arithmetic.T3_COLS == _cols("2021", "t3") == _cols("2019", "t3")
    assert tuple(c for c in _cols("2021", "t3") if c != "total") == arithmetic.T3_PARTS
    assert arithmetic.T4_BLOCKS == _table_rows("2021", "t4") == _table_rows("2019", "t4")
    assert tuple(c for c in _cols("2021", "t4") if c != "total") == arithmetic.T4_PARTS


def test_indicator_rows_equal_the_template() -> None:
    t3 = _table_rows("2021", "t3")
    assert tuple(r for r in t3 if r.startswith("deny.")) == indicators.DENY
    assert tuple(r for r in t3 if r.startswith("unable.")) == indicators.UNABLE
    assert tuple(r for r in t3 if r.startswith("noproc.")) == indicators.NOPROC
    assert indicators.T4_DECIDED == ("upheld", "corrected", "other")


def test_sample_shapes_equal_the_template() -> None:
    assert _col_labels("t3") == samples.T3_COL_HEADERS
    assert _cols("2021", "t4") == samples.T4_PARTS
    assert _col_labels("t4") == samples.T4_HEADERS
    assert _table_rows("2021", "t4") == samples.T4_BLOCKS
    assert samples.OUTCOME_GROUPS["noproc"] == "（五）不予处理"


def test_narrative_results_are_the_t4_headers() -> None:
    labels = dict(zip(_cols("2021", "t4"), _col_labels("t4"), strict=True))
    assert {p: labels[p] for p in ("upheld", "corrected", "other", "pending")} == narrative._RESULTS
    assert narrative.QUANTITIES["review.pending"][2] == "行政复议尚未审结"


def test_outcomes_chart_sums_each_group() -> None:
    cells = pd.DataFrame([("t3", r, "total", 1.0) for r in _table_rows("2021", "t3")],
                         columns=["table", "row", "col", "value"])
    fig = charts.outcomes(cells)
    bars = {t.get_text(): p.get_height() for t, p in
            zip(fig.axes[0].get_xticklabels(), fig.axes[0].patches, strict=True)}
    assert bars == {"予以公开": 1, "部分公开": 1, "不予公开": 8, "无法提供": 3, "不予处理": 5, "其他处理": 3}


def _sequences() -> dict[str, set[str]]:
    """Whole template sequences a module must not type again (three or more items)."""
    t3 = _table_rows("2021", "t3")
    seqs = {"表三的申请人列": set(_cols("2021", "t3")) - {"total"}, "表三的列名": set(_col_labels("t3")) - {"总计"},
            "表四的三块": set(_table_rows("2021", "t4")), "表四的结果列": set(_cols("2021", "t4")) - {"total"},
            "表四的列名": set(_col_labels("t4")) - {"总计"},
            "表三办理结果": {"予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"}}
    for group in ("deny", "unable", "noproc", "other"):
        seqs[f"表三 {group} 各行"] = {r for r in t3 if r.startswith(f"{group}.")}
    return seqs


def test_no_module_types_a_template_sequence_again() -> None:
    seqs = _sequences()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "templates.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            items = (node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set)
                     else node.keys if isinstance(node, ast.Dict) else None)
            if items is None:
                continue
            words = {x.value for x in items if isinstance(x, ast.Constant) and isinstance(x.value, str)}
            found += [(str(path.relative_to(SRC)), node.lineno, name) for name, seq in seqs.items() if seq <= words]
    assert found == []
