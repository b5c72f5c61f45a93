"""The rows a workbook is read into: one skill row, one log entry, one weekly snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["HistoryRow", "LogRow", "RatingRow"]


@dataclass(frozen=True)
class RatingRow:
    """One skill row of the Matrix sheet, as read.

    ``rating`` is the whole number read, or ``None``; ``rating_error`` says why a
    non-blank cell could not be read as one (``None`` when it could, or was blank).
    """

    skill_id: str
    skill: str
    mandatory: str
    rating: int | None
    rating_error: str | None
    notes: str
    row: int  # 1-based sheet row
    rating_cell: str
    notes_cell: str
    mandatory_cell: str


@dataclass(frozen=True)
class LogRow:
    """One row of the Improvement Log as read (``date`` is ``None`` if not a date)."""

    date: date | None
    date_text: str
    skill: str
    action: str
    impact: str
    row: int
    cells: tuple[str, str, str, str]  # Date, Skill, Action Taken, Impact


@dataclass(frozen=True)
class HistoryRow:
    """One weekly snapshot of the History sheet."""

    week: str
    date: date | None
    ratings: dict[str, int | None]  # skill id -> rating
