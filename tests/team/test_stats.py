"""Team statistics: coverage per skill, the weakest skills, the trend week by week."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from team_files import CUSTOM, IDS, READY, D

from matrix_xl.definition import Definition
from matrix_xl.team.model import DefinitionGroup, PersonResult, TrendPoint
from matrix_xl.team.stats import (
    WEAKEST,
    SkillCoverage,
    coverage,
    skill_averages,
    trend,
    weakest,
)

WEEKS = [f"2026-W{n}" for n in range(40, 49)]


def person(
    owner: str,
    ratings: dict[str, int | None],
    history: tuple[TrendPoint, ...] = (),
    d: Definition = D,
) -> PersonResult:
    values = tuple(ratings.get(s.id) for s in d.skills)
    return PersonResult(
        f"{owner}.xlsx",
        owner,
        "",
        d,
        d.fingerprint(),
        values,
        (False,) * len(d.thresholds),
        sum(v is None for v in values),
        history,
    )


def group_of(*people: PersonResult, d: Definition = D) -> DefinitionGroup:
    return DefinitionGroup(d.fingerprint(), d, list(people))


ratings = st.fixed_dictionaries({sid: st.one_of(st.none(), st.integers(1, 5)) for sid in IDS})
teams = st.lists(ratings, max_size=8).map(
    lambda team: group_of(*(person(f"P{i}", r) for i, r in enumerate(team)))
)


def test_coverage_counts_weakest_skills_and_mentors() -> None:
    low = {sid: 4 for sid in IDS} | {"cloud": 2, "communication": 3}
    group = group_of(
        person("Ana", READY | {"cloud": 5}),
        person("Ben", low),
        person("Cid", low | {"cloud": 1}),
    )
    skills = {c.skill_id: c for c in coverage(group)}
    cloud = skills["cloud"]
    assert (cloud.name, cloud.mandatory, cloud.target) == (D.skill("cloud").name, True, 4)
    assert (cloud.meets, cloud.rated, cloud.people) == (1, 3, 3)
    assert cloud.share == pytest.approx(1 / 3) and cloud.average == pytest.approx(8 / 3)
    assert (cloud.mentors, cloud.learners) == (("Ana",), ("Ben", "Cid"))
    weak = weakest(list(skills.values()))
    assert [c.skill_id for c in weak] == ["cloud", "communication"]
    assert cloud.to_dict() == {
        "skill_id": "cloud",
        "skill": D.skill("cloud").name,
        "mandatory": True,
        "target": 4,
        "meets": 1,
        "rated": 3,
        "people": 3,
        "share": cloud.share,
        "average": cloud.average,
        "could_mentor": ["Ana"],
        "could_learn": ["Ben", "Cid"],
    }


def test_an_empty_group_has_coverage_of_nobody_and_no_weakest_skill() -> None:
    skills = coverage(group_of())
    assert [c.skill_id for c in skills] == IDS
    assert all((c.people, c.meets, c.share, c.average) == (0, 0, 0.0, None) for c in skills)
    assert weakest(skills) == [] and trend(group_of()) == []


@given(teams)
def test_coverage_counts_add_up_to_the_people(group: DefinitionGroup) -> None:
    d = group.definition
    skills = coverage(group)
    assert [c.skill_id for c in skills] == [s.id for s in d.skills]
    for i, c in enumerate(skills):
        values = [p.ratings[i] for p in group.people]
        below = sum(1 for v in values if v is not None and v < c.target)
        unrated = values.count(None)
        assert c.meets + below + unrated == c.people == len(group.people)
        assert c.rated == c.people - unrated
        assert c.share == (c.meets / c.people if c.people else 0.0)
        rated = [v for v in values if v is not None]
        assert c.average == (sum(rated) / len(rated) if rated else None)
        assert list(c.mentors) == [p.owner for p in group.people if p.ratings[i] == d.max_rating]
        owners = [p.owner for p in group.people]
        low = [v is not None and v <= d.priority_at_or_below for v in values]
        assert list(c.learners) == [o for o, is_low in zip(owners, low, strict=True) if is_low]
    assert skill_averages(group) == [c.average for c in skills]


@given(teams)
def test_the_weakest_are_the_lowest_mandatory_skills_not_met_by_all(
    group: DefinitionGroup,
) -> None:
    skills = coverage(group)
    weak = weakest(skills)
    short = [c for c in skills if c.mandatory and c.meets < c.people]
    assert len(weak) == min(WEAKEST, len(short))
    assert all(c in short for c in weak)
    assert [c.weakness for c in weak] == sorted(c.weakness for c in weak)
    for c in short:
        if c not in weak:
            assert c.weakness >= weak[-1].weakness
    assert weakest(skills, limit=1) == weak[:1]


def test_weakness_is_the_share_meeting_then_the_average() -> None:
    def skill(meets: int, average: float | None) -> SkillCoverage:
        return SkillCoverage("s", "S", True, 4, meets, 4, 4, average, (), ())

    assert skill(1, 4.5).weakness < skill(2, 1.0).weakness
    assert skill(1, 2.0).weakness < skill(1, 3.0).weakness
    assert skill(1, None).weakness == skill(1, 0.0).weakness


points = st.builds(
    TrendPoint,
    st.sampled_from(WEEKS),
    st.tuples(st.booleans(), st.booleans()),
    st.integers(0, 100),
    st.integers(0, 21),
)
histories = st.lists(points, max_size=4, unique_by=lambda p: p.week).map(
    lambda h: tuple(sorted(h, key=lambda p: p.week))
)


@given(st.lists(histories, max_size=6))
def test_each_week_counts_each_persons_latest_snapshot_up_to_it(
    team: list[tuple[TrendPoint, ...]],
) -> None:
    group = group_of(*(person(f"P{i}", {}, h) for i, h in enumerate(team)))
    weeks = trend(group)
    assert [w.week for w in weeks] == sorted({p.week for h in team for p in h})
    for w in weeks:
        up_to = [[p for p in h if p.week <= w.week] for h in team]
        latest = [snapshots[-1] for snapshots in up_to if snapshots]
        assert w.people == len(latest)
        assert w.ready == tuple(sum(p.ready[t] for p in latest) for t in range(2))
        rated = sum(p.rated for p in latest)
        assert w.average == (sum(p.rating_sum for p in latest) / rated if rated else None)
        assert w.to_dict(["apply", "promotion"]) == {
            "week": w.week,
            "people": w.people,
            "ready": {"apply": w.ready[0], "promotion": w.ready[1]},
            "average": w.average,
        }
    assert [w.people for w in weeks] == sorted(w.people for w in weeks)


def test_coverage_follows_the_groups_own_definition() -> None:
    group = group_of(person("Cy", {s.id: 5 for s in CUSTOM.skills}, d=CUSTOM), d=CUSTOM)
    skills = coverage(group)
    assert [c.skill_id for c in skills] == [s.id for s in CUSTOM.skills]
    assert all(c.mentors == ("Cy",) and c.meets == 1 for c in skills)
