"""Check that a definition can make a sensible workbook, whatever file it came from.

The checks run in a fixed order (skills, rubric, skill rows, thresholds, priority), so a
definition with several faults is always reported by the same first one.
"""

from __future__ import annotations

import re

from matrix_xl.definition.model import Definition, Threshold
from matrix_xl.errors import DefinitionError

__all__ = ["check_definition"]

_SKILL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_DEFINED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,254}$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$|^[Rr][0-9]*(?:[Cc][0-9]*)?$|^[Cc][0-9]*$")
_RESERVED_NAMES = {"skillnames", "ratings", "improvementlog"}  # the writer's own names


def check_definition(d: Definition) -> None:
    """Raise when a definition cannot make a sensible workbook.

    Args:
        d: the definition, from any source.

    Raises:
        DefinitionError: the first fault found, naming ``d.source``.
    """
    if not d.skills:
        raise DefinitionError("the definition has no skills", d.source)
    _check_rubric(d)
    _check_skills(d)
    _check_thresholds(d)
    if not d.min_rating <= d.priority_at_or_below <= d.max_rating:
        raise DefinitionError(
            f"priority_at_or_below {d.priority_at_or_below} is outside the rubric", d.source
        )


def _check_rubric(d: Definition) -> None:
    if not d.rubric:
        raise DefinitionError("the definition has no rubric levels", d.source)
    ratings = [lv.rating for lv in d.rubric]
    if ratings != list(range(1, len(ratings) + 1)) or len(ratings) > 9:
        raise DefinitionError(
            f"rubric ratings must run 1, 2, 3 ... without gaps (at most 9 levels); got {ratings}",
            d.source,
        )


def _check_skills(d: Definition) -> None:
    where = d.source
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for s in d.skills:
        if not _SKILL_ID.fullmatch(s.id):
            raise DefinitionError(
                f"skill id {s.id!r} must be lower-case letters, digits and dashes", where
            )
        key = " ".join(s.name.split()).casefold()
        if not key:
            raise DefinitionError(f"skill {s.id!r} has an empty name", where)
        if len(s.name) > 255:
            raise DefinitionError(f"skill name {s.name[:40]!r}... is over 255 characters", where)
        if s.id in seen_ids:
            raise DefinitionError(f"skill id {s.id!r} appears twice", where)
        if key in seen_names:
            raise DefinitionError(f"skill {s.name!r} appears twice", where)
        seen_ids.add(s.id)
        seen_names.add(key)


def _check_thresholds(d: Definition) -> None:
    if not d.thresholds:
        raise DefinitionError("the definition has no thresholds", d.source)
    names: set[str] = set()
    for t in d.thresholds:
        if not _is_defined_name(t.defined_name):
            raise DefinitionError(
                f"threshold {t.id!r}: {t.defined_name!r} cannot be an Excel defined name",
                d.source,
            )
        if t.defined_name.casefold() in names or t.id in {x.id for x in d.thresholds if x is not t}:
            raise DefinitionError(f"threshold {t.id!r} appears twice", d.source)
        names.add(t.defined_name.casefold())
        _check_conditions(d, t)


def _is_defined_name(name: str) -> bool:
    # Excel refuses a name that reads as a cell (A1, R1C1), its own _xlnm names, and the
    # writer needs the names it defines itself.
    return bool(
        _DEFINED_NAME.match(name)
        and not _CELL_LIKE.match(name)
        and name.casefold() not in _RESERVED_NAMES
        and not name.casefold().startswith("_xlnm")
    )


def _check_conditions(d: Definition, t: Threshold) -> None:
    if not t.conditions:
        raise DefinitionError(f"threshold {t.id!r} has no conditions", d.source)
    for c in t.conditions:
        if not d.min_rating <= c.level <= d.max_rating:
            raise DefinitionError(
                f"threshold {t.id!r}: level {c.level} is outside the rubric "
                f"({d.min_rating}-{d.max_rating})",
                d.source,
            )
