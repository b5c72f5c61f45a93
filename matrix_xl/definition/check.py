"""Check that a definition can make a sensible workbook, whatever file it came from.

The checks run in a fixed order (sizes, skills, rubric, skill rows, thresholds, priority,
texts), so a definition with several faults is always reported by the same first one. The
sizes come first: they bound the work of everything after them, including the search for
the least steps (:func:`matrix_xl.rules.steps_to`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from matrix_xl.definition.model import Definition, Threshold
from matrix_xl.errors import DefinitionError
from matrix_xl.xlsx.cells import LINE_BREAKS, is_control

__all__ = ["LIMITS", "DefinitionLimits", "check_definition"]


@dataclass(frozen=True)
class DefinitionLimits:
    """The most a definition may hold, so that every command answers it in seconds.

    Each is far beyond a competency matrix (the seed has 21 skills, 5 levels, 2
    thresholds of 2 conditions) and keeps a hostile definition, such as one hidden in a
    workbook, from costing minutes or gigabytes.

    Attributes:
        levels: rubric levels (ratings 1 to this).
        skills: skills (rows of the matrix).
        thresholds: thresholds (verdicts).
        conditions: conditions of one threshold.
        name_chars: characters of a name: the title, a skill's, a threshold's.
        text_chars: characters of any other text: a depth, evidence, a rubric level's
            words, a threshold's sentence, a usage step, a question, a reference.
        items: questions or references of one skill, and usage steps.
        line_chars: characters of one line of a definition file.
        file_bytes: bytes of a definition file.
    """

    levels: int = 9
    skills: int = 300
    thresholds: int = 6
    conditions: int = 8
    name_chars: int = 255
    text_chars: int = 2_000
    items: int = 50
    line_chars: int = 10_000
    file_bytes: int = 1024 * 1024


LIMITS = DefinitionLimits()

_SKILL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_DEFINED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,254}$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$|^[Rr][0-9]*(?:[Cc][0-9]*)?$|^[Cc][0-9]*$")
_RESERVED_NAMES = {"skillnames", "ratings", "improvementlog"}  # the writer's own names


def check_definition(d: Definition, limits: DefinitionLimits = LIMITS) -> None:
    """Raise when a definition cannot make a sensible workbook.

    Args:
        d: the definition, from any source.
        limits: the most it may hold.

    Raises:
        DefinitionError: the first fault found, naming ``d.source``.
    """
    _check_sizes(d, limits)
    if not d.skills:
        raise DefinitionError("the definition has no skills", d.source)
    _check_rubric(d, limits)
    _check_skills(d)
    _check_thresholds(d)
    if not d.min_rating <= d.priority_at_or_below <= d.max_rating:
        raise DefinitionError(
            f"priority_at_or_below {d.priority_at_or_below} is outside the rubric", d.source
        )
    _check_texts(d, limits)


def _check_sizes(d: Definition, limits: DefinitionLimits) -> None:
    counts = [
        (len(d.skills), limits.skills, "skills", "split it into one matrix per role"),
        (len(d.rubric), limits.levels, "rubric levels", "merge neighbouring levels"),
        (len(d.thresholds), limits.thresholds, "thresholds", "keep the verdicts that matter"),
        (len(d.usage), limits.items, "usage steps", "merge some steps"),
    ]
    for t in d.thresholds:
        counts.append(
            (len(t.conditions), limits.conditions, f"conditions in threshold {t.id!r}", "")
        )
    for s in d.skills:
        counts.append((len(s.questions), limits.items, f"questions for skill {s.id!r}", ""))
        counts.append((len(s.references), limits.items, f"references for skill {s.id!r}", ""))
    for count, most, what, advice in counts:
        if count > most:
            raise DefinitionError(
                f"the definition has {count:,} {what}; matrix-xl takes at most {most:,}, "
                f"which keeps every command quick: {advice or 'keep the ones that matter'}",
                d.source,
            )


def _check_texts(d: Definition, limits: DefinitionLimits) -> None:
    for where, text, is_name in _texts(d):
        most = limits.name_chars if is_name else limits.text_chars
        if len(text) > most:
            raise DefinitionError(
                f"{where} is {len(text):,} characters long; at most {most:,} are allowed: "
                "shorten it",
                d.source,
            )
        allowed = "" if is_name else LINE_BREAKS
        bad = next((ch for ch in text if is_control(ch) and ch not in allowed), None)
        if bad is not None:
            kind = "a name takes none" if is_name else "only tabs and line breaks are allowed"
            raise DefinitionError(
                f"{where} holds the control character U+{ord(bad):04X} ({kind}): delete it",
                d.source,
            )


def _texts(d: Definition) -> Iterator[tuple[str, str, bool]]:
    """(where, text, whether it is a name) of every text of a definition, named as in TOML."""
    yield "title", d.title, True
    for i, step in enumerate(d.usage):
        yield f"usage[{i}]", step, False
    for i, lv in enumerate(d.rubric):
        yield f"rubric[{i}].definition", lv.definition, False
        yield f"rubric[{i}].evidence", lv.evidence, False
    for i, t in enumerate(d.thresholds):
        # (Skill ids and defined names have rules of their own: letters, digits ...)
        yield f"thresholds[{i}].id", t.id, True
        yield f"thresholds[{i}].name", t.name, True
        yield f"thresholds[{i}].text", t.text, False
    for i, s in enumerate(d.skills):
        yield f"skills[{i}].name", s.name, True
        yield f"skills[{i}].depth", s.depth, False
        yield f"skills[{i}].evidence", s.evidence, False
        for j, question in enumerate(s.questions):
            yield f"skills[{i}].questions[{j}]", question, False
        for j, ref in enumerate(s.references):
            yield f"skills[{i}].references[{j}].section", ref.section, False
            yield f"skills[{i}].references[{j}].anchor", ref.anchor, False


def _check_rubric(d: Definition, limits: DefinitionLimits) -> None:
    if not d.rubric:
        raise DefinitionError("the definition has no rubric levels", d.source)
    ratings = [lv.rating for lv in d.rubric]
    if ratings != list(range(1, len(ratings) + 1)):
        raise DefinitionError(
            "rubric ratings must run 1, 2, 3 ... without gaps "
            f"(at most {limits.levels} levels); got {ratings}",
            d.source,
        )


def _check_skills(d: Definition) -> None:
    where = d.source
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for s in d.skills:
        if not _SKILL_ID.fullmatch(s.id):
            raise DefinitionError(
                f"skill id {s.id!r} must be lower-case letters, digits and dashes", where
            )
        key = " ".join(s.name.split()).casefold()
        if not key:
            raise DefinitionError(f"skill {s.id!r} has an empty name", where)
        if s.id in seen_ids:
            raise DefinitionError(f"skill id {s.id!r} appears twice", where)
        if key in seen_names:
            raise DefinitionError(f"skill {s.name!r} appears twice", where)
        seen_ids.add(s.id)
        seen_names.add(key)


def _check_thresholds(d: Definition) -> None:
    if not d.thresholds:
        raise DefinitionError("the definition has no thresholds", d.source)
    names: set[str] = set()
    for t in d.thresholds:
        if not _is_defined_name(t.defined_name):
            raise DefinitionError(
                f"threshold {t.id!r}: {t.defined_name!r} cannot be an Excel defined name",
                d.source,
            )
        if t.defined_name.casefold() in names or t.id in {x.id for x in d.thresholds if x is not t}:
            raise DefinitionError(f"threshold {t.id!r} appears twice", d.source)
        names.add(t.defined_name.casefold())
        _check_conditions(d, t)


def _is_defined_name(name: str) -> bool:
    # Excel refuses a name that reads as a cell (A1, R1C1), its own _xlnm names, and the
    # writer needs the names it defines itself.
    return bool(
        _DEFINED_NAME.match(name)
        and not _CELL_LIKE.match(name)
        and name.casefold() not in _RESERVED_NAMES
        and not name.casefold().startswith("_xlnm")
    )


def _check_conditions(d: Definition, t: Threshold) -> None:
    if not t.conditions:
        raise DefinitionError(f"threshold {t.id!r} has no conditions", d.source)
    for c in t.conditions:
        if not d.min_rating <= c.level <= d.max_rating:
            raise DefinitionError(
                f"threshold {t.id!r}: level {c.level} is outside the rubric "
                f"({d.min_rating}-{d.max_rating})",
                d.source,
            )
