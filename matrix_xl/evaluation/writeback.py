"""Write an evaluation into the person's workbook, touching only what matrix-xl owns.

The workbook is edited as a package of parts (:class:`~matrix_xl.xlsx.graft.WorkbookEditor`),
never loaded and saved whole, so whatever it holds that matrix-xl does not write (images,
charts, pivot tables, macros, comments, extensions, custom XML, text such as ``_x0041_``,
rich text, the Matrix's cached formula values) stays byte for byte. One write:

1. removes the Summary and History an earlier run wrote (found by
   :func:`matrix_xl.xlsx.layout.report_sheet`: the names recorded on the hidden sheet,
   carrying matrix-xl's mark), and nothing else;
2. grafts the new Summary and History (built by
   :func:`~matrix_xl.evaluation.summary.build_report_sheets`) where the old Summary was, or
   first; a sheet of the person's with one of those names, in any case, keeps it, ours take
   a free name (``Summary (2)``) and the Summary says so;
3. appends an Improvement Log row per rating change not logged yet, in the log's own
   columns and cell styles, each row tall enough for its wrapped text, the table grown;
4. records the names on the hidden sheet and opens the workbook on the Summary.

A workbook without an Improvement Log (or without its header) gets no log rows: a warning
says so, and the changes are still in History and the report.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> from matrix_xl.read.reader import read_workbook
    >>> from matrix_xl.evaluation.judge import evaluate_read
    >>> data = build_workbook(owner="Ada")
    >>> read = read_workbook(data)
    >>> written = write_back(data, read, evaluate_read(read))
    >>> written.sheets
    ('Summary', 'History')
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from matrix_xl.evaluation.judge import log_action as judged_action
from matrix_xl.evaluation.result import Change, Evaluation
from matrix_xl.evaluation.summary import build_report_sheets
from matrix_xl.findings import Finding
from matrix_xl.read.guard import calamine_guard
from matrix_xl.read.history import iso_week, merge_snapshot
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.rows import HistoryRow
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx import style as S
from matrix_xl.xlsx.graft import WorkbookEditor
from matrix_xl.xlsx.splice import as_utf8, scan

__all__ = ["LogEntry", "WriteBack", "log_action", "write_back"]

DEFAULT_COLUMN_WIDTH = 8.43  # characters: a column without a width of its own


@dataclass(frozen=True)
class LogEntry:
    """One Improvement Log row as matrix-xl appends it."""

    date: date
    skill: str
    action: str
    impact: str


@dataclass(frozen=True)
class WriteBack:
    """The workbook with the evaluation written in.

    Attributes:
        data: the new workbook's bytes.
        log_added: the Improvement Log rows appended.
        sheets: the names the Summary and History sheets were given.
        warnings: what could not be written, said (a missing Improvement Log).
    """

    data: bytes
    log_added: int
    sheets: tuple[str, str]
    warnings: tuple[Finding, ...]


def log_action(change: Change) -> str:
    """The Action Taken of a change's log row: ``Self-rating 3 -> 4``."""
    return judged_action(change.from_, change.to)


def write_back(data: bytes, read: MatrixRead, result: Evaluation) -> WriteBack:
    """Write ``result`` into the workbook ``data`` (see the module's docstring).

    Args:
        data: the workbook's bytes, as read into ``read``.
        read: :func:`~matrix_xl.read.reader.read_workbook` of ``data``.
        result: a valid evaluation of ``read``.

    Returns:
        The new bytes and what was written; nothing is written to disk here.

    Raises:
        UsageError: ``result`` is not valid.
        UnsafeWriteError: the workbook is one the editor does not write (Strict Open XML).
        UnreadableWorkbookError: a part the write must edit is not well-formed XML.
    """
    editor = WorkbookEditor(data, read.name)
    old = _our_sheets(editor, data, read)
    position = _position(editor.sheet_names(), old)
    editor.remove_sheets(old.values())
    names = (editor.free_sheet_name(L.SUMMARY), editor.free_sheet_name(L.HISTORY))
    entries, warnings = _log_entries(read, result)
    shown = dataclasses.replace(result, issues=[*result.issues, *warnings])
    donor = build_report_sheets(
        shown,
        _history(read, result),
        summary_name=names[0],
        history_name=names[1],
        kept=_kept(editor.sheet_names(), names),
    )
    editor.graft_sheets(donor, position)
    if entries:
        _append_log(editor, read, entries)
    if L.META in editor.sheet_names():
        record = L.owned_record(names)
        if editor.meta().get(L.OWNED_SHEETS_KEY) != record:
            editor.set_meta({L.OWNED_SHEETS_KEY: record})
    editor.set_active_sheet(names[0])
    return WriteBack(editor.to_bytes(), len(entries), names, tuple(warnings))


# -- which sheets are ours, and where the new ones go ---------------------------------------


def _our_sheets(editor: WorkbookEditor, data: bytes, read: MatrixRead) -> dict[str, str]:
    """Our sheets of an earlier run, by kind. History is the one the reader read from."""
    names = editor.sheet_names()
    record = editor.meta().get(L.OWNED_SHEETS_KEY) if L.META in names else None
    found: dict[str, str] = {}
    history = read.history_sheet
    if history is not None and history in names:
        found[L.HISTORY] = history
    summary = L.report_sheet(L.SUMMARY, record, names, _marked(data, read.name))
    if summary is not None and summary != history:
        found[L.SUMMARY] = summary
    return found


def _marked(data: bytes, source: str) -> Callable[[str], bool]:
    """Whether a sheet carries matrix-xl's mark in A2, read with python-calamine."""
    from python_calamine import CalamineWorkbook  # heavy; loaded by the read already

    books: list[CalamineWorkbook] = []

    def marked(sheet: str) -> bool:
        with calamine_guard(source):
            if not books:
                books.append(CalamineWorkbook.from_filelike(io.BytesIO(data)))
            rows = books[0].get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=2)
        return L.carries_mark(rows)

    return marked


def _position(names: Sequence[str], old: Mapping[str, str]) -> int:
    """The tab the new sheets start at: the old Summary's, once ours are gone; else first."""
    summary = old.get(L.SUMMARY)
    if summary is None:
        return 0
    ours = set(old.values())
    return sum(1 for name in names[: names.index(summary)] if name not in ours)


def _kept(names: Sequence[str], ours: Sequence[str]) -> dict[str, str]:
    """The person's sheets that made ours take another name, by our usual name."""
    kept = {}
    for usual, name in zip(L.REPORT_SHEETS, ours, strict=True):
        theirs = next((n for n in names if n.casefold() == usual.casefold()), None)
        if name != usual and theirs is not None:
            kept[usual] = theirs
    return kept


def _history(read: MatrixRead, result: Evaluation) -> list[HistoryRow]:
    """The weekly snapshots with this one in its week's place."""
    ratings = {line.skill_id: line.rating for line in result.ratings}
    return merge_snapshot(read.history, HistoryRow(iso_week(result.as_of), result.as_of, ratings))


# -- the Improvement Log -------------------------------------------------------------------


def _log_entries(read: MatrixRead, result: Evaluation) -> tuple[list[LogEntry], list[Finding]]:
    """The log rows to append (none logged already), or a warning that they cannot be."""
    logged = {(row.date, row.skill, row.action) for row in read.log_rows}
    entries = [
        LogEntry(result.as_of, change.skill, log_action(change), change.impact)
        for change in result.changes
        if (result.as_of, change.skill, log_action(change)) not in logged
    ]
    if not entries or (read.log_sheet is not None and read.log_columns):
        return entries, []
    what = "sheet" if read.log_sheet is None else "Date / Skill / Action Taken / Impact header"
    count = f"{len(entries)} rating change{'s' if len(entries) > 1 else ''}"
    message = (
        f"the workbook has no {L.LOG!r} {what}, so {count} could not be logged there (they "
        f"are in History and in this report); add the {what} to keep a log"
    )
    return [], [Finding("warning", L.LOG, "", "", message, read.name)]


def _append_log(editor: WorkbookEditor, read: MatrixRead, entries: Sequence[LogEntry]) -> None:
    """Append ``entries`` below the log's last row, each in its header's column."""
    assert read.log_sheet is not None  # _log_entries gives entries only with a log
    columns = read.log_columns
    first = min(columns)
    rows = []
    for entry in entries:
        row: list[str | date | None] = [None] * (max(columns) - first + 1)
        values: tuple[str | date, ...] = (entry.date, entry.skill, entry.action, entry.impact)
        for col, value in zip(columns, values, strict=True):
            row[col - first] = value
        rows.append(row)
    widths = _column_widths(editor, read.log_sheet, columns)
    heights = [
        S.row_height(zip((e.skill, e.action, e.impact), widths[1:], strict=True)) for e in entries
    ]
    editor.append_rows(read.log_sheet, rows, first_col=first, heights=heights)


def _column_widths(editor: WorkbookEditor, sheet: str, columns: Sequence[int]) -> list[float]:
    """The widths (characters) of 0-based ``columns`` as the sheet sets them."""
    data = as_utf8(editor.package.read(editor.sheet_part(sheet)))
    root = scan(data, max_depth=3, stop_after="cols")
    cols = root.child("cols")
    widths = []
    for col in columns:
        width = DEFAULT_COLUMN_WIDTH
        for spec in cols.children if cols is not None else []:
            low, high = int(spec.attrs.get("min", "0")), int(spec.attrs.get("max", "0"))
            if low <= col + 1 <= high and "width" in spec.attrs:
                width = float(spec.attrs["width"])
        widths.append(width)
    return widths
