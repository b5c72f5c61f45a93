"""Errors raised by matrix-xl, and the exit codes the CLI gives them.

Every error is a :class:`MatrixXLError`; the CLI turns it into one line on stderr and
the exit code of its class, never a traceback::

    MatrixXLError                      the root: never raised itself
    ├── DefinitionError                a matrix definition file is malformed
    ├── UnreadableWorkbookError        a workbook cannot be read (corrupt, hostile, wrong layout)
    │   └── WorkbookTooLargeError      a size limit was exceeded before parsing
    ├── UnsafeWriteError               writing would lose something, or the write failed
    ├── UsageError                     bad arguments (an existing output file, a bad roster, ...)
    └── InternalError                  a bug in matrix-xl, not in the files or the arguments

Invalid data is not an exception: :func:`matrix_xl.validate` returns its findings and
:func:`matrix_xl.evaluate` an evaluation whose ``valid`` is false, since a person's
mistakes in a workbook are the normal input of those steps, listed, not raised.

Exit codes (the CLI's, for scripts)::

    EXIT_OK       0  done (evaluate: ready or not; validate: no errors, warnings allowed)
    EXIT_INVALID  1  the workbook has validation errors (nothing was written)
    EXIT_FAILED   2  could not do it: an unreadable file, a bad definition, bad arguments,
                     or a write that was refused or failed (every MatrixXLError but the one below)
    EXIT_BUG      3  an InternalError, or any other exception: a bug in matrix-xl

Each message says what went wrong, where (file, sheet, cell or line) and what to do.

Each class also names its ``kind``, the word ``--format json`` gives scripts for a fatal
error (``{"error": {"kind": ..., "message": ...}}``)::

    definition  unreadable  too-large  unsafe-write  usage  internal

An exception that is not a :class:`MatrixXLError` is a bug: its kind is ``internal`` too.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EXIT_BUG",
    "EXIT_FAILED",
    "EXIT_INVALID",
    "EXIT_OK",
    "DefinitionError",
    "InternalError",
    "MatrixXLError",
    "UnreadableWorkbookError",
    "UnsafeWriteError",
    "UsageError",
    "WorkbookTooLargeError",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_FAILED = 2
EXIT_BUG = 3


class MatrixXLError(Exception):
    """Root of every error matrix-xl raises on purpose; catch it to catch them all.

    Raise one of its children, never the root itself.

    Args:
        message: what went wrong and what to do, in words a person reads.
        path: the file concerned, if any; it prefixes the message.
    """

    exit_code = EXIT_FAILED
    kind = "error"  # the word for scripts (``--format json``); each child names its own

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)


class DefinitionError(MatrixXLError):
    """A matrix definition (TOML or Markdown) is malformed."""

    kind = "definition"


class UnreadableWorkbookError(MatrixXLError):
    """A workbook cannot be read: corrupt, hostile, not a matrix, or a required part missing."""

    kind = "unreadable"


class WorkbookTooLargeError(UnreadableWorkbookError):
    """A workbook exceeds a size limit, found before its XML is parsed."""

    kind = "too-large"


class UnsafeWriteError(MatrixXLError):
    """Writing would lose something the person made, or the write itself failed."""

    kind = "unsafe-write"


class UsageError(MatrixXLError):
    """Bad arguments: an output that exists, a roster without the columns it needs, ..."""

    kind = "usage"


class InternalError(MatrixXLError):
    """A bug in matrix-xl, not something the person did: report it.

    Raised where a check of matrix-xl's own output fails: xlsxwriter refused part of a
    workbook it was given, or a validation schema met a frame without a column it needs.
    """

    exit_code = EXIT_BUG
    kind = "internal"
