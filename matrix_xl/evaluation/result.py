"""What an evaluation finds: the result of :func:`~matrix_xl.evaluation.run.evaluate` and
its JSON form (``matrix-xl evaluate --format json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from matrix_xl.definition import Definition
from matrix_xl.findings import Finding
from matrix_xl.read.history import iso_week
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import Priority, Verdict

__all__ = ["Change", "Evaluation", "RatingLine"]


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

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, one entry of ``ratings`` (the notes stay in the workbook)."""
        return {
            "skill": self.skill,
            "skill_id": self.skill_id,
            "mandatory": self.mandatory,
            "rating": self.rating,
            "previous": self.previous,
            "status": self.status,
        }


@dataclass(frozen=True)
class Change:
    """A rating that changed since the last recorded snapshot."""

    skill_id: str
    skill: str
    from_: int | None
    to: int | None
    impact: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, one entry of ``changes``."""
        return {"skill": self.skill, "from": self.from_, "to": self.to, "impact": self.impact}


@dataclass
class Evaluation:
    """The outcome of :func:`~matrix_xl.evaluation.run.evaluate`.

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
        """The JSON form printed by ``matrix-xl evaluate --format json``.

        Returns:
            The evaluation as plain data; each threshold's verdict under its id.
        """
        out: dict[str, Any] = {
            "workbook": self.workbook,
            "owner": self.owner,
            "role": self.role,
            "as_of": self.as_of.isoformat(),
            "week": iso_week(self.as_of),
            "valid": self.valid,
            "issues": [f.to_dict() for f in self.issues],
            "ratings": [r.to_dict() for r in self.ratings],
        }
        for v in self.verdicts:
            out[v.threshold_id] = _verdict_dict(v)
        out["priorities"] = [_priority_dict(p) for p in self.priorities]
        out["unrated"] = self.unrated
        out["previous_week"] = self.previous_week
        out["changes"] = [c.to_dict() for c in self.changes]
        out["written"] = self.written
        out["log_entries_added"] = self.log_added
        return out


def _verdict_dict(v: Verdict) -> dict[str, Any]:
    return {
        "name": v.name,
        "ready": v.ready,
        "rules": [{"rule": r.rule, "passed": r.passed, "detail": r.detail} for r in v.rules],
        "steps": None
        if v.steps is None
        else [
            {"skill": s.skill, "skill_id": s.skill_id, "from": s.from_, "to": s.to} for s in v.steps
        ],
        # steps is null when no ratings can meet the threshold, or when this says the
        # search for them was over its budget.
        "too_complex": None
        if v.too_complex is None
        else {"message": str(v.too_complex), "budget": v.too_complex.budget},
    }


def _priority_dict(p: Priority) -> dict[str, Any]:
    return {
        "skill": p.skill,
        "skill_id": p.skill_id,
        "mandatory": p.mandatory,
        "rating": p.rating,
        "target": p.target,
    }
