"""pandera schemas for the ratings table and the improvement log, and the findings they give.

The schemas declare the rules; :func:`validate` runs them lazily (every problem at once)
and turns pandera's failure cases into :class:`Finding` objects a person can read, such as
``Matrix!E9 (Cloud (AWS/Azure/GCP basics)): rating 7 is not one of 1-5``.

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

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from matrix_xl.errors import InternalError
from matrix_xl.findings import Finding
from matrix_xl.xlsx import layout as L

if TYPE_CHECKING:
    from matrix_xl.read.reader import MatrixRead

__all__ = [
    "Finding",
    "ImprovementLogSchema",
    "RatingsSchema",
    "RatingsWarnings",
    "log_frame",
    "ratings_frame",
    "validate",
    "validate_many",
]


# -- frames ----------------------------------------------------------------------------


def ratings_frame(reads: Sequence[MatrixRead]) -> pd.DataFrame:
    """The rating rows of one or more workbooks as one frame, one row per skill."""
    records: list[dict[str, Any]] = []
    for read in reads:
        d = read.definition
        for r in read.rows:
            records.append(
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
                    "rating_min": d.min_rating,
                    "rating_max": d.max_rating,
                    "priority_max": d.priority_at_or_below,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=_RATING_COLUMNS)
    frame["rating"] = frame["rating"].astype("Int64")
    for col in ("rating_min", "rating_max", "priority_max"):
        frame[col] = frame[col].astype("int64")
    for col in (
        "workbook",
        "sheet",
        "skill_id",
        "skill",
        "mandatory",
        "notes",
        "rating_cell",
        "notes_cell",
        "mandatory_cell",
    ):
        frame[col] = frame[col].astype(object)
    frame["rating_error"] = frame["rating_error"].astype(object)
    return frame


_RATING_COLUMNS = [
    "workbook",
    "sheet",
    "skill_id",
    "skill",
    "mandatory",
    "rating",
    "rating_error",
    "notes",
    "rating_cell",
    "notes_cell",
    "mandatory_cell",
    "rating_min",
    "rating_max",
    "priority_max",
]


def log_frame(reads: Sequence[MatrixRead]) -> pd.DataFrame:
    """The improvement log rows of one or more workbooks as one frame."""
    records = []
    for read in reads:
        if not read.log_rows:
            continue
        skills = {_skill_key(s.name) for s in read.definition.skills}
        for r in read.log_rows:
            records.append(
                {
                    "workbook": read.name,
                    "sheet": read.log_sheet or L.LOG,
                    "date": pd.Timestamp(r.date) if r.date else pd.NaT,
                    "date_text": r.date_text,
                    "skill": r.skill,
                    "action": r.action,
                    "impact": r.impact,
                    "row": r.row,
                    "cells": r.cells,
                    "known_skill": _skill_key(r.skill) in skills,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=_LOG_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["row"] = frame["row"].astype("int64")
    frame["known_skill"] = frame["known_skill"].astype(bool)
    for col in ("workbook", "sheet", "date_text", "skill", "action", "impact"):
        frame[col] = frame[col].astype(object)
    return frame


_LOG_COLUMNS = [
    "workbook",
    "sheet",
    "date",
    "date_text",
    "skill",
    "action",
    "impact",
    "row",
    "cells",
    "known_skill",
]


def _skill_key(text: str) -> str:
    return L.normalise_header(text)


# -- schemas ---------------------------------------------------------------------------


def _blank(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.strip() == ""


class RatingsSchema(pa.DataFrameModel):
    """Errors in the ratings table: a workbook with any is not evaluated."""

    # Text columns are declared as object: a str dtype check visits every value, and the
    # reader only ever puts text there.
    workbook: Series[object]
    skill_id: Series[object]
    mandatory: Series[object] = pa.Field(isin=["Yes", "No"])
    rating: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    rating_error: Series[object] = pa.Field(nullable=True)

    @pa.dataframe_check(error="rating is not a whole number")
    @classmethod
    def readable_rating(cls, df: pd.DataFrame) -> pd.Series:
        return df["rating_error"].isna()

    @pa.dataframe_check(error="rating out of range")
    @classmethod
    def rating_in_range(cls, df: pd.DataFrame) -> pd.Series:
        r = df["rating"]
        inside = (r >= df["rating_min"]) & (r <= df["rating_max"])
        return r.isna() | inside.fillna(False).astype(bool)

    class Config:
        unique = ["workbook", "skill_id"]  # noqa: RUF012 - pandera reads it as a class attribute
        strict = False
        coerce = False


class RatingsWarnings(pa.DataFrameModel):
    """Warnings on the ratings table: reported, never blocking."""

    @pa.dataframe_check(error="unrated")
    @classmethod
    def rated(cls, df: pd.DataFrame) -> pd.Series:
        return df["rating"].notna() | df["rating_error"].notna()

    @pa.dataframe_check(error="priority gap without a gap note")
    @classmethod
    def gap_noted(cls, df: pd.DataFrame) -> pd.Series:
        gap = (df["mandatory"] == "Yes") & (df["rating"] <= df["priority_max"]).fillna(False)
        return ~(gap.astype(bool) & _blank(df["notes"]))

    @pa.dataframe_check(error="gap note not actionable")
    @classmethod
    def actionable_note(cls, df: pd.DataFrame) -> pd.Series:
        notes = df["notes"].fillna("").astype(str).str.strip()
        return (notes == "") | notes.map(_actionable).astype(bool)

    class Config:
        strict = False


_VAGUE = {"tbd", "todo", "tba", "n/a", "na", "none", "nothing", "-", "?", "...", "x", "idk"}


def _actionable(note: str) -> bool:
    """A modest heuristic: some words, not a placeholder such as "?" or "TBD"."""
    words = re.findall(r"[^\W\d_]{2,}", note)
    return bool(words) and note.strip().casefold().rstrip(".!") not in _VAGUE


class ImprovementLogSchema(pa.DataFrameModel):
    """Errors in the improvement log."""

    workbook: Series[object]
    date: Series[pd.Timestamp] = pa.Field(nullable=True)
    skill: Series[object]
    action: Series[object]

    @pa.dataframe_check(error="date is not a date")
    @classmethod
    def real_date(cls, df: pd.DataFrame) -> pd.Series:
        return df["date"].notna()

    @pa.dataframe_check(error="date in the future")
    @classmethod
    def not_future(cls, df: pd.DataFrame) -> pd.Series:
        today = pd.Timestamp(df.attrs.get("today", date.today()))
        return (df["date"] <= today).fillna(True).astype(bool)

    @pa.dataframe_check(error="unknown skill")
    @classmethod
    def known_skill(cls, df: pd.DataFrame) -> pd.Series:
        return df["known_skill"].astype(bool)

    @pa.dataframe_check(error="no action")
    @classmethod
    def action_taken(cls, df: pd.DataFrame) -> pd.Series:
        return ~_blank(df["action"])

    class Config:
        strict = False
        coerce = False


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

    ``warnings=False`` runs the error checks only (a team roll-up needs no more).
    """
    found: dict[str, list[Finding]] = {r.name: list(r.findings) for r in reads}
    ratings = ratings_frame(reads)
    log = log_frame(reads)
    log.attrs["today"] = today or date.today()
    for finding in _run(RatingsSchema, ratings, "error", _rating_message):
        found[finding.workbook].append(finding)
    if warnings:
        for finding in _run(RatingsWarnings, ratings, "warning", _rating_message):
            found[finding.workbook].append(finding)
    if len(log):
        for finding in _run(ImprovementLogSchema, log, "error", _log_message):
            found[finding.workbook].append(finding)
    order = {"error": 0, "warning": 1}
    for name, items in found.items():
        found[name] = sorted(items, key=lambda f: (order.get(f.severity, 2), _sheet_key(f)))
    return found


def _sheet_key(f: Finding) -> tuple[str, int, str]:
    m = re.match(r"([A-Z]+)(\d+)$", f.cell)
    return (f.sheet, int(m.group(2)) if m else 0, m.group(1) if m else "")


def _run(
    model: type[pa.DataFrameModel], frame: pd.DataFrame, severity: str, message: Any
) -> Iterable[Finding]:
    if frame.empty:
        return []
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    out: list[Finding] = []
    seen: set[tuple[str, object]] = set()
    for case in cases.itertuples(index=False):
        index = getattr(case, "index", None)
        check = str(case.check)
        if index is None or pd.isna(index):
            # A schema-wide failure (a missing column): a bug in matrix-xl, not in the file.
            raise InternalError(f"{model.__name__}: {check}: {case.failure_case}")
        if (check, index) in seen:
            continue
        seen.add((check, index))
        out.append(message(frame.loc[index], check, severity))
    return out


def _rating_message(row: pd.Series, check: str, severity: str) -> Finding:
    cell, text = row["rating_cell"], ""
    low, high = int(row["rating_min"]), int(row["rating_max"])
    if check == "rating is not a whole number":
        text = f"{row['rating_error']}; a rating is a whole number {low}-{high}"
    elif check == "rating out of range":
        text = f"rating {row['rating']} is not one of {low}-{high}"
    elif check.startswith("isin"):
        cell = row["mandatory_cell"]
        text = f"Mandatory? is {row['mandatory']!r}; it must be Yes or No"
    elif "unique" in check or "duplicate" in check:
        text = "skill listed twice"
    elif check == "unrated":
        text = "unrated: it counts as not meeting any threshold"
    elif check == "priority gap without a gap note":
        cell = row["notes_cell"]
        text = (
            f"mandatory skill rated {row['rating']} with no gap note: write one concrete "
            'action ("implement X", "read Y")'
        )
    elif check == "gap note not actionable":
        cell = row["notes_cell"]
        text = f"gap note {row['notes']!r} is not an action: say what you will do"
    else:
        text = f"failed {check}"
    return Finding(
        severity, str(row["sheet"]), str(cell), str(row["skill"]), text, str(row["workbook"])
    )


def _log_message(row: pd.Series, check: str, severity: str) -> Finding:
    cells = dict(zip(("date", "skill", "action"), row["cells"], strict=False))
    key, text = "date", f"failed {check}"
    if check == "date is not a date":
        shown = row["date_text"] or "empty"
        text = (
            f"date {shown!r} is not a date (use YYYY-MM-DD)"
            if row["date_text"]
            else ("the entry has no date")
        )
    elif check == "date in the future":
        text = f"date {row['date'].date().isoformat()} is in the future"
    elif check == "unknown skill":
        key = "skill"
        text = (
            f"{row['skill']!r} is not a skill of the matrix"
            if row["skill"]
            else "the entry names no skill"
        )
    elif check == "no action":
        key, text = "action", "Action Taken is empty"
    return Finding(
        severity, str(row["sheet"]), cells[key], str(row["skill"]), text, str(row["workbook"])
    )
