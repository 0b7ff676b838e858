"""Errors audit-kit raises. Every message names the file and says why, in Chinese."""

from __future__ import annotations


class AuditKitError(Exception):
    """Base class: an input could not be read. ``path`` names the file, ``reason`` says why."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class FileMissingError(AuditKitError):
    """The path does not exist or is not a file."""


class OutputPathError(AuditKitError):
    """An output path cannot be written: it is an input, a folder where a file is meant (or the reverse), or
    inside the folder being audited."""


class PriorMismatchError(AuditKitError):
    """The report given as last year's is of another agency or not of the year before."""


class LedgerError(AuditKitError):
    """The ledger file cannot be opened as a ledger (a folder, not SQLite, another database)."""


class UnsupportedFormatError(AuditKitError):
    """The file's extension or content is not a format audit-kit reads."""


class EmptyFileError(AuditKitError):
    """The file holds no bytes, or no text at all."""


class FileTooLargeError(AuditKitError):
    """The file, or what it inflates to, is over a limit of :mod:`audit_kit.limits` (the message says how
    to raise it)."""


class CorruptFileError(AuditKitError):
    """The file claims a format but its content is broken (a bad zip, a binary posing as text)."""


class NoTablesError(AuditKitError):
    """The document reads, but holds no report text and no table of the template at all."""


class NotAReportError(NoTablesError):
    """The document reads but is no 年度报告: no report title, no section heading of the template, no row of
    表二/表三/表四 and none of the report's vocabulary (:mod:`audit_kit.identify`). Raised the same way for
    every format; a report whose tables alone are missing loads, and check F-3 fails."""


class ScannedDocumentError(AuditKitError):
    """The document has no text layer (a scan): it needs OCR first."""


class ConversionError(AuditKitError):
    """An external converter (LibreOffice) is missing, failed or timed out."""


class FileTimeoutError(AuditKitError):
    """Reading and checking one file of a batch took longer than its time limit."""


class FolderBusyError(AuditKitError):
    """Another batch holds the lock of the output folder or of the store."""


class MemoError(AuditKitError):
    """The audit notebook could not be run for a report (a cell failed or timed out)."""


class OcrEngineError(AuditKitError):
    """The OCR engine is missing or failed on a page."""


class UnreadableImageError(AuditKitError):
    """An image (or a scanned page) holds nothing OCR can read: blank, too small, or not a document."""


class WorkspaceError(AuditKitError):
    """The workspace folder (``--store``) cannot be used: it is a file, or cannot be written."""


class SpreadsheetError(AuditKitError):
    """An Excel workbook to import is missing, not a workbook, or lacks the findings sheet or its columns."""


class UnknownReportError(AuditKitError):
    """A report given by id (or id prefix) is not in the workspace, or the prefix names more than one."""


class SchedulerError(AuditKitError):
    """The Dask scheduler of ``batch --scheduler`` cannot be reached; ``path`` is its address."""
