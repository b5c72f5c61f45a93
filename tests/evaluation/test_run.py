"""Evaluate a workbook file: the verdicts, what is written where and when nothing is.

What the write-back puts in the workbook is tested in test_writeback.py."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from matrix_xl.cli import cli
from matrix_xl.definition import default_definition
from matrix_xl.errors import UnsafeWriteError
from matrix_xl.evaluation.run import evaluate, open_in_an_app
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.reader import read_workbook
from matrix_xl.rules import evaluate_rules
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

D = default_definition()
IDS = [s.id for s in D.skills]
MANDATORY = [s.id for s in D.skills if s.mandatory]
OPTIONAL = [s.id for s in D.skills if not s.mandatory]
FIRST = L.MatrixLayout(len(IDS), len(D.thresholds)).first_row + 1
RATING = col_letter(L.COL_RATING)
W1 = date(2026, 11, 2)


def cell(skill_id: str) -> str:
    return f"{L.MATRIX}!{RATING}{FIRST + IDS.index(skill_id)}"


def workbook(
    tmp_path: Path, ratings: dict[str, int | None], name: str = "me.xlsx", **options: Any
) -> Path:
    path = tmp_path / name
    path.write_bytes(
        build_workbook(
            owner="Ada", role="ML Engineer", ratings=ratings, created=date(2026, 1, 5), **options
        )
    )
    return path


def fill(path: Path, values: dict[str, Any]) -> None:
    """Change ratings the way a person does, with a spreadsheet app (openpyxl here)."""
    wb = openpyxl.load_workbook(path)
    for skill_id, value in values.items():
        wb[L.MATRIX][cell(skill_id).split("!")[1]] = value
    wb.save(path)


ALMOST = {**dict.fromkeys(MANDATORY, 4), **dict.fromkeys(OPTIONAL[:2], 3), "cloud": 3}


def test_verdicts_rules_priorities_and_steps(tmp_path: Path) -> None:
    result = evaluate(workbook(tmp_path, ALMOST), dry_run=True, as_of=W1)
    assert result.valid and result.written is None
    apply, promotion = result.verdict("apply"), result.verdict("promotion")
    assert not apply.ready and not promotion.ready
    assert [r.detail for r in apply.rules] == [
        "mandatory >= 4: 12 of 13, need 13",
        "optional >= 3: 2 of 8, need 3",
    ]
    assert apply.steps is not None
    assert [(s.skill_id, s.from_, s.to) for s in apply.steps] == [
        ("cloud", 3, 4),
        (OPTIONAL[2], None, 3),
    ]
    assert [p.skill_id for p in result.priorities][:2] == ["cloud", OPTIONAL[2]]
    assert result.unrated == [D.skill(s).name for s in OPTIONAL[2:]]


def test_output_copy_leaves_the_input_byte_identical(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST)
    before = path.read_bytes()
    out = tmp_path / "copy.xlsx"
    result = evaluate(path, output=out, as_of=W1)
    assert result.written == str(out)
    assert path.read_bytes() == before
    assert read_workbook(out).history[0].week == "2026-W45"


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST)
    before = path.read_bytes()
    assert evaluate(path, dry_run=True, as_of=W1).written is None
    assert path.read_bytes() == before


def test_invalid_workbook_is_not_evaluated_and_not_written(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST)
    fill(path, {"cloud": 9})
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["evaluate", str(path), "--format", "json"])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["valid"] is False
    assert any(
        i["cell"] == cell("cloud").split("!")[1] and "rating 9" in i["message"]
        for i in body["issues"]
    )
    assert path.read_bytes() == before


def test_permission_denied_leaves_the_original_and_no_temporary_file(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST)
    before = path.read_bytes()
    if os.geteuid() == 0:  # root writes anywhere it has a file system that lets it: not /proc
        result = CliRunner().invoke(cli, ["evaluate", str(path), "-o", "/proc/mxl/out.xlsx"])
        assert result.exit_code == 2
        assert "cannot write in /proc/mxl" in result.stderr
    else:
        tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)  # no new files in the folder
        try:
            with pytest.raises(UnsafeWriteError):
                evaluate(path, as_of=W1)
        finally:
            tmp_path.chmod(stat.S_IRWXU)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["me.xlsx"]


def test_json_output_has_the_documented_shape(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST)
    result = CliRunner().invoke(
        cli, ["evaluate", str(path), "--as-of", "2026-11-02", "--format", "json", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    for key in (
        "workbook",
        "owner",
        "as_of",
        "valid",
        "issues",
        "ratings",
        "apply",
        "promotion",
        "priorities",
        "unrated",
    ):
        assert key in body
    assert body["as_of"] == "2026-11-02" and body["owner"] == "Ada"
    assert set(body["apply"]) >= {"ready", "rules", "steps"}
    assert body["apply"]["rules"][0] == {
        "rule": "every mandatory skill >= 4",
        "passed": False,
        "detail": "mandatory >= 4: 12 of 13, need 13",
    }
    assert {"skill", "from", "to"} <= set(body["apply"]["steps"][0])
    unrated = next(r for r in body["ratings"] if r["rating"] is None)
    assert unrated["previous"] is None
    assert set(body["issues"][0]) == {"severity", "sheet", "cell", "skill", "message"}
    verdicts = evaluate_rules(D, {k: v for k, v in ALMOST.items()}, with_steps=False)
    assert [body["apply"]["ready"], body["promotion"]["ready"]] == [v.ready for v in verdicts]


def test_text_and_markdown_reports(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST)
    text = CliRunner().invoke(cli, ["evaluate", str(path), "--dry-run", "--as-of", "2026-11-02"])
    assert text.exit_code == 0
    assert "Ready to apply" in text.stdout and "NOT YET" in text.stdout
    assert "Cloud (AWS/Azure/GCP basics): 3 -> 4" in text.stdout
    assert "Nothing written (--dry-run)" in text.stdout
    md = CliRunner().invoke(cli, ["evaluate", str(path), "--dry-run", "--format", "markdown"])
    assert md.exit_code == 0 and md.stdout.startswith("## Competency readiness: Ada")
    assert "| # | Skill |" in md.stdout


@pytest.mark.parametrize("lock", ["~$me.xlsx", ".~lock.me.xlsx#"])
def test_a_workbook_open_in_an_app_is_not_written(tmp_path: Path, lock: str) -> None:
    path = workbook(tmp_path, ALMOST)
    (tmp_path / lock).write_text("someone,host,2026-11-26", encoding="utf-8")
    before = path.read_bytes()
    code = CliRunner().invoke(cli, ["evaluate", str(path)])
    assert code.exit_code == 2
    assert "open in a spreadsheet application" in code.stderr and lock in code.stderr
    assert path.read_bytes() == before
    out = tmp_path / "copy.xlsx"  # a copy elsewhere is fine while it is open
    assert CliRunner().invoke(cli, ["evaluate", str(path), "-o", str(out)]).exit_code == 0
    assert out.exists() and path.read_bytes() == before


def test_open_in_an_app_finds_the_lock_file_of_excel_or_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    assert open_in_an_app(path) is None
    (tmp_path / "~$other.xlsx").write_text("x", encoding="utf-8")  # another file's lock
    (tmp_path / ".~lock.me.xlsx").write_text("x", encoding="utf-8")  # not LibreOffice's name
    assert open_in_an_app(path) is None
    for name in (".~lock.me.xlsx#", "~$me.xlsx"):
        lock = tmp_path / name
        lock.write_text("someone,host,2026-11-26", encoding="utf-8")
        assert open_in_an_app(path) == lock
        lock.unlink()
