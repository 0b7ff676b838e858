"""OCR results kept on disk by the file's sha256, so a rerun never OCRs a page again.

The folder is the configuration's (:attr:`audit_kit.config.Config.ocr_cache`: a workspace's ``ocr-cache/``,
the user's cache folder, or none). One JSON file per page: ``<sha[:2]>/<sha>/<version>-p<page>.json``.

A cache is never trusted: each entry keeps the sha256 of its own content (``_digest``); an entry edited,
damaged or written before digests is not used, and the page is OCR'd again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

DIGEST = "_digest"


def _digest(entry: dict) -> str:
    """The sha256 of an entry's content (as it reads back from its JSON)."""
    return hashlib.sha256(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


class OcrCache:
    """Page results by (file sha256, page number, pipeline version), in ``folder`` (None: no cache)."""

    def __init__(self, folder: str | Path | None) -> None:
        self.folder = Path(folder) if folder is not None else None

    def _path(self, sha: str, page: int, version: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / sha[:2] / sha / f"{version}-p{page}.json"

    def get(self, sha: str, page: int, version: str) -> dict | None:
        path = self._path(sha, page, version)
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged entry is read again
        if not isinstance(data, dict) or data.pop(DIGEST, None) != _digest(data):
            return None  # edited or from before digests: OCR'd again
        return data

    def put(self, sha: str, page: int, version: str, result: dict) -> None:
        path = self._path(sha, page, version)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            entry = json.loads(json.dumps(result, ensure_ascii=False))  # as it reads back
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({**entry, DIGEST: _digest(entry)}, fh, ensure_ascii=False)
            os.replace(tmp, path)  # atomic: two batch workers never see half a file
        except OSError:
            pass  # a read-only or full disk costs a rerun, never the result
