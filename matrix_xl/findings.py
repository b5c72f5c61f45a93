"""A problem found in a workbook, addressed by sheet and cell (no heavy imports)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """One problem, addressed by sheet and cell.

    ``severity`` is ``"error"`` (the workbook is not evaluated) or ``"warning"``.
    """

    severity: str
    sheet: str
    cell: str
    skill: str
    message: str
    workbook: str = ""

    def location(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where} ({self.skill})" if self.skill else where

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        out = asdict(self)
        del out["workbook"]
        return out
