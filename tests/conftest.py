"""Shared fixtures. The real-report corpus is read in place from ../shared and skipped where absent."""

from __future__ import annotations

import json
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
