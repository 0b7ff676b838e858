"""The files a batch reads: every supported file under a folder, links followed only inside it."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import math
import os
import pickle
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import orjson
import pandas as pd
import pyarrow as pa

from . import batch_engine, batchlog, locks, outputs, readers
from .checks.registry import RESULT_COLUMNS, Context, Light, run_context, run_rows
from .checks.years import light
from .csvsafe import write_csv
from .errors import AuditKitError, FileTimeoutError
from .indicators import INDICATORS, cell_map
from .meta import ReportMeta
from .parts import Joiner, write_part
from .readers import ocr_batch
from .report import CELL_SCHEMA as REPORT_CELLS
from .report import Report, load
from .results_store import ResultStore, extend, pack
from .store import ReportStore, drop_frozen
from .stored import CROSS_YEAR, ONE_REPORT, unordered_rows


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
