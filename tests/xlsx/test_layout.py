"""The shared layout: header matching as the reader does it, and the Matrix positions the
writer uses (checked against a generated workbook)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.definition import default_definition
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

WORDS = st.text(st.sampled_from("aBc \t\nÉß"), max_size=20)


@given(WORDS)
def test_normalise_header_ignores_case_spacing_and_line_breaks(text: str) -> None:
    norm = L.normalise_header(text)
    assert L.normalise_header(norm) == norm
    assert L.normalise_header(f"  {text.upper()}\n") == L.normalise_header(text.upper())
    assert L.normalise_header(text.upper()) == norm  # casefold: even ß and SS agree
    assert "  " not in norm and norm == norm.strip()


def test_normalise_header_of_the_matrix_headers() -> None:
    assert L.normalise_header("Self-Rating\n(1-5)") == L.normalise_header(L.rating_header(1, 5))
    assert L.normalise_header(" gap   NOTES ") == L.normalise_header(L.GAP_NOTES)
    assert L.normalise_header(42) == "42"


def test_find_header_row_finds_the_first_row_holding_every_header() -> None:
    wanted = [L.normalise_header(h) for h in (L.SKILL, L.STATUS)]
    rows: list[list[object]] = [
        ["title"],
        [L.SKILL, 3],  # Status missing
        [None, " skill /  category ", "STATUS", "extra"],
        [L.SKILL, L.STATUS],
    ]
    assert L.find_header_row(rows, wanted) == 2
    assert L.find_header_row(rows, wanted, scan=2) is None
    assert L.find_header_row(rows[:2], wanted) is None
    assert L.find_header_row([], wanted) is None


@given(st.integers(0, 200), st.integers(0, 12))
def test_matrix_layout_keeps_its_parts_in_order(n_skills: int, n_thresholds: int) -> None:
    lay = L.MatrixLayout(n_skills, n_thresholds)
    # The owner block fits the owner labels and the verdicts with the Rated count.
    assert lay.block_rows >= len(L.OWNER_LABELS)
    assert lay.block_rows >= n_thresholds + 1
    assert lay.block_top >= 2  # under the title and its subtitle
    assert lay.header_row > lay.block_top + lay.block_rows - 1
    assert lay.first_row == lay.header_row + 1
    assert lay.last_row - lay.first_row + 1 == n_skills
    assert lay.rules_top > lay.last_row + 1  # a blank row between the table and the rules


def test_the_writer_puts_things_where_the_layout_says() -> None:
    d = default_definition()
    lay = L.MatrixLayout(len(d.skills), len(d.thresholds))
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(owner="Ada", role="MLE")))
    assert wb.sheetnames == list(L.GENERATED_SHEETS)
    ws = wb[L.MATRIX]

    def at(row: int, col: int) -> object:
        return ws.cell(row + 1, col + 1).value

    header = [at(lay.header_row, c) for c in range(L.COL_ID + 1)]
    assert header == [
        L.SKILL,
        L.MANDATORY,
        L.DEPTH,
        L.EVIDENCE,
        L.rating_header(d.min_rating, d.max_rating),
        L.GAP_NOTES,
        L.STATUS,
        L.SKILL_ID,
    ]
    assert [at(lay.block_top + i, 0) for i in range(3)] == list(L.OWNER_LABELS)
    assert [at(lay.block_top + i, 1) for i in range(2)] == ["Ada", "MLE"]
    assert [at(lay.first_row + i, L.COL_ID) for i in range(len(d.skills))] == [
        s.id for s in d.skills
    ]
    assert at(lay.last_row + 1, L.COL_ID) is None
    assert at(lay.rules_top, 0) == L.RULES_HEADING
    # The defined names point at the skill and rating columns, and the verdicts.
    names = {n: wb.defined_names[n].attr_text for n in (L.SKILL_NAMES, L.RATINGS)}
    first, last, rating = lay.first_row + 1, lay.last_row + 1, col_letter(L.COL_RATING)
    assert names[L.SKILL_NAMES] == f"{L.MATRIX}!$A${first}:$A${last}"
    assert names[L.RATINGS] == f"{L.MATRIX}!${rating}${first}:${rating}${last}"
    for i, t in enumerate(d.thresholds):
        assert wb.defined_names[t.defined_name].attr_text == (
            f"{L.MATRIX}!${rating}${lay.block_top + i + 1}"
        )
    meta = wb[L.META]
    found = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(2, 10)}
    assert found["matrix_header_row"] == str(lay.header_row + 1)
    assert found["format_version"] == str(L.FORMAT_VERSION)


@pytest.mark.parametrize(("low", "high"), [(1, 5), (0, 3), (1, 10)])
def test_rating_header_names_the_range(low: int, high: int) -> None:
    assert L.rating_header(low, high) == f"Self-Rating ({low}-{high})"
