"""The History sheet of an evaluated workbook: one row per ISO week, that week's verdicts
and every rating, and the small kit the Summary sheet shares with it (formats, checked
text writes, the print-width arithmetic).

The header row is :func:`matrix_xl.read.history.history_headers`, since the reader finds
History's columns by those texts: whatever is written here reads back, with
:func:`matrix_xl.read.history.parse_history`, as exactly the rows it was given.

The rating columns are narrow (a rating is one digit) and their headers, the skill names,
are rotated to read upwards, in a header row tall enough for the longest word: a name is
wrapped between words, never inside one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from matrix_xl.definition import Definition
from matrix_xl.errors import InternalError
from matrix_xl.read.history import history_headers
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import evaluate_rules
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx import style as S
from matrix_xl.xlsx.cells import cell_ref, clip

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "A4_INCHES",
    "FIRST_WEEK_ROW",
    "HEADER_LINES",
    "MIN_PRINT_SCALE",
    "HistoryLayout",
    "column_pixels",
    "history_layout",
    "print_scale",
    "protect",
    "put_text",
    "report_formats",
    "wrapped_words",
    "write_history_sheet",
]

HEADER_ROW = 2  # 0-based: title, subtitle, then the header
FIRST_WEEK_ROW = HEADER_ROW + 1
WEEK_WIDTH, DATE_WIDTH, VERDICT_WIDTH = 10, 11, 9  # "2026-W45", "2026-11-02", "NOT YET"
RATING_WIDTH = 4.5  # one digit, and one line of a rotated header
MIN_HEADER_CHARS = 14  # rotated headers: the shortest line they wrap at
HEADER_LINES = 2  # ... and how many lines they may take, where no word is longer
POINTS_PER_CHAR = 5.3  # bold 11 pt Calibri, with room to spare (about 6.5 px a character)
LINE_PIXELS = 20  # a line of 11 pt text, rotated: that much column width per line
# Excel's dates start in 1900 (and 1900-02-29, which never was, sits in its calendar):
# a date outside this range is written as ISO text, which the reader reads as a date too.
FIRST_EXCEL_DATE, LAST_EXCEL_DATE = date(1900, 3, 1), date(9999, 12, 31)

# -- the kit the Summary shares --------------------------------------------------------------

PIXELS_PER_INCH = 96
A4_INCHES = (8.27, 11.69)  # width, height (portrait)
MIN_PRINT_SCALE = 0.75  # 11 pt text printed at 75% is 8.25 pt: the smallest we print


def column_pixels(width: float) -> int:
    """A column ``width`` (in characters) in pixels, as Excel and xlsxwriter size it."""
    if width < 1:
        return int(width * 12 + 0.5)
    return int(width * 7 + 0.5) + 5


def print_scale(widths: Sequence[float], *, landscape: bool = True) -> float:
    """The scale "fit to one page wide" prints columns of ``widths`` at (at most 1.0).

    Args:
        widths: the column widths, in characters.
        landscape: the page's orientation (A4, the house margins).

    Returns:
        The printable width over the columns' width, at most 1.
    """
    page = A4_INCHES[1] if landscape else A4_INCHES[0]
    printable = (page - S.MARGINS.left - S.MARGINS.right) * PIXELS_PER_INCH
    return min(1.0, printable / sum(column_pixels(w) for w in widths))


def report_formats(wb: Workbook) -> dict[str, Format]:
    """The cell formats of the Summary and History sheets, by name (all house style)."""
    fmt = functools.partial(S.cell_format, wb)
    rule = {"bottom": 1, "bottom_color": S.GRID, "valign": "top", "text_wrap": True}
    return {
        "title": fmt(S.TITLE),
        "subtitle": fmt(italic=True, font_color=S.MUTED),
        "h2": fmt(S.H2, font_color=S.HEADER_FILL),
        "verdict": fmt(S.H2, font_color=S.HEADER_FILL, text_wrap=True),
        "header": fmt(S.HEADER),
        "header_up": fmt(S.HEADER, rotation=90, align="center", valign="bottom"),
        "header_low": fmt(S.HEADER, valign="bottom"),
        "text": fmt(rule),
        "rule": fmt(rule, indent=1),
        "step": fmt(rule, indent=2),
        "mandatory": fmt(rule, bold=True, font_color=S.RED_INK),
        "center": fmt(valign="top", align="center"),
        "yes": fmt(S.GOOD, align="center", valign="top"),
        "no": fmt(S.WARN, bold=True, align="center", valign="top"),
        "bad": fmt(S.BAD, text_wrap=True, valign="top"),
        "muted": fmt(italic=True, font_color=S.MUTED, valign="top"),
        "muted_indent": fmt(italic=True, font_color=S.MUTED, valign="top", indent=1),
        "link": fmt(font_color=S.HEADER_FILL, underline=1, text_wrap=True, valign="top"),
        "date": fmt(num_format="yyyy-mm-dd", align="left"),
    }


def put_text(ws: Worksheet, row: int, col: int, text: str, fmt: Format | None = None) -> None:
    """Write ``text`` as inert text (see :func:`matrix_xl.xlsx.style.write_text`), cut with
    an ellipsis to what one cell holds.

    Raises:
        InternalError: xlsxwriter refused it (it returns a code and writes nothing).
    """
    code = S.write_text(ws, row, col, clip(text), fmt)
    if code < 0:
        raise InternalError(
            f"xlsxwriter refused the text for {ws.get_name()}!{cell_ref(row, col)} (code {code})"
        )


def protect(ws: Worksheet) -> None:
    """Protect a sheet matrix-xl rebuilds on every run; columns and rows may be resized."""
    ws.protect("", {"format_columns": True, "format_rows": True})


# -- the History sheet -----------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLayout:
    """The History sheet's column widths (characters) and header height (points).

    Attributes:
        widths: Week, Date, one per threshold, Rated, one per skill.
        header_height: the header row's height, room for the longest word rotated.
        header_chars: characters a rotated header line holds.
    """

    widths: tuple[float, ...]
    header_height: int
    header_chars: int

    @property
    def scale(self) -> float:
        """The print scale on one landscape page wide (see :func:`print_scale`)."""
        return print_scale(self.widths)

    @property
    def fits_one_page_wide(self) -> bool:
        """Whether one page wide prints at :data:`MIN_PRINT_SCALE` or more."""
        return self.scale >= MIN_PRINT_SCALE


def wrapped_words(text: str, chars: int) -> int:
    """Lines ``text`` takes wrapped between words, ``chars`` characters a line (a word
    longer than a line takes a line of its own)."""
    lines, used = 1, 0
    for word in text.split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if need <= chars or used == 0:
            used = need
        else:
            lines, used = lines + 1, len(word)
    return lines


def history_layout(definition: Definition) -> HistoryLayout:
    """Widths and header height for ``definition``'s History sheet.

    A rotated header line holds at least the longest word (so no word breaks) and is
    lengthened until every header takes at most :data:`HEADER_LINES` lines; the rating
    columns are as wide as that many rotated lines.

    Args:
        definition: the matrix.

    Returns:
        The layout.
    """
    rotated = history_headers(definition)[2:]
    longest_word = max((len(w) for h in rotated for w in h.split()), default=1)
    longest = max((len(h) for h in rotated), default=1)
    start = max(longest_word, MIN_HEADER_CHARS)
    chars = next(
        (
            n
            for n in range(start, longest + 1)
            if all(wrapped_words(h, n) <= HEADER_LINES for h in rotated)
        ),
        max(start, longest),
    )
    lines = max((wrapped_words(h, chars) for h in rotated), default=1)
    rating = max(RATING_WIDTH, (lines * LINE_PIXELS + 6 - 5) / 7)
    widths = (
        WEEK_WIDTH,
        DATE_WIDTH,
        *(VERDICT_WIDTH for _ in definition.thresholds),
        rating,
        *(rating for _ in definition.skills),
    )
    return HistoryLayout(widths, math.ceil(chars * POINTS_PER_CHAR + 12), chars)


def write_history_sheet(
    wb: Workbook,
    name: str,
    definition: Definition,
    history: Sequence[HistoryRow],
    formats: dict[str, Format],
) -> Worksheet:
    """Add the History sheet: a row per snapshot, in the order given.

    Args:
        wb: the workbook (see :func:`matrix_xl.xlsx.style.new_workbook`).
        name: the sheet's name.
        definition: the matrix the ratings belong to.
        history: the weekly snapshots, this week's included.
        formats: :func:`report_formats` of ``wb``.

    Returns:
        The sheet.

    Raises:
        InternalError: xlsxwriter refused a text.
    """
    ws = wb.add_worksheet(name)
    layout = history_layout(definition)
    _title(ws, formats)
    _header(ws, formats, definition, layout)
    for i, snapshot in enumerate(history):
        _week(ws, formats, definition, FIRST_WEEK_ROW + i, snapshot)
    _print_setup(ws, layout)
    protect(ws)
    return ws


def _title(ws: Worksheet, f: dict[str, Format]) -> None:
    put_text(ws, 0, 0, "Weekly history", f["title"])
    ws.set_row(0, 24)
    put_text(
        ws,
        1,
        0,
        f"One snapshot of every rating per ISO week, {L.OWNED_MARK} "
        "(evaluating again in the same week replaces that week's row).",
        f["subtitle"],
    )


def _header(
    ws: Worksheet, f: dict[str, Format], definition: Definition, layout: HistoryLayout
) -> None:
    for col, head in enumerate(history_headers(definition)):
        put_text(ws, HEADER_ROW, col, head, f["header_low"] if col < 2 else f["header_up"])
    ws.set_row(HEADER_ROW, layout.header_height)
    S.set_widths(ws, layout.widths)


def _week(
    ws: Worksheet, f: dict[str, Format], definition: Definition, row: int, snapshot: HistoryRow
) -> None:
    put_text(ws, row, 0, snapshot.week)
    when = snapshot.date
    if when is not None and FIRST_EXCEL_DATE <= when <= LAST_EXCEL_DATE:
        ws.write_datetime(row, 1, datetime(when.year, when.month, when.day), f["date"])
    elif when is not None:
        put_text(ws, row, 1, when.isoformat())
    col = 2
    for verdict in evaluate_rules(definition, snapshot.ratings, with_steps=False):
        put_text(ws, row, col, *(("YES", f["yes"]) if verdict.ready else ("NOT YET", f["no"])))
        col += 1
    rated = sum(1 for v in snapshot.ratings.values() if v is not None)
    ws.write_number(row, col, rated, f["center"])
    for k, skill in enumerate(definition.skills, col + 1):
        value = snapshot.ratings.get(skill.id)
        if value is not None:
            ws.write_number(row, k, value, f["center"])


def _print_setup(ws: Worksheet, layout: HistoryLayout) -> None:
    """Landscape, the header row on every page; one page wide while that prints at 75% or
    more, else at 100% across pages with Week and Date repeated on each."""
    S.page_setup(ws, landscape=True, repeat=(HEADER_ROW, HEADER_ROW))
    # The footer's 8 pt must not shrink with the sheet.
    ws.set_footer(S.footer(), {"scale_with_doc": False})
    if not layout.fits_one_page_wide:
        ws.set_print_scale(100)
        ws.repeat_columns(0, 1)
    ws.freeze_panes(FIRST_WEEK_ROW, 2)
