"""Tests of matrix_xl/evaluation/judge.py: judging a workbook already read, with no I/O.

One blank workbook is read once; each case puts its own ratings and History into a copy
of that read, so the judge is tested on exactly the data it is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix_xl.definition import (
    Condition,
    Definition,
    Level,
    Skill,
    Threshold,
    default_definition,
)
from matrix_xl.evaluation.judge import change_impact, evaluate_read, log_action, log_changes
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import MEETS, evaluate_rules, priorities, skill_status

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
def test_each_change_is_the_log_text_of_the_last_snapshot_against_the_ratings_now(
    ratings: Ratings, history: list[HistoryRow]
) -> None:
    # The judge logs exactly what log_changes says of the last snapshot and the ratings
    # (log_changes' claims are checked against the rules below).
    result = evaluate_read(read_with(ratings, history), as_of=AS_OF)
    last = last_up_to(history, week_of(AS_OF))
    assert result.changes == ([] if last is None else log_changes(D, last.ratings, ratings))


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


# -- the impact text (the Improvement Log's words) --------------------------------------------

MANDATORY = next(s for s in D.skills if s.mandatory)  # target 4
OPTIONAL = next(s for s in D.skills if not s.mandatory)  # target 3
APPLY, PROMOTION = (t.name for t in D.thresholds)  # "Ready to apply", "Promotion ready"


@pytest.mark.parametrize(
    ("skill", "old", "new", "text"),
    [
        # the issue's cases: a target met stays met, whichever way the rating moves
        (MANDATORY, 4, 5, "still meets the mandatory target 4"),
        (MANDATORY, 5, 4, "still meets the mandatory target 4"),
        (OPTIONAL, 2, 3, "now meets the optional target 3"),
        (OPTIONAL, None, 5, "now meets the optional target 3"),
        (MANDATORY, 4, 3, "no longer meets the mandatory target 4: 1 to go"),
        (MANDATORY, 4, None, "rating cleared (counts as unrated): no longer meets the "
         "mandatory target 4: 4 to go"),
        (MANDATORY, 1, 2, "2 to go to the mandatory target 4 (1 closer)"),
        (MANDATORY, None, 3, "1 to go to the mandatory target 4 (3 closer)"),
        (MANDATORY, 3, None, "rating cleared (counts as unrated): 4 to go to the mandatory "
         "target 4 (3 further)"),
        (MANDATORY, 3, 1, "3 to go to the mandatory target 4 (2 further)"),
        (OPTIONAL, 2, 1, "2 to go to the optional target 3 (1 further)"),
    ],
)  # fmt: skip
def test_impact_against_the_target(
    skill: Skill, old: int | None, new: int | None, text: str
) -> None:
    # Everything else unrated: neither verdict can move, so only the target is named.
    assert change_impact(D, skill.id, {skill.id: old}, {skill.id: new}) == text


def test_a_verdict_is_named_on_the_change_that_moves_it_and_on_no_other() -> None:
    # Every mandatory skill at 4 but one at 3, three optional skills at 3: Ready to apply
    # waits on that one skill. Raising it, and an optional skill beside it the same week,
    # moves the verdict: the mandatory change decides it, the optional one does not (it
    # was not needed). The promotion rule counts mandatory skills only.
    before: Ratings = {s.id: 4 if s.mandatory else None for s in D.skills}
    optional = [s for s in D.skills if not s.mandatory]
    before |= {s.id: 3 for s in optional[:3]}
    before[MANDATORY.id] = 3
    now = {**before, MANDATORY.id: 4, optional[3].id: 3}
    impacts = {c.skill_id: c.impact for c in log_changes(D, before, now)}
    assert impacts == {
        MANDATORY.id: f"now meets the mandatory target 4; {APPLY}: now YES",
        optional[3].id: "now meets the optional target 3",
    }


def test_changes_that_move_a_verdict_only_together_name_it_on_neither() -> None:
    # Ready to apply needs 3 optional skills at 3; there were 2, now there are 4. Undoing
    # either change alone still leaves 3: neither decides the verdict, so neither names it.
    optional = [s for s in D.skills if not s.mandatory]
    before: Ratings = {s.id: 4 for s in D.skills if s.mandatory}
    before |= {s.id: 3 for s in optional[:2]}
    now = {**before, optional[2].id: 3, optional[3].id: 3}
    assert [c.impact for c in log_changes(D, before, now)] == [
        "now meets the optional target 3"
    ] * 2
    assert not evaluate_rules(D, before)[0].ready and evaluate_rules(D, now)[0].ready


def test_changes_each_needed_for_a_verdict_name_it_each() -> None:
    # Ready to apply needs every mandatory skill at 4: two were at 3, both were raised.
    # Undoing either alone undoes the verdict, so both name it.
    mandatory = [s for s in D.skills if s.mandatory]
    before: Ratings = {s.id: 4 for s in mandatory} | {s.id: 3 for s in D.skills if not s.mandatory}
    before |= {mandatory[0].id: 3, mandatory[1].id: 3}
    now = {**before, mandatory[0].id: 4, mandatory[1].id: 4}
    assert [c.impact for c in log_changes(D, before, now)] == [
        f"now meets the mandatory target 4; {APPLY}: now YES"
    ] * 2


def test_a_verdict_lost_is_named_on_the_change_that_loses_it() -> None:
    before: Ratings = {s.id: 5 if s.mandatory else 3 for s in D.skills}  # both verdicts YES
    now = {**before, MANDATORY.id: 3}
    assert change_impact(D, MANDATORY.id, before, now) == (
        f"no longer meets the mandatory target 4: 1 to go; {APPLY}: now NOT YET"
    )
    # 5 -> 4 keeps Ready to apply, but the promotion's spikes: 12 of 13 at 5 still >= 2.
    assert change_impact(D, MANDATORY.id, before, {**before, MANDATORY.id: 4}) == (
        "still meets the mandatory target 4"
    )


def test_the_log_action_shows_unrated_as_a_word() -> None:
    assert [log_action(3, 4), log_action(None, 2), log_action(5, None)] == [
        "Self-rating 3 -> 4",
        "Self-rating unrated -> 2",
        "Self-rating 5 -> unrated",
    ]


# -- the impact text, re-checked against the rules on random matrices -------------------------


@st.composite
def matrices(draw: st.DrawFn) -> Definition:
    """A random small matrix: 1-7 skills, a rubric of 2-5 levels, 1-3 thresholds of 1-2
    conditions of any scope, level and count (now and then one that cannot be met)."""
    top = draw(st.integers(2, 5))
    n = draw(st.integers(1, 7))
    skills = tuple(Skill(f"s{i}", f"Skill {i}", draw(st.booleans())) for i in range(n))
    condition = st.builds(
        Condition,
        scope=st.sampled_from(["mandatory", "optional", "any"]),
        level=st.integers(1, top),
        count=st.sampled_from(["all", "majority", 1, 2, 3, n, n + 1]),
    )
    conditions = st.lists(condition, min_size=1, max_size=2).map(tuple)
    thresholds = tuple(
        Threshold(f"t{i}", f"Verdict {i}", f"Verdict{i}", draw(conditions))
        for i in range(draw(st.integers(1, 3)))
    )
    rubric = tuple(Level(r, f"level {r}", "") for r in range(1, top + 1))
    return Definition("Random", skills, rubric, thresholds)


@st.composite
def matrices_and_snapshots(draw: st.DrawFn) -> tuple[Definition, Ratings, Ratings]:
    """A matrix, its last recorded snapshot (skills may be missing: unrated) and the ratings
    now, one or more skills changed. Ratings are drawn next to the conditions' levels, so
    that changes often cross them and move verdicts."""
    d = draw(matrices())
    levels = sorted({c.level for t in d.thresholds for c in t.conditions})
    near = st.sampled_from(levels).flatmap(
        lambda lv: st.sampled_from([r for r in (lv - 1, lv) if d.min_rating <= r])
    )
    levels_all = range(d.min_rating, d.max_rating + 1)
    rating = st.one_of(st.none(), near, near, st.sampled_from(levels_all))
    before = {s.id: draw(rating) for s in d.skills if draw(st.integers(0, 5))}
    changed = draw(st.lists(st.sampled_from([s.id for s in d.skills]), min_size=1, unique=True))
    now = {s.id: before.get(s.id) for s in d.skills}
    for sid in changed:
        new = draw(rating)
        if new == before.get(sid):
            new = draw(st.sampled_from([r for r in (None, *levels_all) if r != new]))
        now[sid] = new
    return d, before, now


_TARGET = re.compile(
    r"(?P<cleared>rating cleared \(counts as unrated\): )?"
    r"(?:(?P<state>now|still) meets the (?P<kind>\w+) target (?P<target>-?\d+)"
    r"|no longer meets the (?P<kind_lost>\w+) target (?P<target_lost>-?\d+): (?P<left>-?\d+) to go"
    r"|(?P<to_go>-?\d+) to go to the (?P<kind_short>\w+) target (?P<target_short>-?\d+)"
    r"(?: \((?P<by>-?\d+) (?P<way>closer|further)\))?)"
)
_VERDICT = re.compile(r"(?P<name>.+): now (?P<ready>YES|NOT YET)")


def meets(d: Definition, skill: Skill, rating: int | None) -> bool:
    return skill_status(d, skill, rating) == MEETS


def ready(d: Definition, ratings: Mapping[str, int | None]) -> dict[str, bool]:
    return {v.name: v.ready for v in evaluate_rules(d, ratings, with_steps=False)}


def check_target_claim(
    d: Definition, skill: Skill, old: int | None, new: int | None, text: str
) -> None:
    m = _TARGET.fullmatch(text)
    assert m, text
    assert (m["cleared"] is not None) == (new is None)
    kind = "mandatory" if skill.mandatory else "optional"
    target = d.target(skill)
    if m["state"]:  # "now meets" / "still meets"
        assert (m["kind"], int(m["target"])) == (kind, target)
        assert meets(d, skill, new)
        assert meets(d, skill, old) == (m["state"] == "still")
    elif m["left"]:  # "no longer meets ...: N to go"
        assert (m["kind_lost"], int(m["target_lost"])) == (kind, target)
        assert meets(d, skill, old) and not meets(d, skill, new)
        assert int(m["left"]) == target - (new or 0) > 0
    else:  # "N to go to the ... target T (M closer|further)"
        assert (m["kind_short"], int(m["target_short"])) == (kind, target)
        assert not meets(d, skill, old) and not meets(d, skill, new)
        assert int(m["to_go"]) == target - (new or 0) > 0
        moved = (new or 0) - (old or 0)
        if moved == 0:
            assert m["by"] is None
        else:
            assert int(m["by"]) == abs(moved) > 0
            assert (m["way"] == "closer") == (moved > 0)


@settings(max_examples=300, deadline=None)
@given(matrices_and_snapshots())
def test_every_claim_of_the_log_holds_by_the_rules(
    case: tuple[Definition, Ratings, Ratings],
) -> None:
    d, before, now = case
    changes = log_changes(d, before, now)
    assert [c.skill_id for c in changes] == [
        s.id for s in d.skills if before.get(s.id) != now.get(s.id)
    ]
    was, is_now = ready(d, before), ready(d, now)
    for change in changes:
        skill = d.skill(change.skill_id)
        assert (change.from_, change.to) == (before.get(skill.id), now.get(skill.id))
        first, *named = change.impact.split("; ")
        check_target_claim(d, skill, change.from_, change.to, first)
        # A verdict is named exactly when it moved and this change alone, undone with the
        # week's other changes kept, would undo the move.
        undone = ready(d, {**now, skill.id: change.from_})
        expected = [
            f"{name}: now {'YES' if is_now[name] else 'NOT YET'}"
            for name in is_now
            if was[name] != is_now[name] and undone[name] != is_now[name]
        ]
        assert named == expected
        for claim in named:
            m = _VERDICT.fullmatch(claim)
            assert m and is_now[m["name"]] == (m["ready"] == "YES") != was[m["name"]]
        assert change.impact == change_impact(d, skill.id, before, now)


@settings(max_examples=300, deadline=None)
@given(matrices_and_snapshots())
def test_no_distance_in_the_log_is_zero_or_negative(
    case: tuple[Definition, Ratings, Ratings],
) -> None:
    d, before, now = case
    for change in log_changes(d, before, now):
        numbers = re.findall(r"(-?\d+) (?:to go|closer|further)", change.impact)
        assert all(int(n) > 0 for n in numbers), change.impact
