"""Tests of matrix_xl/definition.py and matrix_xl/markdown.py.

The expected matrix below is transcribed by hand from the seed
(/work/shared/seed/competency-matrix.md), not from the code under test.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import replace
from pathlib import Path

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
    default_definition,
    definition_from_dict,
    load_definition,
    parse_markdown,
    parse_toml,
)
from matrix_xl.errors import DefinitionError, MatrixXLError

PACKAGED_SEED = Path(__file__).resolve().parents[2] / "matrix_xl" / "data" / "competency-matrix.md"
SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "competency-matrix.md"

# -- the seed, by hand ------------------------------------------------------------------------

# (name, mandatory, depth expectation, evidence examples), in the seed's order.
SEED_SKILLS = [
    (
        "Python Advanced (iterators, generators, decorators)",
        True,
        "Implement + optimize idiomatic code",
        "Custom iterator, context manager, micro-optimization",
    ),
    (
        "Python Functional Constructs (map/filter, functools, itertools)",
        True,
        "Select appropriate paradigm",
        "Refactor loops to lazy pipelines",
    ),
    (
        "Data Handling (Pandas, data types, memory)",
        True,
        "Optimize large dataset flows",
        "Chunked ingest, dtype reduction",
    ),
    ("Feature Engineering", True, "Design robust pipelines", "Target encoding, leakage prevention"),
    ("ML Algorithms (classic)", True, "Select & tune", "Compare logistic vs tree ensembles"),
    ("Evaluation & Metrics", True, "Choose / justify", "ROC vs PR rationale"),
    (
        "Model Development (PyTorch / TF)",
        True,
        "Build training loop, debug",
        "Custom loss, gradient issue fix",
    ),
    ("Deployment (Docker + API)", True, "Ship reliable service", "FastAPI + health + logging"),
    ("Cloud (AWS/Azure/GCP basics)", True, "Use managed primitives", "S3 + Lambda inference POC"),
    ("Analytical Debugging", True, "Root cause systematically", "Profiling memory spike fix"),
    ("Communication", True, "Clear narrative & impact", "STAR story with metrics"),
    ("Agile Collaboration", True, "Team integration", "Sprint planning ownership"),
    ("Documentation & Best Practices", True, "Produce reusable docs", "ADR + onboarding guide"),
    ("NLP Fundamentals", False, "Working knowledge", "Tokenization tradeoff explanation"),
    ("Computer Vision Basics", False, "Conceptual", "Augmentation strategy outline"),
    ("Time Series", False, "Conceptual + basic modeling", "ARIMA vs LSTM justification"),
    (
        "MLOps Tooling (MLflow, Airflow)",
        False,
        "Instrumentation & tracking",
        "Registered model lifecycle",
    ),
    ("Big Data (Spark)", False, "Optimize distributed job", "Partition + predicate pushdown"),
    (
        "Visualization (Matplotlib/Seaborn/Plotly)",
        False,
        "Effective storytelling",
        "Multi-facet anomaly chart",
    ),
    (
        "Distributed Computing Concepts",
        False,
        "Recognize patterns",
        "Data vs model parallel rationale",
    ),
    ("CI/CD + Version Control", False, "Workflow design", "GitHub Actions test matrix"),
]

SEED_RUBRIC = [
    Level(1, "Aware only", "Can define term minimally"),
    Level(2, "Emerging", "Can follow existing pattern with guidance"),
    Level(3, "Proficient", "Implements independently; explains tradeoffs"),
    Level(4, "Advanced", "Optimizes, debugs subtle issues, mentors others"),
    Level(5, "Expert", "Designs novel solutions; sets org standards"),
]

# The Sample Question Mapping, with each short label resolved to the full skill name.
SEED_QUESTIONS = {
    "Python Advanced (iterators, generators, decorators)": [
        "Explain iterator vs generator; implement custom context manager"
    ],
    "Feature Engineering": [
        "Prevent leakage in target encoding? Design real-time vs offline feature sync"
    ],
    "Evaluation & Metrics": ["Pick metric for extreme imbalance; calibrate probabilities"],
    "Deployment (Docker + API)": ["How to blue/green a model API? Add canary shadowing"],
    "MLOps Tooling (MLflow, Airflow)": ["Track lineage and metrics across retrains?"],
    "Communication": ["STAR story on reducing inference latency"],
    "Data Handling (Pandas, data types, memory)": ["Memory-optimize 10GB CSV ingest"],
    "Analytical Debugging": ["Diagnose sudden AUC drop after schema change"],  # "Debugging"
}

# The Reading References Per Skill; the "Python" row applies to both Python skills.
PYTHON_REF = Reference("python-advanced (1–10)", "Fluent Python (book)")
SEED_REFERENCES = {
    "Evaluation & Metrics": [
        Reference("ml-algorithms-evaluation (5,14,15)", "Calibration paper; fairness metrics")
    ],
    "Feature Engineering": [Reference("data-feature-engineering (1–7,10)", "Feature store blog")],
    "Deployment (Docker + API)": [
        Reference("deployment-integration (forthcoming)", "FastAPI / K8s docs")
    ],
    "Python Advanced (iterators, generators, decorators)": [PYTHON_REF],
    "Python Functional Constructs (map/filter, functools, itertools)": [PYTHON_REF],
    "MLOps Tooling (MLflow, Airflow)": [
        Reference("mlops-tools-frameworks (planned)", "MLflow / Kubeflow docs")
    ],
}


@pytest.fixture(scope="module")
def default() -> Definition:
    return default_definition()


@pytest.fixture(scope="module")
def seed_text() -> str:
    return PACKAGED_SEED.read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    """The 1-based number of the only line of ``text`` containing ``fragment``."""
    lines = [i for i, ln in enumerate(text.splitlines(), 1) if fragment in ln]
    assert len(lines) == 1, (fragment, lines)
    return lines[0]


def swap(text: str, old: str, new: str) -> str:
    """``text`` with its one occurrence of ``old`` replaced (fails if not exactly one)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


# -- the built-in default is the seed ---------------------------------------------------------


def test_default_has_the_seed_skills_in_order(default: Definition) -> None:
    got = [(s.name, s.mandatory, s.depth, s.evidence) for s in default.skills]
    assert got == SEED_SKILLS
    assert sum(s.mandatory for s in default.skills) == 13
    assert sum(not s.mandatory for s in default.skills) == 8


def test_default_skill_ids_are_unique_slugs(default: Definition) -> None:
    ids = [s.id for s in default.skills]
    assert len(set(ids)) == len(ids) == 21
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", i) for i in ids)


def test_default_rubric_is_the_seed_rubric(default: Definition) -> None:
    assert list(default.rubric) == SEED_RUBRIC
    assert (default.min_rating, default.max_rating) == (1, 5)


def test_default_thresholds_are_the_seed_rules(default: Definition) -> None:
    apply, promotion = default.thresholds
    # "Apply only when all Mandatory ≥4 and at least 3 optional ≥3."
    assert (apply.id, apply.name, apply.defined_name) == ("apply", "Ready to apply", "ReadyToApply")
    assert apply.conditions == (Condition("mandatory", 4, "all"), Condition("optional", 3, 3))
    # "Promotion Readiness: Majority Mandatory at 4, at least two at 5 indicating spikes."
    assert promotion.id == "promotion"
    assert promotion.defined_name == "PromotionReady"
    assert promotion.conditions == (
        Condition("mandatory", 4, "majority"),
        Condition("mandatory", 5, 2),
    )
    assert "Mandatory ≥4" in apply.text
    assert "Majority Mandatory at 4" in promotion.text


def test_default_usage_and_priority_follow_the_seed(default: Definition) -> None:
    assert default.title == "Competency Matrix"
    assert default.usage == (
        "Score Self-Rating each week; track movement.",
        'Fill Gap Notes with concrete action ("implement X", "read Y").',
        "Prioritize Mandatory items with rating ≤3 before touching optional.",
    )
    assert default.priority_at_or_below == 3  # "rating ≤3"


def test_default_questions_attach_to_the_right_skills(default: Definition) -> None:
    got = {s.name: list(s.questions) for s in default.skills if s.questions}
    assert got == SEED_QUESTIONS


def test_default_references_attach_to_the_right_skills(default: Definition) -> None:
    got = {s.name: list(s.references) for s in default.skills if s.references}
    assert got == SEED_REFERENCES


def test_targets_come_from_the_first_threshold(default: Definition) -> None:
    by_name = {s.name: s for s in default.skills}
    assert default.target(by_name["Communication"]) == 4  # all Mandatory ≥4
    assert default.target(by_name["Time Series"]) == 3  # 3 optional ≥3
    assert {default.target(s) for s in default.skills if s.mandatory} == {4}
    assert {default.target(s) for s in default.skills if not s.mandatory} == {3}


def test_skill_lookup(default: Definition) -> None:
    first = default.skills[0]
    assert default.skill(first.id) is first
    assert default.threshold("promotion") is default.thresholds[1]
    with pytest.raises(KeyError):
        default.skill("no-such-skill")


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


# -- the seed Markdown ------------------------------------------------------------------------


def test_packaged_seed_is_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"{SHARED_SEED} is not there (a clone without the shared seed)")
    assert PACKAGED_SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_markdown_equals_the_default(default: Definition) -> None:
    loaded = load_definition(PACKAGED_SEED)
    assert loaded == default
    assert loaded.source == str(PACKAGED_SEED)
    assert loaded.fingerprint() == default.fingerprint()


def test_load_definition_without_a_path_is_the_default(default: Definition) -> None:
    assert load_definition() == default


# -- round trips ------------------------------------------------------------------------------


def test_toml_round_trip(default: Definition) -> None:
    assert parse_toml(default.to_toml()) == default


def test_toml_round_trip_through_a_file(default: Definition, tmp_path: Path) -> None:
    path = tmp_path / "matrix.toml"
    path.write_text(default.to_toml(), encoding="utf-8")
    assert load_definition(path) == default


def test_json_round_trip(default: Definition) -> None:
    assert definition_from_dict(json.loads(default.to_json())) == default


def test_fingerprint_is_stable_and_tracks_content(default: Definition) -> None:
    fp = default.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{12}", fp)
    assert parse_toml(default.to_toml(), source="elsewhere").fingerprint() == fp
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


texts = _stripped(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20)))
names = texts.filter(lambda s: bool(s.split()) and len(s) <= 255)
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
def test_hostile_skill_names_round_trip_through_toml(default: Definition, name: str) -> None:
    skill = replace(default.skills[0], name=name)
    d = replace(default, skills=(skill, *default.skills[1:]))
    check_definition(d)
    assert parse_toml(d.to_toml()) == d


# -- malformed TOML ---------------------------------------------------------------------------

TINY_TOML = """\
format = 1
title = "Tiny"

[[rubric]]
rating = 1
definition = "Aware"

[[rubric]]
rating = 2
definition = "Working"

[[rubric]]
rating = 3
definition = "Fluent"

[[thresholds]]
id = "apply"
name = "Ready to apply"
defined_name = "ReadyToApply"

[[thresholds.conditions]]
scope = "mandatory"
level = 3
count = "all"

[[skills]]
id = "alpha"
name = "Alpha"
mandatory = true

[[skills]]
id = "beta"
name = "Beta"
mandatory = false
"""


def test_tiny_toml_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    d = load_definition(path)
    assert [(s.id, s.mandatory) for s in d.skills] == [("alpha", True), ("beta", False)]
    assert d.thresholds[0].conditions == (Condition("mandatory", 3, "all"),)
    assert d.max_rating == 3


RUBRIC_2 = '[[rubric]]\nrating = 2\ndefinition = "Working"\n\n'
SKILLS = TINY_TOML[TINY_TOML.index("[[skills]]") :]

# (case, old text, new text, what the message must name besides the file)
BAD_TOML = [
    ("invalid TOML", 'title = "Tiny"', 'title = "Tiny', ["not valid TOML", "line 2"]),
    ("missing skills", SKILLS, "", ["'skills'"]),
    ("skills not tables", SKILLS, 'skills = ["Alpha"]', ["'skills'"]),
    ("duplicate id", 'id = "beta"', 'id = "alpha"', ["'alpha'", "twice"]),
    ("duplicate name", 'name = "Beta"', 'name = "ALPHA"', ["'ALPHA'", "twice"]),
    ("mandatory not a bool", "mandatory = false", 'mandatory = "no"', ["skills[1]", "mandatory"]),
    ("bad scope", 'scope = "mandatory"', 'scope = "required"', ["conditions[0]", "'required'"]),
    ("count 0", 'count = "all"', "count = 0", ["thresholds[0].conditions[0]", "count"]),
    ("count most", 'count = "all"', 'count = "most"', ["thresholds[0].conditions[0]", "'most'"]),
    ("count 2.5", 'count = "all"', "count = 2.5", ["thresholds[0].conditions[0]", "2.5"]),
    ("count true", 'count = "all"', "count = true", ["thresholds[0].conditions[0]", "count"]),
    ("level outside", "level = 3", "level = 7", ["'apply'", "level 7", "1-3"]),
    ("level zero", "level = 3", "level = 0", ["'apply'", "level 0"]),
    ("rubric gap", RUBRIC_2, "", ["rubric", "[1, 3]"]),
    ("defined name A1", '"ReadyToApply"', '"A1"', ["'apply'", "'A1'"]),
    ("defined name XFD1048576", '"ReadyToApply"', '"XFD1048576"', ["'apply'", "XFD1048576"]),
    ("defined name R1C1", '"ReadyToApply"', '"R1C1"', ["'apply'", "'R1C1'"]),
    ("defined name with space", '"ReadyToApply"', '"has space"', ["'apply'", "'has space'"]),
    ("defined name digit first", '"ReadyToApply"', '"1Ready"', ["'apply'", "'1Ready'"]),
    ("unknown format", "format = 1", "format = 2", ["format 2"]),
]


@pytest.mark.parametrize(
    ("old", "new", "named"), [c[1:] for c in BAD_TOML], ids=[c[0] for c in BAD_TOML]
)
def test_malformed_toml_raises_definition_error(
    tmp_path: Path, old: str, new: str, named: list[str]
) -> None:
    path = tmp_path / "matrix.toml"
    path.write_text(swap(TINY_TOML, old, new), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    message = str(info.value)
    assert info.value.path == str(path)
    assert message.startswith(f"{path}: ")
    for part in named:
        assert part in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(DefinitionError, match="no such definition file") as info:
        load_definition(path)
    assert str(path) in str(info.value)


def test_wrong_suffix(tmp_path: Path) -> None:
    path = tmp_path / "matrix.txt"
    path.write_text(TINY_TOML, encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"\.toml or a \.md") as info:
        load_definition(path)
    assert str(path) in str(info.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "matrix.toml"
    path.write_bytes(b"title = \xff\xfe\n")
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    assert str(path) in str(info.value)


def test_a_directory_is_not_a_definition(tmp_path: Path) -> None:
    path = tmp_path / "matrix.toml"
    path.mkdir()
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    assert str(path) in str(info.value)


def test_definition_error_is_a_matrix_xl_error() -> None:
    assert issubclass(DefinitionError, MatrixXLError)


# -- malformed Markdown -----------------------------------------------------------------------

APPLY_LINE = "- Apply only when all Mandatory ≥4 and at least 3 optional ≥3."
PROMOTION_LINE = (
    "Promotion Readiness: Majority Mandatory at 4, at least two at 5 indicating spikes."
)


def load_md(tmp_path: Path, text: str) -> Definition:
    path = tmp_path / "matrix.md"
    path.write_text(text, encoding="utf-8")
    return load_definition(path)


def raises_md(tmp_path: Path, text: str) -> str:
    """Load ``text`` as a Markdown file; return the DefinitionError's message."""
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
