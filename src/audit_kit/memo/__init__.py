"""The HTML audit memo: audit_report.ipynb (the package's copy) run with the parameters papermill injects
(on a kernel kept up across memos, see :mod:`.runner`), exported through the project's own nbconvert
template — no code, no prompts, no widget frames, CSS inline, images embedded, a print stylesheet.

The notebook is handed a report of the workspace by its id, never a file: the report is read (and its
results computed) once, in the process that asks for the memo or in the batch, and the kernel takes
both from the workspace."""

from __future__ import annotations

import os
import queue
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .. import bundled
from ..errors import MemoError
from ..workspace import Workspace
from . import fastimport  # noqa: F401  (first: nbformat's import stays fast, see there)
from .runner import Job, Lanes, Outcome

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

    from ..stored import Stored

























