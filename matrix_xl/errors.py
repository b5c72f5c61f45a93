"""Errors raised by matrix-xl.

Every error a user can cause is a :class:`MatrixXLError`; the CLI turns it into one
line on stderr and a documented exit code, never a traceback::

    MatrixXLError                      exit 2 unless said otherwise
    ├── DefinitionError                a matrix definition file is malformed
    ├── UnreadableWorkbookError        a workbook cannot be read (corrupt, hostile, wrong layout)
    │   └── WorkbookTooLargeError      a size limit was exceeded before parsing
    ├── InvalidDataError               a workbook was read but its data fails validation (exit 1)
    ├── UnsafeWriteError               writing would lose something, or the write failed
    └── UsageError                     bad arguments (an existing output file, a bad roster, ...)

Each message says what went wrong, where (file, sheet, cell or line) and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matrix_xl.findings import Finding

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "DefinitionError",
    "InvalidDataError",
    "MatrixXLError",
    "UnreadableWorkbookError",
    "UnsafeWriteError",
    "UsageError",
    "WorkbookTooLargeError",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


class MatrixXLError(Exception):
    """Root of every error matrix-xl raises on purpose.

    Args:
        message: what went wrong and what to do, in words a person reads.
        path: the file concerned, if any; it prefixes the message.
    """

    exit_code = EXIT_UNREADABLE

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)


class DefinitionError(MatrixXLError):
    """A matrix definition (TOML or Markdown) is malformed."""


class UnreadableWorkbookError(MatrixXLError):
    """A workbook cannot be read: corrupt, hostile, not a matrix, or a required part missing."""


class WorkbookTooLargeError(UnreadableWorkbookError):
    """A workbook exceeds a size limit, found before its XML is parsed."""


class InvalidDataError(MatrixXLError):
    """A workbook was read but its data fails validation.

    Args:
        message: a one-line summary.
        path: the workbook.
        findings: every problem found, errors and warnings.
    """

    exit_code = EXIT_INVALID

    def __init__(
        self, message: str, path: str | Path | None = None, findings: list[Finding] | None = None
    ) -> None:
        super().__init__(message, path)
        self.findings = list(findings or [])


class UnsafeWriteError(MatrixXLError):
    """Writing would lose something the person made, or the write itself failed."""


class UsageError(MatrixXLError):
    """Bad arguments: an output that exists, a roster without the columns it needs, ..."""
