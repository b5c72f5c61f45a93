"""Tests of matrix_xl.generate.workbook: real files, opened with openpyxl (and LibreOffice where the
behaviour is about formulas being recalculated). No mocks.

The committed template and references are rebuilt and compared part by part with
tests/xlsx_compare.py; scripts/build_templates.py regenerates them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import json
import random
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libreoffice import LibreOffice
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from xlsx_compare import compare_xlsx

from matrix_xl.definition import (
    Definition,
    default_definition,
    definition_from_dict,
    in_scope,
)
from matrix_xl.errors import MatrixXLError, UsageError
from matrix_xl.generate.workbook import build_workbook, write_workbook
from matrix_xl.rules import evaluate_rules, skill_status
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "matrix_xl" / "data" / "competency-matrix.md"
CREATED = date(2026, 1, 5)
D = default_definition()
LAY = L.MatrixLayout(len(D.skills), len(D.thresholds))
FIRST, LAST = LAY.first_row + 1, LAY.last_row + 1  # 1-based rows of the skills
SKILL_ROWS = range(FIRST, LAST + 1)
RATING, NOTES, STATUS, MANDATORY = (
    col_letter(c) for c in (L.COL_RATING, L.COL_NOTES, L.COL_STATUS, L.COL_MANDATORY)
)
OWNER_CELL, ROLE_CELL = f"B{LAY.block_top + 1}", f"B{LAY.block_top + 2}"
ALL_ROWS = "1048576"
REGENERATE = "run python scripts/build_templates.py"


def load(data: bytes, data_only: bool = False) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def build(**options: Any) -> bytes:
    options.setdefault("created", CREATED)
    return build_workbook(**options)


def cells(ws: Worksheet) -> Iterator[Any]:
    for row in ws.iter_rows():
        yield from row


def seed_rows() -> list[list[str]]:
    """The seed's competency table, read from the Markdown itself (not from default.toml)."""
    text = SEED.read_text(encoding="utf-8")
    table = text.split("# Competency Matrix", 1)[1].split("## ", 1)[0]
    lines = [line.strip() for line in table.splitlines() if line.strip().startswith("|")]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    return [rows[0], *rows[2:]]  # header, then the skills (the |---| line dropped)


def meta(wb: Workbook) -> dict[str, str]:
    """The metadata sheet as key -> value; the definition's chunks joined."""
    out: dict[str, str] = {}
    for row in wb[L.META].iter_rows(min_row=2, values_only=True):
        if row[0] is not None:
            out[str(row[0])] = "".join(str(v) for v in row[1:] if v is not None)
    return out


def definition_with(change: Callable[[dict[str, Any]], None]) -> Definition:
    data = D.to_dict()
    change(data)
    return definition_from_dict(data, "test")


def script() -> ModuleType:
    """scripts/build_templates.py as a module (scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(
        "build_templates", ROOT / "scripts" / "build_templates.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def template() -> bytes:
    return build()


@pytest.fixture(scope="module")
def wb(template: bytes) -> Workbook:
    return load(template)


@pytest.fixture(scope="module")
def all_fives() -> bytes:
    return build(ratings={s.id: 5 for s in D.skills})


# -- structure ----------------------------------------------------------------------------


def test_sheets_in_order_matrix_active_metadata_hidden(wb: Workbook) -> None:
    assert wb.sheetnames == [
        "Matrix",
        "Improvement Log",
        "Rubric",
        "Interview Prep",
        "References",
        "Guide",
        "_matrix_xl",
    ]
    assert wb.active is not None and wb.active.title == "Matrix"
    assert {ws.title: ws.sheet_state for ws in wb} == {
        **{name: "visible" for name in wb.sheetnames[:-1]},
        "_matrix_xl": "hidden",
    }


def test_matrix_headers_are_the_seeds_then_status_and_a_hidden_skill_id(wb: Workbook) -> None:
    ws = wb["Matrix"]
    headers = [c.value for c in ws[LAY.header_row + 1]][:8]
    assert headers[:6] == seed_rows()[0]
    assert headers == [
        "Skill / Category",
        "Mandatory?",
        "Depth Expectation",
        "Evidence Examples",
        "Self-Rating (1-5)",
        "Gap Notes",
        "Status",
        "Skill ID",
    ]
    hidden = {k for k, dim in ws.column_dimensions.items() if dim.hidden}
    assert hidden == {"H"}


def test_skill_rows_are_the_seeds_in_order(wb: Workbook) -> None:
    ws = wb["Matrix"]
    seed = seed_rows()[1:]
    assert len(seed) == 21
    got = [[ws.cell(r, c).value for c in range(1, 5)] for r in SKILL_ROWS]
    assert got == [row[:4] for row in seed]
    assert [ws[f"{RATING}{r}"].value for r in SKILL_ROWS] == [None] * 21
    assert [ws[f"{NOTES}{r}"].value or "" for r in SKILL_ROWS] == [""] * 21
    assert [ws[f"H{r}"].value for r in SKILL_ROWS] == [s.id for s in D.skills]
    assert ws.cell(LAST + 1, 1).value is None  # nothing glued under the last skill


# -- validations --------------------------------------------------------------------------


def validations(wb: Workbook) -> dict[tuple[str, str], Any]:
    return {(ws.title, str(dv.sqref)): dv for ws in wb for dv in ws.data_validations.dataValidation}


def test_validations_sit_exactly_on_the_input_cells(wb: Workbook) -> None:
    found = {key: dv.type for key, dv in validations(wb).items()}
    assert found == {
        ("Matrix", f"B{LAY.block_top + 3}"): "date",  # the owner block's "Date rated"
        ("Matrix", f"{RATING}{FIRST}:{RATING}{LAST}"): "list",
        ("Matrix", f"{NOTES}{FIRST}:{NOTES}{LAST}"): "textLength",
        ("Improvement Log", f"A2:A{ALL_ROWS}"): "date",
        ("Improvement Log", f"B2:B{ALL_ROWS}"): "list",
    }


def test_rating_dropdown_is_the_rubric_with_a_stop_alert(wb: Workbook) -> None:
    dv = validations(wb)[("Matrix", f"{RATING}{FIRST}:{RATING}{LAST}")]
    assert dv.formula1 == '"1,2,3,4,5"'
    assert dv.errorStyle in (None, "stop")  # absent means stop
    assert dv.showErrorMessage and dv.showInputMessage
    assert dv.error and dv.errorTitle
    assert 0 < len(dv.promptTitle) <= 32
    assert len(dv.prompt) <= 255
    for level in D.rubric:
        assert f"{level.rating} {level.definition}" in dv.prompt


def test_notes_and_log_validations(wb: Workbook) -> None:
    v = validations(wb)
    notes = v[("Matrix", f"{NOTES}{FIRST}:{NOTES}{LAST}")]
    assert (notes.operator, notes.formula1, notes.showErrorMessage) == (
        "lessThanOrEqual",
        "2000",
        True,
    )
    log_date = v[("Improvement Log", f"A2:A{ALL_ROWS}")]
    assert log_date.showErrorMessage and log_date.formula1 and log_date.formula2
    skill = v[("Improvement Log", f"B2:B{ALL_ROWS}")]
    assert skill.formula1 == "SkillNames" and skill.showErrorMessage
    assert wb.defined_names["SkillNames"].attr_text == f"Matrix!$A${FIRST}:$A${LAST}"


# -- protection ---------------------------------------------------------------------------


def unlocked(ws: Worksheet) -> set[str]:
    return {c.coordinate for c in cells(ws) if not c.protection.locked}


def unlocked_columns(ws: Worksheet) -> set[str]:
    return {k for k, dim in ws.column_dimensions.items() if not dim.protection.locked}


def test_every_sheet_is_protected_without_a_password(wb: Workbook) -> None:
    for ws in wb:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title


def test_only_the_inputs_are_unlocked(wb: Workbook) -> None:
    owner_block = {
        f"{col}{LAY.block_top + 1 + i}" for i in range(len(L.OWNER_LABELS)) for col in "BC"
    }
    inputs = {f"{col}{r}" for r in SKILL_ROWS for col in (RATING, NOTES)}
    assert unlocked(wb["Matrix"]) == owner_block | inputs
    log = wb["Improvement Log"]
    assert unlocked_columns(log) == {"A", "B", "C", "D"}  # the log's rows, typed into
    for ws in wb:
        if ws.title not in ("Matrix", "Improvement Log"):
            assert unlocked(ws) == set(), ws.title
        if ws.title != "Improvement Log":
            assert unlocked_columns(ws) == set(), ws.title


# -- formulas and defined names -------------------------------------------------------------


def verdict_cells(wb: Workbook) -> dict[str, str]:
    return {t.defined_name: wb.defined_names[t.defined_name].attr_text for t in D.thresholds}


def test_verdict_names_are_workbook_level_and_read_the_rules_rows(wb: Workbook) -> None:
    targets = verdict_cells(wb)
    assert targets == {"ReadyToApply": "Matrix!$E$3", "PromotionReady": "Matrix!$E$4"}
    for ws in wb:  # workbook-level, not scoped to a sheet
        assert not set(targets) & set(ws.defined_names)
    ws = wb["Matrix"]
    for t in D.thresholds:
        formula = ws[targets[t.defined_name].split("!")[1].replace("$", "")].value
        rows = [int(a) for a, b in re.findall(r"\bB(\d+)>=C(\d+)", formula) if a == b]
        assert formula.startswith("=IF(AND(") and len(rows) == len(t.conditions)
        for row, condition in zip(rows, t.conditions, strict=True):
            assert ws[f"A{row}"].value == f"{t.name}: {condition.describe()}"
            assert re.match(r"=COUNTIFS?\(", ws[f"B{row}"].value)
            in_it = sum(1 for s in D.skills if in_scope(condition.scope, s.mandatory))
            assert ws[f"C{row}"].value == condition.required(in_it)


def test_cached_verdicts_on_the_template_and_with_all_fives(
    template: bytes, all_fives: bytes
) -> None:
    for data, want in ((template, "NOT YET"), (all_fives, "YES")):
        ws = load(data, data_only=True)["Matrix"]
        assert [ws["E3"].value, ws["E4"].value] == [want, want]


def test_status_formula_per_row_reads_its_own_row(wb: Workbook) -> None:
    ws = wb["Matrix"]
    for r in SKILL_ROWS:
        formula = ws[f"{STATUS}{r}"].value
        assert isinstance(formula, str) and formula.startswith("=IF("), r
        refs = set(re.findall(r"\b[A-Z]{1,3}\d+\b", formula))
        assert refs == {f"{RATING}{r}", f"{MANDATORY}{r}"}, formula
        for word in ("Unrated", "Meets", "Priority gap", "Below"):
            assert f'"{word}"' in formula


RATINGS = st.fixed_dictionaries({s.id: st.none() | st.integers(1, 5) for s in D.skills})


@settings(max_examples=30, deadline=None)
@given(ratings=RATINGS)
def test_cached_values_agree_with_the_rules(ratings: dict[str, int | None]) -> None:
    ws = load(build(ratings=ratings), data_only=True)["Matrix"]
    got = [ws[f"{STATUS}{r}"].value for r in SKILL_ROWS]
    assert got == [skill_status(D, s, ratings[s.id]) for s in D.skills]
    verdicts = evaluate_rules(D, ratings, with_steps=False)
    assert [ws["E3"].value, ws["E4"].value] == ["YES" if v.ready else "NOT YET" for v in verdicts]
    assert ws["E5"].value == f"{sum(v is not None for v in ratings.values())} of 21"


@pytest.mark.slow
def test_formulas_recalculated_by_libreoffice_agree_with_the_rules(
    libreoffice: LibreOffice, tmp_path: Path
) -> None:
    path = tmp_path / "matrix.xlsx"
    path.write_bytes(build())
    rng = random.Random(20260105)
    mandatory = [s.id for s in D.skills if s.mandatory]
    optional = [s.id for s in D.skills if not s.mandatory]
    sets: list[dict[str, int | None]] = [
        {},
        {s.id: 5 for s in D.skills},
        {**dict.fromkeys(mandatory, 4), **dict.fromkeys(optional[:3], 3)},  # just ready
        {**dict.fromkeys(mandatory, 4), **dict.fromkeys(optional[:2], 3)},  # one short
        {**dict.fromkeys(mandatory[:7], 4), **dict.fromkeys(mandatory[7:9], 5)},
        {**dict.fromkeys(mandatory[:6], 4), **dict.fromkeys(mandatory[6:7], 5)},
    ]
    sets += [{s.id: rng.choice([None, 1, 2, 3, 4, 5]) for s in D.skills} for _ in range(400)]
    row_of = {s.id: FIRST + i for i, s in enumerate(D.skills)}
    reads = ["ReadyToApply", "PromotionReady"] + [f"Matrix!{STATUS}{r}" for r in SKILL_ROWS]
    results = libreoffice.batch(
        path,
        [{f"Matrix!{RATING}{row_of[k]}": v for k, v in one.items()} for one in sets],
        reads,
    )
    for one, got in zip(sets, results, strict=True):
        verdicts = evaluate_rules(D, one, with_steps=False)
        want = {
            t.defined_name: "YES" if v.ready else "NOT YET"
            for t, v in zip(D.thresholds, verdicts, strict=True)
        }
        want |= {
            f"Matrix!{STATUS}{row_of[s.id]}": skill_status(D, s, one.get(s.id)) for s in D.skills
        }
        assert got == want, one


# -- text stays text --------------------------------------------------------------------------

PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Cn"))
HOSTILE = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "http://x",
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "'=quoted",
    "1e5",
    "0042",
    "TRUE",
    "2026-01-05",
    "_x0041_",
    "  padded  ",
    "Zoë 山田 🚀 ≤3",
]


def hostile(max_size: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.builds(
            str.__add__,
            st.sampled_from(["=", "+", "-", "@", "http://", "=HYPERLINK("]),
            st.text(PRINTABLE, max_size=max_size),
        ),
        st.text(PRINTABLE, min_size=1, max_size=max_size),
    )


def formula_cells(wb: Workbook) -> set[tuple[str, str]]:
    return {(ws.title, c.coordinate) for ws in wb for c in cells(ws) if c.data_type == "f"}


@settings(max_examples=40, deadline=None)
@given(
    owner=hostile(200),
    role=hostile(200),
    notes=st.lists(
        hostile(300) | st.text(st.sampled_from("=+-@ab\n\t"), min_size=1), min_size=3, max_size=3
    ),
)
def test_texts_are_written_as_text_never_as_formulas(
    owner: str, role: str, notes: list[str], wb: Workbook
) -> None:
    skills = [D.skills[0].id, D.skills[13].id, D.skills[-1].id]
    book = load(build(owner=owner, role=role, notes=dict(zip(skills, notes, strict=True))))
    ws = book["Matrix"]
    expected = {
        OWNER_CELL: owner,
        ROLE_CELL: role,
        "A1": f"{D.title}: {owner}",
        f"{NOTES}{FIRST}": notes[0],
        f"{NOTES}{FIRST + 13}": notes[1],
        f"{NOTES}{LAST}": notes[2],
    }
    for ref, text in expected.items():
        assert (ws[ref].data_type, ws[ref].value) == ("s", text), ref
    assert {k: meta(book)[k] for k in ("owner", "role")} == {"owner": owner, "role": role}
    assert formula_cells(book) == formula_cells(wb)  # no formula more than the template's


def test_owner_and_role_with_control_characters_are_refused() -> None:
    for ch in "\x00\t\n\r\x1b\x1f":
        for field in ("owner", "role"):
            with pytest.raises(UsageError):
                build(**{field: f"Ada{ch}Lovelace"})


def test_every_unicode_control_character_is_refused_in_the_owner() -> None:
    controls = [chr(i) for i in range(0x100) if unicodedata.category(chr(i)) == "Cc"]  # all 65
    accepted = []
    for ch in controls:
        try:
            build(owner=f"Ada{ch}")
        except UsageError:
            continue
        accepted.append(f"U+{ord(ch):04X}")
    assert accepted == [], f"control characters accepted in the owner: {', '.join(accepted)}"


def test_an_unencodable_owner_is_a_usage_error() -> None:
    # What a CLI argument holding invalid UTF-8 becomes (os.fsdecode's surrogateescape).
    with pytest.raises(UsageError):
        build(owner="Ada \udcff")


def test_text_over_a_cells_limit_is_refused_not_truncated() -> None:
    with pytest.raises(UsageError, match="32767"):
        build(notes={D.skills[0].id: "x" * 32_768})


# -- log, page set-up ---------------------------------------------------------------------------


def test_improvement_log_is_a_table_named_improvementlog(wb: Workbook) -> None:
    ws = wb["Improvement Log"]
    assert list(ws.tables) == ["ImprovementLog"]
    table = ws.tables["ImprovementLog"]
    assert table.ref.startswith("A1:D")
    assert [c.name for c in table.tableColumns] == ["Date", "Skill", "Action Taken", "Impact"]
    assert [c.value for c in ws[1]] == ["Date", "Skill", "Action Taken", "Impact"]


def test_page_setup_frozen_panes_landscape_fit_to_width_print_titles(wb: Workbook) -> None:
    frozen = {
        "Matrix": f"B{FIRST}",
        "Improvement Log": "A2",
        "Rubric": "A4",
        "Interview Prep": "A4",
        "References": "A4",
    }
    titles = {"Matrix": f"${FIRST - 1}:${FIRST - 1}", "Improvement Log": "$1:$1"}
    for ws in wb:
        if ws.title == L.META:
            continue
        assert ws.freeze_panes == frozen.get(ws.title), ws.title
        want = "portrait" if ws.title == "Guide" else "landscape"
        assert ws.page_setup.orientation == want, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1)  # None: the default, 1
        if ws.title == "Matrix":  # a 21-skill matrix prints on one page
            assert ws.page_setup.fitToHeight in (None, 1), ws.title
        else:
            assert ws.page_setup.fitToHeight == 0, ws.title
        if ws.title in titles:
            assert ws.print_title_rows == titles[ws.title]
        elif ws.title != "Guide":
            assert ws.print_title_rows == "$3:$3", ws.title


def test_skill_rows_have_explicit_heights_tall_enough_for_wrapped_text(wb: Workbook) -> None:
    ws = wb["Matrix"]
    width = ws.column_dimensions["A"].width
    for r, skill in zip(SKILL_ROWS, D.skills, strict=True):
        dim = ws.row_dimensions[r]
        assert dim.customHeight and dim.height is not None and dim.height >= 15, r
        if len(skill.name) > width:  # wraps: at least two lines
            assert dim.height >= 30, (r, skill.name, dim.height)


# -- reproducible, metadata ---------------------------------------------------------------------


def test_equal_arguments_give_byte_identical_files(template: bytes) -> None:
    assert build() == template
    options: dict[str, Any] = {"owner": "Ada", "ratings": {"cloud": 3}, "notes": {"cloud": "x"}}
    assert build(**options) == build(**options)


def test_a_different_creation_date_changes_the_file(template: bytes) -> None:
    other = build(created=date(2026, 2, 1))
    assert other != template
    core = zipfile.ZipFile(io.BytesIO(other)).read("docProps/core.xml").decode()
    assert "2026-02-01T00:00:00Z" in core
    # The comparison ignores the document dates; only the metadata sheet's date is left.
    differences = compare_xlsx(other, template)
    assert [d.split(":")[0] for d in differences] == ["xl/sharedStrings.xml"]
    assert "2026-02-01" in differences[0]


def test_metadata_sheet_carries_the_definition(wb: Workbook) -> None:
    values = meta(wb)
    assert definition_from_dict(json.loads(values["definition"])) == D
    assert values["definition_fingerprint"] == D.fingerprint()
    assert values["created"] == "2026-01-05"
    assert values["matrix_header_row"] == str(FIRST - 1)


def test_a_custom_definition_over_several_cells_loads_back() -> None:
    def change(data: dict[str, Any]) -> None:
        data["title"] = "Data Platform Matrix — 2026"
        data["skills"] = data["skills"][:14]
        data["skills"][0]["questions"] = [f"Q{i} « {'why? ' * 350}»" for i in range(40)]

    custom = definition_with(change)
    assert len(custom.to_json()) > 60_000  # three chunks of the metadata
    book = load(build_workbook(custom, created=CREATED))
    assert definition_from_dict(json.loads(meta(book)["definition"])) == custom
    ws = book["Matrix"]
    assert [ws[f"H{FIRST + i}"].value for i in range(14)] == [s.id for s in custom.skills]


# -- committed files ------------------------------------------------------------------------


def test_committed_template_and_references_are_fresh() -> None:
    problems = []
    for rel, fresh in script().outputs().items():
        path = ROOT / rel
        if not path.exists():
            problems.append(f"{rel}: missing")
            continue
        problems += [f"{rel}: {d}" for d in compare_xlsx(path, fresh)]
    assert not problems, "\n".join([*problems, REGENERATE])


def test_the_filled_example_is_partly_filled_as_described() -> None:
    example = script().EXAMPLE
    ws = load((ROOT / "tests/references/filled.xlsx").read_bytes(), data_only=True)["Matrix"]
    assert ws[OWNER_CELL].value == "Sample Person" and ws[ROLE_CELL].value == "ML Engineer"
    rows = {ws[f"H{r}"].value: r for r in SKILL_ROWS}
    assert {k: ws[f"{RATING}{rows[k]}"].value for k in example} == {
        k: rating for k, (rating, _) in example.items()
    }
    assert sum(rating is None for rating, _ in example.values()) == 1
    gaps = [k for k, (rating, note) in example.items() if D.skill(k).mandatory and rating == 3]
    assert gaps and all(example[k][1] for k in gaps)  # every mandatory gap has an action
    assert any(example[k][1].startswith("Implement") for k in gaps)
    assert ws[f"{NOTES}{rows[gaps[0]]}"].value == example[gaps[0]][1]


def test_build_templates_check_reports_stale_files_and_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = script()
    assert module.main(["--check"]) == 0  # the checkout is fresh
    monkeypatch.setattr(module, "ROOT", tmp_path)
    assert module.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "stale: templates/competency.xlsx" in err and REGENERATE in err
    assert not (tmp_path / "templates").exists()  # --check writes nothing
    assert module.main([]) == 0
    assert module.main(["--check"]) == 0
    assert (tmp_path / "examples/filled.xlsx").read_bytes() == (
        ROOT / "examples/filled.xlsx"
    ).read_bytes()


# -- write_workbook -------------------------------------------------------------------------


def test_write_workbook_never_overwrites_without_force(tmp_path: Path) -> None:
    path = tmp_path / "mine.xlsx"
    write_workbook(path, owner="Ada", created=CREATED)
    before = path.read_bytes()
    with pytest.raises(UsageError, match="exists"):
        write_workbook(path, owner="Someone else", created=CREATED)
    assert path.read_bytes() == before
    write_workbook(path, force=True, owner="Someone else", created=CREATED)
    assert load(path.read_bytes())["Matrix"][OWNER_CELL].value == "Someone else"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.xlsx"]  # no temp file left


@pytest.mark.parametrize("name", ["mine.xls", "mine.csv", "mine", "mine.xlsx.bak"])
def test_write_workbook_refuses_a_name_that_is_not_xlsx(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match=r"\.xlsx"):
        write_workbook(tmp_path / name, created=CREATED)
    assert list(tmp_path.iterdir()) == []


# -- limits: a fallback, never a silently missing piece ---------------------------------------


def test_a_255_character_skill_name_still_gives_every_validation() -> None:
    long_name = ("Distributed systems and streaming architecture " * 6)[:255].strip()

    def change(data: dict[str, Any]) -> None:
        data["skills"][0]["name"] = long_name

    custom = definition_with(change)
    book = load(build_workbook(custom, created=CREATED))
    assert book["Matrix"][f"A{FIRST}"].value == long_name
    assert {key: dv.type for key, dv in validations(book).items()} == {
        key: dv.type for key, dv in validations(load(build())).items()
    }
    assert book["Matrix"].row_dimensions[FIRST].height >= 15 * 7  # 255 chars in 36 columns


def rubric_prompt(definition: Definition) -> str:
    book = load(build_workbook(definition, created=CREATED))
    last = FIRST + len(definition.skills) - 1
    dv = validations(book)[("Matrix", f"{RATING}{FIRST}:{RATING}{last}")]
    assert dv.formula1 == '"' + ",".join(str(lv.rating) for lv in definition.rubric) + '"'
    assert len(dv.prompt) <= 255
    return str(dv.prompt)


def test_rubric_message_uses_the_full_rubric_when_it_fits() -> None:
    def change(data: dict[str, Any]) -> None:
        for level in data["rubric"]:
            level["evidence"] = f"evidence {level['rating']}"

    custom = definition_with(change)
    prompt = rubric_prompt(custom)
    for lv in custom.rubric:
        assert f"{lv.rating} {lv.definition}: {lv.evidence}" in prompt


def test_rubric_message_falls_back_when_the_rubric_is_too_long() -> None:
    def change(data: dict[str, Any]) -> None:
        data["rubric"] = [
            {"rating": i, "definition": f"Level {i}: {'x' * 40}", "evidence": "e" * 60}
            for i in range(1, 10)
        ]

    custom = definition_with(change)
    assert rubric_prompt(custom) == "Ratings 1-9: see the Rubric sheet."
    assert rubric_prompt(D).startswith("1 Aware only\n")  # default: the short form


def test_xlsxwriter_refusing_something_is_an_error_not_a_missing_piece() -> None:
    bad = dataclasses.replace(D.thresholds[0], defined_name="A1")  # looks like a cell
    custom = dataclasses.replace(D, thresholds=(bad, *D.thresholds[1:]))
    with pytest.raises(MatrixXLError, match="xlsxwriter"):
        build_workbook(custom, created=CREATED)


# -- bugs found while writing these tests (they fail until matrix_xl is fixed) ------------------


def test_log_headers_are_locked(wb: Workbook) -> None:
    # The log's columns are unlocked so rows can be typed; the header row must not be, or a
    # renamed header breaks the table and the reader that finds columns by their text.
    ws = wb["Improvement Log"]
    assert [ws.cell(1, c).protection.locked for c in range(1, 5)] == [True] * 4


@pytest.mark.parametrize(
    "options",
    [
        {"ratings": {"no-such-skill": 3}},
        {"notes": {"no-such-skill": "Implement X"}},
        {"ratings": {"cloud": 7}},
        {"ratings": {"cloud": 0}},
    ],
    ids=["unknown-rating-id", "unknown-note-id", "rating-above-rubric", "rating-below-rubric"],
)
def test_prefill_that_cannot_be_written_is_refused(options: Mapping[str, Any]) -> None:
    with pytest.raises(UsageError):
        build(**options)


# -- tests/xlsx_compare.py itself -----------------------------------------------------------------


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            new = change(info.filename, src.read(info))
            if new is not None:
                dst.writestr(info, new)
    return out.getvalue()


def test_compare_finds_nothing_between_equal_files(template: bytes) -> None:
    assert compare_xlsx(template, build()) == []
    # Document dates are ignored; element order in .rels and content types too.
    redated = rezip(
        template,
        lambda name, data: (
            data.replace(b"2026-01-05T00:00:00Z", b"2031-07-09T10:11:12Z")
            if name == "docProps/core.xml"
            else data
        ),
    )
    assert redated != template and compare_xlsx(redated, template) == []


def test_compare_names_the_part_and_the_first_difference(template: bytes) -> None:
    differences = compare_xlsx(build(owner="Ada"), template)
    parts = [d.split(":")[0] for d in differences]
    assert "xl/sharedStrings.xml" in parts and "docProps/core.xml" in parts
    assert any("Ada" in d and "got" in d and "expected" in d for d in differences)
    dropped = rezip(template, lambda name, data: None if name == "docProps/app.xml" else data)
    assert compare_xlsx(dropped, template) == ["parts missing: docProps/app.xml"]
    assert compare_xlsx(template, dropped) == ["parts not expected: docProps/app.xml"]


def test_a_libreoffice_saved_workbook_keeps_dropdowns_protection_and_names(
    libreoffice: LibreOffice, tmp_path: Path
) -> None:
    src = tmp_path / "blank.xlsx"
    src.write_bytes(build())
    ratings = {s.id: 4 for s in D.skills} | {"cloud": 2}
    saved = libreoffice.save(
        src,
        tmp_path / "saved.xlsx",
        {f"Matrix!{RATING}{FIRST + i}": ratings[s.id] for i, s in enumerate(D.skills)},
    )
    wb = openpyxl.load_workbook(saved)
    ws = wb["Matrix"]
    rating_rule = next(
        dv
        for dv in ws.data_validations.dataValidation
        if f"{RATING}{FIRST}" in dv.sqref and dv.type == "list"
    )
    assert rating_rule.formula1.replace(";", ",") == '"1,2,3,4,5"'
    assert rating_rule.errorStyle in (None, "stop") and rating_rule.showErrorMessage
    assert "Aware only" in (rating_rule.prompt or "")
    assert all(f"{RATING}{r}" in rating_rule.sqref for r in SKILL_ROWS)
    log_types = {dv.type for dv in wb["Improvement Log"].data_validations.dataValidation}
    assert {"date", "list"} <= log_types
    for sheet in wb:
        assert sheet.protection.sheet, sheet.title
    assert not ws[f"{RATING}{FIRST}"].protection.locked
    assert ws[f"A{FIRST}"].protection.locked
    assert {"ReadyToApply", "PromotionReady"} <= set(wb.defined_names)
    assert len(ws.conditional_formatting) >= 3
    # LibreOffice's computed results, as stored in the file, are the rules' verdicts
    values = openpyxl.load_workbook(saved, data_only=True)["Matrix"]
    verdicts = evaluate_rules(D, ratings, with_steps=False)
    assert [values["E3"].value, values["E4"].value] == [
        "YES" if v.ready else "NOT YET" for v in verdicts
    ]


@pytest.mark.parametrize("text", ["<r><t>hi</t></r>", "<r>", "<r></r>", "<r>x</r> "])
def test_text_shaped_like_xlsxwriter_rich_text_stays_as_typed(text: str) -> None:
    from matrix_xl.read.reader import read_workbook

    data = build(owner=text.strip(), notes={"cloud": text})
    read = read_workbook(data, name="rich.xlsx")
    assert read.owner == text.strip()
    assert next(r.notes for r in read.rows if r.skill_id == "cloud") == text.strip()
    wb = load(data)
    assert wb["Matrix"][OWNER_CELL].value == text.strip()
