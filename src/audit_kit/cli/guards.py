"""Guards on the paths a command writes, checked before any work starts: an output is never an input (the
same file by path, symlink or hard link), a file is not a folder (nor the reverse), and nothing is written
inside the folder being audited unless the auditor asked for it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from ..batch import outputs
from ..errors import OutputPathError


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether ``a`` and ``b`` are one file or folder (same inode, so links count); False if one is missing."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def inside(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it, links resolved."""
    p, f = Path(path).resolve(), Path(folder).resolve()
    return p == f or p.is_relative_to(f) or same_file(path, folder)


def not_an_input(outputs: Mapping[str, str | Path | None], inputs: Mapping[str, str | Path | None]) -> None:
    """Refuse an output that is one of the inputs. Keys are what the path is, in Chinese (“输出文件”)."""
    for out_label, out in outputs.items():
        for in_label, inp in inputs.items():
            if out and inp and (same_file(out, inp) or Path(out).resolve() == Path(inp).resolve()):
                raise OutputPathError(str(out), f"{out_label}与{in_label}（{inp}）是同一个文件，写入会覆盖它；"
                                                "请换一个输出位置")


def output_file(path: str | Path, label: str) -> None:
    """A file to be written: not a folder, and its folder (the nearest existing ancestor) is a folder."""
    p = Path(path)
    if p.is_dir():
        raise OutputPathError(str(path), f"{label}是一个文件夹；请给出文件名（例如 审核意见书.html）")
    parent = next((a for a in p.absolute().parents if a.exists()), None)
    if parent is not None and not parent.is_dir():
        raise OutputPathError(str(path), f"{label}所在的位置 {parent} 是文件，不是文件夹")


def output_folder(path: str | Path, label: str) -> None:
    """A folder to be written into: not an existing file."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputPathError(str(path), f"{label}已存在且是文件，不是文件夹；请换一个位置")
    output_file(p / "x", label)  # an ancestor that is a file


def outside(paths: Mapping[str, str | Path | None], root: str | Path, option: str) -> None:
    """Refuse any of ``paths`` that is in (or is) the audited folder ``root``, naming ``option`` to allow it."""
    for label, p in paths.items():
        if p and inside(p, root):
            raise OutputPathError(str(p), f"{label}在被审核的文件夹 {root} 之内：审核不在原始材料中写入；"
                                          f"请换一个位置，或加 {option} 明确允许")


def batch_outputs_not_inputs(outdir: str | Path, inputs: Callable[[], Iterable[str | Path]]) -> None:
    """Refuse a batch whose output folder already holds, under an output's name, a link to an input report
    (``inputs`` lists the reports; it is called only when an output is a link)."""
    linked = [p for p in (Path(outdir) / n for n in (*outputs.FILES, outputs.INDEX))
              if p.exists() and (p.is_symlink() or p.stat().st_nlink > 1)]
    if not linked:
        return
    for inp in inputs():
        for out in linked:
            if same_file(out, inp):
                raise OutputPathError(str(out), f"输出文件与被审核的文件（{inp}）是同一个文件，写入会覆盖它；"
                                                "请换一个输出文件夹")
