"""The files a batch reads: every supported file under a folder, links followed only inside it."""

from __future__ import annotations

import os
from pathlib import Path

from .. import readers


def find_files(root: Path, skip: tuple[Path, ...] = (), follow_links: bool = False,
               outside: list[Path] | None = None) -> list[Path]:
    """Every supported file under ``root`` (sub-folders too), in a stable order; hidden files and folders,
    and the folders in ``skip`` (the output, the store), are left out.

    A linked folder or file whose target is inside ``root`` is followed once; one that leads out of
    ``root`` is not, unless ``follow_links`` — its path goes into ``outside`` when a list is given."""
    top = Path(root).resolve()
    skip = tuple(p.resolve() for p in skip)
    seen: set[Path] = set()
    out = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        here = Path(folder).resolve()
        if here in seen or any(here.is_relative_to(s) for s in skip):
            dirs[:] = []
            continue
        seen.add(here)
        kept = []
        for d in sorted(d for d in dirs if not d.startswith(".")):
            if _leaves(Path(folder) / d, top, follow_links, outside):
                continue
            kept.append(d)
        dirs[:] = kept
        out += [Path(folder) / n for n in names
                if not n.startswith(".") and Path(n).suffix.lower() in readers.READERS and (Path(folder) / n).is_file()
                and not _leaves(Path(folder) / n, top, follow_links, outside)]
    return sorted(out)


def _leaves(path: Path, top: Path, follow_links: bool, outside: list[Path] | None) -> bool:
    """True when ``path`` is a link out of ``top`` that is not to be followed (and note it)."""
    if follow_links or not path.is_symlink() or path.resolve().is_relative_to(top):
        return False
    if outside is not None:
        outside.append(path)
    return True
