"""The team workbook: Team, Coverage, Trend and Errors sheets, written with xlsxwriter.

Writing only: the report comes from :func:`~matrix_xl.team.rollup.roll_up` and the
figures of the Coverage and Trend sheets from :mod:`~matrix_xl.team.stats`. Each section
of a sheet is written by a method named after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrix_xl.errors import UsageError
from matrix_xl.team.model import DefinitionGroup, PersonResult
from matrix_xl.team.report import TeamReport
from matrix_xl.team.stats import SkillCoverage, TrendWeek, coverage, skill_averages, trend, weakest
from matrix_xl.xlsx import style as S
from matrix_xl.xlsx.cells import clip

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

    from matrix_xl.definition import Definition

__all__ = ["check_output", "write_team_workbook"]

MAX_NAMES = 12  # names listed in one "could mentor" cell before "and N more"
COVERAGE_WIDTHS = (34, 11, 8, 9, 8, 9, 9, 38, 38)


def _names(names: Sequence[str]) -> str:
    if len(names) <= MAX_NAMES:
        return ", ".join(names)
    return ", ".join(names[:MAX_NAMES]) + f" and {len(names) - MAX_NAMES} more"


@dataclass(frozen=True)
class _TeamColumns:
    """Where the parts of a Team sheet row go; the group with the most of each decides."""

    thresholds: int
    skills: int

    @classmethod
    def of(cls, groups: Sequence[DefinitionGroup]) -> _TeamColumns:
        return cls(
            max((len(g.definition.thresholds) for g in groups), default=0),
            max((len(g.definition.skills) for g in groups), default=0),
        )

    verdict = 2  # the first threshold's verdict; Person and Role come before

    @property
    def unrated(self) -> int:
        return self.verdict + self.thresholds

    @property
    def skill(self) -> int:
        return self.unrated + 1

    @property
    def file(self) -> int:
        return self.skill + self.skills

    @property
    def widths(self) -> list[float]:
        return [26, 18] + [10] * self.thresholds + [8] + [4.6] * self.skills + [36]


def _team_summary(report: TeamReport) -> str:
    """The line under the Team sheet's title: how many people, files, groups, problems."""
    people = len(report.people)
    summary = (
        f"As of {report.today.isoformat()}: {people} {'person' if people == 1 else 'people'}"
        f" from {report.files} file{'s' if report.files != 1 else ''}"
    )
    if len(report.groups) > 1:
        summary += f", in {len(report.groups)} groups, one per matrix definition"
    problems = len(report.errors)
    summary += (
        f"; {problems} file{'s' if problems != 1 else ''} left out (see the Errors sheet)."
        if problems
        else "; every file was read."
    )
    return summary


# -- the team workbook -----------------------------------------------------------------------

TEAM, COVERAGE, TREND, ERRORS = "Team", "Coverage", "Trend", "Errors"


def write_team_workbook(report: TeamReport, path: str | Path, *, force: bool = False) -> Path:
    """Write the team workbook: ``Team``, ``Coverage``, ``Trend`` (with histories), ``Errors``.

    Args:
        report: from :func:`roll_up`.
        path: where to write; must end in ``.xlsx``.
        force: overwrite an existing file.

    Returns:
        The path written. Equal reports give byte-identical files (the document date is
        the report's date).

    Raises:
        UsageError: the file exists (and ``force`` is false) or the name is not ``.xlsx``.
        UnsafeWriteError: the write failed; an existing file is then left as it was.
    """
    from matrix_xl.xlsx.atomic import atomic_write

    path = Path(path)
    check_output(path, force)
    with atomic_write(path) as tmp:
        _TeamWriter(report, tmp).write()
    return path


def check_output(path: Path, force: bool) -> None:
    """Refuse an output that is not ``.xlsx`` or that exists (unless ``force``)."""
    if path.suffix.lower() != ".xlsx":
        raise UsageError("the team workbook's name must end in .xlsx", path)
    if path.is_dir():
        raise UsageError("this is a folder; give the team workbook's file name", path)
    if path.exists() and not force:
        raise UsageError("the file exists; pass --force to overwrite it", path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"the folder {folder} does not exist", path)


class _TeamWriter:
    def __init__(self, report: TeamReport, path: Path) -> None:
        self.report = report
        # constant_memory: rows go to disk as they are written, so 10,000 people cost no
        # more memory than 1,000.
        self.wb = S.new_workbook(str(path), constant_memory=True)
        self.f = self._formats()

    def _formats(self) -> dict[str, Format]:
        wb, thin = self.wb, S.THIN

        def fmt(*parts: dict[str, Any], **kw: Any) -> Format:
            return S.cell_format(wb, *parts, **kw)

        band = {**thin, "bold": True, "bg_color": S.BAND_FILL}
        return {
            "title": fmt(S.TITLE),
            "subtitle": fmt(italic=True, font_color=S.MUTED, text_wrap=True, valign="top"),
            "h2": fmt(S.H2),
            "header": fmt(S.HEADER),
            "header_center": fmt(S.HEADER, align="center"),
            "header_rotated": fmt(
                S.HEADER, rotation=90, align="center", valign="bottom", font_size=9
            ),
            "label": fmt(thin, italic=True, font_color=S.MUTED, align="right"),
            "mark": fmt(thin, bold=True, align="center", font_color=S.HEADER_FILL),
            "target": fmt(thin, align="center", font_color=S.MUTED),
            "text": fmt(thin),
            "wrap": fmt(thin, text_wrap=True),
            "muted": fmt(thin, font_color=S.MUTED, font_size=9),
            "rating": fmt(thin, bold=True, align="center"),
            "number": fmt(thin, align="center"),
            "unrated": fmt(thin, align="center", font_color=S.AMBER_INK, bold=True),
            "yes": fmt(thin, S.GOOD, align="center"),
            "not_yet": fmt(thin, S.WARN, align="center"),
            "total_label": fmt(band, align="right"),
            "total": fmt(band, align="center"),
            "average": fmt(band, align="center", num_format="0.0"),
            "avg": fmt(thin, align="center", num_format="0.0"),
            "share": fmt(thin, align="center", num_format="0%"),
            "weak": fmt(thin, bold=True, bg_color=S.RED_FILL, font_color=S.RED_INK, text_wrap=True),
            "weak_line": fmt(bold=True, font_color=S.RED_INK, text_wrap=True, valign="top"),
            "good_line": fmt(bold=True, font_color=S.GREEN_INK, text_wrap=True, valign="top"),
            "plain": fmt(),
        }

    def _sheet(self, name: str) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        note = f"matrix-xl team roll-up as of {self.report.today.isoformat()}"
        S.page_setup(ws, margins=S.NARROW_MARGINS, note=note)
        return ws

    def _text(self, ws: Worksheet, row: int, col: int, text: str, fmt: Format | None) -> None:
        S.write_text(ws, row, col, clip(text), fmt)

    def _titled_sheet(self, name: str, widths: Sequence[float], title: str, note: str) -> Worksheet:
        """A new sheet with its column widths, its title and a wrapped line under it."""
        ws = self._sheet(name)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.set_row(0, 24)
        self._text(ws, 0, 0, title, self.f["title"])
        self._note(ws, 1, note, widths, self.f["subtitle"])
        return ws

    def _note(
        self, ws: Worksheet, row: int, text: str, widths: Sequence[float], fmt: Format
    ) -> None:
        """A line of text across the table below it, wrapped, its row tall enough."""
        ws.set_row(row, S.row_height([(text, sum(widths) * 0.95)], pad=2))
        if len(widths) > 1:
            ws.merge_range(row, 0, row, len(widths) - 1, "", fmt)
        self._text(ws, row, 0, text, fmt)

    def write(self) -> None:
        today = self.report.today
        self.wb.set_properties(
            {
                "title": "Team roll-up",
                "subject": "Competency matrix: team roll-up",
                "author": "matrix-xl",
                "created": datetime(today.year, today.month, today.day),
            }
        )
        self._team()
        self._coverage()
        if any(p.history for p in self.report.people):
            self._trend()
        self._errors()
        self.wb.close()

    # -- Team --------------------------------------------------------------------------

    def _team(self) -> None:
        ws = self._sheet(TEAM)
        ws.activate()
        cols = _TeamColumns.of(self.report.groups)
        self._team_columns(ws, cols)
        self._team_heading(ws, cols)
        row = 4
        header_rows: tuple[int, int] | None = None
        for group in self.report.groups:
            self._group_title(ws, row, group)
            if header_rows is None:
                header_rows = (row + 1, row + 3)
            row = self._group_table(ws, row + 1, cols, group) + 3
        if not self.report.groups:
            self._text(ws, row, 0, "No valid workbook: see the Errors sheet.", self.f["plain"])
        self._team_panes(ws, header_rows, row, cols)

    def _team_columns(self, ws: Worksheet, cols: _TeamColumns) -> None:
        ws.set_column(0, 0, 26)
        ws.set_column(1, 1, 18)
        if cols.thresholds:
            ws.set_column(cols.verdict, cols.unrated - 1, 10)
        ws.set_column(cols.unrated, cols.unrated, 8)
        if cols.skills:
            ws.set_column(cols.skill, cols.file - 1, 4.6)
        ws.set_column(cols.file, cols.file, 36)

    def _team_heading(self, ws: Worksheet, cols: _TeamColumns) -> None:
        """The title, the summary line, and how to read the heatmap."""
        ws.set_row(0, 24)
        self._text(ws, 0, 0, "Team roll-up", self.f["title"])
        self._note(ws, 1, _team_summary(self.report), cols.widths, self.f["subtitle"])
        self._note(
            ws,
            2,
            "Ratings are coloured red (low) to green (high); blank is unrated. "
            "M marks a mandatory skill; Target is the level the first threshold asks.",
            cols.widths,
            self.f["subtitle"],
        )

    def _group_title(self, ws: Worksheet, row: int, group: DefinitionGroup) -> None:
        people = len(group.people)
        title = f"{group.label}: {people} {'person' if people == 1 else 'people'}"
        self._text(ws, row, 0, title, self.f["h2"])

    def _group_table(
        self, ws: Worksheet, row: int, cols: _TeamColumns, group: DefinitionGroup
    ) -> int:
        """One group's table from its header row; returns the row of its team line."""
        d = group.definition
        row = self._skill_header(ws, row, cols, d)
        first = row
        for person in group.people:
            self._person_row(ws, row, cols, person)
            row += 1
        if group.people:
            self._heatmap(ws, first, row - 1, cols, d)
        self._team_line(ws, row, cols, group)
        return row

    def _skill_header(self, ws: Worksheet, row: int, cols: _TeamColumns, d: Definition) -> int:
        """The header row, then the Mandatory and Target rows; returns the next row."""
        f = self.f
        # Skill names run upwards, in 9 pt, two lines to a column at most.
        longest = max(len(s.name) for s in d.skills)
        ws.set_row(row, min(300.0, max(70.0, 4.0 * longest / 1.6 + 16)))
        self._text(ws, row, 0, "Person", f["header"])
        self._text(ws, row, 1, "Role", f["header"])
        for i, t in enumerate(d.thresholds):
            self._text(ws, row, cols.verdict + i, t.name, f["header_center"])
        self._text(ws, row, cols.unrated, "Unrated", f["header_center"])
        for i, skill in enumerate(d.skills):
            self._text(ws, row, cols.skill + i, skill.name, f["header_rotated"])
        self._text(ws, row, cols.file, "Workbook", f["header"])
        self._text(ws, row + 1, 0, "Mandatory", f["label"])
        for i, skill in enumerate(d.skills):
            if skill.mandatory:
                self._text(ws, row + 1, cols.skill + i, "M", f["mark"])
            else:
                ws.write_blank(row + 1, cols.skill + i, None, f["target"])
        self._text(ws, row + 2, 0, "Target", f["label"])
        for i, skill in enumerate(d.skills):
            ws.write_number(row + 2, cols.skill + i, d.target(skill), f["target"])
        return row + 3

    def _person_row(
        self, ws: Worksheet, row: int, cols: _TeamColumns, person: PersonResult
    ) -> None:
        f = self.f
        self._text(ws, row, 0, person.owner, f["text"])
        self._text(ws, row, 1, person.role, f["text"])
        for i, ready in enumerate(person.ready):
            verdict, fmt = ("YES", f["yes"]) if ready else ("NOT YET", f["not_yet"])
            self._text(ws, row, cols.verdict + i, verdict, fmt)
        unrated_fmt = f["unrated"] if person.unrated else f["number"]
        ws.write_number(row, cols.unrated, person.unrated, unrated_fmt)
        for i, rating in enumerate(person.ratings):
            if rating is None:
                ws.write_blank(row, cols.skill + i, None, f["rating"])
            else:
                ws.write_number(row, cols.skill + i, rating, f["rating"])
        self._text(ws, row, cols.file, person.workbook, f["muted"])

    def _heatmap(
        self, ws: Worksheet, first: int, last: int, cols: _TeamColumns, d: Definition
    ) -> None:
        """The ratings coloured from the rubric's lowest level to its highest."""
        S.rating_scale(
            ws, first, cols.skill, last, cols.skill + len(d.skills) - 1, d.min_rating, d.max_rating
        )

    def _team_line(
        self, ws: Worksheet, row: int, cols: _TeamColumns, group: DefinitionGroup
    ) -> None:
        """The team's line: how many are ready, the average per skill."""
        f = self.f
        self._text(ws, row, 0, "Team", f["total_label"])
        ws.write_blank(row, 1, None, f["total"])
        for i, count in enumerate(group.ready_counts()):
            self._text(ws, row, cols.verdict + i, f"{count} of {len(group.people)}", f["total"])
        ws.write_number(row, cols.unrated, sum(p.unrated for p in group.people), f["total"])
        for i, average in enumerate(skill_averages(group)):
            if average is None:
                ws.write_blank(row, cols.skill + i, None, f["total"])
            else:
                ws.write_number(row, cols.skill + i, average, f["average"])
        ws.write_blank(row, cols.file, None, f["total"])

    def _team_panes(
        self, ws: Worksheet, header_rows: tuple[int, int] | None, end: int, cols: _TeamColumns
    ) -> None:
        """Frozen panes, the rows printed on every page, the print area."""
        if len(self.report.groups) == 1 and header_rows is not None:
            ws.freeze_panes(header_rows[1] + 1, 2)
            ws.repeat_rows(header_rows[0], header_rows[1])
        else:
            ws.freeze_panes(0, 2)
        ws.print_area(0, 0, max(end - 1, 0), cols.file)

    # -- Coverage ----------------------------------------------------------------------

    def _coverage(self) -> None:
        ws = self._titled_sheet(
            COVERAGE,
            COVERAGE_WIDTHS,
            "Coverage: what the team can do, skill by skill",
            "Meets = rated at or above the skill's target; unrated counts as not meeting. "
            "Who could mentor whom: people at the top rating, and people at or below the "
            "priority level, per skill.",
        )
        row = 3
        for group in self.report.groups:
            row = self._coverage_table(ws, row, group) + 2
        if not self.report.groups:
            self._text(ws, row, 0, "No valid workbook: see the Errors sheet.", self.f["plain"])
        ws.freeze_panes(0, 1)
        ws.print_area(0, 0, max(row - 1, 0), len(COVERAGE_WIDTHS) - 1)

    def _coverage_table(self, ws: Worksheet, row: int, group: DefinitionGroup) -> int:
        """One group: its name, its weakest skills, a row per skill; returns the next row."""
        skills = coverage(group)
        weak = weakest(skills)
        self._text(ws, row, 0, group.label, self.f["h2"])
        self._weakest_line(ws, row + 1, weak)
        header_row = row + 2
        self._coverage_header(ws, header_row, group.definition)
        row = header_row + 1
        weak_names = {c.name for c in weak}
        for c in skills:
            self._coverage_row(ws, row, c, c.name in weak_names)
            row += 1
        if skills:
            self._share_bars(ws, header_row + 1, row - 1)
        return row

    def _weakest_line(self, ws: Worksheet, row: int, weak: list[SkillCoverage]) -> None:
        if weak:
            listed = "; ".join(f"{c.name} ({c.meets} of {c.people} meet {c.target})" for c in weak)
            text, fmt = f"Weakest mandatory skills: {listed}.", self.f["weak_line"]
        else:
            text, fmt = "Every mandatory skill is met by everyone.", self.f["good_line"]
        self._note(ws, row, text, COVERAGE_WIDTHS, fmt)

    def _coverage_header(self, ws: Worksheet, row: int, d: Definition) -> None:
        headers = [
            "Skill",
            "Mandatory?",
            "Target",
            "Meet target",
            "Rated",
            "Share meeting",
            "Average",
            f"Could mentor (rated {d.max_rating})",
            f"Could learn (rated {d.priority_at_or_below} or less)",
        ]
        ws.set_row(row, 32)
        for col, head in enumerate(headers):
            self._text(ws, row, col, head, self.f["header"])
        if len(self.report.groups) == 1:
            ws.repeat_rows(row)

    def _coverage_row(self, ws: Worksheet, row: int, c: SkillCoverage, weak: bool) -> None:
        f, widths = self.f, COVERAGE_WIDTHS
        mentors, learners = _names(c.mentors), _names(c.learners)
        if not (c.mentors and c.learners):
            mentors, learners = mentors or "-", learners or "-"
        cells = [(mentors, widths[7]), (learners, widths[8]), (c.name, widths[0])]
        ws.set_row(row, S.row_height(cells, pad=3))
        self._text(ws, row, 0, c.name, f["weak"] if weak else f["wrap"])
        self._text(ws, row, 1, "Yes" if c.mandatory else "No", f["number"])
        ws.write_number(row, 2, c.target, f["number"])
        ws.write_number(row, 3, c.meets, f["number"])
        ws.write_number(row, 4, c.rated, f["number"])
        ws.write_number(row, 5, c.share, f["share"])
        if c.average is None:
            ws.write_blank(row, 6, None, f["avg"])
        else:
            ws.write_number(row, 6, c.average, f["avg"])
        self._text(ws, row, 7, mentors, f["wrap"])
        self._text(ws, row, 8, learners, f["wrap"])

    def _share_bars(self, ws: Worksheet, first: int, last: int) -> None:
        """A data bar in Share meeting, from 0 to 100 %."""
        ws.conditional_format(
            first,
            5,
            last,
            5,
            {
                "type": "data_bar",
                "bar_color": S.DATA_BAR,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )

    # -- Trend -------------------------------------------------------------------------

    def _trend(self) -> None:
        n_thresholds = max(len(g.definition.thresholds) for g in self.report.groups)
        widths = [12, 12] + [14] * (n_thresholds + 1)
        ws = self._titled_sheet(
            TREND,
            widths,
            "Trend: the team week by week",
            "From each workbook's History sheet (written by `matrix-xl evaluate`). A week "
            "counts each person's latest snapshot up to that week.",
        )
        row = 3
        for group in self.report.groups:
            weeks = trend(group)
            if weeks:
                row = self._trend_table(ws, row, group, weeks) + 2
        ws.freeze_panes(0, 1)
        ws.print_area(0, 0, max(row - 1, 0), 2 + n_thresholds)

    def _trend_table(
        self, ws: Worksheet, row: int, group: DefinitionGroup, weeks: list[TrendWeek]
    ) -> int:
        """One group: its name, a header, a row per week; returns the next row."""
        f = self.f
        self._text(ws, row, 0, group.label, f["h2"])
        ws.set_row(row + 1, 32)
        heads = ["Week", "People with a snapshot"]
        heads += [t.name for t in group.definition.thresholds] + ["Average rating"]
        for col, head in enumerate(heads):
            self._text(ws, row + 1, col, head, f["header"])
        row += 2
        for week in weeks:
            self._text(ws, row, 0, week.week, f["text"])
            ws.write_number(row, 1, week.people, f["number"])
            for i, count in enumerate(week.ready):
                ws.write_number(row, 2 + i, count, f["number"])
            if week.average is None:
                ws.write_blank(row, 2 + len(week.ready), None, f["avg"])
            else:
                ws.write_number(row, 2 + len(week.ready), week.average, f["avg"])
            row += 1
        return row

    # -- Errors ------------------------------------------------------------------------

    def _errors(self) -> None:
        f = self.f
        widths = (48, 20, 90)
        ws = self._titled_sheet(
            ERRORS,
            widths,
            "Files left out of the roll-up",
            "Fix each file (or ask its owner to), then run `matrix-xl team` again. "
            "`matrix-xl validate FILE` lists every problem of one workbook.",
        )
        for col, head in enumerate(("File", "Owner", "Problem")):
            self._text(ws, 3, col, head, f["header"])
        row = 4
        if not self.report.errors:
            self._text(ws, row, 0, "none", f["text"])
            self._text(ws, row, 1, "", f["text"])
            self._text(ws, row, 2, "Every file was read and is valid.", f["text"])
            row += 1
        for e in self.report.errors:
            cells = [(e.workbook, widths[0]), (e.message, widths[2])]
            ws.set_row(row, S.row_height(cells, pad=3))
            self._text(ws, row, 0, e.workbook, f["wrap"])
            self._text(ws, row, 1, e.owner or "", f["wrap"])
            self._text(ws, row, 2, e.message, f["wrap"])
            row += 1
        ws.freeze_panes(4, 0)
        ws.repeat_rows(3)
        ws.print_area(0, 0, row - 1, 2)
