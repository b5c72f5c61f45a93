"""The team workbook: Team, Coverage, Trend and Errors sheets, as people open them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from team_files import CUSTOM, IDS, READY, TODAY, D, cell, read_sheet, with_cells

from matrix_xl.errors import UsageError
from matrix_xl.evaluation.run import evaluate
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.team.report import TeamReport
from matrix_xl.team.rollup import roll_up
from matrix_xl.team.stats import coverage, trend, weakest
from matrix_xl.team.workbook import MAX_NAMES, check_output, write_team_workbook
from matrix_xl.xlsx.cells import col_letter


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


def coverage_rows(path: Path) -> list[list[Any]]:
    return [r for r in read_sheet(path, "Coverage") if r and r[1] in ("Yes", "No")]


# -- Team ----------------------------------------------------------------------------------


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
    assert ws.freeze_panes == "C1"  # two groups: no header row stays in view
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert [s.title for s in wb.worksheets] == ["Team", "Coverage", "Errors"]


def test_the_team_line_counts_who_is_ready_and_averages_each_skill(tmp_path: Path) -> None:
    for owner, cloud in (("Ana", 5), ("Ben", 2), ("Cy", None)):
        ratings = {**READY, "cloud": cloud}
        (tmp_path / f"{owner}.xlsx").write_bytes(build_workbook(owner=owner, ratings=ratings))
    out = write_team_workbook(roll_up([tmp_path], today=TODAY), tmp_path / "t.xlsx")
    rows = read_sheet(out, "Team")
    header = next(r for r in rows if r and r[0] == "Person")
    line = next(r for r in rows if r and r[0] == "Team")
    assert line[header.index("Ready to apply")] == "1 of 3"
    assert line[header.index(D.skill("cloud").name)] == pytest.approx(3.5)
    assert line[header.index(D.skill("communication").name)] == pytest.approx(4)
    # one group: its header, Mandatory and Target rows (6-8) stay in view
    assert openpyxl.load_workbook(out)["Team"].freeze_panes == "C9"


def test_markup_lookalike_names_stay_text_in_the_team_workbook(tmp_path: Path) -> None:
    # xlsxwriter writes a string "<r>...</r>" as raw XML unless told otherwise
    hostile = "<r><t>hi</t></r>"
    (tmp_path / "h.xlsx").write_bytes(build_workbook(owner=hostile, role="<r></r>"))
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


def test_a_report_without_people_still_makes_a_workbook(tmp_path: Path) -> None:
    report = TeamReport.from_results([], today=TODAY)
    out = write_team_workbook(report, tmp_path / "t.xlsx")
    assert CalamineWorkbook.from_path(str(out)).sheet_names == ["Team", "Coverage", "Errors"]
    assert ["No valid workbook: see the Errors sheet."] in [r[:1] for r in read_sheet(out, "Team")]


# -- Coverage ------------------------------------------------------------------------------


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
    weakest_line = next(r[0] for r in rows if r and str(r[0]).startswith("Weakest mandatory"))
    assert weakest_line.startswith(
        f"Weakest mandatory skills: {D.skill('cloud').name} (1 of 3 meet 4)"
    )
    assert D.skill("communication").name in weakest_line


def test_the_coverage_sheet_shows_the_statistics(mixed: Path, tmp_path: Path) -> None:
    report = roll_up([mixed], today=TODAY)
    out = write_team_workbook(report, tmp_path / "t.xlsx")
    rows = coverage_rows(out)
    stats = [c for g in report.groups for c in coverage(g)]
    assert len(rows) == len(stats)
    for row, c in zip(rows, stats, strict=True):
        assert row[:2] == [c.name, "Yes" if c.mandatory else "No"]
        assert row[2:6] == [c.target, c.meets, c.rated, pytest.approx(c.share)]
        assert row[6] == ("" if c.average is None else pytest.approx(c.average))
        assert row[7] == (", ".join(c.mentors) or "-")
        assert row[8] == (", ".join(c.learners) or "-")
    notes = ("Weakest mandatory skills: ", "Every mandatory skill is met by everyone.")
    lines = [r[0] for r in read_sheet(out, "Coverage") if r and str(r[0]).startswith(notes)]
    for line, group in zip(lines, report.groups, strict=True):
        named = weakest(coverage(group))
        assert line.startswith(notes[0] if named else notes[1])
        assert line.count(" meet ") == len(named)
        assert all(c.name in line for c in named)


def test_long_name_lists_are_cut_on_the_sheet_but_not_in_the_statistics(tmp_path: Path) -> None:
    many = MAX_NAMES + 3
    for i in range(many):
        owner = f"P{i:02}"
        (tmp_path / f"{owner}.xlsx").write_bytes(build_workbook(owner=owner, ratings={"cloud": 5}))
    report = roll_up([tmp_path], today=TODAY)
    out = write_team_workbook(report, tmp_path / "out.xlsx")
    cloud_row = next(r for r in coverage_rows(out) if r[0] == D.skill("cloud").name)
    listed = ", ".join(f"P{i:02}" for i in range(MAX_NAMES))
    assert cloud_row[7] == f"{listed} and 3 more"
    cloud = next(c for c in coverage(report.groups[0]) if c.skill_id == "cloud")
    assert len(cloud.mentors) == many


def test_everyone_meeting_every_mandatory_skill_is_said(tmp_path: Path) -> None:
    ready = dict.fromkeys(IDS, 5)
    (tmp_path / "a.xlsx").write_bytes(build_workbook(owner="Ana", ratings=ready))
    out = write_team_workbook(roll_up([tmp_path / "a.xlsx"]), tmp_path / "t.xlsx")
    assert ["Every mandatory skill is met by everyone."] in [
        r[:1] for r in read_sheet(out, "Coverage")
    ]


# -- Trend and Errors ----------------------------------------------------------------------


def test_errors_sheet_says_none_when_every_file_is_good(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(build_workbook(owner="Ana", ratings=READY))
    out = write_team_workbook(roll_up([tmp_path / "a.xlsx"]), tmp_path / "t.xlsx")
    rows = read_sheet(out, "Errors")
    assert ["none", "", "Every file was read and is valid."] in rows


def test_errors_sheet_lists_each_file_left_out(mixed: Path, tmp_path: Path) -> None:
    report = roll_up([mixed], today=TODAY)
    out = write_team_workbook(report, tmp_path / "t.xlsx")
    rows = read_sheet(out, "Errors")[4:]
    assert rows == [[e.workbook, e.owner or "", e.message] for e in report.errors]


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
    shown = [r[:5] for r in rows if r and str(r[0]).startswith("2026-W")]
    stats = trend(report.groups[0])
    assert shown == [[w.week, w.people, *w.ready, pytest.approx(w.average)] for w in stats]


# -- where it may be written ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("team.csv", "must end in .xlsx"),
        ("folder.xlsx", "this is a folder"),
        ("nowhere/team.xlsx", "does not exist"),
        ("exists.xlsx", "pass --force"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused(
    tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "folder.xlsx").mkdir()
    (tmp_path / "exists.xlsx").write_bytes(b"last week's")
    with pytest.raises(UsageError, match=message):
        check_output(tmp_path / name, force=False)
    with pytest.raises(UsageError, match=message):
        write_team_workbook(TeamReport.from_results([]), tmp_path / name)
    assert (tmp_path / "exists.xlsx").read_bytes() == b"last week's"


def test_force_overwrites_an_existing_team_workbook(tmp_path: Path) -> None:
    out = tmp_path / "team.xlsx"
    out.write_bytes(b"last week's")
    check_output(out, force=True)
    write_team_workbook(TeamReport.from_results([], today=TODAY), out, force=True)
    assert read_sheet(out, "Team")[0][0] == "Team roll-up"
