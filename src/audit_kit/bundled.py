"""What the package carries for its users: the audit notebooks and the seed report, as package data found
with ``importlib.resources`` — an installed wheel has them too, and nothing is looked up outside the package.

The package's notebooks are the source (the memo runs them). The repository's top-level ``notebooks/``
holds copies for JupyterLab users, written by ``python -m audit_kit.bundled notebooks`` (``make
notebooks``); ``tests/workspace/test_bundled.py`` fails when their code differs (outputs a user saved do not count).
"""

from __future__ import annotations

import argparse
import shutil
from importlib import resources
from pathlib import Path

__version__ = "0.1.0"  # the one source of the version (pyproject.toml reads it)
NOTEBOOKS = ("audit_report.ipynb", "audit_batch.ipynb")


def path(*parts: str) -> Path:
    """A file of the package's data (an installed package is a folder, so this is a real path)."""
    return Path(str(resources.files("audit_kit").joinpath(*parts)))


def notebook(name: str) -> Path:
    """One of the package's notebooks (:data:`NOTEBOOKS`)."""
    return path("notebooks", name)


def seed() -> Path:
    """The seed report (盐池县机关事务服务中心 2020 年度报告), shipped with the package."""
    return path("data", "seed", "yanchi-2020.txt")


def copy_notebooks(dest: str | Path) -> list[Path]:
    """Write the package's notebooks into ``dest`` (the repository's ``notebooks/``)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(notebook(n), dest / n)) for n in NOTEBOOKS]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="把包内的审核笔记本复制到指定文件夹（仓库的 notebooks/）")
    ap.add_argument("dest", type=Path)
    for p in copy_notebooks(ap.parse_args(argv).dest):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
