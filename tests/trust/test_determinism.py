"""The verdicts of a batch do not depend on scheduling — ``--jobs``, the order in which
files are read and stored — and two versions of one agency-year that cannot be ordered are a finding."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from audit_kit.batch import client as batch
from audit_kit.testing import samples
from audit_kit.workspace.reports import ReportStore
from audit_kit.workspace.versions import CORRECTED, DRAFT, ORDINARY, Version, latest_date, mark_of, pick

CLEAR, UNCLEAR = "示例县财政局", "示例县教育局"


def _corpus(root: Path) -> Path:
    """A 2022 draft and a corrected final (published later) of one agency with its 2023 report, which
    follows the final; two 2022 versions of another agency that nothing tells apart, with its 2023 report;
    and 40 reports of other agencies between them, so that --jobs 2 reads them in different chunks."""
    src = root / "in"
    src.mkdir()
    final, now = samples.make_series(CLEAR, [2022, 2023], seed=11)
    draft = samples.make_report("2021", 2022, seed=11, agency=CLEAR)
    draft.values = dict(final.values)
    for col in ("natural", "total"):  # the draft's carry-over differs from the final's
        draft.values[("t3", "carried_out", col)] += 2
        draft.values[("t3", "outcomes_total", col)] -= 2
    draft.published, final.published = "2023年1月12日", "2023年2月20日"
    samples.write(draft, src / "a-draft-2022.txt")
    samples.write(final, src / "z-final-2022.txt")
    samples.write(now, src / "m-clear-2023.txt")
    one, later = samples.make_series(UNCLEAR, [2022, 2023], seed=21)
    other = samples.make_report("2021", 2022, seed=22, agency=UNCLEAR)
    other.published = one.published
    samples.write(one, src / "b-one-2022.txt")
    samples.write(other, src / "y-other-2022.html")
    samples.write(later, src / "n-unclear-2023.txt")
    for i in range(40):
        samples.write(samples.make_report("2021", 2023, seed=100 + i, agency=f"示例县第{i}局"), src / f"f{i:02d}.txt")
    return src


def _run(src: Path, out: Path, store: Path, jobs: int, reverse: bool, monkeypatch) -> dict[str, pd.DataFrame]:
    real = batch.find_files
    monkeypatch.setattr(batch, "find_files", lambda *a, **k: real(*a, **k)[::-1] if reverse else real(*a, **k))
    batch.run_batch(src, out, jobs=jobs, store=store, progress=False)
    monkeypatch.setattr(batch, "find_files", real)
    reports = pd.read_csv(out / "reports.csv", encoding="utf-8-sig").sort_values("file").reset_index(drop=True)
    results = pd.read_csv(out / "results.csv", encoding="utf-8-sig")
    results = results.sort_values(list(results.columns)).reset_index(drop=True)
    return {"reports": reports, "results": results}


def test_jobs_and_order_give_the_same_verdicts(tmp_path, monkeypatch):
    src = _corpus(tmp_path)
    runs = [_run(src, tmp_path / f"out{i}", tmp_path / f"store{i}", jobs, reverse, monkeypatch)
            for i, (jobs, reverse) in enumerate([(1, False), (2, False), (1, True), (2, True)])]
    for other in runs[1:]:
        for name in ("reports", "results"):
            pd.testing.assert_frame_equal(runs[0][name], other[name])
    reports, results = runs[0]["reports"], runs[0]["results"]
    clear = reports[reports["file"].str.endswith("m-clear-2023.txt")].iloc[0]
    assert clear["prior_file"].endswith("z-final-2022.txt") and "发布日期" in clear["pairing"]
    y1 = results[results["file"].str.endswith("m-clear-2023.txt") & (results["check_id"] == "Y-1")]
    assert set(y1["status"]) == {"pass"}


def test_versions_that_cannot_be_ordered_are_a_finding(tmp_path, monkeypatch):
    src = _corpus(tmp_path)
    run = _run(src, tmp_path / "out", tmp_path / "store", 1, False, monkeypatch)
    reports, results = run["reports"], run["results"]
    unclear = reports[reports["file"].str.endswith("n-unclear-2023.txt")].iloc[0]
    assert pd.isna(unclear["prior_file"]) and "无法判断先后" in unclear["pairing"]
    assert "b-one-2022.txt" in unclear["pairing"] and "y-other-2022.html" in unclear["pairing"]
    mine = results[results["file"].str.endswith("n-unclear-2023.txt")]
    finding = mine[mine["check_id"] == "Y-0"]
    assert list(finding["status"]) == ["fail"] and list(finding["severity"]) == ["warning"]
    assert {Path(e["report"]).name for e in json.loads(finding.iloc[0]["evidence"])} == {"b-one-2022.txt",
                                                                                          "y-other-2022.html"}
    cross = mine[mine["check_id"].isin(["Y-1", "Y-2", "Y-4"])]
    assert len(cross) and set(cross["status"]) == {"not_assessable"} and cross["message"].str.contains("Y-0").all()
    assert unclear["warnings"] >= 1
    with ReportStore(tmp_path / "store") as store:
        versions = store.reports()
    two = versions[versions["source"].str.contains("-2022")]
    two = two.set_index(two["source"].map(lambda s: Path(s).name))
    assert two.loc["a-draft-2022.txt", "version"] == 1 and two.loc["z-final-2022.txt", "version"] == 2
    assert two.loc["b-one-2022.txt", "version"] == two.loc["y-other-2022.html", "version"] == 1


def _v(rid: str, published=None, text_date=None, mark=ORDINARY) -> Version:
    return Version(rid, f"{rid}.txt", published, text_date, mark)


D = dt.date


@pytest.mark.parametrize(("versions", "winner"), [
    ([_v("a", D(2023, 1, 2)), _v("b", D(2023, 3, 1))], "b"),
    ([_v("a", None, D(2023, 5, 1)), _v("b", D(2023, 3, 1), D(2023, 3, 1))], "a"),  # no date for a: text dates
    ([_v("a", D(2023, 3, 1), mark=CORRECTED), _v("b", D(2023, 3, 1))], "a"),
    ([_v("a", mark=DRAFT), _v("b")], "b"),
    ([_v("a"), _v("b")], None),
    ([_v("a", D(2023, 1, 1)), _v("b", D(2023, 1, 1)), _v("c", D(2023, 2, 1))], "c"),
    ([_v("a", D(2023, 1, 1)), _v("b", D(2023, 2, 1)), _v("c", D(2023, 2, 1))], None),
])
def test_the_ordering_rule(versions, winner):
    for order in (versions, versions[::-1]):
        chosen, _why, tied = pick(order)
        assert (chosen.report_id if chosen else None) == winner
        assert bool(tied) == (winner is None)


def test_dates_and_marks_are_read_from_the_text():
    assert latest_date("统计期限为２０２２年１月１日至2022年12月31日。示例县 2023年2月30日 2023年1月9日") == D(2023, 1, 9)
    assert mark_of("示例县2022年政府信息公开工作年度报告（征求意见稿）") == DRAFT
    assert mark_of("示例县2022年政府信息公开工作年度报告（更正）") == CORRECTED
    assert mark_of("示例县2022年政府信息公开工作年度报告") == ORDINARY


def test_cli_outputs_are_byte_identical_across_jobs(tmp_path):
    """The files themselves, as the command line writes them, with a fresh store per run."""
    src = _corpus(tmp_path)
    for jobs in ("1", "2"):
        subprocess.run([sys.executable, "-m", "audit_kit.cli", "batch", str(src), "--store", str(tmp_path / f"s{jobs}"),
                        "--jobs", jobs, "-o", str(tmp_path / f"o{jobs}")], capture_output=True, timeout=600, check=False)
    for name in ("reports.csv", "results.csv", "indicators.csv"):
        assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes(), name
