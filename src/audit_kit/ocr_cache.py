"""OCR results kept on disk by the file's sha256, so a rerun never OCRs a page again.

The folder is ``AUDIT_KIT_OCR_CACHE`` when set (``off`` turns the cache off), else the workspace's
``ocr-cache/`` (``workspace.locate()``: ``--store``, ``AUDIT_KIT_WORKSPACE`` or the nearest
``audit-store/``). One JSON file per page: ``<sha[:2]>/<sha>/<version>-p<page>.json``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

ENV = "AUDIT_KIT_OCR_CACHE"
DIRNAME = "ocr-cache"


def cache_dir(folder: str | Path | None = None, workspace: str | Path | None = None) -> Path | None:
    """The cache folder to use, or None when caching is off: ``folder``, else ``AUDIT_KIT_OCR_CACHE``,
    else ``ocr-cache/`` in the workspace (``workspace`` or the one :func:`audit_kit.workspace.locate` finds)."""
    if folder is not None:
        return Path(folder)
    env = os.environ.get(ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    from .workspace import locate

    return locate(workspace) / DIRNAME


class OcrCache:
    """Page results by (file sha256, page number, pipeline version)."""

    def __init__(self, folder: str | Path | None = None, workspace: str | Path | None = None) -> None:
        self.folder = cache_dir(folder, workspace)
        self._in_workspace = folder is None and os.environ.get(ENV) is None

    def _path(self, sha: str, page: int, version: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / sha[:2] / sha / f"{version}-p{page}.json"

    def get(self, sha: str, page: int, version: str) -> dict | None:
        path = self._path(sha, page, version)
        if path is None or not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged entry is read again

    def put(self, sha: str, page: int, version: str, result: dict) -> None:
        path = self._path(sha, page, version)
        if path is None:
            return
        try:
            if self._in_workspace and self.folder is not None and not self.folder.parent.exists():
                from .workspace import Workspace

                Workspace(self.folder.parent)  # a new workspace gets its marker, so locate() finds it again
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(result, fh, ensure_ascii=False)
            os.replace(tmp, path)  # atomic: two batch workers never see half a file
        except OSError:
            pass  # a read-only or full disk costs a rerun, never the result
