"""The plain-Python screen and the pandera schemas run the same rules and find the same."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from matrix_xl.findings import Finding
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook as read_bytes
from matrix_xl.read.rows import LogRow, RatingRow
from matrix_xl.validation import screen
from matrix_xl.validation.schemas import validate_many

TODAY = date(2026, 11, 26)
# Read once; examples vary its rows rather than writing a workbook each.
BASE = read_bytes(build_workbook(owner="P", created=TODAY), name="base.xlsx")
IDS = [r.skill_id for r in BASE.rows]
NAMES = [r.skill for r in BASE.rows[:3]] + [f"  {BASE.rows[0].skill.upper()}  "]

# Mostly clean rows and entries, and at most one doubtful one per read: both outcomes come
# up often (a purely random mix would almost always hold an error).
clean_row = st.fixed_dictionaries(
    {
        "rating": st.one_of(st.none(), st.integers(1, 5)),
        "notes": st.sampled_from(["", "  ", "read the book", "?", "TBD", "42"]),
    },
    optional={"mandatory": st.sampled_from(["Yes", "No"])},
)
doubtful_row = st.fixed_dictionaries(
    {},
    optional={
        "rating": st.one_of(st.none(), st.integers(-1, 7)),
        "rating_error": st.just("'x' is not a number"),
        "mandatory": st.sampled_from(["Yes", "yes", "", "Maybe"]),
        "skill_id": st.sampled_from(IDS[:3]),  # may repeat another row's skill
    },
)
clean_entry = st.tuples(
    st.dates(date(2025, 1, 1), TODAY), st.sampled_from(NAMES), st.just("built a thing")
)
doubtful_entry = st.tuples(
    st.one_of(st.none(), st.dates(TODAY - timedelta(days=3), TODAY + timedelta(days=3))),
    st.sampled_from([*NAMES, "", "Knitting"]),
    st.sampled_from(["", "  ", "built a thing"]),
)
reader_findings = st.sampled_from(
    [
        [],
        [Finding("error", "Matrix", "A30", "x", "not a skill of the matrix")],
        [Finding("warning", "Improvement Log", "A1", "", "log not read")],
    ]
)


def _entry(i: int, when: date | None, skill: str, action: str) -> LogRow:
    cells = (f"A{2 + i}", f"B{2 + i}", f"C{2 + i}", f"D{2 + i}")
    text = "soon" if when is None and i % 2 else ("" if when is None else when.isoformat())
    return LogRow(when, text, skill, action, "", 2 + i, cells)


@st.composite
def reads(draw: st.DrawFn, name: str) -> MatrixRead:
    count = draw(st.integers(0, len(BASE.rows)))
    rows: list[RatingRow] = [replace(r, **draw(clean_row)) for r in BASE.rows[:count]]
    if rows and draw(st.booleans()):
        i = draw(st.integers(0, len(rows) - 1))
        rows[i] = replace(rows[i], **draw(doubtful_row))
    entries = draw(st.lists(clean_entry, max_size=3))
    entries += draw(st.lists(doubtful_entry, max_size=1))
    log = [_entry(i, *entry) for i, entry in enumerate(entries)]
    return replace(BASE, name=name, rows=rows, log_rows=log, findings=draw(reader_findings))


@settings(deadline=None)  # the default number of examples; pandera takes its time
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(*(reads(f"p{i}.xlsx") for i in range(n)))))
def test_the_screen_finds_what_the_schemas_find(team: tuple[MatrixRead, ...]) -> None:
    found = validate_many(team, TODAY)  # one frame for the team, as a roll-up does
    for read in team:
        assert screen.findings(read, TODAY) == found[read.name]
        errors = [f for f in found[read.name] if f.severity == "error"]
        # Without warnings: the rules' errors, and whatever the reader found.
        kept = [f for f in found[read.name] if f in errors or f in read.findings]
        assert screen.findings(read, TODAY, warnings=False) == kept
        assert screen.has_errors(read, TODAY) == bool(errors)


def test_a_clean_workbook_passes_and_a_reader_error_fails() -> None:
    rated = [replace(r, rating=4, notes="Pair on it") for r in BASE.rows]
    clean = replace(BASE, rows=rated, findings=[])
    assert not screen.has_errors(clean, TODAY)
    assert screen.findings(clean, TODAY) == []
    warned = replace(clean, findings=[Finding("warning", "Matrix", "A1", "", "odd")])
    assert not screen.has_errors(warned, TODAY)
    broken = replace(clean, findings=[Finding("error", "Matrix", "A30", "x", "not a skill")])
    assert screen.has_errors(broken, TODAY)


def test_the_log_compares_skill_names_ignoring_case_and_spacing() -> None:
    entry = _entry(0, TODAY, f" {BASE.rows[1].skill.lower()}  ", "built a thing")
    read = replace(BASE, log_rows=[entry])
    [record] = screen.log_records(read, TODAY)
    assert record["known_skill"] and not screen.has_errors(read, TODAY)
    later = replace(read, log_rows=[replace(entry, date=TODAY + timedelta(days=1))])
    assert screen.has_errors(later, TODAY) and not screen.has_errors(later, TODAY + timedelta(1))


def test_screening_a_workbook_imports_neither_pandas_nor_pandera(tmp_path: Path) -> None:
    path = tmp_path / "ada.xlsx"
    path.write_bytes(build_workbook(owner="Ada", ratings={"cloud": 4}))
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from matrix_xl.read.reader import read_workbook\n"
        "from matrix_xl.validation.screen import has_errors\n"
        f"assert not has_errors(read_workbook({str(path)!r}), date.today())\n"
        "print(sorted(m for m in ('pandas', 'pandera') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert out.stdout.strip() == "[]"
