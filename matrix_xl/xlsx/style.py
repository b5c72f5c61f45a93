"""The house style every xlsxwriter writer shares: palette, base cell format, page set-up,
the rating colour scale, row heights for wrapped text, and text written as inert text.

The personal workbook (:mod:`matrix_xl.generate.workbook`), the team workbook
(:mod:`matrix_xl.team.workbook`) and the Summary/History writer take their look from here,
so a colour or a margin is changed in one place and every file follows.

Nothing here imports xlsxwriter at module level (only :func:`new_workbook` does, when
called): the write-back sizes appended rows with :func:`row_height` before it needs
xlsxwriter, and importing this module must stay cheap.

Example:
    >>> row_height([("a short skill", 36), ("a note\\non two lines", 40)])
    34.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "AMBER_FILL",
    "AMBER_INK",
    "BAD",
    "BAND_FILL",
    "BASE_FORMAT",
    "BORDER",
    "DATA_BAR",
    "GOOD",
    "GREEN_FILL",
    "GREEN_INK",
    "GREYED",
    "GREY_FILL",
    "GRID",
    "H2",
    "HEADER",
    "HEADER_FILL",
    "INK",
    "INPUT",
    "INPUT_FILL",
    "LINE_HEIGHT",
    "MARGINS",
    "MUTED",
    "NARROW_MARGINS",
    "RATING_SCALE",
    "RED_FILL",
    "RED_INK",
    "TEXT_STAYS_TEXT",
    "THIN",
    "TITLE",
    "WARN",
    "WHITE",
    "Margins",
    "cell_format",
    "footer",
    "new_workbook",
    "page_setup",
    "rating_scale",
    "row_height",
    "set_widths",
    "show_rating",
    "wrapped_lines",
    "write_text",
]

# -- palette ---------------------------------------------------------------------------------
# Calm, readable in print, and distinguishable without colour (bold/italics go with them).

INK = "#1F2937"  # body text
MUTED = "#6B7280"  # secondary text: subtitles, ids, notes
WHITE = "#FFFFFF"
HEADER_FILL = "#1F4E79"  # table headers (white bold text on it)
INPUT_FILL = "#FFF8E1"  # the cells a person types into
GREEN_FILL, GREEN_INK = "#C6EFCE", "#006100"  # met, YES
AMBER_FILL, AMBER_INK = "#FFEB9C", "#7F6000"  # below, NOT YET, unrated mandatory
RED_FILL, RED_INK = "#FFC7CE", "#9C0006"  # priority gap, weakest skills
GREY_FILL = "#EDEDED"  # unrated
BAND_FILL = "#F3F4F6"  # a totals row
BORDER = "#D1D5DB"  # thin borders of input and data cells
GRID = "#E5E7EB"  # lighter borders of read-only table text
DATA_BAR = "#9DC3E6"  # shares (0-100%) drawn as bars
RATING_SCALE = ("#F8696B", "#FFEB84", "#63BE7B")  # low, middle, high rating

# -- formats ---------------------------------------------------------------------------------

# Every workbook matrix-xl writes: a text is never turned into a formula, a link or a number.
TEXT_STAYS_TEXT = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
BASE_FORMAT = {"font_name": "Calibri", "font_size": 11, "valign": "vcenter", "font_color": INK}

# Property sets the writers combine into their formats (with cell_format).
THIN = {"border": 1, "border_color": BORDER}
INPUT = {"locked": False, "bg_color": INPUT_FILL, **THIN}
HEADER = {
    "bold": True,
    "font_color": WHITE,
    "bg_color": HEADER_FILL,
    "text_wrap": True,
    "border": 1,
    "border_color": WHITE,
}
TITLE = {"bold": True, "font_size": 16}
H2 = {"bold": True, "font_size": 13}

# Conditional formats (colours over a cell's own format), and the cells they mark.
GOOD = {"bg_color": GREEN_FILL, "font_color": GREEN_INK, "bold": True}
WARN = {"bg_color": AMBER_FILL, "font_color": AMBER_INK}
BAD = {"bg_color": RED_FILL, "font_color": RED_INK, "bold": True}
GREYED = {"bg_color": GREY_FILL, "font_color": MUTED, "italic": True}


def new_workbook(target: str | IO[bytes], **options: Any) -> Workbook:
    """An xlsxwriter workbook that keeps every text as text.

    Args:
        target: a file name or a binary buffer (pass ``in_memory=True`` for a buffer).
        options: further xlsxwriter workbook options (``constant_memory``, ``in_memory``).

    Returns:
        The open workbook; the caller closes it.
    """
    import xlsxwriter  # heavy (about 50 ms): only writers pay for it

    return xlsxwriter.Workbook(target, {**options, **TEXT_STAYS_TEXT})


def cell_format(wb: Workbook, *parts: Mapping[str, Any], **props: Any) -> Format:
    """A format in the house style: :data:`BASE_FORMAT`, then ``parts``, then ``props``.

    Args:
        wb: the workbook the format belongs to.
        parts: property sets such as :data:`THIN` or :data:`HEADER`, later ones winning.
        props: xlsxwriter format properties, winning over all of the above.

    Returns:
        The format (xlsxwriter shares equal formats in the file).
    """
    merged: dict[str, Any] = dict(BASE_FORMAT)
    for part in parts:
        merged.update(part)
    merged.update(props)
    return wb.add_format(merged)


# -- page set-up -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Margins:
    """Page margins in inches."""

    left: float
    right: float
    top: float
    bottom: float


MARGINS = Margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
NARROW_MARGINS = Margins(left=0.4, right=0.4, top=0.5, bottom=0.6)  # wide team tables


def footer(note: str = "") -> str:
    """The page footer: the sheet's name (and ``note``) left, "Page N of M" right.

    ``&`` starts a header/footer code; doubled it is printed as itself, so any note is
    printed as written.
    """
    left = "&L&8&A" + (": " + note.replace("&", "&&") if note else "")
    return left + "&R&8Page &P of &N"


def page_setup(
    ws: Worksheet,
    *,
    landscape: bool = True,
    margins: Margins = MARGINS,
    note: str = "",
    pages_tall: int = 0,
    repeat: tuple[int, int] | None = None,
) -> None:
    """Set a sheet up for print and screen the house way.

    A4 (Excel adapts to Letter where that is the default printer paper), fit to one page
    wide, the footer of :func:`footer`, gridlines hidden on screen and on paper.

    Args:
        ws: the sheet.
        landscape: landscape (tables) or portrait (a page of prose).
        margins: the page margins.
        note: text for the footer after the sheet's name.
        pages_tall: pages high to fit to; 0 lets the height run on.
        repeat: the first and last header rows (0-based) printed on every page.
    """
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=margins.left, right=margins.right, top=margins.top, bottom=margins.bottom)
    ws.fit_to_pages(1, pages_tall)
    ws.set_footer(footer(note))
    ws.hide_gridlines(2)
    if repeat is not None:
        ws.repeat_rows(*repeat)


def set_widths(ws: Worksheet, widths: Iterable[float]) -> None:
    """Column widths (in characters) from column A on."""
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


# -- conditional formats ---------------------------------------------------------------------


def rating_scale(
    ws: Worksheet,
    first_row: int,
    first_col: int,
    last_row: int,
    last_col: int,
    low: int,
    high: int,
) -> None:
    """Colour ratings red (``low``) through yellow to green (``high``); blanks stay blank.

    Args:
        ws: the sheet.
        first_row: the range, 0-based and inclusive, ...
        first_col: ...
        last_row: ...
        last_col: ... to the last column.
        low: the lowest rating of the rubric.
        high: the highest.
    """
    ws.conditional_format(
        first_row,
        first_col,
        last_row,
        last_col,
        {
            "type": "3_color_scale",
            "min_type": "num",
            "min_value": low,
            "min_color": RATING_SCALE[0],
            "mid_type": "num",
            "mid_value": (low + high) / 2,
            "mid_color": RATING_SCALE[1],
            "max_type": "num",
            "max_value": high,
            "max_color": RATING_SCALE[2],
        },
    )


# -- row heights -----------------------------------------------------------------------------

LINE_HEIGHT = 15.0  # points per line of 11 pt text


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (an estimate).

    Proportional text fits about 1.1 characters per unit of column width; row heights are
    set from this, since spreadsheet apps do not grow rows of text written by a library.
    Every line break starts a line; an empty text takes one line.
    """
    per_line = max(1, int(width * 1.1))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def row_height(
    texts_and_widths: Iterable[tuple[str, float]],
    *,
    pad: float = 4.0,
    line: float = LINE_HEIGHT,
) -> float:
    """The height (points) of a row whose cells wrap: the tallest cell's lines, plus ``pad``.

    Args:
        texts_and_widths: each cell's text and its column's width.
        pad: points added for the cell's top and bottom margins.
        line: points per line.

    Returns:
        The height; at least one line.
    """
    return line * max([1, *(wrapped_lines(t, w) for t, w in texts_and_widths)]) + pad


# -- text ------------------------------------------------------------------------------------


def write_text(ws: Worksheet, row: int, col: int, text: str, fmt: Format | None = None) -> int:
    """Write ``text`` as plain text, whatever it looks like.

    write_string, never write(): a skill or an owner such as "=1+1" stays text. And a
    string shaped like ``<r>...</r>`` is copied into the file as raw XML by xlsxwriter (its
    rich-text shortcut), so it is written as two runs of text, escaped like any other.

    Args:
        ws: the sheet.
        row: 0-based row.
        col: 0-based column.
        text: the text; the caller keeps it within a cell's limit.
        fmt: the cell's format.

    Returns:
        xlsxwriter's code: 0, or negative when it refused the text.
    """
    if text.startswith("<r>") and text.endswith("</r>"):
        # "<r></r>" is the shortest such text: three fragments, none empty.
        parts = (text[:1], text[1:2], text[2:])
        return int(ws.write_rich_string(row, col, *parts, *([fmt] if fmt else [])))
    return int(ws.write_string(row, col, text, fmt))


def show_rating(value: int | None) -> str:
    """A rating as a cell or a log line shows it: the number, or ``unrated``."""
    return "unrated" if value is None else str(value)
