"""The workspace: found by one rule from any folder, settings kept, results stored with their report."""

from __future__ import annotations

import json
import shutil

import pytest

import audit_kit
from audit_kit.checks import code
from audit_kit.errors import AuditKitError
from audit_kit.workspace.access import Workspace
from audit_kit.workspace.folder import ENV, locate
from audit_kit.workspace.results import ResultStore, extend, pack, unpack


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)


def test_locate_finds_the_workspace_of_a_parent_folder_up_to_the_project(tmp_path):
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / ".git").mkdir()
    Workspace(project / "audit-store")
    assert locate(start=project / "notebooks") == project / "audit-store"
    assert locate(start=project) == project / "audit-store"


def test_a_workspace_above_the_project_folder_is_never_taken(tmp_path):
    Workspace(tmp_path / "audit-store")  # an unrelated workspace somewhere above (a stray /tmp/audit-store)
    project = tmp_path / "clone"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    assert locate(start=project / "tests") == project / "audit-store"
    outside = tmp_path / "loose" / "folder"  # no project at all: only the current folder counts
    outside.mkdir(parents=True)
    assert locate(start=outside) == outside / "audit-store"


def test_locate_without_a_workspace_uses_the_project_folder(tmp_path):
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    # from notebooks/ and from the project folder: the same place, before anything was created
    assert locate(start=project / "notebooks") == locate(start=project) == project / "audit-store"


def test_locate_falls_back_to_the_current_folder(tmp_path):
    assert locate(start=tmp_path) == tmp_path / "audit-store"


def test_explicit_folder_and_environment_win(tmp_path, monkeypatch):
    Workspace(tmp_path / "audit-store")
    assert locate(tmp_path / "elsewhere", start=tmp_path) == tmp_path / "elsewhere"
    monkeypatch.setenv(ENV, str(tmp_path / "from-env"))
    assert locate(start=tmp_path) == tmp_path / "from-env"
    assert locate(tmp_path / "explicit", start=tmp_path) == tmp_path / "explicit"


def test_settings_are_kept(tmp_path):
    ws = Workspace(tmp_path / "ws")
    assert ws.settings.auditor == ""
    ws.save_settings(auditor="张审核")
    ws.save_settings(reviewer="李复核")
    again = Workspace(tmp_path / "ws")
    assert (again.settings.auditor, again.settings.reviewer) == ("张审核", "李复核")
    assert json.loads(again.settings_path.read_text(encoding="utf-8"))["auditor"] == "张审核"
    with pytest.raises(ValueError):
        ws.save_settings(colour="red")


def test_a_file_is_not_a_workspace(tmp_path):
    f = tmp_path / "store"
    f.write_text("x")
    with pytest.raises(AuditKitError, match="不是文件夹"):
        Workspace(f)


def test_results_round_trip(tmp_path, seed_path):
    report = audit_kit.load(seed_path)
    results = audit_kit.check(report)
    with ResultStore(tmp_path) as rs:
        rows = results.to_dict(orient="records")
        rs.put_many([(report.report_id, None, pack(rows), len(rows))])
        back = rs.get(report.report_id, None)
        assert back is not None
        assert back[["check_id", "status", "severity", "message", "fingerprint"]].equals(
            results[["check_id", "status", "severity", "message", "fingerprint"]])
        assert list(back["evidence"]) == [json.loads(json.dumps(e)) for e in results["evidence"]]
        # results checked against another prior, or by other check code, are not these
        assert rs.get(report.report_id, "another-prior") is None
        assert rs.get(report.report_id, None, checks="0" * 16) is None


@pytest.mark.parametrize(("first", "more"), [
    ([{"check_id": "T3-1", "status": "pass", "n": 1.5}], [{"check_id": "Y-1", "status": "fail", "evidence": [{"a": "、"}]}]),
    ([], [{"check_id": "Y-1", "status": "pass"}]),
    ([{"check_id": "T3-1", "status": "pass"}], []),
    ([], []),
])
def test_packed_rows_extended_without_decoding_read_back_whole(first, more):
    assert unpack(extend(pack(first), more)) == first + more


def test_checks_fingerprint_hashes_files_that_exist_and_follows_the_check_code(tmp_path, monkeypatch):
    for pattern in code.SOURCES:  # every pattern names files of the package as it is laid out now
        assert list(code.PACKAGE.glob(pattern)), pattern
    assert {p.name for p in code.sources()} >= {"arithmetic.py", "claims.py", "forms.py", "cells.csv"}
    package = tmp_path / "audit_kit"
    shutil.copytree(code.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    compute = code.checks_fingerprint.__wrapped__
    monkeypatch.setattr(code, "PACKAGE", package)
    before = compute()
    assert before == compute()
    for edited in ("checks/arithmetic.py", "extract/claims.py", "data/labels.csv"):
        with (package / edited).open("a", encoding="utf-8") as f:
            f.write("\n# a changed check\n")
        after = compute()
        assert after != before, edited
        before = after
    (package / "review" / "charts.py").write_text("# not what the checks depend on\n", encoding="utf-8")
    assert compute() == before
