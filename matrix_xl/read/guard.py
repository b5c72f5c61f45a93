"""One guard around python-calamine, so whatever it raises reaches the caller as one error."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from matrix_xl.errors import MatrixXLError, UnreadableWorkbookError

__all__ = ["calamine_guard"]


@contextlib.contextmanager
def calamine_guard(source: str | Path, what: str | None = None) -> Iterator[None]:
    """Turn anything python-calamine raises into one :class:`UnreadableWorkbookError`.

    python-calamine raises ``CalamineError`` and its children, and pyo3's
    ``PanicException`` when the Rust code panics (an index out of bounds on a malformed
    record, say); ``PanicException`` derives from ``BaseException``, so ``except
    Exception`` lets it through. Wrap only the calamine calls, so that a bug of ours is not
    reported as a bad workbook. Run :func:`matrix_xl.read.package.check_package` first:
    calamine *aborts* the process, beyond any guard, on a cell reference far down or far
    right.

    Args:
        source: the file, to name in the message.
        what: the sheet or part being read, for the message (``"sheet 'Matrix'"``).

    Raises:
        UnreadableWorkbookError: in place of any exception but ``KeyboardInterrupt``,
            ``SystemExit``, ``GeneratorExit`` and matrix-xl's own errors, which pass as they
            are. The original is kept as ``__cause__``.

    Example:
        >>> import io, python_calamine
        >>> with calamine_guard("ada.xlsx"):
        ...     book = python_calamine.load_workbook(io.BytesIO(b"not a workbook"))
        Traceback (most recent call last):
        ...
        matrix_xl.errors.UnreadableWorkbookError: ada.xlsx: python-calamine could not ...
    """
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MatrixXLError):
        # A person stopping the program, the program ending, a generator being closed
        # (converting that breaks generators) and our own errors are not a bad file.
        raise
    except BaseException as exc:
        detail = " ".join(str(exc).split())[:200] or "no detail given"
        raise UnreadableWorkbookError(
            f"python-calamine could not read {what or 'the workbook'} "
            f"({type(exc).__name__}: {detail}); open it in Excel or LibreOffice and save it "
            "again as .xlsx",
            source,
        ) from exc
