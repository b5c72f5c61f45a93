"""What openpyxl would drop is listed (for the write-back to refuse), never refused here."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.chart
import pytest
import xlsxwriter
from workbook_bytes import real, rezip, with_sheet1

from matrix_xl.read.losses import openpyxl_losses
from matrix_xl.read.package import check_package
from matrix_xl.read.reader import read_workbook


def losses(data: bytes) -> tuple[str, ...]:
    """The losses found from the bytes alone; the same as from what the check learnt."""
    found = openpyxl_losses(data, "m.xlsx")
    assert openpyxl_losses(data, "m.xlsx", check_package(data, "m.xlsx")) == found
    return found


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def xlsxwriter_book(
    tmp_path: Path, build: Callable[[Any, Any], None], name: str = "x.xlsx"
) -> bytes:
    path = tmp_path / name
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Summary")
    for row in range(3):
        sheet.write_row(row, 0, [1, 2, 3, 4, 5])
    build(workbook, sheet)
    workbook.close()
    return path.read_bytes()


def _image(workbook: Any, sheet: Any) -> None:
    sheet.insert_image("G2", "dot.png", {"image_data": io.BytesIO(png_1x1())})


def _chart(workbook: Any, sheet: Any) -> None:
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"values": "=Summary!$A$1:$A$3"})
    sheet.insert_chart("G2", chart)


def _textbox(workbook: Any, sheet: Any) -> None:
    sheet.insert_textbox("G2", "Talk to Ada about this")


def _sparkline(workbook: Any, sheet: Any) -> None:
    sheet.add_sparkline("F1", {"range": "Summary!A1:E1"})


def _data_bar_2010(workbook: Any, sheet: Any) -> None:
    sheet.conditional_format("A1:A3", {"type": "data_bar", "data_bar_2010": True})


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(
            _image, "images or other media in sheet 'Summary' (xl/media/image1.png)", id="image"
        ),
        pytest.param(_chart, "charts in sheet 'Summary' (xl/charts/chart1.xml)", id="chart"),
        pytest.param(
            _textbox,
            "shapes or text boxes in sheet 'Summary' (xl/drawings/drawing1.xml)",
            id="textbox",
        ),
        pytest.param(
            _sparkline, "sparklines in sheet 'Summary' (xl/worksheets/sheet1.xml)", id="sparkline"
        ),
        pytest.param(
            _data_bar_2010,
            "Excel 2010 conditional formats (data bar, icon set or rules referring to other "
            "sheets) in sheet 'Summary' (xl/worksheets/sheet1.xml)",
            id="data bar 2010",
        ),
    ],
)
def test_what_openpyxl_would_drop_is_listed_by_sheet(
    tmp_path: Path, build: Callable[[Any, Any], None], expected: str
) -> None:
    data = xlsxwriter_book(tmp_path, build)
    assert losses(data) == (expected,)
    assert not check_package(data, "x.xlsx").has_macros


def test_a_vba_project_is_listed_and_flagged(tmp_path: Path) -> None:
    fake_vba = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1000  # copied as is by xlsxwriter

    def build(workbook: Any, sheet: Any) -> None:
        workbook.add_vba_project(io.BytesIO(fake_vba), is_stream=True)

    data = xlsxwriter_book(tmp_path, build, "macro.xlsm")
    assert check_package(data, "macro.xlsm").has_macros
    assert losses(data) == ("VBA macros (xl/vbaProject.bin)",)


def test_a_chart_openpyxl_adds_is_named_by_its_sheet() -> None:
    # The report writer adds a 'Summary' sheet with charts through openpyxl and rebuilds it
    # on every write: it recognises its own items by the sheet's name in them.
    book = openpyxl.load_workbook(io.BytesIO(real()))
    sheet = book.create_sheet("Summary")
    for value in (1, 2, 3):
        sheet.append([value])
    chart = openpyxl.chart.BarChart()
    chart.add_data(openpyxl.chart.Reference(sheet, min_col=1, min_row=1, max_row=3))
    sheet.add_chart(chart, "C1")
    out = io.BytesIO()
    book.save(out)
    assert losses(out.getvalue()) == ("charts in sheet 'Summary' (xl/charts/chart1.xml)",)
    # What the reader learnt of the same bytes serves as well.
    read = read_workbook(out.getvalue(), name="m.xlsx")
    assert openpyxl_losses(out.getvalue(), "m.xlsx", read.package) == losses(out.getvalue())


def test_several_parts_of_a_kind_in_one_sheet_are_counted() -> None:
    data = rezip(
        real(),
        add={f"xl/pivotTables/pivotTable{i}.xml": b'<?xml version="1.0"?><x/>' for i in (1, 2, 3)},
    )
    assert losses(data) == ("pivot tables (xl/pivotTables/pivotTable1.xml and 2 more)",)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("xl/pivotTables/pivotTable1.xml", "pivot tables"),
        ("xl/externalLinks/externalLink1.xml", "links to other workbooks"),
        ("xl/slicers/slicer1.xml", "slicers"),
        ("xl/ctrlProps/ctrlProp1.xml", "form controls"),
        ("xl/activeX/activeX1.xml", "ActiveX controls"),
        ("xl/threadedComments/threadedComment1.xml", "threaded comments (with replies)"),
        ("xl/embeddings/oleObject1.bin", "embedded objects"),
        ("xl/richData/rdrichvalue.xml", "pictures in cells or linked data types"),
    ],
)
def test_each_kind_of_part_openpyxl_drops_is_named(name: str, label: str) -> None:
    data = rezip(real(), add={name: b'<?xml version="1.0"?><x/>'})
    # Not reached from any sheet through relationships: named by its part.
    assert losses(data) == (f"{label} ({name})",)


def test_extensions_are_read_only_from_ext_elements_not_namespace_declarations() -> None:
    # LibreOffice and Excel declare xmlns:x14 on every sheet; only an <ext> means content.
    declared = with_sheet1(
        lambda s: s.replace(
            "<worksheet ",
            '<worksheet xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" ',
        )
    )
    assert losses(declared) == ()
    unknown = with_sheet1(
        lambda s: s.replace(
            "</worksheet>",
            '<extLst><ext uri="{01234567-89AB-CDEF-0123-456789ABCDEF}"/></extLst></worksheet>',
        )
    )
    assert losses(unknown) == (
        "Excel extension data ({01234567-89AB-CDEF-0123-456789ABCDEF}) in sheet 'Matrix' "
        "(xl/worksheets/sheet1.xml)",
    )


def test_a_workbook_matrix_xl_made_has_nothing_to_lose() -> None:
    assert losses(real()) == ()


def test_an_openpyxl_resave_has_nothing_to_lose() -> None:
    book = openpyxl.load_workbook(io.BytesIO(real()))
    out = io.BytesIO()
    book.save(out)
    assert losses(out.getvalue()) == ()


def test_a_libreoffice_resave_has_nothing_to_lose(libreoffice: Any, tmp_path: Path) -> None:
    source = tmp_path / "m.xlsx"
    source.write_bytes(real())
    resaved = libreoffice.save(source, tmp_path / "resaved.xlsx")
    assert losses(resaved.read_bytes()) == ()
