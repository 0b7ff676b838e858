"""Readers turn one file into a :class:`~audit_kit.model.document.Document`. One module per format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config import Config
from ..errors import EmptyFileError, FileMissingError, UnsupportedFormatError
from ..model.document import Document
from . import limits


def _text(path: Path, data: bytes, config: Config) -> Document:
    from .text import read_text

    return read_text(path, data, config)


def _markdown(path: Path, data: bytes, config: Config) -> Document:
    from .markdown import read_markdown

    return read_markdown(path, data, config)


def _html(path: Path, data: bytes, config: Config) -> Document:
    from .html import read_html

    return read_html(path, data, config)


def _docx(path: Path, data: bytes, config: Config) -> Document:
    from .docx import read_docx

    return read_docx(path, data, config)


def _pdf(path: Path, data: bytes, config: Config) -> Document:
    from .pdf.file import read_pdf

    return read_pdf(path, data, config)


def _legacy(path: Path, data: bytes, config: Config) -> Document:
    from .legacy import read_legacy

    return read_legacy(path, data, config)


def _image(path: Path, data: bytes, config: Config) -> Document:
    from .image import read_image

    return read_image(path, data, config)


READERS: dict[str, Callable[[Path, bytes, Config], Document]] = {
    ".txt": _text,
    ".text": _text,
    ".md": _markdown,
    ".markdown": _markdown,
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
# The size-limit kind of each reader (audit_kit.readers.limits); every suffix gets its kind from its reader.
_KIND_OF_READER: dict[Callable[[Path, bytes, Config], Document], str] = {
    _text: "text", _markdown: "text", _html: "html", _docx: "docx", _pdf: "pdf", _legacy: "legacy", _image: "image"}
KINDS = {suffix: _KIND_OF_READER[reader] for suffix, reader in READERS.items()}


def within_limit(path: Path, config: Config) -> bool:
    """Whether ``path`` is no larger than the size limit of its format (callers hashing files check first)."""
    kind = KINDS.get(path.suffix.lower())
    return kind is None or path.stat().st_size <= config.max_input_bytes(kind)


def read(path: str | Path, config: Config | None = None) -> tuple[Document, bytes]:
    """Read ``path`` with the reader for its extension; returns the document and the file's bytes.

    A file over the size limit of its format (``config``, else the environment's) is not read."""
    config = config or Config.from_env()
    p = Path(path)
    if not p.exists():
        raise FileMissingError(str(p), "文件不存在")
    if not p.is_file():
        raise FileMissingError(str(p), "不是文件（可能是目录）")
    suffix = p.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        known = "、".join(sorted(READERS))
        raise UnsupportedFormatError(str(p), f"不支持的文件类型“{p.suffix or '无扩展名'}”（支持：{known}）")
    cap = config.max_input_bytes(KINDS[suffix])
    size = p.stat().st_size
    if size == 0:
        raise EmptyFileError(str(p), "文件为空（0 字节）")
    if size > cap:
        raise limits.too_large(str(p), f"{suffix} 文件", size, cap)
    with p.open("rb") as fh:
        data = fh.read(cap + 1)  # the file may have grown since stat(): never read more than the limit
    if len(data) > cap:
        raise limits.too_large(str(p), f"{suffix} 文件", None, cap)
    return reader(p, data, config), data
