"""Judge a workbook already read: validation, verdicts, priorities, and what moved since the
last snapshot, with the impact of each change in words.

Pure: no file is read or written here (only today's date is looked up when none is given).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from matrix_xl.definition import Definition
from matrix_xl.evaluation.result import Change, Evaluation, RatingLine
from matrix_xl.read.history import last_recorded, previous_week
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import Verdict, evaluate_rules, priorities, skill_status
from matrix_xl.validation.schemas import validate

__all__ = ["change_impact", "evaluate_read"]

Ratings = Mapping[str, int | None]


def evaluate_read(
    read: MatrixRead, as_of: date | None = None, today: date | None = None
) -> Evaluation:
    """Judge a workbook already read (no I/O): validation, verdicts, priorities, movement.

    Args:
        read: the workbook as read.
        as_of: the snapshot's date (default today).
        today: the date validation treats as today (default today; never before ``as_of``).

    Returns:
        The evaluation, not yet written anywhere. When the workbook has errors only
        ``issues`` is filled and ``valid`` is false.
    """
    as_of = as_of or date.today()
    issues = validate(read, today=max(today or date.today(), as_of))
    d = read.definition
    result = Evaluation(read.name, read.owner, read.role, as_of, True, issues, d)
    if result.errors:
        result.valid = False
        return result
    ratings = read.rating_map()
    before = previous_week(read.history, as_of)
    result.previous_week = before.week if before else None
    result.ratings = _rating_lines(read, ratings, before)
    result.verdicts = evaluate_rules(d, ratings)
    result.priorities = priorities(d, ratings)
    result.history = list(read.history)
    recorded = last_recorded(read.history, as_of)
    if recorded is not None:
        result.changes = _changes(d, recorded, ratings, result.verdicts)
    return result


def _rating_lines(
    read: MatrixRead, ratings: Ratings, before: HistoryRow | None
) -> list[RatingLine]:
    d = read.definition
    notes = {r.skill_id: r.notes for r in read.rows}
    return [
        RatingLine(
            s.id,
            s.name,
            s.mandatory,
            ratings.get(s.id),
            before.ratings.get(s.id) if before else None,
            skill_status(d, s, ratings.get(s.id)),
            notes.get(s.id, ""),
        )
        for s in d.skills
    ]


def _changes(
    d: Definition, recorded: HistoryRow, ratings: Ratings, verdicts: tuple[Verdict, ...]
) -> list[Change]:
    """Every skill whose rating differs from the last recorded snapshot, in matrix order."""
    old_verdicts = {
        v.threshold_id: v.ready for v in evaluate_rules(d, recorded.ratings, with_steps=False)
    }
    changes = []
    for s in d.skills:
        old, new = recorded.ratings.get(s.id), ratings.get(s.id)
        if old != new:
            changes.append(
                Change(
                    s.id, s.name, old, new, change_impact(d, s.id, old, new, old_verdicts, verdicts)
                )
            )
    return changes


def change_impact(
    d: Definition,
    skill_id: str,
    old: int | None,
    new: int | None,
    old_verdicts: Mapping[str, bool],
    verdicts: tuple[Verdict, ...],
) -> str:
    """What a rating change means, in words, as the Improvement Log records it.

    Args:
        d: the matrix.
        skill_id: the skill whose rating changed.
        old: its rating in the last recorded snapshot (``None``: unrated).
        new: its rating now (``None``: unrated).
        old_verdicts: threshold id -> ready, judged on the last recorded snapshot.
        verdicts: the verdicts now.

    Returns:
        The movement against the skill's target, then every verdict that changed, joined
        by ``"; "``: ``optional target 3 now met; Ready to apply: YES``.
    """
    skill = d.skill(skill_id)
    target = d.target(skill)
    kind = "mandatory" if skill.mandatory else "optional"
    o, n = old or 0, new or 0
    parts = []
    if n >= target > o:
        parts.append(f"{kind} target {target} now met")
    elif o >= target > n:
        parts.append(f"{kind} target {target} no longer met")
    elif n > o:
        parts.append(f"{target - n} to go to the {kind} target {target}")
    elif new is None:
        parts.append("rating cleared: counts as unrated")
    else:
        parts.append(f"moved away from the {kind} target {target}")
    for v in verdicts:
        was = old_verdicts.get(v.threshold_id)
        if was is not None and was != v.ready:
            parts.append(f"{v.name}: {'YES' if v.ready else 'NOT YET'}")
    return "; ".join(parts)
