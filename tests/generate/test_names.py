"""The owner's rules and the file names they give: the default workbook name, and one
owner rule for the single workbook and the roster."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.errors import UsageError
from matrix_xl.generate.names import (
    MAX_OWNER_TEXT,
    default_workbook_name,
    owner_field_problem,
    safe_filename,
)
from matrix_xl.generate.roster import read_roster
from matrix_xl.generate.workbook import build_workbook, write_workbook
from matrix_xl.read.reader import read_workbook
from matrix_xl.xlsx.cells import has_control


@given(st.text(max_size=100))
def test_default_workbook_name_is_the_owners_portable_name_or_competency(owner: str) -> None:
    name = default_workbook_name(owner)
    assert name.endswith(".xlsx")
    if owner.strip():
        assert name == safe_filename(owner) + ".xlsx"
    else:
        assert name == "competency.xlsx"


def test_default_workbook_name_examples() -> None:
    assert default_workbook_name() == "competency.xlsx"
    assert default_workbook_name(" \t") == "competency.xlsx"
    assert default_workbook_name("Ana / Ops") == "Ana - Ops.xlsx"
    assert default_workbook_name("con") == "_con.xlsx"


def test_write_workbook_without_a_path_names_the_file_after_the_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert write_workbook(owner="Ana / Ops") == Path("Ana - Ops.xlsx")
    assert read_workbook(tmp_path / "Ana - Ops.xlsx").owner == "Ana / Ops"
    assert write_workbook() == Path("competency.xlsx")
    with pytest.raises(UsageError, match="the file exists"):
        write_workbook()
    assert write_workbook(force=True) == Path("competency.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ana - Ops.xlsx", "competency.xlsx"]


@given(st.text(st.characters(codec="utf-8") | st.sampled_from("\x00\x1b\x85"), max_size=300))
def test_owner_field_problem_refuses_long_or_control_text(text: str) -> None:
    problem = owner_field_problem("owner", text)
    assert (problem is None) == (len(text) <= MAX_OWNER_TEXT and not has_control(text))
    if problem:
        assert problem.startswith("the owner must be one line of at most 255 characters")


@pytest.mark.parametrize("owner", ["a\nb", "x" * 256, "tab\there", "esc\x1b"])
def test_the_workbook_and_the_roster_refuse_the_same_owners(owner: str, tmp_path: Path) -> None:
    problem = owner_field_problem("owner", owner)
    assert problem
    with pytest.raises(UsageError) as single:
        build_workbook(owner=owner)
    assert str(single.value) == problem
    roster = tmp_path / "team.csv"
    roster.write_text('owner,role\n"' + owner + '",Engineer\n', encoding="utf-8")
    with pytest.raises(UsageError) as listed:
        read_roster(roster)
    assert f"line 2: {problem}" in str(listed.value)
