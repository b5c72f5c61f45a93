"""Finding a team's workbooks: what counts as one, folders searched, each file once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.team.discover import (
    SUFFIXES,
    file_identity,
    find_workbook_names,
    find_workbooks,
    is_workbook_name,
)


def test_find_workbooks_skips_lock_hidden_and_excluded_files(mixed: Path) -> None:
    files, missing = find_workbooks(
        [mixed, mixed / "ada.xlsx", mixed / "gone.xlsx"], exclude=[mixed / "cmd.xlsx"]
    )
    names = sorted(p.relative_to(mixed).as_posix() for p in files)
    assert names == [
        "ada.xlsx",
        "broken.xlsx",
        "budget.xlsx",
        "custom.xlsx",
        "nine.xlsx",
        "noname.xlsx",
        "sub/bob.xlsx",
        "sub/twice.xlsx",
    ]
    assert missing == [mixed / "gone.xlsx"]


def test_folders_are_searched_in_name_order_and_hidden_folders_skipped(tmp_path: Path) -> None:
    # A folder's own files (by name), then its subfolders (by name), at every level.
    for rel in ("b.xlsx", "a/z.XLSM", "a/c.xlsx", ".git/x.xlsx", "c/.cache/y.xlsx", "old.xls"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    names, missing = find_workbook_names([tmp_path])
    assert [os.path.relpath(n, tmp_path) for n in names] == ["b.xlsx", "a/c.xlsx", "a/z.XLSM"]
    assert missing == []
    assert all(isinstance(n, str) for n in names)


def test_a_file_reached_twice_or_through_a_link_is_listed_once(tmp_path: Path) -> None:
    (tmp_path / "team").mkdir()
    ada = tmp_path / "team" / "ada.xlsx"
    ada.write_bytes(b"")
    link = tmp_path / "link.xlsx"
    link.symlink_to(ada)
    files, _ = find_workbooks([tmp_path / "team", ada, link, tmp_path / "team" / ".." / "team"])
    assert files == [ada]
    # the output excluded through another path to it
    assert find_workbooks([tmp_path / "team"], exclude=[link]) == ([], [])


def test_a_file_given_by_name_is_taken_whatever_its_suffix(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    assert find_workbooks([tmp_path / "notes.txt"]) == ([tmp_path / "notes.txt"], [])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ada.xlsx", True),
        ("ADA.XLSM", True),
        ("ada lovelace (2).xlsx", True),
        ("~$ada.xlsx", False),
        (".~lock.ada.xlsx#", False),
        (".hidden.xlsx", False),
        ("ada.xls", False),
        ("ada.xlsx.bak", False),
        ("ada.csv", False),
    ],
)
def test_what_counts_as_a_workbook(name: str, expected: bool) -> None:
    assert is_workbook_name(name) is expected


@given(st.text(min_size=1, max_size=20), st.sampled_from(SUFFIXES), st.booleans())
def test_any_visible_name_with_a_workbook_suffix_counts(
    stem: str, suffix: str, upper: bool
) -> None:
    name = stem + (suffix.upper() if upper else suffix)
    assert is_workbook_name(name) == (not name.startswith(("~$", ".")))
    assert not is_workbook_name(name + ".tmp")


def test_file_identity_is_the_file_not_the_path(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(b"")
    (tmp_path / "b.xlsx").symlink_to(tmp_path / "a.xlsx")
    assert file_identity(str(tmp_path / "a.xlsx")) == file_identity(str(tmp_path / "b.xlsx"))
    assert file_identity(str(tmp_path / "a.xlsx")) != file_identity(str(tmp_path))
    gone = tmp_path / "x" / ".." / "gone.xlsx"
    assert file_identity(str(gone)) == os.path.normcase(str(tmp_path / "gone.xlsx"))
