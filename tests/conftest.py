"""Shared fixtures. The real-report corpus is read in place from ../shared and skipped where absent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "dev"
SEED = SHARED / "seed" / "yanchi-2020.txt"
BUNDLED_SEED = ROOT / "data" / "samples" / "yanchi-2020.txt"


def corpus_labels() -> list[dict]:
    path = CORPUS / "labels.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not here (a user's fresh clone has none)")
    return CORPUS


@pytest.fixture
def seed_path() -> Path:
    """The seed report: the bundled copy (always present in the repository)."""
    return BUNDLED_SEED


@pytest.fixture(scope="session", autouse=True)
def session_workspace(tmp_path_factory) -> Iterator[Path]:
    """Before any fixture of a module or class runs (they are built before the per-test workspace): a
    workspace and a user cache of the session's own, so no fixture writes into a real workspace or cache."""
    from audit_kit.workspace.folder import ENV

    folder = tmp_path_factory.mktemp("session-ws") / "audit-store"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV, str(folder))
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("session-cache")))
        mp.delenv("AUDIT_KIT_OCR_CACHE", raising=False)
        yield folder


@pytest.fixture(autouse=True)
def workspace_dir(tmp_path_factory, monkeypatch) -> Path:
    """Each test gets a workspace of its own (AUDIT_KIT_WORKSPACE, inherited by the CLI and the kernels it
    starts): nothing is written into the repository's audit-store/. Tests of the discovery rule unset it."""
    from audit_kit.workspace.folder import ENV

    folder = tmp_path_factory.mktemp("ws") / "audit-store"
    monkeypatch.setenv(ENV, str(folder))
    return folder


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory, monkeypatch) -> Path:
    """Each test gets a user cache folder of its own (the OCR cache of reads outside any workspace): no
    test reads another's cached pages, and nothing is written into the real user's cache."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("AUDIT_KIT_OCR_CACHE", raising=False)
    return folder
