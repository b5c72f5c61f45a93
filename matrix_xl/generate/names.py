"""What a person's name may be in a workbook, and the file names it gives.

The owner and role go into the Matrix sheet's owner block and the document properties;
their file name must be valid on every OS. :mod:`matrix_xl.generate.workbook` and
:mod:`matrix_xl.generate.roster` both follow these rules.

Example:
    >>> default_workbook_name("Ana / Ops: Lead")
    'Ana - Ops- Lead.xlsx'
    >>> default_workbook_name("")
    'competency.xlsx'
"""

from __future__ import annotations

import re
import unicodedata

from matrix_xl.xlsx.cells import has_control

__all__ = ["MAX_OWNER_TEXT", "default_workbook_name", "owner_field_problem", "safe_filename"]

MAX_OWNER_TEXT = 255  # the owner and role are one short line each
DEFAULT_NAME = "competency.xlsx"  # a workbook made for nobody in particular

_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def owner_field_problem(label: str, text: str) -> str | None:
    """What is wrong with ``text`` as the owner block's ``label`` (owner, role), if anything.

    Args:
        label: the field's name, as the message should say it.
        text: its value.

    Returns:
        A message saying what the field must be, or ``None`` when ``text`` is fine.
    """
    if len(text) > MAX_OWNER_TEXT or has_control(text):
        return (
            f"the {label} must be one line of at most {MAX_OWNER_TEXT} characters, without "
            "control characters"
        )
    return None


def safe_filename(name: str, max_length: int = 80) -> str:
    """A file name (without suffix) that is valid on Windows, macOS and Linux.

    Letters of any script are kept; path separators, reserved characters and control
    characters become ``-``; reserved Windows names get a leading ``_``.

    Args:
        name: the text to name the file after, such as a person's name.
        max_length: the most bytes (UTF-8) the name may take.

    Returns:
        The name; ``person`` when nothing of ``name`` is left.

    >>> safe_filename("Ana / Ops: Lead")
    'Ana - Ops- Lead'
    """
    text = unicodedata.normalize("NFC", name)
    text = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]', "-", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if len(text.encode()) > max_length:
        text = text.encode()[:max_length].decode(errors="ignore").rstrip(" .")
    if not text:
        text = "person"
    if text.split(".")[0].casefold() in _RESERVED:
        text = f"_{text}"
    return text


def default_workbook_name(owner: str = "") -> str:
    """The file name of a workbook when none is given: the owner's, else ``competency.xlsx``.

    Args:
        owner: the person the workbook is for; blank for nobody in particular.

    Returns:
        A portable file name ending in ``.xlsx`` (see :func:`safe_filename`).
    """
    return f"{safe_filename(owner)}.xlsx" if owner.strip() else DEFAULT_NAME
