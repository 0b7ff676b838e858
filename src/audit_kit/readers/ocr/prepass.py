"""A batch's OCR pre-pass: the scanned pages of all its files OCR'd as tasks of their own, spread over the
batch's workers, into the OCR cache; the normal read of each file then finds every page there.

Without it a scanned report is OCR'd page after page inside the one worker that reads it, so a batch of a
few long scans keeps one core busy. :func:`scan_jobs` lists the pages that need OCR (image-only PDF pages,
page images and TIFF frames not yet in the cache); :func:`run_page` OCRs one. Pictures in .docx files are
left to the normal read (whether they need OCR depends on the document's text). The batch's workspace
holds the cache (:func:`workspace_cache`), so its workers and a later run share it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from concurrent.futures import Executor
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


def _pdf_scanned_pages(data: bytes) -> list[int]:
    """0-based pages with an image and no text (what ``readers/pdf_file.py`` hands to OCR)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(data)
    try:
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
                pages = [(i + 1, "pdf", i) for i in _pdf_scanned_pages(data)]
            else:
                pages = [(i + 1, "image", i) for i in range(frame_count(path, data))]
        except Exception:  # the read reports it, one line per file
            continue
        sha = hashlib.sha256(data).hexdigest()
        jobs += [PageJob(str(path), sha, n, kind, index, str(folder), config.ocr_threads, version)
                 for n, kind, index in pages if store.get(sha, n, version) is None]
    return jobs


def run_page(job: PageJob) -> tuple[str, int, int, str]:
    """OCR one page into the cache (in a worker): (file, page, worker pid, error or "")."""
    from . import pages as ocr

    try:
        data = Path(job.path).read_bytes()
        if job.kind == "pdf":
            from ..pdf.scan import render_page

            image = render_page(data, job.frame)
        else:
            from ..image import load_frame

            image = load_frame(Path(job.path), data, job.frame)
        result = ocr.ocr_page(image, job.page, job.threads)
    except Exception as exc:  # the normal read of the file meets it again and says so
        return job.path, job.page, os.getpid(), f"{type(exc).__name__}: {exc}"
    result["by"] = {"pass": "batch", "pid": os.getpid()}
    OcrCache(job.cache).put(job.sha, job.page, job.version, result)
    return job.path, job.page, os.getpid(), ""


def ocr_pages(pool: Executor | None, files: list[str], config: Config, show: bool = False) -> list[tuple[str, int, int, str]]:
    """The pre-pass: every scanned page of ``files`` OCR'd into the cache, over ``pool``'s workers (in
    this process without a pool), with a progress bar per page."""
    import sys

    from tqdm import tqdm

    jobs = scan_jobs(files, config)
    if not jobs:
        return []
    done = pool.map(run_page, jobs) if pool is not None else map(run_page, jobs)
    return list(tqdm(done, total=len(jobs), unit="页", desc="OCR 扫描页", disable=not show, file=sys.stderr))
