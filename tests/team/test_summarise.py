"""Summarising workbooks: read, check, judge; a pure function of each file's bytes."""

from __future__ import annotations

import builtins
import io
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from team_files import IDS, NINE, READY, TODAY, D, cell, with_cells

import matrix_xl.team.summarise as team
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import evaluate_rules
from matrix_xl.team.discover import find_workbooks
from matrix_xl.team.model import FileError, PersonResult
from matrix_xl.team.report import TeamReport
from matrix_xl.team.summarise import judge_reads, summarise_many, summarise_workbook, trend_point

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


def test_a_person_holds_ratings_verdicts_and_the_owner_or_the_file_name() -> None:
    ada = summarise_workbook(build_workbook(owner="Ada", ratings=READY), "ada.xlsx", today=TODAY)
    assert isinstance(ada, PersonResult)
    assert ada.ratings == tuple(READY.get(sid) for sid in IDS)
    assert ada.unrated == len(IDS) - len(READY)
    assert (ada.definition, ada.fingerprint) == (D, D.fingerprint())
    assert ada.history == ()
    for name, owner in (("s3://b/team/noname.xlsx", "noname"), ("C:\\team\\x y.xlsm", "x y")):
        nobody = summarise_workbook(build_workbook(), name, today=TODAY)
        assert isinstance(nobody, PersonResult) and nobody.owner == owner


def test_an_invalid_workbook_keeps_who_it_is_and_counts_its_other_errors() -> None:
    twice = with_cells(NINE, {cell("communication"): "lots"})
    error = summarise_workbook(twice, "twice.xlsx", today=TODAY)
    assert isinstance(error, FileError)
    assert (error.kind, error.owner, error.thresholds) == (
        "invalid",
        "Nine",
        ("apply", "promotion"),
    )
    assert error.message.endswith("(and 1 more error: run `matrix-xl validate`)")


def test_the_screen_and_full_validation_give_the_same_results(mixed: Path) -> None:
    files, _ = find_workbooks([mixed])
    items = [(p.read_bytes(), str(p)) for p in files]
    assert summarise_many(items, today=TODAY) == summarise_many(items, today=TODAY, screen=False)


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
    files, _ = find_workbooks([mixed])
    results = summarise_many([(p, str(p)) for p in files], today=TODAY)
    messages = {Path(r.workbook).name: r.message for r in results if isinstance(r, FileError)}
    assert "ValueError: boom" in messages["nine.xlsx"] and "bug" in messages["nine.xlsx"]
    assert messages["twice.xlsx"].startswith("rating 9")
    assert sum(isinstance(r, PersonResult) for r in results) == 5


def test_a_bug_on_one_file_is_that_files_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = team.read_workbook

    def flaky(source: Any, name: str = "") -> MatrixRead:
        if name == "b.xlsx":
            raise KeyError("surprise")
        return real(source, name=name)

    monkeypatch.setattr(team, "read_workbook", flaky)
    good = build_workbook(owner="A", ratings=READY)
    a, b, c = summarise_many([(good, "a.xlsx"), (good, "b.xlsx"), (good, "c.xlsx")], today=TODAY)
    assert isinstance(a, PersonResult) and isinstance(c, PersonResult)
    assert isinstance(b, FileError) and "KeyError" in b.message and "a bug" in b.message


def test_reads_with_one_name_are_each_judged() -> None:
    # The schemas key their findings by workbook name: equal names are validated apart.
    reads = [read_workbook(NINE, name="same.xlsx"), read_workbook(NINE, name="same.xlsx")]
    reads.append(read_workbook(build_workbook(owner="A", ratings=READY), name="same.xlsx"))
    first, second, third = judge_reads(reads, TODAY)
    assert isinstance(first, FileError) and first == second
    assert isinstance(third, PersonResult) and third.owner == "A"


def test_history_rows_are_judged_with_the_rules() -> None:
    history = HistoryRow("2026-W40", date(2026, 10, 1), dict(READY))
    point = trend_point(D, history)
    assert point.week == "2026-W40"
    assert point.ready == (True, False)
    assert (point.rating_sum, point.rated) == (sum(READY.values()), len(READY))


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
    report = TeamReport.from_results(results, today=TODAY)
    for person, ratings in zip(report.groups[0].people, team_ratings, strict=True):
        assert person.ready == tuple(v.ready for v in evaluate_rules(D, ratings))
        assert person.unrated == sum(1 for v in ratings.values() if v is None)
    counts = report.groups[0].ready_counts()
    assert counts == [
        sum(evaluate_rules(D, r)[t].ready for r in team_ratings) for t in range(len(counts))
    ]
