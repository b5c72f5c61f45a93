"""The package-level write-back: what it writes, and every byte it must leave alone."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from features import (
    FEATURES,
    defined_names,
    donor_workbook,
    feature_workbook,
    lost_elements,
    parts,
    raw_entries,
    rows_of,
    weekly_write,
)
from python_calamine import CalamineWorkbook
from xlsx_check import audit_xlsx, check_xlsx

from matrix_xl.errors import UnsafeWriteError, UsageError
from matrix_xl.read.package import check_package
from matrix_xl.read.reader import read_workbook
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.graft import WorkbookEditor

BOOK = "xl/workbook.xml"
MATRIX, LOG, META = (
    "xl/worksheets/sheet1.xml",
    "xl/worksheets/sheet2.xml",
    "xl/worksheets/sheet7.xml",
)
# Parts a write-back may change, and only these (besides the parts it adds).
TOUCHED = {
    BOOK, "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml",
    "xl/styles.xml", LOG, META, MATRIX,  # Matrix: its tabSelected is cleared
}  # fmt: skip


def _sheet_values(data: bytes, sheet: str) -> list[list[object]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows: list[list[object]] = book.get_sheet_by_name(sheet).to_python()
    return rows


@pytest.fixture(scope="module")
def every_feature() -> bytes:
    return feature_workbook(list(FEATURES))


@pytest.mark.parametrize("feature", [*FEATURES, "all"])
def test_untouched_parts_are_byte_identical(feature: str) -> None:
    before = feature_workbook(list(FEATURES) if feature == "all" else [feature])
    after = weekly_write(before, 1)
    old, new = raw_entries(before), raw_entries(after)
    assert set(old) <= set(new), f"parts lost: {set(old) - set(new)}"
    changed = {name for name in old if old[name] != new[name]}
    assert changed <= TOUCHED, f"changed though not ours: {changed - TOUCHED}"
    assert list(new)[: len(old)] == list(old), "the original parts keep their order"


@pytest.mark.parametrize("feature", [*FEATURES, "all"])
def test_touched_parts_keep_their_elements(feature: str) -> None:
    before = feature_workbook(list(FEATURES) if feature == "all" else [feature])
    old, new = parts(before), parts(weekly_write(before, 1))
    for part in sorted(TOUCHED - {LOG, META, MATRIX}):
        ignore = ("i4",) if part == "docProps/app.xml" else ()
        assert lost_elements(old[part], new[part], ignore) == [], part
    assert defined_names(old[BOOK]) <= defined_names(new[BOOK])
    # Matrix: nothing but its tab selection changed.
    assert new[MATRIX] == old[MATRIX].replace(b' tabSelected="1"', b"", 1)


@pytest.mark.parametrize("feature", ["excel_namespaces", "all"])
def test_log_rows_are_spliced_not_rewritten(feature: str) -> None:
    before = feature_workbook(list(FEATURES) if feature == "all" else [feature])
    old, new = parts(before)[LOG], parts(weekly_write(before, 1))[LOG]
    for row in rows_of(old):
        assert row in new
    head, tail = old.split(b"<dimension", 1)[0], old.split(b"</sheetData>", 1)[1]
    assert new.startswith(head) and new.endswith(tail)
    assert b'<row r="2" ht="30" customHeight="1">' in new


def test_the_write_reads_back_with_everything_the_person_wrote(every_feature: bytes) -> None:
    after = weekly_write(every_feature, 1)
    check_package(after, "after.xlsx")
    was, now = read_workbook(every_feature), read_workbook(after)
    assert now.rating_map() == was.rating_map()
    assert [(r.skill_id, r.notes) for r in now.rows] == [(r.skill_id, r.notes) for r in was.rows]
    notes = {r.skill_id: r.notes for r in now.rows}
    assert notes["data-handling"] == "_x0041_"
    assert notes["ml-algorithms"] == "C:\\path_x000D_"
    assert notes["python-advanced"] == "Read Fluent Python"
    assert len(now.log_rows) == len(was.log_rows) + 1
    assert now.log_rows[-1].action == "Self-rating 1 -> 4"


def test_grafted_sheets_hold_what_the_donor_wrote(every_feature: bytes) -> None:
    after = weekly_write(every_feature, 1)
    names = WorkbookEditor(after).sheet_names()
    # The person's own "summary" and "History" stay; ours take free names.
    assert names[:3] == ["Matrix", "Summary (2)", "History (2)"]
    assert "summary" in names and "History" in names
    values = _sheet_values(after, "Summary (2)")
    assert [row[0] for row in values[:4]] == [
        "Title =1+1", "merged _x0041_ <r>x</r>", "C:\\path_x000D_", "Ünïcødé ✓",
    ]  # fmt: skip
    assert _sheet_values(after, "History (2)")[5] == ["2026-W05", 15.0]
    assert _sheet_values(after, "summary") == [["my own summary"]]
    grafted = parts(after)[WorkbookEditor(after).sheet_part("Summary (2)")]
    assert b"location=\"'History (2)'!A1\"" in grafted  # an internal link, no relationship
    assert b'<mergeCell ref="A5:D5"/>' in grafted


@pytest.mark.parametrize("feature", [*FEATURES, "all"])
def test_the_write_is_structurally_sound(feature: str) -> None:
    before = feature_workbook(list(FEATURES) if feature == "all" else [feature])
    after = weekly_write(weekly_write(before, 1), 2)
    assert check_xlsx(after) == []


@pytest.mark.slow
@pytest.mark.parametrize("feature", ["macros", "all"])
def test_openxml_audit_finds_nothing_new(feature: str) -> None:
    before = feature_workbook(list(FEATURES) if feature == "all" else [feature])
    assert set(audit_xlsx(weekly_write(before, 1))) <= set(audit_xlsx(before))


def test_a_second_week_replaces_only_our_sheets(every_feature: bytes) -> None:
    first = weekly_write(every_feature, 1)
    second = weekly_write(first, 2)
    assert WorkbookEditor(second).sheet_names() == WorkbookEditor(first).sheet_names()
    old, new = raw_entries(first), raw_entries(second)
    assert set(old) == set(new), "the old drawings and charts were replaced, not kept"
    assert parts(second)["xl/styles.xml"] == parts(first)["xl/styles.xml"]
    assert len(read_workbook(second).log_rows) == len(read_workbook(first).log_rows) + 1


def test_macros_keep_their_content_type_and_project() -> None:
    before = feature_workbook(["macros"])
    after = parts(weekly_write(before, 1))
    assert after["xl/vbaProject.bin"] == parts(before)["xl/vbaProject.bin"]
    assert b"macroEnabled.main+xml" in after["[Content_Types].xml"]


def test_defined_names_follow_their_sheets() -> None:
    after = weekly_write(feature_workbook(), 1)
    names = defined_names(parts(after)[BOOK])
    assert ("_xlnm.Print_Titles", "Improvement Log", "'Improvement Log'!$1:$1") in names
    assert ("_xlnm.Print_Titles", "Summary", "Summary!$1:$1") in names
    assert ("_xlnm.Print_Area", "Summary", "Summary!$A$1:$E$25") in names
    assert ("_xlnm.Print_Titles", "History", "History!$1:$1") in names


def test_the_active_tab_is_the_only_selected_one() -> None:
    after = parts(weekly_write(feature_workbook(), 1))
    assert b'activeTab="1"' in after[BOOK]
    selected = [
        p for p, d in after.items() if p.startswith("xl/worksheets/s") and b'tabSelected="1"' in d
    ]
    assert len(selected) == 1


def test_a_table_grows_when_rows_pass_its_end() -> None:
    editor = WorkbookEditor(feature_workbook())
    rows = [[date(2026, 11, 2), "Python (advanced)", f"step {i}", ""] for i in range(102)]
    written = editor.append_rows(L.LOG, rows)
    assert written[0] == 1 and written[-1] == 102
    after = parts(editor.to_bytes())
    assert b'ref="A1:D103"' in after["xl/tables/table1.xml"]
    assert b'<autoFilter ref="A1:D103"/>' in after["xl/tables/table1.xml"]
    assert b'<dimension ref="A1:D103"/>' in after[LOG]
    assert check_xlsx(editor.to_bytes()) == []


def test_text_written_is_inert_and_exact() -> None:
    hostile = ["=1+1", "_x0041_", "<r><t>x</t></r>", "a\r\nb", "&amp;", " lead", "@SUM(A1)"]
    editor = WorkbookEditor(feature_workbook())
    editor.append_rows(L.LOG, [[date(2026, 11, 2), text, text, text] for text in hostile])
    values = _sheet_values(editor.to_bytes(), L.LOG)
    assert [row[1] for row in values[1 : 1 + len(hostile)]] == hostile
    assert b"<f>" not in parts(editor.to_bytes())[LOG]


def test_control_characters_cannot_be_written() -> None:
    editor = WorkbookEditor(feature_workbook())
    with pytest.raises(UsageError, match="U\\+001B"):
        editor.append_rows(L.LOG, [["\x1b[31m"]])


def test_dates_excel_cannot_show_are_refused() -> None:
    editor = WorkbookEditor(feature_workbook())
    with pytest.raises(UsageError, match="1900"):
        editor.append_rows(L.LOG, [[date(1899, 12, 31)]])


def test_a_taken_name_is_refused_in_any_case() -> None:
    editor = WorkbookEditor(feature_workbook(["own_summary"]))
    with pytest.raises(UsageError, match="already"):
        editor.graft_sheets(donor_workbook("SUMMARY", "Week"))
    assert editor.free_sheet_name("Summary") == "Summary (2)"


def test_a_donor_name_at_workbook_level_is_refused() -> None:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    book.add_worksheet("Summary")
    book.define_name("Everything", "=Summary!$A$1")
    book.close()
    with pytest.raises(UnsafeWriteError, match="workbook-level"):
        WorkbookEditor(feature_workbook()).graft_sheets(out.getvalue())


def test_removing_every_visible_sheet_is_refused() -> None:
    editor = WorkbookEditor(feature_workbook())
    visible = [s.name for s in editor.sheets() if s.state == "visible"]
    with pytest.raises(UsageError, match="every visible"):
        editor.remove_sheets(visible)


def test_removal_takes_the_parts_only_that_sheet_used() -> None:
    before = feature_workbook(["own_chart"])  # a chart of the person's, on Rubric
    editor = WorkbookEditor(before)
    editor.remove_sheets(["Rubric"])
    after = parts(editor.to_bytes())
    assert "xl/charts/chart1.xml" not in after and "xl/drawings/drawing1.xml" not in after
    assert b"chart1.xml" not in after["[Content_Types].xml"]
    names = defined_names(after[BOOK])
    assert all(local != "Rubric" for _, local, _ in names)
    assert ("_xlnm.Print_Titles", "References", "References!$3:$3") in names
    assert check_xlsx(editor.to_bytes()) == []


def test_meta_cells_are_key_value_rows() -> None:
    editor = WorkbookEditor(feature_workbook())
    editor.set_meta({"owner": "Grace", "owned_sheets": "Summary"})
    again = WorkbookEditor(editor.to_bytes())
    meta = again.meta()
    assert meta["owner"] == "Grace" and meta["owned_sheets"] == "Summary"
    assert meta["format_version"] == "1"
    assert read_workbook(editor.to_bytes()).owner == "Ada"  # the Owner cell decides


def test_set_cells_writes_by_reference() -> None:
    editor = WorkbookEditor(feature_workbook())
    editor.set_cells(L.META, {"C2": 7, "D2": True, "E2": None})
    assert _sheet_values(editor.to_bytes(), L.META)[1][2:4] == [7.0, True]
    with pytest.raises(UsageError):
        editor.set_cells(L.META, {"not a ref": 1})


def test_unchanged_workbook_round_trips_byte_for_byte() -> None:
    data = feature_workbook(list(FEATURES))
    assert WorkbookEditor(data).to_bytes() == data


def test_a_libreoffice_zip_keeps_its_entries(tmp_path: object) -> None:
    # Entries with data descriptors (bit 3), as some writers zip them, are copied whole.
    data = feature_workbook(["comment"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            with target.open(zipfile.ZipInfo(info.filename, info.date_time), "w") as handle:
                handle.write(source.read(info))
    streamed = out.getvalue()
    assert WorkbookEditor(streamed).to_bytes() == streamed
    after = weekly_write(streamed, 1)
    assert check_xlsx(after) == []
    assert read_workbook(after).rating_map() == read_workbook(data).rating_map()


def _with_blank_log_rows(data: bytes) -> bytes:
    """The log as some applications save it: blank, styled rows below the header."""
    blank = (
        b'<row r="2" spans="1:4"><c r="A2" s="14"/><c r="B2" s="15"/><c r="C2" s="15"/>'
        b'<c r="D2" s="15"/></row><row r="3" spans="1:4" s="15" customFormat="1"/>'
        b'<row r="4" spans="1:4"><c r="D4" s="15"/></row>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == LOG:
                content = content.replace(
                    b"</row></sheetData>", b"</row>" + blank + b"</sheetData>"
                )
            target.writestr(info, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_blank_styled_log_rows_are_filled_in_place() -> None:
    before = _with_blank_log_rows(feature_workbook(["excel_namespaces"]))
    editor = WorkbookEditor(before)
    rows = [[date(2026, 11, 2 + i), "Python (advanced)", f"step {i}", "+1"] for i in range(3)]
    assert editor.append_rows(L.LOG, rows) == [1, 2, 3]
    after = parts(editor.to_bytes())[LOG]
    assert after.count(b'<row r="2"') == after.count(b'<row r="3"') == 1
    assert b'<c r="A2" s="14"><v>46328</v></c>' in after
    assert b'<c r="B3" s="15" t="inlineStr">' in after  # the row's own style
    assert b'<c r="C4" s="15" t="inlineStr">' in after  # the column's style
    assert b'<c r="D4" s="15" t="inlineStr">' in after  # the cell's own style
    assert rows_of(parts(before)[LOG])[0] in after
    assert [r.action for r in read_workbook(editor.to_bytes()).log_rows] == [
        "step 0", "step 1", "step 2",
    ]  # fmt: skip
    assert check_xlsx(editor.to_bytes()) == []


def test_a_sheet_in_utf16_is_written_as_utf8() -> None:
    data = feature_workbook()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == LOG:
                text = content.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
                content = text.encode("utf-16")
            target.writestr(info, content, zipfile.ZIP_DEFLATED)
    editor = WorkbookEditor(out.getvalue())
    editor.append_rows(L.LOG, [[date(2026, 11, 2), "Python (advanced)", "read ✓", ""]])
    after = editor.to_bytes()
    assert parts(after)[LOG].startswith(b'<?xml version="1.0" encoding="UTF-8"')
    assert _sheet_values(after, L.LOG)[1][2] == "read ✓"


def test_text_longer_than_a_cell_is_refused() -> None:
    editor = WorkbookEditor(feature_workbook())
    with pytest.raises(UsageError, match="32,767"):
        editor.append_rows(L.LOG, [["x" * 32_768]])
