"""The error for an input over a size limit of :class:`~audit_kit.config.Config` (the limits themselves are
the configuration's), so that one hostile file cannot take a worker's memory."""

from __future__ import annotations

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
