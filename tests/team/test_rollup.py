"""The team roll-up: a folder of returned workbooks in, one team workbook and a summary out."""

from __future__ import annotations

import builtins
import io
import json
import os
import random
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

import matrix_xl.team.rollup as team
from matrix_xl.cli import cli, roll_up_cli
from matrix_xl.definition import Definition, default_definition, definition_from_dict
from matrix_xl.errors import UsageError
from matrix_xl.evaluation.run import evaluate
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.reader import HistoryRow, LogRow, MatrixRead, RatingRow
from matrix_xl.rules import evaluate_rules
from matrix_xl.team.rollup import (
    FileError,
    PersonResult,
    TeamReport,
    find_workbooks,
    roll_up,
    summarise_many,
    summarise_workbook,
    write_team_workbook,
)
from matrix_xl.validation.schemas import Finding, validate
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

D = default_definition()
IDS = [s.id for s in D.skills]
MANDATORY = [s.id for s in D.skills if s.mandatory]
OPTIONAL = [s.id for s in D.skills if not s.mandatory]
FIRST = L.MatrixLayout(len(D.skills), len(D.thresholds)).first_row + 1  # 1-based
TODAY = date(2026, 11, 26)
READY = {**dict.fromkeys(MANDATORY, 4), **dict.fromkeys(OPTIONAL[:6], 3)}


def custom_definition() -> Definition:
    data = D.to_dict()
    data["title"] = "Data Platform Matrix"
    data["skills"] = data["skills"][:5]
    for threshold in data["thresholds"]:
        for condition in threshold["conditions"]:
            if isinstance(condition["count"], int):
                condition["count"] = 1
    return definition_from_dict(data, "custom")


CUSTOM = custom_definition()


def cell(skill_id: str) -> str:
    return f"{col_letter(L.COL_RATING)}{FIRST + IDS.index(skill_id)}"


def with_cells(data: bytes, values: dict[str, Any], sheet: str = L.MATRIX) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in values.items():
        wb[sheet][ref].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


NINE = with_cells(build_workbook(owner="Nine", ratings={"cloud": 4}), {cell("cloud"): 9})


def random_ratings(rng: random.Random) -> dict[str, int | None]:
    return {sid: rng.choice([None, 1, 2, 3, 4, 5, 5, 4]) for sid in IDS}


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """The issue's folder: good workbooks and every kind of bad one."""
    folder = tmp_path / "returned"
    (folder / "sub").mkdir(parents=True)
    rng = random.Random(7)
    (folder / "ada.xlsx").write_bytes(
        build_workbook(owner="Ada", role="ML Engineer", ratings=READY)
    )
    (folder / "sub" / "bob.xlsx").write_bytes(
        build_workbook(owner="Bob", role="Data Scientist", ratings=random_ratings(rng))
    )
    (folder / "cmd.xlsx").write_bytes(build_workbook(owner="=cmd|' /C calc'!A0", ratings={}))
    (folder / "noname.xlsx").write_bytes(build_workbook(ratings={"cloud": 5}))
    (folder / "custom.xlsx").write_bytes(
        build_workbook(CUSTOM, owner="Cy", ratings={s.id: 4 for s in CUSTOM.skills})
    )
    (folder / "broken.xlsx").write_bytes(build_workbook(owner="Dee")[:3000])
    (folder / "nine.xlsx").write_bytes(NINE)
    twice = with_cells(NINE, {cell("communication"): "lots"})
    (folder / "sub" / "twice.xlsx").write_bytes(twice)
    other = openpyxl.Workbook()
    other.active["A1"] = "Quarterly budget"
    other.save(folder / "budget.xlsx")
    (folder / "~$ada.xlsx").write_bytes(b"Office lock file")
    (folder / ".~lock.ada.xlsx#").write_bytes(b"LibreOffice lock file")
    (folder / ".hidden.xlsx").write_bytes(b"hidden")
    (folder / "notes.txt").write_text("not a workbook")
    return folder


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- the folder --------------------------------------------------------------------


def test_a_mixed_folder_rolls_up_the_good_and_lists_every_bad_one(
    mixed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "team.xlsx"
    result = invoke("team", str(mixed), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.exists()
    text = result.stdout
    assert f"Wrote {out}: 5 people from 9 files." in text
    assert "4 files left out" in text
    assert "broken.xlsx: the file is a damaged zip" in text
    assert "nine.xlsx: rating 9 is not one of 1-5 at Matrix!" in text
    assert "(Cloud (AWS/Azure/GCP basics))" in text
    assert "twice.xlsx: rating 9 is not one of 1-5" in text and "(and 1 more error: " in text
    assert "budget.xlsx: no matrix table found on sheet 'Sheet'" in text
    for skipped in ("~$ada", ".~lock", ".hidden", "notes.txt"):
        assert skipped not in text


def test_the_report_groups_people_by_definition(mixed: Path) -> None:
    report = roll_up([mixed], today=TODAY)
    assert [g.definition.title for g in report.groups] == [D.title, CUSTOM.title]
    assert [g.fingerprint for g in report.groups] == [D.fingerprint(), CUSTOM.fingerprint()]
    owners = [[p.owner for p in g.people] for g in report.groups]
    assert owners == [["=cmd|' /C calc'!A0", "Ada", "Bob", "noname"], ["Cy"]]
    assert all(p.definition is g.definition for g in report.groups for p in g.people)
    ada = report.groups[0].people[1]
    assert ada.ready_by_id() == {"apply": True, "promotion": False}
    assert ada.ratings == tuple(READY.get(sid) for sid in IDS)
    assert ada.unrated == len(IDS) - len(READY)
    assert {e.kind for e in report.errors} == {"unreadable", "invalid"}
    assert [Path(e.workbook).name for e in report.errors] == [
        "broken.xlsx",
        "budget.xlsx",
        "nine.xlsx",
        "twice.xlsx",
    ]


def test_json_lists_people_and_errors(mixed: Path, tmp_path: Path) -> None:
    result = invoke("team", str(mixed), "-o", str(tmp_path / "t.xlsx"), "--format", "json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert set(body) >= {"people", "errors"}
    people = {p["owner"]: p for p in body["people"]}
    assert set(people) == {"=cmd|' /C calc'!A0", "Ada", "Bob", "noname", "Cy", "Nine"}
    ada = people["Ada"]
    assert {"workbook", "owner", "valid", "apply_ready", "promotion_ready"} <= set(ada)
    assert (ada["valid"], ada["apply_ready"], ada["promotion_ready"]) == (True, True, False)
    assert ada["ready"] == {"apply": True, "promotion": False}
    assert ada["workbook"] == str(mixed / "ada.xlsx")
    nine = people["Nine"]  # read, but invalid: listed, without verdicts, and as an error
    assert (nine["valid"], nine["apply_ready"], nine["promotion_ready"]) == (False, None, None)
    errors = {Path(e["workbook"]).name: e for e in body["errors"]}
    assert set(errors) == {"broken.xlsx", "budget.xlsx", "nine.xlsx", "twice.xlsx"}
    assert all(set(e) >= {"workbook", "message"} for e in body["errors"])
    assert errors["nine.xlsx"]["message"].startswith("rating 9 is not one of 1-5 at Matrix!")
    assert result.stderr == ""  # no progress bar, no chatter


def test_the_json_is_streamed_exactly_as_it_would_be_dumped(mixed: Path, tmp_path: Path) -> None:
    for paths in ([mixed], [tmp_path / "nowhere"], []):
        report = roll_up(paths, today=TODAY)
        whole = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
        assert "".join(report.iter_json()) == whole


# -- the team workbook ---------------------------------------------------------------------


def team_grid(path: Path) -> dict[str, dict[str, tuple[str, Any]]]:
    """owner -> skill name -> (cell reference, value), found by the Team sheet's headers."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Team").to_python()
    grid: dict[str, dict[str, tuple[str, Any]]] = {}
    skills: dict[int, str] = {}
    r = 0
    while r < len(rows):
        row = rows[r]
        if row and row[0] == "Person":
            start, end = row.index("Unrated") + 1, row.index("Workbook")
            skills = {c: row[c] for c in range(start, end) if row[c]}
            r += 3  # the Mandatory and Target rows
            continue
        if skills and row and row[0] not in ("", "Team"):
            grid[row[0]] = {name: (f"{col_letter(c)}{r + 1}", row[c]) for c, name in skills.items()}
        if row and row[0] == "Team":
            skills = {}
        r += 1
    return grid


def test_the_team_workbook_opens_in_libreoffice_with_the_ratings_in_the_heatmap(
    mixed: Path, tmp_path: Path, libreoffice: Any
) -> None:
    report = roll_up([mixed], today=TODAY)
    out = write_team_workbook(report, tmp_path / "team.xlsx")
    names = [name for name, visible in libreoffice.sheets(out) if visible]
    assert names == ["Team", "Coverage", "Errors"]
    grid = team_grid(out)
    refs, expected = [], {}
    for group in report.groups:
        for person in group.people:
            for skill, rating in zip(group.definition.skills, person.ratings, strict=True):
                ref = f"Team!{grid[person.owner][skill.name][0]}"
                refs.append(ref)
                expected[ref] = None if rating is None else float(rating)
    got = libreoffice.read(out, refs)
    assert got == expected
    assert len(refs) == 4 * len(IDS) + len(CUSTOM.skills)
    # a name that looks like a formula is text in LibreOffice too
    owner_cells = [f"Team!A{n}" for n in range(1, 40)]
    assert "=cmd|' /C calc'!A0" in libreoffice.read(out, owner_cells).values()


def test_strings_stay_text_and_verdicts_are_words(mixed: Path, tmp_path: Path) -> None:
    out = write_team_workbook(roll_up([mixed], today=TODAY), tmp_path / "team.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["Team"]
    values = {c.coordinate: c for row in ws.iter_rows() for c in row if c.value is not None}
    formula = [c for c in values.values() if c.data_type == "f"]
    assert formula == []
    texts = {c.value for c in values.values()}
    assert "=cmd|' /C calc'!A0" in texts and {"YES", "NOT YET"} <= texts
    assert ws.freeze_panes is not None
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert [s.title for s in wb.worksheets] == ["Team", "Coverage", "Errors"]


def test_markup_lookalike_names_stay_text_in_the_team_workbook(tmp_path: Path) -> None:
    # xlsxwriter writes a string "<r>...</r>" as raw XML unless told otherwise
    from matrix_xl.generate.roster import _Template

    hostile = "<r><t>hi</t></r>"
    (tmp_path / "h.xlsx").write_bytes(_Template(D, TODAY).render(hostile, "<r></r>"))
    out = write_team_workbook(roll_up([tmp_path / "h.xlsx"], today=TODAY), tmp_path / "t.xlsx")
    rows = read_sheet(out, "Team")
    person = next(r for r in rows if r and r[0] == hostile)
    assert person[1] == "<r></r>"
    assert openpyxl.load_workbook(out)["Team"]["A1"].value == "Team roll-up"


def test_the_team_workbook_is_reproducible(mixed: Path, tmp_path: Path) -> None:
    report = roll_up([mixed], today=TODAY)
    a = write_team_workbook(report, tmp_path / "a.xlsx").read_bytes()
    b = write_team_workbook(report, tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_an_existing_team_workbook_is_not_overwritten_without_force(
    mixed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "team.xlsx"
    out.write_bytes(b"last week's")
    result = invoke("team", str(mixed), "-o", str(out))
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_bytes() == b"last week's"
    with pytest.raises(UsageError, match=r"\.xlsx"):
        roll_up_cli([mixed], tmp_path / "team.csv")
    assert invoke("team", str(mixed), "-o", str(out), "--force").exit_code == 0
    assert read_sheet(out, "Team")[0][0] == "Team roll-up"


def test_the_output_inside_the_folder_is_not_read_back(mixed: Path) -> None:
    out = mixed / "team.xlsx"
    assert invoke("team", str(mixed), "-o", str(out)).exit_code == 0
    result = invoke("team", str(mixed), "-o", str(out), "--force", "--format", "json")
    assert str(out) not in result.stdout


def read_sheet(path: Path, sheet: str) -> list[list[Any]]:
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    )
    return rows


def test_coverage_counts_weakest_skills_and_mentors(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    low = {sid: 4 for sid in IDS} | {"cloud": 2, "communication": 3}
    (folder / "a.xlsx").write_bytes(build_workbook(owner="Ana", ratings=READY | {"cloud": 5}))
    (folder / "b.xlsx").write_bytes(build_workbook(owner="Ben", ratings=low))
    (folder / "c.xlsx").write_bytes(build_workbook(owner="Cid", ratings=low | {"cloud": 1}))
    out = write_team_workbook(roll_up([folder], today=TODAY), tmp_path / "t.xlsx")
    rows = read_sheet(out, "Coverage")
    by_skill = {r[0]: r for r in rows if r and r[1] in ("Yes", "No")}
    cloud = by_skill[D.skill("cloud").name]
    assert cloud[2:7] == [4, 1, 3, pytest.approx(1 / 3), pytest.approx(8 / 3)]
    assert cloud[7] == "Ana"
    assert cloud[8] == "Ben, Cid"
    weakest = next(r[0] for r in rows if r and str(r[0]).startswith("Weakest mandatory"))
    assert weakest.startswith(f"Weakest mandatory skills: {D.skill('cloud').name} (1 of 3 meet 4)")
    assert D.skill("communication").name in weakest


def test_errors_sheet_says_none_when_every_file_is_good(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(build_workbook(owner="Ana", ratings=READY))
    out = write_team_workbook(roll_up([tmp_path / "a.xlsx"]), tmp_path / "t.xlsx")
    rows = read_sheet(out, "Errors")
    assert ["none", "", "Every file was read and is valid."] in rows


def test_trend_from_histories_week_by_week(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    ana = folder / "ana.xlsx"
    ana.write_bytes(build_workbook(owner="Ana", ratings={**READY, "cloud": 3}))
    assert evaluate(ana, as_of=date(2026, 11, 2)).valid  # 2026-W45, not ready (cloud 3)
    ana.write_bytes(with_cells(ana.read_bytes(), {cell("cloud"): 4}))
    assert evaluate(ana, as_of=date(2026, 11, 16)).valid  # 2026-W47, ready to apply
    ben = folder / "ben.xlsx"
    ben.write_bytes(build_workbook(owner="Ben", ratings=READY))
    assert evaluate(ben, as_of=date(2026, 11, 9)).valid  # 2026-W46, ready to apply
    (folder / "cy.xlsx").write_bytes(build_workbook(owner="Cy", ratings=READY))  # no history
    report = roll_up([folder], today=TODAY)
    ana_result = next(p for p in report.people if p.owner == "Ana")
    assert [(h.week, h.ready) for h in ana_result.history] == [
        ("2026-W45", (False, False)),
        ("2026-W47", (True, False)),
    ]
    out = write_team_workbook(report, tmp_path / "t.xlsx")
    rows = read_sheet(out, "Trend")
    weeks = [r[:4] for r in rows if r and str(r[0]).startswith("2026-W")]
    assert weeks == [["2026-W45", 1, 0, 0], ["2026-W46", 2, 1, 0], ["2026-W47", 2, 2, 0]]


# -- exit codes and the progress bar -------------------------------------------------------


def test_nothing_readable_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(b"PK\x03\x04 cut short")
    (folder / "b.xlsx").write_bytes(with_cells(build_workbook(owner="Nine"), {cell("cloud"): 9}))
    out = tmp_path / "team.xlsx"
    result = invoke("team", str(folder), "-o", str(out))
    assert result.exit_code == 2
    assert "a.xlsx: the file is a damaged zip" in result.stdout
    assert "none of the 2 file(s) could be used" in result.stderr
    assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("team", str(empty), "-o", str(out))
    assert result.exit_code == 2 and "no .xlsx or .xlsm workbook found" in result.stderr
    result = invoke("team", str(tmp_path / "nowhere"), "-o", str(out), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"][0]["message"] == "no such file or folder"
    assert not out.exists()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_progress_bar_only_for_text_on_a_terminal(
    fmt: str,
    mixed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = roll_up_cli([mixed], tmp_path / "t.xlsx", fmt=fmt)
    assert code == 0
    drawn = terminal.getvalue()
    if fmt == "json":
        assert drawn == ""
        json.loads(capsys.readouterr().out)
    else:
        assert "Reading workbooks" in drawn


def test_progress_callback_counts_up_to_every_file(mixed: Path) -> None:
    calls: list[tuple[int, int]] = []
    roll_up([mixed], progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 9) and calls[-1] == (9, 9)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# -- the per-file work is a pure function of bytes -----------------------------------------


@pytest.fixture
def no_file_system(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"file system touched: {args!r}")

    # warm the caches and imports first: only the per-file work is under test
    summarise_workbook(build_workbook(owner="W", ratings=READY), "warm.xlsx")
    summarise_workbook(NINE, "warm.xlsx")
    for target, name in (
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (os, "stat"),
        (os, "scandir"),
        (Path, "open"),
        (Path, "read_bytes"),
        (Path, "exists"),
    ):
        monkeypatch.setattr(target, name, refuse)
    yield


def test_summarise_workbook_works_on_bytes_without_the_file_system(no_file_system: None) -> None:
    good = build_workbook(owner="Ada", role="MLE", ratings=READY)
    bad = NINE
    person = summarise_workbook(good, "s3://bucket/ada.xlsx", today=TODAY)
    assert isinstance(person, PersonResult)
    assert (person.owner, person.role, person.workbook) == ("Ada", "MLE", "s3://bucket/ada.xlsx")
    assert person.ready == (True, False)
    error = summarise_workbook(bad, "s3://bucket/nine.xlsx", today=TODAY)
    assert isinstance(error, FileError) and error.kind == "invalid"
    assert error.message.startswith("rating 9 is not one of 1-5")
    broken = summarise_workbook(b"not a workbook", "s3://bucket/x.xlsx")
    assert isinstance(broken, FileError) and "not an Excel workbook" in broken.message


def test_the_screen_and_full_validation_give_the_same_results(mixed: Path) -> None:
    files, _ = find_workbooks([mixed])
    items = [(p.read_bytes(), str(p)) for p in files]
    assert summarise_many(items, today=TODAY) == summarise_many(items, today=TODAY, screen=False)


def test_parallel_and_single_process_agree(mixed: Path) -> None:
    one = roll_up([mixed], workers=1, today=TODAY)
    two = roll_up([mixed], workers=2, today=TODAY)
    assert one.to_dict() == two.to_dict()
    assert [p.ratings for p in one.people] == [p.ratings for p in two.people]


def test_a_file_that_breaks_validation_is_listed_and_the_others_go_on(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matrix_xl.validation.schemas as schemas

    real = schemas.validate_many

    def fragile(reads: list[MatrixRead], today: date | None = None, **options: Any) -> Any:
        if any(r.name.endswith("/nine.xlsx") for r in reads):
            raise ValueError("boom")
        return real(reads, today, **options)

    monkeypatch.setattr(schemas, "validate_many", fragile)
    report = roll_up([mixed], today=TODAY)
    messages = {Path(e.workbook).name: e.message for e in report.errors}
    assert "ValueError: boom" in messages["nine.xlsx"] and "bug" in messages["nine.xlsx"]
    assert messages["twice.xlsx"].startswith("rating 9")
    assert len(report.people) == 5


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


# -- properties ----------------------------------------------------------------------------

ratings_strategy = st.fixed_dictionaries(
    {sid: st.one_of(st.none(), st.integers(1, 5)) for sid in IDS}
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ratings_strategy, min_size=1, max_size=6))
def test_roll_up_verdicts_are_each_persons_rules_verdicts(
    team_ratings: list[dict[str, int | None]],
) -> None:
    items = [
        (build_workbook(owner=f"P{i}", ratings=r, created=TODAY), f"p{i}.xlsx")
        for i, r in enumerate(team_ratings)
    ]
    results = summarise_many(items, today=TODAY)
    report = team._report(TODAY, len(items), list(results), [])
    for person, ratings in zip(report.groups[0].people, team_ratings, strict=True):
        assert person.ready == tuple(v.ready for v in evaluate_rules(D, ratings))
        assert person.unrated == sum(1 for v in ratings.values() if v is None)
    counts = report.groups[0].ready_counts()
    assert counts == [
        sum(evaluate_rules(D, r)[t].ready for r in team_ratings) for t in range(len(counts))
    ]


def _read(rows: list[RatingRow], log: list[LogRow], findings: list[Finding]) -> MatrixRead:
    return MatrixRead(
        name="p.xlsx",
        definition=D,
        embedded=True,
        sheet=L.MATRIX,
        owner="P",
        role="",
        date_rated=None,
        created=None,
        rows=rows,
        log_rows=log,
        log_sheet=L.LOG,
        history=[],
        sheet_names=[L.MATRIX, L.LOG],
        extra_columns=[],
        findings=findings,
    )


def _rows(mandatory: list[str], ratings: Any, errors: Any) -> Any:
    return st.tuples(
        st.sampled_from(mandatory), ratings, errors, st.sampled_from(["", "read the book", "?"])
    )


# Mostly clean rows and log entries, and at most one doubtful one of each: both outcomes
# come up often (a purely random mix would almost always hold an error).
clean_rows = _rows(["Yes", "No"], st.one_of(st.none(), st.integers(1, 5)), st.none())
doubtful_rows = _rows(
    ["Yes", "No", "yes", "", "Maybe"],
    st.one_of(st.none(), st.integers(-1, 7)),
    st.one_of(st.none(), st.just("'x' is not a number")),
)
rating_rows = st.tuples(st.lists(clean_rows, max_size=6), st.lists(doubtful_rows, max_size=1)).map(
    lambda t: [*t[0], *t[1]]
)
SKILL_NAMES = [s.name for s in D.skills[:3]] + [" cloud (AWS/Azure/GCP   basics) "]
clean_log = st.tuples(
    st.dates(date(2025, 1, 1), TODAY), st.sampled_from(SKILL_NAMES), st.just("built a thing")
)
doubtful_log = st.tuples(
    st.one_of(st.none(), st.dates(date(2026, 11, 20), date(2026, 12, 2))),
    st.sampled_from([*SKILL_NAMES, "", "Knitting"]),
    st.sampled_from(["", "  ", "built a thing"]),
)
log_rows = st.tuples(st.lists(clean_log, max_size=3), st.lists(doubtful_log, max_size=1)).map(
    lambda t: [*t[0], *t[1]]
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(rating_rows, log_rows, st.booleans())
def test_the_screen_finds_an_error_exactly_when_the_schemas_do(
    rows: list[tuple[str, int | None, str | None, str]],
    log: list[tuple[date | None, str, str]],
    reader_error: bool,
) -> None:
    read = _read(
        [
            RatingRow(
                sid,
                D.skill(sid).name,
                mandatory,
                rating,
                error,
                notes,
                8 + i,
                f"E{8 + i}",
                f"F{8 + i}",
                f"B{8 + i}",
            )
            for i, (sid, (mandatory, rating, error, notes)) in enumerate(
                zip(IDS, rows, strict=False)
            )
        ],
        [
            LogRow(
                when,
                "" if when is None else when.isoformat(),
                skill,
                action,
                "",
                2 + i,
                (f"A{2 + i}", f"B{2 + i}", f"C{2 + i}", f"D{2 + i}"),
            )
            for i, (when, skill, action) in enumerate(log)
        ],
        [Finding("error", L.MATRIX, "A30", "x", "not a skill")] if reader_error else [],
    )
    errors = [f for f in validate(read, today=TODAY) if f.severity == "error"]
    assert team._has_errors(read, TODAY) == bool(errors)
    [result] = team.judge_reads([read], TODAY)
    assert isinstance(result, FileError) == bool(errors)
    if errors:
        assert result.message.startswith(f"{errors[0].message} at {errors[0].location()}")


def test_a_report_from_results_made_elsewhere_equals_the_roll_up(mixed: Path) -> None:
    files, _ = find_workbooks([mixed])
    results = [summarise_workbook(p.read_bytes(), str(p), today=TODAY) for p in files]
    assert TeamReport.from_results(results, today=TODAY).to_dict() == (
        roll_up([mixed], today=TODAY).to_dict()
    )


def test_history_rows_are_judged_with_the_rules() -> None:
    history = HistoryRow("2026-W40", date(2026, 10, 1), dict(READY))
    point = team._trend_point(D, history)
    assert point.ready == (True, False)
    assert (point.rating_sum, point.rated) == (sum(READY.values()), len(READY))


def test_team_report_type_is_exported() -> None:
    import matrix_xl

    assert matrix_xl.TeamReport is TeamReport and matrix_xl.roll_up is roll_up
