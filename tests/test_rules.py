"""Tests of matrix_xl/rules.py: verdicts, priorities, status and the least steps.

Expected values are worked out by hand from the seed's rules:
- apply: "all Mandatory ≥4 and at least 3 optional ≥3";
- promotion: "Majority Mandatory at 4, at least two at 5" (7 of the 13 mandatory);
- usage: "Prioritize Mandatory items with rating ≤3 before touching optional".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matrix_xl.rules
from matrix_xl.definition import (
    Condition,
    Definition,
    Level,
    Skill,
    Threshold,
    check_definition,
    default_definition,
)
from matrix_xl.rules import (
    STEPS_BUDGET,
    Priority,
    Step,
    TooComplex,
    Verdict,
    check_condition,
    evaluate_rules,
    priorities,
    skill_status,
    steps_to,
    verdict,
)

Rating = int | None
Ratings = dict[str, Rating]

D = default_definition()
MANDATORY = [s for s in D.skills if s.mandatory]
OPTIONAL = [s for s in D.skills if not s.mandatory]
APPLY, PROMOTION = D.thresholds


def test_the_default_has_the_seed_shape() -> None:
    # The hand-worked numbers below rely on this.
    assert (len(MANDATORY), len(OPTIONAL)) == (13, 8)
    assert (APPLY.id, PROMOTION.id) == ("apply", "promotion")


# -- helpers ----------------------------------------------------------------------------------


def spread(*groups: tuple[Rating, int]) -> list[Rating]:
    """``spread((5, 2), (4, 5))`` -> ``[5, 5, 4, 4, 4, 4, 4]``."""
    return [value for value, times in groups for _ in range(times)]


def rate(mandatory: Sequence[Rating], optional: Sequence[Rating] = ()) -> Ratings:
    """Ratings for the default matrix: mandatory and optional skills in matrix order.

    Skills left out of a short list are unrated.
    """
    assert len(mandatory) <= len(MANDATORY) and len(optional) <= len(OPTIONAL)
    out: Ratings = {s.id: None for s in D.skills}
    out.update({s.id: v for s, v in zip(MANDATORY, mandatory, strict=False)})
    out.update({s.id: v for s, v in zip(OPTIONAL, optional, strict=False)})
    return out


def details(v: Verdict) -> list[tuple[str, bool]]:
    return [(r.detail, r.passed) for r in v.rules]


def apply_steps(ratings: Mapping[str, Rating], steps: Sequence[Step]) -> Ratings:
    out = dict(ratings)
    for step in steps:
        out[step.skill_id] = step.to
    return out


def as_value(rating: Rating) -> int:
    return 0 if rating is None else rating


# -- the seed's boundary cases ----------------------------------------------------------------


def test_apply_ready_at_the_boundary() -> None:
    ratings = rate(spread((4, 13)), spread((3, 3), (2, 5)))
    v = verdict(D, ratings, APPLY)
    assert v.ready
    assert details(v) == [
        ("mandatory >= 4: 13 of 13, need 13", True),
        ("optional >= 3: 3 of 8, need 3", True),
    ]
    assert v.steps == ()


def test_apply_not_ready_with_two_optional_at_3() -> None:
    ratings = rate(spread((4, 13)), [3, 3, 2, 1])
    v = verdict(D, ratings, APPLY)
    assert not v.ready
    assert details(v) == [
        ("mandatory >= 4: 13 of 13, need 13", True),
        ("optional >= 3: 2 of 8, need 3", False),
    ]
    # Cheapest: the third optional skill (Time Series) from 2 to 3, one point.
    assert v.steps == (Step("time-series", "Time Series", 2, 3),)


def test_apply_not_ready_with_one_mandatory_unrated() -> None:
    ratings = rate([None, *spread((5, 12))], spread((5, 8)))
    v = verdict(D, ratings, APPLY)
    assert not v.ready
    assert details(v) == [
        ("mandatory >= 4: 12 of 13, need 13", False),
        ("optional >= 3: 8 of 8, need 3", True),
    ]
    first = MANDATORY[0]
    assert v.steps == (Step(first.id, first.name, None, 4),)
    assert v.steps[0].points == 4  # an unrated skill counts from 0
    # Twelve at 5 is plenty for promotion.
    assert verdict(D, ratings, PROMOTION).ready


def test_apply_rule_lines_count_mandatory_at_4() -> None:
    ratings = rate(spread((5, 2), (4, 7), (3, 2), (1, 1), (None, 1)), spread((3, 2)))
    v = verdict(D, ratings, APPLY)
    assert details(v) == [
        ("mandatory >= 4: 9 of 13, need 13", False),
        ("optional >= 3: 2 of 8, need 3", False),
    ]
    assert [(r.have, r.need) for r in v.rules] == [(9, 13), (2, 3)]
    assert [r.rule for r in v.rules] == [
        "every mandatory skill >= 4",
        "at least 3 optional skills >= 3",
    ]
    # 3->4 twice, 1->4, unrated->4 for the mandatory; one unrated optional to 3.
    assert sum(s.points for s in v.steps or ()) == 1 + 1 + 3 + 4 + 3


def test_promotion_ready_with_exactly_7_of_13_at_4_and_2_at_5() -> None:
    ratings = rate(spread((5, 2), (4, 5), (3, 6)))
    v = verdict(D, ratings, PROMOTION)
    assert v.ready
    assert details(v) == [
        ("mandatory >= 4: 7 of 13, need 7", True),
        ("mandatory >= 5: 2 of 13, need 2", True),
    ]
    assert [r.rule for r in v.rules] == [
        "more than half of the mandatory skills >= 4",
        "at least 2 mandatory skills >= 5",
    ]


def test_promotion_not_ready_with_6_of_13_at_4() -> None:
    ratings = rate(spread((5, 2), (4, 4), (3, 7)))
    v = verdict(D, ratings, PROMOTION)
    assert not v.ready
    assert details(v) == [
        ("mandatory >= 4: 6 of 13, need 7", False),
        ("mandatory >= 5: 2 of 13, need 2", True),
    ]
    # One point: the first mandatory skill at 3 (the seventh) up to 4.
    seventh = MANDATORY[6]
    assert v.steps == (Step(seventh.id, seventh.name, 3, 4),)


def test_promotion_not_ready_with_only_one_at_5() -> None:
    ratings = rate(spread((5, 1), (4, 6), (3, 6)))
    v = verdict(D, ratings, PROMOTION)
    assert not v.ready
    assert details(v) == [
        ("mandatory >= 4: 7 of 13, need 7", True),
        ("mandatory >= 5: 1 of 13, need 2", False),
    ]
    # One point: the first skill at 4 (the second mandatory) up to 5, not a 3 up to 5.
    second = MANDATORY[1]
    assert v.steps == (Step(second.id, second.name, 4, 5),)


def test_all_unrated_nothing_ready() -> None:
    ratings = rate([])
    verdicts = evaluate_rules(D, ratings)
    assert [v.threshold_id for v in verdicts] == ["apply", "promotion"]
    assert [v.ready for v in verdicts] == [False, False]
    apply, promotion = verdicts
    assert details(apply) == [
        ("mandatory >= 4: 0 of 13, need 13", False),
        ("optional >= 3: 0 of 8, need 3", False),
    ]
    assert details(promotion) == [
        ("mandatory >= 4: 0 of 13, need 7", False),
        ("mandatory >= 5: 0 of 13, need 2", False),
    ]
    # Apply: every mandatory 0->4 and three optional 0->3, the first three listed.
    assert apply.steps is not None
    assert sum(s.points for s in apply.steps) == 13 * 4 + 3 * 3
    assert [s.skill_id for s in apply.steps] == [s.id for s in MANDATORY + OPTIONAL[:3]]
    # Promotion: seven mandatory, the first two listed to 5 and the next five to 4.
    assert promotion.steps == tuple(
        Step(s.id, s.name, None, 5 if i < 2 else 4) for i, s in enumerate(MANDATORY[:7])
    )


def test_missing_ratings_count_as_unrated() -> None:
    assert evaluate_rules(D, {}) == evaluate_rules(D, rate([]))


def test_with_steps_false_skips_the_search() -> None:
    v = verdict(D, rate([]), APPLY, with_steps=False)
    assert not v.ready
    assert v.steps == ()


def test_everything_at_5_is_ready_for_both() -> None:
    verdicts = evaluate_rules(D, {s.id: 5 for s in D.skills})
    assert [(v.ready, v.steps) for v in verdicts] == [(True, ()), (True, ())]


# -- priorities -------------------------------------------------------------------------------


def test_priorities_follow_the_seed_usage() -> None:
    m = [4, 2, None, 3, 1, 5, 3, None, 4, 2, 5, 4, 1]
    o = [3, 1, 2, None, 5, 2, 3, 4]
    got = priorities(D, rate(m, o))

    def expect(skill: Skill, rating: Rating, target: int) -> Priority:
        return Priority(skill.id, skill.name, skill.mandatory, rating, target)

    # Mandatory <= 3 or unrated, lowest first (unrated before 1), matrix order on ties;
    # then optional below 3, lowest first; skills meeting their target are absent.
    expected_mandatory = [2, 7, 4, 12, 1, 9, 3, 6]
    expected_optional = [3, 1, 2, 5]
    assert got == [expect(MANDATORY[i], m[i], 4) for i in expected_mandatory] + [
        expect(OPTIONAL[i], o[i], 3) for i in expected_optional
    ]


def test_priorities_put_every_mandatory_gap_before_any_optional() -> None:
    # A mandatory skill at 3 still comes before an unrated optional skill.
    got = priorities(D, rate(spread((4, 12), (3, 1)), [None]))
    assert [p.skill_id for p in got[:1]] == [MANDATORY[12].id]
    assert [p.mandatory for p in got] == [True] + [False] * 8


def test_no_priorities_when_everything_meets_its_target() -> None:
    assert priorities(D, rate(spread((4, 13)), spread((3, 8)))) == []


def test_all_unrated_priorities_are_the_matrix_in_order() -> None:
    got = priorities(D, rate([]))
    assert [p.skill_id for p in got] == [s.id for s in D.skills]
    assert all(p.rating is None for p in got)


# -- skill status -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "status"),
    [(None, "Unrated"), (1, "Priority gap"), (3, "Priority gap"), (4, "Meets"), (5, "Meets")],
)
def test_status_of_a_mandatory_skill(rating: Rating, status: str) -> None:
    assert skill_status(D, MANDATORY[0], rating) == status


@pytest.mark.parametrize(
    ("rating", "status"),
    [(None, "Unrated"), (1, "Below"), (2, "Below"), (3, "Meets"), (5, "Meets")],
)
def test_status_of_an_optional_skill(rating: Rating, status: str) -> None:
    assert skill_status(D, OPTIONAL[0], rating) == status


def test_status_of_a_mandatory_skill_between_priority_and_target() -> None:
    # Priority only at or below 2: a mandatory 3 is below its target 4 but no priority gap.
    d = replace(D, priority_at_or_below=2)
    assert [skill_status(d, MANDATORY[0], r) for r in (2, 3, 4)] == [
        "Priority gap",
        "Below",
        "Meets",
    ]


# -- properties -------------------------------------------------------------------------------

SCOPES = ["mandatory", "optional", "any"]


def _in_scope(scope: str, mandatory: bool) -> bool:
    return scope == "any" or (scope == "mandatory") == mandatory


def _need(count: int | str, in_scope: int) -> int:
    # The seed's words: "all", "majority" (more than half) or at least a number.
    if count == "all":
        return in_scope
    if count == "majority":
        return in_scope // 2 + 1
    assert isinstance(count, int)
    return count


def impossible(d: Definition, t: Threshold) -> bool:
    """Some condition asks for more skills than its scope has."""
    return any(
        _need(c.count, sum(_in_scope(c.scope, s.mandatory) for s in d.skills))
        > sum(_in_scope(c.scope, s.mandatory) for s in d.skills)
        for c in t.conditions
    )


@st.composite
def small_definitions(draw: st.DrawFn, min_skills: int = 1, max_skills: int = 7) -> Definition:
    n = draw(st.integers(min_skills, max_skills))
    top = draw(st.integers(2, 5))
    conditions = st.builds(
        Condition,
        scope=st.sampled_from(SCOPES),
        level=st.integers(1, top),
        count=st.one_of(st.sampled_from(["all", "majority"]), st.integers(1, n + 1)),
    )
    thresholds = draw(
        st.lists(st.lists(conditions, min_size=1, max_size=3), min_size=1, max_size=2)
    )
    d = Definition(
        title="Random",
        skills=tuple(Skill(f"s{i}", f"Skill {i}", draw(st.booleans())) for i in range(n)),
        rubric=tuple(Level(r, f"Level {r}", "") for r in range(1, top + 1)),
        thresholds=tuple(
            Threshold(f"t{i}", f"T{i}", f"T{i}Ready", tuple(conds))
            for i, conds in enumerate(thresholds)
        ),
        priority_at_or_below=draw(st.integers(1, top)),
    )
    check_definition(d)
    return d


def ratings_for(d: Definition) -> st.SearchStrategy[Ratings]:
    value = st.one_of(st.none(), st.integers(d.min_rating, d.max_rating))
    return st.fixed_dictionaries({s.id: value for s in d.skills})


@st.composite
def definition_and_ratings(draw: st.DrawFn) -> tuple[Definition, Ratings]:
    d = draw(st.one_of(st.just(D), small_definitions()))
    return d, draw(ratings_for(d))


@settings(max_examples=300, deadline=None)
@given(definition_and_ratings(), st.data())
def test_raising_one_rating_never_unreadies(
    case: tuple[Definition, Ratings], data: st.DataObject
) -> None:
    d, ratings = case
    skill = data.draw(st.sampled_from(d.skills))
    low = as_value(ratings[skill.id]) + 1
    if low > d.max_rating:
        return
    raised = {**ratings, skill.id: data.draw(st.integers(low, d.max_rating))}
    for before, after in zip(
        evaluate_rules(d, ratings, with_steps=False),
        evaluate_rules(d, raised, with_steps=False),
        strict=True,
    ):
        assert after.ready or not before.ready


@settings(max_examples=300, deadline=None)
@given(definition_and_ratings())
def test_steps_lead_to_ready(case: tuple[Definition, Ratings]) -> None:
    d, ratings = case
    for t in d.thresholds:
        v = verdict(d, ratings, t)
        assert v.ready == all(check_condition(d, ratings, c).passed for c in t.conditions)
        assert (v.steps is None) == impossible(d, t)
        if v.steps is None:
            assert not v.ready
            continue
        assert (v.steps == ()) == v.ready
        order = [s.id for s in d.skills]
        assert [order.index(s.skill_id) for s in v.steps] == sorted(
            order.index(s.skill_id) for s in v.steps
        ), "steps come in matrix order, each skill once"
        assert len({s.skill_id for s in v.steps}) == len(v.steps)
        for step in v.steps:
            assert step.from_ == ratings[step.skill_id]
            assert as_value(step.from_) < step.to <= d.max_rating
            assert step.points == step.to - as_value(step.from_) > 0
        assert verdict(d, apply_steps(ratings, v.steps), t, with_steps=False).ready


# -- minimality, by brute force ---------------------------------------------------------------


def brute_force(d: Definition, ratings: Ratings, t: Threshold) -> tuple[int, int] | None:
    """(least points, fewest skills touched at that cost) over every final rating >= current.

    Unrated counts as 0 and may stay unrated; ``None`` if no assignment meets ``t``.
    """
    current = np.array([as_value(ratings[s.id]) for s in d.skills])
    grids = np.meshgrid(*[np.arange(c, d.max_rating + 1) for c in current], indexing="ij")
    finals = np.stack([g.ravel() for g in grids], axis=1)  # one row per assignment
    ok = np.ones(len(finals), dtype=bool)
    for c in t.conditions:
        scope = np.array([_in_scope(c.scope, s.mandatory) for s in d.skills])
        need = _need(c.count, int(scope.sum()))
        ok &= ((finals >= c.level) & scope).sum(axis=1) >= need
    if not ok.any():
        return None
    points = (finals - current).sum(axis=1)[ok]
    touched = (finals > current).sum(axis=1)[ok]
    least = int(points.min())
    return least, int(touched[points == least].min())


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_steps_are_minimal(data: st.DataObject) -> None:
    d = data.draw(small_definitions(min_skills=3, max_skills=7))
    ratings = data.draw(ratings_for(d))
    for t in d.thresholds:
        steps = steps_to(d, ratings, t)
        best = brute_force(d, ratings, t)
        assert not isinstance(steps, TooComplex)  # a small matrix is always planned
        if best is None:
            assert steps is None
            continue
        assert steps is not None
        assert (sum(s.points for s in steps), len(steps)) == best


def test_brute_force_agrees_with_a_hand_count() -> None:
    # Guard the oracle itself: 3 skills, two mandatory at 1 and unrated, one optional at 2;
    # "all mandatory >= 3 and 1 optional >= 3": 2 + 3 + 1 = 6 points, 3 skills.
    d = Definition(
        title="Hand",
        skills=(Skill("a", "A", True), Skill("b", "B", True), Skill("c", "C", False)),
        rubric=tuple(Level(r, str(r), "") for r in range(1, 5)),
        thresholds=(
            Threshold(
                "t",
                "T",
                "TReady",
                (Condition("mandatory", 3, "all"), Condition("optional", 3, 1)),
            ),
        ),
    )
    ratings: Ratings = {"a": 1, "b": None, "c": 2}
    assert brute_force(d, ratings, d.thresholds[0]) == (6, 3)
    assert steps_to(d, ratings, d.thresholds[0]) == (
        Step("a", "A", 1, 3),
        Step("b", "B", None, 3),
        Step("c", "C", 2, 3),
    )


def test_fewest_skills_touched_breaks_a_points_tie() -> None:
    # "a skill >= 3" and "a mandatory skill >= 2"; a (optional) at 2, b (mandatory) at 1.
    #   b 1->3 alone: 2 points, 1 skill.
    #   a 2->3 and b 1->2: 2 points, 2 skills, and touches the skill listed first.
    # No single point does it, so b alone wins: fewer skills before matrix order.
    d = Definition(
        title="Tie",
        skills=(Skill("a", "A", False), Skill("b", "B", True)),
        rubric=tuple(Level(r, str(r), "") for r in range(1, 6)),
        thresholds=(
            Threshold("t", "T", "TReady", (Condition("any", 3, 1), Condition("mandatory", 2, 1))),
        ),
    )
    assert steps_to(d, {"a": 2, "b": 1}, d.thresholds[0]) == (Step("b", "B", 1, 3),)


def test_matrix_order_breaks_a_full_tie() -> None:
    # One optional skill >= 3 with three optional skills at 2: the first listed is raised.
    ratings = rate(spread((4, 13)), spread((3, 2), (2, 3)))
    third = OPTIONAL[2]
    assert steps_to(D, ratings, APPLY) == (Step(third.id, third.name, 2, 3),)


@pytest.mark.parametrize("count", [9, "majority"])
def test_steps_none_when_the_scope_is_too_small(count: int | str) -> None:
    d = Definition(
        title="Small",
        skills=(Skill("a", "A", True),),
        rubric=tuple(Level(r, str(r), "") for r in range(1, 4)),
        thresholds=(
            Threshold("t", "T", "TReady", (Condition("optional", 2, count),)),  # type: ignore[arg-type]
        ),
    )
    v = verdict(d, {"a": 3}, d.thresholds[0])
    assert not v.ready
    assert v.steps is None


def test_every_optional_with_no_optional_skills_is_met() -> None:
    # "all" of nothing holds; "at least 1" of nothing cannot.
    d = Definition(
        title="Small",
        skills=(Skill("a", "A", True),),
        rubric=tuple(Level(r, str(r), "") for r in range(1, 4)),
        thresholds=(Threshold("t", "T", "TReady", (Condition("optional", 2, "all"),)),),
    )
    v = verdict(d, {"a": None}, d.thresholds[0])
    assert v.ready
    assert v.steps == ()


def test_apply_steps_price_each_low_mandatory_skill() -> None:
    # Each of the first four mandatory skills unrated or at 1, the rest already met:
    # an unrated one costs 4 points to reach 4, a 1 costs 3.
    for pattern in itertools.product([None, 1], repeat=4):
        ratings = rate([*pattern, *spread((4, 9))], spread((3, 3)))
        steps = steps_to(D, ratings, APPLY)
        assert steps is not None
        assert sum(s.points for s in steps) == sum(4 if p is None else 3 for p in pattern)


# -- bounded work: a budget of search states, exact within it -------------------------------


@pytest.fixture
def visits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The search states each layer of the least-steps search visits, counted as it runs
    (a state and a level tried for one skill): work measured by counting, not by timing."""
    counted: list[int] = []
    layer = matrix_xl.rules._with_skill

    def counting(state: Any, current: int, options: Any, *rest: Any) -> Any:
        counted.append(len(state) * len(options))
        return layer(state, current, options, *rest)

    monkeypatch.setattr(matrix_xl.rules, "_with_skill", counting)
    yield counted


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_within_any_budget_the_steps_are_exact_or_said_too_complex(data: st.DataObject) -> None:
    d = data.draw(small_definitions(min_skills=3, max_skills=7))
    ratings = data.draw(ratings_for(d))
    budget = data.draw(st.integers(0, 300))
    for t in d.thresholds:
        steps = steps_to(d, ratings, t, budget=budget)
        exact = steps_to(d, ratings, t, budget=10**9)
        assert not isinstance(exact, TooComplex)
        if isinstance(steps, TooComplex):
            assert steps.budget == budget and "too complex to plan" in str(steps)
            assert steps_to(d, ratings, t, budget=10**9) == exact
        else:
            assert steps == exact  # what is answered is the exact answer
        best = brute_force(d, ratings, t)
        if exact is not None and best is not None:
            assert (sum(s.points for s in exact), len(exact)) == best


@st.composite
def hostile_definitions(draw: st.DrawFn) -> Definition:
    """As large as check_definition lets a definition be: up to 300 skills, 9 levels, 6
    thresholds of 8 conditions each needing many skills."""
    n = draw(st.integers(50, 300))
    top = draw(st.integers(5, 9))
    count = st.one_of(st.sampled_from(["all", "majority"]), st.integers(1, n // 2))
    conditions = st.builds(
        Condition, scope=st.sampled_from(SCOPES), level=st.integers(2, top), count=count
    )
    d = Definition(
        title="Hostile",
        skills=tuple(Skill(f"s{i}", f"Skill {i}", draw(st.booleans())) for i in range(n)),
        rubric=tuple(Level(r, f"Level {r}", "") for r in range(1, top + 1)),
        thresholds=tuple(
            Threshold(f"t{i}", f"T{i}", f"T{i}Ready", tuple(conds))
            for i, conds in enumerate(
                draw(st.lists(st.lists(conditions, min_size=1, max_size=8), min_size=1, max_size=6))
            )
        ),
    )
    check_definition(d)  # within every limit
    return d


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(d=hostile_definitions(), data=st.data())
def test_judging_a_hostile_definition_visits_at_most_the_budget(
    d: Definition, data: st.DataObject, visits: list[int]
) -> None:
    ratings = data.draw(ratings_for(d))
    visits.clear()
    verdicts = evaluate_rules(d, ratings)
    assert sum(visits) <= STEPS_BUDGET
    share = STEPS_BUDGET // len(d.thresholds)
    for v in verdicts:
        if v.too_complex is not None:
            assert v.steps is None and not v.ready and v.too_complex.budget == share
        elif v.steps is not None:
            raised = apply_steps(ratings, v.steps)
            assert verdict(d, raised, d.threshold(v.threshold_id), with_steps=False).ready


@pytest.mark.slow
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_the_seed_s_thresholds_are_planned_exactly_on_300_skills(
    data: st.DataObject, visits: list[int]
) -> None:
    # The seed's thresholds on the largest matrix check_definition allows, any split into
    # mandatory and optional, any ratings: always planned, within the budget.
    mandatory = data.draw(st.lists(st.booleans(), min_size=300, max_size=300))
    skills = tuple(Skill(f"s{i}", f"Skill {i}", m) for i, m in enumerate(mandatory))
    d = replace(D, skills=skills)
    ratings = data.draw(ratings_for(d))
    visits.clear()
    for v in evaluate_rules(d, ratings):
        assert v.too_complex is None
        if v.steps is None:  # fewer mandatory skills than the threshold asks for
            assert impossible(d, d.threshold(v.threshold_id))
            continue
        raised = apply_steps(ratings, v.steps)
        assert verdict(d, raised, d.threshold(v.threshold_id), with_steps=False).ready
    assert sum(visits) <= STEPS_BUDGET


@pytest.mark.parametrize("mandatory", [300, 240])
def test_the_seed_s_promotion_on_300_mostly_mandatory_skills_is_planned(
    mandatory: int, visits: list[int]
) -> None:
    # The largest search the seed's thresholds make: a majority of 300 mandatory skills.
    skills = tuple(Skill(f"s{i}", f"Skill {i}", i < mandatory) for i in range(300))
    d = replace(D, skills=skills)
    ratings: Ratings = {s.id: None for s in skills}
    v = verdict(d, ratings, PROMOTION)
    assert v.too_complex is None and v.steps is not None
    assert len(v.steps) == mandatory // 2 + 1 and sum(st.points for st in v.steps) == (
        4 * (mandatory // 2 + 1) + 2
    )
    assert sum(visits) <= STEPS_BUDGET // 2


@pytest.mark.slow
def test_sixteen_conditions_on_nine_levels_are_said_too_complex_within_the_budget(
    visits: list[int],
) -> None:
    # The hidden definition that once ran past 4 minutes and 1.8 GB; check_definition now
    # refuses it (more than 8 conditions), and the search alone stops at its budget too.
    conditions = tuple(
        Condition(SCOPES[lv % 3], lv, count)  # type: ignore[arg-type]
        for lv in range(2, 10)
        for count in (3, "majority")
    )
    d = Definition(
        title="Hostile",
        skills=tuple(Skill(f"s{i}", f"Skill {i}", i % 2 == 0) for i in range(21)),
        rubric=tuple(Level(r, str(r), "") for r in range(1, 10)),
        thresholds=(Threshold("t", "T", "TReady", conditions),),
    )
    v = verdict(d, {}, d.thresholds[0])
    assert v.too_complex == TooComplex(STEPS_BUDGET) and v.steps is None and not v.ready
    assert sum(visits) <= STEPS_BUDGET


def test_a_definition_at_every_limit_is_judged_within_the_budget(visits: list[int]) -> None:
    # 300 skills, 9 levels, 6 thresholds of 8 conditions each needing tens of skills: the
    # largest search check_definition lets through. Every threshold is judged; the least
    # steps of all of them together visit at most STEPS_BUDGET states.
    conditions = tuple(
        Condition(SCOPES[j % 3], 2 + j % 8, ("majority", 40, 90)[j % 3])  # type: ignore[arg-type]
        for j in range(8)
    )
    d = Definition(
        title="At the limits",
        skills=tuple(Skill(f"s{i}", f"Skill {i}", i % 2 == 0) for i in range(300)),
        rubric=tuple(Level(r, str(r), "") for r in range(1, 10)),
        thresholds=tuple(Threshold(f"t{k}", f"T{k}", f"T{k}Ready", conditions) for k in range(6)),
    )
    check_definition(d)
    verdicts = evaluate_rules(d, {s.id: 1 + i % 3 for i, s in enumerate(d.skills)})
    assert [v.too_complex for v in verdicts] == [TooComplex(STEPS_BUDGET // 6)] * 6
    assert sum(visits) <= STEPS_BUDGET
