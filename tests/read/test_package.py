"""The package check: every hostile or wrong file gets one clear matrix-xl error, fast,
and a good one comes back with what the check learnt.

Every hostile file is built here, from a real workbook or from scratch: nothing of
openpyxl or python-calamine is mocked.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import statistics
import struct
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbook_bytes import (
    SHEET1,
    add_cells,
    after_declaration,
    encrypted_xlsx,
    legacy_xls,
    part,
    parts_of,
    real,
    rezip,
    with_sheet1,
    zip_parts,
)

from matrix_xl.errors import UnreadableWorkbookError, WorkbookTooLargeError
from matrix_xl.read.limits import Limits
from matrix_xl.read.package import PackageInfo, check_package
from matrix_xl.read.source import read_source

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
        "a cell at XFD1048576",
        lambda: add_cells('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
        "far.xlsx",
        WorkbookTooLargeError,
        ("sheet 'Matrix'", "cell XFD1048576", "row 1,048,576", "10,000 rows", "Ctrl+End"),
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
        ("column IW (257)", "256 columns"),
    ),
    (
        "more tags without r than are counted",
        lambda: add_cells("<row>" + "<c/>" * 250_000 + "</row>"),
        "uncounted.xlsx",
        WorkbookTooLargeError,
        ("without a position", "200,000", "save it again"),
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


# -- what matrix-xl makes passes, quickly, and the check hands over what it learnt ---------------


def test_a_workbook_matrix_xl_made_passes() -> None:
    info = check_package(real(), "m.xlsx")
    assert isinstance(info, PackageInfo)
    assert not info.has_macros
    assert info.parts == tuple(parts_of(real()))
    assert "xl/workbook.xml" in info.parts and SHEET1 in info.parts


def test_the_check_hands_over_each_sheet_s_part_and_the_xml_it_inflated() -> None:
    data = real()
    info = check_package(data, "m.xlsx")
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert list(info.sheets) == names
    assert info.sheets["Matrix"] == SHEET1
    contents = parts_of(data)
    for sheet, name in info.sheets.items():
        assert info.roots[name] == "worksheet"
        assert info.sheet_xml(sheet) == contents[name]
    assert info.xml["xl/workbook.xml"] == contents["xl/workbook.xml"]
    assert info.xml["xl/_rels/workbook.xml.rels"] == contents["xl/_rels/workbook.xml.rels"]
    assert info.roots["xl/styles.xml"] == "styleSheet"
    assert info.sheet_xml("No such sheet") is None


def test_sheets_are_resolved_through_the_relationships_whatever_their_names() -> None:
    # A sheet named with markup characters and both quotes, moved to another folder and
    # targeted by an absolute path.
    odd = "M&A <2026> \"Q1\" 'x'"
    escaped = odd.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;")
    moved = check_package(real(), "m.xlsx").sheets["Rubric"]
    book = part(real(), "xl/workbook.xml").decode().replace('name="Rubric"', f'name="{escaped}"')
    rels = part(real(), "xl/_rels/workbook.xml.rels").decode()
    relative = moved.removeprefix("xl/")
    assert f'Target="{relative}"' in rels
    rels = rels.replace(f'Target="{relative}"', 'Target="/xl/other/place.xml"')
    data = rezip(
        real(),
        {
            "xl/workbook.xml": book.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            moved: None,
        },
        add={"xl/other/place.xml": part(real(), moved)},
    )
    info = check_package(data, "m.xlsx")
    assert info.sheets[odd] == "xl/other/place.xml"
    assert info.sheet_xml(odd) == part(real(), moved)
    assert odd in python_calamine.load_workbook(io.BytesIO(data)).sheet_names


def test_a_damaged_book_part_leaves_the_sheets_unresolved_for_calamine_to_judge() -> None:
    # The check reads xl/workbook.xml's head only; a damage further in is calamine's to
    # report (with its own message), so the check resolves no sheet rather than fail.
    damaged = flipped_in_part(real(), "xl/workbook.xml")
    info = check_package(damaged, "m.xlsx")
    assert info.sheets == {}
    assert "xl/workbook.xml" not in info.xml


def test_an_openpyxl_resave_passes() -> None:
    book = openpyxl.load_workbook(io.BytesIO(real()))
    out = io.BytesIO()
    book.save(out)
    info = check_package(out.getvalue(), "m.xlsx")
    assert info.sheets["Matrix"] in info.xml


def test_a_libreoffice_resave_passes_and_its_ods_is_refused(
    libreoffice: Any, tmp_path: Path
) -> None:
    source = tmp_path / "m.xlsx"
    source.write_bytes(real())
    resaved = libreoffice.save(source, tmp_path / "resaved.xlsx")
    info = check_package(resaved.read_bytes(), "resaved.xlsx")
    assert set(info.sheets) == set(check_package(real(), "m.xlsx").sheets)
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
    check_package(data, "m.xlsx")
    with pytest.raises(WorkbookTooLargeError, match="row 600, past the limit of 500 rows"):
        check_package(data, "m.xlsx", Limits(max_rows=500))


@pytest.mark.parametrize(
    "far",
    [
        '<row r="1048576" customFormat="false" ht="12.8" hidden="false"></row>',
        '<row r="1048575"/><row r="1048576" s="3" customFormat="1"/>',
        '<row r="1048576"><c r="XFD1048576" s="1"/><c r="A1048576" s="1"></c></row>',
    ],
    ids=["LibreOffice's empty last row", "styled empty rows", "styled empty cells"],
)
def test_what_lies_far_down_without_data_passes(far: str) -> None:
    # What applications write after a row is deleted, or for formatting: nothing there is
    # data, calamine places none of it, and the dimension that claims it is not a limit.
    data = with_sheet1(
        lambda s: re.sub(
            r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', s
        ).replace("</sheetData>", far + "</sheetData>")
    )
    info = check_package(data, "m.xlsx")
    assert b"1048576" in (info.sheet_xml("Matrix") or b"")
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert len(book.get_sheet_by_name("Matrix").to_python(skip_empty_area=False)) < 100


def test_a_sheet_that_passed_once_is_checked_again_under_tighter_limits() -> None:
    # What passed is remembered by (sheet, limits): a tighter limit must not be skipped.
    data = add_cells('<row r="600"><c r="A600"><v>1</v></c></row>')
    for _ in range(3):
        check_package(data, "m.xlsx")
    with pytest.raises(WorkbookTooLargeError, match="row 600"):
        check_package(data, "m.xlsx", Limits(max_rows=500))


def test_a_sheet_named_in_a_message_is_named_by_the_workbook() -> None:
    data = add_cells('<row r="600"><c r="A600"><v>1</v></c></row>')
    with pytest.raises(WorkbookTooLargeError) as caught:
        check_package(data, "m.xlsx", Limits(max_rows=500))
    message = str(caught.value)
    assert message.startswith(f"m.xlsx: sheet 'Matrix' ({SHEET1}) holds data in cell A600")


def test_a_part_stored_uncompressed_reads_like_a_deflated_one() -> None:
    stored = zip_parts(parts_of(real()), zipfile.ZIP_STORED)
    info = check_package(stored, "stored.xlsx")
    assert info.sheet_xml("Matrix") == part(real(), SHEET1)


def test_a_comment_cut_by_the_first_read_is_read_on_not_refused() -> None:
    # Parts other than worksheets are read 512 bytes at first: a comment before the root
    # that starts right at that boundary ("<!" read, "--" not yet) is a comment, not a
    # DOCTYPE.
    styles = part(real(), "xl/styles.xml").decode()
    declaration, rest = styles.split("\n", 1)
    padding = " " * (510 - len(declaration) - 1)
    data = rezip(
        real(), {"xl/styles.xml": f"{declaration}\n{padding}<!-- a comment -->{rest}".encode()}
    )
    assert check_package(data, "m.xlsx").roots["xl/styles.xml"] == "styleSheet"


def test_a_zip_claiming_a_future_zip_version_is_a_damaged_zip() -> None:
    data = bytearray(real())
    struct.pack_into("<H", data, central_entry(real(), SHEET1) + 6, 99)  # version needed
    with pytest.raises(UnreadableWorkbookError, match=r"^m\.xlsx: the file is a damaged zip"):
        check_package(bytes(data), "m.xlsx")


# -- defence in depth: what the parsers do with the same files -------------------------------


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True
    with pytest.raises(ValueError):  # defusedxml's EntitiesForbidden, wrapped by openpyxl
        openpyxl.load_workbook(io.BytesIO(with_sheet1(use_entity("lol9"))))


def test_the_legacy_xls_built_here_is_a_real_one() -> None:
    book = python_calamine.load_workbook(io.BytesIO(legacy_xls()))
    assert book.get_sheet_by_index(0).to_python() == [[42.0]]


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
