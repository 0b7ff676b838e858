"""A batch stays inside the folder it audits unless told to follow links out of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from audit_kit.batch.client import run_batch
from audit_kit.batch.files import find_files
from audit_kit.testing import samples
from tests.conftest import ROOT


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """An audited folder with a report of its own, a linked folder and a linked file that lead outside,
    and a linked folder and file that stay inside; and the outside folder."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for i in range(3):
        samples.write(samples.make_report("2021", 2023, seed=i, agency=f"外部县第{i}局"), outside / f"x{i}.txt")
    root = tmp_path / "audit"
    (root / "sub").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "samples" / "yanchi-2020.txt", root / "sub" / "own.txt")
    (root / "to-outside").symlink_to(outside, target_is_directory=True)
    (root / "one-outside.txt").symlink_to(outside / "x0.txt")
    (root / "to-sub").symlink_to(root / "sub", target_is_directory=True)
    (root / "alias.txt").symlink_to(root / "sub" / "own.txt")
    return root, outside


def test_links_out_of_the_folder_are_not_followed(tmp_path):
    root, _outside = _tree(tmp_path)
    left: list[Path] = []
    names = [p.relative_to(root).as_posix() for p in find_files(root, outside=left)]
    assert names == ["alias.txt", "sub/own.txt"]  # to-sub leads to sub, read once
    assert sorted(p.name for p in left) == ["one-outside.txt", "to-outside"]


def test_follow_links_reads_them_when_asked(tmp_path):
    root, _outside = _tree(tmp_path)
    names = [p.relative_to(root).as_posix() for p in find_files(root, follow_links=True)]
    assert names == ["alias.txt", "one-outside.txt", "sub/own.txt", "to-outside/x0.txt", "to-outside/x1.txt",
                     "to-outside/x2.txt"]


def test_a_link_to_a_system_folder_reads_nothing_outside(tmp_path):
    root, _outside = _tree(tmp_path)
    (root / "doc").symlink_to("/usr/share/doc", target_is_directory=True)
    reports = run_batch(root, tmp_path / "out", store=tmp_path / "store")
    assert all(Path(f).resolve().is_relative_to(root.resolve()) for f in reports["file"])
    assert len(reports) == 2 and "doc" in {Path(p).name for p in reports.attrs["outside"]}


def test_cli_says_what_it_left_out_and_follows_on_request(tmp_path):
    root, _outside = _tree(tmp_path)
    base = [sys.executable, "-m", "audit_kit.cli", "batch", str(root), "--store", str(tmp_path / "store")]
    done = subprocess.run([*base, "-o", str(tmp_path / "o1")], capture_output=True, text=True, timeout=300)
    assert "2 个指向" in done.stderr and "--follow-links" in done.stderr and "Traceback" not in done.stderr
    assert "共 2 个文件" in done.stdout
    done = subprocess.run([*base, "-o", str(tmp_path / "o2"), "--follow-links"], capture_output=True, text=True,
                          timeout=300)
    assert "共 6 个文件" in done.stdout and "--follow-links" not in done.stderr
