"""The team workbook: Team, Coverage, Trend and Errors sheets, written with xlsxwriter.

Made from a :class:`~matrix_xl.team.rollup.TeamReport`; see :mod:`matrix_xl.team.rollup`
for the roll-up that produces one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrix_xl.errors import UsageError
from matrix_xl.team.rollup import MAX_NAMES, DefinitionGroup, TeamReport, TrendPoint
from matrix_xl.xlsx import style as S
from matrix_xl.xlsx.cells import clip

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

__all__ = ["check_output", "write_team_workbook"]


# -- figures for the sheets ------------------------------------------------------------------


@dataclass(frozen=True)
class _SkillCoverage:
    name: str
    mandatory: bool
    target: int
    meets: int
    rated: int
    people: int
    average: float | None
    mentors: list[str]
    learners: list[str]

    @property
    def share(self) -> float:
        return self.meets / self.people if self.people else 0.0


def _coverage(group: DefinitionGroup) -> list[_SkillCoverage]:
    d = group.definition
    out = []
    for i, skill in enumerate(d.skills):
        target = d.target(skill)
        values = [(p.ratings[i], p.owner) for p in group.people]
        rated = [v for v, _ in values if v is not None]
        out.append(
            _SkillCoverage(
                name=skill.name,
                mandatory=skill.mandatory,
                target=target,
                meets=sum(1 for v in rated if v >= target),
                rated=len(rated),
                people=len(values),
                average=sum(rated) / len(rated) if rated else None,
                mentors=[o for v, o in values if v is not None and v >= d.max_rating],
                learners=[o for v, o in values if v is not None and v <= d.priority_at_or_below],
            )
        )
    return out


def _weakest(coverage: list[_SkillCoverage], limit: int = 3) -> list[_SkillCoverage]:
    """The mandatory skills fewest people meet (then the lowest average), not all met."""
    short = [c for c in coverage if c.mandatory and c.meets < c.people]
    short.sort(key=lambda c: (c.share, c.average if c.average is not None else 0.0))
    return short[:limit]


@dataclass(frozen=True)
class _Week:
    week: str
    people: int
    ready: list[int]
    average: float | None


def _trend(group: DefinitionGroup) -> list[_Week]:
    """Per ISO week, each person's latest snapshot up to that week (carried forward)."""
    weeks = sorted({h.week for p in group.people for h in p.history})
    rows = []
    thresholds = len(group.definition.thresholds)
    latest: list[TrendPoint | None] = [None] * len(group.people)
    cursor = [0] * len(group.people)
    for week in weeks:
        for i, person in enumerate(group.people):
            while cursor[i] < len(person.history) and person.history[cursor[i]].week <= week:
                latest[i] = person.history[cursor[i]]
                cursor[i] += 1
        points = [p for p in latest if p is not None]
        total = sum(p.rating_sum for p in points)
        rated = sum(p.rated for p in points)
        rows.append(
            _Week(
                week,
                len(points),
                [sum(1 for p in points if p.ready[t]) for t in range(thresholds)],
                total / rated if rated else None,
            )
        )
    return rows


def _names(names: list[str]) -> str:
    if len(names) <= MAX_NAMES:
        return ", ".join(names)
    return ", ".join(names[:MAX_NAMES]) + f" and {len(names) - MAX_NAMES} more"


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
        report, f = self.report, self.f
        ws = self._sheet(TEAM)
        ws.activate()
        groups = report.groups
        n_thresholds = max((len(g.definition.thresholds) for g in groups), default=0)
        n_skills = max((len(g.definition.skills) for g in groups), default=0)
        c_verdict, c_unrated = 2, 2 + n_thresholds
        c_skill = c_unrated + 1
        c_file = c_skill + n_skills
        ws.set_column(0, 0, 26)
        ws.set_column(1, 1, 18)
        if n_thresholds:
            ws.set_column(c_verdict, c_unrated - 1, 10)
        ws.set_column(c_unrated, c_unrated, 8)
        if n_skills:
            ws.set_column(c_skill, c_file - 1, 4.6)
        ws.set_column(c_file, c_file, 36)

        ws.set_row(0, 24)
        self._text(ws, 0, 0, "Team roll-up", f["title"])
        people = len(report.people)
        summary = (
            f"As of {report.today.isoformat()}: {people} {'person' if people == 1 else 'people'}"
            f" from {report.files} file{'s' if report.files != 1 else ''}"
        )
        if len(groups) > 1:
            summary += f", in {len(groups)} groups, one per matrix definition"
        problems = len(report.errors)
        summary += (
            f"; {problems} file{'s' if problems != 1 else ''} left out (see the Errors sheet)."
            if problems
            else "; every file was read."
        )
        widths = [26, 18] + [10] * n_thresholds + [8] + [4.6] * n_skills + [36]
        self._note(ws, 1, summary, widths, f["subtitle"])
        self._note(
            ws,
            2,
            "Ratings are coloured red (low) to green (high); blank is unrated. "
            "M marks a mandatory skill; Target is the level the first threshold asks.",
            widths,
            f["subtitle"],
        )
        row = 4
        header_rows: tuple[int, int] | None = None
        for group in groups:
            d = group.definition
            self._text(
                ws,
                row,
                0,
                f"{group.label}: {len(group.people)} "
                f"{'person' if len(group.people) == 1 else 'people'}",
                f["h2"],
            )
            row += 1
            # Skill names run upwards, in 9 pt, two lines to a column at most.
            longest = max(len(s.name) for s in d.skills)
            ws.set_row(row, min(300.0, max(70.0, 4.0 * longest / 1.6 + 16)))
            self._text(ws, row, 0, "Person", f["header"])
            self._text(ws, row, 1, "Role", f["header"])
            for i, t in enumerate(d.thresholds):
                self._text(ws, row, c_verdict + i, t.name, f["header_center"])
            self._text(ws, row, c_unrated, "Unrated", f["header_center"])
            for i, skill in enumerate(d.skills):
                self._text(ws, row, c_skill + i, skill.name, f["header_rotated"])
            self._text(ws, row, c_file, "Workbook", f["header"])
            if header_rows is None:
                header_rows = (row, row + 2)
            row += 1
            self._text(ws, row, 0, "Mandatory", f["label"])
            for i, skill in enumerate(d.skills):
                if skill.mandatory:
                    self._text(ws, row, c_skill + i, "M", f["mark"])
                else:
                    ws.write_blank(row, c_skill + i, None, f["target"])
            row += 1
            self._text(ws, row, 0, "Target", f["label"])
            for i, skill in enumerate(d.skills):
                ws.write_number(row, c_skill + i, d.target(skill), f["target"])
            row += 1
            first = row
            for person in group.people:
                self._text(ws, row, 0, person.owner, f["text"])
                self._text(ws, row, 1, person.role, f["text"])
                for i, ready in enumerate(person.ready):
                    self._text(
                        ws,
                        row,
                        c_verdict + i,
                        "YES" if ready else "NOT YET",
                        f["yes"] if ready else f["not_yet"],
                    )
                ws.write_number(
                    row, c_unrated, person.unrated, f["unrated"] if person.unrated else f["number"]
                )
                for i, rating in enumerate(person.ratings):
                    if rating is None:
                        ws.write_blank(row, c_skill + i, None, f["rating"])
                    else:
                        ws.write_number(row, c_skill + i, rating, f["rating"])
                self._text(ws, row, c_file, person.workbook, f["muted"])
                row += 1
            last = row - 1
            if group.people:
                S.rating_scale(
                    ws,
                    first,
                    c_skill,
                    last,
                    c_skill + len(d.skills) - 1,
                    d.min_rating,
                    d.max_rating,
                )
            # The team's line: how many are ready, the average per skill.
            self._text(ws, row, 0, "Team", f["total_label"])
            ws.write_blank(row, 1, None, f["total"])
            for i, count in enumerate(group.ready_counts()):
                self._text(ws, row, c_verdict + i, f"{count} of {len(group.people)}", f["total"])
            ws.write_number(row, c_unrated, sum(p.unrated for p in group.people), f["total"])
            for i in range(len(d.skills)):
                rated = [p.ratings[i] for p in group.people if p.ratings[i] is not None]
                if rated:
                    ws.write_number(
                        row,
                        c_skill + i,
                        sum(v for v in rated if v is not None) / len(rated),
                        f["average"],
                    )
                else:
                    ws.write_blank(row, c_skill + i, None, f["total"])
            ws.write_blank(row, c_file, None, f["total"])
            row += 3
        if not groups:
            self._text(ws, row, 0, "No valid workbook: see the Errors sheet.", f["plain"])
        if len(groups) == 1 and header_rows is not None:
            ws.freeze_panes(header_rows[1] + 1, 2)
            ws.repeat_rows(header_rows[0], header_rows[1])
        else:
            ws.freeze_panes(0, 2)
        ws.print_area(0, 0, max(row - 1, 0), c_file)

    # -- Coverage ----------------------------------------------------------------------

    def _coverage(self) -> None:
        f = self.f
        widths = [34, 11, 8, 9, 8, 9, 9, 38, 38]
        ws = self._titled_sheet(
            COVERAGE,
            widths,
            "Coverage: what the team can do, skill by skill",
            "Meets = rated at or above the skill's target; unrated counts as not meeting. "
            "Who could mentor whom: people at the top rating, and people at or below the "
            "priority level, per skill.",
        )
        row = 3
        for group in self.report.groups:
            d = group.definition
            coverage = _coverage(group)
            weakest = _weakest(coverage)
            self._text(ws, row, 0, group.label, f["h2"])
            row += 1
            if weakest:
                listed = "; ".join(
                    f"{c.name} ({c.meets} of {c.people} meet {c.target})" for c in weakest
                )
                self._note(ws, row, f"Weakest mandatory skills: {listed}.", widths, f["weak_line"])
            else:
                self._note(
                    ws, row, "Every mandatory skill is met by everyone.", widths, f["good_line"]
                )
            row += 1
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
                self._text(ws, row, col, head, f["header"])
            header_row = row
            if len(self.report.groups) == 1:
                ws.repeat_rows(header_row)
            row += 1
            weak_names = {c.name for c in weakest}
            for c in coverage:
                mentors, learners = _names(c.mentors), _names(c.learners)
                if not (c.mentors and c.learners):
                    mentors, learners = mentors or "-", learners or "-"
                cells = [(mentors, widths[7]), (learners, widths[8]), (c.name, widths[0])]
                ws.set_row(row, S.row_height(cells, pad=3))
                weak = c.name in weak_names
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
                row += 1
            if coverage:
                ws.conditional_format(
                    header_row + 1,
                    5,
                    row - 1,
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
            row += 2
        if not self.report.groups:
            self._text(ws, row, 0, "No valid workbook: see the Errors sheet.", f["plain"])
        ws.freeze_panes(0, 1)
        ws.print_area(0, 0, max(row - 1, 0), len(widths) - 1)

    # -- Trend -------------------------------------------------------------------------

    def _trend(self) -> None:
        f = self.f
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
            weeks = _trend(group)
            if not weeks:
                continue
            d = group.definition
            self._text(ws, row, 0, group.label, f["h2"])
            row += 1
            ws.set_row(row, 32)
            heads = ["Week", "People with a snapshot"]
            heads += [t.name for t in d.thresholds] + ["Average rating"]
            for col, head in enumerate(heads):
                self._text(ws, row, col, head, f["header"])
            row += 1
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
            row += 2
        ws.freeze_panes(0, 1)
        ws.print_area(0, 0, max(row - 1, 0), 2 + n_thresholds)

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
