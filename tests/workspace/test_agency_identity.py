"""Agency identity rests on the administrative division (issue 20): 鼓楼区 is in four cities, and one city's
report is never paired with — nor takes decisions from — another city's; an unqualified name pairs only where
the workspace declares its region; invisible characters neither evade pairing nor hide on screen; the alias
table splits as well as merges, and is read as Excel and WPS save it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import audit_kit
from audit_kit import Workspace
from audit_kit.batch.client import run_batch
from audit_kit.cli.app import main
from audit_kit.cli.terminal import safe
from audit_kit.errors import WorkspaceError
from audit_kit.model.agencies import agency_key, identify
from audit_kit.render import html as render
from audit_kit.testing import samples
from audit_kit.workspace import priors
from audit_kit.workspace.aliases import Aliases

NJ, XZ, FZ = "南京市鼓楼区财政局", "徐州市鼓楼区财政局", "福州市鼓楼区财政局"
ZWJ, RLO = "\u200d", "\u202e"


def _write(folder: Path, name: str, agency: str, year: int, seed: int, published: str,
           address: str = "", broken: bool = False) -> Path:
    """One generated report of ``agency`` (its name printed as given), published on ``published``."""
    spec = samples.make_report("2021", year, seed=seed, agency=agency)
    spec.published = published
    if address:
        spec.narrative["六"] += f"\n联系地址：{address}。"
    if broken:  # a failing finding in every copy: T3's total no longer adds up
        spec.values[("t3", "new", "natural")] += 1
    folder.mkdir(parents=True, exist_ok=True)
    return samples.write(spec, folder / name)


def _gulou(folder: Path) -> dict[str, Path]:
    """南京 2020/2021, 徐州 2020 and 福州 2020/2021; the other cities' 2020 reports are published later than
    南京's, so a rule that merged the cities would take one of theirs as 南京's last year."""
    return {
        "nj-2020": _write(folder, "nj-2020.txt", NJ, 2020, 1, "2021年1月10日"),
        "nj-2021": _write(folder, "nj-2021.txt", NJ, 2021, 2, "2022年1月12日"),
        "xz-2020": _write(folder, "xz-2020.txt", XZ, 2020, 3, "2021年1月28日"),
        "fz-2020": _write(folder, "fz-2020.txt", FZ, 2020, 4, "2021年1月20日"),
        "fz-2021": _write(folder, "fz-2021.txt", FZ, 2021, 5, "2022年1月15日"),
    }


# --- the division table --------------------------------------------------------------------------------------

def test_the_same_district_name_in_two_cities_is_two_agencies():
    assert agency_key(NJ) != agency_key(XZ) != agency_key(FZ)
    assert identify(NJ).division == "320106" and identify(XZ).division == "320302"
    assert identify(FZ).division == "350102"
    assert agency_key("江苏省南京市鼓楼区财政局") == agency_key(NJ)  # with and without the province: one
    assert identify("朝阳区财政局").key is None and identify("北京市朝阳区财政局").division == "110105"
    assert identify("长治市城区人民政府").key != identify("阳泉市城区人民政府").key


def test_the_ambiguous_name_says_why_it_is_not_paired():
    found = identify("鼓楼区财政局")
    assert found.key is None and found.ambiguous
    assert "鼓楼区在多个地方（南京市、徐州市、福州市、开封市）均有，未声明地区" in found.how
    assert "不与往年配对" in found.how
    assert identify("鼓楼区财政局", region="南京市").key == agency_key(NJ)
    assert identify("鼓楼区财政局", region="江苏省徐州市").key == agency_key(XZ)
    assert identify("鼓楼区财政局", region="江苏省").key is None  # 南京 and 徐州 are both in 江苏
    assert identify("鼓楼区财政局", text="联系地址：福州市鼓楼区八一七北路").key == agency_key(FZ)


# --- the batch ------------------------------------------------------------------------------------------------

def test_batch_pairs_every_report_within_its_own_city(tmp_path):
    files = _gulou(tmp_path / "in")
    reports = run_batch(tmp_path / "in", tmp_path / "out", store=tmp_path / "store").set_index("file")
    prior = {Path(f).stem: Path(p).stem if isinstance(p, str) and p else "" for f, p in reports["prior_file"].items()}
    assert prior == {"nj-2020": "", "nj-2021": "nj-2020", "xz-2020": "", "fz-2020": "", "fz-2021": "fz-2020"}
    pairing = reports.loc[str(files["nj-2021"]), "pairing"]
    assert "同属江苏省南京市鼓楼区" in pairing and "xz-2020" not in pairing
    assert len(set(reports["agency_key"])) == 3
    written = pd.read_csv(tmp_path / "out" / "reports.csv").set_index("file")  # the batch's own output
    assert written.loc[str(files["nj-2021"]), "prior_file"].endswith("nj-2020.txt")
    assert written.loc[str(files["fz-2021"]), "prior_file"].endswith("fz-2020.txt")
    indicators = pd.read_csv(tmp_path / "out" / "indicators.csv")
    nj = indicators[indicators["file"].str.endswith("nj-2021.txt")]
    assert nj["prior_value"].notna().all()  # compared with 南京's 2020 numbers
    with Workspace(tmp_path / "store") as ws:  # the pairing API gives the same
        for now, then in (("nj-2021", "nj-2020"), ("fz-2021", "fz-2020")):
            report = ws.report(files[now])
            last, _found = ws.reports.prior(report)
            assert last is not None and last.report_id == ws.report(files[then]).report_id
        assert priors.problems(ws.report(files["nj-2021"]), ws.report(files["xz-2020"]))  # another city's


def test_same_titled_reports_of_two_agencies_keep_separate_decisions(tmp_path):
    # 南京's and 徐州's 鼓楼区财政局 both print the bare name: the same title, year and failing finding
    a = _write(tmp_path / "in", "a.txt", "鼓楼区财政局", 2021, 7, "2022年1月12日", "南京市鼓楼区北京西路 1 号", broken=True)
    b = _write(tmp_path / "in", "b.txt", "鼓楼区财政局", 2021, 8, "2022年1月13日", "徐州市鼓楼区中山北路 2 号", broken=True)
    with Workspace(tmp_path / "store") as ws:
        first, second = ws.open(a), ws.open(b)
        assert first.report.meta["title"] == second.report.meta["title"]
        fail = first.results[first.results["status"] == "fail"].iloc[0]
        twin = second.results[(second.results["check_id"] == fail["check_id"]) & (second.results["status"] == "fail")]
        assert len(twin) == 1 and twin.iloc[0]["fingerprint"] != fail["fingerprint"]
        ws.ledger.record(fail, "dismissed", "误报：南京市鼓楼区专用意见", "张三")
        mine = ws.ledger.annotate(ws.findings(first.report.report_id))
        other = ws.ledger.annotate(ws.findings(second.report.report_id))
        assert "dismissed" in set(mine["decision"])
        assert "dismissed" not in set(other["decision"]) and "误报" not in "".join(other["comment"])
        rid = second.report.report_id
        assert not len(ws.ledger.history(twin.iloc[0]["fingerprint"]))
    memo = audit_kit.write_memo(rid, tmp_path / "b.html", store=str(tmp_path / "store")).read_text(encoding="utf-8")
    assert "鼓楼区财政局" in memo and fail["check_id"] in memo  # the memo of b, with the finding a's auditor dismissed
    assert "误报：南京市鼓楼区专用意见" not in memo and "张三" not in memo


def test_the_unqualified_name_pairs_only_with_a_declared_region(tmp_path):
    _write(tmp_path / "in", "nj-2020.txt", NJ, 2020, 1, "2021年1月10日")
    _write(tmp_path / "in", "xz-2020.txt", XZ, 2020, 3, "2021年1月28日")
    bare = _write(tmp_path / "in2", "bare-2021.txt", "鼓楼区财政局", 2021, 2, "2022年1月12日")
    run_batch(tmp_path / "in", tmp_path / "o1", store=tmp_path / "store")
    undeclared = run_batch(tmp_path / "in2", tmp_path / "o2", store=tmp_path / "store")
    assert undeclared.loc[0, "prior_file"] in ("", None) or pd.isna(undeclared.loc[0, "prior_file"])
    assert "鼓楼区在多个地方（南京市、徐州市、福州市、开封市）均有，未声明地区" in undeclared.loc[0, "pairing"]
    assert pd.isna(undeclared.loc[0, "agency_key"]) or not undeclared.loc[0, "agency_key"]
    # declared on the command line: kept in settings.json, and the bare name is 南京's
    assert main(["batch", str(tmp_path / "in2"), "-o", str(tmp_path / "o3"), "--store", str(tmp_path / "store"),
                 "--region", "南京市"]) in (0, 1)
    assert json.loads((tmp_path / "store" / "settings.json").read_text(encoding="utf-8"))["region"] == "南京市"
    declared = pd.read_csv(tmp_path / "o3" / "reports.csv")
    assert declared.loc[0, "prior_file"].endswith("nj-2020.txt")
    assert "工作区声明的地区“南京市”" in declared.loc[0, "pairing"]
    with Workspace(tmp_path / "store") as ws:
        assert ws.reports.prior(ws.report(bare))[0] is not None
        ws.declare_region("徐州市")  # another declaration: the stored identities follow it
        last, found = ws.reports.prior(ws.report(bare))
        assert last is not None and "徐州市鼓楼区" in found.reason and last.meta["agency"] == XZ
        with pytest.raises(WorkspaceError):
            ws.declare_region("火星市")


def test_the_report_text_settles_an_unqualified_name(tmp_path):
    _write(tmp_path / "in", "nj-2020.txt", NJ, 2020, 1, "2021年1月10日")
    _write(tmp_path / "in", "fz-2020.txt", FZ, 2020, 4, "2021年1月20日")
    _write(tmp_path / "in", "bare-2021.txt", "鼓楼区财政局", 2021, 2, "2022年1月12日", "福州市鼓楼区八一七北路 3 号")
    reports = run_batch(tmp_path / "in", tmp_path / "out", store=tmp_path / "store").set_index("file")
    row = reports.loc[str(tmp_path / "in" / "bare-2021.txt")]
    assert row["prior_file"].endswith("fz-2020.txt") and "报告正文中所写的“福州市鼓楼区”" in row["pairing"]


def test_check_prior_uses_the_region(tmp_path):
    nj = _write(tmp_path, "nj-2020.txt", NJ, 2020, 1, "2021年1月10日")
    bare = _write(tmp_path, "bare-2021.txt", "鼓楼区财政局", 2021, 2, "2022年1月12日")
    args = ["check", str(bare), "--prior", str(nj), "--store", str(tmp_path / "none")]
    assert main(args) == 2  # refused: the name does not say which 鼓楼区
    assert main([*args, "--region", "南京市"]) in (0, 1)


# --- invisible characters -------------------------------------------------------------------------------------

@pytest.mark.parametrize("mark", [ZWJ, RLO])
def test_format_characters_neither_evade_pairing_nor_hide(tmp_path, mark, capsys):
    name = f"南京市鼓楼区{mark}财政局" if mark == ZWJ else f"{mark}南京市鼓楼区财政局"
    _write(tmp_path / "in", "nj-2020.txt", NJ, 2020, 1, "2021年1月10日")
    odd = _write(tmp_path / "in", "odd-2021.txt", name, 2021, 2, "2022年1月12日")
    assert agency_key(name) == agency_key(NJ)
    reports = run_batch(tmp_path / "in", tmp_path / "out", store=tmp_path / "store").set_index("file")
    assert reports.loc[str(odd), "prior_file"].endswith("nj-2020.txt")
    shown = f"⟨U+{ord(mark):04X}⟩"
    assert shown in render.text(name) and mark not in render.text(name)
    row = dict.fromkeys(("href", "verdict", "confirmed", "progress", "review", "errors", "warnings", "file", "status"), "")
    page = str(render.memo_index([{**row, "state": "open", "agency": name, "year": "2021"}], True))
    assert shown in page and mark not in page
    assert shown in safe(name) and mark not in safe(name)
    with Workspace(tmp_path / "store") as ws:
        report = ws.report(odd)
        assert report.meta["agency"] == name  # kept as printed: only shown visibly
        from audit_kit.review.report_view import cover

        page = str(cover(ws.open(odd)))
    assert shown in page and mark not in page
    from audit_kit.review.lab import ReportPage

    lab = ReportPage(str(odd), store=str(tmp_path / "store"))  # the lab page: its picker and its header
    assert any(shown in label for label in lab.choices) and not any(mark in label for label in lab.choices)
    assert shown in lab.header.value and mark not in lab.header.value
    main(["check", str(odd)])
    out = capsys.readouterr().out
    assert shown in out and mark not in out


# --- the alias table ------------------------------------------------------------------------------------------

def test_aliases_merge_and_split(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,canonical,note,region\n"
                    "示例县生态环境分局,示例县环境保护局,更名,\n"
                    "吴忠市盐池县财政局,独立,另一机关,\n"
                    "鼓楼区财政局,,,福州市\n", encoding="utf-8")
    aliases = Aliases(path)
    assert aliases.resolve("示例县生态环境分局")[0] == aliases.resolve("示例县环境保护局")[0]  # merged
    own, how = aliases.resolve("吴忠市盐池县财政局")
    assert own != aliases.resolve("盐池县财政局")[0] and "独立机关" in how  # split off
    assert aliases.resolve("鼓楼区财政局")[0] == agency_key(FZ)  # a region for the bare name
    aliases.add("0123456789abcdef", NJ, "这一份是南京的")  # one report split off by its id
    assert aliases.resolve("鼓楼区财政局", report_id="0123456789abcdef")[0] == agency_key(NJ)
    assert aliases.resolve("鼓楼区财政局", report_id="fedcba9876543210")[0] == agency_key(FZ)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_aliases_saved_by_excel_or_wps_are_read(tmp_path, encoding):
    path = tmp_path / "aliases.csv"
    path.write_bytes("别名,规范名称,备注\r\n示例县生态环境分局,示例县环境保护局,更名\r\n".encode(encoding))
    aliases = Aliases(path)
    assert aliases.resolve("示例县生态环境分局")[0] == agency_key("示例县环境保护局")
    aliases.add("示例县林业局", "示例县自然资源局")  # appending keeps every line readable
    again = Aliases(path)
    assert again.resolve("示例县林业局")[0] == agency_key("示例县自然资源局")
    assert again.resolve("示例县生态环境分局")[0] == agency_key("示例县环境保护局")


def test_a_wrong_alias_line_is_named(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("alias,canonical,note\n示例县林业局,示例县自然资源局,\n只写了别名\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="第 3 行"):
        Aliases(path)


def test_a_township_without_its_county_is_settled_by_the_region_or_its_text():
    bare = identify("太平镇人民政府")
    assert bare.key is None and bare.ambiguous and "未写明所属县（区）" in bare.how
    assert identify("太平镇人民政府", region="桃江县").key == identify("桃江县太平镇人民政府").key
    assert identify("太平镇人民政府", text="地址：湖南省益阳市桃江县太平镇人民路").key == identify("桃江县太平镇人民政府").key
    assert identify("国家乡村振兴局").key == "国家乡村振兴局" and identify("示例县农业农村局").key  # not townships


# --- what stays valid -----------------------------------------------------------------------------------------

def test_decisions_and_indexes_from_before_stay_valid(tmp_path):
    import hashlib
    import sqlite3

    from audit_kit.checks.registry import fingerprint
    from audit_kit.checks.result import Result
    from audit_kit.model.text import key
    from audit_kit.vocabulary import Status
    from audit_kit.workspace.reports import ReportStore

    result = Result(Status.FAIL, "x", table="t3", row="new", col="total")
    for name in (NJ, "盐池县人民政府", "示例县财政局"):  # names that tell their agency: the fingerprint as before
        before = hashlib.sha1("|".join([key(name), "2021", "T3-1", "t3", "new", "total", ""]).encode()).hexdigest()[:16]
        assert fingerprint({"agency": name, "report_year": 2021, "report_id": "r1"}, "T3-1", result) == before
    bare = {"agency": "鼓楼区财政局", "report_year": 2021}
    assert fingerprint({**bare, "report_id": "r1"}, "T3-1", result) != fingerprint({**bare, "report_id": "r2"}, "T3-1", result)
    # an index written by the earlier rule (every 鼓楼区 one agency) is rekeyed when the workspace opens
    path = _write(tmp_path / "in", "nj-2021.txt", NJ, 2021, 2, "2022年1月12日")
    with ReportStore(tmp_path / "store") as store:
        store.add(audit_kit.load(path))
    db = sqlite3.connect(tmp_path / "store" / "index.sqlite")
    with db:
        db.execute("UPDATE reports SET agency_key = '鼓楼区财政局'")
        db.execute("DROP TABLE IF EXISTS index_meta")  # an index of before: no record of what keyed it
    db.close()
    with ReportStore(tmp_path / "store") as store:
        assert list(store.reports()["agency_key"]) == [agency_key(NJ)]
