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

# The keys before the team statistics, in the order (and with the values) they had then.
BEFORE_STATISTICS = ["as_of", "files", "people", "errors", "definitions"]


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


def test_the_statistics_come_after_the_keys_that_were_there_before(mixed: Path) -> None:
    report = roll_up([mixed], today=TODAY)
    body = report.to_dict()
    assert list(body) == [*BEFORE_STATISTICS, "coverage", "weakest", "trend"]
    before = json.dumps({k: body[k] for k in BEFORE_STATISTICS}, indent=2, ensure_ascii=False)
    assert "".join(report.iter_json()).startswith(before[: -len("\n}")] + ",\n")
    assert [d["fingerprint"] for d in body["definitions"]] == [
        D.fingerprint(),
        CUSTOM.fingerprint(),
    ]


def test_coverage_and_weakest_skills_in_json_per_definition(mixed: Path) -> None:
    body = roll_up([mixed], today=TODAY).to_dict()
    groups = {d["fingerprint"]: d["people"] for d in body["definitions"]}
    for fingerprint, d in ((D.fingerprint(), D), (CUSTOM.fingerprint(), CUSTOM)):
        rows = [c for c in body["coverage"] if c["definition"] == fingerprint]
        assert [c["skill_id"] for c in rows] == [s.id for s in d.skills]
        assert all(c["people"] == groups[fingerprint] for c in rows)
    cloud = next(c for c in body["coverage"] if c["skill_id"] == "cloud")
    # Ada 4, noname 5, Bob's random rating, the =cmd workbook unrated
    assert (cloud["people"], cloud["target"], cloud["mandatory"]) == (4, 4, True)
    assert "noname" in cloud["could_mentor"]
    assert set(body["weakest"][0]) == {
        "definition",
        "skill_id",
        "skill",
        "target",
        "meets",
        "people",
        "share",
        "average",
    }
    default = [w for w in body["weakest"] if w["definition"] == D.fingerprint()]
    assert 1 <= len(default) <= 3
    mandatory = {s.id for s in D.skills if s.mandatory}
    assert all(w["skill_id"] in mandatory and w["meets"] < w["people"] for w in default)
    assert body["trend"] == []  # no workbook here has a History


def test_the_trend_in_json_names_each_threshold() -> None:
    history = (
        TrendPoint("2026-W45", (False, False), 60, 20),
        TrendPoint("2026-W47", (True, False), 80, 20),
    )
    report = TeamReport.from_results([person("Ana", history=history)], today=TODAY)
    assert report.to_dict()["trend"] == [
        {
            "definition": D.fingerprint(),
            "week": "2026-W45",
            "people": 1,
            "ready": {"apply": 0, "promotion": 0},
            "average": 3.0,
        },
        {
            "definition": D.fingerprint(),
            "week": "2026-W47",
            "people": 1,
            "ready": {"apply": 1, "promotion": 0},
            "average": 4.0,
        },
    ]


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
        "coverage": [],
        "weakest": [],
        "trend": [],
    }
