"""Weekly history: one snapshot of all ratings per ISO week (pure functions, no I/O).

The History sheet holds one row per week: ``Week``, ``Date``, one column per threshold
(``YES``/``NOT YET``), ``Rated``, then one column per skill, headed by the skill's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from matrix_xl.definition import Definition
from matrix_xl.read.rows import HistoryRow
from matrix_xl.read.values import parse_date
from matrix_xl.xlsx import layout as L

__all__ = [
    "history_headers",
    "iso_week",
    "last_recorded",
    "merge_snapshot",
    "parse_history",
    "previous_week",
]


def iso_week(day: date) -> str:
    """``2026-W48`` for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def history_headers(definition: Definition) -> list[str]:
    """The History sheet's header row: week, date, one column per threshold, then skills."""
    return [
        "Week",
        "Date",
        *(t.name for t in definition.thresholds),
        "Rated",
        *(s.name for s in definition.skills),
    ]


def parse_history(rows: Sequence[Sequence[Any]], definition: Definition) -> list[HistoryRow]:
    """Read the History sheet's cells (as python-calamine gives them) into snapshots.

    Skill columns are matched by name, so a reordered or widened sheet still reads;
    rows without a ``YYYY-Www`` week are ignored.
    """
    names = {L.normalise_header(s.name): s.id for s in definition.skills}
    h = L.find_header_row(rows, ("week", "date"), scan=30)
    if h is None:
        return []
    heads = [L.normalise_header(v) if isinstance(v, str) else "" for v in rows[h]]
    week_col, date_col = heads.index("week"), heads.index("date")
    skill_cols = {c: names[n] for c, n in enumerate(heads) if n in names}
    out = []
    for row in rows[h + 1 :]:
        week = row[week_col] if week_col < len(row) else None
        if not isinstance(week, str) or not _is_week(week.strip()):
            continue
        when = row[date_col] if date_col < len(row) else None
        ratings = {
            sid: _recorded(row[c] if c < len(row) else None) for c, sid in skill_cols.items()
        }
        out.append(HistoryRow(week.strip(), parse_date(when), ratings))
    return out


def _recorded(value: Any) -> int | None:
    # A rating as matrix-xl wrote it: a whole number; anything else was not a rating.
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    return None


def _is_week(text: str) -> bool:
    return len(text) == 8 and text[4:6] == "-W" and text[:4].isdigit() and text[6:].isdigit()


def merge_snapshot(history: Sequence[HistoryRow], snapshot: HistoryRow) -> list[HistoryRow]:
    """The history with ``snapshot`` in place of its week's snapshot, or added, week order."""
    kept = [h for h in history if h.week != snapshot.week]
    return sorted([*kept, snapshot], key=lambda h: h.week)


def previous_week(history: Sequence[HistoryRow], as_of: date) -> HistoryRow | None:
    """The latest snapshot of a week before ``as_of``'s week: what "since last time" means."""
    week = iso_week(as_of)
    earlier = [h for h in history if h.week < week]
    return max(earlier, key=lambda h: h.week) if earlier else None


def last_recorded(history: Sequence[HistoryRow], as_of: date) -> HistoryRow | None:
    """The latest snapshot up to and including ``as_of``'s week.

    Log entries are made for changes since this one, so evaluating twice adds nothing twice.
    """
    week = iso_week(as_of)
    upto = [h for h in history if h.week <= week]
    return max(upto, key=lambda h: h.week) if upto else None
