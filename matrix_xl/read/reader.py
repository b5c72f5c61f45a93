"""Read a filled competency workbook back, whatever app saved it.

Values come from python-calamine (an order of magnitude faster than openpyxl); the file
is checked cheaply for hostile content first (:mod:`matrix_xl.read.package`). Columns are
found by their header text, rows are matched to skills by the hidden skill id and then by
name, so moved columns, extra columns, blank rows and title rows all still read.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> result = read_workbook(build_workbook(owner="Ada"), name="ada.xlsx")
    >>> result.owner, len(result.rows)
    ('Ada', 21)
"""

from __future__ import annotations

import difflib
import functools
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from matrix_xl.definition import Definition, default_definition, definition_from_json
from matrix_xl.errors import DefinitionError, UnreadableWorkbookError, WorkbookTooLargeError
from matrix_xl.findings import Finding
from matrix_xl.read.guard import calamine_guard
from matrix_xl.read.history import parse_history
from matrix_xl.read.limits import Limits
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.package import PackageInfo, check_package
from matrix_xl.read.rows import HistoryRow, LogRow, RatingRow
from matrix_xl.read.source import read_source
from matrix_xl.read.values import cell_text, parse_date, parse_day, parse_rating
from matrix_xl.read.xmlscan import elements, formula_cells
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter, strip_control

__all__ = ["HEADER_SCAN_ROWS", "read_workbook"]

HEADER_SCAN_ROWS = 60

_COLUMNS = {
    "skill": L.normalise_header(L.SKILL),
    "mandatory": L.normalise_header(L.MANDATORY),
    "depth": L.normalise_header(L.DEPTH),
    "evidence": L.normalise_header(L.EVIDENCE),
    "rating": "self-rating",
    "notes": L.normalise_header(L.GAP_NOTES),
    "status": L.normalise_header(L.STATUS),
    "id": L.normalise_header(L.SKILL_ID),
}
_HEADER_TEXT = {
    "skill": L.SKILL,
    "mandatory": L.MANDATORY,
    "rating": "Self-Rating (1-5)",
    "notes": L.GAP_NOTES,
}
_KNOWN_HEADERS = set(_COLUMNS.values())

_DEFINITIONS: dict[str, Definition] = {}

_norm = L.normalise_header  # remembered there: headers recur in every workbook


@functools.lru_cache(maxsize=4096)
def _header_hit(value: Any) -> int:
    # 1 for a cell naming a matrix column, else 0; remembered, and mapped over a row in C.
    # (Cell values are str, int, float, bool, date, time or timedelta: all hashable.)
    if not isinstance(value, str):
        return 0
    n = _norm(value)
    return 1 if n in _KNOWN_HEADERS or n.startswith("self-rating") else 0


# id(definition) -> (definition, skills by id, skill ids by normalised name); the
# definition is kept so that its id cannot be reused while the entry lives.
_SKILL_MAPS: dict[int, tuple[Definition, dict[str, Any], dict[str, str]]] = {}


def _skill_maps(definition: Definition) -> tuple[dict[str, Any], dict[str, str]]:
    cached = _SKILL_MAPS.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1], cached[2]
    by_id = {s.id: s for s in definition.skills}
    by_name: dict[str, str] = {}
    for s in definition.skills:
        by_name.setdefault(L.normalise_header(s.name), s.id)
    for s in definition.skills:  # the name without its parenthesis, when unambiguous
        by_name.setdefault(L.normalise_header(re.sub(r"\(.*?\)", "", s.name)), s.id)
    if len(_SKILL_MAPS) >= 64:
        _SKILL_MAPS.clear()
    _SKILL_MAPS[id(definition)] = (definition, by_id, by_name)
    return by_id, by_name


def read_workbook(
    source: str | Path | bytes, *, name: str | None = None, limits: Limits | None = None
) -> MatrixRead:
    """Read a competency workbook from a path or from bytes.

    Args:
        source: a path to an ``.xlsx``/``.xlsm`` file, or the file's bytes.
        name: the name to use in messages when ``source`` is bytes.
        limits: size limits checked before parsing.

    Returns:
        The workbook's content; problems with the data itself are in ``findings`` and
        :func:`matrix_xl.validation.schemas.validate` checks the rest.

    Raises:
        UnreadableWorkbookError: the file is not a readable matrix workbook (corrupt,
            hostile, encrypted, legacy ``.xls``, no matrix table or a required column
            missing). The file is never modified.
    """
    limits = limits or Limits()
    data, display = read_source(source, name, limits=limits)
    package = check_package(data, display, limits)
    # Only calamine's own calls are guarded: a bug of ours must not pass for a bad file.
    with calamine_guard(display):
        from python_calamine import CalamineWorkbook  # heavy: only a read needs it

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_names = list(book.sheet_names)
    meta = _read_meta(book, display) if L.META in sheet_names else None
    return _Reader(book, package, display, sheet_names, meta, limits).read()


def _cells(book: Any, sheet: str, limits: Limits, display: str) -> list[list[Any]]:
    with calamine_guard(display):
        rows: list[list[Any]] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    if len(rows) > limits.max_rows:
        raise WorkbookTooLargeError(
            f"sheet {sheet!r} holds {len(rows):,} rows; a matrix workbook has at most "
            f"{limits.max_rows:,}",
            display,
        )
    return rows


# -- the hidden metadata sheet -------------------------------------------------------------


def _read_meta(book: Any, display: str) -> dict[str, Any]:
    with calamine_guard(display):
        rows = book.get_sheet_by_name(L.META).to_python(skip_empty_area=False)
    meta: dict[str, Any] = {}
    for row in rows[1:200]:
        if not row or not isinstance(row[0], str) or not row[0]:
            continue
        if row[0] == "definition":
            meta["definition"] = "".join(cell_text(v) for v in row[1:])
        else:
            meta[row[0]] = cell_text(row[1]) if len(row) > 1 else ""
    return meta


def _definition_from_meta(meta: dict[str, Any], display: str) -> Definition:
    version = meta.get("format_version", "")
    if version != str(L.FORMAT_VERSION):
        raise UnreadableWorkbookError(
            f"the workbook's matrix-xl format is {version or 'missing'!s}; this matrix-xl "
            f"reads format {L.FORMAT_VERSION}. Upgrade matrix-xl or regenerate the workbook.",
            display,
        )
    blob = meta.get("definition", "")
    cached = _DEFINITIONS.get(blob)
    if cached is not None:
        return cached
    try:
        definition = definition_from_json(blob, f"{display}, sheet {L.META}")
    except DefinitionError as exc:
        detail = exc.message
        raise UnreadableWorkbookError(
            f"the definition kept on the hidden {L.META} sheet is damaged or unusable "
            f"({detail}); regenerate the workbook with "
            "`matrix-xl new` and copy the ratings over",
            display,
        ) from None
    if len(_DEFINITIONS) < 64:
        _DEFINITIONS[blob] = definition
    return definition


# -- the matrix table ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """Where the matrix table is: its sheet, the sheet's cells, its header row, its columns."""

    sheet: str
    rows: list[list[Any]]
    header_row: int  # 0-based
    columns: dict[str, int]  # column key (see _COLUMNS) -> 0-based column

    def value(self, row: list[Any], key: str) -> Any:
        col = self.columns.get(key)
        return row[col] if col is not None and col < len(row) else None

    def ref(self, key: str, i: int) -> str:
        """The A1 reference of column ``key`` on 0-based row ``i``."""
        return f"{col_letter(self.columns[key])}{i + 1}"


class _Reader:
    def __init__(
        self,
        book: Any,
        package: PackageInfo,
        display: str,
        sheet_names: list[str],
        meta: dict[str, Any] | None,
        limits: Limits,
    ) -> None:
        self.book = book
        self.package = package
        self.display = display
        self.sheet_names = sheet_names
        self.meta = meta
        self.limits = limits
        self.findings: list[Finding] = []

    def _finding(self, severity: str, sheet: str, cell: str, skill: str, message: str) -> None:
        self.findings.append(Finding(severity, sheet, cell, skill, message, self.display))

    def read(self) -> MatrixRead:
        if self.meta is not None:
            definition, embedded = _definition_from_meta(self.meta, self.display), True
        else:
            definition, embedded = default_definition(), False
        table = self._find_matrix()
        if not embedded:
            self._finding(
                "warning",
                table.sheet,
                "",
                "",
                "no matrix-xl metadata sheet: read against the built-in matrix by skill name "
                "(make a workbook with `matrix-xl new` to keep your own definition in it)",
            )
        owner, role, date_rated, date_cell = self._owner_block(table)
        rating_rows = self._skill_rows(definition, table)
        log_sheet, log_columns, log_rows = self._log()
        history_sheet, history = self._history(definition)
        meta = self.meta or {}
        return MatrixRead(
            name=self.display,
            definition=definition,
            embedded=embedded,
            sheet=table.sheet,
            owner=owner or meta.get("owner", ""),
            role=role or meta.get("role", ""),
            date_rated=date_rated,
            date_rated_cell=date_cell,
            created=parse_date(meta.get("created", "")) if self.meta else None,
            rows=rating_rows,
            log_rows=log_rows,
            log_sheet=log_sheet,
            history=history,
            sheet_names=self.sheet_names,
            extra_columns=_extra_columns(table),
            findings=self.findings,
            package=self.package,
            history_sheet=history_sheet,
            log_columns=log_columns,
        )

    def _find_matrix(self) -> _Table:
        candidates = [L.MATRIX] if L.MATRIX in self.sheet_names else []
        if not candidates and self.meta is None:
            # A matrix typed by hand may sit on any sheet: look for its header.
            candidates = [s for s in self.sheet_names if s != L.META]
        if not candidates:
            raise UnreadableWorkbookError(
                f"no {L.MATRIX!r} sheet; the sheets are: "
                + ", ".join(repr(s) for s in self.sheet_names),
                self.display,
            )
        sheet, rows, header_row, names = self._best_header(candidates)
        columns: dict[str, int] = {}
        for key, header in _COLUMNS.items():
            for col, n in enumerate(names):
                if n == header or (key == "rating" and n.startswith("self-rating")):
                    columns.setdefault(key, col)
        table = _Table(sheet, rows, header_row, columns)
        self._check_columns(table)
        return table

    def _best_header(self, candidates: list[str]) -> tuple[str, list[list[Any]], int, list[str]]:
        """(sheet, its cells, header row, normalised headers) of the likeliest header row."""
        best: tuple[int, str, list[list[Any]], int, list[str]] | None = None
        for sheet in candidates:
            rows = _cells(self.book, sheet, self.limits, self.display)
            for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
                score = sum(map(_header_hit, row))
                if score and (best is None or score > best[0]):
                    names = [_norm(v) if isinstance(v, str) else "" for v in row]
                    best = (score, sheet, rows, i, names)
        if best is None:
            where = f"sheet {candidates[0]!r}" if len(candidates) == 1 else "any sheet"
            raise UnreadableWorkbookError(
                f"no matrix table found on {where}: expected a header row with "
                f"{L.SKILL!r}, {L.MANDATORY!r}, 'Self-Rating' and {L.GAP_NOTES!r}",
                self.display,
            )
        return best[1:]

    def _check_columns(self, table: _Table) -> None:
        """Refuse a table without a column it needs, naming the closest header found."""
        missing = [
            _HEADER_TEXT[k]
            for k in ("skill", "mandatory", "rating", "notes")
            if k not in table.columns
        ]
        if not missing:
            return
        header = table.rows[table.header_row]
        present = [str(v) for v in header if isinstance(v, str) and v.strip()]
        hints = []
        for want in missing:
            close = difflib.get_close_matches(want, present, n=1, cutoff=0.4)
            hints.append(f"{want!r} (closest found: {close[0]!r})" if close else f"{want!r}")
        raise UnreadableWorkbookError(
            f"sheet {table.sheet!r}, row {table.header_row + 1}: the matrix table has no "
            + " and no ".join(hints)
            + " column",
            self.display,
        )

    def _owner_block(self, table: _Table) -> tuple[str, str, date | None, str]:
        """(owner, role, Date rated, the cell Date rated was read from or "")."""
        found: dict[str, tuple[Any, str]] = {}  # label -> (the value beside it, its cell)
        labels = {L.normalise_header(x): x for x in L.OWNER_LABELS}
        for i, row in enumerate(table.rows[: table.header_row]):
            for col, value in enumerate(row[:-1]):
                if isinstance(value, str) and _norm(value) in labels:
                    found.setdefault(
                        labels[_norm(value)], (row[col + 1], f"{col_letter(col + 1)}{i + 1}")
                    )
        owner = cell_text(found.get("Owner", ("", ""))[0]).strip()
        role = cell_text(found.get("Role", ("", ""))[0]).strip()
        value, cell = found.get(L.DATE_RATED, (None, ""))
        rated, why = parse_day(value, date1904=_date1904(self.package))
        if why is not None:
            self._finding(
                "warning",
                table.sheet,
                cell,
                "",
                f"{L.DATE_RATED}: {strip_control(why)} (type it as YYYY-MM-DD); until it is, "
                "an evaluation is dated today",
            )
        return strip_control(owner), strip_control(role), rated, cell

    # -- the skill rows --------------------------------------------------------------

    def _skill_rows(self, definition: Definition, table: _Table) -> list[RatingRow]:
        skills = _Skills(definition)
        formulas = self._formula_cells(table)
        out: list[RatingRow] = []
        seen: dict[str, str] = {}  # skill id -> its rating cell
        for i in range(table.header_row + 1, len(table.rows)):
            row = table.rows[i]
            name = cell_text(table.value(row, "skill")).strip()
            if name == L.RULES_HEADING:
                break
            read = self._skill_row(skills, table, i, name, formulas)
            if read is None:
                continue
            if read.skill_id in seen:
                self._finding(
                    "error",
                    table.sheet,
                    read.rating_cell,
                    skills.name(read.skill_id),
                    f"skill listed twice (also at {seen[read.skill_id]})",
                )
                continue
            seen[read.skill_id] = read.rating_cell
            out.append(read)
        for s in definition.skills:
            if s.id not in seen:
                message = "skill missing from the matrix table (a deleted row?)"
                self._finding("error", table.sheet, "", s.name, message)
        return out

    def _skill_row(
        self, skills: _Skills, table: _Table, i: int, name: str, formulas: set[str]
    ) -> RatingRow | None:
        """Row ``i`` as a skill row; None for a blank row or one naming no skill."""
        row = table.rows[i]
        raw_rating = table.value(row, "rating")
        notes_raw = cell_text(table.value(row, "notes"))
        skill_id = skills.find(cell_text(table.value(row, "id")).strip(), name)
        rating, error = parse_rating(raw_rating)
        rating_cell, notes_cell = table.ref("rating", i), table.ref("notes", i)
        if not skill_id:
            if rating is not None or error is not None or notes_raw.strip():
                label = name or f"row {i + 1}"
                message = f"{label!r} is not a skill of this matrix"
                self._finding("error", table.sheet, table.ref("skill", i), label, message)
            return None  # else a blank row, a note under the table, the rules block
        if rating_cell in formulas:
            shown = "" if raw_rating in (None, "") else f" (value {cell_text(raw_rating)})"
            rating, error = None, f"a formula{shown} is not a rating: type the number"
        notes = strip_control(notes_raw)
        if notes != notes_raw:
            message = "control characters removed from the gap notes"
            self._finding("warning", table.sheet, notes_cell, skills.name(skill_id), message)
        return RatingRow(
            skill_id=skill_id,
            skill=name or skills.name(skill_id),
            mandatory=cell_text(table.value(row, "mandatory")).strip(),
            rating=rating,
            rating_error=error,
            notes=notes.strip(),
            row=i + 1,
            rating_cell=rating_cell,
            notes_cell=notes_cell,
            mandatory_cell=table.ref("mandatory", i),
        )

    def _formula_cells(self, table: _Table) -> set[str]:
        """Cells of the rating column that hold a formula (calamine gives only values)."""
        xml = self.package.sheet_xml(table.sheet)
        if xml is None:
            return set()
        return formula_cells(xml, col_letter(table.columns["rating"]))

    # -- log and history -------------------------------------------------------------

    def _log(self) -> tuple[str | None, tuple[int, ...], list[LogRow]]:
        """The log's sheet, the columns of its four headers, and its entries."""
        if L.LOG not in self.sheet_names:
            return None, (), []
        rows = _cells(self.book, L.LOG, self.limits, self.display)
        want = [L.normalise_header(h) for h in L.LOG_COLUMNS]
        h = L.find_header_row(rows, want, scan=HEADER_SCAN_ROWS)
        if h is None:
            self._finding(
                "warning",
                L.LOG,
                "A1",
                "",
                "the Improvement Log has no Date / Skill / Action Taken / Impact "
                "header: log not read",
            )
            return L.LOG, (), []
        names = [_norm(v) if isinstance(v, str) else "" for v in rows[h]]
        cols = [names.index(w) for w in want]
        out = []
        for i in range(h + 1, len(rows)):
            entry = _log_row(rows[i], i, cols)
            if entry is not None:
                out.append(entry)
        return L.LOG, tuple(cols), out

    def _history(self, definition: Definition) -> tuple[str | None, list[HistoryRow]]:
        """The History sheet matrix-xl wrote (by its recorded name) and its snapshots."""
        record = self.meta.get(L.OWNED_SHEETS_KEY) if self.meta is not None else None
        seen: dict[str, list[list[Any]]] = {}

        def marked(sheet: str) -> bool:
            seen[sheet] = _cells(self.book, sheet, self.limits, self.display)
            return L.carries_mark(seen[sheet])

        name = L.report_sheet(L.HISTORY, record, self.sheet_names, marked)
        if name is None:
            return None, []
        return name, parse_history(seen[name], definition)


class _Skills:
    """The skills of one definition, found by id or by name."""

    def __init__(self, definition: Definition) -> None:
        self.by_id, self.by_name = _skill_maps(definition)

    def find(self, skill_id: str, name: str) -> str:
        """The id of the skill a row is for: its hidden id, else its name ('' if none)."""
        return skill_id if skill_id in self.by_id else self.by_name.get(_norm(name), "")

    def name(self, skill_id: str) -> str:
        return str(self.by_id[skill_id].name)


def _extra_columns(table: _Table) -> list[str]:
    """The person's own columns in the matrix table's header, by their text."""
    known = set(table.columns.values())
    return [
        cell_text(v)
        for col, v in enumerate(table.rows[table.header_row])
        if col not in known and isinstance(v, str) and v.strip() and _norm(v) not in _KNOWN_HEADERS
    ]


def _log_row(row: list[Any], i: int, cols: list[int]) -> LogRow | None:
    """Row ``i`` of the Improvement Log (``cols``: Date, Skill, Action Taken, Impact)."""
    values = [row[c] if c < len(row) else "" for c in cols]
    if all(v is None or v == "" for v in values):
        return None
    texts = [strip_control(cell_text(v)).strip() for v in values]
    refs = [f"{col_letter(col)}{i + 1}" for col in cols]
    return LogRow(
        date=parse_date(values[0]),
        date_text=texts[0],
        skill=texts[1],
        action=texts[2],
        impact=texts[3],
        row=i + 1,
        cells=(refs[0], refs[1], refs[2], refs[3]),
    )


def _date1904(package: PackageInfo) -> bool:
    # Whether the workbook counts its serial day numbers from 1904 (old Mac Excel).
    book = package.xml.get("xl/workbook.xml", b"")
    return any(
        a.get("date1904", "").lower() in ("1", "true") for a in elements(book, b"workbookPr")
    )
