"""Open a workbook's source: a path read into memory once, or bytes passed through.

Everything after this works on bytes, so the file is opened once and never written; what
is not a regular file of a sane size is refused before a byte of it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from matrix_xl.errors import UnreadableWorkbookError
from matrix_xl.read.limits import Limits, check_file_size

__all__ = ["read_source"]


def read_source(
    source: str | Path | bytes, name: str | None = None, *, limits: Limits | None = None
) -> tuple[bytes, str]:
    """Read a workbook into memory, refusing what is not a regular file of a sane size.

    Args:
        source: a path, or the file's bytes (passed through).
        name: the name to show in messages; the path (or ``"<bytes>"``) when ``None``.
        limits: for ``max_file_size``; the defaults when ``None``.

    Returns:
        ``(data, display name)``.

    Raises:
        UnreadableWorkbookError: missing, a folder, not a regular file, or unreadable.
        WorkbookTooLargeError: over ``max_file_size``, known from the file's size before a
            byte is read.
    """
    limits = limits or Limits()
    if isinstance(source, bytes | bytearray | memoryview):
        check_file_size(len(source), name or "<bytes>", limits)
        return bytes(source), name or "<bytes>"
    path = Path(source)
    shown = name or str(path)
    fd = _open(path, shown)
    try:
        data = _read_regular_file(fd, shown, limits)
    finally:
        os.close(fd)
    check_file_size(len(data), shown, limits)
    return data, shown


def _open(path: Path, shown: str) -> int:
    """A read-only descriptor of ``path``, or the reason it cannot be opened, worded."""
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever. fstat on the
    # open descriptor then judges the very file that will be read.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        return os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableWorkbookError("no such file: check the name and folder", shown) from None
    except IsADirectoryError:
        raise UnreadableWorkbookError("this is a folder, not a workbook", shown) from None
    except PermissionError:
        raise UnreadableWorkbookError(
            "permission denied: this user may not read the file", shown
        ) from None
    except OSError as exc:
        raise UnreadableWorkbookError(
            f"cannot open the file: {exc.strerror or exc}", shown
        ) from None


def _read_regular_file(fd: int, shown: str, limits: Limits) -> bytes:
    """The bytes behind ``fd`` if it is a regular file within the size limit."""
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableWorkbookError("this is a folder, not a workbook", shown)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableWorkbookError(
                "this is not a regular file (a device, pipe or socket), not a workbook", shown
            )
        check_file_size(info.st_size, shown, limits)
        with open(fd, "rb", closefd=False) as handle:
            # One byte over the limit tells a file that grew since fstat.
            return handle.read(limits.max_file_size + 1)
    except OSError as exc:
        raise UnreadableWorkbookError(
            f"reading the file failed: {exc.strerror or exc}", shown
        ) from None
