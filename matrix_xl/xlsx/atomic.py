"""Replace files safely: atomically, under a lock, never over a change or a read-only file.

Every file matrix-xl writes goes through here, by one of three doors:

- :func:`locked_update`, a read-modify-write of an existing file (``evaluate`` in place).
  The file is locked from the read to the rename, and just before the rename it must still
  be the very file that was read::

      with locked_update("me.xlsx") as update:
          new = add_the_summary(update.original)  # bytes read under the lock
          update.replace(new)  # or: with update.writing() as tmp: wb.save(tmp)

- :func:`write_output`, a file written from scratch (``-o OUT``, ``new``, ``team``): an
  existing file is refused unless ``force``, even one that appears while this one writes.
- :func:`atomic_write` and :func:`atomic_write_bytes`: create or replace, as they always did.

What every write guarantees:

- Atomic. The data goes to a temporary file beside the real file, is flushed (the file and
  then the folder are fsynced), passed to the caller's ``check`` (which can re-read it) and
  renamed over the target. On any failure the original is byte-identical and the temporary
  file is gone.
- A symlink is followed: the file it points to is replaced and the link stays a link; the
  temporary file, the lock and the spreadsheet lock-file check are beside the real file.
- A file or folder this user may not write is refused: renaming in a writable folder
  would otherwise replace a read-only file without a word. The mode is kept, and the owner
  and group where the OS allows it (as root).
- Concurrency. An advisory ``flock`` on the file itself (on its folder while the file is
  being created), so no lock file is ever left beside it. ``os.replace`` gives the path a
  new inode: a waiter that got the lock of the old one sees that and locks the new one. A
  program that takes no lock (a spreadsheet app saving) is caught by the identity check
  (inode, size, mtime, SHA-256) just before the rename; only the instant between that
  check and the rename is left open.
- Signals. While a temporary file exists, SIGINT and SIGTERM first remove it, then take
  their usual course: ``KeyboardInterrupt``, or death by SIGTERM (exit status 143); a
  handler of the program's own is put back and called. Temporary files are named
  ``.{name}.matrix-xl-XXXXXXXX{suffix}`` and flocked by their writer, so one found unlocked
  while the target's lock is held was left by a killed run (SIGKILL, power loss) and is
  removed. After any run nothing but the file is left beside it.

Limits: an advisory lock binds only processes that take it. Where the file system has no
``flock`` (Windows, some network shares) only the identity check guards concurrent runs,
and stale temporary files stay until a run that can lock. A hard-linked file gets a new
inode (its other names keep the old content), as with any atomic replace.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import secrets
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TypeAlias

from matrix_xl.errors import (
    InternalError,
    UnreadableWorkbookError,
    UnsafeWriteError,
    UsageError,
    WorkbookTooLargeError,
)

__all__ = [
    "LOCK_TIMEOUT",
    "FileIdentity",
    "Update",
    "atomic_write",
    "atomic_write_bytes",
    "locked_update",
    "open_in_an_app",
    "write_output",
]

Check: TypeAlias = Callable[[Path], None]

LOCK_TIMEOUT = 60.0
"""Seconds to wait for another process's lock on the same file before refusing."""

_TAG = ".matrix-xl-"
_STALE_RETRIES = 50  # the path renamed under a waiter this often in a row: give up
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL, errno.EBADF}
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK}
_CLOEXEC = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: opening a FIFO put where the file was would otherwise wait forever.
_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC
_CHANGED = (
    "it changed since it was read (another program or another matrix-xl run saved it "
    "meanwhile); nothing was written: run again on the file as it is now"
)

if sys.platform == "win32":  # pragma: no cover - no flock: see the limits above

    def _try_lock(fd: int) -> bool | None:
        return None

else:
    import fcntl

    def _try_lock(fd: int) -> bool | None:
        """Try an exclusive flock: True taken, False held elsewhere, None: no locks here."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno in _NO_LOCKS:
                return None
            raise
        return True


# -- the public API ----------------------------------------------------------------------


def open_in_an_app(path: str | Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an
    open workbook, if there is one.

    For a symlink both folders are looked at: an app opening the real file puts its lock
    file beside it, one opening the link may put it beside the link.

    Args:
        path: the workbook (a symlink is followed).

    Returns:
        The lock file found, or ``None``.
    """
    given = Path(path)
    real = Path(os.path.realpath(given))
    for place in dict.fromkeys((real, given.absolute())):
        for lock in (place.with_name(f"~${place.name}"), place.with_name(f".~lock.{place.name}#")):
            if os.path.lexists(lock):
                return lock
    return None


@dataclass(frozen=True)
class FileIdentity:
    """What makes a file the one that was read: its inode, size, mtime and content hash.

    Example:
        >>> seen = FileIdentity.of("me.xlsx")  # doctest: +SKIP
        >>> with locked_update("me.xlsx", expect=seen) as update:  # doctest: +SKIP
        ...     update.replace(b"...")  # refused if me.xlsx changed since it was seen
    """

    device: int
    inode: int
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: str | Path) -> FileIdentity:
        """Read the file ``path`` resolves to and describe it.

        Raises:
            OSError: the file cannot be read.
        """
        with open(os.path.realpath(path), "rb") as handle:
            return cls.describe(os.fstat(handle.fileno()), handle.read())

    @classmethod
    def describe(cls, info: os.stat_result, data: bytes) -> FileIdentity:
        """The identity of a file with status ``info`` (``os.stat``) and content ``data``."""
        digest = hashlib.sha256(data).hexdigest()
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, digest)


@dataclass(frozen=True)
class _Held:
    """The lock of a :class:`Update`: the open file, its status and whether it is locked."""

    fd: int
    info: os.stat_result
    locked: bool


class Update:
    """One locked read-modify-write of a file, made by :func:`locked_update`.

    Attributes:
        path: the path as given (it may be a symlink).
        target: the real file, the one replaced.
        original: its bytes, read under the lock.
        identity: what it was when read; checked again just before the rename.
        closed: the ``with`` block of :func:`locked_update` has ended (the lock is gone).
    """

    def __init__(
        self, path: Path, target: Path, original: bytes, identity: FileIdentity, held: _Held
    ) -> None:
        self.path = path
        self.target = target
        self.original = original
        self.identity = identity
        self._held = held
        self._used = False
        self.closed = False

    def replace(self, data: bytes, check: Check | None = None) -> None:
        """Replace the file with ``data`` (see :meth:`writing`).

        Raises:
            UnsafeWriteError: as for :meth:`writing`.
        """
        with self.writing(check) as tmp:
            tmp.write_bytes(data)

    @contextlib.contextmanager
    def writing(self, check: Check | None = None) -> Iterator[Path]:
        """Yield a temporary path to write to; on success it replaces the file.

        Args:
            check: called with the temporary file once written and flushed (for example,
                to read it back); raising there aborts the replacement.

        Raises:
            UnsafeWriteError: the file changed since it was read, the write failed, or a
                signal's own handler returned; the original is then byte-identical.
            InternalError: a second write in one update, or one after the update ended.
        """
        if self._used or self.closed:
            raise InternalError("an update writes its file once, inside its `with` block")
        self._used = True
        with _temp_beside(
            self.target,
            self.path,
            like=self._held.info,
            check=check,
            commit=self._commit,
            sweep=self._held.locked,
        ) as tmp:
            yield tmp

    def _commit(self, temp: Path) -> None:
        self._refuse_if_changed()
        os.replace(temp, self.target)
        _fsync_folder(self.target.parent)

    def _refuse_if_changed(self) -> None:
        """The path must still name the inode read, with the same size, mtime and bytes."""
        seen = self.identity
        try:
            now = os.lstat(self.target)
        except FileNotFoundError:
            raise UnsafeWriteError(_CHANGED, self.path) from None
        same = os.path.realpath(self.path) == str(self.target) and (
            (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns)
            == (seen.device, seen.inode, seen.size, seen.mtime_ns)
        )
        if not same or hashlib.sha256(_read_fd(self._held.fd)).hexdigest() != seen.sha256:
            raise UnsafeWriteError(_CHANGED, self.path)


@contextlib.contextmanager
def locked_update(
    path: str | Path,
    *,
    expect: bytes | FileIdentity | None = None,
    timeout: float = LOCK_TIMEOUT,
    max_size: int | None = None,
    refuse_if_open: bool = True,
) -> Iterator[Update]:
    """Lock an existing file for a read-modify-write; yield an :class:`Update`.

    Example:
        >>> with locked_update("me.xlsx") as update:  # doctest: +SKIP
        ...     update.replace(update.original + b"more")

    A second process on the same file waits for the first (up to ``timeout``) and then
    reads what the first wrote: no update is lost.

    Args:
        path: the file (a symlink is followed; the link stays a link).
        expect: the bytes or identity the caller read before; the file must still be that.
        timeout: seconds to wait for another process's lock.
        max_size: refuse a larger file before reading it.
        refuse_if_open: refuse a file open in Excel or LibreOffice (see
            :func:`open_in_an_app`), whose next save there would undo the change.

    Raises:
        UnreadableWorkbookError: no such file, a folder or a device, or unreadable.
        WorkbookTooLargeError: over ``max_size``.
        UnsafeWriteError: this user may not write the file or its folder, the file is open
            in a spreadsheet app, it is not ``expect``, or another process held it too long.
    """
    shown = Path(path)
    fd, real, info, locked = _lock_existing(shown, time.monotonic() + timeout)
    update: Update | None = None
    try:
        if locked:
            _remove_stale_temps(real)
        _refuse_unwritable(real, shown)
        if refuse_if_open:
            _refuse_if_open(shown)
        original = _read_locked(fd, info, max_size, shown)
        identity = FileIdentity.describe(info, original)
        if expect is not None:
            _refuse_unexpected(identity, expect, shown)
        update = Update(shown, real, original, identity, _Held(fd, info, locked))
        yield update
    finally:
        if update is not None:
            update.closed = True
        os.close(fd)


@contextlib.contextmanager
def write_output(
    path: str | Path,
    *,
    force: bool = False,
    check: Check | None = None,
    timeout: float = LOCK_TIMEOUT,
    refuse_if_open: bool = True,
) -> Iterator[Path]:
    """Yield a temporary path for a new file; on success it becomes ``path``.

    Example:
        >>> with write_output("out.xlsx", force=False) as tmp:  # doctest: +SKIP
        ...     tmp.write_bytes(data)

    Args:
        path: the file to write (a symlink is followed).
        force: replace an existing file (then as :func:`locked_update` does); without it
            an existing file is refused, even one that appears while this one is written.
        check: called with the temporary file once written; raising aborts.
        timeout: seconds to wait for another process's lock.
        refuse_if_open: with ``force``, refuse a file open in a spreadsheet app.

    Raises:
        UsageError: the file exists and ``force`` is false, or it is a folder.
        UnsafeWriteError: the folder (or an existing file) is not writable for this user,
            or the write failed; anything that was there is then as it was.
    """
    shown = Path(path)
    real = Path(os.path.realpath(shown))
    if real.is_dir():
        raise UsageError("this is a folder; give a file name", shown)
    over = functools.partial(_write_over, shown, force, check, timeout, refuse_if_open)
    if os.path.lexists(real):
        with over() as tmp:
            yield tmp
        return
    with _folder_lock(real.parent, time.monotonic() + timeout, shown) as locked:
        if os.path.lexists(real):  # made by another run while this one waited
            with over() as tmp:
                yield tmp
            return
        if locked:
            _remove_stale_temps(real)
        commit = functools.partial(_commit_new, real, force, shown)
        with _temp_beside(real, shown, like=None, check=check, commit=commit, sweep=locked) as tmp:
            yield tmp


@contextlib.contextmanager
def atomic_write(
    path: str | Path, check: Check | None = None, *, timeout: float = LOCK_TIMEOUT
) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it creates or replaces ``path``.

    :func:`write_output` with ``force=True`` (and no spreadsheet lock-file check).

    Args:
        path: the file to create or replace.
        check: called with the temporary file once written (for example, re-open it);
            raising there aborts the replacement.
        timeout: seconds to wait for another process's lock.

    Raises:
        UnsafeWriteError: the file or folder is not writable, the disk is full, or the
            check failed. The original file is then untouched and the temporary file removed.
    """
    with write_output(path, force=True, check=check, timeout=timeout, refuse_if_open=False) as tmp:
        yield tmp


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Create or replace ``path`` with ``data`` atomically (see :func:`atomic_write`).

    Raises:
        UnsafeWriteError: as for :func:`atomic_write`.
    """
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)


# -- locking -------------------------------------------------------------------------------


def _wait_for_lock(fd: int, deadline: float, shown: Path) -> bool:
    """Lock ``fd``, waiting until ``deadline``; False where the file system has no locks."""
    delay = 0.001
    while (taken := _try_lock(fd)) is False:
        if time.monotonic() >= deadline:
            raise UnsafeWriteError(
                "another process is writing it and has not finished; nothing was written: "
                "try again once it has",
                shown,
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    return taken is True


def _lock_existing(path: Path, deadline: float) -> tuple[int, Path, os.stat_result, bool]:
    """Open and lock the file ``path`` resolves to: ``(fd, real path, status, locked)``.

    os.replace gives the path a new inode, so a waiter that got the lock of the old one
    (now nobody's file) opens the path again.
    """
    for _ in range(_STALE_RETRIES):
        real = Path(os.path.realpath(path))
        fd = _open_existing(real, path)
        try:
            locked = _wait_for_lock(fd, deadline, path)
            info = os.fstat(fd)
            if _still_named(path, real, info):
                return fd, real, info, locked
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise UnsafeWriteError(
        "other processes kept replacing it while this one waited; nothing was written: try again",
        path,
    )


def _still_named(path: Path, real: Path, info: os.stat_result) -> bool:
    """Whether ``path`` still resolves to ``real``, and ``real`` to the inode of ``info``."""
    try:
        now = os.lstat(real)
    except OSError:
        return False
    same_inode = (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino)
    return same_inode and os.path.realpath(path) == str(real)


@contextlib.contextmanager
def _folder_lock(folder: Path, deadline: float, shown: Path) -> Iterator[bool]:
    """Lock the folder (a file being created has no inode to lock yet)."""
    if sys.platform == "win32":  # pragma: no cover - a folder cannot be opened there
        yield False
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    except OSError as exc:
        raise UnsafeWriteError(f"cannot write in {folder}: {exc.strerror or exc}", shown) from None
    try:
        yield _wait_for_lock(fd, deadline, shown)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _write_over(
    shown: Path, force: bool, check: Check | None, timeout: float, refuse_if_open: bool
) -> Iterator[Path]:
    """:func:`write_output` onto a file that exists: refused, or a locked replacement."""
    if not force:
        raise UsageError("the file exists; pass --force to overwrite it", shown)
    with (
        locked_update(shown, timeout=timeout, refuse_if_open=refuse_if_open) as update,
        update.writing(check) as tmp,
    ):
        yield tmp


# -- the checks before a write ---------------------------------------------------------------


def _open_existing(real: Path, shown: Path) -> int:
    """Open the file to update for reading (and locking), refusing what is not a file."""
    try:
        fd = os.open(real, _READ)
    except FileNotFoundError:
        raise UnreadableWorkbookError("no such file: check the name and folder", shown) from None
    except PermissionError:
        raise UnreadableWorkbookError(
            "permission denied: this user may not read the file", shown
        ) from None
    except OSError as exc:
        raise UnreadableWorkbookError(
            f"cannot open the file: {exc.strerror or exc}", shown
        ) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device, pipe or socket)"
        raise UnreadableWorkbookError(f"this is {what}, not a file to update", shown)
    return fd


def _refuse_unwritable(real: Path, shown: Path) -> None:
    """Refuse what this user may not write: a rename would replace it regardless."""
    where = "" if str(real) == os.path.abspath(shown) else f" (the file {shown} links to is {real})"
    if not os.access(real, os.W_OK):
        raise UnsafeWriteError(
            f"this user may not write to it{where}: it is read-only for them, so it was "
            "not replaced. Nothing was written; make it writable, or write a copy elsewhere",
            shown,
        )
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise UnsafeWriteError(
            f"cannot write in {real.parent}{where}: this user may not create files there, "
            "which replacing the file safely needs. Nothing was written",
            shown,
        )


def _refuse_if_open(shown: Path) -> None:
    lock = open_in_an_app(shown)
    if lock is not None:
        raise UnsafeWriteError(
            f"the file is open in a spreadsheet application ({lock.name} is next to it): "
            "close it there first, or its next save there would undo this change. Nothing "
            "was written",
            shown,
        )


def _refuse_unexpected(identity: FileIdentity, expect: bytes | FileIdentity, shown: Path) -> None:
    if isinstance(expect, FileIdentity):
        same = identity == expect
    else:
        same = identity.sha256 == hashlib.sha256(expect).hexdigest()
    if not same:
        raise UnsafeWriteError(_CHANGED, shown)


def _read_locked(fd: int, info: os.stat_result, max_size: int | None, shown: Path) -> bytes:
    if max_size is not None and info.st_size > max_size:
        raise WorkbookTooLargeError(
            f"the file is {info.st_size:,} bytes, over the {max_size:,}-byte limit; nothing "
            "was read or written",
            shown,
        )
    try:
        return _read_fd(fd)
    except OSError as exc:
        raise UnreadableWorkbookError(
            f"reading the file failed: {exc.strerror or exc}", shown
        ) from None


def _read_fd(fd: int) -> bytes:
    with open(fd, "rb", closefd=False) as handle:
        handle.seek(0)
        return handle.read()


# -- the temporary file ----------------------------------------------------------------------


@contextlib.contextmanager
def _temp_beside(
    real: Path,
    shown: Path,
    *,
    like: os.stat_result | None,
    check: Check | None,
    commit: Callable[[Path], None],
    sweep: bool,
) -> Iterator[Path]:
    """Yield a temporary file beside ``real``; written, flushed and checked, it is committed.

    Args:
        like: the file replaced, whose mode and owner the new one gets; None for a new file.
        commit: puts the temporary file in place (a rename, a link).
        sweep: the target's lock is held: after a signal, remove stale temporary files.
    """
    with _SignalGuard(shown) as guard:
        try:
            with _temp_file(real, shown, guard) as temp:
                yield temp
                _seal(temp, like)
                if check is not None:
                    check(temp)
                guard.hold()
                commit(temp)
        except OSError as exc:
            raise UnsafeWriteError(
                f"writing failed ({exc.strerror or exc}); the file was left as it was", shown
            ) from None
        finally:
            guard.hold()
            if sweep and guard.received is not None:
                # A signal between creating the file and learning its name orphans it.
                _remove_stale_temps(real)


def _temp_affixes(name: str) -> tuple[str, str]:
    """Prefix and suffix of the temporary files of ``name``: ``.me.xlsx.matrix-xl-``,
    ``.xlsx`` (readers such as calamine choose the format by the suffix)."""
    stem = name if len(name.encode()) <= 160 else hashlib.sha256(name.encode()).hexdigest()
    suffix = Path(name).suffix
    if not suffix or len(suffix.encode()) > 16:
        suffix = ".tmp"
    return f".{stem}{_TAG}", suffix


@contextlib.contextmanager
def _temp_file(real: Path, shown: Path, guard: _SignalGuard) -> Iterator[Path]:
    """A new temporary file beside ``real``, flocked while it lives, removed afterwards."""
    folder = real.parent
    prefix, suffix = _temp_affixes(real.name)
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    for _ in range(100):
        temp = folder / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            fd = os.open(temp, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise UnsafeWriteError(
                f"cannot write in {folder}: {exc.strerror or exc}", shown
            ) from None
        if _try_lock(fd) is not False:
            break
        os.close(fd)  # a sweep is removing this fresh file: leave it that, take another name
    else:
        raise UnsafeWriteError(f"cannot create a temporary file in {folder}", shown)
    try:
        yield temp
    finally:
        guard.hold()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        os.close(fd)


def _seal(temp: Path, like: os.stat_result | None) -> None:
    """Give the written file the original's owner and mode, and flush it to disk."""
    fd = os.open(temp, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    try:
        if like is not None and hasattr(os, "fchown"):
            _copy_owner(fd, like)
        mode = stat.S_IMODE(like.st_mode) if like is not None else _new_file_mode()
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        else:  # pragma: no cover - Windows before Python 3.13
            os.chmod(temp, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_owner(fd: int, like: os.stat_result) -> None:
    """Owner and group as the original's where allowed: root both, an owner their groups."""
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (like.st_uid, like.st_gid):
        return
    for uid in (like.st_uid, -1):
        try:
            os.fchown(fd, uid, like.st_gid)
            return
        except PermissionError:
            continue


def _new_file_mode() -> int:
    """The mode a new file gets from the umask (mkstemp's 0600 would hide it from the group)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _commit_new(real: Path, force: bool, shown: Path, temp: Path) -> None:
    """Put a new file in place; without ``force`` never over one that appeared meanwhile."""
    if not force:
        try:
            os.link(temp, real)  # fails if real exists, where a rename would replace it
        except FileExistsError:
            raise UsageError(
                "the file exists (it appeared while this one was written); nothing was "
                "written. Pass --force to overwrite it",
                shown,
            ) from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            # No hard links here (FAT, some shares): the folder lock still keeps other
            # matrix-xl runs out; only a program taking no lock could slip in.
            if os.path.lexists(real):
                raise UsageError("the file exists; pass --force to overwrite it", shown) from None
            os.replace(temp, real)
    else:
        os.replace(temp, real)
    _fsync_folder(real.parent)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale_temps(real: Path) -> None:
    """Remove temporary files of ``real`` left by killed runs. Call with its lock held."""
    prefix, suffix = _temp_affixes(real.name)
    try:
        with os.scandir(real.parent) as entries:
            names = [e.name for e in entries if e.name.startswith(prefix)]
    except OSError:
        return
    try:
        target = os.stat(real)
        own: tuple[int, int] | None = (target.st_dev, target.st_ino)
    except OSError:
        own = None
    for name in names:
        if name.endswith(suffix):
            _remove_if_stale(real.parent / name, own)


def _remove_if_stale(candidate: Path, target: tuple[int, int] | None) -> None:
    """Remove ``candidate`` unless a live writer holds its flock.

    A run killed between linking a new file into place and removing the temporary name
    leaves a second name of the target itself: that one goes too (its inode is locked).
    """
    try:
        fd = os.open(candidate, _READ | _NOFOLLOW)
    except OSError:
        return
    try:
        info = os.fstat(fd)
        ident = (info.st_dev, info.st_ino)
        if not stat.S_ISREG(info.st_mode) or (ident != target and _try_lock(fd) is not True):
            return
        now = os.lstat(candidate)
        if (now.st_dev, now.st_ino) == ident:
            os.unlink(candidate)
    except OSError:
        return  # gone already, or not ours to remove: nothing to do
    finally:
        os.close(fd)


# -- signals -------------------------------------------------------------------------------


class _Interrupted(BaseException):
    """Raised by the guard's handler to unwind a write; it becomes the signal again after."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _SignalGuard:
    """While active, SIGINT and SIGTERM unwind the write, so its temporary file is removed;
    then each is delivered again to the handler that was there before.

    Only in the main thread (the only one Python lets set handlers; elsewhere a signal
    reaches no write anyway). A signal already ignored stays ignored.
    """

    def __init__(self, shown: Path) -> None:
        self.received: int | None = None
        self._shown = shown
        self._held = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous = signal.getsignal(signum)
                if previous is signal.SIG_IGN or previous is None:
                    continue  # ignored, or set outside Python: leave it as it is
                self._previous[signum] = previous
                signal.signal(signum, self._handle)
        return self

    def hold(self) -> None:
        """From now on a signal is only noted: the commit or the clean-up finishes first."""
        self._held = True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
            if not self._held:
                raise _Interrupted(signum)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._held = True
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        if self.received is None:
            return
        signal.raise_signal(self.received)  # the usual course: KeyboardInterrupt, or death
        if isinstance(exc, _Interrupted):  # the program's own handler returned
            name = signal.Signals(self.received).name
            raise UnsafeWriteError(
                f"interrupted by {name}; the file was left as it was", self._shown
            ) from None
