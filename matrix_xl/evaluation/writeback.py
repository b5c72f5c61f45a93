"""Write an evaluation into the workbook: Summary, History and Improvement Log entries.

openpyxl edits the workbook (xlsxwriter cannot edit). What openpyxl would drop on a
load-and-save (images, shapes, charts of the person's own, macros, x14 extensions) is
found first, and the write refused with the list rather than losing it. The ``Summary``
and ``History`` sheets belong to matrix-xl and are rebuilt on every run; in the
``Improvement Log`` rows are only appended; no input cell of ``Matrix`` is touched.
"""

from __future__ import annotations

import io
import warnings
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrix_xl.errors import UnreadableWorkbookError, UnsafeWriteError
from matrix_xl.read.history import history_headers, iso_week, merge_snapshot
from matrix_xl.read.losses import openpyxl_losses
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import evaluate_rules
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.atomic import atomic_write
from matrix_xl.xlsx.cells import col_letter

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from matrix_xl.evaluation.result import Evaluation

__all__ = ["write_report"]

OWNED = (L.SUMMARY, L.HISTORY)
GREEN, AMBER, RED, GREY, HEADER = "C6EFCE", "FFEB9C", "FFC7CE", "EDEDED", "1F4E79"


def write_report(data: bytes, name: str, target: Path, read: MatrixRead, result: Evaluation) -> int:
    """Write ``result`` into the workbook ``data`` and save it atomically to ``target``.

    Returns:
        The number of Improvement Log entries added.

    Raises:
        UnsafeWriteError: the workbook holds something openpyxl would drop, or the write
            failed (the original file is then untouched).
    """
    lost = [item for item in openpyxl_losses(data, name, read.package) if not _owned_item(item)]
    if lost:
        raise UnsafeWriteError(
            "writing the summary into this workbook would lose: "
            + "; ".join(lost)
            + ". Nothing was written. Keep a copy without them, or run with --dry-run "
            "(or --format json) to get the report without writing.",
            name,
        )
    import openpyxl

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), keep_links=True)
        except Exception as exc:  # openpyxl raises many types on odd files
            raise UnreadableWorkbookError(
                f"openpyxl cannot open it for writing: {exc}", name
            ) from None
    dropped = [str(w.message) for w in caught if "will be removed" in str(w.message)]
    if dropped:
        raise UnsafeWriteError(
            "writing would lose part of the workbook (" + "; ".join(dropped) + "). Nothing "
            "was written; run with --dry-run to get the report without writing.",
            name,
        )

    snapshot = HistoryRow(
        iso_week(result.as_of), result.as_of, {r.skill_id: r.rating for r in result.ratings}
    )
    history = merge_snapshot(read.history, snapshot)
    added = _append_log(wb, read, result)
    _write_history(wb, result, history)
    _write_summary(wb, result, history)

    expected = read.rating_map()

    def check(tmp: Path) -> None:
        # Re-open what was written: it must read, with exactly the ratings it had.
        try:
            again = read_workbook(tmp, name=name)
        except UnreadableWorkbookError as exc:
            raise UnsafeWriteError(
                f"writing failed (the written file does not read back ({exc.message})); "
                "the file was left as it was",
                target,
            ) from None
        if again.rating_map() != expected:
            raise UnsafeWriteError(
                "writing failed (the written file does not read back with the same ratings); "
                "the file was left as it was",
                target,
            )

    with atomic_write(target, check) as tmp:
        wb.save(tmp)
    return added


def _owned_item(item: str) -> bool:
    """Charts and drawings of matrix-xl's own Summary sheet are rebuilt, not lost."""
    return f"sheet {L.SUMMARY!r}" in item or f'sheet "{L.SUMMARY}"' in item


# -- cells -----------------------------------------------------------------------------


def _put(ws: Worksheet, row: int, col: int, value: Any, **style: Any) -> Any:
    """Write a value; a text is always text, even "=1+1" (openpyxl would make a formula)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    for key, v in style.items():
        setattr(cell, key, v)
    return cell


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, PatternFill, Side
    from openpyxl.styles import Font as _Font

    def Font(**kw: Any) -> Any:  # reads like the class it wraps
        return _Font(**{"name": "Calibri", "size": 11, **kw})

    thin = Side(style="thin", color="E5E7EB")
    return {
        "title": {"font": Font(bold=True, size=16)},
        "sub": {"font": Font(italic=True, color="6B7280")},
        "h2": {"font": Font(bold=True, size=13, color=HEADER)},
        "header": {
            "font": Font(bold=True, color="FFFFFF"),
            "fill": PatternFill("solid", fgColor=HEADER),
            "alignment": Alignment(wrap_text=True, vertical="center"),
        },
        "wrap": {
            "alignment": Alignment(wrap_text=True, vertical="top"),
            "border": Border(bottom=thin),
        },
        "yes": {
            "font": Font(bold=True, color="006100"),
            "fill": PatternFill("solid", fgColor=GREEN),
            "alignment": Alignment(horizontal="center"),
        },
        "no": {
            "font": Font(bold=True, color="7F6000"),
            "fill": PatternFill("solid", fgColor=AMBER),
            "alignment": Alignment(horizontal="center"),
        },
        "bad": {"font": Font(color="9C0006"), "fill": PatternFill("solid", fgColor=RED)},
        "grey": {"font": Font(italic=True, color="6B7280")},
        "center": {"alignment": Alignment(horizontal="center", vertical="top")},
        "link": {"font": Font(color="0563C1", underline="single")},
        "date": {"number_format": "yyyy-mm-dd", "alignment": Alignment(horizontal="left")},
    }


def _fresh_sheet(wb: Workbook, title: str, index: int) -> Worksheet:
    if title in wb.sheetnames:
        del wb[title]
    return wb.create_sheet(title, index)


def _row_height(*texts_widths: tuple[str, float]) -> float:
    lines = max([1, *(L.wrapped_lines(str(text), width) for text, width in texts_widths)])
    return 15.0 * lines + 4


# -- improvement log -------------------------------------------------------------------


def _append_log(wb: Workbook, read: MatrixRead, result: Evaluation) -> int:
    if not result.changes:
        return 0
    if L.LOG not in wb.sheetnames:
        ws = wb.create_sheet(L.LOG, 1)
        for col, head in enumerate(L.LOG_COLUMNS, 1):
            _put(ws, 1, col, head)
    ws = wb[L.LOG]
    header_row, cols = _log_header(ws)
    mine = {(r.date, r.skill, r.action) for r in read.log_rows}
    last = header_row
    for row in ws.iter_rows(min_row=header_row + 1, max_row=ws.max_row):
        if any(c.value not in (None, "") for c in row if c.column - 1 in cols):
            last = row[0].row
    styles = _styles()
    added = 0
    for change in result.changes:
        action = f"Self-rating {_show(change.from_)} -> {_show(change.to)}"
        if (result.as_of, change.skill, action) in mine:
            continue  # recorded already
        last += 1
        _put(
            ws,
            last,
            cols[0] + 1,
            datetime(result.as_of.year, result.as_of.month, result.as_of.day),
            **styles["date"],
        )
        _put(ws, last, cols[1] + 1, change.skill)
        _put(ws, last, cols[2] + 1, action)
        _put(ws, last, cols[3] + 1, change.impact)
        added += 1
    _grow_table(ws, last)
    return added


def _show(value: int | None) -> str:
    return "unrated" if value is None else str(value)


def _log_header(ws: Worksheet) -> tuple[int, list[int]]:
    want = [L.normalise_header(h) for h in L.LOG_COLUMNS]
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 60)):
        names = [L.normalise_header(c.value) if isinstance(c.value, str) else "" for c in row]
        if all(w in names for w in want):
            return row[0].row, [names.index(w) for w in want]
    raise UnsafeWriteError(
        f"the {L.LOG!r} sheet has no Date / Skill / Action Taken / Impact "
        "header; nothing was written"
    )


def _grow_table(ws: Worksheet, last_row: int) -> None:
    from openpyxl.utils.cell import range_boundaries

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if max_row < last_row:
            ref = f"{col_letter(min_col - 1)}{min_row}:{col_letter(max_col - 1)}{last_row}"
            table.ref = ref
            if table.autoFilter is not None:
                table.autoFilter.ref = ref


# -- history ---------------------------------------------------------------------------


def _write_history(wb: Workbook, result: Evaluation, history: list[HistoryRow]) -> None:

    d = result.definition
    index = (
        wb.sheetnames.index(L.HISTORY)
        if L.HISTORY in wb.sheetnames
        else len([n for n in wb.sheetnames if n != L.META])
    )
    ws = _fresh_sheet(wb, L.HISTORY, index)
    s = _styles()
    _put(ws, 1, 1, "Weekly history", **s["title"])
    _put(
        ws,
        2,
        1,
        "One snapshot of every rating per ISO week, written by matrix-xl evaluate "
        "(evaluating again in the same week replaces that week's row).",
        **s["sub"],
    )
    headers = history_headers(d)
    for col, head in enumerate(headers, 1):
        _put(ws, 3, col, head, **s["header"])
    ws.row_dimensions[3].height = 75
    fixed = 3 + len(d.thresholds)
    for i, snap in enumerate(history):
        r = 4 + i
        _put(ws, r, 1, snap.week)
        if snap.date:
            _put(ws, r, 2, datetime(snap.date.year, snap.date.month, snap.date.day), **s["date"])
        for j, v in enumerate(evaluate_rules(d, snap.ratings, with_steps=False)):
            _put(ws, r, 3 + j, "YES" if v.ready else "NOT YET", **s["yes" if v.ready else "no"])
        _put(ws, r, fixed, sum(1 for x in snap.ratings.values() if x is not None), **s["center"])
        for k, skill in enumerate(d.skills):
            value = snap.ratings.get(skill.id)
            if value is not None:
                _put(ws, r, fixed + 1 + k, value, **s["center"])
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 11
    for col in range(3, len(headers) + 1):
        ws.column_dimensions[col_letter(col - 1)].width = 14 if col <= fixed else 9
    ws.freeze_panes = "C4"
    _print_setup(ws, landscape=True, header_rows="3:3")
    ws.protection.sheet = True


# -- summary ---------------------------------------------------------------------------


def _write_summary(wb: Workbook, result: Evaluation, history: list[HistoryRow]) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference

    d = result.definition
    s = _styles()
    ws = _fresh_sheet(wb, L.SUMMARY, 0)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    wb.active = 0
    ws.sheet_view.tabSelected = True
    widths = {"A": 46, "B": 12, "C": 10, "D": 10, "E": 40, "F": 44, "G": 40}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width

    title = f"Readiness summary: {result.owner}" if result.owner else "Readiness summary"
    _put(ws, 1, 1, title, **s["title"])
    ws.row_dimensions[1].height = 24
    role = f"{result.role} · " if result.role else ""
    _put(
        ws,
        2,
        1,
        f"{role}as of {result.as_of.isoformat()} ({iso_week(result.as_of)}) · "
        f"written by matrix-xl evaluate; do not edit this sheet",
        **s["sub"],
    )
    row = 4

    # Verdicts with their reasons.
    _put(ws, row, 1, "Verdicts", **s["h2"])
    row += 1
    for v in result.verdicts:
        _put(ws, row, 1, v.name, font=s["h2"]["font"])
        _put(ws, row, 2, "YES" if v.ready else "NOT YET", **s["yes" if v.ready else "no"])
        row += 1
        for rule in v.rules:
            _put(ws, row, 1, f"    {rule.rule}", **s["wrap"])
            ws.row_dimensions[row].height = _row_height((f"    {rule.rule}", widths["A"]))
            _put(
                ws, row, 2, "met" if rule.passed else "not met", **s["yes" if rule.passed else "no"]
            )
            _put(ws, row, 5, rule.detail, **s["grey"])
            row += 1
        if v.steps:
            points = sum(st.points for st in v.steps)
            _put(
                ws,
                row,
                1,
                f"    Least steps: {len(v.steps)} skill(s), {points} point(s):",
                **s["grey"],
            )
            row += 1
            for st in v.steps:
                _put(ws, row, 1, f"        {st.skill}", **s["wrap"])
                _put(ws, row, 2, f"{_show(st.from_)} -> {st.to}", **s["center"])
                ws.row_dimensions[row].height = _row_height((f"        {st.skill}", widths["A"]))
                row += 1
        elif v.steps is None:
            no_way = "No ratings can meet this threshold with this matrix."
            no_way = f"Least steps: {v.too_complex}" if v.too_complex else no_way
            _put(ws, row, 1, f"    {no_way}", **s["bad"])
            row += 1
        row += 1

    # Movement since the previous week.
    _put(ws, row, 1, "Movement", **s["h2"])
    row += 1
    if result.previous_week is None:
        _put(ws, row, 1, "First snapshot: movement shows from next week on.", **s["grey"])
        row += 1
    else:
        moved = [r for r in result.ratings if r.rating != r.previous]
        if not moved:
            _put(ws, row, 1, f"No rating changed since {result.previous_week}.", **s["grey"])
            row += 1
        for r in moved:
            arrow = "up" if (r.rating or 0) > (r.previous or 0) else "down"
            _put(ws, row, 1, r.skill, **s["wrap"])
            ws.row_dimensions[row].height = _row_height((r.skill, widths["A"]))
            _put(ws, row, 2, f"{_show(r.previous)} -> {_show(r.rating)}", **s["center"])
            _put(ws, row, 3, arrow, **s["yes" if arrow == "up" else "no"])
            _put(ws, row, 5, f"since {result.previous_week}", **s["grey"])
            row += 1
    row += 1

    # Priorities with notes, questions and references.
    _put(ws, row, 1, "Priorities (mandatory gaps first, lowest first)", **s["h2"])
    row += 1
    heads = [
        "Skill",
        "Mandatory?",
        "Rating",
        "Target",
        "Gap Notes",
        "Sample Interview Questions",
        "Reading References",
    ]
    for col, head in enumerate(heads, 1):
        _put(ws, row, col, head, **s["header"])
    row += 1
    notes = {r.skill_id: r.notes for r in result.ratings}
    if not result.priorities:
        _put(ws, row, 1, "Nothing below target: every skill meets its level.", **s["grey"])
        row += 1
    for p in result.priorities:
        skill = d.skill(p.skill_id)
        questions = "\n".join(skill.questions)
        refs = "\n".join(f"{r.section} / {r.anchor}" for r in skill.references)
        values = [
            p.skill,
            "Yes" if p.mandatory else "No",
            "unrated" if p.rating is None else p.rating,
            p.target,
            notes.get(p.skill_id, ""),
            questions,
            refs,
        ]
        for col, value in enumerate(values, 1):
            style = s["center"] if col in (2, 3, 4) else s["wrap"]
            _put(ws, row, col, value, **style)
        if p.mandatory:
            ws.cell(row=row, column=1).font = s["bad"]["font"]
        ws.row_dimensions[row].height = _row_height(
            (p.skill, widths["A"]), (str(values[4]), 40), (questions, 44), (refs, 40)
        )
        row += 1
    row += 1

    # Warnings, each linked to its cell.
    warn = [f for f in result.issues if f.severity == "warning"]
    _put(ws, row, 1, f"Warnings ({len(warn)})", **s["h2"])
    row += 1
    if not warn:
        _put(ws, row, 1, "None.", **s["grey"])
        row += 1
    for f in warn:
        cell = _put(ws, row, 1, f.location(), **s["link"])
        if f.cell:
            cell.hyperlink = f"#'{f.sheet}'!{f.cell}"
        _put(ws, row, 5, f.message, **s["wrap"])
        ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=7)
        ws.row_dimensions[row].height = _row_height((f.message, 120))
        row += 1
    row += 2

    # Charts, with their data in plain cells a reader can check.
    _put(ws, row, 1, "Ratings against targets", **s["h2"])
    data_row = row + 1
    for col, head in enumerate(("Skill", "Rating", "Target"), 1):
        _put(ws, data_row, col, head, **s["header"])
    for i, r in enumerate(result.ratings, 1):
        _put(ws, data_row + i, 1, r.skill)
        _put(ws, data_row + i, 2, r.rating or 0, **s["center"])
        _put(ws, data_row + i, 3, d.target(d.skill(r.skill_id)), **s["center"])
    n = len(result.ratings)
    bar = BarChart()
    bar.type = "bar"
    bar.title = "Self-rating against target"
    bar.y_axis.scaling.min = 0
    bar.y_axis.scaling.max = d.max_rating
    bar.y_axis.majorUnit = 1
    bar.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=data_row, max_row=data_row + n),
        titles_from_data=True,
    )
    bar.set_categories(Reference(ws, min_col=1, min_row=data_row + 1, max_row=data_row + n))
    bar.x_axis.scaling.orientation = "maxMin"  # first skill on top, as in the matrix
    bar.height, bar.width = 0.7 * n + 3, 20  # centimetres: room for every skill's label
    ws.add_chart(bar, f"E{data_row}")
    row = data_row + max(n + 2, int(bar.height / 0.53) + 2)  # a row is about 0.53 cm

    _put(ws, row, 1, "Readiness over the weeks", **s["h2"])
    trend_row = row + 1
    heads = ["Week", "Mandatory at target", "Optional at target", "Rated"]
    for col, head in enumerate(heads, 1):
        _put(ws, trend_row, col, head, **s["header"])
    ws.row_dimensions[trend_row].height = 32
    for i, snap in enumerate(history, 1):

        def met(mandatory: bool, snap: HistoryRow = snap) -> int:
            return sum(
                1
                for sk in d.skills
                if sk.mandatory == mandatory and (snap.ratings.get(sk.id) or 0) >= d.target(sk)
            )

        _put(ws, trend_row + i, 1, snap.week)
        _put(ws, trend_row + i, 2, met(True), **s["center"])
        _put(ws, trend_row + i, 3, met(False), **s["center"])
        _put(
            ws,
            trend_row + i,
            4,
            sum(1 for x in snap.ratings.values() if x is not None),
            **s["center"],
        )
    weeks = len(history)
    line = LineChart()
    line.title = "Skills at target, week by week"
    line.y_axis.scaling.min = 0
    line.y_axis.majorUnit = 1
    line.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=trend_row, max_row=trend_row + weeks),
        titles_from_data=True,
    )
    line.set_categories(Reference(ws, min_col=1, min_row=trend_row + 1, max_row=trend_row + weeks))
    line.height, line.width = 7.5, 20
    for series in line.series:
        series.smooth = False  # weekly counts: straight segments, no invented curves
    ws.add_chart(line, f"E{trend_row}")
    last = max(trend_row + weeks, trend_row + 16)

    ws.freeze_panes = "A4"
    ws.print_area = f"A1:G{last}"
    _print_setup(ws, landscape=False, header_rows=None)
    ws.protection.sheet = True


def _print_setup(ws: Worksheet, landscape: bool, header_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        ws.print_title_rows = header_rows
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
    ws.sheet_view.showGridLines = False
