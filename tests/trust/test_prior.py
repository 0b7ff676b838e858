"""A ``--prior`` of another agency or of a year other than N−1 is refused with a clear
message; ``--force-prior`` forces it, and then the output (and the memo) says so."""

from __future__ import annotations

import subprocess
import sys

import pytest

import audit_kit
from audit_kit.errors import PriorMismatchError
from audit_kit.review import report_view
from audit_kit.workspace import priors
from tests.conftest import ROOT

SERIES = ROOT / "data" / "samples" / "series"
EDU_2023, EDU_2022, EDU_2021 = SERIES / "教育局-2023.docx", SERIES / "教育局-2022.html", SERIES / "教育局-2021.txt"
ENV_2022, ENV_2023 = SERIES / "环境局-2022.txt", SERIES / "环境局-2023.txt"


def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audit_kit.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=cwd)


def one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_problems_name_the_agency_and_the_year():
    edu23, edu22, edu21, env22 = (audit_kit.load(p) for p in (EDU_2023, EDU_2022, EDU_2021, ENV_2022))
    assert priors.problems(edu23, edu22) == []
    assert priors.problems(edu22, edu21) == []  # “示例市示例县教育局” and “示例县教育局” are one agency
    year = priors.problems(edu23, edu21)
    assert len(year) == 1 and "2021 年度" in year[0] and "应为 2022 年度" in year[0]
    other = priors.problems(edu23, env22)
    assert len(other) == 1 and "示例县环境保护局" in other[0] and "不是同一机关" in other[0]
    assert len(priors.problems(edu23, edu23)) == 1  # the report itself is not its own prior


def test_check_refuses_a_prior_of_another_agency_or_year(tmp_path):
    for prior, words in ((ENV_2022, "不是同一机关"), (EDU_2021, "应为 2022 年度")):
        proc = cli("check", EDU_2023, "--prior", prior)
        line = one_line(proc)
        assert str(prior) in line and words in line and "--force-prior" in line
        assert proc.stdout == ""


def test_check_accepts_the_right_prior_and_a_forced_one_says_so():
    right = cli("check", EDU_2023, "--prior", EDU_2022)
    assert right.returncode in (0, 1) and right.stderr == "" and "Y-" in right.stdout
    forced = cli("check", EDU_2023, "--prior", ENV_2022, "--force-prior", "--format", "csv")
    assert forced.returncode in (0, 1), forced.stderr
    assert "强制" in forced.stderr and "不是同一机关" in forced.stderr
    assert forced.stdout.startswith("report_id,")  # the note goes to stderr, the csv stays clean


def test_the_store_alias_table_makes_a_renamed_agency_one(tmp_path):
    refused = cli("check", ENV_2023, "--prior", ENV_2022)
    assert "不是同一机关" in one_line(refused)
    store = tmp_path / "store"
    store.mkdir()
    (store / "aliases.csv").write_text("alias,canonical,note\n示例县环境保护局,示例县生态环境分局,机构改革更名\n",
                                       encoding="utf-8")
    accepted = cli("check", ENV_2023, "--prior", ENV_2022, "--store", store)
    assert accepted.returncode in (0, 1) and accepted.stderr == ""


def test_open_audit_refuses_and_records_a_forced_prior(tmp_path):
    with pytest.raises(PriorMismatchError) as info:
        report_view.open_audit(str(EDU_2023), str(ENV_2022), ledger=str(tmp_path / "l.sqlite"))
    assert str(ENV_2022) in str(info.value)
    audit = report_view.open_audit(str(EDU_2023), str(ENV_2022), ledger=str(tmp_path / "l.sqlite"), force_prior=True)
    assert audit.prior is not None and "强制使用" in audit.pairing and "不是同一机关" in audit.pairing
    right = report_view.open_audit(str(EDU_2023), str(EDU_2022), ledger=str(tmp_path / "l.sqlite"))
    assert "强制" not in right.pairing


def test_memo_refuses_before_running_the_notebook_and_a_forced_memo_says_so(tmp_path):
    out = tmp_path / "memo.html"
    proc = cli("memo", EDU_2023, "--prior", EDU_2021, "--ledger", tmp_path / "l.sqlite", "-o", out)
    assert str(EDU_2021) in one_line(proc) and not out.exists()
    forced = cli("memo", EDU_2023, "--prior", EDU_2021, "--force-prior", "--ledger", tmp_path / "l.sqlite", "-o", out)
    assert forced.returncode == 0, forced.stderr
    page = out.read_text(encoding="utf-8")
    assert "强制使用" in page and "应为 2022 年度" in page
