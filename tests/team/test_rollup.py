"""The roll-up: files in, a report out; in chunks, on one core or many, with progress."""

from __future__ import annotations

from pathlib import Path

from team_files import CUSTOM, IDS, READY, TODAY, D

import matrix_xl
import matrix_xl.team.rollup as rollup
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.team import discover, model, report, summarise, workbook
from matrix_xl.team.rollup import roll_up


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
    assert (report.files, report.today) == (9, TODAY)


def test_a_missing_path_is_an_error_not_an_exception(mixed: Path, tmp_path: Path) -> None:
    report = roll_up([tmp_path / "nowhere", mixed / "ada.xlsx"], today=TODAY)
    assert report.files == 2 and [p.owner for p in report.people] == ["Ada"]
    [missing] = report.errors
    assert (missing.workbook, missing.kind) == (str(tmp_path / "nowhere"), "missing")
    assert missing.message == "no such file or folder"


def test_excluded_files_are_never_read(mixed: Path) -> None:
    report = roll_up([mixed], today=TODAY, exclude=[mixed / "ada.xlsx", mixed / "broken.xlsx"])
    assert report.files == 7
    assert "Ada" not in [p.owner for p in report.people]
    assert "broken.xlsx" not in [Path(e.workbook).name for e in report.errors]


def test_parallel_and_single_process_agree(mixed: Path) -> None:
    one = roll_up([mixed], workers=1, today=TODAY)
    two = roll_up([mixed], workers=2, today=TODAY)
    assert one.to_dict() == two.to_dict()
    assert [p.ratings for p in one.people] == [p.ratings for p in two.people]
    assert all(p.definition is g.definition for g in two.groups for p in g.people)


def test_a_team_big_enough_for_every_core_gives_the_same_report(tmp_path: Path) -> None:
    # From 48 files on, the roll-up uses worker processes by itself.
    for i in range(50):
        ratings = {sid: 1 + (i + n) % 5 for n, sid in enumerate(IDS)}
        (tmp_path / f"p{i:02}.xlsx").write_bytes(build_workbook(owner=f"P{i:02}", ratings=ratings))
    calls: list[tuple[int, int]] = []
    auto = roll_up([tmp_path], today=TODAY, progress=lambda d, t: calls.append((d, t)))
    assert auto.to_dict() == roll_up([tmp_path], workers=1, today=TODAY).to_dict()
    assert len(auto.people) == 50
    assert calls[0] == (0, 50) and calls[-1] == (50, 50)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_progress_callback_counts_up_to_every_file(mixed: Path) -> None:
    calls: list[tuple[int, int]] = []
    roll_up([mixed], progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 9) and calls[-1] == (9, 9)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_the_public_names_are_exported_and_still_importable_from_rollup() -> None:
    assert matrix_xl.TeamReport is report.TeamReport
    assert matrix_xl.roll_up is roll_up
    assert matrix_xl.summarise_workbook is summarise.summarise_workbook
    assert matrix_xl.write_team_workbook is workbook.write_team_workbook
    homes = {**vars(model), **vars(report), **vars(summarise), **vars(discover), **vars(workbook)}
    for name in rollup.__all__:
        if name not in ("roll_up", "Progress"):
            assert getattr(rollup, name) is homes[name], name
