"""What the roll-up keeps of each workbook, and the groups it sorts people into.

A valid workbook becomes a :class:`PersonResult` (with its History as
:class:`TrendPoint` s), any other file a :class:`FileError`; people whose workbooks were
made from one definition form a :class:`DefinitionGroup`. Plain, picklable data: worker
processes and clusters hand these back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from matrix_xl.definition import Definition

__all__ = ["DefinitionGroup", "FileError", "Interner", "PersonResult", "TrendPoint"]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One weekly snapshot of a person's History sheet, judged.

    Attributes:
        week: ISO week, ``2026-W48``.
        ready: per threshold of the definition, in order: met that week?
        rating_sum: the sum of that week's ratings.
        rated: how many skills were rated that week.
    """

    week: str
    ready: tuple[bool, ...]
    rating_sum: int
    rated: int


@dataclass(frozen=True, slots=True)
class PersonResult:
    """One valid workbook, summarised: all the roll-up keeps of it.

    Attributes:
        workbook: the file's name as given (a path, or the name passed with the bytes).
        owner: the Owner cell, or the file's name without its suffix when that is empty.
        role: the Role cell.
        definition: the matrix the workbook was made from.
        fingerprint: ``definition.fingerprint()``, the key the team is grouped by.
        ratings: one rating (or ``None``, unrated) per skill, in the definition's order.
        ready: one verdict per threshold, in the definition's order.
        unrated: how many skills have no rating.
        history: the weekly snapshots of the History sheet, oldest first.
    """

    workbook: str
    owner: str
    role: str
    definition: Definition
    fingerprint: str
    ratings: tuple[int | None, ...]
    ready: tuple[bool, ...]
    unrated: int
    history: tuple[TrendPoint, ...] = ()

    def ready_by_id(self) -> dict[str, bool]:
        """Threshold id -> verdict, e.g. ``{"apply": True, "promotion": False}``."""
        return {t.id: r for t, r in zip(self.definition.thresholds, self.ready, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """The person's entry in ``matrix-xl team --format json``."""
        ready = self.ready_by_id()
        out: dict[str, Any] = {
            "workbook": self.workbook,
            "owner": self.owner,
            "role": self.role,
            "valid": True,
        }
        out.update({f"{tid}_ready": value for tid, value in ready.items()})
        out.update({"ready": ready, "unrated": self.unrated, "definition": self.fingerprint})
        return out


@dataclass(frozen=True, slots=True)
class FileError:
    """A file left out of the roll-up, and why.

    Attributes:
        workbook: the file's name as given.
        message: one line a person reads: the first problem, and how many more.
        kind: ``"unreadable"`` (not a readable matrix workbook), ``"invalid"`` (read, but
            its data fails validation) or ``"missing"`` (no such file or folder).
        owner: the Owner of an invalid workbook (``None`` when the file was not read).
        role: the Role of an invalid workbook.
        thresholds: the threshold ids of an invalid workbook's definition.
    """

    workbook: str
    message: str
    kind: Literal["unreadable", "invalid", "missing"] = "unreadable"
    owner: str | None = None
    role: str = ""
    thresholds: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The file's entry in the ``errors`` list of ``matrix-xl team --format json``."""
        return {"workbook": self.workbook, "message": self.message, "kind": self.kind}

    def person_dict(self) -> dict[str, Any]:
        """An invalid workbook's entry in ``people``: who, ``"valid": false``, no verdicts."""
        entry: dict[str, Any] = {
            "workbook": self.workbook,
            "owner": self.owner,
            "role": self.role,
            "valid": False,
        }
        entry.update({f"{tid}_ready": None for tid in self.thresholds})
        entry["ready"] = dict.fromkeys(self.thresholds)
        return entry


@dataclass
class DefinitionGroup:
    """The people whose workbooks were made from one definition."""

    fingerprint: str
    definition: Definition
    people: list[PersonResult] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``Competency Matrix (definition 1a2b3c4d5e6f)``."""
        return f"{self.definition.title} (definition {self.fingerprint})"

    def ready_counts(self) -> list[int]:
        """How many people meet each threshold, in the definition's order."""
        counts = [0] * len(self.definition.thresholds)
        for person in self.people:
            for i, ready in enumerate(person.ready):
                counts[i] += ready
        return counts


class Interner:
    """One object for equal values across results made apart (worker processes, a cluster).

    Every chunk comes back with its own copy of the definition, of each role and each
    verdict tuple: keeping one of each, and this process's own copy of the file name,
    halves the memory 10,000 people take.
    """

    def __init__(self) -> None:
        self.definitions: dict[str, Definition] = {}
        self.values: dict[object, Any] = {}

    def one(self, value: Any) -> Any:
        """The first value seen equal to ``value`` (``value`` itself the first time)."""
        return self.values.setdefault(value, value)

    def adopt(self, result: PersonResult | FileError, name: str) -> PersonResult | FileError:
        """``result`` rebuilt from shared values; ``name`` is this process's file name.

        Args:
            result: a summary made elsewhere.
            name: the name the file was handed out under here (used when equal).

        Returns:
            An equal result sharing its definition, role and verdicts with the others.
        """
        if isinstance(result, FileError):
            return result
        return PersonResult(
            name if name == result.workbook else result.workbook,
            result.owner,
            self.one(result.role),
            self.definitions.setdefault(result.fingerprint, result.definition),
            self.one(result.fingerprint),
            result.ratings,
            self.one(result.ready),
            result.unrated,
            result.history,
        )
