"""pandera schemas for the ratings table and the improvement log, and the findings they give.

The schemas are built from the declared rules (:data:`matrix_xl.validation.checks.RULES`):
one pandera check per rule, named after it, plus the frames' columns and dtypes.
:func:`validate` runs them lazily (every problem at once) and maps each failure case back
to its rule by that name, whose message gives a :class:`Finding` a person can read, such
as ``Matrix!E9 (Cloud (AWS/Azure/GCP basics)): rating 7 is not one of 1-5``.

Frames may hold many workbooks at once (a team): every row carries its ``workbook``, so
a team is validated as one frame rather than file by file.

Example:
    >>> from matrix_xl.read.reader import read_workbook
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> read = read_workbook(build_workbook(ratings={"cloud": 4}), name="me.xlsx")
    >>> [f.severity for f in validate(read)][:1]
    ['warning']
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
import pandera.pandas as pa

from matrix_xl.errors import InternalError
from matrix_xl.findings import Finding
from matrix_xl.read.frames import log_frame, ratings_frame
from matrix_xl.validation.checks import (
    RULES,
    LogRecord,
    RatingRecord,
    Rule,
    Severity,
    Table,
    failures,
    in_order,
    rule_named,
)

if TYPE_CHECKING:
    from matrix_xl.read.model import MatrixRead

__all__ = [
    "Finding",
    "ImprovementLogSchema",
    "RatingsSchema",
    "RatingsWarnings",
    "log_frame",
    "log_records",
    "rating_records",
    "ratings_frame",
    "schema_for",
    "validate",
    "validate_many",
]


# -- schemas, built from the declared rules ------------------------------------------------

# The frames' shape (columns and dtypes, as the frames above build them): a contract of
# matrix-xl's own frames, not a rule about a workbook. A frame breaking it is a bug, and
# :func:`validate` raises InternalError. Text columns are declared as object: a str dtype
# check visits every value, and the frames only ever hold text there.
_SHAPES: dict[Table, dict[str, pa.Column]] = {
    "ratings": {
        "workbook": pa.Column(object),
        "skill_id": pa.Column(object),
        "mandatory": pa.Column(object),
        "rating": pa.Column(pd.Int64Dtype(), nullable=True),
        "rating_error": pa.Column(object, nullable=True),
    },
    "log": {
        "workbook": pa.Column(object),
        "date": pa.Column(pd.Timestamp, nullable=True),
        "skill": pa.Column(object),
        "action": pa.Column(object),
    },
}


def _plain(column: pd.Series) -> list[Any]:
    # A column's values as the rules read them: None where missing, timestamps as days.
    # (Value by value in Python: a few pandas calls per column cost more on these frames.)
    values = column.tolist()
    if pd.api.types.is_datetime64_any_dtype(column):
        return [None if v is pd.NaT else v.date() for v in values]
    return [None if _missing(v) else v for v in values]


def _missing(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _rows(frame: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    columns = [_plain(frame[key]) for key in keys]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


_RATING_KEYS = list(RatingRecord.__annotations__)
_LOG_KEYS = ["workbook", "sheet", "date", "date_text", "skill", "action", "known_skill", "cells"]


def rating_records(frame: pd.DataFrame) -> list[RatingRecord]:
    """The rows of a ratings frame as the records the rules check."""
    return cast(list[RatingRecord], _rows(frame, _RATING_KEYS))


def log_records(frame: pd.DataFrame) -> list[LogRecord]:
    """The rows of a log frame as the records the rules check (``today`` from its attrs)."""
    today = pd.Timestamp(frame.attrs.get("today", date.today())).date()
    out: list[LogRecord] = []
    for row in _rows(frame, _LOG_KEYS):
        date_cell, skill_cell, action_cell = row.pop("cells")[:3]
        row.update(date_cell=date_cell, skill_cell=skill_cell, action_cell=action_cell)
        out.append(cast(LogRecord, {**row, "today": today}))
    return out


_RECORDS: dict[Table, Callable[[pd.DataFrame], Sequence[Any]]] = {
    "ratings": rating_records,
    "log": log_records,
}


@dataclass
class _Validating:
    """The frame _run is validating, and its records, made once for all its checks."""

    frame: pd.DataFrame
    table: Table
    rows: Sequence[Any] | None = None

    def records(self) -> Sequence[Any]:
        if self.rows is None:
            self.rows = _RECORDS[self.table](self.frame)
        return self.rows


# A context variable: each thread validates its own frame.
_VALIDATING: ContextVar[_Validating | None] = ContextVar("_VALIDATING", default=None)


def _pandera_check(rule: Rule[Any]) -> pa.Check:
    # The rule's own check over the frame's rows, under the rule's name: a failure case
    # names the rule, whatever pandera's wording. ignore_na=False: the rule decides
    # about missing values, pandera does not pass rows for it.
    records = _RECORDS[rule.table]

    def check(frame: pd.DataFrame) -> pd.Series:
        current = _VALIDATING.get()
        rows = current.records() if current and current.frame is frame else records(frame)
        return pd.Series(rule.check(rows), index=frame.index, dtype=bool)

    return pa.Check(check, name=rule.name, error=rule.name, ignore_na=False)


_NAMES: dict[tuple[Table, tuple[Severity, ...]], str] = {
    ("ratings", ("error",)): "RatingsSchema",
    ("ratings", ("warning",)): "RatingsWarnings",
    ("log", ("error",)): "ImprovementLogSchema",
}


@functools.cache
def schema_for(table: Table, severities: tuple[Severity, ...]) -> pa.DataFrameSchema:
    """The pandera schema of one table's rules of the given severities, built once.

    Args:
        table: ``"ratings"`` or ``"log"``.
        severities: which rules: ``("error",)``, ``("warning",)`` or both.

    Returns:
        A schema with one check per rule (named after it, in the order of ``RULES``),
        and the frame's columns and dtypes when it checks errors.
    """
    rules = [r for r in RULES if r.table == table and r.severity in severities]
    return pa.DataFrameSchema(
        _SHAPES[table] if "error" in severities else {},
        checks=[_pandera_check(rule) for rule in rules],
        name=_NAMES.get((table, severities), f"{table} rules ({', '.join(severities)})"),
        strict=False,
        coerce=False,
    )


RatingsSchema = schema_for("ratings", ("error",))
"""Errors in the ratings table: a workbook with any is not evaluated."""
RatingsWarnings = schema_for("ratings", ("warning",))
"""Warnings on the ratings table: reported, never blocking."""
ImprovementLogSchema = schema_for("log", ("error",))
"""Errors in the improvement log."""


# -- running them ----------------------------------------------------------------------


def validate(read: MatrixRead, today: date | None = None) -> list[Finding]:
    """Every problem in one workbook: what the reader met, then the schemas' findings.

    Args:
        read: a workbook as read by :func:`matrix_xl.read.reader.read_workbook`.
        today: the date log entries may not be after (default: today).

    Returns:
        The findings, errors first, each in sheet order.
    """
    return validate_many([read], today)[read.name]


def validate_many(
    reads: Sequence[MatrixRead], today: date | None = None, *, warnings: bool = True
) -> dict[str, list[Finding]]:
    """Validate many workbooks as one frame per schema; findings keyed by workbook name.

    Args:
        reads: workbooks as read; their names must differ.
        today: the date log entries may not be after (default: today).
        warnings: ``False`` runs the error rules only (a team roll-up needs no more).

    Returns:
        Each workbook's findings, as :func:`validate` gives them.

    Raises:
        InternalError: a frame does not have the shape the schemas expect (a bug).
    """
    found: dict[str, list[Finding]] = {r.name: list(r.findings) for r in reads}
    frames: dict[Table, pd.DataFrame] = {"ratings": ratings_frame(reads), "log": log_frame(reads)}
    frames["log"].attrs["today"] = today or date.today()
    # One pandera run per table, errors and warnings together: pandera's cost is per run.
    severities: tuple[Severity, ...] = ("error", "warning") if warnings else ("error",)
    for table, frame in frames.items():
        for finding in _run(schema_for(table, severities), frame, table):
            found[finding.workbook].append(finding)
    return {name: in_order(items) for name, items in found.items()}


def _run(schema: pa.DataFrameSchema, frame: pd.DataFrame, table: Table) -> list[Finding]:
    if frame.empty:
        return []
    current = _Validating(frame, table)
    token = _VALIDATING.set(current)
    try:
        # inplace: the checks see this very frame (so its records); nothing is coerced.
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    finally:
        _VALIDATING.reset(token)
    rules = [rule_named(check.name) for check in schema.checks]
    names = {rule.name for rule in rules}
    failed: dict[str, set[Any]] = {}
    for case in cases.itertuples(index=False):
        index, check = getattr(case, "index", None), str(case.check)
        if check not in names or index is None or pd.isna(index):
            # A missing column, a wrong dtype or a check that crashed: a bug in matrix-xl.
            raise InternalError(f"{schema.name}: {check}: {case.failure_case}")
        failed.setdefault(check, set()).add(index)
    rows = current.records()
    out: list[Finding] = []
    for rule in rules:
        bad = failed.get(rule.name, set())
        out.extend(failures(rule, rows, [label in bad for label in frame.index]))
    return out
