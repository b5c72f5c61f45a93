"""The Summary sheet of an evaluated workbook, and the donor workbook that carries it and
the History sheet into the person's file.

:func:`build_report_sheets` writes, with xlsxwriter, a small complete workbook holding just
these two sheets; :mod:`matrix_xl.xlsx.graft` grafts them into the person's workbook and
leaves the rest of it as it was. The Summary, top to bottom: the title, the verdicts (each
rule with the figure behind it, then the least steps to the threshold), the movement since
the previous week, the priorities (gap notes, sample interview questions, reading
references), the warnings (each linked to its cell), and two charts with their data in
plain cells beside them: ratings against targets, and skills at target week by week.

Every text is written as inert text; the only links are the warnings' links to cells of
the workbook (a hyperlink ``location``, no relationship). There are no formulas. The sheet
prints landscape, one page wide at 100%: its columns fit the page, long texts wrap in rows
made tall enough for them.

Example:
    >>> from matrix_xl.evaluation.run import evaluate_read  # doctest: +SKIP
    >>> donor = build_report_sheets(evaluate_read(read), read.history)  # doctest: +SKIP
    >>> donor[:2]  # doctest: +SKIP
    b'PK'
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from matrix_xl.errors import InternalError, UsageError
from matrix_xl.evaluation.history_sheet import (
    A4_INCHES,
    column_pixels,
    protect,
    put_text,
    report_formats,
    write_history_sheet,
)
from matrix_xl.read.history import iso_week
from matrix_xl.read.rows import HistoryRow
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx import style as S

if TYPE_CHECKING:
    from xlsxwriter.chart import Chart
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook

    from matrix_xl.evaluation.result import Evaluation
    from matrix_xl.findings import Finding
    from matrix_xl.rules import Verdict

__all__ = ["SUMMARY_WIDTHS", "build_report_sheets", "quote_sheet", "trend_counts"]

# Skill, Mandatory?, Rating, Target, Gap Notes, Sample Interview Questions, Reading References:
# 1,008 pixels, within the 1,026 of a landscape A4 page between the house margins: printed
# one page wide, that is 100% (and about 75% where a wider font replaces Calibri).
SUMMARY_WIDTHS = (34, 12, 8, 8, 26, 28, 23)
W = SUMMARY_WIDTHS
NO_WAY = "No ratings can meet this threshold with this matrix."
TOP = 3  # rows above the first section (title, subtitle, a note): frozen on screen
LINE = S.LINE_HEIGHT  # points: the height of a row of one line
PIXELS_PER_POINT = 4 / 3
BAR_PIXELS = 22  # chart height per skill: two bars and a readable label
# The height a landscape A4 page prints (between the house margins), less some slack for
# the apps' own rounding.
PAGE_POINTS = (A4_INCHES[0] - S.MARGINS.top - S.MARGINS.bottom) * 72 - 12
TREND_HEIGHT = 300  # pixels


def build_report_sheets(
    result: Evaluation,
    history: Sequence[HistoryRow],
    *,
    summary_name: str = L.SUMMARY,
    history_name: str = L.HISTORY,
    kept: Mapping[str, str] | None = None,
    today: date | None = None,
) -> bytes:
    """Build the donor workbook: the Summary sheet, then the History sheet, nothing else.

    Args:
        result: a valid evaluation (see :func:`matrix_xl.evaluation.run.evaluate_read`).
        history: every weekly snapshot, this week's included, in week order.
        summary_name: the Summary sheet's name (another one when the person has a sheet
            of that name; the Summary then says so).
        history_name: the History sheet's name, likewise.
        kept: for a sheet of ours under another name, the person's sheet that has its
            usual name (in some case), by that usual name: ``{"Summary": "summary"}``.
        today: the date in the donor's document properties (``result.as_of`` when
            ``None``): equal arguments give byte-identical donors.

    Returns:
        The ``.xlsx`` file's bytes.

    Raises:
        UsageError: ``result`` is not valid, or a name is not a valid, distinct sheet name.
        InternalError: xlsxwriter refused part of the sheets (never silently skipped).
    """
    if not result.valid:
        raise UsageError("an evaluation with errors has no summary to write")
    import xlsxwriter.exceptions  # heavy: only the write-back pays for it

    when = today or result.as_of
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # xlsxwriter warns and skips what it refuses: for us that is a bug to stop on.
        warnings.simplefilter("error")
        try:
            wb = S.new_workbook(buffer, in_memory=True)
            wb.set_properties({"created": datetime(when.year, when.month, when.day)})
            formats = report_formats(wb)
            names = _Names(summary_name, history_name, dict(kept or {}))
            _Summary(wb, formats, names, result, history).write()
            write_history_sheet(wb, history_name, result.definition, history, formats)
            wb.close()
        except xlsxwriter.exceptions.XlsxWriterException as exc:
            raise UsageError(f"cannot write the summary sheets: {exc}") from None
        except Warning as exc:
            raise InternalError(f"xlsxwriter refused part of the summary: {exc}") from None
    return buffer.getvalue()


def quote_sheet(name: str) -> str:
    """``name`` as a formula or a link refers to it: ``'It''s mine'``."""
    return "'" + name.replace("'", "''") + "'"


def trend_counts(result: Evaluation, snapshot: HistoryRow) -> tuple[int, int, int]:
    """Mandatory skills at target, optional skills at target, and skills rated in a week."""
    d = result.definition

    def met(mandatory: bool) -> int:
        return sum(
            1
            for s in d.skills
            if s.mandatory == mandatory and (snapshot.ratings.get(s.id) or 0) >= d.target(s)
        )

    rated = sum(1 for v in snapshot.ratings.values() if v is not None)
    return met(True), met(False), rated


@dataclass(frozen=True)
class _Names:
    """The names of our two sheets, and the person's sheets that made them differ."""

    summary: str
    history: str
    kept: dict[str, str]

    def renamed(self) -> list[tuple[str, str]]:
        """(the person's sheet, ours) for each of ours that does not have its usual name."""
        pairs = ((L.SUMMARY, self.summary), (L.HISTORY, self.history))
        return [(self.kept.get(usual, usual), ours) for usual, ours in pairs if usual != ours]


class _Summary:
    """Writes the Summary sheet, section by section, a row cursor moving down."""

    def __init__(
        self,
        wb: Workbook,
        formats: dict[str, Format],
        names: _Names,
        result: Evaluation,
        history: Sequence[HistoryRow],
    ) -> None:
        self.wb, self.f, self.names, self.name = wb, formats, names, names.summary
        self.ws = wb.add_worksheet(self.name)
        self.result, self.d, self.history = result, result.definition, history
        self.row = 0
        self.heights: dict[int, float] = {}  # points, of the rows given a height
        self.breaks: list[int] = []  # rows that start a page

    def write(self) -> None:
        """Write every section, top to bottom, then set the sheet up for print."""
        self._title()
        self._verdicts()
        self._movement()
        self._priorities()
        self._warnings()
        self._ratings_chart()
        self._weekly_chart()
        self._print_setup()

    # -- cells -------------------------------------------------------------------------------

    def _text(self, col: int, text: str, fmt: str | None = None) -> None:
        put_text(self.ws, self.row, col, text, self.f[fmt] if fmt else None)

    def _number(self, col: int, value: int, fmt: str = "center") -> None:
        self.ws.write_number(self.row, col, value, self.f[fmt])

    def _fit(self, *cells: tuple[str, float]) -> None:
        """Make the current row tall enough for each (text, column width) wrapped in it;
        a row of one line keeps the default height."""
        points = S.row_height(cells)
        if points > S.row_height([]):
            self._height(points)

    def _height(self, points: float) -> None:
        self.ws.set_row(self.row, points)
        self.heights[self.row] = points

    def _pixels(self, first: int, last: int) -> float:
        """The height of rows ``first`` to ``last - 1`` in pixels."""
        return sum(self.heights.get(r, LINE) for r in range(first, last)) * PIXELS_PER_POINT

    def _keep_together(self, first: int, points: float) -> None:
        """Start a page at row ``first`` unless the rows from the last page start we know
        (the sheet's top or our last break) and ``points`` more fit on one page.

        Counted at 100%: an app that prints smaller (fitting the width with wider fonts)
        fits more on a page, never less, so a chart kept whole here is whole there too.
        """
        start = self.breaks[-1] if self.breaks else 0
        used = sum(self.heights.get(r, LINE) for r in range(start, first))
        if used + points > PAGE_POINTS:
            self.breaks.append(first)

    def _heading(self, text: str) -> None:
        self._text(0, text, "h2")
        self._height(20)
        self.row += 1

    # -- sections ----------------------------------------------------------------------------

    def _title(self) -> None:
        r = self.result
        self._text(0, f"Readiness summary: {r.owner}" if r.owner else "Readiness summary", "title")
        self._height(24)
        self.row = 1
        role = f"{r.role} · " if r.role else ""
        self._text(
            0,
            f"{role}as of {r.as_of.isoformat()} ({iso_week(r.as_of)}) · "
            f"{L.OWNED_MARK}; do not edit this sheet",
            "subtitle",
        )
        self.row = 2
        renamed = self.names.renamed()
        if renamed:
            self._text(0, _renamed_note(renamed), "subtitle")
        self.row = TOP

    def _verdicts(self) -> None:
        self._heading("Verdicts")
        for v in self.result.verdicts:
            self._text(0, v.name, "verdict")
            self._text(1, *(("YES", "yes") if v.ready else ("NOT YET", "no")))
            self._fit((v.name, W[0]))
            self.row += 1
            for rule in v.rules:
                self._text(0, rule.rule, "rule")
                self._text(1, *(("met", "yes") if rule.passed else ("not met", "no")))
                self._text(2, rule.detail, "muted")
                self._fit((rule.rule, W[0] - 2))  # indented
                self.row += 1
            self._least_steps(v)
            self.row += 1

    def _least_steps(self, v: Verdict) -> None:
        if v.steps is None:
            text = f"Least steps: {v.too_complex}" if v.too_complex else NO_WAY
            self._text(0, text, "bad")
            self._fit((text, W[0]))
            self.row += 1
            return
        if not v.steps:
            return
        points = sum(st.points for st in v.steps)
        self._text(0, f"Least steps: {len(v.steps)} skill(s), {points} point(s):", "muted_indent")
        self.row += 1
        for st in v.steps:
            self._text(0, st.skill, "step")
            self._text(1, f"{S.show_rating(st.from_)} -> {st.to}", "center")
            self._fit((st.skill, W[0] - 4))
            self.row += 1

    def _movement(self) -> None:
        self._heading("Movement")
        r = self.result
        moved = [line for line in r.ratings if line.rating != line.previous]
        if r.previous_week is None:
            self._text(0, "First snapshot: movement shows from next week on.", "muted")
        elif not moved:
            self._text(0, f"No rating changed since {r.previous_week}.", "muted")
        for line in moved if r.previous_week is not None else []:
            up = (line.rating or 0) > (line.previous or 0)
            self._text(0, line.skill, "text")
            self._text(
                1, f"{S.show_rating(line.previous)} -> {S.show_rating(line.rating)}", "center"
            )
            self._text(2, *(("up", "yes") if up else ("down", "no")))
            self._text(3, f"since {r.previous_week}", "muted")
            self._fit((line.skill, W[0]))
            self.row += 1
        self.row += 1 if moved and r.previous_week is not None else 2

    def _priorities(self) -> None:
        self._heading("Priorities (mandatory gaps first, lowest first)")
        heads = ("Skill", "Mandatory?", "Rating", "Target", L.GAP_NOTES)
        for col, head in enumerate((*heads, "Sample Interview Questions", "Reading References")):
            self._text(col, head, "header")
        self._fit(*zip(heads, W, strict=False))
        self.row += 1
        if not self.result.priorities:
            self._text(0, "Nothing below target: every skill meets its level.", "muted")
            self.row += 1
        notes = {line.skill_id: line.notes for line in self.result.ratings}
        for p in self.result.priorities:
            skill = self.d.skill(p.skill_id)
            questions = "\n".join(skill.questions)
            refs = "\n".join(f"{ref.section} / {ref.anchor}" for ref in skill.references)
            note = notes.get(p.skill_id, "")
            self._text(0, p.skill, "mandatory" if p.mandatory else "text")
            self._text(1, "Yes" if p.mandatory else "No", "center")
            if p.rating is None:
                self._text(2, "unrated", "center")
            else:
                self._number(2, p.rating)
            self._number(3, p.target)
            for col, text in ((4, note), (5, questions), (6, refs)):
                self._text(col, text, "text")
            self._fit((p.skill, W[0]), (note, W[4]), (questions, W[5]), (refs, W[6]))
            self.row += 1
        self.row += 1

    def _warnings(self) -> None:
        found = [f for f in self.result.issues if f.severity == "warning"]
        self._heading(f"Warnings ({len(found)})")
        if not found:
            self._text(0, "None.", "muted")
            self.row += 1
        for finding in found:
            self._warning(finding)
            self._fit((_message(finding), sum(W[1:])))
            self.row += 1
        self.row += 2

    def _warning(self, finding: Finding) -> None:
        """The warning's place, linked to its cell, and its message over the other columns."""
        where = f"{finding.sheet}!{finding.cell}" if finding.cell else finding.sheet
        if finding.cell:
            link = f"internal:{quote_sheet(finding.sheet)}!{finding.cell}"
            # write_url writes its text with write_string; write_text then rewrites the cell
            # as inert text (a text shaped like <r>...</r> would be copied as raw XML).
            self.ws.write_url(self.row, 0, link, self.f["link"], string=where)
        # The place alone (a link's text does not wrap in LibreOffice), the skill with the
        # message.
        self._text(0, where, "link" if finding.cell else "text")
        last = len(SUMMARY_WIDTHS) - 1
        self.ws.merge_range(self.row, 1, self.row, last, "", self.f["text"])
        self._text(1, _message(finding), "text")

    # -- charts ------------------------------------------------------------------------------

    def _ratings_chart(self) -> None:
        """A bar per skill: its rating (none when unrated) against its target."""
        self._heading("Ratings against targets")
        top = self.row
        for col, head in enumerate(("Skill", "Rating", "Target")):
            self._text(col, head, "header")
        for line in self.result.ratings:
            self.row += 1
            self._text(0, line.skill, "text")
            if line.rating is not None:  # a blank, which the chart leaves as a gap
                self._number(1, line.rating)
            self._number(2, self.d.target(self.d.skill(line.skill_id)))
            self._fit((line.skill, W[0]))
        n = len(self.result.ratings)
        chart = self.wb.add_chart({"type": "bar"})
        for col, colour in ((1, S.HEADER_FILL), (2, S.DATA_BAR)):
            chart.add_series(
                {
                    **self._series(top, col, n),
                    "fill": {"color": colour},
                    "border": {"none": True},
                    "gap": 60,
                }
            )
        chart.set_x_axis({"min": 0, "max": self.d.max_rating, "major_unit": 1, **_AXIS})
        # First skill on top, as in the matrix; the value axis stays at the bottom.
        chart.set_y_axis({"reverse": True, "crossing": "max", **_AXIS})
        chart.show_blanks_as("gap")
        self._place(chart, "Self-rating against target", top, 3, n * BAR_PIXELS + 120)

    def _weekly_chart(self) -> None:
        """Skills at target, week by week: a line with a marker per week (a marker alone
        in the first week, not an empty frame), labelled while the weeks are few."""
        self._heading("Readiness over the weeks")
        if not self.history:
            self._text(0, "No week recorded yet: the chart starts with the first.", "muted")
            self.row += 1
            return
        top = self.row
        heads = ("Week", "Mandatory at target", "Optional at target", "Rated")
        for col, head in enumerate(heads):
            self._text(col, head, "header")
        self._fit(*zip(heads, W, strict=False))
        for snapshot in self.history:
            self.row += 1
            self._text(0, snapshot.week)
            for col, count in enumerate(trend_counts(self.result, snapshot), 1):
                self._number(col, count)
        weeks = len(self.history)
        labels = {"data_labels": {"value": True, "position": "above"}} if weeks <= 12 else {}
        chart = self.wb.add_chart({"type": "line"})
        for col, colour in ((1, S.HEADER_FILL), (2, S.AMBER_INK)):
            marker = {"fill": {"color": colour}, "border": {"color": colour}}
            chart.add_series(
                {
                    **self._series(top, col, weeks),
                    "line": {"color": colour, "width": 2.25},
                    "marker": {"type": "circle", "size": 7, **marker},
                    **labels,
                }
            )
        most = max(sum(1 for s in self.d.skills if s.mandatory == m) for m in (True, False))
        step = {"major_unit": 1} if most <= 15 else {}
        chart.set_y_axis({"min": 0, "max": max(most, 1), **step, **_AXIS})
        chart.set_x_axis(_AXIS)
        self._place(chart, "Skills at target, week by week", top, 4, TREND_HEIGHT)

    def _series(self, top: int, col: int, count: int) -> dict[str, list[str | int]]:
        """A chart series over column ``col`` of the table headed at row ``top``: its name
        from the header, its categories from column A (xlsxwriter quotes the sheet name)."""
        return {
            "name": [self.name, top, col],
            "categories": [self.name, top + 1, 0, top + count, 0],
            "values": [self.name, top + 1, col, top + count, col],
        }

    def _place(self, chart: Chart, title: str, top: int, col: int, height: float) -> None:
        """Insert ``chart`` beside its data from row ``top``, column ``col`` to the last,
        on one page (a page break before its heading if need be), and move the cursor
        below whichever ends lower."""
        chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
        chart.set_legend({"position": "bottom", "font": {"size": 10}})
        width = sum(column_pixels(w) for w in SUMMARY_WIDTHS[col:]) - 12
        heading = self.heights[top - 1]
        height = min(height, (PAGE_POINTS - heading) * PIXELS_PER_POINT)
        self._keep_together(top - 1, heading + height / PIXELS_PER_POINT)
        chart.set_size({"width": width, "height": height})
        self.ws.insert_chart(top, col, chart, {"x_offset": 8, "y_offset": 0})
        end = top
        while self._pixels(top, end) < height:
            end += 1
        self.row = max(self.row + 1, end) + 1

    def _print_setup(self) -> None:
        ws = self.ws
        S.set_widths(ws, SUMMARY_WIDTHS)
        S.page_setup(ws, landscape=True)
        # One page wide (100% where Calibri's widths hold), and a page break before a
        # chart that would be cut in two (a manual break holds when only the width is fit).
        ws.set_h_pagebreaks(self.breaks)
        ws.set_footer(S.footer(), {"scale_with_doc": False})
        ws.print_area(0, 0, self.row, len(SUMMARY_WIDTHS) - 1)
        ws.freeze_panes(TOP, 0)
        protect(ws)


_AXIS = {"num_font": {"size": 10}, "major_gridlines": {"visible": True, "line": {"color": S.GRID}}}


def _message(finding: Finding) -> str:
    return f"{finding.skill}: {finding.message}" if finding.skill else finding.message


def _renamed_note(renamed: list[tuple[str, str]]) -> str:
    """Why a sheet of matrix-xl's has another name than usual, and that the person's is kept."""
    parts = [
        f"{ours!r} (this workbook has a sheet of its own named {mine!r})" for mine, ours in renamed
    ]
    return (
        "matrix-xl writes its sheets as "
        + " and ".join(parts)
        + "; the sheets of yours are left as they are."
    )
