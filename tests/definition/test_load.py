"""Tests of matrix_xl/definition/load.py: files, TOML text and plain data to a definition.

The expected matrix below is transcribed by hand from the seed
(/work/shared/seed/competency-matrix.md), not from the code under test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from matrix_xl.definition import (
    Condition,
    Definition,
    Level,
    Reference,
    default_definition,
    definition_from_dict,
    definition_from_json,
    load_definition,
)
from matrix_xl.definition.check import LIMITS
from matrix_xl.definition.sentences import parse_thresholds
from matrix_xl.errors import DefinitionError, MatrixXLError

PACKAGED_SEED = Path(__file__).resolve().parents[2] / "matrix_xl" / "data" / "competency-matrix.md"

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


def test_default_is_loaded_once() -> None:
    assert default_definition() is default_definition()
    assert default_definition().source == "built-in"


# -- loading files ----------------------------------------------------------------------------


def test_seed_markdown_equals_the_default(default: Definition) -> None:
    loaded = load_definition(PACKAGED_SEED)
    assert loaded == default
    assert loaded.source == str(PACKAGED_SEED)
    assert loaded.fingerprint() == default.fingerprint()


def test_load_definition_without_a_path_is_the_default(default: Definition) -> None:
    assert load_definition() == default


def test_toml_round_trip_through_a_file(default: Definition, tmp_path: Path) -> None:
    path = tmp_path / "matrix.toml"
    path.write_text(default.to_toml(), encoding="utf-8")
    assert load_definition(path) == default


def test_json_round_trip(default: Definition) -> None:
    assert definition_from_dict(json.loads(default.to_json())) == default


@pytest.mark.parametrize("suffix", [".MD", ".markdown", ".Markdown"])
def test_markdown_suffixes(
    default: Definition, seed_text: str, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"matrix{suffix}"
    path.write_text(seed_text, encoding="utf-8")
    assert load_definition(path) == default


def test_toml_suffix_in_capitals(default: Definition, tmp_path: Path) -> None:
    path = tmp_path / "matrix.TOML"
    path.write_text(default.to_toml(), encoding="utf-8")
    loaded = load_definition(str(path))
    assert loaded == default
    assert loaded.source == str(path)


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


# -- plain data -------------------------------------------------------------------------------


def test_definition_from_dict_takes_the_dict_form(default: Definition) -> None:
    d = definition_from_dict(default.to_dict(), source="workbook.xlsx")
    assert d == default
    assert d.source == "workbook.xlsx"


def minimal() -> dict[str, Any]:
    """The least a definition's dict form must hold."""
    return {
        "rubric": [{"rating": 1, "definition": "One"}, {"rating": 2, "definition": "Two"}],
        "thresholds": [
            {
                "id": "t",
                "name": "T",
                "defined_name": "TReady",
                "conditions": [{"scope": "any", "level": 2, "count": 1}],
            }
        ],
        "skills": [{"name": "  Cloud (AWS)  ", "mandatory": True}],
        "priority_at_or_below": 1,
    }


def test_definition_from_dict_fills_the_defaults() -> None:
    d = definition_from_dict(minimal())
    assert d.title == "Competency Matrix"
    assert d.usage == ()
    assert d.source == "<dict>"
    (skill,) = d.skills
    assert (skill.id, skill.name) == ("cloud", "Cloud (AWS)")  # id from the name, text stripped
    assert (skill.depth, skill.evidence, skill.questions, skill.references) == ("", "", (), ())
    assert d.rubric[0] == Level(1, "One", "")
    assert d.thresholds[0].text == ""


def test_a_missing_format_is_the_current_one() -> None:
    assert definition_from_dict({**minimal(), "format": 1}) == definition_from_dict(minimal())


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (
            ("skills", 0, "mandatory"),
            "yes",
            "skills[0]: 'mandatory' must be true or false, got 'yes'",
        ),
        (("skills", 0, "name"), 3, "skills[0]: 'name' must be text, got 3"),
        (("skills", 0, "questions"), "one", "skills[0]: 'questions' must be a list of texts"),
        (
            ("skills", 0, "references"),
            [{"section": 1}],
            "skills[0].references[0]: 'section' must be text, got 1",
        ),
        (("skills", 0, "references"), "x", "references: 'references' must be a non-empty list"),
        (("rubric", 1, "rating"), True, "rubric[1]: 'rating' must be a whole number, got True"),
        (("rubric", 1, "rating"), 2.0, "rubric[1]: 'rating' must be a whole number, got 2.0"),
        (("thresholds", 0, "conditions"), [], "conditions: 'conditions' must be a non-empty list"),
        (("thresholds", 0, "id"), None, "thresholds[0]: 'id' must be text, got None"),
        (("usage",), ["a", 1], "top level: 'usage' must be a list of texts"),
        (("priority_at_or_below",), "3", "top level: 'priority_at_or_below' must be a whole"),
        (("skills",), [], "top level: 'skills' must be a non-empty list of tables, got []"),
        (("rubric",), {"rating": 1}, "top level: 'rubric' must be a non-empty list of tables"),
        (("format",), "1", "format '1' is not supported (this matrix-xl reads 1)"),
    ],
)
def test_definition_from_dict_names_what_is_wrong(
    path: tuple[str | int, ...], value: object, named: str
) -> None:
    data: Any = minimal()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(DefinitionError) as info:
        definition_from_dict(data, source="hidden sheet")
    assert str(info.value).startswith("hidden sheet: ")
    assert named in str(info.value)


def test_definition_from_dict_checks_the_definition() -> None:
    data = minimal()
    data["skills"].append({"id": "cloud", "name": "Other", "mandatory": False})
    with pytest.raises(DefinitionError, match="skill id 'cloud' appears twice"):
        definition_from_dict(data)


# -- hostile definitions: JSON that is no object, nesting, long lines, big files, controls -------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[1, 2]", "a definition is a table of keys (a JSON object), not list"),
        ('"text"', "not str"),
        ("42", "not int"),
        ("null", "not NoneType"),
        ("[" * 100_000 + "]" * 100_000, "the definition's JSON is nested too deep to read"),
        ('{"rubric": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deep"),
        ("{not json", "the definition is not valid JSON"),
    ],
    ids=["list", "string", "number", "null", "deep list", "deep value", "not JSON"],
)
def test_json_that_is_no_definition_is_a_definition_error(text: str, named: str) -> None:
    with pytest.raises(DefinitionError) as info:
        definition_from_json(text, source="m.xlsx, sheet _matrix_xl")
    assert str(info.value).startswith("m.xlsx, sheet _matrix_xl: ")
    assert named in str(info.value)


def test_json_nested_within_reach_is_refused_by_type_with_a_short_message() -> None:
    data = json.loads(default_definition().to_json())
    data["usage"] = json.loads("[" * 500 + "]" * 500)
    with pytest.raises(DefinitionError) as info:
        definition_from_json(json.dumps(data), source="hidden")
    assert "'usage' must be a list of texts, got [[[[" in str(info.value)
    assert str(info.value).endswith("...]]]]]]]")
    assert len(str(info.value)) < 200


def test_a_definition_round_trips_through_json() -> None:
    d = default_definition()
    assert definition_from_json(d.to_json()) == d


@pytest.mark.parametrize("suffix", [".toml", ".md"])
def test_a_line_over_the_limit_is_refused_before_parsing(tmp_path: Path, suffix: str) -> None:
    long = "- Name: all" + " " * LIMITS.line_chars + "x"
    text = PACKAGED_SEED.read_text(encoding="utf-8") if suffix == ".md" else "title = 'x'\n"
    path = tmp_path / f"m{suffix}"
    path.write_text(text + "\n" + long + "\n", encoding="utf-8")
    number = len((text + "\n").splitlines()) + 1
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    assert str(info.value) == (
        f"{path}: line {number} is {len(long):,} characters long; a definition's lines hold "
        f"at most {LIMITS.line_chars:,}: break it up or shorten it"
    )


def test_a_threshold_line_as_long_as_allowed_is_read_in_linear_time() -> None:
    # A name, spaces and "readiness" before a colon once made one regular expression cubic
    # in the line's length (4,000 characters: 85 s). At the line limit, with no colon and
    # with one, the bullet is answered (a hang would be the failure; no clock is read).
    for body in (
        "- a" + " " * (LIMITS.line_chars - 4) + "x",
        "- Senior" + " " * (LIMITS.line_chars - 40) + "readiness: all Mandatory ≥4",
    ):
        sections = {"readiness thresholds": [(3, body)]}
        try:
            found = parse_thresholds(sections, "m.md")
        except DefinitionError as exc:
            assert "line 3: cannot read the threshold" in str(exc)
        else:
            assert [t.name for t in found] == ["Senior ready"]
            assert found[0].conditions == (Condition("mandatory", 4, "all"),)


def test_a_definition_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_bytes(b"# x\n" * (LIMITS.file_bytes // 4 + 1))
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    assert str(info.value).startswith(f"{path}: the definition file is ")
    assert f"at most {LIMITS.file_bytes:,} are allowed" in str(info.value)


@pytest.mark.parametrize(
    ("field", "toml_path", "value"),
    [
        ("skills[0].name", ("skills", 0, "name"), "Python\x1b[31m red"),
        ("skills[2].questions[0]", ("skills", 2, "questions", 0), "Why\x07?"),
        ("skills[0].references[0].anchor", ("skills", 0, "references", 0, "anchor"), "a\x00b"),
        ("thresholds[0].name", ("thresholds", 0, "name"), "Ready\x7f"),
    ],
)
def test_control_characters_in_a_toml_file_are_refused_by_new_naming_file_and_field(
    tmp_path: Path, field: str, toml_path: tuple[str | int, ...], value: str
) -> None:
    from click.testing import CliRunner

    from matrix_xl.cli import cli
    from matrix_xl.definition.toml import data_to_toml

    data: Any = default_definition().to_dict()
    target = data
    for key in toml_path[:-1]:
        target = target[key]
    target[toml_path[-1]] = value
    path = tmp_path / "controls.toml"
    path.write_text(data_to_toml(data), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["new", "--definition", str(path), "-o", str(tmp_path / "o.xlsx")]
    )
    assert result.exit_code == 2, result.output
    assert f"{path}: {field} holds the control character U+00" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not (tmp_path / "o.xlsx").exists()
