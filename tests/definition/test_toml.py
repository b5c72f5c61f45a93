"""Tests of matrix_xl/definition/toml.py: TOML text <-> plain data, and definitions through it."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix_xl.definition import (
    Condition,
    Definition,
    Level,
    Reference,
    Skill,
    Threshold,
    check_definition,
    definition_from_dict,
    parse_toml,
)
from matrix_xl.definition.toml import data_to_toml, toml_to_data
from matrix_xl.errors import DefinitionError
from matrix_xl.xlsx.cells import LINE_BREAKS, has_control

# -- plain data -------------------------------------------------------------------------------

keys = st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True)
scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.text(max_size=20),
)
plain_values = st.one_of(scalars, st.lists(scalars, max_size=4))
tables = st.recursive(
    st.dictionaries(keys, plain_values, max_size=4),
    lambda children: st.dictionaries(
        keys, st.one_of(plain_values, st.lists(children, min_size=1, max_size=3)), max_size=4
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(tables)
def test_plain_data_round_trips(data: dict[str, Any]) -> None:
    text = data_to_toml(data)
    assert text.endswith("\n")
    assert toml_to_data(text) == data
    assert tomllib.loads(text) == data  # plain TOML: any reader reads it


def test_tables_of_tables_are_arrays_and_come_after_the_plain_keys() -> None:
    data = {
        "items": [{"id": "a", "parts": [{"n": 1}, {"n": 2}]}, {"id": "b"}],
        "title": "T",
        "empty": [],
    }
    assert data_to_toml(data) == (
        'title = "T"\n'
        "empty = []\n"
        "\n"
        "[[items]]\n"
        'id = "a"\n'
        "\n"
        "[[items.parts]]\n"
        "n = 1\n"
        "\n"
        "[[items.parts]]\n"
        "n = 2\n"
        "\n"
        "[[items]]\n"
        'id = "b"\n'
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (True, "true"),
        (False, "false"),
        (-3, "-3"),
        ("plain", '"plain"'),
        ('say "hi"\\', '"say \\"hi\\"\\\\"'),
        ("tab\tnew\nline", '"tab\\tnew\\nline"'),
        ("del\x7f", '"del\\u007f"'),
        ("nul\x00", '"nul\\u0000"'),
        ("Ünïcödé", '"Ünïcödé"'),
        (["a", 1, True], '["a", 1, true]'),
    ],
)
def test_values_are_written_as_toml(value: object, written: str) -> None:
    assert data_to_toml({"k": value}) == f"k = {written}\n"


@pytest.mark.parametrize("value", [1.5, {"a": 1}, None, [{"a": 1}, 2]])
def test_what_the_format_does_not_hold_is_refused(value: object) -> None:
    with pytest.raises(TypeError, match="cannot write"):
        data_to_toml({"k": value})


def test_invalid_toml_names_the_source_and_the_line() -> None:
    with pytest.raises(DefinitionError) as info:
        toml_to_data('title = "ok"\nbroken = "\n', source="m.toml")
    message = str(info.value)
    assert message.startswith("m.toml: not valid TOML")
    assert "line 2" in message
    assert info.value.path == "m.toml"


# -- definitions through TOML -----------------------------------------------------------------


def test_toml_round_trip(default: Definition) -> None:
    assert parse_toml(default.to_toml()) == default


def test_the_fingerprint_survives_toml(default: Definition) -> None:
    assert parse_toml(default.to_toml(), source="elsewhere").fingerprint() == (
        default.fingerprint()
    )


def test_to_toml_writes_the_dict_form(default: Definition) -> None:
    assert default.to_toml() == data_to_toml(default.to_dict())
    assert toml_to_data(default.to_toml()) == default.to_dict()


# Text a skill name may hold that must survive TOML: formulas, pipes, quotes, TOML syntax,
# escapes, control characters and non-ASCII.
HOSTILE = [
    "=1+1",
    "=SUM(A1:A9)",
    "+cmd|' /C calc'!A0",
    "@risk",
    "|",
    "a \\| b",
    '"quoted"',
    "'single'",
    "'''triple'''",
    '"""triple"""',
    "back\\slash",
    "\\u0041",
    "[[skills]]",
    'name = "x"',
    "# not a comment",
    "Ünïcödé ✓",
    "日本語のスキル",
    "emoji 🚀",
    "right-to-left \u202e",
    "line\nbreak",
    "tab\tinside",
    "bell\x07",
    "nul\x00inside",
    "del\x7finside",
]


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _stripped(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    # The loader strips every text, so only stripped text can come back unchanged.
    return strategy.map(str.strip)


# A definition refuses control characters: none in a name, only tabs and line breaks in
# other texts (the plain-data tests above carry them all).
texts = _stripped(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))).filter(
    lambda s: not has_control(s, allow=LINE_BREAKS)
)
names = texts.filter(lambda s: bool(s.split()) and len(s) <= 255 and not has_control(s))
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
excel_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,12}", fullmatch=True).filter(
    lambda s: (
        not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*(?:[Cc][0-9]*)?|[Cc][0-9]*", s)
        and s.casefold() not in {"skillnames", "ratings", "improvementlog"}
        and not s.casefold().startswith("_xlnm")
    )
)


@st.composite
def definitions(draw: st.DrawFn) -> Definition:
    top = draw(st.integers(1, 9))
    rubric = tuple(Level(r, draw(texts), draw(texts)) for r in range(1, top + 1))
    skill_names = draw(st.lists(names, min_size=1, max_size=6, unique_by=_name_key))
    ids = draw(st.lists(slugs, min_size=len(skill_names), max_size=len(skill_names), unique=True))
    skills = tuple(
        Skill(
            id=sid,
            name=name,
            mandatory=draw(st.booleans()),
            depth=draw(texts),
            evidence=draw(texts),
            questions=tuple(draw(st.lists(texts, max_size=2))),
            references=tuple(
                Reference(section, anchor)
                for section, anchor in draw(st.lists(st.tuples(texts, texts), max_size=2))
            ),
        )
        for name, sid in zip(skill_names, ids, strict=True)
    )
    conditions = st.builds(
        Condition,
        scope=st.sampled_from(["mandatory", "optional", "any"]),
        level=st.integers(1, top),
        count=st.one_of(st.sampled_from(["all", "majority"]), st.integers(1, 30)),
    )
    n = draw(st.integers(1, 3))
    threshold_ids = draw(st.lists(slugs, min_size=n, max_size=n, unique=True))
    defined = draw(st.lists(excel_names, min_size=n, max_size=n, unique_by=str.casefold))
    thresholds = tuple(
        Threshold(
            id=tid,
            name=draw(names),
            defined_name=dn,
            conditions=tuple(draw(st.lists(conditions, min_size=1, max_size=3))),
            text=draw(texts),
        )
        for tid, dn in zip(threshold_ids, defined, strict=True)
    )
    d = Definition(
        title=draw(names),
        skills=skills,
        rubric=rubric,
        thresholds=thresholds,
        usage=tuple(draw(st.lists(texts, max_size=3))),
        priority_at_or_below=draw(st.integers(1, top)),
    )
    check_definition(d)  # the strategy only makes valid definitions
    return d


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_random_definitions_round_trip_through_toml(d: Definition) -> None:
    assert parse_toml(d.to_toml()) == d
    assert definition_from_dict(json.loads(d.to_json())) == d


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_skill_names_round_trip_through_toml_or_are_refused(
    default: Definition, name: str
) -> None:
    skill = replace(default.skills[0], name=name)
    d = replace(default, skills=(skill, *default.skills[1:]))
    text = d.to_toml()
    assert toml_to_data(text) == d.to_dict()  # the format carries any text
    if not has_control(name):
        check_definition(d)
        assert parse_toml(text) == d
        return
    # A control character in a name reaches no workbook: refused when loaded, naming the
    # file and the field.
    with pytest.raises(DefinitionError) as caught:
        parse_toml(text, source="m.toml")
    message = str(caught.value)
    assert message.startswith("m.toml: skills[0].name holds the control character U+00")
    assert "delete it" in message
