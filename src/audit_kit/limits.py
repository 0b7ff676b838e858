"""How much one input may be and inflate to, so that one hostile file cannot take a worker's memory.

Defaults admit every real report with a wide margin (real text dumps and pages are well under 1 MB, Word
files a few MB, scanned-and-OCRed PDFs 20–80 MB). The environment variable ``AUDIT_KIT_MAX_MB`` (or the
command line's ``--max-mb``, which sets it for the run and its workers) replaces every size limit below
with one number of MB, to raise them for an unusual file or to lower them.
"""

from __future__ import annotations

import os

from .errors import FileTooLargeError

ENV = "AUDIT_KIT_MAX_MB"
MB = 1024 * 1024
# The largest file read, by reader kind (MB).
MAX_INPUT_MB = {"text": 8, "html": 20, "docx": 50, "legacy": 50, "pdf": 200, "image": 50}
# The most the parts of a .docx that are read (main document, relationships, properties) may inflate to (MB).
MAX_INFLATED_MB = 50
# A text line longer than this is not read (and said in the notes): a whole report printed without any
# line break is some 20,000 characters; a line of millions is no report's and costs seconds per MB.
MAX_LINE_CHARS = 200_000

HOW_TO_RAISE = f"如确需读取，可设置环境变量 {ENV}=<MB> 或在命令行加 --max-mb <MB> 提高上限"


def _override() -> float | None:
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    try:
        mb = float(value)
    except ValueError:
        return None
    return mb if mb > 0 else None


def max_input_bytes(kind: str) -> int:
    """The largest file of reader ``kind`` ("text", "html", "docx", "legacy", "pdf", "image") that is read."""
    mb = _override() or MAX_INPUT_MB.get(kind, max(MAX_INPUT_MB.values()))
    return int(mb * MB)


def max_inflated_bytes() -> int:
    """The most the parts of a compressed container that are read may inflate to, together."""
    return int((_override() or MAX_INFLATED_MB) * MB)


def _mb(n: int) -> str:
    return f"{n / MB:.2f}".rstrip("0").rstrip(".")


def too_large(path: str, what: str, size: int | None, limit: int) -> FileTooLargeError:
    """The error for an input over ``limit`` bytes: what is too large, its size where known, the limit, the fix."""
    seen = f"（{_mb(size)} MB）" if size is not None else ""
    return FileTooLargeError(path, f"{what}过大{seen}，超过上限 {_mb(limit)} MB；{HOW_TO_RAISE}")
