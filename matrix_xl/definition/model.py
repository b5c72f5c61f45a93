"""The matrix definition as data: skills, rubric, thresholds, questions and references.

Frozen dataclasses and the small pure helpers over them. Reading them from a file is
:mod:`matrix_xl.definition.load`'s job, checking them :mod:`matrix_xl.definition.check`'s.
Nothing in the rest of matrix-xl names a skill or a threshold: everything comes from here.

Example:
    >>> from matrix_xl.definition import default_definition
    >>> d = default_definition()
    >>> len(d.skills), d.thresholds[0].defined_name
    (21, 'ReadyToApply')
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from matrix_xl.definition.toml import data_to_toml

__all__ = [
    "FORMAT",
    "SCOPES",
    "Condition",
    "Count",
    "Definition",
    "Level",
    "Reference",
    "Scope",
    "Skill",
    "Threshold",
    "in_scope",
    "slugify",
]

FORMAT = 1
Scope = Literal["mandatory", "optional", "any"]
Count = int | Literal["all", "majority"]
SCOPES: tuple[Scope, ...] = ("mandatory", "optional", "any")


@dataclass(frozen=True)
class Reference:
    """A reading reference for a skill: a section of one's own notes and an outside anchor."""

    section: str
    anchor: str


@dataclass(frozen=True)
class Skill:
    """One row of the matrix.

    ``id`` is stable across versions of a workbook: rows are matched by it, not by position.
    """

    id: str
    name: str
    mandatory: bool
    depth: str = ""
    evidence: str = ""
    questions: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Level:
    """One level of the rating rubric (the seed's Rating / Definition / Evidence Examples)."""

    rating: int
    definition: str
    evidence: str


@dataclass(frozen=True)
class Condition:
    """At least ``count`` skills of ``scope`` are rated ``level`` or higher.

    ``count`` is a number, ``"all"`` (every skill of the scope) or ``"majority"`` (more
    than half of them). Unrated skills never count as meeting a level.
    """

    scope: Scope
    level: int
    count: Count

    def required(self, in_scope: int) -> int:
        """How many of ``in_scope`` skills must meet the level.

        May exceed ``in_scope`` for a fixed count, meaning the condition cannot be met.
        """
        if self.count == "all":
            return in_scope
        if self.count == "majority":
            return in_scope // 2 + 1
        return self.count

    def describe(self) -> str:
        """The condition in words, e.g. ``every mandatory skill >= 4``."""
        noun = {"mandatory": "mandatory skill", "optional": "optional skill", "any": "skill"}
        what = noun[self.scope]
        if self.count == "all":
            return f"every {what} >= {self.level}"
        if self.count == "majority":
            return f"more than half of the {what}s >= {self.level}"
        plural = "" if self.count == 1 else "s"
        return f"at least {self.count} {what}{plural} >= {self.level}"


@dataclass(frozen=True)
class Threshold:
    """A verdict such as *ready to apply*: met when every condition is met."""

    id: str
    name: str
    defined_name: str
    conditions: tuple[Condition, ...]
    text: str = ""


@dataclass(frozen=True)
class Definition:
    """A whole competency matrix.

    Args:
        title: shown on top of the workbook.
        skills: the rows, in order.
        rubric: the rating levels, contiguous from 1.
        thresholds: the verdicts; the first one sets each skill's target level.
        usage: the usage guidance, one step a string.
        priority_at_or_below: mandatory skills rated at or below this come first.
        source: where the definition was loaded from (not part of its identity).
    """

    title: str
    skills: tuple[Skill, ...]
    rubric: tuple[Level, ...]
    thresholds: tuple[Threshold, ...]
    usage: tuple[str, ...] = ()
    priority_at_or_below: int = 3
    source: str = field(default="built-in", compare=False)

    @property
    def min_rating(self) -> int:
        return self.rubric[0].rating

    @property
    def max_rating(self) -> int:
        return self.rubric[-1].rating

    def skill(self, skill_id: str) -> Skill:
        """The skill with this id (``KeyError`` if none)."""
        for skill in self.skills:
            if skill.id == skill_id:
                return skill
        raise KeyError(skill_id)

    def target(self, skill: Skill) -> int:
        """The level a skill should reach: the highest level the first threshold asks of it."""
        levels = (
            [c.level for c in self.thresholds[0].conditions if in_scope(c.scope, skill.mandatory)]
            if self.thresholds
            else []
        )
        return max(levels, default=self.max_rating)

    def threshold(self, threshold_id: str) -> Threshold:
        for t in self.thresholds:
            if t.id == threshold_id:
                return t
        raise KeyError(threshold_id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON- and TOML-ready form, read back by
        :func:`~matrix_xl.definition.definition_from_dict`."""
        return {
            "format": FORMAT,
            "title": self.title,
            "priority_at_or_below": self.priority_at_or_below,
            "usage": list(self.usage),
            "rubric": [
                {"rating": lv.rating, "definition": lv.definition, "evidence": lv.evidence}
                for lv in self.rubric
            ],
            "thresholds": [
                {
                    "id": t.id,
                    "name": t.name,
                    "defined_name": t.defined_name,
                    "text": t.text,
                    "conditions": [
                        {"scope": c.scope, "level": c.level, "count": c.count} for c in t.conditions
                    ],
                }
                for t in self.thresholds
            ],
            "skills": [
                {
                    "id": s.id,
                    "name": s.name,
                    "mandatory": s.mandatory,
                    "depth": s.depth,
                    "evidence": s.evidence,
                    "questions": list(s.questions),
                    "references": [
                        {"section": r.section, "anchor": r.anchor} for r in s.references
                    ],
                }
                for s in self.skills
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def fingerprint(self) -> str:
        """A short hash of the definition's content: equal definitions, equal fingerprints."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:12]

    def to_toml(self) -> str:
        """The definition in the package's TOML format."""
        return data_to_toml(self.to_dict())


def in_scope(scope: Scope, mandatory: bool) -> bool:
    """Whether a skill (mandatory or not) falls in a condition's ``scope``."""
    return scope == "any" or (scope == "mandatory") == mandatory


def slugify(text: str) -> str:
    """A stable id from a skill name: lower case, the parenthesised part dropped.

    >>> slugify("Cloud (AWS/Azure/GCP basics)")
    'cloud'
    """
    base = re.sub(r"\(.*?\)", "", text).strip() or text
    slug = re.sub(r"[^0-9a-z]+", "-", base.lower().replace("&", " and ").replace("+", " ")).strip(
        "-"
    )
    return slug or "skill"
