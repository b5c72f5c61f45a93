"""Judge a workbook already read: validation, verdicts, priorities, and what moved since the
last snapshot, with the impact of each change in words (the Improvement Log's text).

Pure: no file is read or written here (only today's date is looked up when none is given).

The impact of a change says two true things, both re-checked against :mod:`matrix_xl.rules`
by the tests:

- where the skill now stands against its target (``Definition.target``): ``now meets``,
  ``still meets``, ``no longer meets ...: 1 to go`` or ``2 to go ... (1 closer)``; a
  distance is never zero or negative, and an unrated skill counts from 0 as in the rules;
- each verdict that this change decides: the verdict moved since the last snapshot, and
  with every other change of the week kept, undoing this one change alone would undo the
  move. A verdict moved only by several changes together, none of them deciding, is named
  on none of them (the History sheet and the Summary show the move).

Example:
    >>> from matrix_xl.definition import default_definition
    >>> d = default_definition()
    >>> change_impact(d, "cloud", {"cloud": 4}, {"cloud": 5})
    'still meets the mandatory target 4'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

from matrix_xl.definition import Definition, Skill, Threshold
from matrix_xl.evaluation.result import Change, Evaluation, RatingLine
from matrix_xl.read.history import last_recorded, previous_week
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import evaluate_rules, priorities, skill_status, verdict
from matrix_xl.validation.schemas import validate
from matrix_xl.xlsx.style import show_rating

__all__ = ["against_target", "change_impact", "evaluate_read", "log_action", "log_changes"]

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
        result.changes = log_changes(d, recorded.ratings, ratings)
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


def log_changes(d: Definition, before: Ratings, now: Ratings) -> list[Change]:
    """Every skill whose rating differs between two snapshots, in matrix order, each with
    its impact in words (see :func:`change_impact`).

    Args:
        d: the matrix.
        before: skill id -> rating in the last recorded snapshot (missing: unrated).
        now: skill id -> rating now.

    Returns:
        One :class:`Change` per changed skill; an Improvement Log entry each.
    """
    judged = _Judged(d, before, now)
    return [
        Change(s.id, s.name, before.get(s.id), now.get(s.id), judged.impact(s))
        for s in d.skills
        if before.get(s.id) != now.get(s.id)
    ]


def change_impact(d: Definition, skill_id: str, before: Ratings, now: Ratings) -> str:
    """What one skill's rating change means, in words, as the Improvement Log records it.

    Args:
        d: the matrix.
        skill_id: the skill whose rating changed.
        before: skill id -> rating in the last recorded snapshot (missing: unrated).
        now: skill id -> rating now (every change of the week, this one included).

    Returns:
        Where the skill stands against its target, then each verdict this change decides,
        joined by ``"; "``: ``now meets the optional target 3; Ready to apply: now YES``.
    """
    return _Judged(d, before, now).impact(d.skill(skill_id))


def log_action(old: int | None, new: int | None) -> str:
    """The Improvement Log's ``Action Taken`` for a rating change: ``Self-rating 3 -> 4``
    (``unrated`` for no rating)."""
    return f"Self-rating {show_rating(old)} -> {show_rating(new)}"


class _Judged:
    """Two snapshots judged once, so that each change's impact costs only its own verdicts."""

    def __init__(self, d: Definition, before: Ratings, now: Ratings) -> None:
        self.d, self.before, self.now = d, before, now
        was = {t.id: verdict(d, before, t, with_steps=False).ready for t in d.thresholds}
        self.ready = {t.id: verdict(d, now, t, with_steps=False).ready for t in d.thresholds}
        # Only a verdict that moved can be decided by a change.
        self.moved = [t for t in d.thresholds if was[t.id] != self.ready[t.id]]

    def impact(self, skill: Skill) -> str:
        old, new = self.before.get(skill.id), self.now.get(skill.id)
        parts = [against_target(self.d, skill, old, new)]
        for t in self.moved:
            if self._decides(t, skill.id, old):
                parts.append(f"{t.name}: now {'YES' if self.ready[t.id] else 'NOT YET'}")
        return "; ".join(parts)

    def _decides(self, t: Threshold, skill_id: str, old: int | None) -> bool:
        undone = _WithOne(self.now, skill_id, old)
        return verdict(self.d, undone, t, with_steps=False).ready != self.ready[t.id]


def against_target(d: Definition, skill: Skill, old: int | None, new: int | None) -> str:
    """Where a changed rating leaves the skill against its target, in words.

    Meeting is ``rating >= target``, as the Status column and the rules count it; an
    unrated skill meets nothing and counts from 0, so "N to go" is always at least 1.

    >>> from matrix_xl.definition import default_definition
    >>> d = default_definition()
    >>> against_target(d, d.skill("cloud"), 2, 3)
    '1 to go to the mandatory target 4 (1 closer)'
    """
    target = d.target(skill)
    what = f"the {'mandatory' if skill.mandatory else 'optional'} target {target}"
    cleared = "rating cleared (counts as unrated): " if new is None else ""
    was_met, met = _meets(old, target), _meets(new, target)
    to_go = target - (new or 0)
    if met:
        return f"{'still' if was_met else 'now'} meets {what}"
    if was_met:
        return f"{cleared}no longer meets {what}: {to_go} to go"
    moved = (new or 0) - (old or 0)
    how = "" if moved == 0 else f" ({abs(moved)} {'closer' if moved > 0 else 'further'})"
    return f"{cleared}{to_go} to go to {what}{how}"


def _meets(rating: int | None, target: int) -> bool:
    return rating is not None and rating >= target


class _WithOne(Mapping[str, "int | None"]):
    """``ratings`` with one skill's rating replaced, without copying the rest."""

    def __init__(self, ratings: Ratings, skill_id: str, rating: int | None) -> None:
        self.ratings, self.skill_id, self.rating = ratings, skill_id, rating

    def __getitem__(self, key: str) -> int | None:
        if key == self.skill_id:
            return self.rating
        return self.ratings[key]

    def __iter__(self) -> Iterator[str]:
        yield from self.ratings
        if self.skill_id not in self.ratings:
            yield self.skill_id

    def __len__(self) -> int:
        return len(self.ratings) + (self.skill_id not in self.ratings)
