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

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matrix_xl.definition import Condition, Definition, Skill, Threshold, in_scope

__all__ = [
    "STEPS_BUDGET",
    "Priority",
    "RuleResult",
    "Step",
    "TooComplex",
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
# The most search states steps_to visits for all of a definition's thresholds together
# (a second or so of work); a competency matrix's thresholds need a few thousand.
STEPS_BUDGET = 500_000


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
class TooComplex:
    """The least steps were not worked out: the search needs more than ``budget`` states.

    Only a definition far from a competency matrix's shape gets here (many conditions that
    each need many skills); the verdict itself is still exact.
    """

    budget: int

    def __str__(self) -> str:
        return (
            f"too complex to plan (the least steps need more than {self.budget:,} search "
            "states; fewer conditions or skills in the definition would do)"
        )


@dataclass(frozen=True)
class Verdict:
    """A threshold judged: ready or not, one line per condition, and the least steps.

    ``steps`` is empty when ready and ``None`` when there is no plan: no ratings can meet
    the threshold (for example it asks for more optional skills than the matrix has), or,
    when ``too_complex`` says so, the search for the least steps was over its budget.
    """

    threshold_id: str
    name: str
    ready: bool
    rules: tuple[RuleResult, ...]
    steps: tuple[Step, ...] | None
    too_complex: TooComplex | None = None


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
    if isinstance(steps, TooComplex):
        return Verdict(threshold.id, threshold.name, ready, results, None, steps)
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
    definition: Definition,
    ratings: Ratings,
    threshold: Threshold,
    *,
    budget: int | None = None,
) -> tuple[Step, ...] | TooComplex | None:
    """The cheapest set of rating increases that meets ``threshold``.

    Cheapest means the least total points raised (an unrated skill counts from 0), then
    the fewest skills touched, then the skills listed first. Found exactly by dynamic
    programming over the skills with, as state, how many skills meet each condition so
    far (capped at what it needs). The states grow with the product of what the
    conditions need, so the search visits at most ``budget`` of them and otherwise says
    so: it never runs for long, and what it answers is exact. By default each threshold
    gets an equal share of :data:`STEPS_BUDGET`, so judging all of a definition's
    thresholds visits at most that many.

    Args:
        definition: the matrix.
        ratings: skill id -> rating, ``None`` or missing for unrated.
        threshold: one of ``definition.thresholds``.
        budget: the most search states (a state and a level tried for one skill) to visit;
            ``None``: ``STEPS_BUDGET`` divided by the number of thresholds.

    Returns:
        The steps in the matrix's order (empty if already met); ``None`` if the threshold
        cannot be met by any ratings; :class:`TooComplex` if the search would visit more
        than ``budget`` states.
    """
    if budget is None:
        budget = STEPS_BUDGET // max(1, len(definition.thresholds))
    skills = definition.skills
    needs = _needs(skills, threshold.conditions)
    if needs is None:
        return None
    floor = _forced_floor(skills, ratings, threshold.conditions, needs)
    chosen = _cheapest_levels(skills, ratings, threshold.conditions, needs, floor, budget)
    if chosen is None:  # pragma: no cover - needs <= scope sizes makes the goal reachable
        return None
    if isinstance(chosen, TooComplex):
        return chosen
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


# One layer of the search, after choosing the levels of the skills so far: state (how many
# skills meet each open condition, capped at its need) -> (points, skills touched, rank).
# The rank orders the states by the levels chosen so far, matrix order first (a larger
# rank raised the earlier skills more): the last tie-break.
_Layer = dict[tuple[int, ...], tuple[int, int, int]]
# How each state of a layer was reached: state -> (state before, level of this skill).
_Trail = dict[tuple[int, ...], tuple[tuple[int, ...], int]]


def _cheapest_levels(
    skills: Sequence[Skill],
    ratings: Ratings,
    conditions: Sequence[Condition],
    needs: Sequence[int],
    floor: Mapping[str, int],
    budget: int,
) -> tuple[int, ...] | TooComplex | None:
    """The final level of every skill in the cheapest way to meet every need."""
    # A condition the floor already meets stays met whatever is raised: no state for it.
    open_ = [
        (c, need)
        for c, need in zip(conditions, needs, strict=True)
        if sum(in_scope(c.scope, s.mandatory) and floor[s.id] >= c.level for s in skills) < need
    ]
    levels = sorted({c.level for c, _ in open_})
    layer: _Layer = {tuple(0 for _ in open_): (0, 0, 0)}
    trails: list[_Trail | None] = []
    # Skills still to come in each open condition's scope: a state that cannot reach a
    # need even with all of them is dropped (exact, and it keeps the layers small).
    left = [sum(in_scope(c.scope, s.mandatory) for s in skills) for c, _ in open_]
    visited = 0
    for s in skills:
        options = [floor[s.id]] + [lv for lv in levels if lv > floor[s.id]]
        # What each level adds to the state; () when it adds nothing.
        gains = [
            tuple(int(in_scope(c.scope, s.mandatory) and lv >= c.level) for c, _ in open_)
            for lv in options
        ]
        gains = [gain if any(gain) else () for gain in gains]
        if len(options) == 1 and not gains[0]:
            trails.append(None)  # nothing to choose: every state stays as it is
            continue
        visited += len(layer) * len(options)
        if visited > budget:
            return TooComplex(budget)
        layer, trail = _with_skill(layer, _rating(ratings, s), options, gains, open_)
        trails.append(trail)
        left = [n - in_scope(c.scope, s.mandatory) for n, (c, _) in zip(left, open_, strict=True)]
        short = [need - n for n, (_, need) in zip(left, open_, strict=True)]
        if any(x > 0 for x in short):
            layer = {st: v for st, v in layer.items() if all(map(operator.ge, st, short))}
    goal = tuple(need for _, need in open_)
    if goal not in layer:
        return None
    return _chosen(skills, floor, trails, goal)


def _with_skill(
    layer: _Layer,
    current: int,
    options: Sequence[int],
    gains: Sequence[tuple[int, ...]],
    open_: Sequence[tuple[Condition, int]],
) -> tuple[_Layer, _Trail]:
    """The search states after choosing a level for one more skill, cheapest per state."""
    needs = [need for _, need in open_]
    moves = [
        (lv, gain, lv - current, int(lv > current)) for lv, gain in zip(options, gains, strict=True)
    ]
    # new state -> (points, touched, rank before, level, state before)
    best: dict[tuple[int, ...], tuple[int, int, int, int, tuple[int, ...]]] = {}
    for state, (points, touched, rank) in layer.items():
        for level, gain, cost, raised in moves:
            new_state = tuple(map(min, needs, map(operator.add, state, gain))) if gain else state
            cand = (points + cost, touched + raised, rank, level, state)
            old = best.get(new_state)
            # Least points, then fewest touched, then the earlier skills raised more.
            if old is None or cand[:2] < old[:2] or (cand[:2] == old[:2] and cand[2:4] > old[2:4]):
                best[new_state] = cand
    order = sorted(best, key=lambda st: best[st][2:4])
    ranks = {st: i for i, st in enumerate(order)}
    nxt = {st: (v[0], v[1], ranks[st]) for st, v in best.items()}
    return nxt, {st: (v[4], v[3]) for st, v in best.items()}


def _chosen(
    skills: Sequence[Skill],
    floor: Mapping[str, int],
    trails: Sequence[_Trail | None],
    goal: tuple[int, ...],
) -> tuple[int, ...]:
    """Walk the trails back from the goal: the level chosen for each skill."""
    levels = []
    state = goal
    for s, trail in zip(reversed(skills), reversed(trails), strict=True):
        if trail is None:
            levels.append(floor[s.id])
        else:
            state, level = trail[state]
            levels.append(level)
    return tuple(reversed(levels))
