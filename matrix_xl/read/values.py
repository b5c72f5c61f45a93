"""What one cell's value means: text, a date, a rating (pure functions, no I/O).

Values are as python-calamine gives them: ``str``, ``int``, ``float``, ``bool``,
``date``/``datetime``, ``time``, ``timedelta``, or ``None`` for an empty cell.

Example:
    >>> parse_rating(" 4 "), parse_rating(3.5), parse_rating("")
    ((4, None), (None, '3.5 is not a whole number'), (None, None))
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any

__all__ = ["cell_text", "date_from_serial", "parse_date", "parse_day", "parse_rating"]

_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")
# A date typed as text: year first (ISO 8601, or with / or . as separators), optionally
# followed by a time of day. Day-first and month-first forms (02/11/2026) are ambiguous
# and read as no date.
_DAY_TEXT = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$"
)
_EPOCH_1900 = date(1899, 12, 30)  # from serial 61 (1900-03-01) on, after Lotus's leap-year bug
_EPOCH_1904 = date(1904, 1, 1)
_LAST_SERIAL = {False: 2_958_465, True: 2_957_003}  # 9999-12-31 in each date system


def cell_text(value: Any) -> str:
    """A cell's value as the text a person sees: ``4.0`` -> ``"4"``, a date in ISO form.

    ``None`` (an empty cell) is ``""``; text is returned as it is.
    """
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse_date(value: Any) -> date | None:
    """A date from a cell: a date, a datetime, or ISO text (``None`` otherwise)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def parse_day(value: Any, *, date1904: bool = False) -> tuple[date | None, str | None]:
    """A date typed in a cell, however the app stored it: ``(date, None)``, ``(None, None)``
    if blank, else ``(None, why it is not a date)``.

    A date-formatted number arrives from python-calamine as a date; a plain number is a
    serial day number (a date whose format was cleared), counted in the workbook's date
    system; text is read when it is year first (``2026-11-02``, ``2026/11/02``, with or
    without a time). A time of day is dropped.

    Example:
        >>> parse_day(46328.0), parse_day("2026-11-02 09:30")
        ((datetime.date(2026, 11, 2), None), (datetime.date(2026, 11, 2), None))
        >>> parse_day("02/11/2026")
        (None, "'02/11/2026' is not a date")
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = date_from_serial(value, date1904=date1904)
        return (day, None) if day else (None, f"{value:g} is not a date")
    if isinstance(value, str):
        match = _DAY_TEXT.match(value.strip())
        if match:
            try:
                return date(*(int(g) for g in match.groups())), None
            except ValueError:
                pass
        shown = value.strip() if len(value.strip()) <= 40 else value.strip()[:37] + "..."
        return None, f"{shown!r} is not a date"
    if isinstance(value, time | timedelta):
        return None, f"{cell_text(value)} is a time, not a date"
    return None, f"{cell_text(value)!r} is not a date"


def date_from_serial(serial: float, *, date1904: bool = False) -> date | None:
    """The day of a spreadsheet serial number (its fraction is the time of day), or
    ``None`` when no day has that number.

    In the 1900 system serial 1 is 1900-01-01 and serial 60 is 1900-02-29, a day that does
    not exist (Lotus's bug, kept by Excel); in the 1904 system serial 0 is 1904-01-01.

    Example:
        >>> date_from_serial(1), date_from_serial(61), date_from_serial(60)
        (datetime.date(1900, 1, 1), datetime.date(1900, 3, 1), None)
    """
    if not math.isfinite(serial):
        return None
    day = math.floor(serial)
    if date1904:
        return _EPOCH_1904 + timedelta(days=day) if 0 <= day <= _LAST_SERIAL[True] else None
    if day < 1 or day == 60 or day > _LAST_SERIAL[False]:
        return None
    return _EPOCH_1900 + timedelta(days=day + (1 if day < 60 else 0))


def parse_rating(value: Any) -> tuple[int | None, str | None]:
    """A rating cell's value: ``(whole number, None)``, ``(None, None)`` if blank, else
    ``(None, why it is not a rating)``.

    Whether the number is in the rubric's range is the schemas' concern, not this one's.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, f"{'TRUE' if value else 'FALSE'} is not a rating"
    if isinstance(value, int | float):
        return _number_rating(value)
    if isinstance(value, datetime | date):
        return None, f"the date {value.isoformat()[:10]} is not a rating"
    if isinstance(value, str):
        return _text_rating(value)
    return None, f"{value!r} is not a rating"


def _number_rating(value: int | float) -> tuple[int | None, str | None]:
    if abs(value) > 1_000_000:
        return None, f"{value:g} is not a rating"
    if isinstance(value, int):
        return value, None
    if value.is_integer():
        return int(value), None
    return None, f"{value:g} is not a whole number"


def _text_rating(value: str) -> tuple[int | None, str | None]:
    text = value.strip()
    if not text:
        return None, None
    if _NUMBER.match(text) and len(text) <= 12:
        return int(float(text)), None
    shown = text if len(text) <= 40 else text[:37] + "..."
    return None, f"{shown!r} is not a number"
