"""Workbook bytes for the read tests: a real workbook, and ways to take it apart.

Every odd or hostile file the read tests need is built from these, from a real workbook or
from scratch: nothing of openpyxl or python-calamine is mocked.
"""

from __future__ import annotations

import functools
import io
import os
import re
import struct
import zipfile
from collections.abc import Callable

from matrix_xl.generate.workbook import build_workbook

SHEET1 = "xl/worksheets/sheet1.xml"  # the Matrix sheet of build_workbook()


@functools.cache
def real() -> bytes:
    """A real, valid workbook as matrix-xl makes it."""
    return build_workbook(owner="Test")


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def parts_of(data: bytes) -> dict[str, bytes]:
    """Every part of a zip, by name, in directory order."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def zip_parts(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as dst:
        for name, body in parts.items():
            dst.writestr(name, body)
    return out.getvalue()


def rezip(
    data: bytes,
    replace: dict[str, bytes | None] | None = None,
    add: dict[str, bytes] | None = None,
) -> bytes:
    """``data`` with parts replaced (or dropped, for None) and parts added."""
    replace = replace or {}
    parts = {}
    for name, body in parts_of(data).items():
        new = replace.get(name, body)
        if new is not None:
            parts[name] = new
    return zip_parts({**parts, **(add or {})})


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


def replace_cell(sheet: bytes, ref: str, cell: bytes) -> bytes:
    """A worksheet's XML with the ``<c>`` element of ``ref`` replaced by ``cell``."""
    pattern = rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)'
    new, count = re.subn(pattern, lambda _: cell, sheet, count=1, flags=re.DOTALL)
    assert count == 1, f"no cell {ref} in the sheet"
    return new


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


def record(kind: int, data: bytes = b"") -> bytes:
    """One BIFF8 record."""
    return struct.pack("<HH", kind, len(data)) + data


def biff8(extra_globals: bytes = b"") -> bytes:
    """An Excel 97-2003 'Workbook' stream: one sheet, the number 42 in A1."""

    def bof(kind: int) -> bytes:
        return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    sheet = (
        bof(0x10)
        + record(0x0200, struct.pack("<IIHHH", 0, 1, 0, 1, 0))  # DIMENSIONS
        + record(0x0203, struct.pack("<HHHd", 0, 0, 15, 42.0))  # NUMBER
        + record(0x000A)  # EOF
    )

    def globals_at(offset: int) -> bytes:
        boundsheet = struct.pack("<IBBBB", offset, 0, 0, 6, 0) + b"Sheet1"
        return bof(0x05) + extra_globals + record(0x0085, boundsheet) + record(0x000A)

    first = globals_at(0)
    return (globals_at(len(first)) + sheet).ljust(4096, b"\0")


def legacy_xls(extra_globals: bytes = b"") -> bytes:
    return compound_file({"Workbook": biff8(extra_globals)})


def encrypted_xlsx() -> bytes:
    """An OOXML workbook as Excel encrypts it: an OLE2 file with these two streams."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 18_000) + os.urandom(18_000)
    return compound_file({"EncryptionInfo": info.ljust(4096, b"\0"), "EncryptedPackage": package})
