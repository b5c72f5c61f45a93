"""What one cell's value means: a rating, a date, the text it shows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.read.values import cell_text, parse_date, parse_rating

spaces = st.text(" \t\n\r\x0b\x0c\x1c\x85\u2003", max_size=3)


@given(n=st.integers(-1_000_000, 1_000_000), before=spaces, after=spaces, sign=st.booleans())
def test_a_whole_number_reads_as_itself_as_number_float_or_text(
    n: int, before: str, after: str, sign: bool
) -> None:
    plus = "+" if sign and n >= 0 else ""
    for value in (n, float(n), f"{before}{plus}{n}{after}", f"{n}.0", f"{n}."):
        assert parse_rating(value) == (n, None), value


@given(value=st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: not v.is_integer()))
def test_a_fraction_is_not_a_whole_number(value: float) -> None:
    rating, error = parse_rating(value)
    assert rating is None
    assert error is not None and error.startswith(f"{value:g} is not")


@given(value=st.integers(1_000_001, 10**30) | st.integers(-(10**30), -1_000_001))
def test_a_huge_number_is_not_a_rating(value: int) -> None:
    assert parse_rating(value) == (None, f"{value:g} is not a rating")
    assert parse_rating(float(value)) == (None, f"{float(value):g} is not a rating")


@given(text=st.text(max_size=60))
def test_any_text_is_a_rating_a_blank_or_an_error_that_quotes_it(text: str) -> None:
    rating, error = parse_rating(text)
    if not text.strip():
        assert (rating, error) == (None, None)
    elif rating is not None:
        assert error is None and float(text) == rating
    else:
        assert error is not None and error.endswith(" is not a number")
        quoted = text.strip() if len(text.strip()) <= 40 else text.strip()[:37] + "..."
        assert error == f"{quoted!r} is not a number"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (True, "TRUE is not a rating"),
        (False, "FALSE is not a rating"),
        (date(2026, 1, 2), "the date 2026-01-02 is not a rating"),
        (datetime(2026, 1, 2, 10, 30), "the date 2026-01-02 is not a rating"),
        (time(10, 30), "datetime.time(10, 30) is not a rating"),
        (timedelta(days=1), "datetime.timedelta(days=1) is not a rating"),
        ("1e0", "'1e0' is not a number"),
        ("1234567890123", "'1234567890123' is not a number"),  # over 12 characters
    ],
)
def test_what_is_not_a_rating_says_what_it_is(value: Any, error: str) -> None:
    assert parse_rating(value) == (None, error)


def test_blank_cells_are_unrated() -> None:
    assert parse_rating(None) == parse_rating("") == parse_rating(" \t") == (None, None)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  as is ", "  as is "),
        (4.0, "4"),
        (-0.0, "0"),
        (3.5, "3.5"),
        (4, "4"),
        (True, "True"),
        (date(2026, 1, 2), "2026-01-02"),
        (datetime(2026, 1, 2, 10, 30), "2026-01-02T10:30:00"),
        (time(10, 30), "10:30:00"),
    ],
)
def test_cell_text_is_what_the_cell_shows(value: Any, text: str) -> None:
    assert cell_text(value) == text


@given(day=st.dates(), tail=st.sampled_from(["", "T10:30:00", " 10:30", "Z"]))
def test_a_date_reads_from_a_date_a_datetime_or_iso_text(day: date, tail: str) -> None:
    assert parse_date(day) == day
    assert parse_date(datetime.combine(day, time(10, 30))) == day
    assert parse_date(f" {day.isoformat()}{tail}") == day


@pytest.mark.parametrize("value", [None, "", "yesterday", "2026-13-01", "26-01-02", 46023, 1.5])
def test_what_is_not_a_date_reads_as_none(value: Any) -> None:
    assert parse_date(value) is None
