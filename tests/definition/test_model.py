"""Tests of matrix_xl/definition/model.py: the types and their small pure helpers."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.definition import Condition, Definition, in_scope, slugify


def test_targets_come_from_the_first_threshold(default: Definition) -> None:
    by_name = {s.name: s for s in default.skills}
    assert default.target(by_name["Communication"]) == 4  # all Mandatory ≥4
    assert default.target(by_name["Time Series"]) == 3  # 3 optional ≥3
    assert {default.target(s) for s in default.skills if s.mandatory} == {4}
    assert {default.target(s) for s in default.skills if not s.mandatory} == {3}


def test_target_is_the_highest_level_the_first_threshold_asks(default: Definition) -> None:
    # Two conditions on mandatory skills (>= 2 and >= 4) and one on any skill (>= 3): a
    # mandatory skill's target is 4, an optional one's 3; the second threshold is ignored.
    first = replace(
        default.thresholds[0],
        conditions=(
            Condition("mandatory", 2, "all"),
            Condition("any", 3, 1),
            Condition("mandatory", 4, 1),
        ),
    )
    second = replace(default.thresholds[1], conditions=(Condition("optional", 5, "all"),))
    d = replace(default, thresholds=(first, second))
    mandatory = next(s for s in d.skills if s.mandatory)
    optional = next(s for s in d.skills if not s.mandatory)
    assert (d.target(mandatory), d.target(optional)) == (4, 3)


def test_target_without_a_condition_on_the_skill_is_the_top_rating(default: Definition) -> None:
    first = replace(default.thresholds[0], conditions=(Condition("mandatory", 2, "all"),))
    d = replace(default, thresholds=(first,))
    optional = next(s for s in d.skills if not s.mandatory)
    assert d.target(optional) == d.max_rating == 5


def test_skill_lookup(default: Definition) -> None:
    first = default.skills[0]
    assert default.skill(first.id) is first
    assert default.threshold("promotion") is default.thresholds[1]
    with pytest.raises(KeyError):
        default.skill("no-such-skill")
    with pytest.raises(KeyError):
        default.threshold("no-such-threshold")


def test_min_and_max_rating_come_from_the_rubric(default: Definition) -> None:
    assert (default.min_rating, default.max_rating) == (1, 5)
    d = replace(default, rubric=default.rubric[:3])
    assert (d.min_rating, d.max_rating) == (1, 3)


@pytest.mark.parametrize(
    ("count", "in_scope", "required"),
    [
        ("all", 13, 13),
        ("all", 0, 0),
        ("majority", 13, 7),  # more than half of 13
        ("majority", 12, 7),  # 6 is only half
        ("majority", 1, 1),
        ("majority", 0, 1),  # cannot be met by nothing
        (3, 8, 3),
        (10, 8, 10),  # more than the scope: cannot be met
    ],
)
def test_condition_required(count: int | str, in_scope: int, required: int) -> None:
    assert Condition("mandatory", 4, count).required(in_scope) == required  # type: ignore[arg-type]


@given(st.integers(0, 10_000))
def test_majority_is_the_least_number_over_half(n: int) -> None:
    need = Condition("any", 3, "majority").required(n)
    assert 2 * need > n >= 2 * (need - 1)


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (Condition("mandatory", 4, "all"), "every mandatory skill >= 4"),
        (Condition("optional", 3, "all"), "every optional skill >= 3"),
        (Condition("any", 2, "all"), "every skill >= 2"),
        (Condition("mandatory", 4, "majority"), "more than half of the mandatory skills >= 4"),
        (Condition("any", 1, "majority"), "more than half of the skills >= 1"),
        (Condition("optional", 3, 3), "at least 3 optional skills >= 3"),
        (Condition("mandatory", 5, 1), "at least 1 mandatory skill >= 5"),
        (Condition("any", 2, 2), "at least 2 skills >= 2"),
    ],
)
def test_condition_describe(condition: Condition, words: str) -> None:
    assert condition.describe() == words


@pytest.mark.parametrize(
    ("scope", "mandatory", "expected"),
    [
        ("mandatory", True, True),
        ("mandatory", False, False),
        ("optional", True, False),
        ("optional", False, True),
        ("any", True, True),
        ("any", False, True),
    ],
)
def test_in_scope(scope: str, mandatory: bool, expected: bool) -> None:
    assert in_scope(scope, mandatory) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Cloud (AWS/Azure/GCP basics)", "cloud"),
        ("Evaluation & Metrics", "evaluation-and-metrics"),
        ("Deployment (Docker + API)", "deployment"),
        ("CI/CD + Version Control", "ci-cd-version-control"),
        ("C++", "c"),
        ("(only a parenthesis)", "only-a-parenthesis"),
        ("日本語", "skill"),
        ("  Spaced   Out  ", "spaced-out"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@given(st.text(max_size=40))
def test_slugify_makes_a_stable_id(name: str) -> None:
    slug = slugify(name)
    assert re.fullmatch(r"[0-9a-z]+(?:-[0-9a-z]+)*", slug), slug
    assert slugify(slug) == slug


def test_to_dict_is_plain_data_in_the_documented_shape(default: Definition) -> None:
    data = default.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == [
        "format",
        "title",
        "priority_at_or_below",
        "usage",
        "rubric",
        "thresholds",
        "skills",
    ]
    assert data["format"] == 1
    assert data["thresholds"][0]["conditions"][0] == {
        "scope": "mandatory",
        "level": 4,
        "count": "all",
    }
    assert set(data["skills"][0]) == {
        "id",
        "name",
        "mandatory",
        "depth",
        "evidence",
        "questions",
        "references",
    }


def test_to_json_is_compact_and_sorted(default: Definition) -> None:
    text = default.to_json()
    assert json.loads(text) == default.to_dict()
    assert text == json.dumps(
        default.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def test_source_is_not_part_of_the_identity(default: Definition) -> None:
    elsewhere = replace(default, source="elsewhere.toml")
    assert elsewhere == default
    assert elsewhere.fingerprint() == default.fingerprint()


def test_fingerprint_is_stable_and_tracks_content(default: Definition) -> None:
    fp = default.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{12}", fp)
    first = default.skills[0]
    changes = [
        replace(first, name=first.name + "!"),
        replace(first, mandatory=not first.mandatory),
        replace(first, depth="Something else"),
        replace(first, questions=()),
    ]
    fingerprints = {fp}
    for changed in changes:
        other = replace(default, skills=(changed, *default.skills[1:]))
        fingerprints.add(other.fingerprint())
    assert len(fingerprints) == 1 + len(changes)
