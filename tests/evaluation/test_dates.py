"""The snapshot's date (matrix_xl/evaluation/dates.py): --as-of, else Date rated, else today;
refused in the future, before March 1900, or before the latest recorded week.

The rule is checked as a pure function with hypothesis, then through `evaluate` and the
CLI on real files: what is recorded where, and that a refused date leaves the file as it
was.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix_xl.cli import cli
from matrix_xl.definition import default_definition
from matrix_xl.errors import UsageError
from matrix_xl.evaluation.dates import FIRST_DATE, date_for, snapshot_date
from matrix_xl.evaluation.run import evaluate
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import HistoryRow
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter

D = default_definition()
IDS = [s.id for s in D.skills]
FIRST = L.MatrixLayout(len(IDS), len(D.thresholds)).first_row + 1
RATING = col_letter(L.COL_RATING)
TODAY = date.today()


def week_key(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def week_of(day: date) -> str:
    year, week = week_key(day)
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> tuple[int, int]:
    year, week = text.split("-W")
    return int(year), int(week)


# -- the rule, as a pure function -----------------------------------------------------------


@st.composite
def date_cases(draw: st.DrawFn) -> tuple[date | None, date | None, date, list[date]]:
    """(--as-of, Date rated, today, recorded days): given dates mostly near today and the
    recorded weeks, now and then anywhere from 1850 on (the 1900 boundary included)."""
    today = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
    near = st.integers(-10, 2).map(lambda k: today + timedelta(days=k))
    edge = st.sampled_from([date(1899, 12, 31), date(1900, 2, 28), date(1900, 3, 1)])
    anywhere = st.dates(min_value=date(1850, 1, 1), max_value=date(2150, 12, 31))
    given_day = st.none() | near | near | edge | anywhere
    recorded = st.lists(st.integers(-14, 7).map(lambda k: today + timedelta(days=k)), max_size=3)
    return draw(given_day), draw(given_day), today, draw(recorded)


@settings(max_examples=400)
@given(date_cases())
def test_the_snapshot_date_is_the_one_given_and_never_older_than_history_nor_in_the_future(
    case: tuple[date | None, date | None, date, list[date]],
) -> None:
    as_of, rated, today, recorded = case
    weeks = [week_of(d) for d in recorded]
    chosen = as_of if as_of is not None else rated if rated is not None else today
    latest = max((parse_week(w) for w in weeks), default=None)
    refused = (
        chosen < date(1900, 3, 1)
        or chosen > today
        or (latest is not None and week_key(chosen) < latest)
    )
    try:
        got = snapshot_date(as_of, rated, today, weeks)
    except UsageError as exc:
        assert refused, exc.message
        assert exc.message.endswith("Nothing was written.")
        origin = "--as-of" if as_of is not None else "Date rated" if rated is not None else "today"
        assert exc.message.startswith(f"the snapshot date {chosen.isoformat()} (from {origin}) is ")
    else:
        assert not refused
        assert got == chosen  # the documented choice
        assert FIRST_DATE <= got <= today
        assert latest is None or week_key(got) >= latest  # never older than the latest week


@given(
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), back=st.integers(0, 6)
)
def test_a_day_of_the_latest_recorded_week_is_accepted_even_before_its_recorded_day(
    today: date, back: int
) -> None:
    # Week granularity: the latest week's snapshot is replaced, whichever day of it is given.
    monday = today - timedelta(days=today.weekday())
    day = max(monday, today - timedelta(days=back))
    assert snapshot_date(day, None, today, [week_of(today)]) == day


def test_refusals_say_why_and_how_to_correct_it() -> None:
    today = date(2026, 11, 26)
    with pytest.raises(UsageError) as older:
        snapshot_date(date(2026, 11, 2), None, today, ["2026-W46", "2026-W47"], source="me.xlsx")
    assert str(older.value) == (
        "me.xlsx: the snapshot date 2026-11-02 (from --as-of) is in 2026-W45, before "
        "2026-W47, the latest week on the History sheet. History is append-only: a "
        "snapshot goes in the latest week (replacing its row) or a later one. If the date "
        "is wrong, pass another --as-of, or leave it out to use Date rated or today. To "
        "record these ratings as of 2026-W45 instead, unprotect the History sheet (it has "
        "no password), delete its rows after 2026-W45 (through 2026-W47) and evaluate "
        "again. Nothing was written."
    )
    with pytest.raises(UsageError) as future:
        snapshot_date(None, date(2026, 12, 1), today, [])
    assert future.value.message == (
        "the snapshot date 2026-12-01 (from Date rated) is after today (2026-11-26): a "
        "snapshot records the ratings as they are, so it cannot be dated in the future; "
        "correct Date rated on the Matrix sheet, or clear it to use today. Nothing was "
        "written."
    )
    with pytest.raises(UsageError) as ancient:
        snapshot_date(date(1899, 12, 31), None, today, [])
    assert "is before 1900-03-01: spreadsheets disagree by a day" in ancient.value.message
    with pytest.raises(UsageError) as clock:  # History holds a week after today
        snapshot_date(None, None, today, ["2027-W02"])
    assert "If the date is wrong" not in clock.value.message
    assert "delete its rows after 2026-W48 (through 2027-W02)" in clock.value.message


def test_a_stale_date_rated_that_replaces_a_recorded_week_is_a_warning() -> None:
    read = read_workbook(build_workbook(owner="Ada"), name="me.xlsx")
    w45 = HistoryRow("2026-W45", date(2026, 11, 2), {})
    stale = replace(read, date_rated=date(2026, 11, 3), history=[w45])
    when, notes = date_for(stale, None, date(2026, 11, 20))
    assert when == date(2026, 11, 3)
    assert [(n.severity, n.sheet, n.cell) for n in notes] == [("warning", L.MATRIX, "B5")]
    assert "2026-W45, which the History sheet already holds" in notes[0].message
    # Not when the week is new, when it is this week, or when --as-of chose the date.
    assert date_for(replace(stale, history=[]), None, date(2026, 11, 20))[1] == []
    assert date_for(stale, None, date(2026, 11, 4))[1] == []
    assert date_for(stale, date(2026, 11, 3), date(2026, 11, 20))[1] == []


# -- through evaluate and the CLI, on real files --------------------------------------------

W1 = TODAY - timedelta(weeks=3)
W2 = TODAY - timedelta(weeks=2)


def workbook(tmp_path: Path, rated: date | str | None = None) -> Path:
    path = tmp_path / "me.xlsx"
    path.write_bytes(
        build_workbook(owner="Ada", ratings=dict.fromkeys(IDS, 3), created=date(2026, 1, 5))
    )
    if rated is not None:
        set_cells(path, {"B5": rated})
    return path


def set_cells(path: Path, cells: dict[str, object]) -> None:
    """Type into the Matrix the way a person does, with a spreadsheet app (openpyxl here)."""
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[L.MATRIX][ref] = (
            datetime.combine(value, datetime.min.time()) if isinstance(value, date) else value
        )
    wb.save(path)


def rating_cell(skill_id: str) -> str:
    return f"{RATING}{FIRST + IDS.index(skill_id)}"


def test_date_rated_dates_the_snapshot_and_as_of_overrides_it(tmp_path: Path) -> None:
    path = workbook(tmp_path, rated=W2)
    assert evaluate(path, dry_run=True).as_of == W2
    assert evaluate(path, dry_run=True, as_of=TODAY).as_of == TODAY
    result = evaluate(path)
    assert [(h.week, h.date) for h in read_workbook(path).history] == [(week_of(W2), W2)]
    assert result.as_of == W2


def test_a_malformed_date_rated_warns_naming_its_cell_and_today_is_used(tmp_path: Path) -> None:
    path = workbook(tmp_path, rated="02/11/2026")
    result = evaluate(path, dry_run=True)
    assert result.as_of == TODAY
    assert [(f.severity, f.sheet, f.cell) for f in result.issues if "Date rated" in f.message] == [
        ("warning", L.MATRIX, "B5")
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--as-of", W1.isoformat()], "History is append-only"),  # older than the W2 row
        (["--as-of", (TODAY + timedelta(days=1)).isoformat()], "cannot be dated in the future"),
        (["--as-of", "1899-12-31"], "is before 1900-03-01"),
        (["--as-of", "1900-02-28"], "is before 1900-03-01"),
        (["--dry-run", "--as-of", W1.isoformat()], "History is append-only"),
    ],
)
def test_a_refused_date_exits_2_with_one_line_and_leaves_the_file_as_it_was(
    tmp_path: Path, args: list[str], words: str
) -> None:
    path = workbook(tmp_path)
    assert evaluate(path, as_of=W2).written
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["evaluate", str(path), *args])
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "Nothing was written." in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_a_date_rated_in_the_future_or_before_the_history_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    assert evaluate(path, as_of=W2).written
    for rated, words in ((TODAY + timedelta(days=3), "after today"), (W1, "append-only")):
        set_cells(path, {"B5": rated})
        before = path.read_bytes()
        with pytest.raises(UsageError, match=re.escape("correct Date rated on the Matrix sheet")):
            evaluate(path)
        with pytest.raises(UsageError, match=words):
            evaluate(path, output=tmp_path / "copy.xlsx")
        assert path.read_bytes() == before and not (tmp_path / "copy.xlsx").exists()


def test_the_same_week_again_replaces_its_snapshot_and_a_later_week_adds_one(
    tmp_path: Path,
) -> None:
    path = workbook(tmp_path)
    monday = W1 - timedelta(days=W1.weekday())
    evaluate(path, as_of=monday + timedelta(days=3))
    set_cells(path, {rating_cell("cloud"): 4})
    evaluate(path, as_of=monday)  # earlier in the same week: still that week
    history = read_workbook(path).history
    assert [(h.week, h.date, h.ratings["cloud"]) for h in history] == [(week_of(W1), monday, 4)]
    evaluate(path, as_of=W2)
    assert [h.week for h in read_workbook(path).history] == [week_of(W1), week_of(W2)]
