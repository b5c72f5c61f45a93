"""Find a team's workbooks: files as given, folders searched recursively.

What counts as a workbook (:func:`is_workbook_name`), and which file a path is
(:func:`file_identity`), so a file reached twice, or through a link, is read once and the
team workbook being written is never read back.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["SUFFIXES", "file_identity", "find_workbook_names", "find_workbooks", "is_workbook_name"]

SUFFIXES = (".xlsx", ".xlsm")


def find_workbooks(
    paths: Sequence[str | Path], exclude: Sequence[str | Path] = ()
) -> tuple[list[Path], list[Path]]:
    """The workbooks to roll up, and the paths that do not exist.

    Files are taken as given; folders are searched recursively (in name order) for
    ``.xlsx`` and ``.xlsm`` files, skipping Office lock files (``~$*``), hidden files and
    folders (LibreOffice's ``.~lock*`` among them), and the ``exclude`` files (the team
    workbook being written). A file reached twice (or through a link) is listed once.

    Args:
        paths: workbook files and folders.
        exclude: files never to list, whatever the path they are reached by.

    Returns:
        The workbooks found, in the order given (folders in name order), and the paths
        that do not exist.
    """
    found, missing = find_workbook_names(paths, exclude)
    return [Path(p) for p in found], [Path(p) for p in missing]


def find_workbook_names(
    paths: Sequence[str | Path], exclude: Sequence[str | Path] = ()
) -> tuple[list[str], list[str]]:
    """:func:`find_workbooks` as plain strings.

    A team of 10,000 files costs a tenth of the memory :class:`~pathlib.Path` objects
    would; the roll-up hands these to its worker processes.

    Args:
        paths: workbook files and folders.
        exclude: files never to list.

    Returns:
        The workbooks found, and the paths that do not exist.
    """
    skip = {file_identity(str(p)) for p in exclude}
    found: list[str] = []
    seen: set[object] = set()
    missing: list[str] = []

    def take(path: str) -> None:
        key = file_identity(path)
        if key not in seen and key not in skip:
            seen.add(key)
            found.append(path)

    for given in map(str, paths):
        if os.path.isdir(given):
            for folder, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if is_workbook_name(name):
                        take(os.path.join(folder, name))
        elif os.path.lexists(given):
            take(given)
        else:
            missing.append(given)
    return found, missing


def is_workbook_name(name: str) -> bool:
    """Whether a file found in a folder is a workbook to read.

    Args:
        name: the file's name (no folder).

    Returns:
        ``True`` for ``.xlsx`` and ``.xlsm`` (any case), except Office lock files
        (``~$...``) and hidden files (``.~lock...`` among them).
    """
    return name.lower().endswith(SUFFIXES) and not name.startswith(("~$", "."))


def file_identity(path: str) -> object:
    """The file itself (device and inode), whatever the path to it; the path when unknown.

    Args:
        path: a path to a file that may or may not exist.

    Returns:
        ``(st_dev, st_ino)``, or the normalised absolute path when the file cannot be
        looked at. Two paths to one file give equal values.
    """
    try:
        info = os.stat(path)
    except OSError:
        return os.path.normcase(os.path.abspath(path))
    return (info.st_dev, info.st_ino)
