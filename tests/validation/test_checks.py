"""The declared rules, one by one: a row that fails, a row that passes, the message, the cell."""

from __future__ import annotations

import typing
from datetime import date
from typing import Any

import pytest

from matrix_xl.findings import Finding
from matrix_xl.validation.checks import (
    RULES,
    LogRecord,
    RatingRecord,
    failures,
    in_order,
    rule_named,
    rules_for,
)

TODAY = date(2026, 11, 26)

RATING: RatingRecord = {
    "workbook": "ada.xlsx",
    "sheet": "Matrix",
    "skill_id": "cloud",
    "skill": "Cloud (AWS/Azure/GCP basics)",
    "mandatory": "Yes",
    "rating": 4,
    "rating_error": None,
    "notes": "",
    "rating_cell": "E9",
    "notes_cell": "F9",
    "mandatory_cell": "B9",
    "rating_min": 1,
    "rating_max": 5,
    "priority_max": 3,
}

ENTRY: LogRecord = {
    "workbook": "ada.xlsx",
    "sheet": "Improvement Log",
    "date": date(2026, 11, 2),
    "date_text": "2026-11-02",
    "skill": "Cloud (AWS/Azure/GCP basics)",
    "action": "Deployed a model behind an endpoint",
    "known_skill": True,
    "date_cell": "A3",
    "skill_cell": "B3",
    "action_cell": "C3",
    "today": TODAY,
}


def record(rule: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict(RATING if rule_named(rule).table == "ratings" else ENTRY)
    return {**base, **changes}


# rule, what makes a row fail, its message, the cell it points at, rows that pass
ROW_CASES: list[tuple[str, dict[str, Any], str, str, list[dict[str, Any]]]] = [
    (
        "rating_readable",
        {"rating": None, "rating_error": "'four' is not a number"},
        "'four' is not a number; a rating is a whole number 1-5",
        "E9",
        [{"rating": 4}, {"rating": None}],
    ),
    (
        "rating_in_range",
        {"rating": 7},
        "rating 7 is not one of 1-5",
        "E9",
        [{"rating": 1}, {"rating": 5}, {"rating": None}],
    ),
    (
        "rating_in_range",
        {"rating": 0, "rating_min": 1},
        "rating 0 is not one of 1-5",
        "E9",
        [{"rating": 0, "rating_min": 0}],
    ),
    (
        "mandatory_yes_no",
        {"mandatory": "yes"},
        "Mandatory? is 'yes'; it must be Yes or No",
        "B9",
        [{"mandatory": "Yes"}, {"mandatory": "No"}],
    ),
    (
        "rated",
        {"rating": None},
        "unrated: it counts as not meeting any threshold",
        "E9",
        [{"rating": 1}, {"rating": None, "rating_error": "'x' is not a number"}],
    ),
    (
        "gap_noted",
        {"rating": 3, "notes": "   "},
        'mandatory skill rated 3 with no gap note: write one concrete action ("implement X", '
        '"read Y")',
        "F9",
        [
            {"rating": 3, "notes": "Read the chapter on IAM"},
            {"rating": 4, "notes": ""},
            {"rating": 1, "mandatory": "No"},
            {"rating": None},
        ],
    ),
    (
        "note_actionable",
        {"notes": "TBD."},
        "gap note 'TBD.' is not an action: say what you will do",
        "F9",
        [{"notes": ""}, {"notes": "  "}, {"notes": "read the book"}, {"notes": "Do 3 labs"}],
    ),
    (
        "note_actionable",
        {"notes": " ? "},
        "gap note ' ? ' is not an action: say what you will do",
        "F9",
        [{"notes": "Pair on it"}],
    ),
    (
        "note_actionable",
        {"notes": "42"},
        "gap note '42' is not an action: say what you will do",
        "F9",
        [{"notes": "a b c xy"}],
    ),
    (
        "log_dated",
        {"date": None, "date_text": "next week"},
        "date 'next week' is not a date (use YYYY-MM-DD)",
        "A3",
        [{}],
    ),
    ("log_dated", {"date": None, "date_text": ""}, "the entry has no date", "A3", [{}]),
    (
        "log_not_future",
        {"date": date(2026, 11, 27)},
        "date 2026-11-27 is in the future",
        "A3",
        [{"date": TODAY}, {"date": None}],
    ),
    (
        "log_skill_known",
        {"skill": "Knitting", "known_skill": False},
        "'Knitting' is not a skill of the matrix",
        "B3",
        [{"known_skill": True}],
    ),
    (
        "log_skill_known",
        {"skill": "", "known_skill": False},
        "the entry names no skill",
        "B3",
        [{}],
    ),
    ("log_action_taken", {"action": " "}, "Action Taken is empty", "C3", [{"action": "x"}]),
]


@pytest.mark.parametrize(("name", "fails", "message", "cell", "passing"), ROW_CASES)
def test_each_rule_fails_passes_and_says_where_and_what(
    name: str, fails: dict[str, Any], message: str, cell: str, passing: list[dict[str, Any]]
) -> None:
    rule = rule_named(name)
    bad = record(name, **fails)
    assert rule.check([bad]) == [False]
    assert failures(rule, [bad]) == [
        Finding(rule.severity, bad["sheet"], cell, bad["skill"], message, "ada.xlsx")
    ]
    good = [record(name, **changes) for changes in passing]
    assert rule.check(good) == [True] * len(good)
    assert failures(rule, good) == []


def test_a_skill_listed_twice_flags_both_rows_of_that_workbook_only() -> None:
    rule = rule_named("skill_listed_once")
    again = {**RATING, "rating_cell": "E12"}
    other = {**RATING, "skill_id": "python", "rating_cell": "E10"}
    elsewhere = {**RATING, "workbook": "bob.xlsx"}
    assert rule.check([RATING, other, again, elsewhere]) == [False, True, False, True]
    found = failures(rule, [RATING, other, again])
    assert [(f.cell, f.message, f.severity) for f in found] == [
        ("E9", "skill listed twice", "error"),
        ("E12", "skill listed twice", "error"),
    ]
    assert rule.check([RATING, other, elsewhere]) == [True, True, True]


def test_every_rule_has_a_case_here() -> None:
    covered = {case[0] for case in ROW_CASES} | {"skill_listed_once"}
    assert covered == {rule.name for rule in RULES}


def test_rules_are_well_formed() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        keys = typing.get_type_hints(RatingRecord if rule.table == "ratings" else LogRecord)
        assert rule.cell in keys and rule.cell.endswith("_cell"), rule.name
        assert rule.severity in ("error", "warning")
        assert rule.check([]) == []
    assert {r.name for r in rules_for("ratings", "warning")} == {
        "rated",
        "gap_noted",
        "note_actionable",
    }
    assert all(r.severity == "error" for r in rules_for("log", "error"))
    assert rules_for("log", "warning") == ()


def test_an_unknown_rule_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        rule_named("isin(['Yes', 'No'])")


def test_failures_can_take_flags_computed_elsewhere() -> None:
    rule = rule_named("rating_in_range")
    rows = [RATING, {**RATING, "rating_cell": "E10"}]
    assert [f.cell for f in failures(rule, rows, [False, True])] == ["E10"]
    with pytest.raises(ValueError):
        failures(rule, rows, [True])


def test_findings_are_ordered_errors_first_then_sheet_row_and_column() -> None:
    def f(severity: str, sheet: str, cell: str, message: str = "") -> Finding:
        return Finding(severity, sheet, cell, "", message)

    given = [
        f("warning", "Matrix", "E8"),
        f("error", "Matrix", "E10"),
        f("error", "Improvement Log", "A3"),
        f("error", "Matrix", "E9", "first"),
        f("error", "Matrix", "B9"),
        f("error", "Matrix", "E9", "second"),
        f("error", "Matrix", ""),
    ]
    assert [(x.sheet, x.cell, x.message) for x in in_order(given)] == [
        ("Improvement Log", "A3", ""),
        ("Matrix", "", ""),
        ("Matrix", "B9", ""),
        ("Matrix", "E9", "first"),
        ("Matrix", "E9", "second"),
        ("Matrix", "E10", ""),
        ("Matrix", "E8", ""),
    ]
