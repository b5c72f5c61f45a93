"""Roster generation: one personalised workbook per CSV row, through the CLI and the library."""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix_xl.cli import cli
from matrix_xl.definition import default_definition
from matrix_xl.errors import UsageError
from matrix_xl.generate.names import safe_filename
from matrix_xl.generate.roster import _Template, generate_roster, read_roster
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.reader import read_workbook

WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10))} | {
    f"lpt{i}" for i in range(1, 10)
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def assert_portable(name: str) -> None:
    stem = name.removesuffix(".xlsx")
    assert not WINDOWS_FORBIDDEN & set(name), name
    assert stem.split(".")[0].casefold() not in WINDOWS_RESERVED, name
    assert stem == stem.strip(" ."), name
    assert len(stem.encode()) <= 80, name


def test_one_workbook_per_row_with_its_owner_and_role(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "team.csv",
        "Name,Role\nAda Lovelace,ML Engineer\nGrace Hopper,Staff Engineer\n\n ,  \nAlan,\n",
    )
    code, out, err = run("new", "--roster", str(roster), "--out-dir", str(tmp_path / "out"))
    assert code == 0, err
    assert "Wrote 3 workbook(s)" in out
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["Ada Lovelace.xlsx", "Alan.xlsx", "Grace Hopper.xlsx"]
    people = {(r.owner, r.role) for r in (read_workbook(tmp_path / "out" / f) for f in files)}
    assert people == {
        ("Ada Lovelace", "ML Engineer"),
        ("Grace Hopper", "Staff Engineer"),
        ("Alan", ""),
    }


def test_duplicate_names_get_unique_file_names_case_insensitively(tmp_path: Path) -> None:
    roster = write_csv(tmp_path / "r.csv", "owner,role\nAna,A\nAna,B\nana,C\nAna (2),D\n")
    paths = generate_roster(roster, tmp_path / "out", created=date(2026, 1, 5))
    names = [p.name for p in paths]
    assert len({n.casefold() for n in names}) == 4
    assert names[:3] == ["Ana.xlsx", "Ana (2).xlsx", "ana (3).xlsx"]
    roles = [read_workbook(p).role for p in paths]
    assert roles == ["A", "B", "C", "D"]  # each file is its own person's, in roster order


HOSTILE_NAMES = [
    "Ana / Ops: Lead",
    "back\\slash",
    "star*name?",
    "CON",
    "aux",
    "com1.txt",
    "LPT9",
    "Zoë Ångström",
    "李雷",
    "Σωκράτης",
    "...",
    " trailing dots... ",
    "x" * 300,
    "名" * 100,
]


def test_file_names_are_safe_on_every_os_and_owners_kept_as_typed(tmp_path: Path) -> None:
    lines = ["owner,role"] + [f'"{n}",Engineer' for n in HOSTILE_NAMES if len(n) <= 255]
    roster = write_csv(tmp_path / "r.csv", "\n".join(lines) + "\n")
    paths = generate_roster(roster, tmp_path / "out")
    assert len({p.name.casefold() for p in paths}) == len(paths)
    for path, owner in zip(paths, [n for n in HOSTILE_NAMES if len(n) <= 255], strict=True):
        assert_portable(path.name)
        assert path.parent == tmp_path / "out"  # "/" and "\\" never make a sub-folder
        assert read_workbook(path).owner == owner.strip()
    by_owner = dict(zip([n.strip() for n in HOSTILE_NAMES if len(n) <= 255], paths, strict=True))
    assert by_owner["CON"].name == "_CON.xlsx"
    assert by_owner["aux"].name == "_aux.xlsx"
    assert by_owner["Zoë Ångström"].name == "Zoë Ångström.xlsx"
    assert by_owner["李雷"].name == "李雷.xlsx"
    assert by_owner["Σωκράτης"].name == "Σωκράτης.xlsx"
    assert by_owner["Ana / Ops: Lead"].name == "Ana - Ops- Lead.xlsx"


@given(st.text(min_size=1, max_size=120))
def test_safe_filename_is_always_portable(name: str) -> None:
    assert_portable(safe_filename(name) + ".xlsx")


def test_decomposed_and_composed_accents_make_one_name(tmp_path: Path) -> None:
    composed, decomposed = "Zoë", unicodedata.normalize("NFD", "Zoë")
    roster = write_csv(tmp_path / "r.csv", f"name\n{composed}\n{decomposed}\n")
    names = [p.name for p in generate_roster(roster, tmp_path / "out")]
    assert names == ["Zoë.xlsx", "Zoë (2).xlsx"]


def test_semicolon_separated_csv_with_a_bom(tmp_path: Path) -> None:
    roster = write_csv(
        tmp_path / "r.csv", "Full Name;Job Title\r\nJosé García;Data Scientist\r\n", bom=True
    )
    assert [(e.owner, e.role) for e in read_roster(roster)] == [("José García", "Data Scientist")]
    code, _, err = run("new", "--roster", str(roster), "--out-dir", str(tmp_path / "o"))
    assert code == 0, err
    read = read_workbook(tmp_path / "o" / "José García.xlsx")
    assert (read.owner, read.role) == ("José García", "Data Scientist")


def test_a_missing_owner_column_names_the_file_and_the_header_found(tmp_path: Path) -> None:
    roster = write_csv(tmp_path / "people.csv", "email,team\nada@example.com,ML\n")
    code, _, err = run("new", "--roster", str(roster), "--out-dir", str(tmp_path / "o"))
    assert code == 2
    assert "people.csv" in err and "no owner column" in err
    assert "'email', 'team'" in err
    assert not (tmp_path / "o").exists()


def test_an_empty_roster_and_a_header_only_roster_are_clean_errors(tmp_path: Path) -> None:
    for text, words in (("\n\n", "empty"), ("name,role\n\n", "no people")):
        roster = write_csv(tmp_path / "r.csv", text)
        code, _, err = run("new", "--roster", str(roster), "--out-dir", str(tmp_path / "o"))
        assert code == 2 and words in err and "r.csv" in err and "Traceback" not in err


def test_a_control_character_in_an_owner_is_refused_like_the_workbook_writer_does(
    tmp_path: Path,
) -> None:
    roster = write_csv(tmp_path / "r.csv", "name\nAna\u0085Lima\n")
    with pytest.raises(UsageError, match=r"line 2: the owner .*control characters"):
        read_roster(roster)
    with pytest.raises(UsageError):
        build_workbook(owner="Ana\u0085Lima")


def test_existing_files_are_never_overwritten_without_force_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "Bob.xlsx").write_bytes(b"Bob's own work")
    roster = write_csv(tmp_path / "r.csv", "name\nAda\nBob\nCy\n")
    code, _, err = run("new", "--roster", str(roster), "--out-dir", str(out))
    assert code == 2
    assert "Bob.xlsx" in err and "--force" in err and "nothing was written" in err
    assert sorted(p.name for p in out.iterdir()) == ["Bob.xlsx"]
    assert (out / "Bob.xlsx").read_bytes() == b"Bob's own work"

    code, _, err = run("new", "--roster", str(roster), "--out-dir", str(out), "--force")
    assert code == 0, err
    assert read_workbook(out / "Bob.xlsx").owner == "Bob"
    assert sorted(p.name for p in out.iterdir()) == ["Ada.xlsx", "Bob.xlsx", "Cy.xlsx"]


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    roster = write_csv(tmp_path / "r.csv", "name\nAda\nBob\n")
    generate_roster(roster, tmp_path / "out")
    assert sorted(os.listdir(tmp_path / "out")) == ["Ada.xlsx", "Bob.xlsx"]


# -- the template: patched copies read back exactly like freshly built workbooks ------------

HOSTILE_TEXTS = [
    "=1+1",
    "<b>&amp;",
    'say "hi"',
    "O'Brien & <Co>",
    "_x0041_",
    "_x005F_x0041_",
    "a\uffffb\ufffe",
    "@SUM(A1)",
    "http://example.com",
    "+1 555",
    "]]>",
    "Zoë Ångström 李雷",
    "\U0001f600 emoji",
]

_TEMPLATE = _Template(default_definition(), date(2026, 1, 5))


def _roster_text() -> st.SearchStrategy[str]:
    # What read_roster lets through: stripped, one line, no controls, <= 255 characters.
    alphabet = st.characters(blacklist_categories=("Cc", "Cs"))
    pieces = st.one_of(
        st.text(alphabet, max_size=20),
        st.sampled_from(HOSTILE_TEXTS),
        st.sampled_from(["_x", "000", "D_", "&", "<", ">", '"', "'", "_xFFFF_", "\ufffe"]),
        st.sampled_from(["<r>", "</r>", "<r><t>hi</t></r>"]),
    )
    return st.lists(pieces, max_size=6).map(lambda parts: "".join(parts).strip()[:255].strip())


def assert_same_read(owner: str, role: str) -> None:
    patched = read_workbook(_TEMPLATE.render(owner, role), name="p.xlsx")
    built = read_workbook(
        build_workbook(owner=owner, role=role, created=date(2026, 1, 5)), name="p.xlsx"
    )
    assert patched == built
    assert (patched.owner, patched.role) == (built.owner, built.role)


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_owners_read_back_like_a_built_workbook(text: str) -> None:
    assert_same_read(text, text)


def test_an_escape_like_owner_reads_back_as_typed() -> None:
    read = read_workbook(_TEMPLATE.render("_x0041_", "=cmd|' /C calc'!A0"), name="p.xlsx")
    assert (read.owner, read.role) == ("_x0041_", "=cmd|' /C calc'!A0")


def test_a_rich_text_lookalike_owner_stays_text() -> None:
    # xlsxwriter writes a string "<r>...</r>" into the file as raw XML unless told not to;
    # both the template and build_workbook keep it as text.
    read = read_workbook(_TEMPLATE.render("<r><t>hi</t></r>", "x"), name="p.xlsx")
    assert read.owner == "<r><t>hi</t></r>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(owner=_roster_text().filter(bool), role=_roster_text())
def test_template_copies_read_back_exactly_like_built_workbooks(owner: str, role: str) -> None:
    assert_same_read(owner, role)


def test_the_template_patches_only_the_strings_and_the_document_properties() -> None:
    assert sorted(_TEMPLATE.patched) == ["docProps/core.xml", "xl/sharedStrings.xml"]
    with zipfile.ZipFile(io.BytesIO(_TEMPLATE.render("Ada", "Eng"))) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    assert not [name for name, body in parts.items() if re.search(rb"MXL(OWNER|ROLE)", body)]
    assert b"<dc:title>Competency Matrix: Ada</dc:title>" in parts["docProps/core.xml"]
