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


class UnsupportedFormatError(AuditKitError):
    """The file's extension or content is not a format audit-kit reads."""


class EmptyFileError(AuditKitError):
    """The file holds no bytes, or no text at all."""


class FileTooLargeError(AuditKitError):
    """The file is larger than any annual report plausibly is."""


class CorruptFileError(AuditKitError):
    """The file claims a format but its content is broken (a bad zip, a binary posing as text)."""


class NoTablesError(AuditKitError):
    """The document reads, but holds no report text and no table of the template at all."""


class ScannedDocumentError(AuditKitError):
    """The document has no text layer (a scan): it needs OCR first."""


class ConversionError(AuditKitError):
    """An external converter (LibreOffice) is missing, failed or timed out."""


class MemoError(AuditKitError):
    """The audit notebook could not be run for a report (a cell failed or timed out)."""


class WorkspaceError(AuditKitError):
    """The workspace folder (``--store``) cannot be used: it is a file, or cannot be written."""
