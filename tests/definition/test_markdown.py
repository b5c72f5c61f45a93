"""Tests of matrix_xl/definition/markdown.py: a seed-style Markdown matrix read directly.

The seed's own content is checked against a hand transcript in test_load.py (through the
built-in default, which must equal it); here the parser's rules are checked one by one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix_xl.definition import (
    Condition,
    Definition,
    Reference,
    parse_markdown,
    parse_toml,
)
from matrix_xl.errors import DefinitionError

PACKAGED_SEED = Path(__file__).resolve().parents[2] / "matrix_xl" / "data" / "competency-matrix.md"
SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "competency-matrix.md"


def line_of(text: str, fragment: str) -> int:
    """The 1-based number of the only line of ``text`` containing ``fragment``."""
    lines = [i for i, ln in enumerate(text.splitlines(), 1) if fragment in ln]
    assert len(lines) == 1, (fragment, lines)
    return lines[0]


def swap(text: str, old: str, new: str) -> str:
    """``text`` with its one occurrence of ``old`` replaced (fails if not exactly one)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_packaged_seed_is_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"{SHARED_SEED} is not there (a clone without the shared seed)")
    assert PACKAGED_SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_the_seed_parses_to_the_default(default: Definition, seed_text: str) -> None:
    parsed = parse_markdown(seed_text, source="seed.md")
    assert parsed == default
    assert parsed.source == "seed.md"
    assert parse_markdown(seed_text).source == "<markdown>"


# -- malformed Markdown -----------------------------------------------------------------------

APPLY_LINE = "- Apply only when all Mandatory ≥4 and at least 3 optional ≥3."
PROMOTION_LINE = (
    "Promotion Readiness: Majority Mandatory at 4, at least two at 5 indicating spikes."
)


def load_md(tmp_path: Path, text: str) -> Definition:
    """Parse ``text`` as the Markdown file ``matrix.md`` in ``tmp_path`` would be."""
    return parse_markdown(text, source=str(tmp_path / "matrix.md"))


def raises_md(tmp_path: Path, text: str) -> str:
    """Parse ``text`` as a Markdown file; return the DefinitionError's message."""
    with pytest.raises(DefinitionError) as info:
        load_md(tmp_path, text)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'matrix.md'}: ")
    return message


def test_markdown_without_the_matrix_table(tmp_path: Path, seed_text: str) -> None:
    text = swap(seed_text, "| Skill / Category | Mandatory? |", "| Skill | Required? |")
    message = raises_md(tmp_path, text)
    assert "no matrix table" in message
    assert "Mandatory?" in message


def test_markdown_mandatory_maybe_names_the_line(tmp_path: Path, seed_text: str) -> None:
    row = "| Time Series | No |"
    text = swap(seed_text, row, "| Time Series | Maybe |")
    message = raises_md(tmp_path, text)
    assert f"line {line_of(seed_text, row)}:" in message
    assert "'Maybe'" in message


def test_markdown_question_for_an_unknown_skill_names_the_line(
    tmp_path: Path, seed_text: str
) -> None:
    row = "| Communication | STAR story"
    text = swap(seed_text, row, "| Negotiation | STAR story")
    message = raises_md(tmp_path, text)
    assert f"line {line_of(seed_text, row)}:" in message
    assert "'Negotiation'" in message


def test_markdown_reference_for_an_unknown_skill_names_the_line(
    tmp_path: Path, seed_text: str
) -> None:
    row = "| MLOps | mlops-tools"
    text = swap(seed_text, row, "| Kubernetes | mlops-tools")
    message = raises_md(tmp_path, text)
    assert f"line {line_of(seed_text, row)}:" in message
    assert "'Kubernetes'" in message


@pytest.mark.parametrize(
    "sentence",
    [
        "- Apply only when most Mandatory are solid.",
        "- Apply only when all Mandatory ≥4 and plenty of optional ones.",
        "- Apply only when all Mandatory ≥ four.",
    ],
)
def test_markdown_unreadable_apply_sentence_names_the_line(
    tmp_path: Path, seed_text: str, sentence: str
) -> None:
    message = raises_md(tmp_path, swap(seed_text, APPLY_LINE, sentence))
    assert f"line {line_of(seed_text, APPLY_LINE)}:" in message
    assert "cannot read the rule" in message


def test_markdown_unreadable_promotion_sentence_names_the_line(
    tmp_path: Path, seed_text: str
) -> None:
    broken = "Promotion Readiness: when the manager agrees."
    message = raises_md(tmp_path, swap(seed_text, PROMOTION_LINE, broken))
    assert f"line {line_of(seed_text, PROMOTION_LINE)}:" in message


def test_markdown_unrecognised_threshold_bullet_is_not_dropped(
    tmp_path: Path, seed_text: str
) -> None:
    # A second rule the parser cannot read must not vanish silently: the verdicts would
    # then ignore a threshold the user wrote.
    extra = "- Interview only after all Mandatory ≥3"
    text = swap(seed_text, APPLY_LINE, f"{APPLY_LINE}\n{extra}")
    message = raises_md(tmp_path, text)
    assert f"line {line_of(seed_text, APPLY_LINE) + 1}:" in message


def test_markdown_without_thresholds(tmp_path: Path, seed_text: str) -> None:
    text = swap(swap(seed_text, APPLY_LINE + "\n", ""), PROMOTION_LINE + "\n", "")
    message = raises_md(tmp_path, text)
    assert "no readiness thresholds" in message


def test_markdown_without_the_rubric(tmp_path: Path, seed_text: str) -> None:
    text = swap(seed_text, "| Rating | Definition |", "| Score | Meaning |")
    assert "no rubric table" in raises_md(tmp_path, text)


@pytest.mark.parametrize("rating", ["x", "²", "3.5", "-1"])
def test_markdown_rubric_rating_not_a_number_names_the_line(
    tmp_path: Path, seed_text: str, rating: str
) -> None:
    row = "| 3 | Proficient |"
    text = swap(seed_text, row, f"| {rating} | Proficient |")
    message = raises_md(tmp_path, text)
    assert f"line {line_of(seed_text, row)}:" in message


def test_markdown_rubric_with_a_gap(tmp_path: Path, seed_text: str) -> None:
    text = swap(seed_text, "| 3 | Proficient |", "| 6 | Proficient |")
    assert "rubric" in raises_md(tmp_path, text)


def test_markdown_threshold_level_outside_the_rubric(tmp_path: Path, seed_text: str) -> None:
    text = swap(seed_text, APPLY_LINE, "- Apply only when all Mandatory ≥7")
    assert "outside the rubric" in raises_md(tmp_path, text)


def test_markdown_short_row_names_the_line(tmp_path: Path, seed_text: str) -> None:
    n = line_of(seed_text, "| Big Data (Spark) |")
    row = seed_text.splitlines()[n - 1]
    message = raises_md(tmp_path, swap(seed_text, row, "| Big Data (Spark) | No |"))
    assert f"line {n}:" in message


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_markdown_with_one_cell_garbled_never_crashes(seed_text: str, data: st.DataObject) -> None:
    """Any single table cell replaced by any text: a definition or a DefinitionError."""
    lines = seed_text.splitlines()
    rows = [i for i, ln in enumerate(lines) if ln.startswith("|") and "---" not in ln]
    i = data.draw(st.sampled_from(rows))
    cells = lines[i].split("|")
    j = data.draw(st.integers(1, len(cells) - 2))
    cells[j] = data.draw(st.text(st.characters(blacklist_characters="\r\n|"), max_size=12))
    lines[i] = "|".join(cells)
    with contextlib.suppress(DefinitionError):
        parse_markdown("\n".join(lines), source="garbled.md")


# -- a custom Markdown matrix -----------------------------------------------------------------

CUSTOM_MD = """\
# Data Team Matrix

| Skill / Category | Mandatory? | Depth Expectation | Evidence Examples |
|---|---|---|---|
| SQL (joins, windows) | Yes | Write and tune queries | Rewrote a slow report |
| Testing | yes | Cover edge cases | Property tests in CI |
| Rust | No | Read code | A small CLI |
| Go | NO | Read code | A toy server |

## Usage
1. Rate yourself monthly.
2. Prioritize Mandatory items with rating ≤2 first.

## Readiness Thresholds
- Apply only when all Mandatory ≥3 and at least 1 optional ≥2

## Rubric Guidelines
| Rating | Definition | Evidence Examples |
|--------|-----------|------------------|
| 1 | Novice | Reads the docs |
| 2 | Practitioner | Ships with help |
| 3 | Expert | Teaches others |

Promotion Readiness: at least two Mandatory at 3.

## Sample Question Mapping
| Skill | Sample Interview Questions |
|-------|----------------------------|
| SQL | Explain a window function |
| Go | Goroutines vs threads? |
"""


def test_custom_markdown_definition(tmp_path: Path) -> None:
    d = load_md(tmp_path, CUSTOM_MD)
    assert d.title == "Data Team Matrix"
    assert [(s.id, s.name, s.mandatory) for s in d.skills] == [
        ("sql", "SQL (joins, windows)", True),
        ("testing", "Testing", True),
        ("rust", "Rust", False),
        ("go", "Go", False),
    ]
    assert d.skills[0].depth == "Write and tune queries"
    assert d.skills[3].evidence == "A toy server"
    assert [lv.definition for lv in d.rubric] == ["Novice", "Practitioner", "Expert"]
    apply, promotion = d.thresholds
    assert (apply.id, apply.defined_name) == ("apply", "ReadyToApply")
    assert apply.conditions == (Condition("mandatory", 3, "all"), Condition("optional", 2, 1))
    assert (promotion.id, promotion.defined_name) == ("promotion", "PromotionReady")
    assert promotion.conditions == (Condition("mandatory", 3, 2),)
    assert d.usage == ("Rate yourself monthly.", "Prioritize Mandatory items with rating ≤2 first.")
    assert d.priority_at_or_below == 2
    assert {s.id: s.questions for s in d.skills if s.questions} == {
        "sql": ("Explain a window function",),
        "go": ("Goroutines vs threads?",),
    }
    assert [d.target(s) for s in d.skills] == [3, 3, 2, 2]
    assert parse_toml(d.to_toml()) == d


# -- the parser's rules, one by one -----------------------------------------------------------

RUBRIC_3 = """\
| Rating | Definition | Evidence Examples |
|---|---|---|
| 1 | Novice | Reads |
| 2 | Practitioner | Ships |
| 3 | Expert | Teaches |
"""
APPLY_3 = "## Readiness Thresholds\n- Apply only when all Mandatory ≥3\n"


def matrix_md(rows: str, *, extra: str = "", header: str = "") -> str:
    """A small matrix document: the given matrix rows, a 3-level rubric and one threshold."""
    header = header or (
        "| Skill / Category | Mandatory? | Depth Expectation | Evidence Examples |\n"
        "|---|---|---|---|"
    )
    return f"# Small\n\n{header}\n{rows}\n\n{RUBRIC_3}\n{APPLY_3}\n{extra}"


def test_rating_and_gap_note_columns_blank_rows_and_escaped_pipes() -> None:
    header = (
        "| Skill / Category | Mandatory? | Depth Expectation | Evidence Examples "
        "| Self-Rating (1-5) | Gap Notes |\n|:--|:-:|--|--:|--|--|"
    )
    rows = (
        "| A \\| B | Yes | Deep | Shown | 4 | read more |\n|  |  |  |  |  |  |\n| C | no | | | | |"
    )
    d = parse_markdown(matrix_md(rows, header=header))
    assert [(s.id, s.name, s.mandatory, s.depth, s.evidence) for s in d.skills] == [
        ("a-b", "A | B", True, "Deep", "Shown"),
        ("c", "C", False, "", ""),
    ]


def test_headers_match_whatever_the_case_and_spacing() -> None:
    header = (
        "|  skill   /  category | MANDATORY? | depth\u00a0expectation | Evidence examples |\n"
        "|---|---|---|---|"
    )
    d = parse_markdown(matrix_md("| A | YES | x | y |", header=header))
    assert [(s.name, s.mandatory) for s in d.skills] == [("A", True)]


def test_names_sharing_a_slug_are_numbered() -> None:
    rows = "| Python (a) | Yes | | |\n| Python (b) | Yes | | |\n| Python (c) | No | | |"
    d = parse_markdown(matrix_md(rows))
    assert [s.id for s in d.skills] == ["python", "python-2", "python-3"]


def test_an_empty_skill_name_names_the_line() -> None:
    text = matrix_md("| A | Yes | | |\n|  | No | x | |")
    with pytest.raises(DefinitionError, match="line 6: the skill name is empty"):
        parse_markdown(text, source="m.md")


QUESTION_ROWS = "| Feature Engineering | Yes | | |\n| Python Advanced (x) | Yes | | |\n" + (
    "| Python Functional (y) | No | | |\n| Analytical Debugging | No | | |"
)


@pytest.mark.parametrize(
    ("label", "skills"),
    [
        ("Feature Engineering", ["feature-engineering"]),  # the whole name
        ("python advanced", ["python-advanced"]),  # the name without its parenthesis
        ("Feature Eng", ["feature-engineering"]),  # each word starts the name's word
        ("Py Fun", ["python-functional"]),
        ("Debugging", ["analytical-debugging"]),  # the words inside the name
        ("Python", ["python-advanced", "python-functional"]),  # several: each of them
    ],
)
def test_question_labels_name_skills_by_prefix(label: str, skills: list[str]) -> None:
    extra = (
        "## Sample Question Mapping\n| Skill | Sample Interview Questions |\n|--|--|\n"
        f"| {label} | Why? |\n"
    )
    d = parse_markdown(matrix_md(QUESTION_ROWS, extra=extra))
    assert [s.id for s in d.skills if s.questions == ("Why?",)] == skills


def test_references_and_questions_attach_in_order() -> None:
    extra = (
        "| Skill | Primary File Section | External Anchor |\n|--|--|--|\n"
        "| Python | py (1-3) | Fluent Python |\n| Python Advanced | adv | PEP 343 |\n\n"
        "| Skill | Sample Interview Questions |\n|--|--|\n"
        "| Debugging | One? |\n| Analytical Debug | Two? |\n"
    )
    d = parse_markdown(matrix_md(QUESTION_ROWS, extra=extra))
    by_id = {s.id: s for s in d.skills}
    assert by_id["python-advanced"].references == (
        Reference("py (1-3)", "Fluent Python"),
        Reference("adv", "PEP 343"),
    )
    assert by_id["python-functional"].references == (Reference("py (1-3)", "Fluent Python"),)
    assert by_id["analytical-debugging"].questions == ("One?", "Two?")
    assert by_id["feature-engineering"].questions == ()


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# My Matrix\n## Other\n", "My Matrix"),
        ("## other heading\n# My Matrix\n", "My Matrix"),  # the "# " heading wins
        ("## data team skills\n", "Data Team Skills"),  # else the first heading, titled
        ("", "Readiness Thresholds"),  # which may be the thresholds' own
    ],
)
def test_the_title(text: str, title: str) -> None:
    body = matrix_md("| A | Yes | | |").removeprefix("# Small\n")
    assert parse_markdown(text + body).title == title


def test_without_any_heading_the_title_is_competency_matrix() -> None:
    body = matrix_md("| A | Yes | | |").removeprefix("# Small\n").replace(APPLY_3, "")
    text = body + "\nPromotion Readiness: all mandatory at 2\n"
    assert "#" not in text
    d = parse_markdown(text)
    assert d.title == "Competency Matrix"
    assert [t.id for t in d.thresholds] == ["promotion"]


@pytest.mark.parametrize(
    ("usage", "steps", "priority"),
    [
        ("", (), 3),
        ("1. Rate.\n2) Act.\nnot a step\n", ("Rate.", "Act."), 3),
        ("1. Mandatory with rating <= 2 first.\n", ("Mandatory with rating <= 2 first.",), 2),
        ("1. Rating ≤1 comes first.\n", ("Rating ≤1 comes first.",), 1),
    ],
)
def test_usage_steps_and_the_priority_level(
    usage: str, steps: tuple[str, ...], priority: int
) -> None:
    extra = f"## Usage\n{usage}" if usage else ""
    d = parse_markdown(matrix_md("| A | Yes | | |", extra=extra))
    assert d.usage == steps
    assert d.priority_at_or_below == priority


NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
NINE_LEVELS = "| Rating | Definition | Evidence Examples |\n|---|---|---|\n" + "".join(
    f"| {r} | Level {r} | |\n" for r in range(1, 10)
)


@st.composite
def worded_rules(draw: st.DrawFn) -> tuple[str, tuple[Condition, ...]]:
    """Conditions, and the words of a bullet stating them with every scope named."""
    chosen = draw(
        st.lists(
            st.builds(
                Condition,
                scope=st.sampled_from(["mandatory", "optional", "any"]),
                level=st.integers(1, 9),
                count=st.one_of(st.sampled_from(["all", "majority"]), st.integers(1, 20)),
            ),
            min_size=1,
            max_size=4,
        )
    )
    clauses = []
    for c in chosen:
        if c.count == "all":
            count = draw(st.sampled_from(["all", "All", "every"]))
        elif c.count == "majority":
            count = draw(st.sampled_from(["majority", "Majority of the", "more than half of"]))
        else:
            count = "at least " + (
                NUMBER_WORDS[c.count - 1] if c.count <= 10 and draw(st.booleans()) else str(c.count)
            )
        scope = c.scope.capitalize() if draw(st.booleans()) else c.scope
        comparator = draw(st.sampled_from(["≥", " ≥ ", " >= ", " at least ", " at "]))
        clauses.append(f"{count} {scope}{comparator}{c.level}")
    return " and ".join(clauses), tuple(chosen)


@settings(deadline=None)
@given(worded_rules())
def test_an_apply_bullet_in_words_reads_back(case: tuple[str, tuple[Condition, ...]]) -> None:
    words, conditions = case
    text = (
        "# M\n| Skill / Category | Mandatory? | Depth Expectation | Evidence Examples |\n"
        f"|---|---|---|---|\n| A | Yes | | |\n| B | No | | |\n\n{NINE_LEVELS}\n"
        f"## Readiness Thresholds\n- Apply only when {words}.\n"
    )
    (apply,) = parse_markdown(text).thresholds
    assert apply.conditions == conditions
    assert apply.text == f"Apply only when {words}."
