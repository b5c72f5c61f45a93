"""The package-level write-back against a real LibreOffice: it opens what we write, and
what it writes (renumbered parts, its own charts, images and strings) takes a write-back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from features import FEATURES, feature_workbook, raw_entries, weekly_write
from libreoffice import LibreOffice
from xlsx_check import check_xlsx

from matrix_xl.read.reader import read_workbook
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.graft import WorkbookEditor

pytestmark = pytest.mark.slow

# The features LibreOffice keeps on a re-save (it drops VBA without macro security, and
# pivot tables without source data are rebuilt): enough of its own drawings and strings.
LO_FEATURES = [f for f in FEATURES if f not in ("macros", "pivot")]


def _touched(data: bytes) -> set[str]:
    editor = WorkbookEditor(data)
    sheets = {s.name: s.part for s in editor.sheets()}
    active = editor.sheet_names()[0]
    return {
        editor.book_part, "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
        "docProps/app.xml", "xl/styles.xml", sheets[L.LOG], sheets[L.META], sheets[active],
    }  # fmt: skip


def test_libreoffice_opens_the_write_and_sees_the_grafted_cells(
    libreoffice: LibreOffice, tmp_path: Path
) -> None:
    path = tmp_path / "evaluated.xlsx"
    path.write_bytes(weekly_write(feature_workbook(list(FEATURES)), 1))
    found = libreoffice.read(
        path, ["'Summary (2)'!A1", "'Summary (2)'!A2", "'History (2)'!B6", "'summary'!A1"]
    )
    assert found == {
        "'Summary (2)'!A1": "Title =1+1",
        "'Summary (2)'!A2": "merged _x0041_ <r>x</r>",
        "'History (2)'!B6": 15.0,
        "'summary'!A1": "my own summary",
    }
    sheets = dict(libreoffice.sheets(path))
    assert sheets[L.META] is False and sheets["Summary (2)"] is True
    assert libreoffice.save(path, tmp_path / "again.xlsx").stat().st_size > 0
    assert libreoffice.save(path, tmp_path / "evaluated.pdf", format="pdf").stat().st_size > 0


def test_text_typed_in_libreoffice_survives_the_write(
    libreoffice: LibreOffice, tmp_path: Path
) -> None:
    source = tmp_path / "typed.xlsx"
    source.write_bytes(feature_workbook())
    notes_cell = f"Matrix!F{_row_of(source.read_bytes(), 'data-handling')}"
    typed = tmp_path / "typed-lo.xlsx"
    libreoffice.save(source, typed, {notes_cell: "C:\\path_x000D_ and _x0041_"})
    after = tmp_path / "after.xlsx"
    after.write_bytes(weekly_write(typed.read_bytes(), 1))
    notes = {r.skill_id: r.notes for r in read_workbook(after).rows}
    assert notes["data-handling"] == "C:\\path_x000D_ and _x0041_"
    log = libreoffice.read(after, [notes_cell, "'Improvement Log'!C2"])
    assert log[notes_cell] == "C:\\path_x000D_ and _x0041_"
    assert log["'Improvement Log'!C2"] == "Self-rating 1 -> 4"


def test_a_libreoffice_saved_workbook_takes_the_write(
    libreoffice: LibreOffice, tmp_path: Path
) -> None:
    source = tmp_path / "features.xlsx"
    source.write_bytes(feature_workbook(LO_FEATURES))
    saved = libreoffice.save(source, tmp_path / "saved.xlsx").read_bytes()
    after = weekly_write(saved, 1)
    old, new = raw_entries(saved), raw_entries(after)
    changed = {name for name in old if old[name] != new.get(name)}
    assert changed <= _touched(saved)
    # LibreOffice writes the package's customXml relationship as "../customXml/item1.xml",
    # outside the package: its own problem, kept as it was, nothing new added.
    assert set(check_xlsx(after)) <= set(check_xlsx(saved))
    assert read_workbook(after).rating_map() == read_workbook(saved).rating_map()
    assert len(read_workbook(after).log_rows) == 1
    # LibreOffice 7 saves no theme; the grafted charts need one to draw their lines.
    assert not any(n.startswith("xl/theme/") for n in old)
    assert "xl/theme/theme1.xml" in new


def test_after_a_libreoffice_resave_the_next_write_replaces_only_its_own_sheets(
    libreoffice: LibreOffice, tmp_path: Path
) -> None:
    first = tmp_path / "week1.xlsx"
    first.write_bytes(weekly_write(feature_workbook(LO_FEATURES), 1))
    resaved = libreoffice.save(first, tmp_path / "week1-lo.xlsx").read_bytes()
    second = weekly_write(resaved, 2)
    before, after = WorkbookEditor(resaved), WorkbookEditor(second)
    assert after.sheet_names() == before.sheet_names()
    assert after.meta()["owned_sheets"] == "Summary (2)\tHistory (2)"
    assert len(read_workbook(second).log_rows) == 2
    assert set(check_xlsx(second)) <= set(check_xlsx(resaved))
    path = tmp_path / "week2.xlsx"
    path.write_bytes(second)
    assert libreoffice.read(path, ["'Summary (2)'!A1"]) == {"'Summary (2)'!A1": "Title =1+1"}


def _row_of(data: bytes, skill_id: str) -> int:
    """The 1-based Matrix row of a skill (the workbook's own layout)."""
    read = read_workbook(data)
    index = [r.skill_id for r in read.rows].index(skill_id)
    first = int(WorkbookEditor(data).meta()["matrix_header_row"]) + 1
    return first + index


def test_dates_written_are_dates_in_libreoffice(libreoffice: LibreOffice, tmp_path: Path) -> None:
    editor = WorkbookEditor(feature_workbook())
    editor.append_rows(L.LOG, [[date(2026, 11, 26), "Python (advanced)", "read", "+1"]])
    path = tmp_path / "dated.xlsx"
    path.write_bytes(editor.to_bytes())
    assert libreoffice.read(path, ["'Improvement Log'!A2"]) == {"'Improvement Log'!A2": 46352.0}
