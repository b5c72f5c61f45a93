"""Read a filled competency workbook back, whatever app saved it.

Values come from python-calamine (an order of magnitude faster than openpyxl); the file
is checked cheaply for hostile content first (:mod:`matrix_xl.read.safety`). Columns are found
by their header text, rows are matched to skills by the hidden skill id and then by name,
so moved columns, extra columns, blank rows and title rows all still read.

The result keeps plain rows; :attr:`MatrixRead.ratings` and :attr:`MatrixRead.log` build
pandas frames on demand, so a team roll-up can read a thousand files without building a
thousand frames.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> result = read_workbook(build_workbook(owner="Ada"), name="ada.xlsx")
    >>> result.owner, len(result.rows)
    ('Ada', 21)
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrix_xl.definition import Definition, default_definition, definition_from_dict
from matrix_xl.errors import DefinitionError, UnreadableWorkbookError, WorkbookTooLargeError
from matrix_xl.read.safety import Limits, calamine_guard, check_package, read_source
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

if TYPE_CHECKING:
    import pandas as pd

    from matrix_xl.findings import Finding

__all__ = ["HistoryRow", "LogRow", "MatrixRead", "RatingRow", "read_workbook"]

HEADER_SCAN_ROWS = 60
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")


@dataclass(frozen=True)
class RatingRow:
    """One skill row of the Matrix sheet, as read.

    ``rating`` is the whole number read, or ``None``; ``rating_error`` says why a
    non-blank cell could not be read as one (``None`` when it could, or was blank).
    """

    skill_id: str
    skill: str
    mandatory: str
    rating: int | None
    rating_error: str | None
    notes: str
    row: int  # 1-based sheet row
    rating_cell: str
    notes_cell: str
    mandatory_cell: str


@dataclass(frozen=True)
class LogRow:
    """One row of the Improvement Log as read (``date`` is ``None`` if not a date)."""

    date: date | None
    date_text: str
    skill: str
    action: str
    impact: str
    row: int
    cells: tuple[str, str, str, str]  # Date, Skill, Action Taken, Impact


@dataclass(frozen=True)
class HistoryRow:
    """One weekly snapshot of the History sheet."""

    week: str
    date: date | None
    ratings: dict[str, int | None]  # skill id -> rating


@dataclass
class MatrixRead:
    """Everything read from one workbook.

    Attributes:
        name: the file's name as given (used in every message).
        definition: the matrix the workbook was made from (embedded), or the built-in
            default for a workbook without matrix-xl's metadata.
        embedded: whether the definition came from the workbook itself.
        sheet: the name of the sheet the matrix table was read from.
        rows: the skill rows, in sheet order.
        findings: problems met while reading (warnings, and errors such as unknown or
            duplicate skills); :func:`matrix_xl.validation.schemas.validate` adds the schema checks.
    """

    name: str
    definition: Definition
    embedded: bool
    sheet: str
    owner: str
    role: str
    date_rated: date | None
    created: date | None
    rows: list[RatingRow]
    log_rows: list[LogRow]
    log_sheet: str | None
    history: list[HistoryRow]
    sheet_names: list[str]
    extra_columns: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def ratings(self) -> pd.DataFrame:
        """The rating rows as a DataFrame (rating as a nullable integer)."""
        from matrix_xl.validation.schemas import ratings_frame

        return ratings_frame([self])

    @property
    def log(self) -> pd.DataFrame:
        """The improvement log entries as a DataFrame."""
        from matrix_xl.validation.schemas import log_frame

        return log_frame([self])

    def rating_map(self) -> dict[str, int | None]:
        """skill id -> rating, for the rules (unreadable ratings count as unrated)."""
        return {r.skill_id: r.rating for r in self.rows if r.skill_id}


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
    parts: dict[str, bytes] = {}  # worksheets' XML, decompressed once by the check
    check_package(data, display, limits, parts=parts)
    # Only calamine's own calls are guarded: a bug of ours must not pass for a bad file.
    with calamine_guard(display):
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_names = list(book.sheet_names)
    meta = _read_meta(book, display) if L.META in sheet_names else None
    return _Reader(book, data, display, sheet_names, meta, limits, parts).read()


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


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_meta(book: Any, display: str) -> dict[str, Any]:
    with calamine_guard(display):
        rows = book.get_sheet_by_name(L.META).to_python(skip_empty_area=False)
    meta: dict[str, Any] = {}
    for row in rows[1:200]:
        if not row or not isinstance(row[0], str) or not row[0]:
            continue
        if row[0] == "definition":
            meta["definition"] = "".join(_text(v) for v in row[1:])
        else:
            meta[row[0]] = _text(row[1]) if len(row) > 1 else ""
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
        definition = definition_from_dict(json.loads(blob), f"{display}, sheet {L.META}")
    except (ValueError, DefinitionError) as exc:
        detail = exc.message if isinstance(exc, DefinitionError) else str(exc)
        raise UnreadableWorkbookError(
            f"the hidden {L.META} sheet is damaged ({detail}); regenerate the workbook with "
            "`matrix-xl new` and copy the ratings over",
            display,
        ) from None
    if len(_DEFINITIONS) < 64:
        _DEFINITIONS[blob] = definition
    return definition


def parse_date(value: Any) -> date | None:
    """A date from a cell: a date, a datetime, or ISO text (``None`` otherwise)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _rating(value: Any) -> tuple[int | None, str | None]:
    """A rating cell's value: (whole number, None), (None, None) if blank, else an error."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, f"{'TRUE' if value else 'FALSE'} is not a rating"
    if isinstance(value, int | float) and abs(value) > 1_000_000:
        return None, f"{value:g} is not a rating"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        if value.is_integer():
            return int(value), None
        return None, f"{value:g} is not a whole number"
    if isinstance(value, datetime | date):
        return None, f"the date {value.isoformat()[:10]} is not a rating"
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None, None
        if _NUMBER.match(text) and len(text) <= 12:
            return int(float(text)), None
        shown = text if len(text) <= 40 else text[:37] + "..."
        return None, f"{shown!r} is not a number"
    return None, f"{value!r} is not a rating"


class _Reader:
    def __init__(
        self,
        book: Any,
        data: bytes,
        display: str,
        sheet_names: list[str],
        meta: dict[str, Any] | None,
        limits: Limits,
        parts: dict[str, bytes] | None = None,
    ) -> None:
        self.book = book
        self.data = data
        self.parts = parts or {}
        self.display = display
        self.sheet_names = sheet_names
        self.meta = meta
        self.limits = limits
        self.findings: list[Finding] = []

    def _finding(self, severity: str, sheet: str, cell: str, skill: str, message: str) -> None:
        from matrix_xl.findings import Finding

        self.findings.append(Finding(severity, sheet, cell, skill, message, self.display))

    def read(self) -> MatrixRead:
        if self.meta is not None:
            definition = _definition_from_meta(self.meta, self.display)
            embedded = True
        else:
            definition = default_definition()
            embedded = False
        sheet, rows, header_row, columns = self._find_matrix(definition)
        if not embedded:
            self._finding(
                "warning",
                sheet,
                "",
                "",
                "no matrix-xl metadata sheet: read against the built-in matrix by skill name "
                "(make a workbook with `matrix-xl new` to keep your own definition in it)",
            )
        owner, role, date_rated = self._owner_block(rows, header_row, sheet)
        formulas = self._formula_cells(sheet, columns["rating"])
        rating_rows, extra = self._skill_rows(
            definition, sheet, rows, header_row, columns, formulas
        )
        log_sheet, log_rows = self._log()
        history = self._history(definition)
        created = parse_date(self.meta.get("created", "")) if self.meta else None
        return MatrixRead(
            name=self.display,
            definition=definition,
            embedded=embedded,
            sheet=sheet,
            owner=owner or (self.meta or {}).get("owner", ""),
            role=role or (self.meta or {}).get("role", ""),
            date_rated=date_rated,
            created=created,
            rows=rating_rows,
            log_rows=log_rows,
            log_sheet=log_sheet,
            history=history,
            sheet_names=self.sheet_names,
            extra_columns=extra,
            findings=self.findings,
        )

    # -- the matrix table ------------------------------------------------------------

    def _find_matrix(
        self, definition: Definition
    ) -> tuple[str, list[list[Any]], int, dict[str, int]]:
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
        _, sheet, rows, header_row, names = best
        columns: dict[str, int] = {}
        for key, header in _COLUMNS.items():
            for col, n in enumerate(names):
                if n == header or (key == "rating" and n.startswith("self-rating")):
                    columns.setdefault(key, col)
        missing = [
            _HEADER_TEXT[k] for k in ("skill", "mandatory", "rating", "notes") if k not in columns
        ]
        if missing:
            present = [str(v) for v in rows[header_row] if isinstance(v, str) and v.strip()]
            hints = []
            for want in missing:
                close = difflib.get_close_matches(want, present, n=1, cutoff=0.4)
                hints.append(f"{want!r} (closest found: {close[0]!r})" if close else f"{want!r}")
            raise UnreadableWorkbookError(
                f"sheet {sheet!r}, row {header_row + 1}: the matrix table has no "
                + " and no ".join(hints)
                + " column",
                self.display,
            )
        return sheet, rows, header_row, columns

    def _owner_block(
        self, rows: list[list[Any]], header_row: int, sheet: str
    ) -> tuple[str, str, date | None]:
        found: dict[str, Any] = {}
        labels = {L.normalise_header(x): x for x in L.OWNER_LABELS}
        for row in rows[:header_row]:
            for col, value in enumerate(row[:-1]):
                if isinstance(value, str) and _norm(value) in labels:
                    found.setdefault(labels[_norm(value)], row[col + 1])
        owner = _text(found.get("Owner", "")).strip()
        role = _text(found.get("Role", "")).strip()
        return _CONTROL.sub("", owner), _CONTROL.sub("", role), parse_date(found.get("Date rated"))

    def _formula_cells(self, sheet: str, col: int) -> set[str]:
        """Cells of one column that hold a formula (calamine gives only their values)."""
        part = _sheet_part(self.data, sheet, self.parts)
        if part is None:
            return set()
        letter = col_letter(col)
        cells = re.finditer(
            rb'<c r="(' + letter.encode() + rb'\d+)"[^>]*?(?:/>|>(.*?)</c>)', part, re.DOTALL
        )
        return {m.group(1).decode() for m in cells if m.group(2) and b"<f" in m.group(2)}

    def _skill_rows(
        self,
        definition: Definition,
        sheet: str,
        rows: list[list[Any]],
        header_row: int,
        columns: dict[str, int],
        formulas: set[str],
    ) -> tuple[list[RatingRow], list[str]]:
        by_id, by_name = _skill_maps(definition)
        letter = {key: col_letter(col) for key, col in columns.items()}

        def get(row: list[Any], key: str) -> Any:
            col = columns.get(key)
            return row[col] if col is not None and col < len(row) else None

        out: list[RatingRow] = []
        seen: dict[str, str] = {}
        for i in range(header_row + 1, len(rows)):
            row = rows[i]
            name = _text(get(row, "skill")).strip()
            if name == L.RULES_HEADING:
                break
            raw_rating = get(row, "rating")
            notes_raw = _text(get(row, "notes"))
            sid_cell = _text(get(row, "id")).strip()
            skill_id = sid_cell if sid_cell in by_id else by_name.get(_norm(name), "")
            rating, error = _rating(raw_rating)
            rating_cell = f"{letter['rating']}{i + 1}"
            notes_cell = f"{letter['notes']}{i + 1}"
            if not skill_id:
                if rating is None and error is None and not notes_raw.strip():
                    continue  # a blank row, a note under the table, the rules block
                label = name or f"row {i + 1}"
                self._finding(
                    "error",
                    sheet,
                    f"{letter['skill']}{i + 1}",
                    label,
                    f"{label!r} is not a skill of this matrix",
                )
                continue
            if rating_cell in formulas:
                shown = "" if raw_rating in (None, "") else f" (value {_text(raw_rating)})"
                rating, error = None, f"a formula{shown} is not a rating: type the number"
            notes = _CONTROL.sub("", notes_raw)
            if notes != notes_raw:
                self._finding(
                    "warning",
                    sheet,
                    notes_cell,
                    by_id[skill_id].name,
                    "control characters removed from the gap notes",
                )
            if skill_id in seen:
                self._finding(
                    "error",
                    sheet,
                    rating_cell,
                    by_id[skill_id].name,
                    f"skill listed twice (also at {seen[skill_id]})",
                )
                continue
            seen[skill_id] = rating_cell
            out.append(
                RatingRow(
                    skill_id=skill_id,
                    skill=name or by_id[skill_id].name,
                    mandatory=_text(get(row, "mandatory")).strip(),
                    rating=rating,
                    rating_error=error,
                    notes=notes.strip(),
                    row=i + 1,
                    rating_cell=rating_cell,
                    notes_cell=notes_cell,
                    mandatory_cell=f"{letter['mandatory']}{i + 1}",
                )
            )
        for s in definition.skills:
            if s.id not in seen:
                self._finding(
                    "error",
                    sheet,
                    "",
                    s.name,
                    "skill missing from the matrix table (a deleted row?)",
                )
        known = set(columns.values())
        extra = [
            _text(v)
            for col, v in enumerate(rows[header_row])
            if col not in known
            and isinstance(v, str)
            and v.strip()
            and _norm(v) not in _KNOWN_HEADERS
        ]
        return out, extra

    # -- log and history -------------------------------------------------------------

    def _log(self) -> tuple[str | None, list[LogRow]]:
        if L.LOG not in self.sheet_names:
            return None, []
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
            return L.LOG, []
        names = [_norm(v) if isinstance(v, str) else "" for v in rows[h]]
        cols = [names.index(w) for w in want]
        out = []
        for i in range(h + 1, len(rows)):
            row = rows[i]
            values = [row[c] if c < len(row) else "" for c in cols]
            if all(v is None or v == "" for v in values):
                continue
            texts = [_CONTROL.sub("", _text(v)).strip() for v in values]
            refs = [f"{col_letter(col)}{i + 1}" for col in cols]
            out.append(
                LogRow(
                    date=parse_date(values[0]),
                    date_text=texts[0],
                    skill=texts[1],
                    action=texts[2],
                    impact=texts[3],
                    row=i + 1,
                    cells=(refs[0], refs[1], refs[2], refs[3]),
                )
            )
        return L.LOG, out

    def _history(self, definition: Definition) -> list[HistoryRow]:
        if L.HISTORY not in self.sheet_names:
            return []
        from matrix_xl.read.history import parse_history

        return parse_history(_cells(self.book, L.HISTORY, self.limits, self.display), definition)


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


def _sheet_part(data: bytes, sheet: str, parts: dict[str, bytes] | None = None) -> bytes | None:
    """The XML of one worksheet, found through workbook.xml and its relationships.

    ``parts`` holds parts already decompressed by :func:`check_package`; the zip is opened
    only for what is not there.
    """
    known = parts or {}
    try:
        with contextlib.ExitStack() as stack:
            opened: list[zipfile.ZipFile] = []

            def read(part: str) -> bytes:
                if part in known:
                    return known[part]
                if not opened:
                    opened.append(stack.enter_context(zipfile.ZipFile(io.BytesIO(data))))
                return opened[0].read(part)

            wb = read("xl/workbook.xml")
            rels = read("xl/_rels/workbook.xml.rels")
            escaped = re.escape(_xml_escape(sheet).encode())
            m = re.search(rb"<(?:\w+:)?sheet\b[^>]*\bname=\"" + escaped + rb"\"[^>]*>", wb)
            if not m:
                return None
            rid = re.search(rb'\br:id="([^"]+)"|\bid="([^"]+)"', m.group(0))
            if not rid:
                return None
            rid_value = rid.group(1) or rid.group(2)
            t = re.search(rb'<Relationship\b[^>]*\bId="' + re.escape(rid_value) + rb'"[^>]*>', rels)
            if not t:
                return None
            target = re.search(rb'\bTarget="([^"]+)"', t.group(0))
            if not target:
                return None
            path = target.group(1).decode()
            path = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
            return read(path)
    except (KeyError, zipfile.BadZipFile, OSError):
        return None


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
