"""What every writer and reader agrees on about a single cell: its address, its size, and
which characters it can hold.

Column letters are computed here rather than with ``xlsxwriter.utility``: importing that
module imports all of xlsxwriter (about 50 ms), which the read path never needs otherwise.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "MAX_CELL_TEXT",
    "cell_ref",
    "clip",
    "col_letter",
    "column_number",
    "has_control",
    "is_control",
    "strip_control",
]

MAX_CELL_TEXT = 32_767  # Excel's limit for the text of one cell

# Characters a person may have in a multi-line cell (a note, an action): kept by the reader,
# accepted by the writers wherever a text may span lines.
LINE_BREAKS = "\t\n\r"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def is_control(ch: str) -> bool:
    """The one control-character rule: C0/C1 controls and lone surrogates (undecodable
    bytes on a command line) cannot be stored in an xlsx cell as typed."""
    return unicodedata.category(ch) in ("Cc", "Cs")


def has_control(text: str, allow: str = "") -> bool:
    """Whether ``text`` holds a control character other than those in ``allow``."""
    return any(is_control(ch) and ch not in allow for ch in text)


def strip_control(text: str, keep: str = LINE_BREAKS) -> str:
    """``text`` without its control characters, except those in ``keep``."""
    if not _CONTROL.search(text):
        return text
    return "".join(ch for ch in text if ch in keep or not is_control(ch))


def clip(text: str, limit: int = MAX_CELL_TEXT) -> str:
    """``text`` cut to fit one cell, with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def col_letter(col: int) -> str:
    """0-based column index to letters: 0 -> A, 26 -> AA."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_number(letters: str) -> int:
    """Column letters to a 1-based number: A -> 1, AA -> 27 (case ignored)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """0-based (row, col) to an A1 reference."""
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"
