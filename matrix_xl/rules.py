"""Readiness rules: verdicts, priorities and the least steps to each threshold.

Pure functions of a :class:`~matrix_xl.definition.Definition` and the ratings, a mapping
from skill id to a rating or ``None`` (unrated). No I/O, so they are cheap to test and
to run anywhere.

Example:
    >>> from matrix_xl.definition import default_definition
    >>> d = default_definition()
    >>> ratings = {s.id: 4 for s in d.skills}
    >>> [v.ready for v in evaluate_rules(d, ratings)]
    [True, False]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matrix_xl.definition import Condition, Definition, Skill, Threshold, in_scope

__all__ = [
    "Priority",
    "RuleResult",
    "Step",
    "Verdict",
    "evaluate_rules",
    "priorities",
    "skill_status",
    "steps_to",
    "verdict",
]

Ratings = Mapping[str, int | None]

MEETS = "Meets"
PRIORITY_GAP = "Priority gap"
BELOW = "Below"
UNRATED = "Unrated"


@dataclass(frozen=True)
class RuleResult:
    """One condition of a threshold, checked: ``mandatory >= 4: 9 of 13, need 13``."""

    rule: str
    passed: bool
    detail: str
    have: int
    need: int


@dataclass(frozen=True)
class Step:
    """Raise ``skill`` from ``from_`` (``None``: unrated) to ``to``."""

    skill_id: str
    skill: str
    from_: int | None
    to: int

    @property
    def points(self) -> int:
        return self.to - (self.from_ or 0)


@dataclass(frozen=True)
class Verdict:
    """A threshold judged: ready or not, one line per condition, and the least steps.

    ``steps`` is empty when ready and ``None`` when no ratings can meet the threshold
    (for example it asks for more optional skills than the matrix has).
    """

    threshold_id: str
    name: str
    ready: bool
    rules: tuple[RuleResult, ...]
    steps: tuple[Step, ...] | None


@dataclass(frozen=True)
class Priority:
    """A skill to work on, in the seed's order: mandatory gaps first, lowest first."""

    skill_id: str
    skill: str
    mandatory: bool
    rating: int | None
    target: int


def _rating(ratings: Ratings, skill: Skill) -> int:
    value = ratings.get(skill.id)
    return 0 if value is None else value


def check_condition(definition: Definition, ratings: Ratings, condition: Condition) -> RuleResult:
    """Count the skills of the condition's scope that meet its level."""
    n = have = 0
    level, scope = condition.level, condition.scope
    for s in definition.skills:
        if scope == "any" or (scope == "mandatory") == s.mandatory:
            n += 1
            value = ratings.get(s.id)
            if value is not None and value >= level:
                have += 1
    need = condition.required(n)
    shown = "skills" if scope == "any" else scope
    detail = f"{shown} >= {level}: {have} of {n}, need {need}"
    return RuleResult(condition.describe(), have >= need, detail, have, need)


def verdict(
    definition: Definition, ratings: Ratings, threshold: Threshold, *, with_steps: bool = True
) -> Verdict:
    """Judge one threshold.

    Args:
        definition: the matrix.
        ratings: skill id -> rating, ``None`` or missing for unrated.
        threshold: one of ``definition.thresholds``.
        with_steps: also search the least steps (a team roll-up can skip it).

    Returns:
        The verdict with its rule lines and, if not ready, the least steps to it
        (empty when ``with_steps`` is false).
    """
    results = tuple(check_condition(definition, ratings, c) for c in threshold.conditions)
    ready = all(r.passed for r in results)
    steps = () if ready or not with_steps else steps_to(definition, ratings, threshold)
    return Verdict(threshold.id, threshold.name, ready, results, steps)


def evaluate_rules(
    definition: Definition, ratings: Ratings, *, with_steps: bool = True
) -> tuple[Verdict, ...]:
    """Judge every threshold of the definition, in order."""
    return tuple(
        verdict(definition, ratings, t, with_steps=with_steps) for t in definition.thresholds
    )


def skill_status(definition: Definition, skill: Skill, rating: int | None) -> str:
    """The live Status column: Meets, Priority gap, Below or Unrated.

    Kept equal to the formula the workbook writer puts in the Status column.
    """
    if rating is None:
        return UNRATED
    if rating >= definition.target(skill):
        return MEETS
    if skill.mandatory and rating <= definition.priority_at_or_below:
        return PRIORITY_GAP
    return BELOW


def priorities(definition: Definition, ratings: Ratings) -> list[Priority]:
    """What to work on, in order (the seed's Usage, step 3).

    Every mandatory skill rated at or below ``priority_at_or_below``, or unrated, lowest
    first, then every optional skill below its target, lowest first. Ties keep the
    matrix's order.
    """
    mandatory: list[tuple[int, int, Skill]] = []
    optional: list[tuple[int, int, Skill]] = []
    for index, skill in enumerate(definition.skills):
        value = _rating(ratings, skill)
        if skill.mandatory and value <= definition.priority_at_or_below:
            mandatory.append((value, index, skill))
        elif not skill.mandatory and value < definition.target(skill):
            optional.append((value, index, skill))
    return [
        Priority(s.id, s.name, s.mandatory, ratings.get(s.id), definition.target(s))
        for _, _, s in sorted(mandatory) + sorted(optional)
    ]


def steps_to(
    definition: Definition, ratings: Ratings, threshold: Threshold
) -> tuple[Step, ...] | None:
    """The cheapest set of rating increases that meets ``threshold``.

    Cheapest means the least total points raised (an unrated skill counts from 0), then
    the fewest skills touched, then the skills listed first. Found exactly by dynamic
    programming over the skills with, as state, how many skills meet each condition so
    far (capped at what it needs).

    Args:
        definition: the matrix.
        ratings: skill id -> rating, ``None`` or missing for unrated.
        threshold: one of ``definition.thresholds``.

    Returns:
        The steps in the matrix's order (empty if already met), or ``None`` if the
        threshold cannot be met by any ratings.
    """
    skills = definition.skills
    needs = _needs(skills, threshold.conditions)
    if needs is None:
        return None
    floor = _forced_floor(skills, ratings, threshold.conditions, needs)
    chosen = _cheapest_levels(skills, ratings, threshold.conditions, needs, floor)
    if chosen is None:  # pragma: no cover - needs <= scope sizes makes the goal reachable
        return None
    return tuple(
        Step(s.id, s.name, ratings.get(s.id), level)
        for s, level in zip(skills, chosen, strict=True)
        if level > _rating(ratings, s)
    )


def _needs(skills: Sequence[Skill], conditions: Sequence[Condition]) -> list[int] | None:
    """How many skills each condition needs; ``None`` if one needs more than its scope has."""
    needs = []
    for c in conditions:
        n = sum(1 for s in skills if in_scope(c.scope, s.mandatory))
        needs.append(c.required(n))
        if needs[-1] > n:
            return None
    return needs


def _forced_floor(
    skills: Sequence[Skill],
    ratings: Ratings,
    conditions: Sequence[Condition],
    needs: Sequence[int],
) -> dict[str, int]:
    """Each skill's least final level: its rating, raised where a condition leaves no choice.

    "Every skill of a scope" leaves no choice, and taking those raises out first keeps the
    state space small for big matrices.
    """
    floor = {s.id: _rating(ratings, s) for s in skills}
    for c, need in zip(conditions, needs, strict=True):
        scoped = [s for s in skills if in_scope(c.scope, s.mandatory)]
        if need == len(scoped):
            for s in scoped:
                floor[s.id] = max(floor[s.id], c.level)
    return floor


# search state (how many skills meet each condition, capped at its need) ->
# (points, skills touched, the chosen level of each skill so far)
_Best = dict[tuple[int, ...], tuple[int, int, tuple[int, ...]]]


def _cheapest_levels(
    skills: Sequence[Skill],
    ratings: Ratings,
    conditions: Sequence[Condition],
    needs: Sequence[int],
    floor: Mapping[str, int],
) -> tuple[int, ...] | None:
    """The final level of every skill in the cheapest way to meet every need."""
    levels = sorted({c.level for c in conditions})
    best: _Best = {tuple(0 for _ in conditions): (0, 0, ())}
    for s in skills:
        options = [floor[s.id]] + [lv for lv in levels if lv > floor[s.id]]
        best = _with_skill(best, s, _rating(ratings, s), options, conditions, needs)
    goal = best.get(tuple(needs))
    return None if goal is None else goal[2]


def _with_skill(
    best: _Best,
    skill: Skill,
    current: int,
    options: Sequence[int],
    conditions: Sequence[Condition],
    needs: Sequence[int],
) -> _Best:
    """The search states after choosing a level for one more skill, cheapest per state."""
    nxt: _Best = {}
    for state, (points, touched, choices) in best.items():
        for level in options:
            new_state = tuple(
                min(
                    need,
                    have + (1 if in_scope(c.scope, skill.mandatory) and level >= c.level else 0),
                )
                for c, need, have in zip(conditions, needs, state, strict=True)
            )
            cand = (points + level - current, touched + (level > current), (*choices, level))
            old = nxt.get(new_state)
            # On a tie, raise the skills listed first in the matrix.
            if old is None or cand[:2] < old[:2] or (cand[:2] == old[:2] and cand[2] > old[2]):
                nxt[new_state] = cand
    return nxt
