"""Errors audit-kit raises. Every message names the file (or the place) and says why, in Chinese.

Errors are data: each class has a stable ``code`` (the ``error_type`` column of a batch's ``reports.csv``)
and a ``kind`` that tells what went wrong apart —

- ``input``: the file itself (missing, unsupported, empty, too large, broken, not a report);
- ``usage``: what was asked (an output over an input, a busy folder, an unknown report id, a wrong prior);
- ``run``: the run (a converter, the OCR engine, a time limit, a memo's notebook, the workspace's state).

Every error pickles and unpickles with its path and reason (errors cross process and Dask boundaries), and
is raised ``from`` the exception that caused it, so logs show both.
"""

from __future__ import annotations

import errno
import os
from typing import Literal

Kind = Literal["input", "usage", "run"]
INTERNAL = "internal"  # the error_type of a bug caught so that a batch goes on
WORKER_LOST = "worker_lost"  # the error_type of a file whose workers kept dying


class AuditKitError(Exception):
    """Base class: ``path`` names the file (or the place), ``reason`` says why."""

    code = "error"
    kind: Kind = "run"

    def __init__(self, path: str, reason: str) -> None:
        self.path = printable(str(path))
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type[AuditKitError], tuple[str, str]]:
        return type(self), (self.path, self.reason)


class FileMissingError(AuditKitError):
    """The path does not exist or is not a file."""

    code, kind = "file_missing", "input"


class OutputPathError(AuditKitError):
    """An output path cannot be written: it is an input, a folder where a file is meant (or the reverse), or
    inside the folder being audited."""

    code, kind = "output_path", "usage"


class PriorMismatchError(AuditKitError):
    """The report given as last year's is of another agency or not of the year before."""

    code, kind = "prior_mismatch", "usage"


class LedgerError(AuditKitError):
    """The ledger file cannot be opened as a ledger (a folder, not SQLite, another database)."""

    code, kind = "ledger", "usage"


class UnsupportedFormatError(AuditKitError):
    """The file's extension or content is not a format audit-kit reads."""

    code, kind = "unsupported_format", "input"


class EmptyFileError(AuditKitError):
    """The file holds no bytes, or no text at all."""

    code, kind = "empty_file", "input"


class FileTooLargeError(AuditKitError):
    """The file, or what it inflates to, is over a limit of :class:`audit_kit.config.Config` (the message
    says how to raise it)."""

    code, kind = "too_large", "input"


class CorruptFileError(AuditKitError):
    """The file claims a format but its content is broken (a bad zip, a binary posing as text)."""

    code, kind = "corrupt_file", "input"


class NoTablesError(AuditKitError):
    """The document reads, but holds no report text and no table of the template at all."""

    code, kind = "no_tables", "input"


class NotAReportError(NoTablesError):
    """The document reads but is no 年度报告: no report title, no section heading of the template, no row of
    表二/表三/表四 and none of the report's vocabulary (:mod:`audit_kit.extract.identify`). Raised the same way
    for every format; a report whose tables alone are missing loads, and check F-3 fails."""

    code = "not_a_report"


class ScannedDocumentError(AuditKitError):
    """The document has no text layer (a scan) and nothing OCR can read."""

    code, kind = "scanned", "input"


class ConversionError(AuditKitError):
    """An external converter (LibreOffice) is missing, failed or timed out."""

    code, kind = "conversion_failed", "run"


class FileTimeoutError(AuditKitError):
    """Reading and checking one file of a batch took longer than its time limit."""

    code, kind = "timeout", "run"

    @classmethod
    def after(cls, path: str, seconds: float, what: str = "") -> FileTimeoutError:
        """The error for ``path`` over its limit of ``seconds`` (``what``: where the time went, if known)."""
        return cls(path, f"读取和检查超过时间限制 {seconds:g} 秒{what}，已停止处理此文件（可用 --file-timeout 调整）")


class PageLimitError(AuditKitError):
    """The report has more pages (PDF pages, image frames, pictures to OCR) than the configuration allows."""

    code, kind = "too_many_pages", "input"


class DiskFullError(AuditKitError):
    """A write failed because the disk (or the user's quota) is full; ``path`` is where it was writing."""

    code, kind = "disk_full", "run"


class FolderBusyError(AuditKitError):
    """Another batch holds the lock of the output folder or of the store."""

    code, kind = "folder_busy", "usage"


class MemoError(AuditKitError):
    """The audit notebook could not be run for a report (a cell failed or timed out)."""

    code, kind = "memo_failed", "run"


class OcrEngineError(AuditKitError):
    """The OCR engine is missing or failed on a page."""

    code, kind = "ocr_engine", "run"


class UnreadableImageError(AuditKitError):
    """An image (or a scanned page) holds nothing OCR can read: blank, too small, or not a document."""

    code, kind = "unreadable_image", "input"


class WorkspaceError(AuditKitError):
    """The workspace folder (``--store``) cannot be used: it is a file, cannot be written, or is damaged."""

    code, kind = "workspace", "usage"


class SpreadsheetError(AuditKitError):
    """An Excel workbook to import is missing, not a workbook, or lacks the findings sheet or its columns."""

    code, kind = "spreadsheet", "input"


class UnknownReportError(AuditKitError):
    """A report given by id (or id prefix) is not in the workspace, or the prefix names more than one."""

    code, kind = "unknown_report", "usage"


class SchedulerError(AuditKitError):
    """The Dask scheduler of ``batch --scheduler`` cannot be reached; ``path`` is its address."""

    code, kind = "scheduler", "usage"


def printable(text: str) -> str:
    """``text`` (a path) as text that encodes: the bytes of a file name that are not UTF-8 (a GBK name from a
    Chinese Windows archive, kept by Python as surrogates) are shown as ``\\xNN``."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def disk_full(exc: BaseException, folder: str | os.PathLike[str] | None = None) -> bool:
    """Whether ``exc`` (an OSError, SQLite's error, pyarrow's) says the disk is full. SQLite reports a full disk
    while growing its shared-memory file as a plain I/O error: that counts when ``folder`` has no space left."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc)
    if "No space left" in text or "database or disk is full" in text or "Disk quota exceeded" in text:
        return True
    name = str(getattr(exc, "sqlite_errorname", ""))
    if name == "SQLITE_FULL":
        return True
    if name.startswith("SQLITE_IOERR") and folder is not None:
        try:
            return os.statvfs(folder).f_bavail == 0
        except OSError:
            return False
    return False


def every_error() -> list[type[AuditKitError]]:
    """Every error class audit-kit defines (for the catalogue of codes and the tests)."""
    out: list[type[AuditKitError]] = []
    todo: list[type[AuditKitError]] = [AuditKitError]
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(out, key=lambda c: c.__name__)
