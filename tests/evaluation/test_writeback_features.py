"""evaluate() on workbooks carrying Excel's features: every part matrix-xl does not own is
copied byte for byte, the parts it touches keep all their elements, and the file is sound.

These drive the whole pipeline (read, judge, write-back, atomic replace) on a file; the
engine alone is tested in tests/xlsx/test_graft.py."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from features import FEATURES, defined_names, feature_workbook, lost_elements, parts, raw_entries
from xlsx_check import check_xlsx

from matrix_xl.evaluation.run import evaluate
from matrix_xl.read.reader import read_workbook

BOOK = "xl/workbook.xml"
# What a write-back may change in a workbook it did not write before (besides parts it adds).
TOUCHED = {
    BOOK, "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml",
    "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
    "xl/worksheets/sheet7.xml",
}  # fmt: skip
W1, W2 = date(2026, 11, 2), date(2026, 11, 9)


def _file(tmp_path: Path, features: list[str]) -> Path:
    suffix = ".xlsm" if "macros" in features else ".xlsx"
    path = tmp_path / f"me{suffix}"
    path.write_bytes(feature_workbook(features))
    return path


@pytest.mark.parametrize("feature", [*FEATURES, "all"])
def test_evaluate_copies_every_part_it_does_not_own(tmp_path: Path, feature: str) -> None:
    path = _file(tmp_path, list(FEATURES) if feature == "all" else [feature])
    before = path.read_bytes()
    evaluate(path, as_of=W1)
    after = path.read_bytes()
    old, new = raw_entries(before), raw_entries(after)
    assert set(old) <= set(new), f"parts lost: {set(old) - set(new)}"
    changed = {name for name in old if old[name] != new[name]}
    assert changed <= TOUCHED, f"changed though not ours: {changed - TOUCHED}"
    old_parts, new_parts = parts(before), parts(after)
    for part in sorted(changed - {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                                  "xl/worksheets/sheet7.xml"}):  # fmt: skip
        ignore = ("i4",) if part == "docProps/app.xml" else ()
        assert lost_elements(old_parts[part], new_parts[part], ignore) == [], part
    assert defined_names(old_parts[BOOK]) <= defined_names(new_parts[BOOK])
    assert check_xlsx(after) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_second_week_replaces_only_its_own_sheets(tmp_path: Path) -> None:
    path = _file(tmp_path, list(FEATURES))
    evaluate(path, as_of=W1)
    first = raw_entries(path.read_bytes())
    evaluate(path, as_of=W2)
    second_bytes = path.read_bytes()
    second = raw_entries(second_bytes)
    assert check_xlsx(second_bytes) == []
    # The person's own Summary and History (features own_summary/own_history) stay theirs.
    with zipfile.ZipFile(path) as archive:
        book = archive.read(BOOK).decode()
    names = re.findall(r'<sheet [^>]*name="([^"]*)"', book)
    assert names.count("summary") == 1 and names.count("History") == 1  # the person's
    assert names[:2] == ["Summary (2)", "History (2)"]  # ours, found again, not repeated
    assert not any("(3)" in name for name in names)
    kept = {n for n in first if n in second and first[n] == second[n]}
    assert "xl/vbaProject.bin" in kept and any(n.startswith("xl/media/") for n in kept)
    read = read_workbook(second_bytes)
    assert [h.week for h in read.history][-2:] == ["2026-W45", "2026-W46"]


def test_a_macro_workbook_keeps_its_content_type_and_project(tmp_path: Path) -> None:
    path = _file(tmp_path, ["macros"])
    project = zipfile.ZipFile(path).read("xl/vbaProject.bin")
    evaluate(path, as_of=W1)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == project
        types = archive.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
