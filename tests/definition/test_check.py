"""Tests of matrix_xl/definition/check.py: what makes a definition usable.

Each fault is made by editing the built-in default directly (no file involved); the tests
of load.py check that the same faults in a file name that file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.definition import (
    Condition,
    Definition,
    Level,
    Reference,
    Skill,
    Threshold,
    check_definition,
)
from matrix_xl.definition.check import LIMITS, DefinitionLimits
from matrix_xl.errors import DefinitionError


def faulty(default: Definition, **changes: object) -> str:
    """The message of the error ``check_definition`` raises for the default with changes."""
    d = replace(default, source="edited.toml", **changes)  # type: ignore[arg-type]
    with pytest.raises(DefinitionError) as info:
        check_definition(d)
    assert info.value.path == "edited.toml"
    return str(info.value)


def with_skill(default: Definition, index: int, **changes: object) -> tuple[Skill, ...]:
    skills = list(default.skills)
    skills[index] = replace(skills[index], **changes)  # type: ignore[arg-type]
    return tuple(skills)


def with_threshold(default: Definition, index: int, **changes: object) -> tuple[Threshold, ...]:
    thresholds = list(default.thresholds)
    thresholds[index] = replace(thresholds[index], **changes)  # type: ignore[arg-type]
    return tuple(thresholds)


def test_the_default_passes(default: Definition) -> None:
    check_definition(default)


def test_no_skills(default: Definition) -> None:
    assert "no skills" in faulty(default, skills=())


def test_no_rubric(default: Definition) -> None:
    assert "no rubric levels" in faulty(default, rubric=())


@pytest.mark.parametrize(
    "ratings", [[2, 3, 4], [1, 2, 4], [1, 1, 2], [3, 2, 1], list(range(1, 11))]
)
def test_rubric_ratings_run_from_1_without_gaps_up_to_9(
    default: Definition, ratings: list[int]
) -> None:
    rubric = tuple(Level(r, f"Level {r}", "") for r in ratings)
    message = faulty(default, rubric=rubric, priority_at_or_below=1)
    if len(ratings) > 9:
        assert "has 10 rubric levels; matrix-xl takes at most 9" in message
        return
    assert "without gaps (at most 9 levels)" in message
    assert str(ratings) in message


def test_nine_levels_are_allowed(default: Definition) -> None:
    check_definition(replace(default, rubric=tuple(Level(r, str(r), "") for r in range(1, 10))))


@pytest.mark.parametrize("sid", ["", "Upper", "has space", "-dash-first", "under_score", "a" * 65])
def test_skill_ids_are_lower_case_letters_digits_and_dashes(default: Definition, sid: str) -> None:
    message = faulty(default, skills=with_skill(default, 3, id=sid))
    assert f"skill id {sid!r} must be lower-case letters, digits and dashes" in message


def test_a_skill_id_of_64_characters_is_allowed(default: Definition) -> None:
    check_definition(replace(default, skills=with_skill(default, 0, id="a" * 64)))


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_empty_skill_name(default: Definition, name: str) -> None:
    sid = default.skills[2].id
    assert f"skill {sid!r} has an empty name" in faulty(
        default, skills=with_skill(default, 2, name=name)
    )


def test_skill_name_over_255_characters(default: Definition) -> None:
    message = faulty(default, skills=with_skill(default, 0, name="x" * 256))
    assert "skills[0].name is 256 characters long; at most 255 are allowed" in message
    check_definition(replace(default, skills=with_skill(default, 0, name="x" * 255)))


def test_duplicate_skill_id(default: Definition) -> None:
    sid = default.skills[0].id
    message = faulty(default, skills=with_skill(default, 5, id=sid))
    assert f"skill id {sid!r} appears twice" in message


@pytest.mark.parametrize("variant", [str.upper, str.lower, lambda s: "  " + s.replace(" ", "   ")])
def test_duplicate_skill_name_ignores_case_and_spacing(
    default: Definition, variant: Callable[[str], str]
) -> None:
    name = variant(default.skills[0].name)
    message = faulty(default, skills=with_skill(default, 5, name=name))
    assert f"skill {name!r} appears twice" in message


def test_no_thresholds(default: Definition) -> None:
    assert "no thresholds" in faulty(default, thresholds=())


@pytest.mark.parametrize(
    "name",
    [
        "A1",
        "xfd1048576",
        "R1C1",
        "r",
        "C",
        "R2",
        "C3",
        "has space",
        "1Ready",
        "",
        "SkillNames",
        "ratings",
        "IMPROVEMENTLOG",
        "_xlnm.Print_Area",
        "_XLNM_x",
        "a" * 256,
        "Ready-To",
    ],
)
def test_names_excel_refuses_or_the_writer_uses_are_refused(default: Definition, name: str) -> None:
    message = faulty(default, thresholds=with_threshold(default, 1, defined_name=name))
    assert f"threshold 'promotion': {name!r} cannot be an Excel defined name" in message


@pytest.mark.parametrize("name", ["Ready", "_ready", "Ready.To", "ABCD1", "R1C1x", "a" * 255])
def test_good_defined_names_pass(default: Definition, name: str) -> None:
    check_definition(replace(default, thresholds=with_threshold(default, 1, defined_name=name)))


def test_duplicate_threshold_id(default: Definition) -> None:
    message = faulty(default, thresholds=with_threshold(default, 1, id="apply"))
    assert "threshold 'apply' appears twice" in message


def test_duplicate_defined_name_ignores_case(default: Definition) -> None:
    message = faulty(default, thresholds=with_threshold(default, 1, defined_name="readytoapply"))
    assert "threshold 'promotion' appears twice" in message


def test_threshold_without_conditions(default: Definition) -> None:
    message = faulty(default, thresholds=with_threshold(default, 0, conditions=()))
    assert "threshold 'apply' has no conditions" in message


@pytest.mark.parametrize("level", [0, 6, -1])
def test_condition_level_outside_the_rubric(default: Definition, level: int) -> None:
    conditions = (Condition("mandatory", 4, "all"), Condition("optional", level, 3))
    message = faulty(default, thresholds=with_threshold(default, 0, conditions=conditions))
    assert f"threshold 'apply': level {level} is outside the rubric (1-5)" in message


@pytest.mark.parametrize("priority", [0, 6])
def test_priority_outside_the_rubric(default: Definition, priority: int) -> None:
    message = faulty(default, priority_at_or_below=priority)
    assert f"priority_at_or_below {priority} is outside the rubric" in message


def test_the_first_fault_in_order_is_reported(default: Definition) -> None:
    # Skills, then the rubric, then the skill rows, then thresholds, then the priority.
    assert "no skills" in faulty(default, skills=(), rubric=())
    assert "no rubric" in faulty(default, rubric=(), thresholds=())
    bad_row = with_skill(default, 0, id="Bad")
    assert "'Bad'" in faulty(default, skills=bad_row, thresholds=())
    assert "no thresholds" in faulty(default, thresholds=(), priority_at_or_below=9)


@given(st.from_regex(r"[A-Za-z]{1,3}[0-9]{1,7}", fullmatch=True))
def test_a_name_that_reads_as_a_cell_is_refused(name: str) -> None:
    d = Definition(
        title="T",
        skills=(Skill("a", "A", True),),
        rubric=(Level(1, "One", ""), Level(2, "Two", "")),
        thresholds=(Threshold("t", "T", name, (Condition("any", 2, 1),)),),
        priority_at_or_below=1,
    )
    with pytest.raises(DefinitionError, match="cannot be an Excel defined name"):
        check_definition(d)


# -- the limits: what a definition may hold, so every command answers it quickly ---------------


def _skills(default: Definition, n: int) -> tuple[Skill, ...]:
    return tuple(Skill(f"s{i}", f"Skill {i}", i % 2 == 0) for i in range(n))


def _sized(default: Definition, what: str, n: int) -> dict[str, object]:
    """Changes that give the default ``n`` of ``what``."""
    t0 = default.thresholds[0]
    s0 = default.skills[0]
    return {
        "skills": {"skills": _skills(default, n)},
        "levels": {
            "rubric": tuple(Level(r, f"Level {r}", "") for r in range(1, n + 1)),
            "priority_at_or_below": 1,
        },
        "thresholds": {
            "thresholds": tuple(
                replace(t0, id=f"t{i}", defined_name=f"Ready{i}x") for i in range(n)
            )
        },
        "conditions": {"thresholds": (replace(t0, conditions=t0.conditions[:1] * n),)},
        "questions": {"skills": with_skill(default, 0, questions=("Why?",) * n)},
        "references": {"skills": with_skill(default, 0, references=s0.references[:1] * n)},
        "usage steps": {"usage": ("Rate.",) * n},
    }[what]


@pytest.mark.parametrize(
    ("what", "most", "words"),
    [
        ("skills", LIMITS.skills, "skills"),
        ("levels", LIMITS.levels, "rubric levels"),
        ("thresholds", LIMITS.thresholds, "thresholds"),
        ("conditions", LIMITS.conditions, "conditions in threshold 'apply'"),
        ("questions", LIMITS.items, "questions for skill 'python-advanced'"),
        ("references", LIMITS.items, "references for skill 'python-advanced'"),
        ("usage steps", LIMITS.items, "usage steps"),
    ],
)
def test_each_count_is_allowed_up_to_its_limit_and_refused_beyond(
    default: Definition, what: str, most: int, words: str
) -> None:
    check_definition(replace(default, **_sized(default, what, most)))  # type: ignore[arg-type]
    message = faulty(default, **_sized(default, what, most + 1))
    assert message.startswith(
        f"edited.toml: the definition has {most + 1:,} {words}; matrix-xl takes at most "
        f"{most:,}, which keeps every command quick: "
    )


TEXT_FIELDS: list[tuple[str, Callable[[Definition, str], dict[str, object]], bool]] = [
    ("title", lambda d, t: {"title": t}, True),
    ("usage[1]", lambda d, t: {"usage": (d.usage[0], t)}, False),
    ("rubric[2].definition", lambda d, t: {"rubric": _level(d, 2, definition=t)}, False),
    ("rubric[0].evidence", lambda d, t: {"rubric": _level(d, 0, evidence=t)}, False),
    ("thresholds[1].name", lambda d, t: {"thresholds": with_threshold(d, 1, name=t)}, True),
    ("thresholds[0].text", lambda d, t: {"thresholds": with_threshold(d, 0, text=t)}, False),
    ("skills[4].name", lambda d, t: {"skills": with_skill(d, 4, name=t)}, True),
    ("skills[0].depth", lambda d, t: {"skills": with_skill(d, 0, depth=t)}, False),
    ("skills[3].evidence", lambda d, t: {"skills": with_skill(d, 3, evidence=t)}, False),
    (
        "skills[2].questions[1]",
        lambda d, t: {"skills": with_skill(d, 2, questions=("Why?", t))},
        False,
    ),
    (
        "skills[0].references[0].anchor",
        lambda d, t: {"skills": with_skill(d, 0, references=(Reference("notes", t),))},
        False,
    ),
    (
        "skills[0].references[0].section",
        lambda d, t: {"skills": with_skill(d, 0, references=(Reference(t, "a book"),))},
        False,
    ),
]


def _level(d: Definition, index: int, **changes: str) -> tuple[Level, ...]:
    levels = list(d.rubric)
    levels[index] = replace(levels[index], **changes)  # type: ignore[arg-type]
    return tuple(levels)


@pytest.mark.parametrize(
    ("field", "change", "is_name"), TEXT_FIELDS, ids=[f for f, *_ in TEXT_FIELDS]
)
def test_every_text_is_allowed_up_to_its_length_and_refused_beyond(
    default: Definition,
    field: str,
    change: Callable[[Definition, str], dict[str, object]],
    is_name: bool,
) -> None:
    most = LIMITS.name_chars if is_name else LIMITS.text_chars
    check_definition(replace(default, **change(default, "x" * most)))  # type: ignore[arg-type]
    message = faulty(default, **change(default, "x" * (most + 1)))
    assert message == (
        f"edited.toml: {field} is {most + 1:,} characters long; at most {most:,} are allowed: "
        "shorten it"
    )


controls = st.characters(categories=["Cc"])


@given(
    case=st.sampled_from(TEXT_FIELDS),
    control=controls,
    before=st.text("ab ", min_size=1, max_size=5),
)
def test_a_control_character_in_any_text_is_refused_naming_the_field(
    default: Definition,
    case: tuple[str, Callable[[Definition, str], dict[str, object]], bool],
    control: str,
    before: str,
) -> None:
    field, change, is_name = case
    d = replace(default, source="edited.toml", **change(default, f"x{before}{control}y"))  # type: ignore[arg-type]
    if not is_name and control in "\t\n\r":
        check_definition(d)  # a long text may keep its tabs and line breaks
        return
    with pytest.raises(DefinitionError) as info:
        check_definition(d)
    assert str(info.value) == (
        f"edited.toml: {field} holds the control character U+{ord(control):04X} "
        f"({'a name takes none' if is_name else 'only tabs and line breaks are allowed'}): "
        "delete it"
    )


def test_the_limits_can_be_set_by_the_caller(default: Definition) -> None:
    tight = DefinitionLimits(skills=20)
    with pytest.raises(DefinitionError, match="has 21 skills; matrix-xl takes at most 20"):
        check_definition(default, tight)
    check_definition(default, DefinitionLimits())
