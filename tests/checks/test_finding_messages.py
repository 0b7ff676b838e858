"""Findings whose text must agree with their own evidence: X-3 on fees, Y-4's quotes of reused text, and
pairing lines that name agencies as printed."""

from __future__ import annotations

from pathlib import Path

import audit_kit
from audit_kit.model.agencies import agency_key
from audit_kit.workspace.reports import ReportStore
from tests.conftest import ROOT

SERIES = ROOT / "data" / "samples" / "series"


def _x3(path: Path):
    res = audit_kit.check(audit_kit.load(path))
    return res[(res["check_id"] == "X-3") & (res["row"] == "other.unpaid_fee")].iloc[0]


def _with_section_6(tmp_path: Path, sentence: str) -> Path:
    text = (SERIES / "教育局-2021.txt").read_text(encoding="utf-8")
    assert "2021年未收取信息处理费。" in text  # the premise: the sample says no fee was collected
    path = tmp_path / "r.txt"
    path.write_text(text.replace("2021年未收取信息处理费。", sentence), encoding="utf-8")
    return path


def test_x3_a_collected_fee_means_notices_were_sent(tmp_path):
    row = _x3(_with_section_6(tmp_path, "全年收取政府信息公开信息处理费3940元。"))
    assert row["status"] == "pass"
    assert any("3940元" in e.get("text", "") for e in row["evidence"])
    assert "未提" not in row["message"]


def test_x3_message_agrees_with_its_quote_when_it_fails(tmp_path):
    row = _x3(_with_section_6(tmp_path, "本年度未收取信息处理费。"))
    assert row["status"] == "fail"
    quotes = [e["text"] for e in row["evidence"] if "section" in e]
    assert quotes == ["本年度未收取信息处理费。"]  # the sentence itself, not the first 200 characters
    assert "只说明了信息处理费情况" in row["message"] and "收费通知" in row["message"]


def test_y4_quotes_whole_printed_sentences():
    prior, now = audit_kit.load(SERIES / "教育局-2021.txt"), audit_kit.load(SERIES / "教育局-2022.html")
    res = audit_kit.check(now, prior)
    y4 = res[(res["check_id"] == "Y-4") & (res["status"] == "fail")]
    assert len(y4)
    for row in y4.itertuples():
        section = now.sections[row.evidence[0]["section"]]["text"]
        for e in row.evidence:
            quote = e["text"].removesuffix("…")
            assert quote in section
            start = section.index(quote)
            assert start == 0 or section[start - 1] in "。；！？\n"  # starts at a sentence, not "年，…"
            assert not quote[-1].isdigit()  # never cut mid-number ("…申请15")


def test_pairing_names_the_agency_as_printed(tmp_path):
    assert agency_key("盐池县人民政府") == agency_key("吴忠市盐池县人民政府") == "盐池县政府"  # the key is not printed
    report = audit_kit.load(SERIES / "教育局-2021.txt")
    report.meta["agency"] = "吴忠市盐池县人民政府"
    with ReportStore(tmp_path / "store") as store:
        store.add(report)
        found = store.pair({"agency": "盐池县人民政府", "report_year": 2022})
        assert found.report_id == report.report_id
        assert "“盐池县人民政府”" in found.reason and "“吴忠市盐池县人民政府”" in found.reason
        assert "“盐池县政府”" not in found.reason
        missing = store.pair({"agency": "盐池县人民政府", "report_year": 2030})
        assert "库中没有“盐池县人民政府” 2029 年度的报告" in missing.reason
