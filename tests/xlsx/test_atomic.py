"""Atomic writes: the original survives every failure, and no temporary file is left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from matrix_xl.errors import UnsafeWriteError
from matrix_xl.xlsx.atomic import atomic_write, atomic_write_bytes


def test_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    path.chmod(0o604)
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
    assert [p.name for p in tmp_path.iterdir()] == ["me.xlsx"]


def test_a_new_file_gets_the_usual_permissions_not_mkstemps(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    umask = os.umask(0o022)
    try:
        atomic_write_bytes(path, b"data")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.parametrize("where", ["body", "check"])
def test_a_failure_leaves_the_original_and_no_temporary_file(tmp_path: Path, where: str) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"original")

    def check(tmp: Path) -> None:
        assert tmp.read_bytes() == b"half"
        if where == "check":
            raise OSError(5, "Input/output error")

    with pytest.raises((UnsafeWriteError, RuntimeError)) as info, atomic_write(path, check) as tmp:
        tmp.write_bytes(b"half")
        if where == "body":
            raise RuntimeError("killed midway")
    if where == "check":
        assert isinstance(info.value, UnsafeWriteError)
        assert "left as it was" in str(info.value) and str(path) in str(info.value)
    assert path.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["me.xlsx"]


def test_a_folder_that_does_not_exist_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UnsafeWriteError, match="cannot write in"):
        atomic_write_bytes(tmp_path / "nope" / "me.xlsx", b"x")
