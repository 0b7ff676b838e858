"""How audit-kit runs: size limits, the OCR cache folder and time limits, in one frozen object.

It is read from the environment once, by whoever starts the work (the command line, a notebook's first
call, a batch's client), and handed down to readers and batch tasks — it pickles, so Dask workers get the
client's. Nothing in the library writes it into the process (``os.environ``). The variables:

- ``AUDIT_KIT_MAX_MB``: one number of MB replacing every size limit of :data:`MAX_INPUT_MB` and
  :data:`MAX_INFLATED_MB` (the command line's ``--max-mb``);
- ``AUDIT_KIT_OCR_CACHE``: the OCR cache folder, or ``off``; unset, a workspace keeps its cache in its own
  ``ocr-cache/`` and a read outside any workspace uses the user's cache folder (``$XDG_CACHE_HOME`` or
  ``~/.cache``, then ``audit-kit/ocr``) — never a folder found from the current one;
- ``AUDIT_KIT_OCR_THREADS``: threads of the OCR engine (default 1: a batch runs one worker per core);
- ``AUDIT_KIT_MAX_PAGES``: the most pages (PDF pages, image frames, pictures to OCR) one report may have
  (default :data:`MAX_PAGES`; the command line's ``--max-pages``): a file with more is refused, not read
  part-way.

Images are bounded too: a page image is rendered at the scale OCR works at, chosen from the page's size
(never more than :data:`MAX_PAGE_PIXELS`), and an image file or frame of more than :data:`MAX_PIXELS`
pixels is refused before it is decoded. The per-file time limit (``file_timeout``) covers OCR: a batch
hands each file a ``deadline`` that OCR checks between pages and between batches of lines.

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
MAX_PAGES_ENV = "AUDIT_KIT_MAX_PAGES"
# The largest file read, by reader kind (MB).
MAX_INPUT_MB = {"text": 8, "html": 20, "docx": 50, "legacy": 50, "pdf": 200, "image": 50}
# The most the parts of a .docx that are read (main document, relationships, properties) may inflate to (MB).
MAX_INFLATED_MB = 50
# A text line longer than this is not read (and said in the notes): a whole report printed without any
# line break is some 20,000 characters; a line of millions is no report's and costs seconds per MB.
MAX_LINE_CHARS = 200_000
FILE_TIMEOUT_S = 120.0  # reading and checking one file of a batch; the largest real report takes about 2 s
CONVERSION_TIMEOUT_S = 120.0  # LibreOffice converting one .doc/.wps
# Pages of one report: real reports have 5–40; a scan of 2,000 pages would be hours of OCR.
MAX_PAGES = 200
# Pixels of an image file or frame decoded for OCR: a 600 dpi A3 scan is 70 million; more is refused before
# decoding (a decompression bomb declares billions in a few bytes).
MAX_PIXELS = 80_000_000
# Pixels of a PDF page rendered for OCR or review: OCR works at 2,400 × 4,200 at most (readers/ocr/layout.py),
# so a page is rendered at that size whatever its points say; a picture for review is scaled to stay under.
MAX_PAGE_PIXELS = 12_000_000
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
    max_pages: int = MAX_PAGES
    max_pixels: int = MAX_PIXELS
    # time.monotonic() by which the file being read must be done (None: no limit): set per file by a batch
    # from ``file_timeout``, checked by OCR between pages, so the limit holds in any thread or worker
    deadline: float | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """The configuration the environment gives (``os.environ`` unless ``environ``)."""
        env = os.environ if environ is None else environ
        cache = env.get(OCR_CACHE_ENV)
        threads = _positive(env.get(OCR_THREADS_ENV))
        pages = _positive(env.get(MAX_PAGES_ENV))
        return cls(max_mb=_positive(env.get(MAX_MB_ENV)),
                   ocr_cache=(None if cache.strip().lower() in _OFF else Path(cache)) if cache is not None else user_cache(),
                   ocr_cache_given=cache is not None, ocr_threads=int(threads) if threads else 1,
                   max_pages=int(pages) if pages else MAX_PAGES)

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
