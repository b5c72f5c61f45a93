"""Names and positions shared by the workbook writer, the reader and the report writer.

The reader never relies on positions: it finds headers by their text. Positions here are
what the writer produces; the metadata sheet records them for tools that want them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1

MATRIX = "Matrix"
LOG = "Improvement Log"
RUBRIC = "Rubric"
QUESTIONS = "Interview Prep"
REFERENCES = "References"
GUIDE = "Guide"
META = "_matrix_xl"
SUMMARY = "Summary"
HISTORY = "History"
GENERATED_SHEETS = (MATRIX, LOG, RUBRIC, QUESTIONS, REFERENCES, GUIDE, META)

# The sheets `evaluate` writes, and how a later run knows them again (see report_sheet).
REPORT_SHEETS = (SUMMARY, HISTORY)  # the order their names are recorded in
OWNED_SHEETS_KEY = "owned_sheets"  # a key of the hidden sheet: the names they were given
OWNED_SHEETS_SEPARATOR = "/"  # no sheet name can hold it (Excel forbids / in names)
OWNED_MARK = "written by matrix-xl evaluate"  # in cell A2 of every sheet evaluate writes
MAX_SHEET_NAME = 31  # characters, Excel's limit

# Matrix table columns, in the seed's words (the rating header carries the rubric's range).
SKILL = "Skill / Category"
MANDATORY = "Mandatory?"
DEPTH = "Depth Expectation"
EVIDENCE = "Evidence Examples"
GAP_NOTES = "Gap Notes"
STATUS = "Status"
SKILL_ID = "Skill ID"
OWNER_LABELS = ("Owner", "Role", "Date rated")
DATE_RATED = OWNER_LABELS[2]  # the snapshot's date, when the person gives one
RULES_HEADING = "Readiness rules (live)"  # under the table; the reader stops there

LOG_COLUMNS = ("Date", "Skill", "Action Taken", "Impact")
LOG_TABLE = "ImprovementLog"
LOG_ROWS = 100  # blank rows the log table starts with, ready to type into

SKILL_NAMES = "SkillNames"  # defined name over the skill column, source of the log dropdown
RATINGS = "Ratings"  # defined name over the rating column


def owned_record(names: Sequence[str]) -> str:
    """The hidden sheet's record of the report sheets' names, in :data:`REPORT_SHEETS` order."""
    return OWNED_SHEETS_SEPARATOR.join(names)


def recorded_names(record: str) -> dict[str, str] | None:
    """The names an :func:`owned_record` holds, by the sheet they stand for (``"Summary"``
    -> ``"Summary (2)"``); None when it is not such a record (edited by hand, damaged)."""
    names = record.split(OWNED_SHEETS_SEPARATOR)
    if len(names) != len(REPORT_SHEETS) or not all(names):
        return None
    return dict(zip(REPORT_SHEETS, names, strict=True))


def carries_mark(rows: Sequence[Sequence[Any]]) -> bool:
    """Whether a sheet's cells (as python-calamine gives them) hold :data:`OWNED_MARK` in
    A2, as every Summary and History sheet evaluate wrote, in any version, does."""
    a2 = rows[1][0] if len(rows) > 1 and rows[1] else None
    return isinstance(a2, str) and OWNED_MARK in a2


def numbered_names(wanted: str) -> Iterator[str]:
    """``wanted``, ``wanted (2)``, ``wanted (3)``... each within Excel's 31 characters: the
    names a new sheet tries in turn until one is free."""
    yield wanted[:MAX_SHEET_NAME]
    n = 1
    while True:
        n += 1
        suffix = f" ({n})"
        yield wanted[: MAX_SHEET_NAME - len(suffix)] + suffix


def report_sheet(
    kind: str, record: str | None, sheet_names: Sequence[str], marked: Callable[[str], bool]
) -> str | None:
    """The sheet of ``kind`` (:data:`SUMMARY` or :data:`HISTORY`) that an earlier evaluate
    wrote, which the next one replaces; None when there is none.

    The rule, the same for the reader (which reads History from it) and the write-back
    (which replaces exactly these): a sheet is matrix-xl's when it carries the mark
    (:func:`carries_mark`) and

    * the hidden sheet records names (:data:`OWNED_SHEETS_KEY`): it has the recorded name;
    * nothing is recorded (a workbook from before the record, or one without the hidden
      sheet): it has the name evaluate would give it now, the first of ``Summary``,
      ``Summary (2)``... that no unmarked sheet takes in any case. So a person's own
      ``summary`` is never taken for ours, and ours, which had to be ``Summary (2)``, is
      found again, not joined by a ``Summary (3)`` every run.

    Args:
        kind: the sheet's usual name.
        record: the hidden sheet's :data:`OWNED_SHEETS_KEY` value, None when absent.
        sheet_names: the workbook's sheets.
        marked: whether the sheet of that exact name carries the mark.
    """
    names = recorded_names(record) if record is not None else None
    if names is not None:
        name = names.get(kind)
        return name if name is not None and name in sheet_names and marked(name) else None
    folded = {n.casefold(): n for n in reversed(sheet_names)}
    for candidate in numbered_names(kind):  # ends: each name tried is a sheet's
        present = folded.get(candidate.casefold())
        if present is None:
            return None
        if present == candidate and marked(present):
            return present
    return None  # pragma: no cover - the loop above always returns


def rating_header(low: int, high: int) -> str:
    return f"Self-Rating ({low}-{high})"


def normalise_header(text: object) -> str:
    """Header text as compared by the reader: case, spacing and line breaks ignored."""
    return _normalise(text) if type(text) is str else _normalise(str(text))


@functools.lru_cache(maxsize=8192)
def _normalise(text: str) -> str:
    # Remembered: a team roll-up compares the same few header texts thousands of times.
    return " ".join(text.split()).casefold()


def find_header_row(
    rows: Sequence[Sequence[Any]], wanted: Sequence[str], scan: int = 60
) -> int | None:
    """The first of the top ``scan`` rows holding every ``wanted`` (normalised) header."""
    for index, row in enumerate(rows[:scan]):
        names = {normalise_header(v) for v in row if isinstance(v, str)}
        if all(w in names for w in wanted):
            return index
    return None


@dataclass(frozen=True)
class MatrixLayout:
    """Where the writer puts things on the Matrix sheet (0-based rows and columns)."""

    n_skills: int
    n_thresholds: int

    @property
    def block_rows(self) -> int:
        return max(len(OWNER_LABELS), self.n_thresholds + 1)

    @property
    def block_top(self) -> int:
        return 2

    @property
    def header_row(self) -> int:
        return self.block_top + self.block_rows + 1

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.first_row + self.n_skills - 1

    @property
    def rules_top(self) -> int:
        return self.last_row + 3


# Matrix columns, 0-based.
COL_SKILL, COL_MANDATORY, COL_DEPTH, COL_EVIDENCE, COL_RATING, COL_NOTES, COL_STATUS, COL_ID = (
    range(8)
)
