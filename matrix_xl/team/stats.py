"""Team statistics per definition group: coverage per skill, the weakest skills, the trend.

What the Coverage and Trend sheets of the team workbook show, and what
``matrix-xl team --format json`` lists under ``coverage``, ``weakest`` and ``trend``:
computed here once, from the roll-up's :class:`~matrix_xl.team.model.DefinitionGroup`,
so the sheets and the JSON cannot disagree.

Example:
    >>> from matrix_xl.definition import default_definition
    >>> from matrix_xl.team.model import DefinitionGroup
    >>> d = default_definition()
    >>> [c.people for c in coverage(DefinitionGroup(d.fingerprint(), d))][:2]
    [0, 0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matrix_xl.team.model import DefinitionGroup, TrendPoint

__all__ = [
    "WEAKEST",
    "SkillCoverage",
    "TrendWeek",
    "coverage",
    "skill_averages",
    "trend",
    "weakest",
]

WEAKEST = 3  # weakest mandatory skills named per group


@dataclass(frozen=True, slots=True)
class SkillCoverage:
    """What a group can do in one skill.

    Attributes:
        skill_id: the skill's id.
        name: the skill's name.
        mandatory: whether the skill is mandatory.
        target: the level the first threshold asks of it.
        meets: how many people are rated at or above the target (unrated: not meeting).
        rated: how many people rated it.
        people: how many people the group has.
        average: the mean of the ratings given, ``None`` when nobody rated it.
        mentors: who could mentor: the people at the top rating, in the group's order.
        learners: who could learn: the people at or below the priority level.
    """

    skill_id: str
    name: str
    mandatory: bool
    target: int
    meets: int
    rated: int
    people: int
    average: float | None
    mentors: tuple[str, ...]
    learners: tuple[str, ...]

    @property
    def share(self) -> float:
        """The share of the group meeting the target (0 for an empty group)."""
        return self.meets / self.people if self.people else 0.0

    @property
    def weakness(self) -> tuple[float, float]:
        """The sort key of :func:`weakest`: the share meeting, then the average (unrated 0)."""
        return (self.share, self.average if self.average is not None else 0.0)

    def to_dict(self) -> dict[str, Any]:
        """The skill's entry in ``coverage`` (without its group's ``definition``)."""
        return {
            "skill_id": self.skill_id,
            "skill": self.name,
            "mandatory": self.mandatory,
            "target": self.target,
            "meets": self.meets,
            "rated": self.rated,
            "people": self.people,
            "share": self.share,
            "average": self.average,
            "could_mentor": list(self.mentors),
            "could_learn": list(self.learners),
        }


@dataclass(frozen=True, slots=True)
class TrendWeek:
    """A group in one ISO week: each person's latest snapshot up to that week.

    Attributes:
        week: ISO week, ``2026-W48``.
        people: how many people had a snapshot by then.
        ready: per threshold, in the definition's order: how many of them met it.
        average: the mean rating over those snapshots' rated skills (``None``: none rated).
    """

    week: str
    people: int
    ready: tuple[int, ...]
    average: float | None

    def to_dict(self, threshold_ids: Sequence[str]) -> dict[str, Any]:
        """The week's entry in ``trend`` (without its group's ``definition``)."""
        return {
            "week": self.week,
            "people": self.people,
            "ready": dict(zip(threshold_ids, self.ready, strict=True)),
            "average": self.average,
        }


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def coverage(group: DefinitionGroup) -> list[SkillCoverage]:
    """Coverage per skill, in the definition's order.

    Args:
        group: the people of one definition.

    Returns:
        One :class:`SkillCoverage` per skill of the group's definition.
    """
    d = group.definition
    out = []
    for i, skill in enumerate(d.skills):
        target = d.target(skill)
        values = [(p.ratings[i], p.owner) for p in group.people]
        rated = [v for v, _ in values if v is not None]
        out.append(
            SkillCoverage(
                skill_id=skill.id,
                name=skill.name,
                mandatory=skill.mandatory,
                target=target,
                meets=sum(1 for v in rated if v >= target),
                rated=len(rated),
                people=len(values),
                average=_mean(rated),
                mentors=tuple(o for v, o in values if v is not None and v >= d.max_rating),
                learners=tuple(
                    o for v, o in values if v is not None and v <= d.priority_at_or_below
                ),
            )
        )
    return out


def weakest(skills: Sequence[SkillCoverage], limit: int = WEAKEST) -> list[SkillCoverage]:
    """The mandatory skills fewest people meet (then the lowest average), not all met.

    Args:
        skills: from :func:`coverage`.
        limit: how many to name at most.

    Returns:
        Up to ``limit`` skills, the weakest first (by :attr:`SkillCoverage.weakness`; ties
        keep the definition's order).
    """
    short = [c for c in skills if c.mandatory and c.meets < c.people]
    short.sort(key=lambda c: c.weakness)
    return short[:limit]


def skill_averages(group: DefinitionGroup) -> list[float | None]:
    """The mean rating given per skill, in the definition's order (``None``: nobody rated).

    Args:
        group: the people of one definition.

    Returns:
        One mean (or ``None``) per skill; the Team sheet's team line.
    """
    return [
        _mean([r for p in group.people if (r := p.ratings[i]) is not None])
        for i in range(len(group.definition.skills))
    ]


def trend(group: DefinitionGroup) -> list[TrendWeek]:
    """Per ISO week of any History, each person's latest snapshot up to that week.

    A person's snapshot is carried forward to the weeks after it until they have a newer
    one; people without a snapshot by a week do not count in it.

    Args:
        group: the people of one definition (their histories oldest first).

    Returns:
        One :class:`TrendWeek` per week found in the group's histories, oldest first.
    """
    weeks = sorted({h.week for p in group.people for h in p.history})
    rows = []
    thresholds = len(group.definition.thresholds)
    latest: list[TrendPoint | None] = [None] * len(group.people)
    cursor = [0] * len(group.people)
    for week in weeks:
        for i, person in enumerate(group.people):
            while cursor[i] < len(person.history) and person.history[cursor[i]].week <= week:
                latest[i] = person.history[cursor[i]]
                cursor[i] += 1
        points = [p for p in latest if p is not None]
        total = sum(p.rating_sum for p in points)
        rated = sum(p.rated for p in points)
        rows.append(
            TrendWeek(
                week,
                len(points),
                tuple(sum(1 for p in points if p.ready[t]) for t in range(thresholds)),
                total / rated if rated else None,
            )
        )
    return rows
