"""What reading one workbook gives: :class:`MatrixRead`.

It keeps plain rows; :attr:`MatrixRead.ratings` and :attr:`MatrixRead.log` build pandas
frames on demand, so a team roll-up can read a thousand files without building a thousand
frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from matrix_xl.definition import Definition
from matrix_xl.findings import Finding
from matrix_xl.read.frames import log_frame, ratings_frame
from matrix_xl.read.package import PackageInfo
from matrix_xl.read.rows import HistoryRow, LogRow, RatingRow

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MatrixRead"]


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
            duplicate skills); :func:`matrix_xl.validation.schemas.validate` adds the
            schema checks.
        date_rated: the Matrix's ``Date rated``, when it holds a date (a warning in
            ``findings`` says so when it holds something else).
        date_rated_cell: the cell ``Date rated`` was read from (``""`` if no such label).
        package: what the package check learnt of the file's bytes (parts, which part is
            which sheet), so that a later step on the same bytes need not check them
            again; ``None`` for a read built by hand.
        history_sheet: the sheet ``history`` was read from: the History that matrix-xl
            wrote (see :func:`matrix_xl.xlsx.layout.report_sheet`), None when there is none.
        log_columns: the 0-based columns of the Improvement Log's Date, Skill, Action Taken
            and Impact headers; empty when the log or its header is missing.
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
    package: PackageInfo | None = field(default=None, repr=False, compare=False)
    history_sheet: str | None = None
    log_columns: tuple[int, ...] = ()
    date_rated_cell: str = ""

    @property
    def ratings(self) -> pd.DataFrame:
        """The rating rows as a DataFrame (rating as a nullable integer)."""
        return ratings_frame([self])

    @property
    def log(self) -> pd.DataFrame:
        """The improvement log entries as a DataFrame."""
        return log_frame([self])

    def rating_map(self) -> dict[str, int | None]:
        """skill id -> rating, for the rules (unreadable ratings count as unrated)."""
        return {r.skill_id: r.rating for r in self.rows if r.skill_id}
