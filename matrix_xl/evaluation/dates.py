"""The date of a snapshot: which date an evaluation records, and which dates it refuses.

One rule, in one pure function (:func:`snapshot_date`):

- the date is ``--as-of`` when given, else the Matrix's ``Date rated`` when it holds a
  date, else today;
- History is append-only: a date in a week before the latest week on the History sheet is
  refused, and so is a date after today, or before 1900-03-01 (see :data:`FIRST_DATE`);
- a date in the latest recorded week is accepted: that week's snapshot is replaced.

Example:
    >>> from datetime import date
    >>> snapshot_date(None, date(2026, 11, 2), date(2026, 11, 4), ["2026-W44"])
    datetime.date(2026, 11, 2)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from matrix_xl.errors import UsageError
from matrix_xl.findings import Finding
from matrix_xl.read.history import iso_week
from matrix_xl.read.model import MatrixRead
from matrix_xl.xlsx import layout as L

__all__ = [
    "FIRST_DATE",
    "date_for",
    "snapshot_date",
]

# The first day a snapshot may have. Excel's serial numbers count a 29 February 1900 that
# never was, so every date before March 1900 is off by one day between applications, and
# the write-back stores none (matrix_xl.xlsx.splice refuses them too).
FIRST_DATE = date(1900, 3, 1)


def snapshot_date(
    as_of: date | None,
    date_rated: date | None,
    today: date,
    history: Iterable[str],
    *,
    source: str = "",
) -> date:
    """The date an evaluation records its snapshot under.

    Args:
        as_of: ``--as-of`` (wins when given).
        date_rated: the Matrix's ``Date rated`` as read (``None``: blank or not a date).
        today: today's date.
        history: the weeks (``2026-W45``) on the History sheet.
        source: the file, for the message.

    Returns:
        ``as_of``, else ``date_rated``, else ``today``.

    Raises:
        UsageError: the date is before :data:`FIRST_DATE`, after ``today``, or in a week
            before the latest week of ``history`` (exit 2; the message says how to correct
            it).
    """
    chosen = as_of or date_rated or today
    origin = "--as-of" if as_of else (L.DATE_RATED if date_rated else "today")
    why = _refusal(chosen, origin, today, max(history, default=None))
    if why is not None:
        raise UsageError(
            f"the snapshot date {chosen.isoformat()} (from {origin}) {why} Nothing was written.",
            source or None,
        )
    return chosen


def _refusal(chosen: date, origin: str, today: date, latest: str | None) -> str | None:
    """Why ``chosen`` cannot be the snapshot's date, and how to correct it; None if it can."""
    if origin == "--as-of":
        fix = "pass another --as-of, or leave it out to use Date rated or today"
    else:
        fix = f"correct Date rated on the {L.MATRIX} sheet, or clear it to use today"
    if chosen < FIRST_DATE:
        return (
            f"is before {FIRST_DATE.isoformat()}: spreadsheets disagree by a day on every "
            f"earlier date (Excel counts a 29 February 1900 that never was); {fix}."
        )
    if chosen > today:
        return (
            f"is after today ({today.isoformat()}): a snapshot records the ratings as they "
            f"are, so it cannot be dated in the future; {fix}."
        )
    week = iso_week(chosen)
    if latest is None or week >= latest:
        return None
    wrong = "" if origin == "today" else f"If the date is wrong, {fix}. "
    return (
        f"is in {week}, before {latest}, the latest week on the {L.HISTORY} sheet. History "
        "is append-only: a snapshot goes in the latest week (replacing its row) or a later "
        f"one. {wrong}To record these ratings as of {week} instead, unprotect the "
        f"{L.HISTORY} sheet (it has no password), delete its rows after {week} (through "
        f"{latest}) and evaluate again."
    )


def date_for(read: MatrixRead, as_of: date | None, today: date) -> tuple[date, list[Finding]]:
    """The snapshot date of a workbook as read, and a warning when a stale ``Date rated``
    would replace a week already recorded.

    Args:
        read: the workbook as read (its ``Date rated`` and History).
        as_of: ``--as-of``, if given.
        today: today's date.

    Returns:
        The date (see :func:`snapshot_date`) and the warnings to report with it.

    Raises:
        UsageError: the date is refused.
    """
    weeks = [h.week for h in read.history]
    chosen = snapshot_date(as_of, read.date_rated, today, weeks, source=read.name)
    notes = []
    if as_of is None and read.date_rated is not None and iso_week(chosen) < iso_week(today):
        week = iso_week(chosen)
        if week in weeks:
            notes.append(
                Finding(
                    "warning",
                    read.sheet,
                    read.date_rated_cell,
                    "",
                    f"Date rated is {chosen.isoformat()}, in {week}, which the {L.HISTORY} "
                    "sheet already holds: that week's snapshot is replaced with these "
                    "ratings. If they are this week's, set Date rated to today (or clear it).",
                    read.name,
                )
            )
    return chosen, notes
