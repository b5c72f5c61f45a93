"""What one cell's value means: text, a date, a rating (pure functions, no I/O).

Values are as python-calamine gives them: ``str``, ``int``, ``float``, ``bool``,
``date``/``datetime``, ``time``, ``timedelta``, or ``None`` for an empty cell.

Example:
    >>> parse_rating(" 4 "), parse_rating(3.5), parse_rating("")
    ((4, None), (None, '3.5 is not a whole number'), (None, None))
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

__all__ = ["cell_text", "parse_date", "parse_rating"]

_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")


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
