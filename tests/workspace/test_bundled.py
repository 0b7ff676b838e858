"""The package carries its notebooks and seed; the repository's notebooks/ are the package's
copies (written by ``make notebooks``), and no module looks for files outside the package."""

from __future__ import annotations

import json
import re

from audit_kit import bundled
from tests.conftest import BUNDLED_SEED, ROOT


def _code(path) -> list[tuple[str, str, list[str]]]:
    """What a notebook does: each cell's type, source and tags (outputs a user saved do not count)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(c["cell_type"], "".join(c["source"]), c.get("metadata", {}).get("tags", [])) for c in cells]


def test_the_repository_notebooks_are_the_package_notebooks():
    for name in bundled.NOTEBOOKS:
        assert _code(ROOT / "notebooks" / name) == _code(bundled.notebook(name)), (
            f"notebooks/{name} 与包内的 src/audit_kit/notebooks/{name} 不同：修改包内的笔记本后运行 make notebooks")


def test_the_bundled_seed_is_the_sample_seed():
    assert bundled.seed().read_bytes() == BUNDLED_SEED.read_bytes()


def test_no_module_reaches_out_of_the_package_for_files():
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in (ROOT / "src" / "audit_kit").rglob("*.py")
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"parents\[\d\]|parent\.parent\.parent", line)]
    assert offenders == []


def test_copy_notebooks_writes_every_notebook(tmp_path):
    written = bundled.copy_notebooks(tmp_path / "nb")
    assert sorted(p.name for p in written) == sorted(bundled.NOTEBOOKS)
    assert all(p.read_bytes() == bundled.notebook(p.name).read_bytes() for p in written)
