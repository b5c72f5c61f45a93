"""Write the competency workbook with xlsxwriter.

Sheets, in order: ``Matrix`` (rating dropdowns, live Status and readiness formulas; see
:mod:`matrix_xl.generate.matrix_sheet`), ``Improvement Log``, ``Rubric``,
``Interview Prep``, ``References``, ``Guide`` and the hidden ``_matrix_xl`` metadata sheet,
which carries the definition so a workbook can be evaluated without the file it was made
from.

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
from typing import TYPE_CHECKING, Any

from matrix_xl import __version__
from matrix_xl.definition import Definition, default_definition
from matrix_xl.errors import InternalError, UsageError
from matrix_xl.generate.book import Book, check, date_rule
from matrix_xl.generate.matrix_sheet import MatrixSheet
from matrix_xl.generate.names import default_workbook_name, owner_field_problem
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx import style as S
from matrix_xl.xlsx.cells import has_control

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

__all__ = ["build_workbook", "write_workbook"]

META_CHUNK = 30_000  # characters of the definition's JSON per metadata cell
GUIDE_WIDTH = 72
LOG_WIDTHS = (12, 40, 50, 40)
LAST_ROW = 1_048_575  # the sheet's last row (0-based): log validations cover every row


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
        InternalError: xlsxwriter refused something (never silently skipped).
    """
    definition = definition or default_definition()
    created = created or date.today()
    ratings, notes = ratings or {}, notes or {}
    for label, text in (("owner", owner), ("role", role)):
        problem = owner_field_problem(label, text)
        if problem:
            raise UsageError(problem)
    _check_prefill(definition, ratings, notes)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # xlsxwriter warns and skips (an over-long validation message, a bad range...):
        # for us that is a bug to stop on, not a shrug.
        warnings.simplefilter("error")
        try:
            _Writer(buffer, definition, owner, role, created, ratings, notes).write()
        except Warning as exc:
            raise InternalError(f"xlsxwriter refused part of the workbook: {exc}") from None
    return buffer.getvalue()


def _check_prefill(
    definition: Definition, ratings: Mapping[str, int | None], notes: Mapping[str, str]
) -> None:
    """Refuse pre-filled ratings and notes the workbook could not hold as typed."""
    known = {s.id for s in definition.skills}
    low, high = definition.min_rating, definition.max_rating
    for sid, value in ratings.items():
        if sid not in known:
            raise UsageError(f"cannot pre-fill a rating for {sid!r}: not a skill id of the matrix")
        if value is not None and not (type(value) is int and low <= value <= high):
            raise UsageError(
                f"cannot pre-fill {sid!r} with {value!r}: a rating is a whole number {low}-{high}"
            )
    for sid, note in notes.items():
        if sid not in known:
            raise UsageError(f"cannot pre-fill a note for {sid!r}: not a skill id of the matrix")
        if has_control(note, allow="\n\t"):
            raise UsageError(f"the note for {sid!r} holds control characters")


def write_workbook(
    path: str | Path | None = None,
    definition: Definition | None = None,
    *,
    force: bool = False,
    **options: Any,
) -> Path:
    """Write a competency workbook to ``path``; see :func:`build_workbook` for ``options``.

    Args:
        path: where to write; must end in ``.xlsx``. ``None`` names it after the owner in
            the current folder (see :func:`~matrix_xl.generate.names.default_workbook_name`).
        definition: the matrix; the built-in default when ``None``.
        force: overwrite an existing file.

    Returns:
        The path written.

    Raises:
        UsageError: the file exists (and ``force`` is false) or the name is not ``.xlsx``.
    """
    from matrix_xl.xlsx.atomic import atomic_write_bytes

    path = Path(path if path is not None else default_workbook_name(options.get("owner", "")))
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
        self.book = Book(buffer)
        self.f = self.book.f
        self.text = self.book.text

    def write(self) -> None:
        self._properties()
        MatrixSheet(
            self.book,
            self.d,
            owner=self.owner,
            role=self.role,
            ratings=self.ratings,
            notes=self.notes,
        ).write()
        self._log()
        self._rubric()
        self._questions()
        self._references()
        self._guide()
        self._meta()
        self.book.wb.close()

    def _properties(self) -> None:
        self.book.wb.set_properties(
            {
                "title": f"{self.d.title}" + (f": {self.owner}" if self.owner else ""),
                "subject": "Competency matrix",
                "author": self.owner or "matrix-xl",
                "comments": f"Made by matrix-xl {__version__}",
                "created": datetime(self.created.year, self.created.month, self.created.day),
            }
        )

    # -- Improvement Log: a table to type into ------------------------------------------------

    def _log(self) -> None:
        f = self.f
        ws = self.book.sheet(L.LOG, repeat=(0, 0))
        for col, width in enumerate(LOG_WIDTHS):
            ws.set_column(col, col, width, f["log_date"] if col == 0 else f["log_text"])
        self._log_table(ws)
        self._log_validations(ws)
        ws.freeze_panes(1, 0)
        self.book.protect(ws, autofilter=True, sort=True, insert_rows=True, delete_rows=True)

    def _log_table(self, ws: Worksheet) -> None:
        f = self.f
        columns = [
            {
                "header": h,
                "header_format": f["header"],
                "format": f["log_date"] if i == 0 else f["log_text"],
            }
            for i, h in enumerate(L.LOG_COLUMNS)
        ]
        options = {"name": L.LOG_TABLE, "style": "Table Style Light 9", "columns": columns}
        check(
            ws.add_table(0, 0, L.LOG_ROWS, len(L.LOG_COLUMNS) - 1, options),
            "the improvement log table",
        )

    def _log_validations(self, ws: Worksheet) -> None:
        """A date in the Date column, a skill of the Matrix in the Skill column."""
        dated = date_rule(
            "Date", "When you did it (YYYY-MM-DD).", "Enter a date such as 2026-11-26."
        )
        check(ws.data_validation(1, 0, LAST_ROW, 0, dated), "the log date validation")
        skill = {
            "validate": "list",
            "source": f"={L.SKILL_NAMES}",
            "input_title": "Skill",
            "input_message": "One of the skills of the Matrix sheet.",
            "error_type": "stop",
            "error_title": "Not a skill",
            "error_message": "Pick the skill from the dropdown (the skills of the Matrix sheet).",
        }
        check(ws.data_validation(1, 1, LAST_ROW, 1, skill), "the log skill dropdown")

    # -- Rubric, Interview Prep, References: read-only tables ------------------------------

    def _simple_table(
        self, name: str, title: str, headers: list[str], widths: list[int], rows: list[list[str]]
    ) -> Worksheet:
        f = self.f
        ws = self.book.sheet(name, repeat=(2, 2))
        S.set_widths(ws, widths)
        ws.set_row(0, 24)
        self.text(ws, 0, 0, title, f["title"])
        for col, head in enumerate(headers):
            self.text(ws, 2, col, head, f["header"])
        for i, values in enumerate(rows):
            ws.set_row(3 + i, S.row_height(zip(values, widths, strict=True)))
            for col, value in enumerate(values):
                self.text(ws, 3 + i, col, value, f["text"])
        ws.freeze_panes(3, 0)
        self.book.protect(ws)
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
            check(ws.write_number(3 + i, 0, lv.rating, self.f["center"]), "a rubric level")

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

    # -- Guide: a page of prose, made from the definition ----------------------------------

    def _guide(self) -> None:
        f = self.f
        ws = self.book.sheet(L.GUIDE, landscape=False)
        ws.set_column(0, 0, GUIDE_WIDTH, f["wrap"])
        lines: list[tuple[str, str]] = [
            (self.d.title + ": how to use this workbook", "title"),
            ("", ""),
            ("Every week", "h2"),
        ]
        lines += [(f"{i}. {step}", "wrap") for i, step in enumerate(self.d.usage, 1)]
        lines += self._guide_thresholds() + self._guide_status() + self._guide_evaluate()
        for i, (text, style) in enumerate(lines):
            if text:
                ws.set_row(i, 24 if style == "title" else S.row_height([(text, GUIDE_WIDTH)]))
                self.text(ws, i, 0, text, f[style] if style else None)
        ws.print_area(0, 0, len(lines), 0)
        self.book.protect(ws)

    def _guide_thresholds(self) -> list[tuple[str, str]]:
        lines = [("", ""), ("Readiness thresholds", "h2")]
        for t in self.d.thresholds:
            where = f"Matrix sheet, defined name {t.defined_name}"
            lines.append((f"{t.name} ({where}): YES when all of these hold:", "wrap"))
            lines += [(f"    - {c.describe()}", "wrap") for c in t.conditions]
            if t.text:
                lines.append((f'    In the matrix\'s words: "{t.text}"', "muted"))
        lines.append(("Unrated skills meet no threshold.", "wrap"))
        return lines

    def _guide_status(self) -> list[tuple[str, str]]:
        d = self.d
        m_target = max((d.target(s) for s in d.skills if s.mandatory), default=d.max_rating)
        o_target = max((d.target(s) for s in d.skills if not s.mandatory), default=d.max_rating)
        return [
            ("", ""),
            ("Status column", "h2"),
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
        ]

    @staticmethod
    def _guide_evaluate() -> list[tuple[str, str]]:
        return [
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

    # -- _matrix_xl: the hidden metadata sheet ---------------------------------------------

    def _meta(self) -> None:
        ws = self.book.wb.add_worksheet(L.META)
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
        self.text(ws, 0, 0, "matrix-xl metadata: do not edit this sheet", self.f["muted"])
        for i, (key, value) in enumerate(rows, start=1):
            self.text(ws, i, 0, key)
            self.text(ws, i, 1, value)
        blob = d.to_json()
        r = len(rows) + 1
        self.text(ws, r, 0, "definition")
        for j in range(0, max(1, len(blob)), META_CHUNK):
            self.text(ws, r, 1 + j // META_CHUNK, blob[j : j + META_CHUNK])
        self.book.protect(ws)
