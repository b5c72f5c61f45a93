"""Opening a source: a regular file of a sane size is read once; anything else is refused."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from workbook_bytes import real

from matrix_xl.errors import UnreadableWorkbookError, WorkbookTooLargeError
from matrix_xl.read.limits import Limits
from matrix_xl.read.source import read_source


def test_read_source_passes_bytes_through() -> None:
    assert read_source(b"abc") == (b"abc", "<bytes>")
    assert read_source(b"abc", "upload.xlsx") == (b"abc", "upload.xlsx")


def test_read_source_reads_a_path_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "ada.xlsx"
    path.write_bytes(real())
    assert read_source(path) == (real(), str(path))
    assert read_source(str(path), "Ada's matrix") == (real(), "Ada's matrix")


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "folder"),
        (lambda p: (os.mkfifo(p), p)[1], "not a regular file"),
        (lambda p: Path("/dev/null"), "not a regular file"),
    ],
    ids=["missing", "folder", "fifo", "device"],
)
def test_read_source_refuses_what_is_not_a_readable_file(
    tmp_path: Path, make: Callable[[Path], Path], words: str
) -> None:
    path = make(tmp_path / "m.xlsx")
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            read_source(path)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive() and stat.S_ISFIFO(path.stat().st_mode):
        with open(path, "wb"):  # unblock the reader, then fail: it must never wait
            pass
        pytest.fail("read_source waited on a pipe")
    assert len(outcome) == 1 and isinstance(outcome[0], UnreadableWorkbookError)
    assert words in str(outcome[0]) and str(path) in str(outcome[0])


def test_read_source_refuses_a_big_file_before_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(30 * 1024 * 1024)  # sparse: 30 MiB on paper, nothing on disk
    with pytest.raises(WorkbookTooLargeError, match=r"30\.0 MiB, over the 20\.0 MiB limit"):
        read_source(path)
    with pytest.raises(WorkbookTooLargeError, match=r"over the 9\.8 KiB limit"):
        read_source(tmp_path / "big.xlsx", limits=Limits(max_file_size=10_000))


def test_read_source_says_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(real())
    path.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(UnreadableWorkbookError, match="permission denied"):
            read_source(path)
        return
    # root reads anything: try as 'nobody' in a child process, which shares this module.
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                read_source(path)
                report = "read it"
            except UnreadableWorkbookError as exc:
                report = str(exc)
            os.write(writer, report.encode())
        finally:
            os._exit(0)
    os.close(writer)
    report = os.read(reader, 4096).decode()
    os.close(reader)
    os.waitpid(child, 0)
    assert report.startswith(str(path)) and "permission denied" in report


def test_read_source_refuses_big_bytes_too() -> None:
    with pytest.raises(WorkbookTooLargeError, match=r"^upload\.xlsx: the file is 9\.8 KiB"):
        read_source(b"x" * 10_000, "upload.xlsx", limits=Limits(max_file_size=9_999))
