"""Evaluate one workbook: read it, judge it, and record the result in the workbook.

This is the main job behind ``matrix-xl evaluate``; the CLI only formats what
:func:`evaluate` returns. The judging itself is pure and lives in
:mod:`matrix_xl.evaluation.judge`, what is written into the workbook in
:mod:`matrix_xl.evaluation.writeback`; this module holds the file I/O around them.

Example:
    >>> from matrix_xl import evaluate  # doctest: +SKIP
    >>> result = evaluate("me.xlsx", dry_run=True)  # doctest: +SKIP
    >>> result.verdict("apply").ready  # doctest: +SKIP
    False
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn

from matrix_xl.errors import UnreadableWorkbookError, UnsafeWriteError
from matrix_xl.evaluation.dates import date_for
from matrix_xl.evaluation.judge import evaluate_read
from matrix_xl.evaluation.result import Change, Evaluation, RatingLine
from matrix_xl.evaluation.writeback import WriteBack, write_back
from matrix_xl.read.history import iso_week
from matrix_xl.read.limits import Limits
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.source import read_source
from matrix_xl.xlsx.atomic import locked_update, open_in_an_app, write_output

# Change, Evaluation, RatingLine and evaluate_read were defined here before the split;
# they stay importable from here, as does open_in_an_app.
__all__ = ["Change", "Evaluation", "RatingLine", "evaluate", "evaluate_read", "open_in_an_app"]


def evaluate(
    path: str | Path,
    *,
    output: str | Path | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
    force: bool = False,
) -> Evaluation:
    """Evaluate a workbook and, unless asked not to, record the result in it.

    In place, the file is locked from the read to the replacement, and replaced only if it
    is still the file that was read (another run's update is read and kept, never lost).

    Args:
        path: the filled workbook.
        output: write the updated workbook here instead of updating ``path`` in place
            (``path`` is then left byte-identical). An existing file is refused unless
            ``force``; ``path`` itself is updated in place.
        dry_run: write nothing.
        as_of: the snapshot's date; default the Matrix's ``Date rated``, else today (see
            :mod:`matrix_xl.evaluation.dates`).
        force: let ``output`` replace an existing file.

    Returns:
        The evaluation. When ``valid`` is false nothing was written.

    Raises:
        UnreadableWorkbookError: the workbook cannot be read.
        UsageError: ``output`` exists and ``force`` is false; or the snapshot's date is
            after today, before 1900, or in a week before the latest on the History sheet
            (History is append-only); nothing is written, even with ``output``.
        UnsafeWriteError: the workbook is open in a spreadsheet application, this user may
            not write it, it changed while being written, or the write failed; the original
            file is then untouched.
    """
    source = Path(path)
    data, name = read_source(source)
    result, read = _judge(data, name, as_of)
    if not result.valid or dry_run:
        return result
    if output is not None and not _same_file(source, Path(output)):
        written = write_back(data, read, result)
        with write_output(output, force=force, check=_reads_back(read, result, written)) as tmp:
            tmp.write_bytes(written.data)
        return _recorded(result, written, Path(output))
    with locked_update(source, max_size=Limits().max_file_size) as update:
        if update.original != data:  # another run wrote it meanwhile: judge it as it is now
            result, read = _judge(update.original, name, as_of)
            if not result.valid:
                return result
        written = write_back(update.original, read, result)
        update.replace(written.data, check=_reads_back(read, result, written))
    return _recorded(result, written, source)


def _judge(data: bytes, name: str, as_of: date | None) -> tuple[Evaluation, MatrixRead]:
    read = read_workbook(data, name=name)
    # The snapshot's date: --as-of, else Date rated, else today (evaluation/dates.py).
    when, notes = date_for(read, as_of, date.today())
    read.findings.extend(notes)
    return evaluate_read(read, as_of=when), read


def _same_file(path: Path, output: Path) -> bool:
    try:
        return os.path.samefile(path, output)
    except OSError:  # the output does not exist yet
        return False


def _recorded(result: Evaluation, written: WriteBack, target: Path) -> Evaluation:
    result.issues.extend(written.warnings)
    result.log_added = written.log_added
    result.written = str(target)
    return result


def _reads_back(read: MatrixRead, result: Evaluation, written: WriteBack) -> Callable[[Path], None]:
    """A check of the written file, before it replaces anything: it reads, with the same
    ratings, and its History, read from the sheet just written, holds every week."""
    weeks = {h.week for h in read.history} | {iso_week(result.as_of)}

    def check(tmp: Path) -> None:
        try:
            again = read_workbook(tmp, name=read.name)
        except UnreadableWorkbookError as exc:
            _failed(f"the written file does not read back ({exc.message})", read.name)
        if again.rating_map() != read.rating_map():
            _failed("the written file does not read back with the same ratings", read.name)
        if again.history_sheet != written.sheets[1] or {h.week for h in again.history} != weeks:
            _failed("the written file's History does not read back", read.name)

    return check


def _failed(why: str, name: str) -> NoReturn:
    raise UnsafeWriteError(f"writing failed ({why}); the file was left as it was", name)
