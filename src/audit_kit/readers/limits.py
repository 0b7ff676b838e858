"""The error for an input over a size limit of :class:`~audit_kit.config.Config` (the limits themselves are
the configuration's), so that one hostile file cannot take a worker's memory."""

from __future__ import annotations

import zipfile

from ..config import MAX_MB_ENV, MAX_PAGES_ENV, MB
from ..errors import FileTooLargeError, PageLimitError

HOW_TO_RAISE = f"如确需读取，可设置环境变量 {MAX_MB_ENV}=<MB> 或在命令行加 --max-mb <MB> 提高上限"


def _mb(n: int) -> str:
    return f"{n / MB:.2f}".rstrip("0").rstrip(".")


def too_large(path: str, what: str, size: int | None, limit: int) -> FileTooLargeError:
    """The error for an input over ``limit`` bytes: what is too large, its size where known, the limit, the fix."""
    seen = f"（{_mb(size)} MB）" if size is not None else ""
    return FileTooLargeError(path, f"{what}过大{seen}，超过上限 {_mb(limit)} MB；{HOW_TO_RAISE}")


def too_many_pages(path: str, what: str, limit: int) -> PageLimitError:
    """The error for a report of more pages than ``limit``: ``what`` it has (“PDF 共 2000 页”), the limit, the fix."""
    return PageLimitError(path, f"{what}，超过页数上限 {limit} 页，未读取；如确需读取，可在命令行加 --max-pages <页数>"
                                f"（或设置环境变量 {MAX_PAGES_ENV}）")


_CHUNK = 1024 * 1024


class InflateBudget:
    """What the members read from one zip package (.docx, .xlsx) may inflate to, together; reading past it
    raises :class:`FileTooLargeError`. Declared sizes are checked first, and the bytes actually inflated are
    counted while reading (a declared size can lie)."""

    def __init__(self, path: str, limit: int) -> None:
        self.path, self.limit, self.used = path, limit, 0

    def read(self, z: zipfile.ZipFile, name: str, keep: bool = True) -> bytes:
        """The member ``name`` inflated (``keep=False``: only counted, nothing kept in memory)."""
        info = z.getinfo(name)
        if self.used + info.file_size > self.limit:
            raise self._error(name, info.file_size)
        chunks = []
        with z.open(info) as fh:
            while chunk := fh.read(_CHUNK):  # each read inflates at most about _CHUNK bytes
                self.used += len(chunk)
                if self.used > self.limit:
                    raise self._error(name, None)
                if keep:
                    chunks.append(chunk)
        return b"".join(chunks)

    def check_all(self, z: zipfile.ZipFile) -> None:
        """Inflate every member once, keeping nothing: the whole package is within the budget."""
        declared = sum(i.file_size for i in z.infolist())
        if declared > self.limit:
            raise too_large(self.path, "压缩包解压后", declared, self.limit)
        for info in z.infolist():
            self.read(z, info.filename, keep=False)

    def _error(self, name: str, declared: int | None) -> FileTooLargeError:
        return too_large(self.path, f"压缩包中的“{name}”解压后", declared, self.limit)

