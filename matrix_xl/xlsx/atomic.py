"""Write files atomically: a temporary file in the same folder, flushed, checked, renamed.

An interrupted or failed write leaves the original file as it was and no temporary file
behind; the new file keeps the original's permissions.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from matrix_xl.errors import UnsafeWriteError

__all__ = ["atomic_write", "atomic_write_bytes"]


@contextlib.contextmanager
def atomic_write(path: str | Path, check: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` atomically.

    Args:
        path: the file to create or replace.
        check: called with the temporary file once written (for example, re-open it);
            raising there aborts the replacement.

    Raises:
        UnsafeWriteError: the folder is not writable, the disk is full, or the check failed.
            The original file is then untouched and the temporary file removed.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=path.suffix or ".tmp", dir=folder
        )
    except OSError as exc:
        raise UnsafeWriteError(f"cannot write in {folder}: {exc.strerror or exc}", path) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        if check is not None:
            check(tmp)
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        raise UnsafeWriteError(
            f"writing failed ({exc.strerror or exc}); the file was left as it was", path
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
