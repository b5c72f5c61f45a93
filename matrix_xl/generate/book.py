"""The personal workbook being written, and what each of its sheets uses: the formats,
checked writes (nothing xlsxwriter refuses is skipped), sheet set-up and protection.

Used by :mod:`matrix_xl.generate.matrix_sheet` and :mod:`matrix_xl.generate.workbook`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from matrix_xl.errors import InternalError, UsageError
from matrix_xl.xlsx import style as S
from matrix_xl.xlsx.cells import MAX_CELL_TEXT, cell_ref

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

__all__ = ["Book", "check", "date_rule"]

# The dates a date cell accepts: wide enough for any real rating or log entry.
FIRST_DATE, LAST_DATE = datetime(2000, 1, 1), datetime(2100, 12, 31)


def check(result: int | None, what: str) -> None:
    """Raise when xlsxwriter refused ``what`` (it returns a negative code and writes nothing).

    Raises:
        InternalError: ``result`` is negative.
    """
    if result is not None and result < 0:
        raise InternalError(f"xlsxwriter refused {what} (code {result})")


def date_rule(title: str, message: str, error: str) -> dict[str, Any]:
    """A data validation accepting a date (see :data:`FIRST_DATE`), with its messages.

    Args:
        title: the input prompt's title.
        message: the input prompt.
        error: what the error box says.

    Returns:
        The options for ``Worksheet.data_validation``.
    """
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": FIRST_DATE,
        "maximum": LAST_DATE,
        "input_title": title,
        "input_message": message,
        "error_title": "Not a date",
        "error_message": error,
    }


class Book:
    """The workbook being written (``wb``) and its formats by name (``f``)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.wb = S.new_workbook(target, in_memory=True)
        self.f = _formats(self)

    def format(self, *parts: Mapping[str, Any], **props: Any) -> Format:
        """A cell format in the house style (see :func:`matrix_xl.xlsx.style.cell_format`)."""
        return S.cell_format(self.wb, *parts, **props)

    def sheet(
        self,
        name: str,
        *,
        landscape: bool = True,
        pages_tall: int = 0,
        repeat: tuple[int, int] | None = None,
    ) -> Worksheet:
        """A new sheet, set up for print (see :func:`matrix_xl.xlsx.style.page_setup`)."""
        ws = self.wb.add_worksheet(name)
        S.page_setup(ws, landscape=landscape, pages_tall=pages_tall, repeat=repeat)
        return ws

    def text(self, ws: Worksheet, row: int, col: int, text: str, fmt: Format | None = None) -> None:
        """Write ``text`` as inert text.

        Raises:
            UsageError: the text is longer than a cell holds.
            InternalError: xlsxwriter refused it.
        """
        if len(text) > MAX_CELL_TEXT:
            raise UsageError(
                f"a text for {ws.get_name()}!{cell_ref(row, col)} is {len(text)} characters; "
                f"a cell holds at most {MAX_CELL_TEXT}"
            )
        check(S.write_text(ws, row, col, text, fmt), f"text at {cell_ref(row, col)}")

    @staticmethod
    def protect(ws: Worksheet, **allow: bool) -> None:
        """Protect ``ws`` without a password; columns and rows may always be resized."""
        ws.protect("", {"format_columns": True, "format_rows": True, **allow})


def _formats(book: Book) -> dict[str, Format]:
    fmt, grid = book.format, {"border": 1, "border_color": S.GRID}
    return {
        "title": fmt(S.TITLE),
        "subtitle": fmt(italic=True, font_color=S.MUTED),
        "label": fmt(bold=True, align="right"),
        "input": fmt(S.INPUT),
        "input_date": fmt(S.INPUT, num_format="yyyy-mm-dd", align="left"),
        "header": fmt(S.HEADER),
        "text": fmt(grid, text_wrap=True),
        "center": fmt(grid, align="center"),
        "rating": fmt(S.INPUT, align="center", bold=True, font_size=12),
        "notes": fmt(S.INPUT, text_wrap=True),
        "status": fmt(grid, align="center"),
        "id": fmt(font_color=S.MUTED, font_size=9),
        "verdict": fmt(S.THIN, bold=True, align="center"),
        "plain": fmt(),
        "muted": fmt(font_color=S.MUTED, text_wrap=True),
        "h2": fmt(S.H2),
        "wrap": fmt(text_wrap=True),
        "number": fmt(align="center"),
        "log_date": fmt(locked=False, num_format="yyyy-mm-dd", align="left"),
        "log_text": fmt(locked=False, text_wrap=True),
        # Conditional formats: colours only, over the cell's own format.
        "good": book.wb.add_format(S.GOOD),
        "warn": book.wb.add_format(S.WARN),
        "bad": book.wb.add_format(S.BAD),
        "grey": book.wb.add_format(S.GREYED),
    }
