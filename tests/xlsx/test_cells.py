"""One cell's address, size and characters: column letters, A1 references, the cell
limit and the one control-character rule."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from matrix_xl.xlsx.cells import (
    LINE_BREAKS,
    MAX_CELL_TEXT,
    cell_ref,
    clip,
    col_letter,
    column_number,
    has_control,
    is_control,
    strip_control,
)

COLUMNS = st.integers(min_value=0, max_value=16_383)  # A .. XFD
ROWS = st.integers(min_value=0, max_value=1_048_575)
# Text with plenty of controls (C0, C1, DEL), line breaks and lone surrogates in it.
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("\x00\x07\t\n\r\x1b\x7f\x85\x9f\ud800\udfff"),
    ),
    max_size=40,
)


@given(COLUMNS)
def test_col_letter_and_column_number_round_trip(col: int) -> None:
    letters = col_letter(col)
    assert letters.isascii() and letters.isupper() and 1 <= len(letters) <= 3
    assert column_number(letters) == col + 1
    assert column_number(letters.lower()) == col + 1  # case ignored


@given(COLUMNS, ROWS, st.booleans())
def test_addresses_agree_with_xlsxwriters(col: int, row: int, absolute: bool) -> None:
    assert col_letter(col) == xl_col_to_name(col)
    assert cell_ref(row, col, absolute) == xl_rowcol_to_cell(row, col, absolute, absolute)


@pytest.mark.parametrize(
    ("col", "letters"),
    [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16_383, "XFD")],
)
def test_column_letters_at_the_rollovers(col: int, letters: str) -> None:
    assert col_letter(col) == letters
    assert column_number(letters) == col + 1


@given(st.characters(codec="utf-8") | st.sampled_from("\ud800\udfff"))
def test_is_control_is_unicodes_control_and_surrogate_categories(ch: str) -> None:
    assert is_control(ch) == (unicodedata.category(ch) in ("Cc", "Cs"))
    assert is_control(ch) == (
        ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or 0xD800 <= ord(ch) <= 0xDFFF
    )


@given(TEXT, st.sampled_from(["", "\n", LINE_BREAKS]))
def test_strip_control_removes_every_control_but_those_kept(text: str, keep: str) -> None:
    out = strip_control(text, keep=keep)
    assert not has_control(out, allow=keep)
    assert strip_control(out, keep=keep) == out  # idempotent
    assert [c for c in text if c in keep or not is_control(c)] == list(out)  # order kept
    assert (out == text) == (not has_control(text, allow=keep))


@given(TEXT)
def test_has_control_and_its_allow_list(text: str) -> None:
    assert has_control(text) == any(is_control(c) for c in text)
    assert has_control(text, allow=LINE_BREAKS) == any(
        is_control(c) and c not in LINE_BREAKS for c in text
    )
    assert strip_control(text) == strip_control(text, keep=LINE_BREAKS)  # the default keep


def test_line_breaks_are_controls_kept_by_default() -> None:
    assert all(is_control(c) for c in LINE_BREAKS)
    assert strip_control("a\tb\nc\rd\x1be") == "a\tb\nc\rde"
    assert strip_control("a\tb", keep="") == "ab"


@given(st.text(max_size=60), st.integers(min_value=2, max_value=50))
def test_clip_fits_the_limit_and_keeps_the_start(text: str, limit: int) -> None:
    out = clip(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out == text[: limit - 1] + "…"


def test_clip_defaults_to_excels_cell_limit() -> None:
    assert MAX_CELL_TEXT == 32_767
    assert clip("x" * MAX_CELL_TEXT) == "x" * MAX_CELL_TEXT
    assert len(clip("x" * (MAX_CELL_TEXT + 1))) == MAX_CELL_TEXT
