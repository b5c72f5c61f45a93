"""Weekly history: one snapshot per ISO week, replaced within the week, added across weeks."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.definition import default_definition
from matrix_xl.read.history import (
    history_headers,
    iso_week,
    last_recorded,
    merge_snapshot,
    parse_history,
    previous_week,
)
from matrix_xl.read.rows import HistoryRow

D = default_definition()
IDS = [s.id for s in D.skills]
days = st.dates(date(2024, 1, 1), date(2030, 12, 31))
ratings = st.fixed_dictionaries({sid: st.none() | st.integers(1, 5) for sid in IDS[:4]})


def snap(day: date, values: dict[str, int | None]) -> HistoryRow:
    return HistoryRow(iso_week(day), day, values)


def test_iso_week_spans_the_year_boundary() -> None:
    assert iso_week(date(2026, 11, 26)) == "2026-W48"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert iso_week(date(2024, 12, 30)) == "2025-W01"


@given(st.lists(st.tuples(days, ratings), max_size=12))
def test_one_snapshot_per_week_the_latest_wins_in_week_order(
    runs: list[tuple[date, dict[str, int | None]]],
) -> None:
    history: list[HistoryRow] = []
    for day, values in runs:
        history = merge_snapshot(history, snap(day, values))
    weeks = [h.week for h in history]
    assert weeks == sorted(set(weeks))
    assert set(weeks) == {iso_week(day) for day, _ in runs}
    for h in history:
        latest = [values for day, values in runs if iso_week(day) == h.week][-1]
        assert h.ratings == latest


@given(st.lists(st.tuples(days, ratings), min_size=1, max_size=8), days)
def test_previous_week_is_strictly_earlier_and_last_recorded_includes_this_week(
    runs: list[tuple[date, dict[str, int | None]]], as_of: date
) -> None:
    history: list[HistoryRow] = []
    for day, values in runs:
        history = merge_snapshot(history, snap(day, values))
    before = previous_week(history, as_of)
    upto = last_recorded(history, as_of)
    earlier = [h.week for h in history if h.week < iso_week(as_of)]
    assert (before.week if before else None) == (max(earlier) if earlier else None)
    upto_weeks = [h.week for h in history if h.week <= iso_week(as_of)]
    assert (upto.week if upto else None) == (max(upto_weeks) if upto_weeks else None)


@given(st.lists(st.tuples(days, ratings), max_size=6))
def test_the_sheet_reads_back_what_was_recorded(
    runs: list[tuple[date, dict[str, int | None]]],
) -> None:
    history: list[HistoryRow] = []
    for day, values in runs:
        history = merge_snapshot(history, snap(day, values))
    headers = history_headers(D)
    skills = headers[3 + len(D.thresholds) :]
    rows: list[list[object]] = [["Weekly history"], [], headers]
    for h in history:
        values = [h.ratings.get(s.id) for s in D.skills]
        rows.append([h.week, h.date, "NOT YET", "NOT YET", 0, *values])
    rows.append(["not a week", date(2026, 1, 1)])
    assert skills == [s.name for s in D.skills]
    back = parse_history(rows, D)
    assert [(h.week, h.date) for h in back] == [(h.week, h.date) for h in history]
    for got, want in zip(back, history, strict=True):
        assert {k: v for k, v in got.ratings.items() if v is not None} == {
            k: v for k, v in want.ratings.items() if v is not None
        }


def test_a_week_later_is_a_new_row_the_same_week_is_not() -> None:
    monday = date(2026, 11, 23)
    history = merge_snapshot([], snap(monday, {"cloud": 2}))
    history = merge_snapshot(history, snap(monday + timedelta(days=3), {"cloud": 3}))
    assert [(h.week, h.ratings) for h in history] == [("2026-W48", {"cloud": 3})]
    history = merge_snapshot(history, snap(monday + timedelta(days=7), {"cloud": 4}))
    assert [h.week for h in history] == ["2026-W48", "2026-W49"]
