"""Tests of matrix_xl/evaluation/result.py: the evaluation's types and their JSON form."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from matrix_xl.definition import default_definition
from matrix_xl.evaluation.result import Change, Evaluation, RatingLine
from matrix_xl.findings import Finding
from matrix_xl.rules import Priority, RuleResult, Step, TooComplex, Verdict

D = default_definition()

LINES = [
    RatingLine("cloud", "Cloud", True, 3, 2, "Priority gap", "read the S3 docs"),
    RatingLine("nlp", "NLP", False, None, None, "Unrated", ""),
]
APPLY = Verdict(
    "apply",
    "Ready to apply",
    False,
    (RuleResult("every mandatory skill >= 4", False, "mandatory >= 4: 0 of 1, need 1", 0, 1),),
    (Step("cloud", "Cloud", 3, 4),),
)
PROMOTION = Verdict("promotion", "Promotion ready", False, (), None)
WARNING = Finding("warning", "Matrix", "E9", "NLP", "unrated", workbook="me.xlsx")
ERROR = Finding("error", "Matrix", "E8", "Cloud", "rating 9 is not one of 1-5", workbook="me.xlsx")


def evaluation() -> Evaluation:
    return Evaluation(
        workbook="me.xlsx",
        owner="Ada",
        role="ML Engineer",
        as_of=date(2026, 11, 11),
        valid=True,
        issues=[WARNING],
        definition=D,
        ratings=list(LINES),
        verdicts=(APPLY, PROMOTION),
        priorities=[Priority("cloud", "Cloud", True, 3, 4)],
        previous_week="2026-W45",
        changes=[Change("cloud", "Cloud", 2, 3, "1 to go to the mandatory target 4")],
        written="me.xlsx",
        log_added=1,
    )


def test_the_json_form() -> None:
    out = evaluation().to_dict()
    assert out == {
        "workbook": "me.xlsx",
        "owner": "Ada",
        "role": "ML Engineer",
        "as_of": "2026-11-11",
        "week": "2026-W46",
        "valid": True,
        "issues": [WARNING.to_dict()],
        "ratings": [
            {
                "skill": "Cloud",
                "skill_id": "cloud",
                "mandatory": True,
                "rating": 3,
                "previous": 2,
                "status": "Priority gap",
            },
            {
                "skill": "NLP",
                "skill_id": "nlp",
                "mandatory": False,
                "rating": None,
                "previous": None,
                "status": "Unrated",
            },
        ],
        "apply": {
            "name": "Ready to apply",
            "ready": False,
            "rules": [
                {
                    "rule": "every mandatory skill >= 4",
                    "passed": False,
                    "detail": "mandatory >= 4: 0 of 1, need 1",
                }
            ],
            "steps": [{"skill": "Cloud", "skill_id": "cloud", "from": 3, "to": 4}],
            "too_complex": None,
        },
        "promotion": {
            "name": "Promotion ready",
            "ready": False,
            "rules": [],
            "steps": None,
            "too_complex": None,
        },
        "priorities": [
            {"skill": "Cloud", "skill_id": "cloud", "mandatory": True, "rating": 3, "target": 4}
        ],
        "unrated": ["NLP"],
        "previous_week": "2026-W45",
        "changes": [
            {"skill": "Cloud", "from": 2, "to": 3, "impact": "1 to go to the mandatory target 4"}
        ],
        "written": "me.xlsx",
        "log_entries_added": 1,
    }
    # the order scripts see: the verdicts after the ratings, under their threshold ids
    assert list(out) == [
        "workbook",
        "owner",
        "role",
        "as_of",
        "week",
        "valid",
        "issues",
        "ratings",
        "apply",
        "promotion",
        "priorities",
        "unrated",
        "previous_week",
        "changes",
        "written",
        "log_entries_added",
    ]
    assert json.loads(json.dumps(out)) == out


def test_notes_stay_out_of_the_json() -> None:
    assert "notes" not in LINES[0].to_dict()
    assert "read the S3 docs" not in json.dumps(evaluation().to_dict())


def test_an_invalid_evaluation_in_json() -> None:
    bad = Evaluation("me.xlsx", "Ada", "", date(2026, 11, 11), False, [ERROR, WARNING], D)
    out = bad.to_dict()
    assert out["valid"] is False
    assert [i["severity"] for i in out["issues"]] == ["error", "warning"]
    assert (out["ratings"], out["priorities"], out["changes"], out["unrated"]) == ([], [], [], [])
    assert "apply" not in out and out["written"] is None and out["log_entries_added"] == 0
    assert bad.errors == [ERROR]


def test_verdict_lookup_and_unrated() -> None:
    result = evaluation()
    assert result.verdict("promotion") is PROMOTION
    with pytest.raises(KeyError):
        result.verdict("nothing")
    assert result.unrated == ["NLP"]
    assert result.errors == []


def test_a_verdict_too_complex_to_plan_says_so_in_json() -> None:
    unplanned = replace(PROMOTION, too_complex=TooComplex(250_000))
    out = replace(evaluation(), verdicts=(APPLY, unplanned)).to_dict()
    assert out["promotion"]["steps"] is None
    assert out["promotion"]["too_complex"] == {
        "message": str(TooComplex(250_000)),
        "budget": 250_000,
    }
    assert out["promotion"]["too_complex"]["message"].startswith("too complex to plan")
