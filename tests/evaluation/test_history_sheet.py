"""The donor workbook's History sheet: read back by the reader as exactly the rows written,
the week's verdicts beside them, and headers that never break inside a word."""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from datetime import date
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from matrix_xl.definition import Definition, default_definition, definition_from_dict
from matrix_xl.evaluation.history_sheet import (
    FIRST_WEEK_ROW,
    HEADER_LINES,
    MIN_PRINT_SCALE,
    history_layout,
    wrapped_words,
)
from matrix_xl.evaluation.run import Evaluation, evaluate_read
from matrix_xl.evaluation.summary import build_report_sheets
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.history import history_headers, iso_week, parse_history
from matrix_xl.read.reader import HistoryRow, read_workbook
from matrix_xl.rules import evaluate_rules

D = default_definition()
W1 = date(2026, 11, 2)


def evaluation(definition: Definition = D) -> Evaluation:
    read = read_workbook(build_workbook(definition, owner="Ada", created=date(2026, 1, 5)))
    result = evaluate_read(read, as_of=W1, today=W1)
    assert result.valid
    return result


RESULT = evaluation()


def history_rows(data: bytes, sheet: str = "History") -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def snapshots(definition: Definition) -> st.SearchStrategy[list[HistoryRow]]:
    rating = st.none() | st.integers(0, 9)
    ratings = st.fixed_dictionaries({s.id: rating for s in definition.skills})
    day = st.dates(date(1, 1, 1), date(9999, 12, 31))
    week_day = st.dates(date(1000, 1, 10), date(9999, 12, 20))  # a week is YYYY-Www
    row = st.builds(
        lambda week_day, when, values: HistoryRow(iso_week(week_day), when, values),
        week_day,
        st.none() | day,
        ratings,
    )
    return st.lists(row, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(D))
def test_the_history_written_reads_back_as_exactly_the_rows_given(
    history: list[HistoryRow],
) -> None:
    data = build_report_sheets(RESULT, history)
    assert parse_history(history_rows(data), D) == history


HOSTILE_NAMES = ["=1+1", "<r>x</r>", "_x0041_", "http://x", "Week 2", "a  b", "Ünïcode ✓"]


def hostile_definition() -> Definition:
    data = D.to_dict()
    for skill, name in zip(data["skills"], HOSTILE_NAMES, strict=False):
        skill["name"] = name
    return definition_from_dict(data)


HOSTILE = hostile_definition()
HOSTILE_RESULT = evaluation(HOSTILE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(HOSTILE))
def test_hostile_skill_names_head_columns_that_still_read_back(
    history: list[HistoryRow],
) -> None:
    data = build_report_sheets(HOSTILE_RESULT, history, history_name="It's History")
    rows = history_rows(data, "It's History")
    assert rows[FIRST_WEEK_ROW - 1] == history_headers(HOSTILE)
    assert parse_history(rows, HOSTILE) == history


def test_each_week_carries_its_verdicts_and_rated_count() -> None:
    ids = [s.id for s in D.skills]
    weeks = [
        HistoryRow("2026-W44", date(2026, 10, 26), dict.fromkeys(ids, 2)),
        HistoryRow("2026-W45", date(2026, 11, 2), {**dict.fromkeys(ids, 5), ids[0]: None}),
    ]
    rows = history_rows(build_report_sheets(RESULT, weeks))
    assert rows[0][0] == "Weekly history"
    assert rows[FIRST_WEEK_ROW - 1] == history_headers(D)
    n = len(D.thresholds)
    for row, week in zip(rows[FIRST_WEEK_ROW:], weeks, strict=True):
        verdicts = evaluate_rules(D, week.ratings, with_steps=False)
        assert row[:2] == [week.week, week.date]
        assert row[2 : 2 + n] == ["YES" if v.ready else "NOT YET" for v in verdicts]
        assert row[2 + n] == sum(1 for v in week.ratings.values() if v is not None)
    assert rows[FIRST_WEEK_ROW + 1][3 + n] == ""  # unrated: an empty cell


def test_dates_outside_excels_calendar_are_kept_as_iso_text() -> None:
    ids = [s.id for s in D.skills]
    weeks = [
        HistoryRow("1899-W52", date(1899, 12, 31), dict.fromkeys(ids)),
        HistoryRow("1900-W01", date(1900, 1, 1), dict.fromkeys(ids)),
        HistoryRow("2026-W45", date(2026, 11, 2), dict.fromkeys(ids)),
    ]
    rows = history_rows(build_report_sheets(RESULT, weeks))[FIRST_WEEK_ROW:]
    assert [r[1] for r in rows[:2]] == ["1899-12-31", "1900-01-01"]
    assert rows[2][1] == date(2026, 11, 2)  # a real date cell, shown yyyy-mm-dd


# -- headers and print -------------------------------------------------------------------------


@given(
    st.lists(st.text("ab", min_size=1, max_size=12), min_size=1, max_size=10), st.integers(1, 30)
)
def test_wrapped_words_wraps_greedily_between_words(words: list[str], chars: int) -> None:
    text = " ".join(words)
    # textwrap, told never to break a word, is the greedy wrap spelled out
    expected = textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=False)
    assert wrapped_words(text, chars) == len(expected)
    assert wrapped_words(text, chars) <= len(words)


def test_history_headers_rotate_and_never_break_inside_a_word() -> None:
    layout = history_layout(D)
    rotated = history_headers(D)[2:]
    longest_word = max(len(w) for h in rotated for w in h.split())
    assert layout.header_chars >= longest_word
    assert all(wrapped_words(h, layout.header_chars) <= HEADER_LINES for h in rotated)
    data = build_report_sheets(RESULT, [])
    ws = openpyxl.load_workbook(io.BytesIO(data))["History"]
    header = FIRST_WEEK_ROW  # 1-based row of the header
    # xlsxwriter stores heights in whole pixels (0.75 pt)
    assert abs(ws.row_dimensions[header].height - layout.header_height) <= 0.75
    assert [ws.cell(header, c).alignment.textRotation for c in (1, 2)] == [0, 0]
    for col in range(3, len(history_headers(D)) + 1):
        cell = ws.cell(header, col)
        assert cell.alignment.textRotation == 90 and cell.alignment.wrap_text
    assert ws.freeze_panes == "C4" and ws.protection.sheet


def test_a_word_longer_than_usual_sets_the_header_line() -> None:
    data = D.to_dict()
    data["skills"][0]["name"] = "Supercalifragilisticexpialidocious-engineering practice"
    layout = history_layout(definition_from_dict(data))
    assert layout.header_chars >= len("Supercalifragilisticexpialidocious-engineering")


def sheet_xml(data: bytes, n: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(f"xl/worksheets/sheet{n}.xml").decode()


def test_history_prints_one_page_wide_at_75_percent_or_more() -> None:
    layout = history_layout(D)
    assert layout.fits_one_page_wide and layout.scale >= MIN_PRINT_SCALE
    body = sheet_xml(build_report_sheets(RESULT, []), 2)
    assert 'orientation="landscape"' in body and 'fitToHeight="0"' in body
    assert '<pageSetUpPr fitToPage="1"/>' in body


def test_a_history_too_wide_for_one_page_prints_at_full_size_across_pages() -> None:
    data = D.to_dict()
    extra = [
        {"id": f"extra-{i}", "name": f"Extra skill {i}", "mandatory": False} for i in range(60)
    ]
    data["skills"] = [*data["skills"], *extra]
    wide = definition_from_dict(data)
    layout = history_layout(wide)
    assert not layout.fits_one_page_wide
    donor = build_report_sheets(evaluation(wide), [])
    body = sheet_xml(donor, 2)
    # 100% is the default scale: no scale attribute, and no fit to the page
    assert "fitToPage" not in body and not re.search(r'scale="(?!100")', body)
    with zipfile.ZipFile(io.BytesIO(donor)) as z:
        book = z.read("xl/workbook.xml").decode()
    titles = re.search(r'<definedName name="_xlnm.Print_Titles" localSheetId="1">([^<]*)<', book)
    assert titles is not None and "$A:$B" in titles.group(1) and "$3:$3" in titles.group(1)
