"""The package check: every hostile or wrong file gets one clear matrix-xl error, fast.

Every hostile file is built here, from a real workbook or from scratch: nothing of
openpyxl or python-calamine is mocked.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import stat
import statistics
import struct
import threading
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.chart
import openpyxl.xml
import pytest
import python_calamine
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix_xl.errors import MatrixXLError, UnreadableWorkbookError, WorkbookTooLargeError
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.safety import (
    Limits,
    PackageInfo,
    calamine_guard,
    check_package,
    read_source,
)

SHEET1 = "xl/worksheets/sheet1.xml"  # the Matrix sheet of build_workbook()


@functools.cache
def real() -> bytes:
    """A real, valid workbook as matrix-xl makes it."""
    return build_workbook(owner="Test")


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def rezip(
    data: bytes,
    replace: dict[str, bytes | None] | None = None,
    add: dict[str, bytes] | None = None,
) -> bytes:
    """``data`` with parts replaced (or dropped, for None) and parts added."""
    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def with_sheet1(text: Callable[[str], str]) -> bytes:
    """The real workbook with its Matrix sheet's XML rewritten by ``text``."""
    return rezip(real(), {SHEET1: text(part(real(), SHEET1).decode()).encode()})


def add_cells(xml: str) -> bytes:
    """The real workbook with ``xml`` (rows) appended to the Matrix sheet's data."""
    return with_sheet1(lambda s: s.replace("</sheetData>", xml + "</sheetData>"))


def after_declaration(insert: str) -> Callable[[str], str]:
    def change(sheet: str) -> str:
        declaration, rest = sheet.split("\n", 1)
        return f"{declaration}\n{insert}\n{rest}"

    return change


# -- an OLE2 compound file, as Excel 97-2003 and encrypted workbooks are ----------------------

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
# Version 3.62, little-endian, 512-byte sectors, 64-byte mini sectors, 0 directory sectors
# (v3), 1 FAT sector, the directory at sector 1, no transactions, mini stream cut-off 4096,
# no mini FAT, no DIFAT sectors.
CFB_HEADER = (0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)


def _dir_entry(name: str, kind: int, start: int = ENDOFCHAIN, size: int = 0, **links: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\0\0" if name else b""
    left, right, child = (links.get(k, NOSTREAM) for k in ("left", "right", "child"))
    return (
        raw.ljust(64, b"\0")
        + struct.pack("<HBB3I", len(raw), kind, 1, left, right, child)
        + b"\0" * 36
        + struct.pack("<IQ", start, size)
    )


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version 3 compound file (512-byte sectors, one FAT sector) holding ``streams``.

    Each stream is at least 4096 bytes, so that it lives in the FAT, not the mini stream.
    """
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the directory's order
    fat = [FATSECT, ENDOFCHAIN]  # sector 0: the FAT, sector 1: the directory
    body = b""
    entries = [_dir_entry("Root Entry", 5, child=1)]
    for i, name in enumerate(names):
        data = streams[name]
        assert len(data) >= 4096
        count = -(-len(data) // 512)
        start = len(fat)
        fat += [start + k + 1 for k in range(count - 1)] + [ENDOFCHAIN]
        body += data.ljust(count * 512, b"\0")
        right = i + 2 if i + 1 < len(names) else NOSTREAM
        entries.append(_dir_entry(name, 2, start, len(data), right=right))
    assert len(fat) <= 128 and len(entries) <= 4
    entries += [_dir_entry("", 0)] * (4 - len(entries))
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<HHHHH6xIIIIIIIII", *CFB_HEADER)
        + struct.pack("<109I", 0, *[FREESECT] * 108)
    )
    fat_sector = struct.pack("<128I", *(fat + [FREESECT] * (128 - len(fat))))
    return header + fat_sector + b"".join(entries) + body


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff8(extra_globals: bytes = b"") -> bytes:
    """An Excel 97-2003 'Workbook' stream: one sheet, the number 42 in A1."""

    def bof(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    sheet = (
        bof(0x10)
        + _record(0x0200, struct.pack("<IIHHH", 0, 1, 0, 1, 0))  # DIMENSIONS
        + _record(0x0203, struct.pack("<HHHd", 0, 0, 15, 42.0))  # NUMBER
        + _record(0x000A)  # EOF
    )

    def globals_at(offset: int) -> bytes:
        boundsheet = struct.pack("<IBBBB", offset, 0, 0, 6, 0) + b"Sheet1"
        return bof(0x05) + extra_globals + _record(0x0085, boundsheet) + _record(0x000A)

    first = globals_at(0)
    return (globals_at(len(first)) + sheet).ljust(4096, b"\0")


def legacy_xls(extra_globals: bytes = b"") -> bytes:
    return compound_file({"Workbook": biff8(extra_globals)})


def encrypted_xlsx() -> bytes:
    """An OOXML workbook as Excel encrypts it: an OLE2 file with these two streams."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 18_000) + os.urandom(18_000)
    return compound_file({"EncryptionInfo": info.ljust(4096, b"\0"), "EncryptedPackage": package})


# -- hostile XML ---------------------------------------------------------------------------

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">' for i in range(1, 10)
    )
    + "]>"
)
QUADRATIC = f'<!DOCTYPE q [<!ENTITY a "{"a" * 50_000}">]>'
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
ENTITY_ATTACK = "XML entity declarations are not allowed (possible XML attack)"


def use_entity(name: str) -> Callable[[str], str]:
    """Put the DOCTYPE first and the entity into the first value of the sheet."""
    doctype = {"lol9": LAUGHS, "a": QUADRATIC, "xxe": XXE}[name]
    refs = f"&{name};" * (200 if name == "a" else 1)

    def change(sheet: str) -> str:
        return after_declaration(doctype)(sheet).replace("<v>", f"<v>{refs}", 1)

    return change


def utf16_laughs(sheet: str) -> str:
    return use_entity("lol9")(sheet).replace('encoding="UTF-8"', 'encoding="UTF-16"')


# -- files of other kinds ---------------------------------------------------------------------


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


def minimal_ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
    return out.getvalue()


def xlsb_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return out.getvalue()


def central_entry(data: bytes | bytearray, name: str) -> int:
    """The offset of ``name``'s entry in the zip's central directory."""
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        name_len = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46 : start + 46 + name_len]) == name.encode():
            return start
        start += 4
    raise AssertionError(f"{name} is not in the central directory")


def patched_sizes(data: bytes, name: str, declared: int) -> bytes:
    """``data`` with the uncompressed size of ``name`` declared as ``declared``, everywhere."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    out = bytearray(data)
    struct.pack_into("<I", out, info.header_offset + 22, declared)  # local header
    struct.pack_into("<I", out, central_entry(data, name) + 24, declared)
    return bytes(out)


def flipped_in_part(data: bytes, name: str) -> bytes:
    """A byte in the middle of ``name``'s compressed data flipped (a damaged download)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    middle = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    return data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1 :]


def with_encrypted_flag(data: bytes, name: str) -> bytes:
    """``name`` marked as encrypted with the zip's own (weak) encryption."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    out = bytearray(data)
    out[central_entry(data, name) + 8] |= 0x01
    out[info.header_offset + 6] |= 0x01
    return bytes(out)


def duplicate_part() -> bytes:
    out = io.BytesIO(real())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns "Duplicate name", and writes it
        with zipfile.ZipFile(out, "a") as z:
            z.writestr(SHEET1, part(real(), SHEET1))
    return out.getvalue()


def bzip2_part() -> bytes:
    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(real()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            method = zipfile.ZIP_BZIP2 if info.filename == SHEET1 else zipfile.ZIP_DEFLATED
            dst.writestr(info.filename, src.read(info.filename), compress_type=method)
    return out.getvalue()


def zeros_part(size: int, name: str = "xl/media/zeros.bin") -> bytes:
    """The real workbook plus a part of ``size`` zero bytes, compressed as a stream."""
    out = io.BytesIO(real())
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
        z.open(name, "w") as handle,
    ):
        chunk = bytes(min(size, 1 << 20))
        for start in range(0, size, len(chunk)):
            handle.write(chunk[: size - start])
    return out.getvalue()


@functools.cache
def zip_bomb() -> bytes:
    """200 MB of zeros in a ~200 KB file: built in a stream, never held uncompressed."""
    return zeros_part(200 * 1024 * 1024, SHEET1.replace("sheet1", "sheet99"))


# -- the hostile files: (id, build, file name, error class, words the message must hold) -----

CASES: list[tuple[str, Callable[[], bytes], str, type[Exception], tuple[str, ...]]] = [
    ("empty", lambda: b"", "empty.xlsx", UnreadableWorkbookError, ("empty", "0 bytes")),
    (
        "csv",
        lambda: b"Skill,Rating\npython-advanced,4\n",
        "ratings.xlsx",
        UnreadableWorkbookError,
        ("not an Excel workbook", "CSV"),
    ),
    (
        "html",
        lambda: b"<!DOCTYPE html>\n<html><body><table><tr><td>4</td></tr></table></body></html>",
        "export.xlsx",
        UnreadableWorkbookError,
        ("HTML",),
    ),
    ("pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "m.xlsx", UnreadableWorkbookError, ("PDF",)),
    (
        "truncated zip",
        lambda: real()[: len(real()) // 2],
        "half.xlsx",
        UnreadableWorkbookError,
        ("damaged zip", "truncated"),
    ),
    (
        "legacy xls",
        legacy_xls,
        "old.xls",
        UnreadableWorkbookError,
        ("Excel 97-2003", ".xlsx"),
    ),
    (
        "OLE2 header and junk",
        lambda: bytes.fromhex("D0CF11E0A1B11AE1") + os.urandom(2000).replace(b"\0", b"\1"),
        "junk.xlsx",
        UnreadableWorkbookError,
        ("OLE2", "save it as .xlsx"),
    ),
    (
        "password-protected",
        encrypted_xlsx,
        "secret.xlsx",
        UnreadableWorkbookError,
        ("password-protected", "remove the password"),
    ),
    (
        "no [Content_Types].xml",
        lambda: rezip(real(), {"[Content_Types].xml": None}),
        "m.xlsx",
        UnreadableWorkbookError,
        ("[Content_Types].xml",),
    ),
    (
        "no xl/workbook.xml",
        lambda: rezip(real(), {"xl/workbook.xml": None}),
        "m.xlsx",
        UnreadableWorkbookError,
        ("xl/workbook.xml",),
    ),
    ("ods", minimal_ods, "m.xlsx", UnreadableWorkbookError, ("OpenDocument", ".ods")),
    ("xlsb", xlsb_like, "m.xlsx", UnreadableWorkbookError, (".xlsb",)),
    (
        "billion laughs",
        lambda: with_sheet1(use_entity("lol9")),
        "laughs.xlsx",
        UnreadableWorkbookError,
        (ENTITY_ATTACK, SHEET1),
    ),
    (
        "quadratic blow-up",
        lambda: with_sheet1(use_entity("a")),
        "quadratic.xlsx",
        UnreadableWorkbookError,
        (ENTITY_ATTACK, SHEET1),
    ),
    (
        "external entity",
        lambda: with_sheet1(use_entity("xxe")),
        "xxe.xlsx",
        UnreadableWorkbookError,
        (ENTITY_ATTACK, SHEET1),
    ),
    (
        "entity in UTF-16",
        lambda: rezip(
            real(), {SHEET1: utf16_laughs(part(real(), SHEET1).decode()).encode("utf-16")}
        ),
        "utf16.xlsx",
        UnreadableWorkbookError,
        (ENTITY_ATTACK,),
    ),
    (
        "DOCTYPE after a 10 KB comment",
        lambda: with_sheet1(after_declaration(f"<!--{'x' * 10_000}-->{XXE}")),
        "padded.xlsx",
        UnreadableWorkbookError,
        (ENTITY_ATTACK,),
    ),
    (
        "DOCTYPE after a 200 KB comment",
        lambda: with_sheet1(after_declaration(f"<!--{'x' * 200_000}-->{XXE}")),
        "padded.xlsx",
        UnreadableWorkbookError,
        ("possible XML attack", "64.0 KiB"),
    ),
    (
        "DOCTYPE in a .rels part",
        lambda: rezip(
            real(),
            {"_rels/.rels": after_declaration(XXE)(part(real(), "_rels/.rels").decode()).encode()},
        ),
        "rels.xlsx",
        UnreadableWorkbookError,
        (ENTITY_ATTACK, "_rels/.rels"),
    ),
    (
        "EBCDIC encoding",
        lambda: with_sheet1(lambda s: s.replace('encoding="UTF-8"', 'encoding="cp500"')),
        "ebcdic.xlsx",
        UnreadableWorkbookError,
        ("encoding 'cp500'", "possible XML attack"),
    ),
    (
        "zip bomb",
        zip_bomb,
        "bomb.xlsx",
        WorkbookTooLargeError,
        ("xl/worksheets/sheet99.xml", "200.0 MiB", "50.0 MiB per part"),
    ),
    (
        "compression ratio",
        lambda: zeros_part(5 * 1024 * 1024),
        "ratio.xlsx",
        WorkbookTooLargeError,
        ("xl/media/zeros.bin", "the limit is 100 times", "zip bomb"),
    ),
    (
        "2,000,000 rows claimed",
        lambda: with_sheet1(
            lambda s: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:H2000000"/>', s)
        ),
        "tall.xlsx",
        WorkbookTooLargeError,
        ("sheet 'Matrix'", "2,000,000 rows", "A1:H2000000", "10,000 rows"),
    ),
    (
        "a cell at XFD1048576",
        lambda: add_cells('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
        "far.xlsx",
        WorkbookTooLargeError,
        ("sheet 'Matrix'", "row 1,048,576", "10,000 rows"),
    ),
    (
        "a cell at XFD40",
        lambda: add_cells('<row r="40"><c r="XFD40"><v>1</v></c></row>'),
        "wide.xlsx",
        WorkbookTooLargeError,
        ("column XFD (16,384)", "256 columns"),
    ),
    (
        "a second r attribute",
        lambda: add_cells('<row r="40"><c r="A40" r=\'XFD1048576\'><v>1</v></c></row>'),
        "twice.xlsx",
        WorkbookTooLargeError,
        ("row 1,048,576",),
    ),
    (
        "prefixed cell tags",
        lambda: add_cells(
            '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="40">'
            '<x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
        ),
        "prefixed.xlsx",
        WorkbookTooLargeError,
        ("row 1,048,576",),
    ),
    (
        "16,000 cells without r",
        lambda: add_cells("<row>" + "<c><v>1</v></c>" * 16_000 + "</row>"),
        "implicit.xlsx",
        WorkbookTooLargeError,
        ("(16,000)", "256 columns"),
    ),
    (
        "20,000 rows without r",
        lambda: add_cells('<row r="100"/>' + "<row/>" * 20_000 + "<row><c><v>1</v></c></row>"),
        "rows.xlsx",
        WorkbookTooLargeError,
        ("row 20,101", "10,000 rows"),
    ),
    (
        "a reference hidden in a character reference",
        lambda: add_cells('<row r="40"><c r="X&#70;D1048576"><v>1</v></c></row>'),
        "escaped.xlsx",
        WorkbookTooLargeError,
        ("row 1,048,576",),
    ),
    (
        "a damaged part",
        lambda: flipped_in_part(real(), SHEET1),
        "damaged.xlsx",
        UnreadableWorkbookError,
        ("part xl/worksheets/sheet1.xml is corrupt",),
    ),
    (
        "a part larger than declared",
        lambda: patched_sizes(real(), SHEET1, 1000),
        "liar.xlsx",
        UnreadableWorkbookError,
        ("corrupt", "more than the 1,000 bytes declared"),
    ),
    (
        "an encrypted zip entry",
        lambda: with_encrypted_flag(real(), SHEET1),
        "zipcrypto.xlsx",
        UnreadableWorkbookError,
        ("encrypted inside the zip",),
    ),
    ("a part twice", duplicate_part, "dup.xlsx", UnreadableWorkbookError, ("twice",)),
    (
        "bzip2 compression",
        bzip2_part,
        "bz.xlsx",
        UnreadableWorkbookError,
        ("compression method 12",),
    ),
]


def digest(path: Path) -> tuple[str, float, int]:
    info = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mtime, info.st_mode


@pytest.mark.parametrize(
    ("build", "filename", "error", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_hostile_or_wrong_file_gets_one_clear_error_and_stays_as_it_was(
    tmp_path: Path,
    build: Callable[[], bytes],
    filename: str,
    error: type[Exception],
    words: tuple[str, ...],
) -> None:
    path = tmp_path / filename
    path.write_bytes(build())
    before = digest(path)
    started = time.perf_counter()
    with pytest.raises(UnreadableWorkbookError) as caught:
        data, name = read_source(path)
        check_package(data, name)
    elapsed = time.perf_counter() - started
    assert type(caught.value) is error
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for word in words:
        assert word in message
    assert "Traceback" not in message and "\n" not in message
    assert digest(path) == before
    assert elapsed < 2.0, f"{elapsed:.2f} s: the check must stay cheap"


# -- what openpyxl would drop is listed, not refused --------------------------------------------


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
    info = check_package(xlsxwriter_book(tmp_path, build), "x.xlsx")
    assert info.unpreservable == (expected,)
    assert not info.has_macros


def test_a_vba_project_is_listed_and_flagged(tmp_path: Path) -> None:
    fake_vba = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1000  # copied as is by xlsxwriter

    def build(workbook: Any, sheet: Any) -> None:
        workbook.add_vba_project(io.BytesIO(fake_vba), is_stream=True)

    info = check_package(xlsxwriter_book(tmp_path, build, "macro.xlsm"), "macro.xlsm")
    assert info.has_macros
    assert info.unpreservable == ("VBA macros (xl/vbaProject.bin)",)


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
    assert check_package(out.getvalue(), "m.xlsx").unpreservable == (
        "charts in sheet 'Summary' (xl/charts/chart1.xml)",
    )


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
    assert check_package(data, "m.xlsx").unpreservable == (f"{label} ({name})",)


def test_extensions_are_read_only_from_ext_elements_not_namespace_declarations() -> None:
    # LibreOffice and Excel declare xmlns:x14 on every sheet; only an <ext> means content.
    declared = with_sheet1(
        lambda s: s.replace(
            "<worksheet ",
            '<worksheet xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" ',
        )
    )
    assert check_package(declared, "m.xlsx").unpreservable == ()
    unknown = with_sheet1(
        lambda s: s.replace(
            "</worksheet>",
            '<extLst><ext uri="{01234567-89AB-CDEF-0123-456789ABCDEF}"/></extLst></worksheet>',
        )
    )
    assert check_package(unknown, "m.xlsx").unpreservable == (
        "Excel extension data ({01234567-89AB-CDEF-0123-456789ABCDEF}) in sheet 'Matrix' "
        "(xl/worksheets/sheet1.xml)",
    )


# -- what matrix-xl makes passes, quickly --------------------------------------------------------


def test_a_workbook_matrix_xl_made_passes_with_nothing_to_lose() -> None:
    info = check_package(real(), "m.xlsx")
    assert isinstance(info, PackageInfo)
    assert info.unpreservable == ()
    assert not info.has_macros
    assert "xl/workbook.xml" in info.parts and SHEET1 in info.parts


def test_an_openpyxl_resave_passes_with_nothing_to_lose() -> None:
    book = openpyxl.load_workbook(io.BytesIO(real()))
    out = io.BytesIO()
    book.save(out)
    assert check_package(out.getvalue(), "m.xlsx").unpreservable == ()


def test_a_libreoffice_resave_passes_and_its_ods_is_refused(
    libreoffice: Any, tmp_path: Path
) -> None:
    source = tmp_path / "m.xlsx"
    source.write_bytes(real())
    resaved = libreoffice.save(source, tmp_path / "resaved.xlsx")
    assert check_package(resaved.read_bytes(), "resaved.xlsx").unpreservable == ()
    ods = libreoffice.save(source, tmp_path / "m.ods", format="ods")
    with pytest.raises(UnreadableWorkbookError, match="OpenDocument spreadsheet"):
        check_package(ods.read_bytes(), "m.ods")


def test_check_package_is_fast_enough_for_a_1000_file_roll_up() -> None:
    data = real()
    assert 10_000 < len(data) < 40_000
    check_package(data, "m.xlsx")
    times = []
    for _ in range(50):
        started = time.perf_counter()
        check_package(data, "m.xlsx")
        times.append(time.perf_counter() - started)
    # ~0.45 ms here; the bound only catches a change that makes it 10x slower.
    assert statistics.median(times) < 0.005


@pytest.mark.parametrize("limit", ["max_file_size", "max_total_size", "max_parts"])
def test_custom_limits_apply_and_the_message_gives_limit_and_figure(limit: str) -> None:
    data = real()
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    value, figures = {
        "max_file_size": (10_000, ("9.8 KiB", f"{len(data) / 1024:.1f} KiB")),
        "max_total_size": (50_000, ("48.8 KiB", f"{total / 1024:.1f} KiB")),
        "max_parts": (10, ("the limit is 10", "18 parts")),
    }[limit]
    with pytest.raises(WorkbookTooLargeError) as caught:
        check_package(data, "m.xlsx", Limits(**{limit: value}))
    for figure in figures:
        assert figure in str(caught.value)


def test_the_row_limit_is_the_limits_one() -> None:
    data = add_cells('<row r="600"><c r="A600"><v>1</v></c></row>')
    assert check_package(data, "m.xlsx").unpreservable == ()
    with pytest.raises(WorkbookTooLargeError, match="row 600; the limit is 500 rows"):
        check_package(data, "m.xlsx", Limits(max_rows=500))


# -- defence in depth: what the parsers do with the same files -------------------------------


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True
    with pytest.raises(ValueError):  # defusedxml's EntitiesForbidden, wrapped by openpyxl
        openpyxl.load_workbook(io.BytesIO(with_sheet1(use_entity("lol9"))))


def test_the_legacy_xls_built_here_is_a_real_one() -> None:
    book = python_calamine.load_workbook(io.BytesIO(legacy_xls()))
    assert book.get_sheet_by_index(0).to_python() == [[42.0]]


# -- python-calamine's own failures ------------------------------------------------------------


def test_a_calamine_panic_becomes_one_unreadable_workbook_error() -> None:
    # A NAME record 3 bytes long: calamine 0.9.1 indexes past it and the Rust code panics.
    # (A cell at XFD1048576, the panic once known, now aborts the process instead: the
    # package check refuses it before calamine runs, see the cases above.)
    panicking = legacy_xls(_record(0x0018, b"\0\0\0"))
    with pytest.raises(BaseException) as raw:
        python_calamine.load_workbook(io.BytesIO(panicking)).get_sheet_by_index(0).to_python()
    assert type(raw.value).__name__ == "PanicException"
    assert not isinstance(raw.value, Exception)  # so `except Exception` would miss it

    with (
        pytest.raises(UnreadableWorkbookError) as caught,
        calamine_guard("broken.xls", "sheet 'Sheet1'"),
    ):
        python_calamine.load_workbook(io.BytesIO(panicking)).get_sheet_by_index(0).to_python()
    message = str(caught.value)
    assert message.startswith("broken.xls: python-calamine could not read sheet 'Sheet1'")
    assert "PanicException" in message and "\n" not in message
    assert type(caught.value.__cause__).__name__ == "PanicException"


def test_a_calamine_error_becomes_one_unreadable_workbook_error() -> None:
    with (
        pytest.raises(UnreadableWorkbookError, match=r"^notes\.xlsx: .*CalamineError"),
        calamine_guard("notes.xlsx"),
    ):
        python_calamine.load_workbook(io.BytesIO(b"Skill,Rating\n"))


@pytest.mark.parametrize("passing", [KeyboardInterrupt(), SystemExit(3), MatrixXLError("ours")])
def test_the_guard_lets_interrupts_and_our_own_errors_through(passing: BaseException) -> None:
    with pytest.raises(type(passing)) as caught, calamine_guard("m.xlsx"):
        raise passing
    assert caught.value is passing


# -- reading a source --------------------------------------------------------------------------


def test_read_source_passes_bytes_through() -> None:
    assert read_source(b"abc") == (b"abc", "<bytes>")
    assert read_source(b"abc", "upload.xlsx") == (b"abc", "upload.xlsx")


def test_read_source_reads_a_path_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "ada.xlsx"
    path.write_bytes(real())
    assert read_source(path) == (real(), str(path))
    assert read_source(str(path), "Ada's matrix") == (real(), "Ada's matrix")


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "folder"),
        (lambda p: (os.mkfifo(p), p)[1], "not a regular file"),
        (lambda p: Path("/dev/null"), "not a regular file"),
    ],
    ids=["missing", "folder", "fifo", "device"],
)
def test_read_source_refuses_what_is_not_a_readable_file(
    tmp_path: Path, make: Callable[[Path], Path], words: str
) -> None:
    path = make(tmp_path / "m.xlsx")
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            read_source(path)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive() and stat.S_ISFIFO(path.stat().st_mode):
        with open(path, "wb"):  # unblock the reader, then fail: it must never wait
            pass
        pytest.fail("read_source waited on a pipe")
    assert len(outcome) == 1 and isinstance(outcome[0], UnreadableWorkbookError)
    assert words in str(outcome[0]) and str(path) in str(outcome[0])


def test_read_source_refuses_a_big_file_before_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(30 * 1024 * 1024)  # sparse: 30 MiB on paper, nothing on disk
    with pytest.raises(WorkbookTooLargeError, match=r"30\.0 MiB, over the 20\.0 MiB limit"):
        read_source(path)
    with pytest.raises(WorkbookTooLargeError, match=r"over the 9\.8 KiB limit"):
        read_source(tmp_path / "big.xlsx", limits=Limits(max_file_size=10_000))


def test_read_source_says_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(real())
    path.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(UnreadableWorkbookError, match="permission denied"):
            read_source(path)
        return
    # root reads anything: try as 'nobody' in a child process, which shares this module.
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                read_source(path)
                report = "read it"
            except UnreadableWorkbookError as exc:
                report = str(exc)
            os.write(writer, report.encode())
        finally:
            os._exit(0)
    os.close(writer)
    report = os.read(reader, 4096).decode()
    os.close(reader)
    os.waitpid(child, 0)
    assert report.startswith(str(path)) and "permission denied" in report


# -- whatever the bytes, one kind of error ----------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=25_000),
    flips=st.lists(st.tuples(st.integers(0, 25_000), st.integers(1, 255)), max_size=4),
)
def test_damaged_bytes_never_raise_anything_but_our_error(
    cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(real()[:cut] if cut < len(real()) else real())
    for offset, mask in flips:
        if offset < len(data):
            data[offset] ^= mask
    try:
        info = check_package(bytes(data), "fuzz.xlsx")
    except UnreadableWorkbookError as exc:
        assert str(exc).startswith("fuzz.xlsx: ")
    else:
        assert isinstance(info, PackageInfo)
