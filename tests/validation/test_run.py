"""Validating a workbook end to end: check_workbook, the Validation result and its JSON."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from matrix_xl.cli import cli
from matrix_xl.definition import default_definition
from matrix_xl.errors import UnreadableWorkbookError
from matrix_xl.findings import Finding
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.validation import run, schemas
from matrix_xl.validation.run import Validation, check_workbook
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

D = default_definition()
IDS = [s.id for s in D.skills]
FIRST = L.MatrixLayout(len(D.skills), len(D.thresholds)).first_row + 1  # 1-based
RATING = col_letter(L.COL_RATING)
TODAY = date(2026, 11, 26)


def doubtful() -> bytes:
    """Errors on two sheets and warnings: a rating of 9, a future log entry, unrated skills."""
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(ratings={"cloud": 4})))
    wb[L.MATRIX][f"{RATING}{FIRST + IDS.index('deployment')}"] = 9
    log = wb[L.LOG]
    log["A2"], log["B2"], log["C2"] = datetime(2026, 11, 27), "Deployment (Docker + API)", "Ship"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_to_dict_is_exactly_what_validate_prints_as_json(tmp_path: Path) -> None:
    path = tmp_path / "doubtful.xlsx"
    path.write_bytes(doubtful())
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output) == check_workbook(path).to_dict()
    body = check_workbook(path, today=TODAY).to_dict()
    assert list(body) == ["workbook", "valid", "issues"]
    assert body["workbook"] == str(path) and body["valid"] is False
    assert all(list(i) == ["severity", "sheet", "cell", "skill", "message"] for i in body["issues"])


def test_errors_come_first_in_sheet_order_then_warnings() -> None:
    result = check_workbook(doubtful(), name="d.xlsx", today=TODAY)
    assert [(f.sheet, f.cell, f.message) for f in result.errors] == [
        ("Improvement Log", "A2", "date 2026-11-27 is in the future"),
        (L.MATRIX, f"{RATING}{FIRST + IDS.index('deployment')}", "rating 9 is not one of 1-5"),
    ]
    assert result.warnings and {f.severity for f in result.warnings} == {"warning"}
    assert list(result.issues) == [*result.errors, *result.warnings]
    rows = [int(f.cell[len(RATING) :]) for f in result.warnings if f.cell.startswith(RATING)]
    assert rows == sorted(rows)
    assert not result.valid


def test_the_day_of_the_check_decides_what_is_in_the_future() -> None:
    later = check_workbook(doubtful(), name="d.xlsx", today=date(2026, 11, 27))
    assert [f.message for f in later.errors] == ["rating 9 is not one of 1-5"]


def test_a_workbook_with_warnings_only_is_valid() -> None:
    result = check_workbook(build_workbook(ratings={"cloud": 2}), name="w.xlsx")
    assert result.workbook == "w.xlsx"
    assert result.valid and result.errors == [] and result.warnings
    assert result.to_dict()["valid"] is True
    assert Validation("x.xlsx", ()).to_dict() == {"workbook": "x.xlsx", "valid": True, "issues": []}


def test_a_validation_is_its_findings() -> None:
    error = Finding("error", L.MATRIX, "E9", "Cloud", "rating 9 is not one of 1-5", "x.xlsx")
    warning = Finding("warning", L.MATRIX, "E10", "Python", "unrated", "x.xlsx")
    result = Validation("x.xlsx", (error, warning))
    assert (result.errors, result.warnings, result.valid) == ([error], [warning], False)
    assert result.to_dict()["issues"] == [error.to_dict(), warning.to_dict()]


def test_an_unreadable_file_raises_the_readers_error(tmp_path: Path) -> None:
    with pytest.raises(UnreadableWorkbookError):
        check_workbook(tmp_path / "missing.xlsx")
    with pytest.raises(UnreadableWorkbookError):
        check_workbook(b"not a workbook", name="x.xlsx")


def test_the_rules_run_here_are_the_schemas_own() -> None:
    assert run.validate is schemas.validate and run.validate_many is schemas.validate_many
