"""Load a definition: from a ``.toml`` or ``.md`` file, TOML text, plain data, or the
built-in default. Whatever the source, the result has passed
:func:`~matrix_xl.definition.check_definition`.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from matrix_xl.definition.check import LIMITS, check_definition
from matrix_xl.definition.markdown import parse_markdown
from matrix_xl.definition.model import (
    FORMAT,
    SCOPES,
    Condition,
    Count,
    Definition,
    Level,
    Reference,
    Skill,
    Threshold,
    slugify,
)
from matrix_xl.definition.toml import toml_to_data
from matrix_xl.errors import DefinitionError

__all__ = [
    "check_lines",
    "default_definition",
    "definition_from_dict",
    "definition_from_json",
    "load_definition",
    "parse_toml",
]


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
        size = path.stat().st_size
        if size > LIMITS.file_bytes:
            raise DefinitionError(
                f"the definition file is {size:,} bytes; at most {LIMITS.file_bytes:,} are "
                "allowed (the built-in one is about 10 KB): is this the right file?",
                path,
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError("no such definition file", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"cannot read the definition: {exc}", path) from None
    if path.suffix.lower() in (".md", ".markdown"):
        check_lines(text, str(path))
        return parse_markdown(text, source=str(path))
    if path.suffix.lower() == ".toml":
        return parse_toml(text, source=str(path))
    raise DefinitionError("a definition is a .toml or a .md file", path)


@cache
def default_definition() -> Definition:
    """The built-in matrix, transcribed from the seed competency matrix.

    Returns:
        The definition in ``matrix_xl/data/default.toml`` (loaded once).
    """
    text = resources.files("matrix_xl").joinpath("data/default.toml").read_text(encoding="utf-8")
    return parse_toml(text, source="built-in")


def parse_toml(text: str, source: str = "<string>") -> Definition:
    """Parse the package's TOML format (see ``matrix_xl/data/default.toml``).

    Args:
        text: the TOML document.
        source: where it came from, named in errors and kept as ``Definition.source``.

    Returns:
        The checked definition.

    Raises:
        DefinitionError: not valid TOML, or not a valid definition.
    """
    check_lines(text, source)
    return definition_from_dict(toml_to_data(text, source), source)


def check_lines(text: str, source: str) -> None:
    """Refuse a definition's text with a line longer than the limit, before any parser.

    Every parser's work grows with its lines; a definition's longest line is a table row
    of a few hundred characters.

    Raises:
        DefinitionError: naming the first line too long and its length.
    """
    most = LIMITS.line_chars
    if len(text) <= most or max(map(len, text.splitlines()), default=0) <= most:
        return
    number, line = next((n, ln) for n, ln in enumerate(text.splitlines(), 1) if len(ln) > most)
    raise DefinitionError(
        f"line {number} is {len(line):,} characters long; a definition's lines hold at most "
        f"{most:,}: break it up or shorten it",
        source,
    )


def definition_from_json(text: str, source: str = "<json>") -> Definition:
    """Build and check a definition from its JSON form (:meth:`Definition.to_json`).

    Args:
        text: the JSON text, such as the one a workbook keeps on its hidden sheet.
        source: where it came from, named in errors and kept as ``Definition.source``.

    Returns:
        The checked definition.

    Raises:
        DefinitionError: not JSON, not a JSON object, nested too deep to read, or not a
            valid definition.
    """
    try:
        data = json.loads(text)
    except RecursionError:
        raise DefinitionError("the definition's JSON is nested too deep to read", source) from None
    except ValueError as exc:
        raise DefinitionError(f"the definition is not valid JSON ({exc})", source) from None
    return definition_from_dict(data, source)


def definition_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Definition:
    """Build and check a definition from its dict form (TOML, or the JSON kept in workbooks).

    Args:
        data: the form :meth:`Definition.to_dict` writes.
        source: where it came from, named in errors and kept as ``Definition.source``.

    Returns:
        The checked definition.

    Raises:
        DefinitionError: a key is missing or of the wrong type (the message names the table,
            e.g. ``skills[3]``), or the definition fails :func:`check_definition`.
    """
    if not isinstance(data, Mapping):
        raise DefinitionError(
            f"a definition is a table of keys (a JSON object), not {type(data).__name__}", source
        )
    r = _Reader(source)
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise DefinitionError(
            f"format {fmt!r} is not supported (this matrix-xl reads {FORMAT})", source
        )
    # Built in this order so that, of several faults, the same one is always reported.
    rubric = tuple(_level(r, lv, f"rubric[{i}]") for i, lv in enumerate(r.tables(data, "rubric")))
    skills = tuple(_skill(r, s, f"skills[{i}]") for i, s in enumerate(r.tables(data, "skills")))
    thresholds = tuple(
        _threshold(r, t, f"thresholds[{i}]") for i, t in enumerate(r.tables(data, "thresholds"))
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


def _level(r: _Reader, lv: Mapping[str, Any], where: str) -> Level:
    return Level(
        rating=r.integer(lv, "rating", where),
        definition=r.text(lv, "definition", where),
        evidence=r.text(lv, "evidence", where, default=""),
    )


def _skill(r: _Reader, s: Mapping[str, Any], where: str) -> Skill:
    return Skill(
        id=r.text(s, "id", where, default="") or slugify(r.text(s, "name", where)),
        name=r.text(s, "name", where),
        mandatory=r.boolean(s, "mandatory", where),
        depth=r.text(s, "depth", where, default=""),
        evidence=r.text(s, "evidence", where, default=""),
        questions=tuple(r.texts(s, "questions", where)),
        references=tuple(
            Reference(
                section=r.text(ref, "section", f"{where}.references[{j}]", default=""),
                anchor=r.text(ref, "anchor", f"{where}.references[{j}]", default=""),
            )
            for j, ref in enumerate(r.tables(s, "references", required=False))
        ),
    )


def _threshold(r: _Reader, t: Mapping[str, Any], where: str) -> Threshold:
    return Threshold(
        id=r.text(t, "id", where),
        name=r.text(t, "name", where),
        defined_name=r.text(t, "defined_name", where),
        text=r.text(t, "text", where, default=""),
        conditions=tuple(
            _condition(r, c, f"{where}.conditions[{j}]")
            for j, c in enumerate(r.tables(t, "conditions"))
        ),
    )


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


class _Reader:
    """Typed access to a parsed TOML/JSON mapping that fails with a DefinitionError."""

    def __init__(self, source: str) -> None:
        self.source = source

    def _fail(self, where: str, key: str, want: str, got: object) -> DefinitionError:
        shown = reprlib.repr(got)  # short, whatever was there
        return DefinitionError(f"{where}: {key!r} must be {want}, got {shown}", self.source)

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
