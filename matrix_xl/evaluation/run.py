"""Evaluate one workbook: read, validate, judge, and record the result in the workbook.

This is the main job behind ``matrix-xl evaluate``; the CLI only formats what
:func:`evaluate` returns.

Example:
    >>> from matrix_xl import evaluate  # doctest: +SKIP
    >>> result = evaluate("me.xlsx", dry_run=True)  # doctest: +SKIP
    >>> result.verdict("apply").ready  # doctest: +SKIP
    False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from matrix_xl.definition import Definition
from matrix_xl.errors import UnsafeWriteError
from matrix_xl.read.history import iso_week, last_recorded, previous_week
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import Priority, Verdict, evaluate_rules, priorities, skill_status
from matrix_xl.validation.schemas import Finding, validate

__all__ = ["Change", "Evaluation", "RatingLine", "evaluate", "evaluate_read"]


@dataclass(frozen=True)
class RatingLine:
    """A skill's rating now and in the previous week's snapshot."""

    skill_id: str
    skill: str
    mandatory: bool
    rating: int | None
    previous: int | None
    status: str
    notes: str


@dataclass(frozen=True)
class Change:
    """A rating that changed since the last recorded snapshot."""

    skill_id: str
    skill: str
    from_: int | None
    to: int | None
    impact: str


@dataclass
class Evaluation:
    """The outcome of :func:`evaluate`.

    ``valid`` is false when the workbook has errors: then only ``issues`` is filled and
    nothing is written.
    """

    workbook: str
    owner: str
    role: str
    as_of: date
    valid: bool
    issues: list[Finding]
    definition: Definition
    ratings: list[RatingLine] = field(default_factory=list)
    verdicts: tuple[Verdict, ...] = ()
    priorities: list[Priority] = field(default_factory=list)
    previous_week: str | None = None
    changes: list[Change] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    written: str | None = None
    log_added: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.issues if f.severity == "error"]

    @property
    def unrated(self) -> list[str]:
        return [r.skill for r in self.ratings if r.rating is None]

    def verdict(self, threshold_id: str) -> Verdict:
        for v in self.verdicts:
            if v.threshold_id == threshold_id:
                return v
        raise KeyError(threshold_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``matrix-xl evaluate --format json``."""
        out: dict[str, Any] = {
            "workbook": self.workbook,
            "owner": self.owner,
            "role": self.role,
            "as_of": self.as_of.isoformat(),
            "week": iso_week(self.as_of),
            "valid": self.valid,
            "issues": [f.to_dict() for f in self.issues],
            "ratings": [
                {
                    "skill": r.skill,
                    "skill_id": r.skill_id,
                    "mandatory": r.mandatory,
                    "rating": r.rating,
                    "previous": r.previous,
                    "status": r.status,
                }
                for r in self.ratings
            ],
        }
        for v in self.verdicts:
            out[v.threshold_id] = {
                "name": v.name,
                "ready": v.ready,
                "rules": [
                    {"rule": r.rule, "passed": r.passed, "detail": r.detail} for r in v.rules
                ],
                "steps": None
                if v.steps is None
                else [
                    {"skill": s.skill, "skill_id": s.skill_id, "from": s.from_, "to": s.to}
                    for s in v.steps
                ],
            }
        out["priorities"] = [
            {
                "skill": p.skill,
                "skill_id": p.skill_id,
                "mandatory": p.mandatory,
                "rating": p.rating,
                "target": p.target,
            }
            for p in self.priorities
        ]
        out["unrated"] = self.unrated
        out["previous_week"] = self.previous_week
        out["changes"] = [
            {"skill": c.skill, "from": c.from_, "to": c.to, "impact": c.impact}
            for c in self.changes
        ]
        out["written"] = self.written
        out["log_entries_added"] = self.log_added
        return out


def evaluate_read(
    read: MatrixRead, as_of: date | None = None, today: date | None = None
) -> Evaluation:
    """Judge a workbook already read (no I/O): validation, verdicts, priorities, movement."""
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
    notes = {r.skill_id: r.notes for r in read.rows}
    result.ratings = [
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
    result.verdicts = evaluate_rules(d, ratings)
    result.priorities = priorities(d, ratings)
    result.history = list(read.history)

    recorded = last_recorded(read.history, as_of)
    if recorded is not None:
        old_verdicts = {
            v.threshold_id: v.ready for v in evaluate_rules(d, recorded.ratings, with_steps=False)
        }
        for s in d.skills:
            old, new = recorded.ratings.get(s.id), ratings.get(s.id)
            if old != new:
                result.changes.append(
                    Change(
                        s.id,
                        s.name,
                        old,
                        new,
                        _impact(d, s.id, old, new, old_verdicts, result.verdicts),
                    )
                )
    return result


def _impact(
    d: Definition,
    skill_id: str,
    old: int | None,
    new: int | None,
    old_verdicts: dict[str, bool],
    verdicts: tuple[Verdict, ...],
) -> str:
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


def open_in_an_app(path: Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an open
    workbook, if there is one."""
    for lock in (path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            return lock
    return None


def evaluate(
    path: str | Path,
    *,
    output: str | Path | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
) -> Evaluation:
    """Evaluate a workbook and, unless asked not to, record the result in it.

    Args:
        path: the filled workbook.
        output: write the updated workbook here instead of updating ``path`` in place
            (``path`` is then left byte-identical).
        dry_run: write nothing.
        as_of: the snapshot's date (default today); for backfilling and tests.

    Returns:
        The evaluation. When ``valid`` is false nothing was written.

    Raises:
        UnreadableWorkbookError: the workbook cannot be read.
        UnsafeWriteError: writing would lose something in the workbook, the workbook is
            open in a spreadsheet application, or the write failed; the original file is
            then untouched.
    """
    from matrix_xl.read.source import read_source

    data, name = read_source(Path(path))
    read = read_workbook(data, name=name)
    result = evaluate_read(read, as_of=as_of)
    if not result.valid or dry_run:
        return result
    from matrix_xl.evaluation.writeback import write_report

    target = Path(output) if output is not None else Path(path)
    lock = open_in_an_app(target)
    if lock is not None:
        raise UnsafeWriteError(
            f"the workbook is open in a spreadsheet application ({lock.name} is next to it): "
            "close it there first, or its next save would overwrite the summary. Nothing was "
            "written; -o OUT or --dry-run work while it is open.",
            target,
        )
    result.log_added = write_report(data, name, target, read, result)
    result.written = str(target)
    return result
