"""Parts read straight from the zip's bytes: the same bytes as zipfile gives, checked."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from workbook_bytes import SHEET1, parts_of, real, zip_parts

from matrix_xl.errors import UnreadableWorkbookError
from matrix_xl.read.inflate import CorruptPart, Memo, read_checked, read_part


def infos(data: bytes) -> dict[str, zipfile.ZipInfo]:
    return {i.filename: i for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_every_part_reads_as_zipfile_reads_it(method: int) -> None:
    data = zip_parts(parts_of(real()), method)
    for name, info in infos(data).items():
        whole = read_part(data, info, None)
        assert whole == parts_of(data)[name]
        assert read_part(data, info, 100) == whole[:100]


@given(body=st.binary(max_size=5_000), limit=st.integers(1, 6_000))
def test_a_limit_reads_the_start_of_the_part(body: bytes, limit: int) -> None:
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        data = zip_parts({"a.bin": body}, method)
        assert read_part(data, infos(data)["a.bin"], limit) == body[:limit]


def test_a_changed_byte_fails_the_checksum() -> None:
    data = bytearray(zip_parts(parts_of(real()), zipfile.ZIP_STORED))
    info = infos(bytes(data))[SHEET1]
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_len + extra_len + 100] ^= 0x01
    with pytest.raises(CorruptPart, match="checksum"):
        read_part(bytes(data), info, None)
    with pytest.raises(UnreadableWorkbookError) as caught:
        read_checked(bytes(data), info, None, "m.xlsx")
    assert str(caught.value).startswith(f"m.xlsx: part {SHEET1} is corrupt (its checksum")


def test_a_directory_pointing_elsewhere_or_past_the_end_is_corrupt() -> None:
    data = real()
    info = infos(data)[SHEET1]
    other = infos(data)["xl/styles.xml"]
    moved = zipfile.ZipInfo(SHEET1)
    moved.header_offset, moved.compress_size = other.header_offset, info.compress_size
    with pytest.raises(CorruptPart, match="names another part"):
        read_part(data, moved, None)
    with pytest.raises(CorruptPart, match="local header is missing"):
        read_part(data[: info.header_offset], info, None)
    with pytest.raises(CorruptPart, match="ends inside it"):
        read_part(data[: info.header_offset + 100], info, None)


def test_the_memo_keeps_what_it_sees_twice_and_empties_when_full() -> None:
    memo = Memo(max_entries=2, max_bytes=1_600)
    memo.remember(b"a", "A", 10)
    assert memo.get(b"a") is None  # seen once: one person's own part
    memo.remember(b"a", "A", 10)
    assert memo.get(b"a") == "A"
    memo.remember(b"big", "B", 101)  # over a sixteenth of max_bytes: never kept
    memo.remember(b"big", "B", 101)
    assert memo.get(b"big") is None
    for key in (b"b", b"c"):
        memo.remember(key, key.decode(), 10)
        memo.remember(key, key.decode(), 10)
    assert memo.get(b"c") == "c" and memo.get(b"a") is None  # full: emptied, then kept
