"""How audit-kit runs: size limits, the OCR cache folder and time limits, in one frozen object.

It is read from the environment once, by whoever starts the work (the command line, a notebook's first
call, a batch's client), and handed down to readers and batch tasks — it pickles, so Dask workers get the
client's. Nothing in the library writes it into the process (``os.environ``). The variables:

- ``AUDIT_KIT_MAX_MB``: one number of MB replacing every size limit of :data:`MAX_INPUT_MB` and
  :data:`MAX_INFLATED_MB` (the command line's ``--max-mb``);
- ``AUDIT_KIT_OCR_CACHE``: the OCR cache folder, or ``off``; unset, a workspace keeps its cache in its own
  ``ocr-cache/`` and a read outside any workspace uses the user's cache folder (``$XDG_CACHE_HOME`` or
  ``~/.cache``, then ``audit-kit/ocr``) — never a folder found from the current one;
- ``AUDIT_KIT_OCR_THREADS``: threads of the OCR engine (default 1: a batch runs one worker per core).

Defaults admit every real report with a wide margin (real text dumps and pages are well under 1 MB, Word
files a few MB, scanned-and-OCRed PDFs 20–80 MB).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

MB = 1024 * 1024
MAX_MB_ENV = "AUDIT_KIT_MAX_MB"
OCR_CACHE_ENV = "AUDIT_KIT_OCR_CACHE"
OCR_THREADS_ENV = "AUDIT_KIT_OCR_THREADS"
# The largest file read, by reader kind (MB).
MAX_INPUT_MB = {"text": 8, "html": 20, "docx": 50, "legacy": 50, "pdf": 200, "image": 50}
# The most the parts of a .docx that are read (main document, relationships, properties) may inflate to (MB).
MAX_INFLATED_MB = 50
# A text line longer than this is not read (and said in the notes): a whole report printed without any
# line break is some 20,000 characters; a line of millions is no report's and costs seconds per MB.
MAX_LINE_CHARS = 200_000
FILE_TIMEOUT_S = 120.0  # reading and checking one file of a batch; the largest real report takes about 2 s
CONVERSION_TIMEOUT_S = 120.0  # LibreOffice converting one .doc/.wps
_OFF = ("", "off", "0", "none")


def user_cache() -> Path:
    """The user's cache folder for audit-kit's OCR results outside any workspace."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "audit-kit" / "ocr"


def _positive(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if value > 0 else None


@dataclass(frozen=True)
class Config:
    """One run's configuration. ``ocr_cache`` None: OCR results are not cached."""

    max_mb: float | None = None  # replaces every size limit when set
    ocr_cache: Path | None = None
    ocr_cache_given: bool = False  # set by AUDIT_KIT_OCR_CACHE: a workspace does not move it
    ocr_threads: int = 1
    file_timeout: float = FILE_TIMEOUT_S  # 0: no limit
    conversion_timeout: float = CONVERSION_TIMEOUT_S

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """The configuration the environment gives (``os.environ`` unless ``environ``)."""
        env = os.environ if environ is None else environ
        cache = env.get(OCR_CACHE_ENV)
        threads = _positive(env.get(OCR_THREADS_ENV))
        return cls(max_mb=_positive(env.get(MAX_MB_ENV)),
                   ocr_cache=(None if cache.strip().lower() in _OFF else Path(cache)) if cache is not None else user_cache(),
                   ocr_cache_given=cache is not None, ocr_threads=int(threads) if threads else 1)

    def but(self, **changes: object) -> Config:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def in_workspace(self, root: Path) -> Config:
        """This configuration for work in the workspace ``root``: its OCR cache there, unless one was given."""
        return self if self.ocr_cache_given else self.but(ocr_cache=root / "ocr-cache")

    def max_input_bytes(self, kind: str) -> int:
        """The largest file of reader ``kind`` ("text", "html", "docx", "legacy", "pdf", "image") that is read."""
        return int((self.max_mb or MAX_INPUT_MB.get(kind, max(MAX_INPUT_MB.values()))) * MB)

    def max_inflated_bytes(self) -> int:
        """The most the parts of a compressed container that are read may inflate to, together."""
        return int((self.max_mb or MAX_INFLATED_MB) * MB)
