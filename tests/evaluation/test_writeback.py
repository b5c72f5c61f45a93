"""The write-back of evaluate: the Summary, History and Improvement Log written into the
person's workbook, and everything else in it left as it was."""

from __future__ import annotations

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
from matrix_xl.evaluation.run import evaluate
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.reader import read_workbook
from matrix_xl.validation.schemas import validate
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

D = default_definition()
IDS = [s.id for s in D.skills]
MANDATORY = [s.id for s in D.skills if s.mandatory]
OPTIONAL = [s.id for s in D.skills if not s.mandatory]
FIRST = L.MatrixLayout(len(IDS), len(D.thresholds)).first_row + 1
RATING = col_letter(L.COL_RATING)
W1, W1_LATER, W2 = date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 9)


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


def test_evaluate_writes_summary_history_and_no_log_on_first_run(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST)
    result = evaluate(path, as_of=W1)
    assert result.written == str(path) and result.log_added == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == L.SUMMARY and wb.active.title == L.SUMMARY
    assert L.HISTORY in wb.sheetnames
    read = read_workbook(path)
    assert [h.week for h in read.history] == ["2026-W45"]
    assert read.history[0].ratings == read.rating_map()
    assert read.log_rows == []
    texts = [str(c.value) for row in wb[L.SUMMARY].iter_rows() for c in row if c.value]
    assert "NOT YET" in texts and any("Least steps" in t for t in texts)
    assert wb[L.SUMMARY].protection.sheet
    assert len(wb[L.SUMMARY]._charts) == 2


def test_weekly_round_trip_adds_history_and_exactly_the_changed_log_entries(
    tmp_path: Path,
) -> None:
    path = workbook(tmp_path, ALMOST)
    evaluate(path, as_of=W1)
    first = path.read_bytes()
    again = evaluate(path, as_of=W1_LATER)  # same week, nothing changed
    assert again.log_added == 0 and again.changes == []
    assert [h.week for h in read_workbook(path).history] == ["2026-W45"]

    fill(path, {"cloud": 4, OPTIONAL[2]: 3, "communication": 3})
    week2 = evaluate(path, as_of=W2)
    assert week2.previous_week == "2026-W45"
    assert {(c.skill_id, c.from_, c.to) for c in week2.changes} == {
        ("cloud", 3, 4),
        (OPTIONAL[2], None, 3),
        ("communication", 4, 3),
    }
    assert week2.log_added == 3
    read = read_workbook(path)
    assert [h.week for h in read.history] == ["2026-W45", "2026-W46"]
    log = {(r.skill, r.action) for r in read.log_rows}
    assert log == {
        (D.skill("cloud").name, "Self-rating 3 -> 4"),
        (D.skill(OPTIONAL[2]).name, "Self-rating unrated -> 3"),
        (D.skill("communication").name, "Self-rating 4 -> 3"),
    }
    cloud = next(r for r in read.log_rows if r.skill == D.skill("cloud").name)
    assert cloud.date == W2 and "now meets the mandatory target 4" in cloud.impact
    # evaluating again the same week adds nothing twice
    assert evaluate(path, as_of=W2).log_added == 0
    assert len(read_workbook(path).log_rows) == 3
    assert first != path.read_bytes()


def test_the_persons_log_rows_and_matrix_inputs_stay_exactly_as_typed(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST, notes={"cloud": "=not a formula"})
    wb = openpyxl.load_workbook(path)
    log = wb[L.LOG]
    log["A2"] = date(2026, 10, 1)
    log["B2"] = D.skill("cloud").name
    log["C2"] = "+Read the S3 docs"
    log["C2"].data_type = "s"
    log["D2"] = "Knows the primitives"
    wb.save(path)
    evaluate(path, as_of=W1)
    fill(path, {"cloud": 4})
    evaluate(path, as_of=W2)
    after = openpyxl.load_workbook(path)
    assert [c.value for c in after[L.LOG][2]][:4] == [
        openpyxl.utils.datetime.from_excel(openpyxl.utils.datetime.to_excel(date(2026, 10, 1))),
        D.skill("cloud").name,
        "+Read the S3 docs",
        "Knows the primitives",
    ]
    assert after[L.LOG]["C2"].data_type == "s"
    assert after[L.LOG]["C3"].value == "Self-rating 3 -> 4"
    notes = after[L.MATRIX][f"F{FIRST + IDS.index('cloud')}"]
    assert notes.value == "=not a formula" and notes.data_type == "s"


def test_workbook_extras_survive(tmp_path: Path) -> None:
    path = workbook(tmp_path, ALMOST)
    wb = openpyxl.load_workbook(path)
    extra = wb.create_sheet("My notes")
    extra["A1"] = "keep me"
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    ws = wb[L.MATRIX]
    ws["J8"] = "my own column"
    ws["J8"].font = Font(bold=True, color="FF0000")
    ws["A8"].comment = Comment("a comment of mine", "Ada")
    wb.save(path)
    evaluate(path, as_of=W1)
    after = openpyxl.load_workbook(path)
    assert after["My notes"]["A1"].value == "keep me"
    m = after[L.MATRIX]
    assert m["J8"].value == "my own column" and m["J8"].font.bold
    assert m["A8"].comment.text == "a comment of mine"
    assert m.protection.sheet
    refs = {str(dv.sqref) for dv in m.data_validations.dataValidation}
    assert f"{RATING}{FIRST}:{RATING}{FIRST + len(IDS) - 1}" in refs
    assert len(m.conditional_formatting) >= 3
    assert {"ReadyToApply", "PromotionReady", "SkillNames"} <= set(after.defined_names)
    assert m.freeze_panes == f"B{FIRST}"
    assert not m[f"{RATING}{FIRST}"].protection.locked


def test_a_write_killed_midway_leaves_the_original_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path, ALMOST)
    path.chmod(0o640)
    before = path.read_bytes()
    import matrix_xl.xlsx.atomic as atomic

    def disk_full(temp: Path, like: Any) -> None:
        temp.write_bytes(b"PK\x03\x04 half a file")
        raise UnsafeWriteError("No space left on device", temp)

    monkeypatch.setattr(atomic, "_seal", disk_full)
    with pytest.raises(UnsafeWriteError) as info:
        evaluate(path, as_of=W1)
    assert "No space left on device" in str(info.value)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["me.xlsx"]
    monkeypatch.undo()
    evaluate(path, as_of=W1)  # and a good write keeps the file's permissions
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_round_trip_through_libreoffice_for_a_month(libreoffice: Any, tmp_path: Path) -> None:
    blank = tmp_path / "blank.xlsx"
    assert CliRunner().invoke(cli, ["new", "-o", str(blank), "--owner", "Lo"]).exit_code == 0
    path = tmp_path / "me.xlsx"
    week1 = {cell(s): v for s, v in ALMOST.items()}
    libreoffice.save(str(blank), str(path), cells=week1)
    assert evaluate(path, as_of=W1).valid
    assert evaluate(path, as_of=W1_LATER).log_added == 0
    # the person opens the evaluated workbook in LibreOffice again and changes two ratings
    week2 = tmp_path / "me-week2.xlsx"
    libreoffice.save(str(path), str(week2), cells={cell("cloud"): 4, cell(OPTIONAL[2]): 3})
    result = evaluate(week2, as_of=W2)
    assert {(c.skill_id, c.from_, c.to) for c in result.changes} == {
        ("cloud", 3, 4),
        (OPTIONAL[2], None, 3),
    }
    assert result.verdict("apply").ready
    read = read_workbook(week2)
    assert [h.week for h in read.history] == ["2026-W45", "2026-W46"]
    assert len(read.log_rows) == 2
    assert [f for f in validate(read) if f.severity == "error"] == []
    # and it still opens in LibreOffice, with live formulas that agree
    got = libreoffice.read(str(week2), ["ReadyToApply", "PromotionReady"])
    assert got == {"ReadyToApply": "YES", "PromotionReady": "NOT YET"}
    names = [name for name, _visible in libreoffice.sheets(str(week2))]
    assert names[0] == L.SUMMARY and L.HISTORY in names and L.MATRIX in names
