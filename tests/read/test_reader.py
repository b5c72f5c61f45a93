"""The reader: real workbooks in, typed rows out, whatever was done to the file."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workbook_bytes import SHEET1, parts_of, replace_cell, zip_parts

from matrix_xl.definition import default_definition
from matrix_xl.errors import UnreadableWorkbookError
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.package import check_package
from matrix_xl.read.reader import read_workbook
from matrix_xl.validation.schemas import validate
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter, has_control, strip_control

D = default_definition()
IDS = [s.id for s in D.skills]
FIRST = L.MatrixLayout(len(D.skills), len(D.thresholds)).first_row + 1  # 1-based
RATING_COL = col_letter(L.COL_RATING)


def row_of(skill_id: str) -> int:
    return FIRST + IDS.index(skill_id)


def edit(data: bytes, change: Any) -> bytes:
    """Load with openpyxl, apply ``change(wb)``, save: what a person's app might do."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def replace_in_part(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info, body.replace(old, new) if info.filename == part else body)
    return out.getvalue()


def set_cell(data: bytes, ref: str, value: Any, sheet: str = L.MATRIX) -> bytes:
    def change(wb: Any) -> None:
        wb[sheet][ref].value = value
        if isinstance(value, str):
            wb[sheet][ref].data_type = "s"  # keep "=x" text as text

    return edit(data, change)


def test_reads_what_was_written() -> None:
    ratings = {"cloud": 3, "communication": 5, "time-series": 2}
    notes = {"cloud": "S3 + Lambda inference POC"}
    read = read_workbook(
        build_workbook(owner="Ada", role="ML Engineer", ratings=ratings, notes=notes),
        name="ada.xlsx",
    )
    assert read.embedded and read.definition == D
    assert (read.owner, read.role, read.sheet) == ("Ada", "ML Engineer", L.MATRIX)
    assert [r.skill_id for r in read.rows] == IDS
    assert read.rating_map() == {sid: ratings.get(sid) for sid in IDS}
    cloud = read.rows[IDS.index("cloud")]
    assert cloud.notes == notes["cloud"]
    assert cloud.rating_cell == f"{RATING_COL}{row_of('cloud')}"
    assert read.findings == []


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)


@settings(max_examples=40, deadline=None)
@given(
    ratings=st.fixed_dictionaries({sid: st.none() | st.integers(1, 5) for sid in IDS}),
    notes=st.dictionaries(st.sampled_from(IDS), texts, max_size=5),
    owner=texts.map(str.strip),
)
def test_write_then_read_round_trips(
    ratings: dict[str, int | None], notes: dict[str, str], owner: str
) -> None:
    read = read_workbook(build_workbook(owner=owner, ratings=ratings, notes=notes), name="p")
    assert read.rating_map() == ratings
    assert read.owner == owner.strip()
    assert {r.skill_id: r.notes for r in read.rows if r.notes} == {
        k: v.strip() for k, v in notes.items() if v.strip()
    }


# -- any content in one cell, written straight into the sheet's XML ------------------------------

TEMPLATE = build_workbook(owner="Fuzz", created=date(2026, 1, 5))
NOTES_COL = col_letter(L.COL_NOTES)
EPOCH = datetime(1899, 12, 30)  # day 0 of the 1900 date system, as Excel counts


@functools.cache
def template_parts() -> tuple[dict[str, bytes], int]:
    """The template's parts, and the index of a date cell format in its styles."""
    styles = parts_of(TEMPLATE)["xl/styles.xml"].decode()
    formats = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.DOTALL)
    assert formats is not None
    dated = re.search(r'<numFmt numFmtId="(\d+)" formatCode="yyyy-mm-dd"/>', styles)
    assert dated is not None
    xfs = re.findall(r"<xf [^>]*>", formats.group(1))
    return parts_of(TEMPLATE), next(
        i for i, xf in enumerate(xfs) if f'numFmtId="{dated.group(1)}"' in xf
    )


def xml_text(text: str) -> str:
    """Text as an application stores it in a cell: markup escaped, and characters XML
    cannot hold (and a literal ``_xHHHH_``, which would read as one) as ``_xHHHH_``."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "&<>":
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;"}[ch])
        elif (code < 0x20 and ch not in "\t\n") or ch == "\r" or code in (0xFFFE, 0xFFFF):
            out.append(f"_x{code:04X}_")
        else:
            out.append(ch)
    return "".join(out)


def cell_xml(ref: str, value: Any, style: str, date_style: int) -> bytes:
    if value is None:
        return f'<c r="{ref}" s="{style}"/>'.encode()
    if isinstance(value, bool):
        body, kind = f"<v>{int(value)}</v>", ' t="b"'
    elif isinstance(value, datetime):
        body, kind, style = f"<v>{(value - EPOCH) / timedelta(days=1)!r}</v>", "", str(date_style)
    elif isinstance(value, int | float):
        body, kind = f"<v>{value!r}</v>", ""
    else:
        body = f'<is><t xml:space="preserve">{xml_text(value)}</t></is>'
        kind = ' t="inlineStr"'
    return f'<c r="{ref}" s="{style}"{kind}>{body}</c>'.encode()


def with_cell(ref: str, value: Any) -> bytes:
    """The template with ``value`` in cell ``ref`` of the Matrix sheet: built from the
    template's parts in about a millisecond, not saved by openpyxl."""
    parts, date_style = template_parts()
    sheet = parts[SHEET1]
    found = re.search(rb'<c r="' + ref.encode() + rb'" s="(\d+)"', sheet)
    assert found is not None
    cell = cell_xml(ref, value, found.group(1).decode(), date_style)
    return zip_parts({**parts, SHEET1: replace_cell(sheet, ref, cell)}, zipfile.ZIP_STORED)


def shown(value: Any) -> str:
    """The text a cell holding ``value`` shows, as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, str | bool):
        return str(value)
    if isinstance(value, datetime):
        return (value.date() if value.time() == time() else value).isoformat()
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def plain_rating(value: Any) -> int | None:
    """The rating 1-5 a content plainly is: the whole number, or its digits as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value in {1, 2, 3, 4, 5}:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\+?[1-5](\.0*)?\s*", value, re.ASCII):
        return int(value.strip().lstrip("+")[0])
    return None


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


cell_values = st.one_of(
    st.none(),
    st.integers(-10, 10),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from([" 4 ", "4.0", "3,5", "five", "=1+1", "\u0085", "_x0034_"]),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
)
ratings_as_typed = st.integers(1, 5).flatmap(
    lambda n: st.sampled_from([n, float(n), str(n), f" {n} ", f"{n}.0", f"+{n}", f"\t{n}\n"])
)


@settings(max_examples=60, deadline=None)
@given(value=ratings_as_typed | cell_values, skill=st.sampled_from(IDS))
def test_any_rating_cell_content_reads_and_only_a_rating_passes(value: Any, skill: str) -> None:
    # The reader's side only (the schemas' side, range and messages, is test_rating_cells):
    # pandera costs 20 ms a run, the read of a whole workbook 1 ms.
    ref = f"{RATING_COL}{row_of(skill)}"
    read = read_workbook(with_cell(ref, value), name="fuzz.xlsx")  # whatever the content
    row = read.rows[IDS.index(skill)]
    assert (row.rating_cell, read.findings) == (ref, [])
    meant = plain_rating(value)
    if meant is not None:  # a rating as typed reads as that rating
        assert (row.rating, row.rating_error) == (meant, None)
    elif blank(value):
        assert (row.rating, row.rating_error) == (None, None)
    elif row.rating is not None:
        # read as a number though not plainly a rating (7, " +04", "٤"): it is that number,
        # and the schemas judge its range
        assert row.rating_error is None
        assert float(str(value).strip()) == row.rating
    else:  # anything else is not a rating, and the reader says why
        assert row.rating_error, (value, row)


@pytest.mark.parametrize(
    ("value", "rating", "message"),
    [
        (4, 4, None),
        (4.0, 4, None),
        ("4", 4, None),
        (" 4 ", 4, None),
        ("+4", 4, None),
        ("4.00", 4, None),
        ("٤", 4, None),  # an Arabic-Indic four is a four
        (None, None, None),
        ("  ", None, None),
        (0, 0, "rating 0 is not one of 1-5"),
        (7, 7, "rating 7 is not one of 1-5"),
        ("-2", -2, "rating -2 is not one of 1-5"),
        (3.5, None, "3.5 is not a whole number"),
        (1e7, None, "1e+07 is not a rating"),
        ("abc", None, "'abc' is not a number"),
        ("=1+1", None, "'=1+1' is not a number"),
        ("3,5", None, "'3,5' is not a number"),
        ("x" * 50, None, f"'{'x' * 37}...' is not a number"),
        (True, None, "TRUE is not a rating"),
        (datetime(2026, 1, 2), None, "the date 2026-01-02 is not a rating"),
        (datetime(2026, 1, 2, 10, 30), None, "the date 2026-01-02 is not a rating"),
    ],
)
def test_rating_cells(value: Any, rating: int | None, message: str | None) -> None:
    ref = f"{RATING_COL}{row_of('cloud')}"
    read = read_workbook(with_cell(ref, value), name="me.xlsx")
    row = read.rows[IDS.index("cloud")]
    assert row.rating == rating
    errors = [f for f in validate(read) if f.severity == "error"]
    if message is None:
        assert errors == []
    else:
        assert [(f.sheet, f.cell, f.skill) for f in errors] == [
            (L.MATRIX, ref, "Cloud (AWS/Azure/GCP basics)")
        ]
        assert message in errors[0].message
        assert str(errors[0]).startswith(f"Matrix!{ref} (Cloud (AWS/Azure/GCP basics)): ")


def test_rating_cells_as_an_app_saves_them() -> None:
    # The same contents as openpyxl writes them (shared strings, its own number styles).
    ref = f"{RATING_COL}{row_of('cloud')}"
    for value, rating in ((" 4 ", 4), (4.0, 4), (datetime(2026, 1, 2), None), (True, None)):
        read = read_workbook(set_cell(TEMPLATE, ref, value), name="me.xlsx")
        row = read.rows[IDS.index("cloud")]
        assert (row.rating, row.rating_error is None) == (rating, rating is not None)


def test_a_formula_in_a_rating_cell_is_an_error() -> None:
    ref = f"{RATING_COL}{row_of('cloud')}"
    formula = edit(TEMPLATE, lambda wb: wb[L.MATRIX].__setitem__(ref, "=2+2"))
    read = read_workbook(formula, name="f.xlsx")
    errors = [f for f in validate(read) if f.severity == "error"]
    assert [f.cell for f in errors] == [ref]
    assert "formula" in errors[0].message


def test_moved_columns_extra_columns_blank_and_title_rows_still_read() -> None:
    ratings = {"cloud": 2, "nlp-fundamentals": 5, "python-advanced": 4}

    def rearrange(wb: Any) -> None:
        ws = wb[L.MATRIX]
        ws.insert_rows(1, 3)  # title rows above
        ws["A1"] = "My own title"
        ws.insert_cols(3)  # an extra column of the person's own, in the middle
        ws.cell(row=FIRST + 2, column=3, value="My column")
        ws.insert_rows(FIRST + 3 + 5)  # a blank row inside the table
        # swap the Gap Notes and Self-Rating columns (F and G after the insert)
        for r in range(FIRST + 2, FIRST + 3 + len(IDS) + 1):
            f, g = ws.cell(row=r, column=6), ws.cell(row=r, column=7)
            f.value, g.value = g.value, f.value

    data = edit(build_workbook(ratings=ratings, notes={"cloud": "do the POC"}), rearrange)
    read = read_workbook(data, name="moved.xlsx")
    assert read.rating_map() == {sid: ratings.get(sid) for sid in IDS}
    assert read.rows[IDS.index("cloud")].notes == "do the POC"
    assert "My column" in read.extra_columns
    assert [f for f in validate(read) if f.severity == "error"] == []


def test_header_text_matches_ignoring_case_spacing_and_line_breaks() -> None:
    def rename(wb: Any) -> None:
        ws = wb[L.MATRIX]
        header = L.MatrixLayout(len(IDS), 2).header_row + 1
        ws.cell(row=header, column=5, value="self-rating\n(1-5)")
        ws.cell(row=header, column=6, value="  GAP   notes ")

    read = read_workbook(edit(build_workbook(ratings={"cloud": 3}), rename), name="h.xlsx")
    assert read.rating_map()["cloud"] == 3


def test_rows_match_by_name_when_ids_are_gone() -> None:
    def drop_ids(wb: Any) -> None:
        ws = wb[L.MATRIX]
        for r in range(FIRST, FIRST + len(IDS)):
            ws.cell(row=r, column=L.COL_ID + 1).value = None

    read = read_workbook(edit(build_workbook(ratings={"cloud": 3}), drop_ids), name="n.xlsx")
    assert read.rating_map()["cloud"] == 3


def test_without_metadata_reads_against_the_default_with_a_warning() -> None:
    data = edit(build_workbook(ratings={"cloud": 5}), lambda wb: wb.remove(wb[L.META]))
    read = read_workbook(data, name="plain.xlsx")
    assert not read.embedded
    assert read.rating_map()["cloud"] == 5
    assert any("built-in matrix" in f.message and f.severity == "warning" for f in read.findings)


def test_the_seed_table_typed_by_hand_reads(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Competency Matrix"])
    ws.append([])
    ws.append(
        [
            "Skill / Category",
            "Mandatory?",
            "Depth Expectation",
            "Evidence Examples",
            "Self-Rating (1-5)",
            "Gap Notes",
        ]
    )
    for i, s in enumerate(D.skills):
        ws.append([s.name, "Yes" if s.mandatory else "No", s.depth, s.evidence, 1 + i % 5, ""])
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    read = read_workbook(path)
    assert read.sheet == "Sheet1" and not read.embedded
    assert read.rating_map() == {s.id: 1 + i % 5 for i, s in enumerate(D.skills)}


def test_unknown_and_duplicate_skills_are_errors() -> None:
    def mess(wb: Any) -> None:
        ws = wb[L.MATRIX]
        ws.cell(row=FIRST, column=L.COL_ID + 1).value = None
        ws.cell(row=FIRST, column=1, value="Underwater Basket Weaving")
        ws.cell(row=FIRST, column=5, value=3)
        ws.cell(row=FIRST + 2, column=L.COL_ID + 1, value="cloud")

    read = read_workbook(edit(build_workbook(), mess), name="m.xlsx")
    messages = [str(f) for f in validate(read) if f.severity == "error"]
    assert any("'Underwater Basket Weaving' is not a skill" in m for m in messages)
    assert any("skill listed twice" in m for m in messages)
    assert any("Python Advanced" in m and "missing" in m for m in messages)
    assert any("Data Handling" in m and "missing" in m for m in messages)


def test_missing_matrix_sheet_lists_the_sheets() -> None:
    data = edit(build_workbook(), lambda wb: setattr(wb[L.MATRIX], "title", "Ratings"))
    with pytest.raises(UnreadableWorkbookError) as info:
        read_workbook(data, name="renamed.xlsx")
    text = str(info.value)
    assert text.startswith("renamed.xlsx: no 'Matrix' sheet")
    assert "'Ratings'" in text and "'Rubric'" in text


def test_missing_header_names_it_and_the_closest_found() -> None:
    header = L.MatrixLayout(len(IDS), 2).header_row + 1
    data = set_cell(build_workbook(), f"F{header}", "Gap Note")
    with pytest.raises(UnreadableWorkbookError) as info:
        read_workbook(data, name="h.xlsx")
    assert "'Gap Notes' (closest found: 'Gap Note')" in str(info.value)
    assert f"row {header}" in str(info.value)


def test_control_characters_in_notes_are_cleaned_with_a_warning() -> None:
    ref = f"F{row_of('cloud')}"
    # Apps store control characters as _xHHHH_ escapes; openpyxl refuses to write them.
    data = replace_in_part(
        build_workbook(notes={"cloud": "read BELL the docs"}),
        "xl/sharedStrings.xml",
        b"BELL",
        b"_x0007_",
    )
    read = read_workbook(data, name="c.xlsx")
    assert read.rows[IDS.index("cloud")].notes == "read  the docs"
    assert any(f.cell == ref and "control characters" in f.message for f in read.findings)


def test_log_rows_are_read_and_validated() -> None:
    def log(wb: Any) -> None:
        ws = wb[L.LOG]
        ws["A2"] = datetime(2026, 1, 1)
        ws["B2"] = "Cloud (AWS/Azure/GCP basics)"
        ws["C2"] = "Built the S3 + Lambda POC"
        ws["A3"] = "yesterday"
        ws["B3"] = "Knitting"
        ws["C3"] = ""
        ws["D3"] = "none"
        ws["A4"] = datetime(2099, 1, 1)
        ws["B4"] = "Communication"
        ws["C4"] = "STAR story"

    read = read_workbook(edit(build_workbook(), log), name="log.xlsx")
    assert [r.row for r in read.log_rows] == [2, 3, 4]
    errors = {
        (f.cell, f.message) for f in validate(read, today=date(2026, 11, 26)) if f.sheet == L.LOG
    }
    assert ("A3", "date 'yesterday' is not a date (use YYYY-MM-DD)") in errors
    assert ("B3", "'Knitting' is not a skill of the matrix") in errors
    assert ("C3", "Action Taken is empty") in errors
    assert ("A4", "date 2099-01-01 is in the future") in errors
    assert not any(cell.endswith("2") for cell, _ in errors)


def test_warnings_for_unrated_missing_and_vague_gap_notes() -> None:
    ratings = {sid: 4 for sid in IDS} | {"cloud": 2, "communication": 3, "time-series": None}
    notes = {"communication": "?"}
    read = read_workbook(build_workbook(ratings=ratings, notes=notes), name="w.xlsx")
    warnings = {
        (f.cell, f.message.split(":")[0]) for f in validate(read) if f.severity == "warning"
    }
    assert (f"F{row_of('cloud')}", "mandatory skill rated 2 with no gap note") in warnings
    assert any(c == f"F{row_of('communication')}" and "not an action" in m for c, m in warnings)
    assert (f"{RATING_COL}{row_of('time-series')}", "unrated") in warnings
    assert len(warnings) == 3


def test_reading_never_changes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(set_cell(TEMPLATE, f"{RATING_COL}{row_of('cloud')}", 9))
    before = path.read_bytes()
    validate(read_workbook(path))
    assert path.read_bytes() == before


def test_a_libreoffice_saved_workbook_reads_like_the_original(
    libreoffice: Any, tmp_path: Path
) -> None:
    original = tmp_path / "original.xlsx"
    original.write_bytes(
        build_workbook(owner="Lo User", role="Data Scientist", created=date(2026, 1, 5))
    )
    cells = {
        f"{L.MATRIX}!{RATING_COL}{FIRST + i}": (1 + i % 5 if i % 4 else None)
        for i in range(len(IDS))
    }
    cells[f"{L.MATRIX}!F{row_of('cloud')}"] = "=not a formula, a note"
    saved = tmp_path / "saved.xlsx"
    libreoffice.save(str(original), str(saved), cells=cells)
    filled = tmp_path / "filled-here.xlsx"

    def fill(wb: Any) -> None:
        for ref, value in cells.items():
            sheet, addr = ref.split("!")
            wb[sheet][addr].value = value
            if isinstance(value, str):
                wb[sheet][addr].data_type = "s"

    filled.write_bytes(edit(original.read_bytes(), fill))
    a, b = read_workbook(saved), read_workbook(filled)
    assert a.rating_map() == b.rating_map()
    assert [(r.skill_id, r.notes, r.rating_cell) for r in a.rows] == [
        (r.skill_id, r.notes, r.rating_cell) for r in b.rows
    ]
    assert (a.owner, a.role, a.definition) == (b.owner, b.role, b.definition)
    assert [f for f in validate(a) if f.severity == "error"] == []


@settings(max_examples=40, deadline=None)
@given(value=cell_values | st.text(max_size=300), skill=st.sampled_from(IDS))
def test_any_notes_cell_content_reads_as_its_text(value: Any, skill: str) -> None:
    ref = f"{NOTES_COL}{row_of(skill)}"
    read = read_workbook(with_cell(ref, value), name="notes.xlsx")  # whatever the content
    notes = read.rows[IDS.index(skill)].notes
    text = shown(value)
    assert notes == strip_control(text).strip()
    assert not has_control(notes, allow="\t\n\r")
    cleaned = [f for f in read.findings if f.cell == ref]
    assert [f.severity for f in cleaned] == (["warning"] if strip_control(text) != text else [])


def test_c1_control_characters_are_removed_like_c0_ones() -> None:
    # The one control-character rule (matrix_xl.xlsx.cells) covers C1 (U+0080-U+009F) too:
    # NEL, CSI and the like act on a terminal as C0 ones do.
    ref = f"{NOTES_COL}{row_of('cloud')}"
    read = read_workbook(with_cell(ref, "read\x9b the\x85 docs\x07"), name="c1.xlsx")
    assert read.rows[IDS.index("cloud")].notes == "read the docs"
    assert [f.message for f in read.findings if f.cell == ref] == [
        "control characters removed from the gap notes"
    ]

    def owner_and_log(wb: Any) -> None:
        ws = wb[L.MATRIX]
        label = next(c for row in ws.iter_rows(max_row=10) for c in row if c.value == "Owner")
        ws.cell(row=label.row, column=label.column + 1, value="Ad\x9ba\x85")
        log = wb[L.LOG]
        log["A2"], log["B2"] = datetime(2026, 1, 1), "Cloud (AWS/Azure/GCP basics)"
        log["C2"], log["D2"] = "Built\x85 the\x9f POC", "\x80none"

    read = read_workbook(edit(TEMPLATE, owner_and_log), name="c1.xlsx")
    assert read.owner == "Ada"
    entry = read.log_rows[0]
    assert (entry.action, entry.impact) == ("Built the POC", "none")


def test_the_read_carries_what_the_package_check_learnt() -> None:
    data = build_workbook(owner="Ada", ratings={"cloud": 4})
    read = read_workbook(data, name="ada.xlsx")
    assert read.package == check_package(data, "ada.xlsx")
    assert read.package is not None
    assert read.package.sheet_xml(read.sheet) == parts_of(data)[SHEET1]


def test_a_formula_in_a_rating_cell_is_found_on_a_sheet_of_any_name(tmp_path: Path) -> None:
    # The sheet's part is found through the workbook's relationships, whatever its name.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = 'Ada\'s "M&A" <matrix>'
    ws.append(["Skill / Category", "Mandatory?", "Self-Rating (1-5)", "Gap Notes"])
    for s in D.skills:
        ws.append([s.name, "Yes" if s.mandatory else "No", 3, ""])
    ws["C3"] = "=1+3"
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    read = read_workbook(path)
    assert read.sheet == ws.title
    errors = [f for f in validate(read) if f.severity == "error"]
    assert [(f.sheet, f.cell) for f in errors] == [(ws.title, "C3")]
    assert "a formula is not a rating" in errors[0].message


# -- Date rated, however the app stored it --------------------------------------------------

RATED = f"B{L.MatrixLayout(len(IDS), len(D.thresholds)).block_top + 1 + 2}"  # 3rd owner line
NOV_2 = date(2026, 11, 2)


def test_date_rated_is_read_from_the_cell_beside_its_label() -> None:
    read = read_workbook(TEMPLATE, name="blank.xlsx")
    assert (read.date_rated, read.date_rated_cell, read.findings) == (None, RATED, [])
    label = openpyxl.load_workbook(io.BytesIO(TEMPLATE))[L.MATRIX][f"A{RATED[1:]}"].value
    assert label == L.DATE_RATED


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 2),  # a date-formatted serial, as Excel and LibreOffice store it
        datetime(2026, 11, 2, 17, 45),  # with a time of day
        46328,  # a plain serial: the date's format was cleared
        46328.75,
        "2026-11-02",  # typed into a Text-formatted cell
        " 2026-11-02 ",
        "2026/11/2",
        "2026-11-02T00:00:00",
    ],
)
def test_date_rated_reads_however_it_is_stored(value: Any) -> None:
    read = read_workbook(with_cell(RATED, value), name="me.xlsx")
    assert (read.date_rated, read.findings) == (NOV_2, [])


@pytest.mark.parametrize("number_format", ["m/d/yyyy", "d mmmm yyyy", "dd.mm.yy", "mm-dd-yy"])
def test_date_rated_reads_in_any_date_format_an_app_gives_it(number_format: str) -> None:
    # Google Sheets, Excel's locales and LibreOffice store a date as a serial number with
    # a date format of their choice.
    def change(wb: Any) -> None:
        wb[L.MATRIX][RATED].value = datetime(2026, 11, 2)
        wb[L.MATRIX][RATED].number_format = number_format

    read = read_workbook(edit(TEMPLATE, change), name="me.xlsx")
    assert (read.date_rated, read.findings) == (NOV_2, [])


def test_a_plain_serial_in_a_1904_workbook_counts_from_1904() -> None:
    serial = (NOV_2 - date(1904, 1, 1)).days
    data = with_cell(RATED, serial)
    book = re.sub(rb"<workbookPr ", b'<workbookPr date1904="1" ', parts_of(data)["xl/workbook.xml"])
    read = read_workbook(zip_parts({**parts_of(data), "xl/workbook.xml": book}), name="mac.xlsx")
    assert (read.date_rated, read.findings) == (NOV_2, [])


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("02/11/2026", "'02/11/2026' is not a date"),
        ("last week", "'last week' is not a date"),
        (0.5, "12:00:00 is a time, not a date"),  # a time typed into the date cell
        (3e6, "3e+06 is not a date"),  # past 9999-12-31
        (True, "'True' is not a date"),
    ],
)
def test_a_date_rated_that_is_no_date_is_a_warning_naming_its_cell(value: Any, why: str) -> None:
    read = read_workbook(with_cell(RATED, value), name="me.xlsx")
    assert read.date_rated is None
    assert [(f.severity, f.sheet, f.cell) for f in read.findings] == [("warning", L.MATRIX, RATED)]
    assert read.findings[0].message == (
        f"Date rated: {why} (type it as YYYY-MM-DD); until it is, an evaluation is dated today"
    )
    assert read.findings[0] in validate(read)  # validate reports it too, as a warning


def test_date_rated_as_libreoffice_saves_it(libreoffice: Any, tmp_path: Path) -> None:
    # A number typed into the date-formatted cell, and text typed into it: LibreOffice
    # saves the first as a dated serial, the second as a string.
    original = tmp_path / "original.xlsx"
    original.write_bytes(TEMPLATE)
    for n, value in enumerate((46328.0, "2026-11-02")):
        saved = tmp_path / f"saved{n}.xlsx"
        libreoffice.save(str(original), str(saved), cells={f"{L.MATRIX}!{RATED}": value})
        read = read_workbook(saved)
        assert (read.date_rated, read.findings) == (NOV_2, []), value


# -- rows deleted in LibreOffice ---------------------------------------------------------------


def _matrix_xl(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from matrix_xl.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def filled_by_libreoffice(libreoffice: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook rated and logged in LibreOffice (every skill rated, two log rows)."""
    folder = tmp_path_factory.mktemp("deleted-rows")
    original = folder / "original.xlsx"
    original.write_bytes(build_workbook(owner="Lo User", created=date(2026, 1, 5)))
    log = f"'{L.LOG}'"
    cells: dict[str, Any] = {f"{L.MATRIX}!{RATING_COL}{row_of(s)}": 4 for s in IDS}
    for row, action in ((2, "a wrong entry"), (3, "finished the course")):
        cells |= {f"{log}!A{row}": "2026-01-0" + str(row), f"{log}!B{row}": D.skills[0].name}
        cells[f"{log}!C{row}"] = action
    return Path(libreoffice.save(original, folder / "filled.xlsx", cells))


@pytest.mark.slow
def test_a_log_row_deleted_in_libreoffice_still_reads_validates_and_evaluates(
    libreoffice: Any, filled_by_libreoffice: Path, tmp_path: Path
) -> None:
    # LibreOffice writes an empty <row r="1048576"> (and a dimension to match) on every
    # save after a deletion: no data lies there, so nothing is refused.
    path = libreoffice.delete_rows(filled_by_libreoffice, tmp_path / "log.xlsx", L.LOG, 2)
    log_part = check_package(path.read_bytes(), "log.xlsx").sheets[L.LOG]
    assert b'r="1048576"' in zipfile.ZipFile(path).read(log_part)
    read = read_workbook(path)
    assert [r.action for r in read.log_rows] == ["finished the course"]
    assert [f for f in validate(read) if f.severity == "error"] == []
    assert _matrix_xl("validate", str(path))[0] == 0
    code, out, err = _matrix_xl("evaluate", str(path), "--as-of", "2026-01-12")
    assert code == 0, out + err
    assert read_workbook(path).rating_map() == read.rating_map()  # read again after writing


@pytest.mark.slow
def test_a_skill_row_deleted_in_libreoffice_reads_as_that_skill_missing(
    libreoffice: Any, filled_by_libreoffice: Path, tmp_path: Path
) -> None:
    gone = D.skills[2]
    path = libreoffice.delete_rows(
        filled_by_libreoffice, tmp_path / "skill.xlsx", L.MATRIX, row_of(gone.id)
    )
    read = read_workbook(path)
    assert gone.id not in {r.skill_id for r in read.rows}
    code, out, err = _matrix_xl("validate", str(path))
    assert code == 1, out + err
    lines = [line for line in out.splitlines() if gone.name in line]
    assert len(lines) == 1 and L.MATRIX in lines[0] and "missing" in lines[0], out
    assert out.startswith(f"{path}: 1 error(s)"), out
    assert "Traceback" not in out + err


# -- the hidden definition: JSON that is no definition is an unreadable workbook (exit 2) ------


def _with_hidden_definition(blob: str) -> bytes:
    def change(wb: Any) -> None:
        ws = wb[L.META]
        for row in ws.iter_rows():
            if row[0].value == "definition":
                for cell in row[1:]:
                    cell.value = None
                ws.cell(row[0].row, 2).value = blob
                ws.cell(row[0].row, 2).data_type = "s"
                return
        raise AssertionError("no definition row on the hidden sheet")

    return edit(build_workbook(owner="Ada"), change)


@pytest.mark.parametrize(
    ("blob", "named"),
    [
        ("[1, 2, 3]", "not list"),
        ('"a text"', "not str"),
        ("[" * 30_000, "nested too deep"),
        ('{"skills": ' + "[" * 20_000 + "]" * 9_999, "nested too deep"),
        ("{broken", "not valid JSON"),
    ],
    ids=["a list", "a string", "deep", "deep inside", "not JSON"],
)
def test_a_hidden_definition_that_is_no_object_or_too_deep_is_exit_2(
    tmp_path: Path, blob: str, named: str
) -> None:
    path = tmp_path / "hidden.xlsx"
    path.write_bytes(_with_hidden_definition(blob))
    with pytest.raises(UnreadableWorkbookError) as caught:
        read_workbook(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: the definition kept on the hidden {L.META} sheet")
    assert named in message
    for command in (["validate"], ["evaluate", "--dry-run"]):
        code, out, err = _matrix_xl(*command, str(path))
        assert code == 2, (command, out, err)
        assert named in err and "Traceback" not in out + err
