"""The Matrix sheet of the personal workbook: the owner block and the live verdicts beside
it, the skill table (rating dropdowns, gap notes, Status formulas) and the rules block
under it, which counts each readiness condition by formula.

Every formula is written with its cached value, computed by :mod:`matrix_xl.rules`, so a
reader that does not recalculate (a mail preview, python-calamine) sees the same verdicts
as a spreadsheet app. Positions come from :class:`matrix_xl.xlsx.layout.MatrixLayout`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from matrix_xl.definition import Condition, Definition, Skill
from matrix_xl.generate.book import Book, check, date_rule
from matrix_xl.rules import RuleResult, Verdict, evaluate_rules, skill_status
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx import style as S
from matrix_xl.xlsx.cells import cell_ref, col_letter

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

__all__ = ["MATRIX_WIDTHS", "MatrixSheet"]

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
ONE_PAGE_SKILLS = 30  # up to this many skills, the matrix and its rules print on one page
MAX_NOTE = 2000  # gap notes longer than this are warned about (a note is one action)


class MatrixSheet:
    """Writes the Matrix sheet into a :class:`~matrix_xl.generate.book.Book`."""

    def __init__(
        self,
        book: Book,
        definition: Definition,
        *,
        owner: str,
        role: str,
        ratings: Mapping[str, int | None],
        notes: Mapping[str, str],
    ) -> None:
        self.book, self.f, self.d = book, book.f, definition
        self.owner, self.role = owner, role
        self.ratings = ratings
        self.notes = notes
        self.layout = L.MatrixLayout(len(definition.skills), len(definition.thresholds))

    def write(self) -> None:
        """Write the sheet, section by section, top to bottom.

        The order of the calls is the file's: strings and conditional formats are numbered
        as they are written, so moving a section changes the bytes (and the committed
        templates must then be rebuilt with scripts/build_templates.py).
        """
        lay = self.layout
        ws = self.book.sheet(
            L.MATRIX,
            pages_tall=1 if len(self.d.skills) <= ONE_PAGE_SKILLS else 0,
            repeat=(lay.header_row, lay.header_row),
        )
        ws.activate()
        self._title(ws)
        self._owner_block(ws)
        verdicts = evaluate_rules(self.d, self.ratings, with_steps=False)
        rule_rows, end = self._rules_block(ws, verdicts)
        self._verdicts(ws, verdicts, rule_rows)
        self._table_header(ws)
        for i, skill in enumerate(self.d.skills):
            self._skill_row(ws, lay.first_row + i, skill)
        self._rating_dropdown(ws)
        self._notes_validation(ws)
        self._table_colours(ws)
        self._names()
        ws.freeze_panes(lay.first_row, 1)
        ws.print_area(0, 0, end, L.COL_STATUS)
        self.book.protect(ws)

    def _range(self, col: int) -> str:
        """The skill rows of ``col``, absolute: ``$E$8:$E$28``."""
        lay = self.layout
        return f"{cell_ref(lay.first_row, col, True)}:{cell_ref(lay.last_row, col, True)}"

    # -- title -----------------------------------------------------------------------------

    def _title(self, ws: Worksheet) -> None:
        d, f = self.d, self.f
        for col, width in MATRIX_WIDTHS.items():
            ws.set_column(col, col, width, None, {"hidden": col == L.COL_ID})
        ws.set_row(0, 26)
        ws.merge_range(0, 0, 0, L.COL_STATUS, "", f["title"])
        self.book.text(ws, 0, 0, d.title + (f": {self.owner}" if self.owner else ""), f["title"])
        self.book.text(
            ws,
            1,
            0,
            f"Pick each Self-Rating ({d.min_rating}-{d.max_rating}) from its dropdown (the levels "
            "are on the Rubric sheet) and write a concrete action in Gap Notes. Status and "
            "readiness update as you type. Yellow cells are yours to edit.",
            f["subtitle"],
        )

    # -- owner block: the person's inputs, top left ----------------------------------------

    def _owner_block(self, ws: Worksheet) -> None:
        f, top = self.f, self.layout.block_top
        values = (self.owner, self.role, "")
        for i, (label, value) in enumerate(zip(L.OWNER_LABELS, values, strict=True)):
            self.book.text(ws, top + i, 0, label, f["label"])
            if label == "Date rated":
                ws.merge_range(top + i, 1, top + i, 2, "", f["input_date"])
                rule = date_rule(
                    "Date rated", "The date of this rating.", "Enter a date (YYYY-MM-DD)."
                )
                check(ws.data_validation(top + i, 1, top + i, 1, rule), "the date validation")
            else:
                ws.merge_range(top + i, 1, top + i, 2, "", f["input"])
                self.book.text(ws, top + i, 1, value, f["input"])

    # -- rules block: one row per condition under the table, live counts -------------------

    def _rules_block(
        self, ws: Worksheet, verdicts: Sequence[Verdict]
    ) -> tuple[list[list[int]], int]:
        """The rules block; returns each threshold's rule rows and the row after the block."""
        f, top = self.f, self.layout.rules_top
        self.book.text(ws, top, 0, L.RULES_HEADING, f["h2"])
        for col, head in enumerate(("Rule", "Met by", "Needed", "Met?")):
            self.book.text(ws, top + 1, col, head, f["header"])
        row = top + 2
        rule_rows: list[list[int]] = []
        for t, v in zip(self.d.thresholds, verdicts, strict=True):
            rows_of_t = []
            for c, result in zip(t.conditions, v.rules, strict=True):
                self._rule_row(ws, row, f"{t.name}: {c.describe()}", c, result)
                rows_of_t.append(row)
                row += 1
            rule_rows.append(rows_of_t)
        for value, key in (('"met"', "good"), ('"not met"', "warn")):
            ws.conditional_format(
                top + 2,
                3,
                row - 1,
                3,
                {"type": "cell", "criteria": "==", "value": value, "format": f[key]},
            )
        return rule_rows, row

    def _rule_row(
        self, ws: Worksheet, row: int, text: str, c: Condition, result: RuleResult
    ) -> None:
        """A condition: its text, how many skills meet it (formula), how many it needs, met?"""
        f = self.f
        if c.scope == "any":
            count = f'COUNTIF({self._range(L.COL_RATING)},">={c.level}")'
        else:
            flag = "Yes" if c.scope == "mandatory" else "No"
            count = (
                f'COUNTIFS({self._range(L.COL_MANDATORY)},"{flag}",'
                f'{self._range(L.COL_RATING)},">={c.level}")'
            )
        ws.set_row(row, S.row_height([(text, MATRIX_WIDTHS[L.COL_SKILL])]))
        self.book.text(ws, row, 0, text, f["text"])
        check(ws.write_formula(row, 1, f"={count}", f["center"], result.have), "a rule count")
        check(ws.write_number(row, 2, result.need, f["center"]), "a rule need")
        met = f'=IF({cell_ref(row, 1)}>={cell_ref(row, 2)},"met","not met")'
        cached = "met" if result.passed else "not met"
        check(ws.write_formula(row, 3, met, f["status"], cached), "a rule check")

    # -- verdicts: YES / NOT YET beside the owner block, one defined name each -------------

    def _verdicts(
        self, ws: Worksheet, verdicts: Sequence[Verdict], rule_rows: Sequence[Sequence[int]]
    ) -> None:
        d, f, top = self.d, self.f, self.layout.block_top
        for i, (t, v, rows_of_t) in enumerate(zip(d.thresholds, verdicts, rule_rows, strict=True)):
            r = top + i
            self.book.text(ws, r, 3, t.name, f["label"])
            checks = ",".join(f"{cell_ref(x, 1)}>={cell_ref(x, 2)}" for x in rows_of_t)
            formula = f'=IF(AND({checks}),"YES","NOT YET")'
            cached = "YES" if v.ready else "NOT YET"
            check(
                ws.write_formula(r, L.COL_RATING, formula, f["verdict"], cached),
                "a verdict formula",
            )
            self.book.wb.define_name(
                t.defined_name, f"={L.MATRIX}!{cell_ref(r, L.COL_RATING, True)}"
            )
        self._rated_count(ws, top + len(d.thresholds))
        cells = (top, L.COL_RATING, top + len(d.thresholds) - 1, L.COL_RATING)
        for value, key in (('"YES"', "good"), ('"NOT YET"', "warn")):
            ws.conditional_format(
                *cells, {"type": "cell", "criteria": "==", "value": value, "format": f[key]}
            )

    def _rated_count(self, ws: Worksheet, r: int) -> None:
        n, f = len(self.d.skills), self.f
        rated = sum(1 for x in self.ratings.values() if x is not None)
        self.book.text(ws, r, 3, "Rated", f["label"])
        formula = f'=COUNT({self._range(L.COL_RATING)})&" of {n}"'
        check(
            ws.write_formula(r, L.COL_RATING, formula, f["center"], f"{rated} of {n}"),
            "the rated count",
        )

    # -- the skill table -------------------------------------------------------------------

    def _table_header(self, ws: Worksheet) -> None:
        d, f, row = self.d, self.f, self.layout.header_row
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
        ws.set_row(row, 32)
        for col, head in enumerate(headers):
            self.book.text(ws, row, col, head, f["header"] if col != L.COL_ID else f["id"])

    def _skill_row(self, ws: Worksheet, r: int, skill: Skill) -> None:
        f, text = self.f, self.book.text
        note = self.notes.get(skill.id, "")
        cells = [
            (skill.name, MATRIX_WIDTHS[L.COL_SKILL]),
            (skill.depth, MATRIX_WIDTHS[L.COL_DEPTH]),
            (skill.evidence, MATRIX_WIDTHS[L.COL_EVIDENCE]),
            (note, MATRIX_WIDTHS[L.COL_NOTES]),
        ]
        ws.set_row(r, S.row_height(cells))
        text(ws, r, L.COL_SKILL, skill.name, f["text"])
        text(ws, r, L.COL_MANDATORY, "Yes" if skill.mandatory else "No", f["center"])
        text(ws, r, L.COL_DEPTH, skill.depth, f["text"])
        text(ws, r, L.COL_EVIDENCE, skill.evidence, f["text"])
        rating = self.ratings[skill.id]
        if rating is None:
            ws.write_blank(r, L.COL_RATING, None, f["rating"])
        else:
            check(ws.write_number(r, L.COL_RATING, rating, f["rating"]), "a rating")
        text(ws, r, L.COL_NOTES, note, f["notes"])
        self._status(ws, r, skill, rating)
        text(ws, r, L.COL_ID, skill.id, f["id"])

    def _status(self, ws: Worksheet, r: int, skill: Skill, rating: int | None) -> None:
        """The row's Status, live: Unrated, Meets, Priority gap or Below."""
        d = self.d
        e, b = cell_ref(r, L.COL_RATING), cell_ref(r, L.COL_MANDATORY)
        status = (
            f'=IF({e}="","Unrated",IF({e}>={d.target(skill)},"Meets",'
            f'IF(AND({b}="Yes",{e}<={d.priority_at_or_below}),"Priority gap","Below")))'
        )
        cached = skill_status(d, skill, rating)
        check(
            ws.write_formula(r, L.COL_STATUS, status, self.f["status"], cached), "a status formula"
        )

    # -- rating dropdown and notes validation ----------------------------------------------

    def _rating_dropdown(self, ws: Worksheet) -> None:
        """The rating dropdown, with the rubric as its input message."""
        d, lay = self.d, self.layout
        rule = {
            "validate": "list",
            "source": [lv.rating for lv in d.rubric],
            "input_title": f"Self-rating {d.min_rating}-{d.max_rating}"[:32],
            "input_message": self._rubric_message(),
            "error_type": "stop",
            "error_title": "Pick a rating",
            "error_message": f"A rating is a whole number from {d.min_rating} to "
            f"{d.max_rating}: pick one from the dropdown (the Rubric sheet says "
            "what each means).",
        }
        cells = (lay.first_row, L.COL_RATING, lay.last_row, L.COL_RATING)
        check(ws.data_validation(*cells, rule), "the rating dropdown")

    def _rubric_message(self) -> str:
        # An input message holds 255 characters: the full rubric, else its names, else a
        # pointer to the Rubric sheet.
        full = "\n".join(f"{lv.rating} {lv.definition}: {lv.evidence}" for lv in self.d.rubric)
        if len(full) <= 255:
            return full
        short = "\n".join(f"{lv.rating} {lv.definition}" for lv in self.d.rubric)
        if len(short) <= 255:
            return short
        return f"Ratings {self.d.min_rating}-{self.d.max_rating}: see the Rubric sheet."

    def _notes_validation(self, ws: Worksheet) -> None:
        lay = self.layout
        rule = {
            "validate": "length",
            "criteria": "<=",
            "value": MAX_NOTE,
            "ignore_blank": True,
            "show_input": False,
            "error_type": "warning",
            "error_title": "Long note",
            "error_message": "Gap notes work best as one concrete action, under 2,000 characters.",
        }
        cells = (lay.first_row, L.COL_NOTES, lay.last_row, L.COL_NOTES)
        check(ws.data_validation(*cells, rule), "the notes validation")

    # -- at a glance: colour scale on ratings, gaps in red, status colours -----------------

    def _table_colours(self, ws: Worksheet) -> None:
        d, f = self.d, self.f
        first, last = self.layout.first_row, self.layout.last_row
        S.rating_scale(ws, first, L.COL_RATING, last, L.COL_RATING, d.min_rating, d.max_rating)
        b = f"${col_letter(L.COL_MANDATORY)}{first + 1}"
        e = f"${col_letter(L.COL_RATING)}{first + 1}"
        # An unrated mandatory skill is a gap too, shown softer than a low rating so a blank
        # workbook is not a wall of red.
        for criteria, key in (
            (f'=AND({b}="Yes",{e}<>"",{e}<={d.priority_at_or_below})', "bad"),
            (f'=AND({b}="Yes",{e}="")', "warn"),
        ):
            ws.conditional_format(
                first,
                L.COL_SKILL,
                last,
                L.COL_SKILL,
                {"type": "formula", "criteria": criteria, "format": f[key]},
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

    def _names(self) -> None:
        """Workbook-level names over the skill and rating columns (the log's dropdown, tools)."""
        lay = self.layout
        skills = f"{cell_ref(lay.first_row, 0, True)}:{cell_ref(lay.last_row, 0, True)}"
        self.book.wb.define_name(L.SKILL_NAMES, f"={L.MATRIX}!{skills}")
        self.book.wb.define_name(L.RATINGS, f"={L.MATRIX}!{self._range(L.COL_RATING)}")
