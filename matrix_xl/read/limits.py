"""The size limits a workbook is held to before anything parses it, and how sizes are worded.

Every step of reading (the file itself, the zip's directory, each worksheet, the cells
python-calamine returns) checks against one :class:`Limits`, so a caller that needs
other bounds passes them once.
"""

from __future__ import annotations

from dataclasses import dataclass

from matrix_xl.errors import WorkbookTooLargeError

__all__ = ["KiB", "Limits", "MiB", "check_file_size", "size_text"]

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True)
class Limits:
    """Size limits applied before a workbook is parsed.

    The defaults leave wide room for a competency matrix (20-40 KB, 21 skill rows, a log of
    a few hundred rows) while keeping a hostile file from costing more than a few hundred
    MB of memory or a few seconds in openpyxl or python-calamine.

    Args:
        max_file_size: bytes of the file itself.
        max_part_size: uncompressed bytes of one part of the zip.
        max_total_size: uncompressed bytes of all parts together.
        max_ratio: uncompressed / compressed size of one part, checked for parts of at
            least ``ratio_min_size`` bytes (small parts compress far and do no harm).
        ratio_min_size: see ``max_ratio``.
        max_parts: entries in the zip.
        max_rows: the last row in which a worksheet may hold something (a value, text or
            a formula). Empty rows and styled empty cells do not count, however far down
            an application writes them.
        max_columns: the last column in which a worksheet may hold something.
        max_counted_tags: the row and cell tags visited in a worksheet whose positions
            must be counted because some row or cell lacks its ``r`` attribute (no
            spreadsheet application writes such a sheet; a re-save in one fixes it).
    """

    max_file_size: int = 20 * MiB
    max_part_size: int = 50 * MiB
    max_total_size: int = 100 * MiB
    max_ratio: float = 100.0
    ratio_min_size: int = 1 * MiB
    max_parts: int = 1_000
    max_rows: int = 10_000
    max_columns: int = 256
    max_counted_tags: int = 200_000


def check_file_size(size: int, source: str, limits: Limits) -> None:
    """Refuse a file of more than ``limits.max_file_size`` bytes.

    Args:
        size: the file's size in bytes.
        source: the file's name, to start the message with.
        limits: the limits to hold it to.

    Raises:
        WorkbookTooLargeError: over the limit; the message gives both sizes.
    """
    if size > limits.max_file_size:
        raise WorkbookTooLargeError(
            f"the file is {size_text(size)}, over the {size_text(limits.max_file_size)} limit "
            "for a workbook (a competency matrix is usually under 100 KB): is this the right "
            "file?",
            source,
        )


def size_text(size: int) -> str:
    """A size in bytes as a person reads it: ``512 bytes``, ``9.8 KiB``, ``20.0 MiB``."""
    if size >= MiB:
        return f"{size / MiB:,.1f} MiB"
    if size >= KiB:
        return f"{size / KiB:,.1f} KiB"
    return f"{size:,} bytes"
