"""Names and positions shared by the workbook writer, the reader and the report writer.

The reader never relies on positions: it finds headers by their text. Positions here are
what the writer produces; the metadata sheet records them for tools that want them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The wrapped-line estimate is house style; kept importable here for
# evaluation/writeback.py until issue 9 replaces it (style.py imports no xlsxwriter).
from matrix_xl.xlsx.style import wrapped_lines as wrapped_lines

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
