"""The declared rules run in plain Python over a workbook as read: no pandas, no pandera.

A team roll-up asks of every workbook whether it has any error; most have none, and this
answers without importing pandas (about 0.3 s) or building a frame. It runs the very
declarations the pandera schemas are built from (:data:`matrix_xl.validation.checks.RULES`),
so it finds what :func:`matrix_xl.validation.schemas.validate` finds; a property test in
``tests/validation`` checks the two engines agree.

Example:
    >>> from dataclasses import replace
    >>> from datetime import date
    >>> from matrix_xl.read.reader import read_workbook
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> read = read_workbook(build_workbook(ratings={"cloud": 4}), name="me.xlsx")
    >>> has_errors(read, date.today())
    False
    >>> has_errors(replace(read, rows=[replace(read.rows[0], rating=9)]), date.today())
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from matrix_xl.definition import Definition
from matrix_xl.findings import Finding
from matrix_xl.validation.checks import (
    RULES,
    LogRecord,
    RatingRecord,
    Rule,
    failures,
    in_order,
    rules_for,
)
from matrix_xl.xlsx import layout as L

if TYPE_CHECKING:
    from matrix_xl.read.model import MatrixRead

__all__ = ["findings", "has_errors", "log_records", "rating_records", "skill_keys"]

_RATING_ERRORS = rules_for("ratings", "error")
_LOG_ERRORS = rules_for("log", "error")


def has_errors(read: MatrixRead, today: date) -> bool:
    """Whether validating ``read`` finds an error (the reader's own, or a rule's).

    Args:
        read: a workbook as read by :func:`matrix_xl.read.reader.read_workbook`.
        today: the date log entries may not be after.

    Returns:
        ``True`` when :func:`matrix_xl.validation.schemas.validate` would report an error.
    """
    if any(f.severity == "error" for f in read.findings):
        return True
    return _fails(_RATING_ERRORS, rating_records(read)) or (
        bool(read.log_rows) and _fails(_LOG_ERRORS, log_records(read, today))
    )


def _fails(rules: Sequence[Rule[Any]], rows: Sequence[Any]) -> bool:
    return any(not all(rule.check(rows)) for rule in rules)


def findings(read: MatrixRead, today: date, *, warnings: bool = True) -> list[Finding]:
    """Every finding on ``read``, as :func:`matrix_xl.validation.schemas.validate` lists them.

    Args:
        read: a workbook as read.
        today: the date log entries may not be after.
        warnings: ``False`` runs the error rules only.

    Returns:
        The reader's findings and the rules', errors first, in sheet order.
    """
    found = list(read.findings)
    tables: dict[str, Sequence[Any]] = {
        "ratings": rating_records(read),
        "log": log_records(read, today),
    }
    for rule in RULES:
        if warnings or rule.severity == "error":
            found.extend(failures(rule, tables[rule.table]))
    return in_order(found)


def rating_records(read: MatrixRead) -> list[RatingRecord]:
    """The rating rows of ``read`` as the records the rules check."""
    d = read.definition
    low, high, gap = d.min_rating, d.max_rating, d.priority_at_or_below
    return [
        {
            "workbook": read.name,
            "sheet": read.sheet,
            "skill_id": r.skill_id,
            "skill": r.skill,
            "mandatory": r.mandatory,
            "rating": r.rating,
            "rating_error": r.rating_error,
            "notes": r.notes,
            "rating_cell": r.rating_cell,
            "notes_cell": r.notes_cell,
            "mandatory_cell": r.mandatory_cell,
            "rating_min": low,
            "rating_max": high,
            "priority_max": gap,
        }
        for r in read.rows
    ]


def log_records(read: MatrixRead, today: date) -> list[LogRecord]:
    """The improvement log entries of ``read`` as the records the rules check."""
    if not read.log_rows:
        return []
    known = skill_keys(read.definition)
    sheet = read.log_sheet or L.LOG
    return [
        {
            "workbook": read.name,
            "sheet": sheet,
            "date": e.date,
            "date_text": e.date_text,
            "skill": e.skill,
            "action": e.action,
            "known_skill": L.normalise_header(e.skill) in known,
            "date_cell": e.cells[0],
            "skill_cell": e.cells[1],
            "action_cell": e.cells[2],
            "today": today,
        }
        for e in read.log_rows
    ]


_SKILL_KEYS: dict[int, tuple[Definition, frozenset[str]]] = {}


def skill_keys(definition: Definition) -> frozenset[str]:
    """The skill names as a log entry's Skill is compared with them (case, spacing ignored)."""
    # Remembered per definition: the reader hands out one object per embedded definition,
    # and a team's workbooks share a handful. The definition is kept so its id stays its own.
    cached = _SKILL_KEYS.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    if len(_SKILL_KEYS) >= 64:
        _SKILL_KEYS.clear()
    keys = frozenset(L.normalise_header(s.name) for s in definition.skills)
    _SKILL_KEYS[id(definition)] = (definition, keys)
    return keys
