"""Read one part of a zip straight from the file's bytes, checked, and remember repeats.

``zipfile.ZipFile.open`` costs about 20 us a part, which on a 1,000-file roll-up is most
of the package check; the parts are read here from the offsets the zip's directory gives
instead, with the same checks (the local header, the declared size, the CRC). A team's
workbooks share most of their parts byte for byte, so what such a part inflates to is
remembered (:class:`Memo`).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Hashable
from typing import Any

from matrix_xl.errors import UnreadableWorkbookError
from matrix_xl.read.limits import KiB, MiB

__all__ = ["CorruptPart", "Memo", "read_checked", "read_part"]


class CorruptPart(Exception):
    """A part's bytes do not decompress to what the directory says."""


class Memo:
    """A small memo for pure functions of bytes: what is seen twice is kept.

    A team's workbooks share most of their parts byte for byte (the rubric, the guide, the
    styles ...): remembering what such a part decompresses to, and that a worksheet passed
    its checks, saves a third of the check in a roll-up. An entry is kept the second time
    its key is seen, so one person's own parts (ratings, notes) never fill the memo, which
    is emptied when full. Keys hold the exact bytes; a key's hash only decides what is
    worth keeping (a CRC or a short digest can be forged to match a harmless part).

    Args:
        max_entries: entries kept at most.
        max_bytes: the sum of the ``size`` of the entries kept at most; an entry of more
            than a sixteenth of it is never kept.
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.entries: dict[Hashable, Any] = {}
        self.seen: set[int] = set()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0

    def get(self, key: Hashable) -> Any:
        """The value kept for ``key``, or None."""
        return self.entries.get(key)

    def remember(self, key: Hashable, value: Any, size: int) -> None:
        """Keep ``value`` for ``key`` if ``key`` was seen before (``size``: its cost)."""
        if size > self.max_bytes // 16:
            return
        digest = hash(key)
        if digest not in self.seen:
            if len(self.seen) >= 16 * self.max_entries:
                self.seen.clear()
            self.seen.add(digest)
            return
        if len(self.entries) >= self.max_entries or self.size + size > self.max_bytes:
            self.entries.clear()
            self.size = 0
        self.entries[key] = value
        self.size += size


# (method, CRC, size, limit, compressed bytes) -> uncompressed bytes, for small parts
_MEMO_PART_SIZE = 256 * KiB
_PARTS = Memo(max_entries=256, max_bytes=4 * MiB)


def read_part(data: bytes, info: zipfile.ZipInfo, limit: int | None) -> bytes:
    """The first ``limit`` uncompressed bytes of a part, or all of it (checked) if None.

    Args:
        data: the whole zip file.
        info: the part's entry in the zip's directory.
        limit: how many uncompressed bytes to read (at least 1: zlib reads 0 as no
            limit); ``None`` reads the whole part and checks its size and CRC.

    Returns:
        The uncompressed bytes. A part seen before (the same compressed bytes) is not
        decompressed again.

    Raises:
        CorruptPart: the local header is missing or names another part, the file ends
            inside the part, or the part does not inflate to its declared size and CRC.
        zlib.error: the deflated stream is damaged.
    """
    offset = info.header_offset
    if data[offset : offset + 4] != b"PK\x03\x04" or offset + 30 > len(data):
        raise CorruptPart("its local header is missing")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if data[offset + 30 : offset + 30 + name_len] != info.orig_filename.encode(encoding):
        raise CorruptPart("its local header names another part")
    start = offset + 30 + name_len + extra_len
    packed = memoryview(data)[start : start + info.compress_size]
    if len(packed) < info.compress_size:
        raise CorruptPart("the file ends inside it")
    if info.compress_size > _MEMO_PART_SIZE:
        return _inflate(packed, info, limit)
    key = (info.compress_type, info.CRC, info.file_size, limit, bytes(packed))
    raw: bytes | None = _PARTS.get(key)
    if raw is None:
        raw = _inflate(packed, info, limit)
        _PARTS.remember(key, raw, len(packed) + len(raw))
    return raw


def read_checked(data: bytes, info: zipfile.ZipInfo, limit: int | None, source: str) -> bytes:
    """:func:`read_part`, with a damaged part reported as a damaged workbook.

    Args:
        data: the whole zip file.
        info: the part's entry in the zip's directory.
        limit: as for :func:`read_part`.
        source: the file's name, to start the message with.

    Returns:
        The uncompressed bytes.

    Raises:
        UnreadableWorkbookError: the part is corrupt; the message names it.
    """
    try:
        return read_part(data, info, limit)
    except (CorruptPart, zlib.error) as exc:
        raise UnreadableWorkbookError(
            f"part {info.filename} is corrupt ({exc}): the file was damaged, for instance "
            "cut short in transit; get the workbook again from its sender",
            source,
        ) from None


def _inflate(packed: memoryview, info: zipfile.ZipInfo, limit: int | None) -> bytes:
    if info.compress_type == zipfile.ZIP_STORED:
        raw = bytes(packed if limit is None else packed[:limit])
        if limit is None and (len(raw) != info.file_size or zlib.crc32(raw) != info.CRC):
            raise CorruptPart("its checksum (CRC) does not match")
        return raw
    inflater = zlib.decompressobj(-15)
    if limit is not None:
        return inflater.decompress(packed, limit)
    raw = inflater.decompress(packed, info.file_size + 1)
    if len(raw) != info.file_size or not inflater.eof:
        raise CorruptPart(
            f"it decompresses to {'more' if len(raw) > info.file_size else 'less'} than the "
            f"{info.file_size:,} bytes declared"
        )
    if zlib.crc32(raw) != info.CRC:
        raise CorruptPart("its checksum (CRC) does not match")
    return raw
