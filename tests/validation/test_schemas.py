"""The pandera schemas: built from the declared rules, run lazily, mapped back by rule name."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pytest

import matrix_xl
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import LogRow
from matrix_xl.validation import schemas, screen
from matrix_xl.validation.checks import RULES, rule_named, rules_for
from matrix_xl.validation.schemas import (
    ImprovementLogSchema,
    RatingsSchema,
    RatingsWarnings,
    log_frame,
    log_records,
    rating_records,
    ratings_frame,
    schema_for,
    validate,
    validate_many,
)

TODAY = date(2026, 11, 26)
BASE = read_workbook(build_workbook(owner="P", created=TODAY), name="p.xlsx")
RATED = replace(BASE, rows=[replace(r, rating=4, notes="Pair on it") for r in BASE.rows])


def with_rows(read: MatrixRead, changes: dict[int, dict[str, Any]]) -> MatrixRead:
    rows = [replace(r, **changes.get(i, {})) for i, r in enumerate(read.rows)]
    return replace(read, rows=rows)


def entry(row: int, when: date | None, skill: str, action: str, text: str = "") -> LogRow:
    cells = (f"A{row}", f"B{row}", f"C{row}", f"D{row}")
    return LogRow(when, text or (when.isoformat() if when else ""), skill, action, "", row, cells)


def test_each_schema_holds_exactly_its_declared_rules() -> None:
    pairs = list(dict.fromkeys((rule.table, rule.severity) for rule in RULES))
    for table, severity in pairs:
        schema = schema_for(table, (severity,))
        assert [c.name for c in schema.checks] == [r.name for r in rules_for(table, severity)]
    names = [c.name for table, severity in pairs for c in schema_for(table, (severity,)).checks]
    assert sorted(names) == sorted(r.name for r in RULES)  # every rule, once
    both = schema_for("ratings", ("error", "warning"))
    assert [c.name for c in both.checks] == [r.name for r in RULES if r.table == "ratings"]
    assert set(both.columns) == set(RatingsSchema.columns)


def test_the_public_schemas_are_the_built_ones() -> None:
    assert RatingsSchema is schema_for("ratings", ("error",))
    assert RatingsWarnings is schema_for("ratings", ("warning",))
    assert ImprovementLogSchema is schema_for("log", ("error",))
    assert matrix_xl.RatingsSchema is RatingsSchema
    assert matrix_xl.ImprovementLogSchema is ImprovementLogSchema
    assert isinstance(RatingsSchema, pa.DataFrameSchema)
    assert set(RatingsSchema.columns) == {
        "workbook",
        "skill_id",
        "mandatory",
        "rating",
        "rating_error",
    }
    assert RatingsWarnings.columns == {}


def test_valid_frames_pass_every_schema() -> None:
    frame = ratings_frame([RATED])
    assert RatingsSchema.validate(frame, lazy=True).equals(frame)
    RatingsWarnings.validate(frame, lazy=True)
    log = log_frame([replace(RATED, log_rows=[entry(2, TODAY, BASE.rows[0].skill, "Did")])])
    log.attrs["today"] = TODAY
    ImprovementLogSchema.validate(log, lazy=True)


def test_lazy_validation_collects_every_failure_under_the_rules_names() -> None:
    first = BASE.rows[0].skill_id
    read = with_rows(
        RATED,
        {
            1: {"rating": 9},
            2: {"rating": None, "rating_error": "'abc' is not a number"},
            3: {"mandatory": "maybe"},
            4: {"skill_id": first},
        },
    )
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        RatingsSchema.validate(ratings_frame([read]), lazy=True)
    cases = caught.value.failure_cases
    failed = {check: sorted(set(group["index"])) for check, group in cases.groupby("check")}
    assert failed == {
        "rating_in_range": [1],
        "rating_readable": [2],
        "mandatory_yes_no": [3],
        "skill_listed_once": [0, 4],
    }


def test_findings_say_what_the_rules_say_in_sheet_order() -> None:
    read = with_rows(
        RATED,
        {
            1: {"rating": 9},
            2: {"rating": 2, "notes": ""},
            3: {"mandatory": "maybe", "notes": "?"},
        },
    )
    rows = read.rows
    found = [(f.severity, f.cell, f.message) for f in validate(read, TODAY)]
    assert found == [
        ("error", rows[1].rating_cell, "rating 9 is not one of 1-5"),
        ("error", rows[3].mandatory_cell, "Mandatory? is 'maybe'; it must be Yes or No"),
        (
            "warning",
            rows[2].notes_cell,
            'mandatory skill rated 2 with no gap note: write one concrete action ("implement X",'
            ' "read Y")',
        ),
        ("warning", rows[3].notes_cell, "gap note '?' is not an action: say what you will do"),
    ]
    record = rating_records(ratings_frame([read]))[1]
    assert found[0][2] == rule_named("rating_in_range").message(record)


def test_the_log_rules_run_on_the_log_frame() -> None:
    skill = BASE.rows[0].skill
    log = [
        entry(2, TODAY, skill.upper(), "Did it"),
        entry(3, None, skill, "Did it", text="soon"),
        entry(4, date(2026, 11, 27), skill, "Did it"),
        entry(5, TODAY, "Knitting", "Did it"),
        entry(6, TODAY, skill, ""),
    ]
    found = [(f.cell, f.message) for f in validate(replace(RATED, log_rows=log), TODAY)]
    assert found == [
        ("A3", "date 'soon' is not a date (use YYYY-MM-DD)"),
        ("A4", "date 2026-11-27 is in the future"),
        ("B5", "'Knitting' is not a skill of the matrix"),
        ("C6", "Action Taken is empty"),
    ]
    assert validate(replace(RATED, log_rows=log[2:3]), date(2026, 11, 27)) == []


def test_many_workbooks_in_one_frame_are_judged_each_on_its_own() -> None:
    # The same skills in two workbooks are no repeat; each keeps its own findings.
    ada = replace(RATED, name="ada.xlsx")
    bob = with_rows(replace(RATED, name="bob.xlsx"), {0: {"rating": 0}})
    found = validate_many([ada, bob], TODAY)
    assert found["ada.xlsx"] == []
    assert [(f.workbook, f.message) for f in found["bob.xlsx"]] == [
        ("bob.xlsx", "rating 0 is not one of 1-5")
    ]


def test_without_warnings_only_errors_are_checked_and_reader_findings_kept() -> None:
    read = with_rows(replace(BASE, findings=[]), {0: {"rating": 7}})
    every = validate_many([read], TODAY)[read.name]
    errors = validate_many([read], TODAY, warnings=False)[read.name]
    assert errors == [f for f in every if f.severity == "error"] and errors
    assert any(f.severity == "warning" for f in every)


def test_a_frame_without_the_expected_columns_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    real = schemas.ratings_frame

    def broken(reads: list[MatrixRead]) -> pd.DataFrame:
        return real(reads).drop(columns=["rating_error"])

    monkeypatch.setattr(schemas, "ratings_frame", broken)
    with pytest.raises(RuntimeError, match=r"ratings rules.*rating_error"):
        validate(RATED, TODAY)
    with pytest.raises(RuntimeError, match=r"RatingsSchema.*rating_error"):
        validate_many([RATED], TODAY, warnings=False)


def test_frames_give_the_rules_the_records_the_screen_builds() -> None:
    skill = BASE.rows[0].skill
    log = [entry(2, TODAY, skill, "Did it"), entry(3, None, "x", "", text="soon")]
    read = with_rows(replace(BASE, log_rows=log), {0: {"rating_error": "bad"}, 1: {"rating": 9}})
    other = replace(RATED, name="q.xlsx")
    assert rating_records(ratings_frame([read, other])) == [
        *screen.rating_records(read),
        *screen.rating_records(other),
    ]
    frame = log_frame([read, other])
    frame.attrs["today"] = TODAY
    assert log_records(frame) == screen.log_records(read, TODAY)
    assert [r["date"] for r in log_records(frame)] == [TODAY, None]
