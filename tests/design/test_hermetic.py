"""The test suite never writes into a real workspace: fixtures built once per module (before the per-test
workspace exists) see a temporary workspace too, never the repository's audit-store/."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from audit_kit.workspace.folder import locate
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def found_by_a_module_fixture() -> Path:
    return locate()


def test_a_module_scoped_fixture_finds_a_temporary_workspace(found_by_a_module_fixture):
    found = found_by_a_module_fixture.resolve()
    assert not found.is_relative_to(ROOT.resolve()), found
    assert found.is_relative_to(Path(tempfile.gettempdir()).resolve()), found
