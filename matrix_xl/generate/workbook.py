"""Write the competency workbook with xlsxwriter.

Sheets, in order: ``Matrix`` (rating dropdowns, live Status and readiness formulas),
``Improvement Log``, ``Rubric``, ``Interview Prep``, ``References``, ``Guide`` and the hidden
``_matrix_xl`` metadata sheet, which carries the definition so a workbook can be evaluated
without the file it was made from.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> data = build_workbook(owner="Ada", role="ML Engineer")
    >>> data[:2]
    b'PK'
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from matrix_xl import __version__
from matrix_xl.definition import Definition, default_definition
from matrix_xl.errors import MatrixXLError, UsageError
from matrix_xl.rules import evaluate_rules, skill_status
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx import style as S
from matrix_xl.xlsx.cells import MAX_CELL_TEXT, cell_ref, col_letter, has_control

__all__ = ["build_workbook", "write_workbook"]

META_CHUNK = 30_000

GUIDE_WIDTH = 72
MATRIX_WIDTHS = {
    L.COL_SKILL: 36,
    L.COL_MANDATORY: 11,
    L.COL_DEPTH: 28,
    L.COL_EVIDENCE: 34,
    L.COL_RATING: 12,
    L.COL_NOTES: 40,
    L.COL_STATUS: 13,
    L.COL_ID: 24,
}


def build_workbook(
    definition: Definition | None = None,
    *,
    owner: str = "",
    role: str = "",
    created: date | None = None,
    ratings: Mapping[str, int | None] | None = None,
    notes: Mapping[str, str] | None = None,
) -> bytes:
    """Build a competency workbook in memory.

    Args:
        definition: the matrix; the built-in default when ``None``.
        owner: the person rating themselves (the ``Owner`` cell).
        role: the role they measure against.
        created: the creation date kept in the file; today when ``None``. Equal arguments
            give byte-identical files.
        ratings: skill id -> rating to pre-fill (for examples and tests).
        notes: skill id -> gap notes to pre-fill.

    Returns:
        The ``.xlsx`` file's bytes.

    Raises:
        UsageError: a text is longer than a cell can hold.
        MatrixXLError: xlsxwriter refused something (never silently skipped).
    """
    definition = definition or default_definition()
    created = created or date.today()
    for label, text in (("owner", owner), ("role", role)):
        if len(text) > 255 or has_control(text):
            raise UsageError(
                f"the {label} must be one line of at most 255 characters, without control "
                "characters"
            )
    known = {s.id: s for s in definition.skills}
    for sid, value in (ratings or {}).items():
        if sid not in known:
            raise UsageError(f"cannot pre-fill a rating for {sid!r}: not a skill id of the matrix")
        if value is not None and not (
            type(value) is int and definition.min_rating <= value <= definition.max_rating
        ):
            raise UsageError(
                f"cannot pre-fill {sid!r} with {value!r}: a rating is a whole number "
                f"{definition.min_rating}-{definition.max_rating}"
            )
    for sid, note in (notes or {}).items():
        if sid not in known:
            raise UsageError(f"cannot pre-fill a note for {sid!r}: not a skill id of the matrix")
        if has_control(note, allow="\n\t"):
            raise UsageError(f"the note for {sid!r} holds control characters")
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # xlsxwriter warns and skips (an over-long validation message, a bad range...):
        # for us that is a bug to stop on, not a shrug.
        warnings.simplefilter("error")
        try:
            _Writer(buffer, definition, owner, role, created, ratings or {}, notes or {}).write()
        except Warning as exc:
            raise MatrixXLError(f"xlsxwriter refused part of the workbook: {exc}") from None
    return buffer.getvalue()


def write_workbook(
    path: str | Path,
    definition: Definition | None = None,
    *,
    force: bool = False,
    **options: Any,
) -> Path:
    """Write a competency workbook to ``path``; see :func:`build_workbook` for ``options``.

    Args:
        path: where to write; must end in ``.xlsx``.
        definition: the matrix; the built-in default when ``None``.
        force: overwrite an existing file.

    Returns:
        The path written.

    Raises:
        UsageError: the file exists (and ``force`` is false) or the name is not ``.xlsx``.
    """
    from matrix_xl.xlsx.atomic import atomic_write_bytes

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError("the workbook's name must end in .xlsx", path)
    if path.exists() and not force:
        raise UsageError("the file exists; pass --force to overwrite it", path)
    atomic_write_bytes(path, build_workbook(definition, **options))
    return path


class _Writer:
    def __init__(
        self,
        buffer: io.BytesIO,
        definition: Definition,
        owner: str,
        role: str,
        created: date,
        ratings: Mapping[str, int | None],
        notes: Mapping[str, str],
    ) -> None:
        self.d = definition
        self.owner = owner
        self.role = role
        self.created = created
        self.ratings = {s.id: ratings.get(s.id) for s in definition.skills}
        self.notes = notes
        self.layout = L.MatrixLayout(len(definition.skills), len(definition.thresholds))
        self.wb = S.new_workbook(buffer, in_memory=True)
        self.f = self._formats()

    # -- helpers -------------------------------------------------------------------------

    def _formats(self) -> dict[str, Format]:
        wb = self.wb

        def fmt(*parts: Mapping[str, Any], **kw: Any) -> Format:
            return S.cell_format(wb, *parts, **kw)

        grid = {"border": 1, "border_color": S.GRID}
        return {
            "title": fmt(S.TITLE),
            "subtitle": fmt(italic=True, font_color=S.MUTED),
            "label": fmt(bold=True, align="right"),
            "input": fmt(S.INPUT),
            "input_date": fmt(S.INPUT, num_format="yyyy-mm-dd", align="left"),
            "header": fmt(S.HEADER),
            "text": fmt(grid, text_wrap=True),
            "center": fmt(grid, align="center"),
            "rating": fmt(S.INPUT, align="center", bold=True, font_size=12),
            "notes": fmt(S.INPUT, text_wrap=True),
            "status": fmt(grid, align="center"),
            "id": fmt(font_color=S.MUTED, font_size=9),
            "verdict": fmt(S.THIN, bold=True, align="center"),
            "plain": fmt(),
            "muted": fmt(font_color=S.MUTED, text_wrap=True),
            "h2": fmt(S.H2),
            "wrap": fmt(text_wrap=True),
            "number": fmt(align="center"),
            "log_date": fmt(locked=False, num_format="yyyy-mm-dd", align="left"),
            "log_text": fmt(locked=False, text_wrap=True),
            # Conditional formats: colours only, over the cell's own format.
            "good": wb.add_format(S.GOOD),
            "warn": wb.add_format(S.WARN),
            "bad": wb.add_format(S.BAD),
            "grey": wb.add_format(S.GREYED),
        }

    @staticmethod
    def _check(result: int | None, what: str) -> None:
        if result is not None and result < 0:
            raise MatrixXLError(f"xlsxwriter refused {what} (code {result})")

    def _text(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        text: str,
        fmt: Format | None = None,
    ) -> None:
        if len(text) > MAX_CELL_TEXT:
            raise UsageError(
                f"a text for {ws.get_name()}!{cell_ref(row, col)} is {len(text)} characters; "
                f"a cell holds at most {MAX_CELL_TEXT}"
            )
        self._check(S.write_text(ws, row, col, text, fmt), f"text at {cell_ref(row, col)}")

    def _sheet(self, name: str, landscape: bool = True) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        S.page_setup(ws, landscape=landscape)
        return ws

    def _protect(self, ws: Worksheet, **allow: bool) -> None:
        ws.protect("", {"format_columns": True, "format_rows": True, **allow})

    # -- sheets --------------------------------------------------------------------------

    def write(self) -> None:
        self.wb.set_properties(
            {
                "title": f"{self.d.title}" + (f": {self.owner}" if self.owner else ""),
                "subject": "Competency matrix",
                "author": self.owner or "matrix-xl",
                "comments": f"Made by matrix-xl {__version__}",
                "created": datetime(self.created.year, self.created.month, self.created.day),
            }
        )
        self._matrix()
        self._log()
        self._rubric()
        self._questions()
        self._references()
        self._guide()
        self._meta()
        self.wb.close()

    def _matrix(self) -> None:
        d, lay, f = self.d, self.layout, self.f
        ws = self._sheet(L.MATRIX)
        ws.activate()
        for col, width in MATRIX_WIDTHS.items():
            ws.set_column(col, col, width, None, {"hidden": col == L.COL_ID})
        ws.set_row(0, 26)
        ws.merge_range(0, 0, 0, L.COL_STATUS, "", f["title"])
        self._text(ws, 0, 0, d.title + (f": {self.owner}" if self.owner else ""), f["title"])
        self._text(
            ws,
            1,
            0,
            f"Pick each Self-Rating ({d.min_rating}-{d.max_rating}) from its dropdown (the levels "
            "are on the Rubric sheet) and write a concrete action in Gap Notes. Status and "
            "readiness update as you type. Yellow cells are yours to edit.",
            f["subtitle"],
        )

        # Owner block (inputs) and the live verdicts beside it.
        top = lay.block_top
        for i, (label, value) in enumerate(
            zip(L.OWNER_LABELS, (self.owner, self.role, ""), strict=True)
        ):
            self._text(ws, top + i, 0, label, f["label"])
            if label == "Date rated":
                ws.merge_range(top + i, 1, top + i, 2, "", f["input_date"])
                self._check(
                    ws.data_validation(
                        top + i,
                        1,
                        top + i,
                        1,
                        {
                            "validate": "date",
                            "criteria": "between",
                            "minimum": datetime(2000, 1, 1),
                            "maximum": datetime(2100, 12, 31),
                            "input_title": "Date rated",
                            "input_message": "The date of this rating.",
                            "error_title": "Not a date",
                            "error_message": "Enter a date (YYYY-MM-DD).",
                        },
                    ),
                    "the date validation",
                )
            else:
                ws.merge_range(top + i, 1, top + i, 2, "", f["input"])
                self._text(ws, top + i, 1, value, f["input"])

        first, last = lay.first_row, lay.last_row
        mand_rng = (
            f"{cell_ref(first, L.COL_MANDATORY, True)}:{cell_ref(last, L.COL_MANDATORY, True)}"
        )
        rate_rng = f"{cell_ref(first, L.COL_RATING, True)}:{cell_ref(last, L.COL_RATING, True)}"
        verdicts = evaluate_rules(d, self.ratings, with_steps=False)

        # The rules block under the table: one row per condition, live counts.
        rules_top = lay.rules_top
        self._text(ws, rules_top, 0, L.RULES_HEADING, f["h2"])
        for col, head in enumerate(("Rule", "Met by", "Needed", "Met?")):
            self._text(ws, rules_top + 1, col, head, f["header"])
        row = rules_top + 2
        rule_rows: list[list[int]] = []
        for t, v in zip(d.thresholds, verdicts, strict=True):
            rows_of_t = []
            for c, result in zip(t.conditions, v.rules, strict=True):
                if c.scope == "any":
                    count = f'COUNTIF({rate_rng},">={c.level}")'
                else:
                    flag = "Yes" if c.scope == "mandatory" else "No"
                    count = f'COUNTIFS({mand_rng},"{flag}",{rate_rng},">={c.level}")'
                rule_text = f"{t.name}: {c.describe()}"
                ws.set_row(row, S.row_height([(rule_text, MATRIX_WIDTHS[L.COL_SKILL])]))
                self._text(ws, row, 0, rule_text, f["text"])
                self._check(
                    ws.write_formula(row, 1, f"={count}", f["center"], result.have), "a rule count"
                )
                self._check(ws.write_number(row, 2, result.need, f["center"]), "a rule need")
                self._check(
                    ws.write_formula(
                        row,
                        3,
                        f'=IF({cell_ref(row, 1)}>={cell_ref(row, 2)},"met","not met")',
                        f["status"],
                        "met" if result.passed else "not met",
                    ),
                    "a rule check",
                )
                rows_of_t.append(row)
                row += 1
            rule_rows.append(rows_of_t)
        ws.conditional_format(
            rules_top + 2,
            3,
            row - 1,
            3,
            {"type": "cell", "criteria": "==", "value": '"met"', "format": f["good"]},
        )
        ws.conditional_format(
            rules_top + 2,
            3,
            row - 1,
            3,
            {"type": "cell", "criteria": "==", "value": '"not met"', "format": f["warn"]},
        )

        # The verdicts: YES / NOT YET, reachable through workbook-level defined names.
        for i, (t, v, rows_of_t) in enumerate(zip(d.thresholds, verdicts, rule_rows, strict=True)):
            r = top + i
            self._text(ws, r, 3, t.name, f["label"])
            checks = ",".join(f"{cell_ref(x, 1)}>={cell_ref(x, 2)}" for x in rows_of_t)
            self._check(
                ws.write_formula(
                    r,
                    L.COL_RATING,
                    f'=IF(AND({checks}),"YES","NOT YET")',
                    f["verdict"],
                    "YES" if v.ready else "NOT YET",
                ),
                "a verdict formula",
            )
            self.wb.define_name(t.defined_name, f"={L.MATRIX}!{cell_ref(r, L.COL_RATING, True)}")
        rated = sum(1 for x in self.ratings.values() if x is not None)
        r = top + len(d.thresholds)
        self._text(ws, r, 3, "Rated", f["label"])
        self._check(
            ws.write_formula(
                r,
                L.COL_RATING,
                f'=COUNT({rate_rng})&" of {len(d.skills)}"',
                f["center"],
                f"{rated} of {len(d.skills)}",
            ),
            "the rated count",
        )
        verdict_rng = (top, L.COL_RATING, top + len(d.thresholds) - 1, L.COL_RATING)
        ws.conditional_format(
            *verdict_rng, {"type": "cell", "criteria": "==", "value": '"YES"', "format": f["good"]}
        )
        ws.conditional_format(
            *verdict_rng,
            {"type": "cell", "criteria": "==", "value": '"NOT YET"', "format": f["warn"]},
        )

        # The table.
        headers = [
            L.SKILL,
            L.MANDATORY,
            L.DEPTH,
            L.EVIDENCE,
            L.rating_header(d.min_rating, d.max_rating),
            L.GAP_NOTES,
            L.STATUS,
            L.SKILL_ID,
        ]
        ws.set_row(lay.header_row, 32)
        for col, head in enumerate(headers):
            self._text(ws, lay.header_row, col, head, f["header"] if col != L.COL_ID else f["id"])
        for i, skill in enumerate(d.skills):
            r = first + i
            note = self.notes.get(skill.id, "")
            ws.set_row(
                r,
                S.row_height(
                    [
                        (skill.name, MATRIX_WIDTHS[L.COL_SKILL]),
                        (skill.depth, MATRIX_WIDTHS[L.COL_DEPTH]),
                        (skill.evidence, MATRIX_WIDTHS[L.COL_EVIDENCE]),
                        (note, MATRIX_WIDTHS[L.COL_NOTES]),
                    ]
                ),
            )
            self._text(ws, r, L.COL_SKILL, skill.name, f["text"])
            self._text(ws, r, L.COL_MANDATORY, "Yes" if skill.mandatory else "No", f["center"])
            self._text(ws, r, L.COL_DEPTH, skill.depth, f["text"])
            self._text(ws, r, L.COL_EVIDENCE, skill.evidence, f["text"])
            rating = self.ratings[skill.id]
            if rating is None:
                ws.write_blank(r, L.COL_RATING, None, f["rating"])
            else:
                self._check(ws.write_number(r, L.COL_RATING, rating, f["rating"]), "a rating")
            self._text(ws, r, L.COL_NOTES, note, f["notes"])
            e, b = cell_ref(r, L.COL_RATING), cell_ref(r, L.COL_MANDATORY)
            status = (
                f'=IF({e}="","Unrated",IF({e}>={d.target(skill)},"Meets",'
                f'IF(AND({b}="Yes",{e}<={d.priority_at_or_below}),"Priority gap","Below")))'
            )
            self._check(
                ws.write_formula(
                    r, L.COL_STATUS, status, f["status"], skill_status(d, skill, rating)
                ),
                "a status formula",
            )
            self._text(ws, r, L.COL_ID, skill.id, f["id"])

        # Rating dropdown with the rubric as its input message.
        self._check(
            ws.data_validation(
                first,
                L.COL_RATING,
                last,
                L.COL_RATING,
                {
                    "validate": "list",
                    "source": [lv.rating for lv in d.rubric],
                    "input_title": f"Self-rating {d.min_rating}-{d.max_rating}"[:32],
                    "input_message": self._rubric_message(),
                    "error_type": "stop",
                    "error_title": "Pick a rating",
                    "error_message": f"A rating is a whole number from {d.min_rating} to "
                    f"{d.max_rating}: pick one from the dropdown (the Rubric sheet says "
                    "what each means).",
                },
            ),
            "the rating dropdown",
        )
        self._check(
            ws.data_validation(
                first,
                L.COL_NOTES,
                last,
                L.COL_NOTES,
                {
                    "validate": "length",
                    "criteria": "<=",
                    "value": 2000,
                    "ignore_blank": True,
                    "show_input": False,
                    "error_type": "warning",
                    "error_title": "Long note",
                    "error_message": "Gap notes work best as one concrete action, under 2,000 "
                    "characters.",
                },
            ),
            "the notes validation",
        )

        # At a glance: colour scale on ratings, priority gaps in red, status colours.
        S.rating_scale(ws, first, L.COL_RATING, last, L.COL_RATING, d.min_rating, d.max_rating)
        b = f"${col_letter(L.COL_MANDATORY)}{first + 1}"
        e = f"${col_letter(L.COL_RATING)}{first + 1}"
        ws.conditional_format(
            first,
            L.COL_SKILL,
            last,
            L.COL_SKILL,
            {
                "type": "formula",
                "criteria": f'=AND({b}="Yes",{e}<>"",{e}<={d.priority_at_or_below})',
                "format": f["bad"],
            },
        )
        # An unrated mandatory skill is a gap too, shown softer than a low rating so a blank
        # workbook is not a wall of red.
        ws.conditional_format(
            first,
            L.COL_SKILL,
            last,
            L.COL_SKILL,
            {"type": "formula", "criteria": f'=AND({b}="Yes",{e}="")', "format": f["warn"]},
        )
        for value, key in (
            ("Priority gap", "bad"),
            ("Below", "warn"),
            ("Meets", "good"),
            ("Unrated", "grey"),
        ):
            ws.conditional_format(
                first,
                L.COL_STATUS,
                last,
                L.COL_STATUS,
                {"type": "cell", "criteria": "==", "value": f'"{value}"', "format": f[key]},
            )

        self.wb.define_name(
            L.SKILL_NAMES, f"={L.MATRIX}!{cell_ref(first, 0, True)}:{cell_ref(last, 0, True)}"
        )
        self.wb.define_name(L.RATINGS, f"={L.MATRIX}!{rate_rng}")
        ws.freeze_panes(lay.first_row, 1)
        ws.repeat_rows(lay.header_row)
        if len(d.skills) <= 30:
            ws.fit_to_pages(1, 1)  # the whole matrix and its rules on one page
        ws.print_area(0, 0, row, L.COL_STATUS)
        self._protect(ws)

    def _rubric_message(self) -> str:
        full = "\n".join(f"{lv.rating} {lv.definition}: {lv.evidence}" for lv in self.d.rubric)
        if len(full) <= 255:
            return full
        short = "\n".join(f"{lv.rating} {lv.definition}" for lv in self.d.rubric)
        if len(short) <= 255:
            return short
        return f"Ratings {self.d.min_rating}-{self.d.max_rating}: see the Rubric sheet."

    def _log(self) -> None:
        f = self.f
        ws = self._sheet(L.LOG)
        widths = (12, 40, 50, 40)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width, f["log_date"] if col == 0 else f["log_text"])
        self._check(
            ws.add_table(
                0,
                0,
                L.LOG_ROWS,
                len(L.LOG_COLUMNS) - 1,
                {
                    "name": L.LOG_TABLE,
                    "style": "Table Style Light 9",
                    "columns": [
                        {
                            "header": h,
                            "header_format": f["header"],
                            "format": f["log_date"] if i == 0 else f["log_text"],
                        }
                        for i, h in enumerate(L.LOG_COLUMNS)
                    ],
                },
            ),
            "the improvement log table",
        )
        self._check(
            ws.data_validation(
                1,
                0,
                1_048_575,
                0,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": datetime(2000, 1, 1),
                    "maximum": datetime(2100, 12, 31),
                    "input_title": "Date",
                    "input_message": "When you did it (YYYY-MM-DD).",
                    "error_title": "Not a date",
                    "error_message": "Enter a date such as 2026-11-26.",
                },
            ),
            "the log date validation",
        )
        self._check(
            ws.data_validation(
                1,
                1,
                1_048_575,
                1,
                {
                    "validate": "list",
                    "source": f"={L.SKILL_NAMES}",
                    "input_title": "Skill",
                    "input_message": "One of the skills of the Matrix sheet.",
                    "error_type": "stop",
                    "error_title": "Not a skill",
                    "error_message": "Pick the skill from the dropdown (the skills of the "
                    "Matrix sheet).",
                },
            ),
            "the log skill dropdown",
        )
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        self._protect(ws, autofilter=True, sort=True, insert_rows=True, delete_rows=True)

    def _simple_table(
        self, name: str, title: str, headers: list[str], widths: list[int], rows: list[list[str]]
    ) -> Worksheet:
        f = self.f
        ws = self._sheet(name)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.set_row(0, 24)
        self._text(ws, 0, 0, title, f["title"])
        for col, head in enumerate(headers):
            self._text(ws, 2, col, head, f["header"])
        for i, values in enumerate(rows):
            ws.set_row(3 + i, S.row_height(list(zip(values, widths, strict=True))))
            for col, value in enumerate(values):
                self._text(ws, 3 + i, col, value, f["text"])
        ws.freeze_panes(3, 0)
        ws.repeat_rows(2)
        self._protect(ws)
        return ws

    def _rubric(self) -> None:
        ws = self._simple_table(
            L.RUBRIC,
            "Rating rubric",
            ["Rating", "Definition", "Evidence Examples"],
            [10, 24, 60],
            [[str(lv.rating), lv.definition, lv.evidence] for lv in self.d.rubric],
        )
        for i, lv in enumerate(self.d.rubric):
            self._check(ws.write_number(3 + i, 0, lv.rating, self.f["center"]), "a rubric level")

    def _questions(self) -> None:
        rows = [
            [s.name, "Yes" if s.mandatory else "No", q] for s in self.d.skills for q in s.questions
        ]
        self._simple_table(
            L.QUESTIONS,
            "Sample interview questions",
            ["Skill", "Mandatory?", "Sample Interview Questions"],
            [40, 11, 70],
            rows,
        )

    def _references(self) -> None:
        rows = [[s.name, r.section, r.anchor] for s in self.d.skills for r in s.references]
        self._simple_table(
            L.REFERENCES,
            "Reading references",
            ["Skill", "Primary File Section", "External Anchor"],
            [40, 36, 40],
            rows,
        )

    def _guide(self) -> None:
        f, d = self.f, self.d
        ws = self._sheet(L.GUIDE, landscape=False)
        ws.set_column(0, 0, GUIDE_WIDTH, f["wrap"])
        lines: list[tuple[str, str]] = [(d.title + ": how to use this workbook", "title"), ("", "")]
        lines.append(("Every week", "h2"))
        lines += [(f"{i}. {step}", "wrap") for i, step in enumerate(d.usage, 1)]
        lines += [("", ""), ("Readiness thresholds", "h2")]
        for t in d.thresholds:
            where = f"Matrix sheet, defined name {t.defined_name}"
            lines.append((f"{t.name} ({where}): YES when all of these hold:", "wrap"))
            lines += [(f"    - {c.describe()}", "wrap") for c in t.conditions]
            if t.text:
                lines.append((f'    In the matrix\'s words: "{t.text}"', "muted"))
        lines.append(("Unrated skills meet no threshold.", "wrap"))
        lines += [("", ""), ("Status column", "h2")]
        m_target = max((d.target(s) for s in d.skills if s.mandatory), default=d.max_rating)
        o_target = max((d.target(s) for s in d.skills if not s.mandatory), default=d.max_rating)
        lines += [
            (
                f"Meets: at or above the skill's target level (mandatory {m_target}, "
                f"optional {o_target}).",
                "wrap",
            ),
            (
                f"Priority gap: a mandatory skill rated {d.priority_at_or_below} or less: work on "
                "these before any optional skill.",
                "wrap",
            ),
            ("Below: under its target, not a priority gap.", "wrap"),
            ("Unrated: no rating yet.", "wrap"),
            ("", ""),
            ("Keeping it up to date", "h2"),
            ("Save the workbook, then run:  matrix-xl evaluate <this file>.xlsx", "wrap"),
            (
                "It checks every cell, writes a Summary sheet (verdicts, priorities, the least "
                "steps to each threshold, sample questions and references), keeps a weekly "
                "History, and adds an Improvement Log entry for each rating that changed. "
                "Nothing you typed is changed.",
                "wrap",
            ),
        ]
        for i, (text, style) in enumerate(lines):
            if text:
                ws.set_row(i, 24 if style == "title" else S.row_height([(text, GUIDE_WIDTH)]))
                self._text(ws, i, 0, text, f[style] if style else None)
        ws.print_area(0, 0, len(lines), 0)
        self._protect(ws)

    def _meta(self) -> None:
        ws = self.wb.add_worksheet(L.META)
        ws.hide()
        d = self.d
        rows: list[tuple[str, str]] = [
            ("format_version", str(L.FORMAT_VERSION)),
            ("generator", f"matrix-xl {__version__}"),
            ("owner", self.owner),
            ("role", self.role),
            ("created", self.created.isoformat()),
            ("definition_fingerprint", d.fingerprint()),
            ("matrix_header_row", str(self.layout.header_row + 1)),
        ]
        self._text(ws, 0, 0, "matrix-xl metadata: do not edit this sheet", self.f["muted"])
        for i, (key, value) in enumerate(rows, start=1):
            self._text(ws, i, 0, key)
            self._text(ws, i, 1, value)
        blob = d.to_json()
        r = len(rows) + 1
        self._text(ws, r, 0, "definition")
        for j in range(0, max(1, len(blob)), META_CHUNK):
            self._text(ws, r, 1 + j // META_CHUNK, blob[j : j + META_CHUNK])
        self._protect(ws)
