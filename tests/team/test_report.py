"""The team report: people grouped by definition, files left out, and its JSON."""

from __future__ import annotations

import dataclasses
import json
import pickle
from datetime import date
from pathlib import Path

from team_files import CUSTOM, READY, TODAY, D

from matrix_xl.generate.workbook import build_workbook
from matrix_xl.team.discover import find_workbooks
from matrix_xl.team.model import FileError, PersonResult, TrendPoint
from matrix_xl.team.report import TeamReport, group_results
from matrix_xl.team.rollup import roll_up
from matrix_xl.team.stats import coverage
from matrix_xl.team.summarise import summarise_workbook


def person(
    owner: str, *, own_definition: bool = False, history: tuple[TrendPoint, ...] = ()
) -> PersonResult:
    """A summarised workbook; ``own_definition``: with its own copy, as from a worker."""
    result = summarise_workbook(build_workbook(owner=owner, ratings=READY), f"{owner}.xlsx")
    assert isinstance(result, PersonResult)
    d = pickle.loads(pickle.dumps(result.definition)) if own_definition else result.definition
    return dataclasses.replace(result, definition=d, history=history)


def test_the_json_is_streamed_exactly_as_it_would_be_dumped(mixed: Path, tmp_path: Path) -> None:
    for paths in ([mixed], [tmp_path / "nowhere"], []):
        report = roll_up(paths, today=TODAY)
        whole = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
        assert "".join(report.iter_json()) == whole


def test_json_people_list_the_valid_and_the_invalid_by_owner() -> None:
    invalid = FileError("z.xlsx", "bad", kind="invalid", owner="bea", thresholds=("apply",))
    missing = FileError("gone.xlsx", "no such file or folder", kind="missing")
    report = TeamReport.from_results([person("Cid"), invalid, person("Ada"), missing])
    people = report.to_dict()["people"]
    assert [(p["owner"], p["valid"]) for p in people] == [
        ("Ada", True),
        ("bea", False),
        ("Cid", True),
    ]
    assert people[1] == invalid.person_dict()
    assert [e["workbook"] for e in report.to_dict()["errors"]] == ["gone.xlsx", "z.xlsx"]


def test_a_report_from_results_made_elsewhere_equals_the_roll_up(mixed: Path) -> None:
    files, _ = find_workbooks([mixed])
    results = [summarise_workbook(p.read_bytes(), str(p), today=TODAY) for p in files]
    assert TeamReport.from_results(results, today=TODAY).to_dict() == (
        roll_up([mixed], today=TODAY).to_dict()
    )


def test_groups_are_largest_first_with_one_definition_object_each() -> None:
    people = [person("bob"), person("Ada", own_definition=True), person("cy", own_definition=True)]
    custom = summarise_workbook(build_workbook(CUSTOM, owner="Zed"), "zed.xlsx")
    assert isinstance(custom, PersonResult)
    assert len({id(p.definition) for p in people}) == 3
    report = group_results(date(2026, 1, 5), 4, [custom, *people], [])
    assert [g.definition.title for g in report.groups] == [D.title, CUSTOM.title]
    first = report.groups[0]
    assert [p.owner for p in first.people] == ["Ada", "bob", "cy"]
    assert all(p.definition is first.definition for p in first.people)
    assert report.people == [*first.people, custom]
    assert (report.today, report.files, report.errors) == (date(2026, 1, 5), 4, [])
    assert coverage(first)[0].people == 3


def test_an_empty_report_is_valid_json() -> None:
    report = TeamReport.from_results([], today=TODAY)
    assert json.loads("".join(report.iter_json())) == {
        "as_of": TODAY.isoformat(),
        "files": 0,
        "people": [],
        "errors": [],
        "definitions": [],
    }
