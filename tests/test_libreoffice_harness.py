"""Tests of the real-LibreOffice harness itself (tests/libreoffice.py, tests/uno_worker.py)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from libreoffice import LibreOffice, LibreOfficeError

pytestmark = pytest.mark.libreoffice

OTHER = "Team's view"  # a sheet name that needs quoting
OTHER_A1 = "'Team''s view'!A1"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("harness") / "tiny.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("Sheet1")
    ws.write_number("A1", 2)
    ws.write_number("A2", 3)
    ws.write_formula("A3", "=A1*A2", None, 6)
    ws.write_formula("A4", '=IF(A3>10,"big","small")', None, "small")
    ws.write_string("A5", "hello")
    ws.write_formula("A6", "=1/0")
    ws.write_formula("A7", '=IF(ISBLANK(A1),"blank",A1)', None, 2)
    other = wb.add_worksheet(OTHER)
    other.write_formula("A1", "=Sheet1!A3+1", None, 7)
    hidden = wb.add_worksheet("Hidden")
    hidden.write_string("A1", "secret")
    hidden.hide()
    wb.define_name("Product", "=Sheet1!$A$3")
    wb.define_name("Verdict", "=Sheet1!$A$4")
    wb.close()
    return path


def test_ping(libreoffice: LibreOffice) -> None:
    assert libreoffice.ping() == "pong"


def test_batch_recomputes_each_set_from_the_file_as_loaded(
    libreoffice: LibreOffice, book: Path
) -> None:
    sets: list[dict[str, float | str | None]] = [
        {"Sheet1!A1": 4},
        {"Sheet1!A1": 5, "Sheet1!A2": 6},
        {},  # nothing written: the file's own values, not the previous set's
        {"Sheet1!A2": None},
        {"Sheet1!A1": 2.5, "Sheet1!A2": -2},
        {"Sheet1!A1": True},
        {"Sheet1!A3": 100},  # overwrites the formula...
        {"Sheet1!A1": 10},  # ...which is back for the next set
    ]
    read = ["Product", "Verdict", "Sheet1!A3", OTHER_A1]
    rows = libreoffice.batch(book, sets, read)
    quoted = OTHER_A1
    assert rows == [
        {"Product": 12, "Verdict": "big", "Sheet1!A3": 12, quoted: 13},
        {"Product": 30, "Verdict": "big", "Sheet1!A3": 30, quoted: 31},
        {"Product": 6, "Verdict": "small", "Sheet1!A3": 6, quoted: 7},
        {"Product": 0, "Verdict": "small", "Sheet1!A3": 0, quoted: 1},
        {"Product": -5, "Verdict": "small", "Sheet1!A3": -5, quoted: -4},
        {"Product": 3, "Verdict": "small", "Sheet1!A3": 3, quoted: 4},
        {"Product": 100, "Verdict": "big", "Sheet1!A3": 100, quoted: 101},
        {"Product": 30, "Verdict": "big", "Sheet1!A3": 30, quoted: 31},
    ]


def test_batch_handles_hundreds_of_sets(libreoffice: LibreOffice, book: Path) -> None:
    sets = [{"Sheet1!A1": i, "Sheet1!A2": i % 7} for i in range(300)]
    rows = libreoffice.batch(book, sets, ["Product", "Verdict"])
    assert rows == [
        {"Product": i * (i % 7), "Verdict": "big" if i * (i % 7) > 10 else "small"}
        for i in range(300)
    ]


def test_read_gives_numbers_text_empty_and_errors(libreoffice: LibreOffice, book: Path) -> None:
    values = libreoffice.read(
        book, ["Sheet1!A1", "Sheet1!A5", "Sheet1!B1", "Sheet1!A6", "Verdict", "Hidden!A1"]
    )
    assert values == {
        "Sheet1!A1": 2,
        "Sheet1!A5": "hello",
        "Sheet1!B1": None,
        "Sheet1!A6": "#DIV/0!",
        "Verdict": "small",
        "Hidden!A1": "secret",
    }
    assert isinstance(values["Sheet1!A1"], float)


def test_string_starting_with_equals_stays_text(libreoffice: LibreOffice, book: Path) -> None:
    rows = libreoffice.batch(
        book, [{"Sheet1!A1": "=A2*100", "Sheet1!B2": "=1+1"}], ["Sheet1!A1", "Sheet1!B2", "Product"]
    )
    # As text, A1 is not a number: A1*A2 is a #VALUE! error in LibreOffice.
    assert rows == [{"Sheet1!A1": "=A2*100", "Sheet1!B2": "=1+1", "Product": "#VALUE!"}]


def test_null_clears_a_cell(libreoffice: LibreOffice, book: Path, tmp_path: Path) -> None:
    rows = libreoffice.batch(
        book,
        [{"Sheet1!A1": None, "Sheet1!A5": None}, {}],
        ["Sheet1!A1", "Sheet1!A5", "Sheet1!A7", "Product"],
    )
    assert rows == [
        {"Sheet1!A1": None, "Sheet1!A5": None, "Sheet1!A7": "blank", "Product": 0},
        {"Sheet1!A1": 2, "Sheet1!A5": "hello", "Sheet1!A7": 2, "Product": 6},
    ]
    out = libreoffice.save(book, tmp_path / "cleared.xlsx", {"Sheet1!A1": None})
    ws = openpyxl.load_workbook(out, data_only=True)["Sheet1"]
    assert ws["A1"].value is None
    assert ws["A7"].value == "blank"


def test_save_xlsx_is_recalculated_and_readable_by_openpyxl(
    libreoffice: LibreOffice, book: Path, tmp_path: Path
) -> None:
    out = libreoffice.save(
        book, tmp_path / "filled.xlsx", {"Sheet1!A1": 7, "Sheet1!B1": "=A1"}, format="xlsx"
    )
    assert out == tmp_path / "filled.xlsx"
    values = openpyxl.load_workbook(out, data_only=True)
    assert values["Sheet1"]["A1"].value == 7
    assert values["Sheet1"]["A3"].value == 21
    assert values["Sheet1"]["A4"].value == "big"
    assert values[OTHER]["A1"].value == 22
    formulas = openpyxl.load_workbook(out)
    ws = formulas["Sheet1"]
    assert ws["A3"].value == "=A1*A2"  # still a formula, not frozen to its value
    assert ws["B1"].value == "=A1" and ws["B1"].data_type == "s"  # text, not a formula
    assert "Product" in formulas.defined_names
    assert formulas["Hidden"].sheet_state == "hidden"
    # The original is untouched and no lock file is left behind.
    assert openpyxl.load_workbook(book, data_only=True)["Sheet1"]["A1"].value == 2
    folders = (*tmp_path.iterdir(), *book.parent.iterdir())
    assert not [p for p in folders if p.name.startswith(".~lock")]


def test_save_ods_and_pdf(libreoffice: LibreOffice, book: Path, tmp_path: Path) -> None:
    ods = libreoffice.save(book, tmp_path / "t.ods", {"Sheet1!A1": 10}, format="ods")
    with zipfile.ZipFile(ods) as z:
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert libreoffice.read(ods, ["Product"]) == {"Product": 30}
    pdf = libreoffice.save(book, tmp_path / "t.pdf", format="pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    with pytest.raises(LibreOfficeError, match="unknown format"):
        libreoffice.save(book, tmp_path / "t.csv", format="csv")


def test_sheets_in_order_with_visibility(libreoffice: LibreOffice, book: Path) -> None:
    assert libreoffice.sheets(book) == [("Sheet1", True), (OTHER, True), ("Hidden", False)]


def test_bad_requests_fail_clearly_and_leave_the_harness_usable(
    libreoffice: LibreOffice, book: Path, tmp_path: Path
) -> None:
    with pytest.raises(LibreOfficeError, match="no workbook-level defined name 'Nope'"):
        libreoffice.read(book, ["Nope"])
    with pytest.raises(LibreOfficeError, match="no sheet 'Matrix'"):
        libreoffice.batch(book, [{"Matrix!E8": 1}], [])
    with pytest.raises(LibreOfficeError, match="bad cell address"):
        libreoffice.read(book, ["Sheet1!A1:B2"])
    with pytest.raises(LibreOfficeError, match="no such file"):
        libreoffice.sheets(tmp_path / "missing.xlsx")
    with pytest.raises(LibreOfficeError, match="cannot write"):
        libreoffice.batch(book, [{"Sheet1!A1": [1, 2]}], [])  # type: ignore[dict-item]
    assert libreoffice.read(book, ["Product"]) == {"Product": 6}


@pytest.mark.slow
def test_timeout_restart_and_close(libreoffice: LibreOffice, book: Path) -> None:
    """A private instance (the shared one only gates the test): a timed-out
    request stops LibreOffice, the next one restarts it, and close() leaves no
    process behind (even called twice)."""
    office = LibreOffice()
    try:
        office.start()
        assert office.startup_seconds is not None and office.startup_seconds < 60
        first_group = office._soffice.pid  # type: ignore[union-attr]
        with pytest.raises(LibreOfficeError, match="timed out"):
            office.batch(book, [{"Sheet1!A1": i} for i in range(2000)], ["Product"], timeout=0.01)
        assert not office.running
        assert not _group_alive(first_group)
        assert office.read(book, ["Product"]) == {"Product": 6}  # restarted
        groups = [office._soffice.pid, office._worker.pid]  # type: ignore[union-attr]
        profile_root = office._tmp
        assert profile_root is not None and profile_root.is_dir()
    finally:
        office.close()
        office.close()
    assert not any(_group_alive(g) for g in groups)
    assert not profile_root.exists()
    with pytest.raises(LibreOfficeError, match="closed"):
        office.ping()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # A zombie nobody reaped still counts for killpg; look at the states.
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
