"""Tests of matrix_xl/evaluation/judge.py: judging a workbook already read, with no I/O.

One blank workbook is read once; each case puts its own ratings and History into a copy
of that read, so the judge is tested on exactly the data it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix_xl.definition import default_definition
from matrix_xl.evaluation.judge import change_impact, evaluate_read
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import Verdict, evaluate_rules, priorities, skill_status

D = default_definition()
IDS = [s.id for s in D.skills]
AS_OF = date(2026, 11, 11)  # a Wednesday of 2026-W46
BLANK = read_workbook(
    build_workbook(owner="Ada", role="ML Engineer", created=date(2026, 1, 5)), name="me.xlsx"
)

Ratings = dict[str, int | None]


def read_with(ratings: Mapping[str, int | None], history: Sequence[HistoryRow] = ()) -> MatrixRead:
    """The blank workbook's read with these ratings and this History."""
    rows = [replace(r, rating=ratings.get(r.skill_id)) for r in BLANK.rows]
    return replace(BLANK, rows=rows, history=list(history))


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


rating = st.one_of(st.none(), st.integers(1, 5))
ratings_st = st.fixed_dictionaries({i: rating for i in IDS})


@st.composite
def histories(draw: st.DrawFn) -> list[HistoryRow]:
    """Up to four snapshots, weeks apart, from five weeks before AS_OF to two after it,
    each with ratings for some of the skills, in any order."""
    offsets = draw(st.lists(st.integers(-5, 2), max_size=4, unique=True))
    rows = []
    for offset in offsets:
        day = AS_OF + timedelta(weeks=offset, days=draw(st.integers(-2, 2)))
        skills = draw(st.lists(st.sampled_from(IDS), unique=True))
        rows.append(HistoryRow(week_of(day), day, {i: draw(rating) for i in skills}))
    return rows


def last_up_to(history: Sequence[HistoryRow], week: str) -> HistoryRow | None:
    upto = [h for h in history if h.week <= week]
    return max(upto, key=lambda h: h.week) if upto else None


def before(history: Sequence[HistoryRow], week: str) -> HistoryRow | None:
    earlier = [h for h in history if h.week < week]
    return max(earlier, key=lambda h: h.week) if earlier else None


SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(ratings_st, histories())
def test_changes_are_exactly_the_skills_whose_rating_differs_from_the_last_snapshot(
    ratings: Ratings, history: list[HistoryRow]
) -> None:
    result = evaluate_read(read_with(ratings, history), as_of=AS_OF)
    assert result.valid
    last = last_up_to(history, week_of(AS_OF))
    expected = (
        []
        if last is None
        else [
            (s.id, s.name, last.ratings.get(s.id), ratings[s.id])
            for s in D.skills
            if last.ratings.get(s.id) != ratings[s.id]
        ]
    )
    assert [(c.skill_id, c.skill, c.from_, c.to) for c in result.changes] == expected


@SLOW
@given(ratings_st, histories())
def test_each_change_names_the_verdicts_that_moved_since_the_last_snapshot(
    ratings: Ratings, history: list[HistoryRow]
) -> None:
    result = evaluate_read(read_with(ratings, history), as_of=AS_OF)
    last = last_up_to(history, week_of(AS_OF))
    if last is None:
        assert result.changes == []
        return
    then = {v.threshold_id: v.ready for v in evaluate_rules(D, last.ratings, with_steps=False)}
    moved = [
        f"{v.name}: {'YES' if v.ready else 'NOT YET'}"
        for v in evaluate_rules(D, ratings, with_steps=False)
        if then[v.threshold_id] != v.ready
    ]
    for change in result.changes:
        assert change.impact.split("; ")[1:] == moved


@SLOW
@given(ratings_st, histories())
def test_ratings_verdicts_and_priorities_are_the_rules_on_the_ratings_read(
    ratings: Ratings, history: list[HistoryRow]
) -> None:
    read = read_with(ratings, history)
    result = evaluate_read(read, as_of=AS_OF)
    previous = before(history, week_of(AS_OF))
    assert result.previous_week == (previous.week if previous else None)
    assert [(r.skill_id, r.skill, r.mandatory) for r in result.ratings] == [
        (s.id, s.name, s.mandatory) for s in D.skills
    ]
    for line, skill in zip(result.ratings, D.skills, strict=True):
        assert line.rating == ratings[skill.id]
        assert line.previous == (previous.ratings.get(skill.id) if previous else None)
        assert line.status == skill_status(D, skill, ratings[skill.id])
    assert result.verdicts == evaluate_rules(D, ratings)
    assert result.priorities == priorities(D, ratings)
    assert result.unrated == [s.name for s in D.skills if ratings[s.id] is None]
    assert result.history == history and result.history is not read.history


def test_the_result_names_the_workbook_and_its_owner() -> None:
    result = evaluate_read(read_with({}), as_of=AS_OF)
    assert (result.workbook, result.owner, result.role) == ("me.xlsx", "Ada", "ML Engineer")
    assert (result.as_of, result.definition) == (AS_OF, D)
    assert result.written is None and result.log_added == 0


def test_notes_are_carried_to_the_rating_lines() -> None:
    read = read_with({})
    read.rows[2] = replace(read.rows[2], notes="read the pandas docs")
    result = evaluate_read(read, as_of=AS_OF)
    assert result.ratings[2].notes == "read the pandas docs"
    assert {r.notes for i, r in enumerate(result.ratings) if i != 2} == {""}


def test_the_same_week_snapshot_is_what_changes_are_counted_from() -> None:
    # A snapshot of AS_OF's own week (evaluated earlier that week) is "last recorded", so
    # evaluating again adds nothing twice; "previous week" is still the week before.
    earlier = HistoryRow("2026-W45", date(2026, 11, 2), dict.fromkeys(IDS, 2))
    this_week = HistoryRow("2026-W46", date(2026, 11, 9), dict.fromkeys(IDS, 3))
    result = evaluate_read(read_with(dict.fromkeys(IDS, 3), [earlier, this_week]), as_of=AS_OF)
    assert result.changes == []
    assert result.previous_week == "2026-W45"
    assert {r.previous for r in result.ratings} == {2}


def test_a_workbook_with_errors_is_not_judged() -> None:
    read = read_with(dict.fromkeys(IDS, 4))
    read.rows[0] = replace(read.rows[0], rating=9)
    history = [HistoryRow("2026-W45", date(2026, 11, 2), dict.fromkeys(IDS, 3))]
    result = evaluate_read(replace(read, history=history), as_of=AS_OF)
    assert not result.valid
    assert [(f.cell, f.message) for f in result.errors] == [("E8", "rating 9 is not one of 1-5")]
    assert result.issues[0] is result.errors[0]
    assert (result.ratings, result.verdicts, result.priorities) == ([], (), [])
    assert (result.changes, result.history, result.previous_week) == ([], [], None)


def test_as_of_defaults_to_today() -> None:
    first = date.today()
    result = evaluate_read(read_with({}))
    assert first <= result.as_of <= date.today()


# -- the impact text --------------------------------------------------------------------------

MANDATORY = next(s for s in D.skills if s.mandatory)  # target 4
OPTIONAL = next(s for s in D.skills if not s.mandatory)  # target 3


def verdicts(**ready: bool) -> tuple[Verdict, ...]:
    names = {t.id: t.name for t in D.thresholds}
    return tuple(Verdict(tid, names[tid], r, (), ()) for tid, r in ready.items())


@pytest.mark.parametrize(
    ("skill_id", "old", "new", "text"),
    [
        (OPTIONAL.id, 2, 3, "optional target 3 now met"),
        (OPTIONAL.id, None, 5, "optional target 3 now met"),
        (MANDATORY.id, 4, 3, "mandatory target 4 no longer met"),
        (MANDATORY.id, 4, None, "mandatory target 4 no longer met"),
        (MANDATORY.id, 1, 2, "2 to go to the mandatory target 4"),
        (MANDATORY.id, None, 3, "1 to go to the mandatory target 4"),
        (MANDATORY.id, 3, None, "rating cleared: counts as unrated"),
        (MANDATORY.id, 3, 2, "moved away from the mandatory target 4"),
        (OPTIONAL.id, 2, 1, "moved away from the optional target 3"),
    ],
)
def test_impact_against_the_target(
    skill_id: str, old: int | None, new: int | None, text: str
) -> None:
    same = verdicts(apply=False, promotion=False)
    assert change_impact(D, skill_id, old, new, {"apply": False, "promotion": False}, same) == text


def test_impact_names_each_verdict_that_moved_in_order() -> None:
    now = verdicts(apply=True, promotion=False)
    old = {"apply": False, "promotion": True}
    assert change_impact(D, OPTIONAL.id, 2, 3, old, now) == (
        "optional target 3 now met; Ready to apply: YES; Promotion ready: NOT YET"
    )


def test_impact_skips_verdicts_with_nothing_to_compare() -> None:
    # A threshold the last snapshot was not judged on (say, added since) is not "moved".
    now = verdicts(apply=True, promotion=True)
    assert change_impact(D, OPTIONAL.id, 2, 3, {"promotion": True}, now) == (
        "optional target 3 now met"
    )
