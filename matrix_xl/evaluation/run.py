"""Evaluate one workbook: read it, judge it, and record the result in the workbook.

This is the main job behind ``matrix-xl evaluate``; the CLI only formats what
:func:`evaluate` returns. The judging itself is pure and lives in
:mod:`matrix_xl.evaluation.judge`; this module holds the I/O around it.

Example:
    >>> from matrix_xl import evaluate  # doctest: +SKIP
    >>> result = evaluate("me.xlsx", dry_run=True)  # doctest: +SKIP
    >>> result.verdict("apply").ready  # doctest: +SKIP
    False
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from matrix_xl.errors import UnsafeWriteError
from matrix_xl.evaluation.dates import date_for
from matrix_xl.evaluation.judge import evaluate_read
from matrix_xl.evaluation.result import Change, Evaluation, RatingLine
from matrix_xl.evaluation.writeback import write_report
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.source import read_source

# Change, Evaluation, RatingLine and evaluate_read were defined here before the split;
# they stay importable from here.
__all__ = ["Change", "Evaluation", "RatingLine", "evaluate", "evaluate_read", "open_in_an_app"]


def open_in_an_app(path: Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an open
    workbook, if there is one.

    Args:
        path: the workbook.

    Returns:
        The lock file's path, or ``None`` when there is none.
    """
    for lock in (path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            return lock
    return None


def evaluate(
    path: str | Path,
    *,
    output: str | Path | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
) -> Evaluation:
    """Evaluate a workbook and, unless asked not to, record the result in it.

    Args:
        path: the filled workbook.
        output: write the updated workbook here instead of updating ``path`` in place
            (``path`` is then left byte-identical).
        dry_run: write nothing.
        as_of: the snapshot's date; default the Matrix's ``Date rated``, else today (see
            :mod:`matrix_xl.evaluation.dates`).

    Returns:
        The evaluation. When ``valid`` is false nothing was written.

    Raises:
        UnreadableWorkbookError: the workbook cannot be read.
        UsageError: the snapshot's date is after today, before 1900, or in a week
            before the latest on the History sheet (History is append-only); nothing is
            written, even with ``output``.
        UnsafeWriteError: writing would lose something in the workbook, the workbook is
            open in a spreadsheet application, or the write failed; the original file is
            then untouched.
    """
    data, name = read_source(Path(path))
    read = read_workbook(data, name=name)
    # -- the snapshot's date: --as-of, else Date rated, else today (evaluation/dates.py) --
    when, notes = date_for(read, as_of, date.today())
    read.findings.extend(notes)
    # ----------------------------------------------------------------------------------
    result = evaluate_read(read, as_of=when)
    if not result.valid or dry_run:
        return result
    target = Path(output) if output is not None else Path(path)
    lock = open_in_an_app(target)
    if lock is not None:
        raise UnsafeWriteError(
            f"the workbook is open in a spreadsheet application ({lock.name} is next to it): "
            "close it there first, or its next save would overwrite the summary. Nothing was "
            "written; -o OUT or --dry-run work while it is open.",
            target,
        )
    result.log_added = write_report(data, name, target, read, result)
    result.written = str(target)
    return result
