"""Workbooks and helpers the team tests share: a mixed folder of good and bad files."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner, Result
from python_calamine import CalamineWorkbook

from matrix_xl.cli import cli
from matrix_xl.definition import Definition, default_definition, definition_from_dict
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

D = default_definition()
IDS = [s.id for s in D.skills]
MANDATORY = [s.id for s in D.skills if s.mandatory]
OPTIONAL = [s.id for s in D.skills if not s.mandatory]
FIRST = L.MatrixLayout(len(D.skills), len(D.thresholds)).first_row + 1  # 1-based
TODAY = date(2026, 11, 26)
READY = {**dict.fromkeys(MANDATORY, 4), **dict.fromkeys(OPTIONAL[:6], 3)}


def custom_definition() -> Definition:
    """A second matrix: five skills, one of each count needed."""
    data = D.to_dict()
    data["title"] = "Data Platform Matrix"
    data["skills"] = data["skills"][:5]
    for threshold in data["thresholds"]:
        for condition in threshold["conditions"]:
            if isinstance(condition["count"], int):
                condition["count"] = 1
    return definition_from_dict(data, "custom")


CUSTOM = custom_definition()


def cell(skill_id: str) -> str:
    """The Self-Rating cell of a skill on the Matrix sheet, e.g. ``E16``."""
    return f"{col_letter(L.COL_RATING)}{FIRST + IDS.index(skill_id)}"


def with_cells(data: bytes, values: dict[str, Any], sheet: str = L.MATRIX) -> bytes:
    """The workbook ``data`` with some cells set (through openpyxl, past the dropdowns)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in values.items():
        wb[sheet][ref].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


NINE = with_cells(build_workbook(owner="Nine", ratings={"cloud": 4}), {cell("cloud"): 9})


def random_ratings(rng: random.Random) -> dict[str, int | None]:
    return {sid: rng.choice([None, 1, 2, 3, 4, 5, 5, 4]) for sid in IDS}


def make_mixed_folder(folder: Path) -> Path:
    """Five good workbooks (two definitions), four bad ones, and files that are skipped."""
    (folder / "sub").mkdir(parents=True)
    rng = random.Random(7)
    (folder / "ada.xlsx").write_bytes(
        build_workbook(owner="Ada", role="ML Engineer", ratings=READY)
    )
    (folder / "sub" / "bob.xlsx").write_bytes(
        build_workbook(owner="Bob", role="Data Scientist", ratings=random_ratings(rng))
    )
    (folder / "cmd.xlsx").write_bytes(build_workbook(owner="=cmd|' /C calc'!A0", ratings={}))
    (folder / "noname.xlsx").write_bytes(build_workbook(ratings={"cloud": 5}))
    (folder / "custom.xlsx").write_bytes(
        build_workbook(CUSTOM, owner="Cy", ratings={s.id: 4 for s in CUSTOM.skills})
    )
    (folder / "broken.xlsx").write_bytes(build_workbook(owner="Dee")[:3000])
    (folder / "nine.xlsx").write_bytes(NINE)
    twice = with_cells(NINE, {cell("communication"): "lots"})
    (folder / "sub" / "twice.xlsx").write_bytes(twice)
    other = openpyxl.Workbook()
    other.active["A1"] = "Quarterly budget"
    other.save(folder / "budget.xlsx")
    (folder / "~$ada.xlsx").write_bytes(b"Office lock file")
    (folder / ".~lock.ada.xlsx#").write_bytes(b"LibreOffice lock file")
    (folder / ".hidden.xlsx").write_bytes(b"hidden")
    (folder / "notes.txt").write_text("not a workbook")
    return folder


def invoke(*args: str) -> Result:
    """``matrix-xl ARGS...`` through click's runner."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def read_sheet(path: Path, sheet: str) -> list[list[Any]]:
    """A sheet's cell values, row by row, as python-calamine reads them."""
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    )
    return rows
