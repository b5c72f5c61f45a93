"""Validating a workbook, start to end: read it, run the rules, say whether it is valid.

:func:`check_workbook` is what ``matrix-xl validate`` does, as a library call; its
:class:`Validation` holds the findings and the JSON the command prints. :func:`validate`
and :func:`validate_many` run the rules on workbooks already read.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> result = check_workbook(build_workbook(ratings={"cloud": 2}), name="me.xlsx")
    >>> result.valid, len(result.errors), result.warnings[0].message
    (True, 0, 'unrated: it counts as not meeting any threshold')
    >>> list(result.to_dict())
    ['workbook', 'valid', 'issues']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from matrix_xl.findings import Finding
from matrix_xl.read.reader import read_workbook
from matrix_xl.validation.schemas import validate, validate_many

__all__ = ["Validation", "check_workbook", "validate", "validate_many"]


@dataclass(frozen=True)
class Validation:
    """The outcome of validating one workbook.

    Attributes:
        workbook: the workbook's name as given (the path, or the name given with bytes).
        issues: every finding, errors first, in sheet order.
    """

    workbook: str
    issues: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        """The findings that stop the workbook being evaluated."""
        return [f for f in self.issues if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings reported without blocking."""
        return [f for f in self.issues if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``matrix-xl validate --format json``."""
        return {
            "workbook": self.workbook,
            "valid": self.valid,
            "issues": [f.to_dict() for f in self.issues],
        }


def check_workbook(
    source: str | Path | bytes, *, name: str | None = None, today: date | None = None
) -> Validation:
    """Read a workbook and validate it.

    Args:
        source: a path to an ``.xlsx``/``.xlsm`` file, or the file's bytes.
        name: the name to use in messages when ``source`` is bytes.
        today: the date log entries may not be after (default: today).

    Returns:
        The findings, and whether the workbook is valid.

    Raises:
        UnreadableWorkbookError: the file is not a readable matrix workbook.
    """
    read = read_workbook(source, name=name)
    return Validation(read.name, tuple(validate(read, today)))
