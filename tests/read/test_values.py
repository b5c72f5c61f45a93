"""What one cell's value means: a rating, a date, the text it shows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.read.values import cell_text, date_from_serial, parse_date, parse_day, parse_rating

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


# -- Date rated: a date however the app stored it (parse_day) ---------------------------------

EXCEL_EPOCH = date(1899, 12, 30)


def excel_serial(day: date) -> int:
    """The serial number Excel (1900 system) stores for ``day``: serial 1 is 1900-01-01,
    and serial 60 the 1900-02-29 that never was, so days before March 1900 are one less."""
    serial = (day - EXCEL_EPOCH).days
    return serial - 1 if day < date(1900, 3, 1) else serial


@given(day=st.dates(min_value=date(1900, 1, 1)), time_of_day=st.floats(0, 0.999))
def test_a_serial_number_is_the_day_excel_shows_for_it(day: date, time_of_day: float) -> None:
    serial = excel_serial(day)
    assert date_from_serial(serial) == day
    assert parse_day(serial) == parse_day(float(serial) + time_of_day) == (day, None)


@given(day=st.dates(min_value=date(1904, 1, 1)))
def test_a_serial_number_of_a_1904_workbook_counts_from_1904(day: date) -> None:
    serial = (day - date(1904, 1, 1)).days
    assert parse_day(serial, date1904=True) == (day, None)


@pytest.mark.parametrize("serial", [0, -1, 60, 2_958_466, float("nan"), float("inf"), 1e300])
def test_a_serial_number_of_no_day_is_not_a_date(serial: float) -> None:
    day, why = parse_day(serial)
    assert day is None and why == f"{serial:g} is not a date"


@given(
    day=st.dates(min_value=date(1000, 1, 1)),  # four-digit years
    sep=st.sampled_from("-/."),
    pad=st.booleans(),
    tail=st.sampled_from(["", "T10:30", "T10:30:00", " 10:30:00.5", "T00:00:00Z"]),
    space=st.sampled_from(["", " ", "\t"]),
)
def test_year_first_text_reads_as_its_date(
    day: date, sep: str, pad: bool, tail: str, space: str
) -> None:
    m, d = (f"{day.month:02d}", f"{day.day:02d}") if pad else (str(day.month), str(day.day))
    assert parse_day(f"{space}{day.year}{sep}{m}{sep}{d}{tail}{space}") == (day, None)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("02/11/2026", "'02/11/2026' is not a date"),  # day or month first: ambiguous
        ("2026-13-01", "'2026-13-01' is not a date"),
        ("2026-02-30", "'2026-02-30' is not a date"),
        ("2026-11-02 and more", "'2026-11-02 and more' is not a date"),
        ("46328", "'46328' is not a date"),  # a serial as text: not what was typed
        ("next monday", "'next monday' is not a date"),
        ("x" * 50, f"'{'x' * 37}...' is not a date"),
        (True, "'True' is not a date"),
        (time(0, 0), "00:00:00 is a time, not a date"),
        (timedelta(hours=3), "3:00:00 is a time, not a date"),
    ],
)
def test_what_is_not_a_date_says_what_it_is(value: Any, why: str) -> None:
    assert parse_day(value) == (None, why)


@pytest.mark.parametrize("value", [None, "", "  ", "\t\n"])
def test_a_blank_date_is_no_date_and_no_problem(value: Any) -> None:
    assert parse_day(value) == (None, None)


@given(day=st.dates())
def test_a_date_or_datetime_reads_as_its_day(day: date) -> None:
    assert parse_day(day) == parse_day(datetime.combine(day, time(23, 59))) == (day, None)
