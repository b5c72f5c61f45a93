"""The rows of one or more workbooks as pandas frames: one row per skill, per log entry.

Frames may hold many workbooks at once (a team): every row carries its ``workbook``, so a
team is validated as one frame rather than file by file. pandas is imported inside the
two builders: reading a workbook (and ``matrix-xl --help``) never needs it, and it costs
about 0.3 s to import.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> from matrix_xl.read.reader import read_workbook
    >>> frame = ratings_frame([read_workbook(build_workbook(ratings={"cloud": 4}))])
    >>> str(frame["rating"].dtype), int(frame["rating"].sum())
    ('Int64', 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from matrix_xl.definition import Definition
from matrix_xl.read.rows import LogRow, RatingRow
from matrix_xl.xlsx import layout as L

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FrameSource", "log_frame", "ratings_frame"]


class FrameSource(Protocol):
    """What the frames need of a workbook as read (a ``MatrixRead`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def sheet(self) -> str: ...
    @property
    def definition(self) -> Definition: ...
    @property
    def rows(self) -> Sequence[RatingRow]: ...
    @property
    def log_rows(self) -> Sequence[LogRow]: ...
    @property
    def log_sheet(self) -> str | None: ...


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
_RATING_TEXT = (
    "workbook",
    "sheet",
    "skill_id",
    "skill",
    "mandatory",
    "notes",
    "rating_cell",
    "notes_cell",
    "mandatory_cell",
)
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


def ratings_frame(reads: Sequence[FrameSource]) -> pd.DataFrame:
    """The rating rows of one or more workbooks as one frame, one row per skill.

    Args:
        reads: workbooks as read (:class:`~matrix_xl.read.model.MatrixRead`).

    Returns:
        One row per skill row, with the workbook's name and sheet, the cells, and the
        rubric's range (``rating`` is a nullable ``Int64``; text columns are ``object``).
    """
    import pandas as pd  # heavy (about 0.3 s): only validation needs frames

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
    for col in _RATING_TEXT:
        frame[col] = frame[col].astype(object)
    frame["rating_error"] = frame["rating_error"].astype(object)
    return frame


def log_frame(reads: Sequence[FrameSource]) -> pd.DataFrame:
    """The improvement log rows of one or more workbooks as one frame.

    Args:
        reads: workbooks as read (:class:`~matrix_xl.read.model.MatrixRead`).

    Returns:
        One row per log entry; ``date`` is a timestamp (``NaT`` when the cell held no
        date) and ``known_skill`` says whether the entry names a skill of its matrix.
    """
    import pandas as pd  # heavy (about 0.3 s): only validation needs frames

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


def _skill_key(text: str) -> str:
    # How a log entry's skill is compared with the matrix's (the team screen does the same).
    return L.normalise_header(text)
