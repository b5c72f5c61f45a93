"""The team report: every person grouped by definition, every file left out, and its JSON.

:func:`~matrix_xl.team.rollup.roll_up` makes one from files;
:meth:`TeamReport.from_results` from summaries made elsewhere (a cluster). Its JSON is what
``matrix-xl team --format json`` prints, streamed one entry at a time.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from matrix_xl.team.model import DefinitionGroup, FileError, Interner, PersonResult
from matrix_xl.team.stats import coverage, trend, weakest

__all__ = ["TeamReport", "group_results"]

# A top-level JSON value: a plain value, or a list given one entry at a time.
_JsonValue = str | int | dict[str, Any] | Iterator[dict[str, Any]]


@dataclass
class TeamReport:
    """The outcome of :func:`~matrix_xl.team.rollup.roll_up`.

    Attributes:
        today: the date the roll-up was made as of (log entries after it are errors).
        files: how many files were looked at.
        groups: the people, one group per definition, the largest first.
        errors: every file left out, with the reason, by name.
    """

    today: date
    files: int
    groups: list[DefinitionGroup]
    errors: list[FileError]

    @classmethod
    def from_results(
        cls, results: Iterable[PersonResult | FileError], *, today: date | None = None
    ) -> TeamReport:
        """A report from summaries made elsewhere (:func:`summarise_workbook` on a cluster).

        Example:
            >>> from matrix_xl.generate.workbook import build_workbook
            >>> from matrix_xl.team.summarise import summarise_workbook
            >>> ada = summarise_workbook(build_workbook(owner="Ada"), "s3://team/ada.xlsx")
            >>> report = TeamReport.from_results([ada, FileError("s3://team/x.xlsx", "...")])
            >>> [p.owner for p in report.people], len(report.errors)
            (['Ada'], 1)
        """
        shared = Interner()
        adopted = [shared.adopt(r, r.workbook) for r in results]
        return group_results(today or date.today(), len(adopted), adopted, [])

    @property
    def people(self) -> list[PersonResult]:
        """Every valid workbook's person, group by group."""
        return [p for g in self.groups for p in g.people]

    def to_dict(self) -> dict[str, Any]:
        """The JSON printed by ``matrix-xl team --format json``.

        ``people`` lists every workbook that could be read, by owner: the valid ones with
        their verdicts (``<threshold id>_ready`` and a ``ready`` map), the invalid ones with
        ``"valid": false`` and null verdicts. ``errors`` lists every file left out.
        ``definitions`` counts each group's people and verdicts. Then the team statistics,
        each entry naming its group's ``definition``: ``coverage`` (per skill, as on the
        Coverage sheet, with every name who could mentor or learn), ``weakest`` (the
        weakest mandatory skills, weakest first) and ``trend`` (per week, as on the Trend
        sheet).
        """
        return {
            key: value if isinstance(value, str | int | dict) else list(value)
            for key, value in self._json_items()
        }

    def iter_json(self, extra: Mapping[str, Any] | None = None) -> Iterator[str]:
        """``json.dumps(self.to_dict(), indent=2)`` in pieces, one entry at a time.

        A team of 10,000 is never held as one string (or one list of dicts).

        Args:
            extra: top-level keys to add at the end (the CLI's ``error`` when nothing
                could be used).
        """
        yield "{"
        items = itertools.chain(self._json_items(), (extra or {}).items())
        for i, (key, value) in enumerate(items):
            yield f"{',' if i else ''}\n  {_dumps(key)}: "
            if isinstance(value, str | int | dict):
                yield _dumps(value, indent=2).replace("\n", "\n  ")
                continue
            empty = True
            for item in value:
                text = _dumps(item, indent=2).replace("\n", "\n    ")
                yield f"{'[' if empty else ','}\n    {text}"
                empty = False
            yield "[]" if empty else "\n  ]"
        yield "\n}"

    def _json_items(self) -> Iterator[tuple[str, _JsonValue]]:
        yield "as_of", self.today.isoformat()
        yield "files", self.files
        yield "people", self._people_json()
        yield "errors", (e.to_dict() for e in self.errors)
        yield "definitions", (_definition_json(g) for g in self.groups)
        yield "coverage", self._coverage_json()
        yield "weakest", self._weakest_json()
        yield "trend", self._trend_json()

    def _people_json(self) -> Iterator[dict[str, Any]]:
        entries: list[tuple[str, str, PersonResult | FileError]] = [
            (p.owner.casefold(), p.workbook, p) for p in self.people
        ]
        entries += [(e.owner.casefold(), e.workbook, e) for e in self.errors if e.owner is not None]
        entries.sort(key=lambda entry: entry[:2])
        for _, _, item in entries:
            yield item.to_dict() if isinstance(item, PersonResult) else item.person_dict()

    def _coverage_json(self) -> Iterator[dict[str, Any]]:
        for group in self.groups:
            for skill in coverage(group):
                yield {"definition": group.fingerprint, **skill.to_dict()}

    def _weakest_json(self) -> Iterator[dict[str, Any]]:
        for group in self.groups:
            for skill in weakest(coverage(group)):
                yield {
                    "definition": group.fingerprint,
                    "skill_id": skill.skill_id,
                    "skill": skill.name,
                    "target": skill.target,
                    "meets": skill.meets,
                    "people": skill.people,
                    "share": skill.share,
                    "average": skill.average,
                }

    def _trend_json(self) -> Iterator[dict[str, Any]]:
        for group in self.groups:
            ids = [t.id for t in group.definition.thresholds]
            for week in trend(group):
                yield {"definition": group.fingerprint, **week.to_dict(ids)}


def _definition_json(group: DefinitionGroup) -> dict[str, Any]:
    thresholds = group.definition.thresholds
    return {
        "fingerprint": group.fingerprint,
        "title": group.definition.title,
        "people": len(group.people),
        "ready": {t.id: n for t, n in zip(thresholds, group.ready_counts(), strict=True)},
    }


def _dumps(value: object, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False)


def group_results(
    today: date, files: int, results: Iterable[PersonResult | FileError], errors: list[FileError]
) -> TeamReport:
    """Sort summaries into a report: people by definition, errors by name.

    Args:
        today: the roll-up's date.
        files: how many files were looked at.
        results: one summary per file read; their definitions one object per fingerprint
            (see :class:`~matrix_xl.team.model.Interner`) keeps the report small.
        errors: files already left out (missing paths); extended in place.

    Returns:
        The groups, the largest first (then by title and fingerprint), each sorted by
        owner and file name; the errors sorted by file name.
    """
    groups: dict[str, DefinitionGroup] = {}
    for result in results:
        if isinstance(result, FileError):
            errors.append(result)
            continue
        group = groups.get(result.fingerprint)
        if group is None:
            group = groups[result.fingerprint] = DefinitionGroup(
                result.fingerprint, result.definition
            )
        elif result.definition is not group.definition:
            # One Definition object per group (workers each unpickle their own copy).
            result = dataclasses.replace(result, definition=group.definition)
        group.people.append(result)
    ordered = sorted(
        groups.values(), key=lambda g: (-len(g.people), g.definition.title, g.fingerprint)
    )
    for group in ordered:
        group.people.sort(key=lambda p: (p.owner.casefold(), p.workbook))
    errors.sort(key=lambda e: e.workbook)
    return TeamReport(today, files, ordered, errors)
