"""Readers turn one file into a :class:`~audit_kit.document.Document`. One module per format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..document import Document
from ..errors import EmptyFileError, FileMissingError, FileTooLargeError, UnsupportedFormatError

MAX_BYTES = 40 * 1024 * 1024  # the largest real report seen is a few MB; 40 MB is a scan or not a report


def _text(path: Path, data: bytes) -> Document:
    from .text import read_text

    return read_text(path, data)


def _html(path: Path, data: bytes) -> Document:
    from .html import read_html

    return read_html(path, data)


def _docx(path: Path, data: bytes) -> Document:
    from .docx import read_docx

    return read_docx(path, data)


def _pdf(path: Path, data: bytes) -> Document:
    from .pdf import read_pdf

    return read_pdf(path, data)


def _legacy(path: Path, data: bytes) -> Document:
    from .legacy import read_legacy

    return read_legacy(path, data)


def _image(path: Path, data: bytes) -> Document:
    from .image import read_image

    return read_image(path, data)


READERS: dict[str, Callable[[Path, bytes], Document]] = {
    ".txt": _text,
    ".text": _text,
    ".html": _html,
    ".htm": _html,
    ".shtml": _html,
    ".xhtml": _html,
    ".docx": _docx,
    ".pdf": _pdf,
    ".doc": _legacy,
    ".wps": _legacy,
    ".png": _image,
    ".jpg": _image,
    ".jpeg": _image,
    ".tif": _image,
    ".tiff": _image,
}


def read(path: str | Path, max_bytes: int = MAX_BYTES) -> tuple[Document, bytes]:
    """Read ``path`` with the reader for its extension; returns the document and the file's bytes."""
    p = Path(path)
    if not p.exists():
        raise FileMissingError(str(p), "文件不存在")
    if not p.is_file():
        raise FileMissingError(str(p), "不是文件（可能是目录）")
    reader = READERS.get(p.suffix.lower())
    if reader is None:
        known = "、".join(sorted(READERS))
        raise UnsupportedFormatError(str(p), f"不支持的文件类型“{p.suffix or '无扩展名'}”（支持：{known}）")
    size = p.stat().st_size
    if size == 0:
        raise EmptyFileError(str(p), "文件为空（0 字节）")
    if size > max_bytes:
        raise FileTooLargeError(str(p), f"文件过大（{size / 1048576:.1f} MB，上限 {max_bytes // 1048576} MB）")
    data = p.read_bytes()
    return reader(p, data), data
