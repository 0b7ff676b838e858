"""A batch's OCR pre-pass: the scanned pages of all its files OCR'd as tasks of their own, spread over the
batch's workers, into the OCR cache; the normal read of each file then finds every page there.

Without it a scanned report is OCR'd page after page inside the one worker that reads it, so a batch of a
few long scans keeps one core busy. :func:`scan_jobs` lists the pages that need OCR (image-only PDF pages,
page images and TIFF frames not yet in the cache); :func:`run_page` OCRs one. Pictures in .docx files are
left to the normal read (whether they need OCR depends on the document's text). The batch's workspace
holds the cache (:func:`workspace_cache`), so its workers and a later run share it.

The per-file time limit covers this pass: each page is read within the file's limit (a deadline checked
between its steps), the time its pages took is summed per file, and once a file has used its limit its
other pages are not read. The batch's read of the file then has only what is left of the limit
(:func:`ocr_pages` returns the seconds each file used), so a file is never given its limit twice. Files of
more pages than ``config.max_pages`` get no jobs: the read refuses them.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import NamedTuple

from ...config import Config
from .cache import OcrCache

_IMAGES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


class PageJob(NamedTuple):
    path: str
    sha: str
    page: int  # 1-based, as the readers number pages
    kind: str  # "pdf" | "image"
    frame: int  # the PDF page (0-based) or the image frame
    cache: str  # the cache folder
    threads: int  # the OCR engine's threads (Config.ocr_threads)
    version: str  # the OCR pipeline's version (ocr.cache_version)
    budget: float = 0.0  # seconds one page may take: the file's time limit (0: none)
    max_pixels: int = 0  # the largest image frame decoded (0: the configuration's default)


class PageDone(NamedTuple):
    """One page job's outcome: the file, the page, the worker's pid, the error ("" when cached) and the
    seconds it took."""

    path: str
    page: int
    pid: int
    error: str
    seconds: float


def _pdf_scanned_pages(data: bytes, max_pages: int) -> list[int]:
    """0-based pages with an image and no text (what ``readers/pdf_file.py`` hands to OCR); none for a PDF
    of more than ``max_pages`` pages (the read refuses it)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(data)
    try:
        if len(pdf) > max_pages:
            return []
        out = []
        for i in range(len(pdf)):
            page = pdf[i]
            text = page.get_textpage()
            try:
                has_text = bool(text.get_text_range().strip())
            finally:
                text.close()
            if not has_text and any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2)):
                out.append(i)
            page.close()
        return out
    finally:
        pdf.close()


def scan_jobs(files: Iterable[str | Path], config: Config) -> list[PageJob]:
    """The pages of ``files`` that need OCR and are not cached yet. A file that cannot be opened gives no
    job: the normal read says what is wrong with it."""
    from .. import within_limit
    from ..image import frame_count
    from .pages import cache_version

    folder = config.ocr_cache
    if folder is None:
        return []
    store = OcrCache(folder)
    version = cache_version()
    jobs: list[PageJob] = []
    for f in files:
        path = Path(f)
        suffix = path.suffix.lower()
        if suffix != ".pdf" and suffix not in _IMAGES:
            continue
        try:
            if not within_limit(path, config):
                continue
            data = path.read_bytes()
            if suffix == ".pdf":
                pages = [(i + 1, "pdf", i) for i in _pdf_scanned_pages(data, config.max_pages)]
            else:
                pages = [(i + 1, "image", i) for i in range(frame_count(path, data, config))]
        except Exception:  # the read reports it, one line per file
            continue
        sha = hashlib.sha256(data).hexdigest()
        jobs += [PageJob(str(path), sha, n, kind, index, str(folder), config.ocr_threads, version,
                         max(0.0, config.file_timeout), config.max_pixels)
                 for n, kind, index in pages if store.get(sha, n, version) is None]
    return jobs


def run_page(job: PageJob) -> PageDone:
    """OCR one page into the cache (in a worker), within ``job.budget`` seconds."""
    from ...config import MAX_PIXELS
    from .engine import OutOfTime

    started = time.monotonic()
    deadline = started + job.budget if job.budget > 0 else None
    try:
        from . import pages as ocr

        data = Path(job.path).read_bytes()
        if job.kind == "pdf":
            from ..pdf.scan import render_page

            image = render_page(data, job.frame)
        else:
            from ..image import load_frame

            image = load_frame(Path(job.path), data, job.frame, job.max_pixels or MAX_PIXELS)
        result = ocr.ocr_page(image, job.page, job.threads, deadline)
    except OutOfTime:
        return PageDone(job.path, job.page, os.getpid(), "OutOfTime", time.monotonic() - started)
    except Exception as exc:  # the normal read of the file meets it again and says so
        return PageDone(job.path, job.page, os.getpid(), f"{type(exc).__name__}: {exc}", time.monotonic() - started)
    result["by"] = {"pass": "batch", "pid": os.getpid()}
    OcrCache(job.cache).put(job.sha, job.page, job.version, result)
    return PageDone(job.path, job.page, os.getpid(), "", time.monotonic() - started)


def ocr_pages(pool: Executor | None, files: list[str], config: Config, show: bool = False) -> dict[str, float]:
    """The pre-pass: every scanned page of ``files`` OCR'd into the cache, over ``pool``'s workers (in
    this process without a pool), with a progress bar per page. Returns the seconds of OCR each file used;
    a file that used its time limit (``config.file_timeout``) has its other pages left unread."""
    import sys

    from tqdm import tqdm

    jobs = scan_jobs(files, config)
    spent: dict[str, float] = {}
    if not jobs:
        return spent
    limit = config.file_timeout
    bar = tqdm(total=len(jobs), unit="页", desc="OCR 扫描页", disable=not show, file=sys.stderr)

    def over(path: str) -> bool:
        return limit > 0 and spent.get(path, 0.0) >= limit

    def took(done: PageDone) -> None:
        spent[done.path] = spent.get(done.path, 0.0) + done.seconds
        bar.update()

    if pool is None:
        for job in jobs:
            if over(job.path):
                bar.update()
                continue
            took(run_page(job._replace(budget=limit - spent.get(job.path, 0.0) if limit > 0 else 0.0)))
    else:
        _on_pool(pool, jobs, over, took, bar.update)
    bar.close()
    return spent


def _on_pool(pool: Executor, jobs: list[PageJob], over, took, skipped) -> None:
    """The jobs on ``pool`` as they complete; the waiting jobs of a file that is ``over`` its limit are
    cancelled (those already running end by their own deadline)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    waiting: dict[Future, PageJob] = {pool.submit(run_page, job): job for job in jobs}
    while waiting:
        done, _ = wait(list(waiting), return_when=FIRST_COMPLETED)
        for future in done:
            job = waiting.pop(future)
            if future.cancelled():
                skipped()
                continue
            took(future.result())
            if over(job.path):
                for other, what in list(waiting.items()):
                    if what.path == job.path and other.cancel():
                        waiting.pop(other)
                        skipped()
