"""The matrix definition: skills, rubric, thresholds, questions and references, as data.

A definition is loaded from the package's TOML format or from a Markdown file laid out
like the seed matrix (see :mod:`matrix_xl.definition.markdown`). Nothing in the rest of matrix-xl
names a skill or a threshold: everything comes from here.

Example:
    >>> from matrix_xl.definition.model import default_definition
    >>> d = default_definition()
    >>> len(d.skills), d.thresholds[0].defined_name
    (21, 'ReadyToApply')
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from matrix_xl.errors import DefinitionError

__all__ = [
    "Condition",
    "Definition",
    "Level",
    "Reference",
    "Skill",
    "Threshold",
    "default_definition",
    "load_definition",
    "slugify",
]

FORMAT = 1
Scope = Literal["mandatory", "optional", "any"]
Count = int | Literal["all", "majority"]
SCOPES: tuple[Scope, ...] = ("mandatory", "optional", "any")


@dataclass(frozen=True)
class Reference:
    """A reading reference for a skill: a section of one's own notes and an outside anchor."""

    section: str
    anchor: str


@dataclass(frozen=True)
class Skill:
    """One row of the matrix.

    ``id`` is stable across versions of a workbook: rows are matched by it, not by position.
    """

    id: str
    name: str
    mandatory: bool
    depth: str = ""
    evidence: str = ""
    questions: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Level:
    """One level of the rating rubric (the seed's Rating / Definition / Evidence Examples)."""

    rating: int
    definition: str
    evidence: str


@dataclass(frozen=True)
class Condition:
    """At least ``count`` skills of ``scope`` are rated ``level`` or higher.

    ``count`` is a number, ``"all"`` (every skill of the scope) or ``"majority"`` (more
    than half of them). Unrated skills never count as meeting a level.
    """

    scope: Scope
    level: int
    count: Count

    def required(self, in_scope: int) -> int:
        """How many of ``in_scope`` skills must meet the level.

        May exceed ``in_scope`` for a fixed count, meaning the condition cannot be met.
        """
        if self.count == "all":
            return in_scope
        if self.count == "majority":
            return in_scope // 2 + 1
        return self.count

    def describe(self) -> str:
        """The condition in words, e.g. ``every mandatory skill >= 4``."""
        noun = {"mandatory": "mandatory skill", "optional": "optional skill", "any": "skill"}
        what = noun[self.scope]
        if self.count == "all":
            return f"every {what} >= {self.level}"
        if self.count == "majority":
            return f"more than half of the {what}s >= {self.level}"
        plural = "" if self.count == 1 else "s"
        return f"at least {self.count} {what}{plural} >= {self.level}"


@dataclass(frozen=True)
class Threshold:
    """A verdict such as *ready to apply*: met when every condition is met."""

    id: str
    name: str
    defined_name: str
    conditions: tuple[Condition, ...]
    text: str = ""


@dataclass(frozen=True)
class Definition:
    """A whole competency matrix.

    Args:
        title: shown on top of the workbook.
        skills: the rows, in order.
        rubric: the rating levels, contiguous from 1.
        thresholds: the verdicts; the first one sets each skill's target level.
        usage: the usage guidance, one step a string.
        priority_at_or_below: mandatory skills rated at or below this come first.
        source: where the definition was loaded from (not part of its identity).
    """

    title: str
    skills: tuple[Skill, ...]
    rubric: tuple[Level, ...]
    thresholds: tuple[Threshold, ...]
    usage: tuple[str, ...] = ()
    priority_at_or_below: int = 3
    source: str = field(default="built-in", compare=False)

    @property
    def min_rating(self) -> int:
        return self.rubric[0].rating

    @property
    def max_rating(self) -> int:
        return self.rubric[-1].rating

    def skill(self, skill_id: str) -> Skill:
        """The skill with this id (``KeyError`` if none)."""
        for skill in self.skills:
            if skill.id == skill_id:
                return skill
        raise KeyError(skill_id)

    def target(self, skill: Skill) -> int:
        """The level a skill should reach: the highest level the first threshold asks of it."""
        levels = (
            [c.level for c in self.thresholds[0].conditions if in_scope(c.scope, skill.mandatory)]
            if self.thresholds
            else []
        )
        return max(levels, default=self.max_rating)

    def threshold(self, threshold_id: str) -> Threshold:
        for t in self.thresholds:
            if t.id == threshold_id:
                return t
        raise KeyError(threshold_id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON- and TOML-ready form, read back by :func:`definition_from_dict`."""
        return {
            "format": FORMAT,
            "title": self.title,
            "priority_at_or_below": self.priority_at_or_below,
            "usage": list(self.usage),
            "rubric": [
                {"rating": lv.rating, "definition": lv.definition, "evidence": lv.evidence}
                for lv in self.rubric
            ],
            "thresholds": [
                {
                    "id": t.id,
                    "name": t.name,
                    "defined_name": t.defined_name,
                    "text": t.text,
                    "conditions": [
                        {"scope": c.scope, "level": c.level, "count": c.count} for c in t.conditions
                    ],
                }
                for t in self.thresholds
            ],
            "skills": [
                {
                    "id": s.id,
                    "name": s.name,
                    "mandatory": s.mandatory,
                    "depth": s.depth,
                    "evidence": s.evidence,
                    "questions": list(s.questions),
                    "references": [
                        {"section": r.section, "anchor": r.anchor} for r in s.references
                    ],
                }
                for s in self.skills
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def fingerprint(self) -> str:
        """A short hash of the definition's content: equal definitions, equal fingerprints."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:12]

    def to_toml(self) -> str:
        """The definition in the package's TOML format."""
        return _dump_toml(self.to_dict())


def in_scope(scope: Scope, mandatory: bool) -> bool:
    return scope == "any" or (scope == "mandatory") == mandatory


def slugify(text: str) -> str:
    """A stable id from a skill name: lower case, the parenthesised part dropped.

    >>> slugify("Cloud (AWS/Azure/GCP basics)")
    'cloud'
    """
    base = re.sub(r"\(.*?\)", "", text).strip() or text
    slug = re.sub(r"[^0-9a-z]+", "-", base.lower().replace("&", " and ").replace("+", " ")).strip(
        "-"
    )
    return slug or "skill"


# -- loading ---------------------------------------------------------------------------------


def load_definition(path: str | Path | None = None) -> Definition:
    """Load a definition from a ``.toml`` or ``.md`` file, or the built-in default.

    Args:
        path: the file; ``None`` gives the built-in default.

    Returns:
        The definition.

    Raises:
        DefinitionError: the file is missing or malformed; the message names the file and
            the line or table at fault.
    """
    if path is None:
        return default_definition()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError("no such definition file", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"cannot read the definition: {exc}", path) from None
    if path.suffix.lower() in (".md", ".markdown"):
        from matrix_xl.definition.markdown import parse_markdown

        return parse_markdown(text, source=str(path))
    if path.suffix.lower() == ".toml":
        return parse_toml(text, source=str(path))
    raise DefinitionError("a definition is a .toml or a .md file", path)


@cache
def default_definition() -> Definition:
    """The built-in matrix, transcribed from the seed competency matrix."""
    text = resources.files("matrix_xl").joinpath("data/default.toml").read_text(encoding="utf-8")
    return parse_toml(text, source="built-in")


def parse_toml(text: str, source: str = "<string>") -> Definition:
    """Parse the package's TOML format (see ``matrix_xl/data/default.toml``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"not valid TOML: {exc}", source) from None
    return definition_from_dict(data, source)


def definition_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Definition:
    """Build and check a definition from its dict form (TOML, or the JSON kept in workbooks)."""
    r = _Reader(source)
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise DefinitionError(
            f"format {fmt!r} is not supported (this matrix-xl reads {FORMAT})", source
        )
    rubric = tuple(
        Level(
            rating=r.integer(lv, "rating", f"rubric[{i}]"),
            definition=r.text(lv, "definition", f"rubric[{i}]"),
            evidence=r.text(lv, "evidence", f"rubric[{i}]", default=""),
        )
        for i, lv in enumerate(r.tables(data, "rubric"))
    )
    skills = tuple(
        Skill(
            id=r.text(s, "id", f"skills[{i}]", default="")
            or slugify(r.text(s, "name", f"skills[{i}]")),
            name=r.text(s, "name", f"skills[{i}]"),
            mandatory=r.boolean(s, "mandatory", f"skills[{i}]"),
            depth=r.text(s, "depth", f"skills[{i}]", default=""),
            evidence=r.text(s, "evidence", f"skills[{i}]", default=""),
            questions=tuple(r.texts(s, "questions", f"skills[{i}]")),
            references=tuple(
                Reference(
                    section=r.text(ref, "section", f"skills[{i}].references[{j}]", default=""),
                    anchor=r.text(ref, "anchor", f"skills[{i}].references[{j}]", default=""),
                )
                for j, ref in enumerate(r.tables(s, "references", required=False))
            ),
        )
        for i, s in enumerate(r.tables(data, "skills"))
    )
    thresholds = tuple(
        Threshold(
            id=r.text(t, "id", f"thresholds[{i}]"),
            name=r.text(t, "name", f"thresholds[{i}]"),
            defined_name=r.text(t, "defined_name", f"thresholds[{i}]"),
            text=r.text(t, "text", f"thresholds[{i}]", default=""),
            conditions=tuple(
                _condition(r, c, f"thresholds[{i}].conditions[{j}]")
                for j, c in enumerate(r.tables(t, "conditions"))
            ),
        )
        for i, t in enumerate(r.tables(data, "thresholds"))
    )
    definition = Definition(
        title=r.text(data, "title", "top level", default="Competency Matrix"),
        skills=skills,
        rubric=rubric,
        thresholds=thresholds,
        usage=tuple(r.texts(data, "usage", "top level")),
        priority_at_or_below=r.integer(data, "priority_at_or_below", "top level", default=3),
        source=source,
    )
    check_definition(definition)
    return definition


def _condition(r: _Reader, c: Mapping[str, Any], where: str) -> Condition:
    scope = r.text(c, "scope", where)
    if scope not in SCOPES:
        raise DefinitionError(
            f"{where}: scope {scope!r} is not one of {', '.join(SCOPES)}", r.source
        )
    count = c.get("count")
    if not (count in ("all", "majority") or (type(count) is int and count >= 1)):
        raise DefinitionError(
            f'{where}: count {count!r} must be "all", "majority" or a whole number >= 1',
            r.source,
        )
    return Condition(scope=scope, level=r.integer(c, "level", where), count=cast(Count, count))


_DEFINED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,254}$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$|^[Rr][0-9]*(?:[Cc][0-9]*)?$|^[Cc][0-9]*$")
_RESERVED_NAMES = {"skillnames", "ratings", "improvementlog"}  # the writer's own names


def check_definition(d: Definition) -> None:
    """Raise :class:`DefinitionError` when a definition cannot make a sensible workbook."""
    where = d.source
    if not d.skills:
        raise DefinitionError("the definition has no skills", where)
    if not d.rubric:
        raise DefinitionError("the definition has no rubric levels", where)
    ratings = [lv.rating for lv in d.rubric]
    if ratings != list(range(1, len(ratings) + 1)) or len(ratings) > 9:
        raise DefinitionError(
            f"rubric ratings must run 1, 2, 3 ... without gaps (at most 9 levels); got {ratings}",
            where,
        )
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for s in d.skills:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", s.id):
            raise DefinitionError(
                f"skill id {s.id!r} must be lower-case letters, digits and dashes", where
            )
        key = " ".join(s.name.split()).casefold()
        if not key:
            raise DefinitionError(f"skill {s.id!r} has an empty name", where)
        if len(s.name) > 255:
            raise DefinitionError(f"skill name {s.name[:40]!r}... is over 255 characters", where)
        if s.id in seen_ids:
            raise DefinitionError(f"skill id {s.id!r} appears twice", where)
        if key in seen_names:
            raise DefinitionError(f"skill {s.name!r} appears twice", where)
        seen_ids.add(s.id)
        seen_names.add(key)
    if not d.thresholds:
        raise DefinitionError("the definition has no thresholds", where)
    names: set[str] = set()
    for t in d.thresholds:
        if (
            not _DEFINED_NAME.match(t.defined_name)
            or _CELL_LIKE.match(t.defined_name)
            or t.defined_name.casefold() in _RESERVED_NAMES
            or t.defined_name.casefold().startswith("_xlnm")
        ):
            raise DefinitionError(
                f"threshold {t.id!r}: {t.defined_name!r} cannot be an Excel defined name", where
            )
        if t.defined_name.casefold() in names or t.id in {x.id for x in d.thresholds if x is not t}:
            raise DefinitionError(f"threshold {t.id!r} appears twice", where)
        names.add(t.defined_name.casefold())
        if not t.conditions:
            raise DefinitionError(f"threshold {t.id!r} has no conditions", where)
        for c in t.conditions:
            if not d.min_rating <= c.level <= d.max_rating:
                raise DefinitionError(
                    f"threshold {t.id!r}: level {c.level} is outside the rubric "
                    f"({d.min_rating}-{d.max_rating})",
                    where,
                )
    if not d.min_rating <= d.priority_at_or_below <= d.max_rating:
        raise DefinitionError(
            f"priority_at_or_below {d.priority_at_or_below} is outside the rubric", where
        )


class _Reader:
    """Typed access to a parsed TOML/JSON mapping that fails with a DefinitionError."""

    def __init__(self, source: str) -> None:
        self.source = source

    def _fail(self, where: str, key: str, want: str, got: object) -> DefinitionError:
        return DefinitionError(f"{where}: {key!r} must be {want}, got {got!r}", self.source)

    def text(self, m: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
        v = m.get(key, default)
        if not isinstance(v, str):
            raise self._fail(where, key, "text", v)
        return v.strip()

    def integer(
        self, m: Mapping[str, Any], key: str, where: str, default: int | None = None
    ) -> int:
        v = m.get(key, default)
        if type(v) is not int:
            raise self._fail(where, key, "a whole number", v)
        return v

    def boolean(self, m: Mapping[str, Any], key: str, where: str) -> bool:
        v = m.get(key)
        if not isinstance(v, bool):
            raise self._fail(where, key, "true or false", v)
        return v

    def texts(self, m: Mapping[str, Any], key: str, where: str) -> list[str]:
        v = m.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self._fail(where, key, "a list of texts", v)
        return [x.strip() for x in v]

    def tables(
        self, m: Mapping[str, Any], key: str, required: bool = True
    ) -> Sequence[Mapping[str, Any]]:
        v = m.get(key)
        if not required and (v is None or v == []):
            return []
        if not isinstance(v, list) or not v or not all(isinstance(x, dict) for x in v):
            raise self._fail(
                "top level" if key in ("rubric", "skills", "thresholds") else key,
                key,
                "a non-empty list of tables",
                v,
            )
        return v


# -- TOML output (tomllib only reads) --------------------------------------------------------


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        # JSON's escapes are TOML's, except that TOML also forbids a raw DEL.
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list) and all(not isinstance(x, dict) for x in v):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as a TOML value")


def _dump_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    plain = [(k, v) for k, v in data.items() if not _is_table_array(v)]
    arrays = [(k, v) for k, v in data.items() if _is_table_array(v)]
    out = [f"{k} = {_toml_value(v)}" for k, v in plain]
    for key, items in arrays:
        for item in items:
            out.append(f"\n[[{prefix}{key}]]")
            out.append(_dump_toml(item, f"{prefix}{key}.").rstrip("\n"))
    return "\n".join(line for line in out if line) + "\n"


def _is_table_array(v: object) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)
