"""Check a workbook's package before any XML parser or python-calamine sees it.

Workbooks come back from people: filled in Excel, LibreOffice or Google Sheets, mailed
around, sometimes damaged, sometimes not workbooks at all, in the worst case crafted.
:func:`check_package` looks at the bytes with cheap checks only (magic numbers, the zip's
central directory, the first few KB of each XML part, one pass over each worksheet) and
raises one :class:`~matrix_xl.errors.UnreadableWorkbookError` (or its child
:class:`~matrix_xl.errors.WorkbookTooLargeError` for a size limit) that names the file,
the part or sheet, and the limit against the figure found. It never writes anything.

Why each check exists (measured with python-calamine 0.9.1 and openpyxl 3.1.5):

* python-calamine builds a dense grid from the cells it finds and ignores ``<dimension>``:
  one cell at XFD1048576 asks for 512 GiB and *aborts the process* (an allocation
  failure, not a catchable panic); 16,000 cells without an ``r`` attribute on one row plus
  10,000 short rows (a 20 KB file) take 22 s and 6 GB. Hence the pass over every
  worksheet for the rows and columns its cells reach.
* openpyxl parses with defusedxml and refuses a DOCTYPE with an unclear ``ValueError``;
  calamine skips the DOCTYPE. We refuse it first, with a message that says why.
* openpyxl's ``read_only`` mode trusts ``<dimension>``: ``max_row`` says 2,000,000 for a
  36-row sheet that claims so, and a loop up to it runs for as long.
* openpyxl drops what it does not model (images without Pillow, shapes, VBA, x14
  extensions, ...) when it saves. :attr:`PackageInfo.unpreservable` lists what a file holds
  of those, so a writer can refuse instead of losing someone's work.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> info = check_package(build_workbook(owner="Ada"), "ada.xlsx")
    >>> info.unpreservable, info.has_macros
    ((), False)
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matrix_xl.errors import MatrixXLError, UnreadableWorkbookError, WorkbookTooLargeError

__all__ = ["Limits", "PackageInfo", "calamine_guard", "check_package", "read_source"]

KiB = 1024
MiB = 1024 * KiB

_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# Excel and LibreOffice only ever store or deflate; anything else is a re-zipped or crafted
# file, and refusing it keeps the part reader below to two cases.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
# What is read of a part that is not a worksheet: its prolog takes ~60 bytes, and the scan
# reads on (up to _MAX_PROLOG) when it needs to. Worksheets are read whole, once.
_HEAD = 512
_LIKELY_SHEET = re.compile(r"xl/(?:worksheets|dialogsheets|macrosheets)/[^/]+\.xml\Z")
_SHEET_ROOTS = ("worksheet", "dialogsheet", "macrosheet")
# A DOCTYPE can only stand before the root element; a prolog longer than this (a long
# comment before the DOCTYPE, say) is read no further and refused.
_MAX_PROLOG = 64 * KiB
# Encodings a spreadsheet application writes. The markup scan below reads ASCII-compatible
# bytes or UTF-16; an exotic declared encoding (EBCDIC, UTF-7, ...) could hide a DOCTYPE.
_ENCODINGS = {
    "utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "us-ascii", "ascii",
    "iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252",
}  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """Size limits applied before a workbook is parsed.

    The defaults leave wide room for a competency matrix (20-40 KB, 21 skill rows, a log of
    a few hundred rows) while keeping a hostile file from costing more than a few hundred
    MB of memory or a few seconds in openpyxl or python-calamine.

    Args:
        max_file_size: bytes of the file itself.
        max_part_size: uncompressed bytes of one part of the zip.
        max_total_size: uncompressed bytes of all parts together.
        max_ratio: uncompressed / compressed size of one part, checked for parts of at
            least ``ratio_min_size`` bytes (small parts compress far and do no harm).
        ratio_min_size: see ``max_ratio``.
        max_parts: entries in the zip.
        max_rows: the last row a worksheet may claim or use.
        max_columns: the last column a worksheet may claim or use.
    """

    max_file_size: int = 20 * MiB
    max_part_size: int = 50 * MiB
    max_total_size: int = 100 * MiB
    max_ratio: float = 100.0
    ratio_min_size: int = 1 * MiB
    max_parts: int = 1_000
    max_rows: int = 10_000
    max_columns: int = 256


@dataclass(frozen=True)
class PackageInfo:
    """What :func:`check_package` learnt about a workbook that passed every check.

    Attributes:
        parts: the zip's part names, in directory order.
        has_macros: it holds a VBA project (``xl/vbaProject.bin``).
        unpreservable: things openpyxl would drop on load + save, in words a person reads
            (``"charts in sheet 'Summary' (xl/charts/chart1.xml)"``); empty for a workbook
            matrix-xl made.
    """

    parts: tuple[str, ...]
    has_macros: bool
    unpreservable: tuple[str, ...]


# -- reading a source -----------------------------------------------------------------------


def read_source(
    source: str | Path | bytes, name: str | None = None, *, limits: Limits | None = None
) -> tuple[bytes, str]:
    """Read a workbook into memory, refusing what is not a regular file of a sane size.

    Args:
        source: a path, or the file's bytes (passed through).
        name: the name to show in messages; the path (or ``"<bytes>"``) when ``None``.
        limits: for ``max_file_size``; the defaults when ``None``.

    Returns:
        ``(data, display name)``.

    Raises:
        UnreadableWorkbookError: missing, a folder, not a regular file, or unreadable.
        WorkbookTooLargeError: over ``max_file_size``, known from the file's size before a
            byte is read.
    """
    limits = limits or Limits()
    if isinstance(source, bytes | bytearray | memoryview):
        _check_file_size(len(source), name or "<bytes>", limits)
        return bytes(source), name or "<bytes>"
    path = Path(source)
    shown = name or str(path)
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever. fstat on the
    # open descriptor then judges the very file that will be read.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableWorkbookError("no such file: check the name and folder", shown) from None
    except IsADirectoryError:
        raise UnreadableWorkbookError("this is a folder, not a workbook", shown) from None
    except PermissionError:
        raise UnreadableWorkbookError(
            "permission denied: this user may not read the file", shown
        ) from None
    except OSError as exc:
        raise UnreadableWorkbookError(
            f"cannot open the file: {exc.strerror or exc}", shown
        ) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableWorkbookError("this is a folder, not a workbook", shown)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableWorkbookError(
                "this is not a regular file (a device, pipe or socket), not a workbook", shown
            )
        _check_file_size(info.st_size, shown, limits)
        with open(fd, "rb", closefd=False) as handle:
            # One byte over the limit tells a file that grew since fstat.
            data = handle.read(limits.max_file_size + 1)
    except OSError as exc:
        raise UnreadableWorkbookError(
            f"reading the file failed: {exc.strerror or exc}", shown
        ) from None
    finally:
        os.close(fd)
    _check_file_size(len(data), shown, limits)
    return data, shown


def _check_file_size(size: int, source: str, limits: Limits) -> None:
    if size > limits.max_file_size:
        raise WorkbookTooLargeError(
            f"the file is {_size(size)}, over the {_size(limits.max_file_size)} limit for a "
            "workbook (a competency matrix is usually under 100 KB): is this the right file?",
            source,
        )


# -- python-calamine --------------------------------------------------------------------------


@contextlib.contextmanager
def calamine_guard(source: str | Path, what: str | None = None) -> Iterator[None]:
    """Turn anything python-calamine raises into one :class:`UnreadableWorkbookError`.

    python-calamine raises ``CalamineError`` and its children, and pyo3's
    ``PanicException`` when the Rust code panics (an index out of bounds on a malformed
    record, say); ``PanicException`` derives from ``BaseException``, so ``except
    Exception`` lets it through. Wrap only the calamine calls, so that a bug of ours is not
    reported as a bad workbook. Run :func:`check_package` first: calamine *aborts* the
    process, beyond any guard, on a cell reference far down or far right.

    Args:
        source: the file, to name in the message.
        what: the sheet or part being read, for the message (``"sheet 'Matrix'"``).

    Raises:
        UnreadableWorkbookError: in place of any exception but ``KeyboardInterrupt``,
            ``SystemExit``, ``GeneratorExit`` and matrix-xl's own errors, which pass as they
            are. The original is kept as ``__cause__``.

    Example:
        >>> import io, python_calamine
        >>> with calamine_guard("ada.xlsx"):
        ...     book = python_calamine.load_workbook(io.BytesIO(b"not a workbook"))
        Traceback (most recent call last):
        ...
        matrix_xl.errors.UnreadableWorkbookError: ada.xlsx: python-calamine could not ...
    """
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MatrixXLError):
        # A person stopping the program, the program ending, a generator being closed
        # (converting that breaks generators) and our own errors are not a bad file.
        raise
    except BaseException as exc:
        detail = " ".join(str(exc).split())[:200] or "no detail given"
        raise UnreadableWorkbookError(
            f"python-calamine could not read {what or 'the workbook'} "
            f"({type(exc).__name__}: {detail}); open it in Excel or LibreOffice and save it "
            "again as .xlsx",
            source,
        ) from exc


# -- the package check ------------------------------------------------------------------------


def check_package(
    data: bytes,
    source: str,
    limits: Limits | None = None,
    *,
    parts: dict[str, bytes] | None = None,
) -> PackageInfo:
    """Check a workbook's bytes before any parser sees them.

    Only cheap checks run: the file's first bytes, the zip's central directory (sizes,
    ratios, part count, encrypted entries; nothing decompressed), the first few KB of each
    XML part (no DOCTYPE or ENTITY declaration, a sane ``<dimension>``) and one pass over
    each worksheet (the rows and columns its cells reach, Excel 2010 extensions).

    Args:
        data: the file's bytes (see :func:`read_source`).
        source: the file's name, to start every message with.
        limits: the size limits; :class:`Limits` defaults when ``None``.
        parts: when given, filled with the uncompressed XML of every worksheet (the check
            reads them whole anyway) and of ``xl/workbook.xml`` and its relationships
            (when they decompress cleanly), by part name, so that a reader need not open
            the zip a second time. Filled only as far as the check got.

    Returns:
        The part names, whether it holds macros, and what openpyxl would drop on save.

    Raises:
        WorkbookTooLargeError: a size, ratio, part count, row or column limit is exceeded;
            the message gives the limit and the figure.
        UnreadableWorkbookError: empty, not an .xlsx (legacy .xls, password-protected,
            CSV, HTML, PDF, ODS, ...), a truncated or corrupt zip, a required part missing,
            or XML entity declarations (a possible XML attack).

    Example:
        >>> check_package(b"Skill,Rating\\n", "ada.xlsx")
        Traceback (most recent call last):
        ...
        matrix_xl.errors.UnreadableWorkbookError: ada.xlsx: this is not an Excel workbook ...
    """
    limits = limits or Limits()
    if not data:
        raise UnreadableWorkbookError(
            "the file is empty (0 bytes): it was not saved or downloaded completely; "
            "get the workbook again from its sender",
            source,
        )
    _check_file_size(len(data), source, limits)
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableWorkbookError(_ole2_message(data), source)
    archive = _open_zip(data, source, limits)
    infos = archive.infolist()
    _check_directory(infos, source, limits)
    names = {info.filename for info in infos}
    _check_required_parts(archive, data, names, source)
    package = _Package(data, source, limits, infos, parts)
    for info in infos:
        package.check_part(info)
    if parts is not None:
        for name in _BOOK_PARTS:
            book_part = package.infos.get(name)
            if book_part is not None and name not in parts:
                with contextlib.suppress(_CorruptPart, zlib.error):
                    parts[name] = _read_part(data, book_part, None)
    return PackageInfo(
        parts=tuple(info.filename for info in infos),
        has_macros="xl/vbaProject.bin" in names,
        unpreservable=tuple(package.unpreservable()),
    )


def _ole2_message(data: bytes) -> str:
    # An OLE2 (compound file) container: Excel 97-2003, or an encrypted OOXML workbook,
    # whose streams are named in UTF-16LE in the container's directory.
    def holds(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if holds("EncryptedPackage") or holds("EncryptionInfo"):
        return (
            "the workbook is password-protected (encrypted), so it cannot be read; open it "
            "in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
            "Password, clear it) or save an unencrypted copy, and use that"
        )
    if holds("WordDocument") or holds("PowerPoint Document"):
        return "this is a Word or PowerPoint document, not an Excel workbook: is it the right file?"
    if holds("Workbook") or holds("Book"):
        return (
            "this is a legacy Excel 97-2003 workbook (.xls); open it in Excel or LibreOffice "
            "and save it as an Excel Workbook (.xlsx)"
        )
    return (
        "this is an old-style Office document (OLE2), not an Excel workbook (.xlsx); "
        "open it in Excel or LibreOffice and save it as .xlsx"
    )


def _open_zip(data: bytes, source: str, limits: Limits) -> zipfile.ZipFile:
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if eocd >= 0 and eocd + 22 <= len(data):
        # zipfile builds a ZipInfo per directory entry (a 20 MB file can declare ~400,000):
        # read the count from the end record first. 0xFFFF means ZIP64, counted below.
        entries = struct.unpack_from("<H", data, eocd + 10)[0]
        if entries != 0xFFFF:
            _check_part_count(entries, source, limits)
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
            raise UnreadableWorkbookError(
                f"the file is a damaged zip ({exc}): it is truncated or corrupt, as when a "
                "download or an attachment is cut short; get the workbook again from its "
                "sender",
                source,
            ) from None
    raise UnreadableWorkbookError(
        f"this is not an Excel workbook (.xlsx): it looks like {_looks_like(data)}; open it "
        "in Excel or LibreOffice and save it as an Excel Workbook (.xlsx)",
        source,
    )


def _looks_like(data: bytes) -> str:
    head = data[:1024]
    for magic, kind in (
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
        (b"Rar!", "a RAR archive"),
        (b"{\\rtf", "an RTF document"),
    ):
        if head.startswith(magic):
            return kind
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text in UTF-16 (a CSV or tab-separated export, say)"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:512]:
        return "an HTML page (some systems export 'Excel' files as HTML)"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        return "an Excel 2003 XML spreadsheet"
    if text.startswith(b"<"):
        return "an XML document"
    if b"\0" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A character cut by the 1 KB window is fine; a bad byte earlier is not text.
            if exc.start < len(head) - 3:
                return "binary data of an unknown kind"
        if any(sep in head for sep in (b",", b";", b"\t")):
            return "CSV or other plain text"
        return "plain text"
    return "binary data of an unknown kind"


def _check_part_count(count: int, source: str, limits: Limits) -> None:
    if count > limits.max_parts:
        raise WorkbookTooLargeError(
            f"the zip holds {count:,} parts; the limit is {limits.max_parts:,} "
            "(a workbook has a few dozen)",
            source,
        )


def _check_directory(infos: list[zipfile.ZipInfo], source: str, limits: Limits) -> None:
    """Sizes, ratios, methods and flags from the central directory; nothing decompressed."""
    _check_part_count(len(infos), source, limits)
    seen: set[str] = set()
    total = 0
    for info in infos:
        part = info.filename
        if part in seen:
            # Two entries, one name: readers disagree on which one counts.
            raise UnreadableWorkbookError(
                f"the zip holds part {part} twice: it was damaged or tampered with", source
            )
        seen.add(part)
        if info.flag_bits & 0x1:
            raise UnreadableWorkbookError(
                f"part {part} is encrypted inside the zip, which Excel never does (Excel "
                "encrypts the whole file); save an unencrypted copy from Excel",
                source,
            )
        if info.compress_type not in _METHODS:
            raise UnreadableWorkbookError(
                f"part {part} uses zip compression method {info.compress_type}, which no "
                "spreadsheet application writes (the file was re-zipped by another tool); "
                "save it again from Excel or LibreOffice",
                source,
            )
        size = info.file_size
        if size > limits.max_part_size:
            raise WorkbookTooLargeError(
                f"part {part} expands to {_size(size)}; the limit is "
                f"{_size(limits.max_part_size)} per part",
                source,
            )
        ratio = size / max(info.compress_size, 1)
        if size >= limits.ratio_min_size and ratio > limits.max_ratio:
            raise WorkbookTooLargeError(
                f"part {part} expands {ratio:,.0f} times (from {_size(info.compress_size)} "
                f"to {_size(size)}); the limit is {limits.max_ratio:,.0f} times for parts "
                f"over {_size(limits.ratio_min_size)}: this looks like a zip bomb",
                source,
            )
        total += size
    if total > limits.max_total_size:
        raise WorkbookTooLargeError(
            f"the parts expand to {_size(total)} in all; the limit is "
            f"{_size(limits.max_total_size)}",
            source,
        )


def _check_required_parts(
    archive: zipfile.ZipFile, data: bytes, names: set[str], source: str
) -> None:
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return
    if "mimetype" in names and _odf_type(data, archive.getinfo("mimetype")) == "spreadsheet":
        raise UnreadableWorkbookError(
            "this is an OpenDocument spreadsheet (.ods), not an Excel workbook; open it in "
            "LibreOffice or Excel and save it as .xlsx",
            source,
        )
    if "xl/workbook.bin" in names:
        raise UnreadableWorkbookError(
            "this is an Excel Binary Workbook (.xlsb); open it in Excel and save it as an "
            "Excel Workbook (.xlsx)",
            source,
        )
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        raise UnreadableWorkbookError(
            "this is a Word or PowerPoint document, not an Excel workbook: is it the right file?",
            source,
        )
    missing = next(p for p in ("[Content_Types].xml", "xl/workbook.xml") if p not in names)
    raise UnreadableWorkbookError(
        f"the zip has no {missing}, so it is not an Excel workbook, or it was damaged; "
        "open it in Excel or LibreOffice and save it as .xlsx, or get it again",
        source,
    )


def _odf_type(data: bytes, info: zipfile.ZipInfo) -> str:
    # OpenDocument keeps its type in a small 'mimetype' entry at the start of the zip.
    if info.file_size > 200:
        return ""
    try:
        mimetype = _read_part(data, info, None)
    except (_CorruptPart, zlib.error):
        return ""
    return mimetype.decode("latin-1").rpartition("opendocument.")[2]


# -- reading parts ---------------------------------------------------------------------------


class _CorruptPart(Exception):
    """A part's bytes do not decompress to what the directory says."""


class _Memo:
    """A small memo for pure functions of bytes: what is seen twice is kept.

    A team's workbooks share most of their parts byte for byte (the rubric, the guide, the
    styles ...): remembering what such a part decompresses to, and that a worksheet passed
    its checks, saves a third of the check in a roll-up. An entry is kept the second time
    its key is seen, so one person's own parts (ratings, notes) never fill the memo, which
    is emptied when full. Keys hold the exact bytes; a key's hash only decides what is
    worth keeping (a CRC or a short digest can be forged to match a harmless part).
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.entries: dict[Hashable, Any] = {}
        self.seen: set[int] = set()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0

    def get(self, key: Hashable) -> Any:
        return self.entries.get(key)

    def remember(self, key: Hashable, value: Any, size: int) -> None:
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
_PARTS = _Memo(max_entries=256, max_bytes=4 * MiB)
# (worksheet XML, limits) -> the labels of its Excel extensions, for sheets that passed
_SHEET_CHECKS = _Memo(max_entries=256, max_bytes=4 * MiB)


def _read_part(data: bytes, info: zipfile.ZipInfo, limit: int | None) -> bytes:
    """The first ``limit`` uncompressed bytes of a part, or all of it (checked) if None.

    Reads straight from ``data`` at the offset the directory gives: ``ZipFile.open`` costs
    ~20 us a part, which on a 1,000-file roll-up is most of the check. A part seen before
    (the same compressed bytes) is not decompressed again.
    """
    offset = info.header_offset
    if data[offset : offset + 4] != b"PK\x03\x04" or offset + 30 > len(data):
        raise _CorruptPart("its local header is missing")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if data[offset + 30 : offset + 30 + name_len] != info.orig_filename.encode(encoding):
        raise _CorruptPart("its local header names another part")
    start = offset + 30 + name_len + extra_len
    packed = memoryview(data)[start : start + info.compress_size]
    if len(packed) < info.compress_size:
        raise _CorruptPart("the file ends inside it")
    if info.compress_size > _MEMO_PART_SIZE:
        return _inflate(packed, info, limit)
    key = (info.compress_type, info.CRC, info.file_size, limit, bytes(packed))
    raw: bytes | None = _PARTS.get(key)
    if raw is None:
        raw = _inflate(packed, info, limit)
        _PARTS.remember(key, raw, len(packed) + len(raw))
    return raw


def _inflate(packed: memoryview, info: zipfile.ZipInfo, limit: int | None) -> bytes:
    if info.compress_type == zipfile.ZIP_STORED:
        raw = bytes(packed if limit is None else packed[:limit])
        if limit is None and (len(raw) != info.file_size or zlib.crc32(raw) != info.CRC):
            raise _CorruptPart("its checksum (CRC) does not match")
        return raw
    inflater = zlib.decompressobj(-15)
    if limit is not None:
        return inflater.decompress(packed, limit)
    raw = inflater.decompress(packed, info.file_size + 1)
    if len(raw) != info.file_size or not inflater.eof:
        raise _CorruptPart(
            f"it decompresses to {'more' if len(raw) > info.file_size else 'less'} than the "
            f"{info.file_size:,} bytes declared"
        )
    if zlib.crc32(raw) != info.CRC:
        raise _CorruptPart("its checksum (CRC) does not match")
    return raw


# Markup of the sheets and drawings, matched on bytes with any namespace prefix.
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_DIMENSION = re.compile(rb"<" + _PREFIX + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
# A row or cell start tag whose first attribute is not r="..." (every spreadsheet application
# writes it first), or one with a namespace prefix: positions then need counting.
# (Three patterns, each starting with a literal that re searches fast: 3x quicker than one.)
_UNUSUAL_TAGS = tuple(
    re.compile(pattern)
    for pattern in (rb"<c(?=[\s/>])(?! r=\")", rb"<row(?=[\s/>])(?! r=\")", rb":(?:c|row)[\s/>]")
)
# The prolog applications write: an XML declaration (or none), then the root element.
_PLAIN_PROLOG = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:<\?xml((?:\s+[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*\?>)?"
    rb"\s*<(?:[\w.-]+:)?([\w.-]+)"
)
_TAG = re.compile(rb"<" + _PREFIX + rb"(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"\sr\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"\$?([A-Za-z]*)\$?([0-9]*)")
_EXT_URI = re.compile(rb"<" + _PREFIX + rb"ext\s[^>]*?\buri\s*=\s*[\"']([^\"']+)[\"']")
_SHAPE = re.compile(rb"<" + _PREFIX + rb"(?:sp|grpSp|cxnSp|contentPart)[\s/>]")
_ROOT_NAME = re.compile(r"<([^\s/>]+)")
_ENCODING = re.compile(r"""\bencoding\s*=\s*["']([^"']*)["']""")

# Excel 2010+ extensions in a worksheet's <extLst>, which openpyxl drops on load (the GUIDs
# of openpyxl.xml.constants.EXT_TYPES, worded for a person).
_SHEET_EXTENSIONS = {
    "{78C0D931-6437-407D-A8EE-F0AAD7539E65}": "Excel 2010 conditional formats (data bar, "
    "icon set or rules referring to other sheets)",
    "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}": "Excel 2010 data validations (drop-down lists "
    "referring to other sheets)",
    "{05C60535-1F16-4FD2-B633-F4F36F0B64E0}": "sparklines",
    "{A8765BA9-456A-4DAB-B4F3-ACF838C121DE}": "slicers",
    "{3A4CF648-6AED-40F4-86FF-DC5316D8AED3}": "slicers",
    "{FC87AEE6-9EDD-4A0A-B7FB-166176984837}": "protected ranges (Excel 2010)",
    "{01252117-D84E-4E92-8308-4BE1C098FCBB}": "ignored-error settings (Excel 2010)",
    "{F7C9EE02-42E1-4005-9D12-6889AFFD525C}": "Office add-ins (web extensions)",
    "{7E03D99C-DC04-49D9-9315-930204A7B6E9}": "timelines",
}
# The x14:id that links a conditional format's rule to its extension at the end of the
# sheet: reported through that extension, not on its own.
_CF_RULE_LINK = "{B025F937-C7B1-47D3-B67F-A62EFF666E3E}"


# Parts a reader needs to find a worksheet by its name (see ``parts`` of check_package).
_BOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")


class _Package:
    """The per-part checks of one package, and what openpyxl would drop from it."""

    def __init__(
        self,
        data: bytes,
        source: str,
        limits: Limits,
        infos: list[zipfile.ZipInfo],
        keep: dict[str, bytes] | None = None,
    ) -> None:
        self.data = data
        self.keep = keep  # worksheets' XML, for check_package's caller
        self.source = source
        self.limits = limits
        self.infos = {info.filename: info for info in infos}
        self.sheets: list[str] = []  # worksheet parts, found by their root element
        self.found: list[str] = []  # unpreservable things found inside parts
        self._sheet_names: dict[str, str] | None = None

    def check_part(self, info: zipfile.ZipInfo) -> None:
        if info.is_dir() or info.file_size == 0:
            return
        # Read a worksheet whole at once (it is scanned whole anyway); find a worksheet
        # under another name by its root element.
        whole = info.file_size <= _HEAD or bool(_LIKELY_SHEET.match(info.filename))
        head = self._read(info, None if whole else _HEAD)
        root = self._check_prolog(info, head)
        if root in _SHEET_ROOTS:
            self.sheets.append(info.filename)
            content = head if whole else self._read(info, None)
            self._check_sheet(info, content)
            if self.keep is not None:
                self.keep[info.filename] = content
        elif root == "wsDr" and _SHAPE.search(head if whole else self._read(info, None)):
            self.found.append(info.filename)

    def unpreservable(self) -> list[str]:
        """What openpyxl would drop, grouped by kind and, where known, by sheet."""
        items: list[str] = []
        by_kind: dict[str, list[str]] = {}
        for part in sorted(self.infos):
            label = _unpreservable_kind(part)
            if label:
                by_kind.setdefault(label, []).append(part)
        if self.found:
            by_kind.setdefault("shapes or text boxes", []).extend(
                p for p in self.found if p.startswith("xl/drawings/")
            )
        owners = self._owners() if by_kind else {}
        for label, parts in by_kind.items():
            per_place: dict[str, list[str]] = {}
            for part in parts:
                for sheet in sorted(owners.get(part, ())) or [""]:
                    per_place.setdefault(sheet, []).append(part)
            for sheet, held in per_place.items():
                where = f" in {self._sheet_label(sheet)}" if sheet else ""
                more = f" and {len(held) - 1} more" if len(held) > 1 else ""
                items.append(f"{label}{where} ({held[0]}{more})")
        items.extend(p for p in self.found if not p.startswith("xl/drawings/"))
        return items

    def _read(self, info: zipfile.ZipInfo, limit: int | None) -> bytes:
        try:
            return _read_part(self.data, info, limit)
        except (_CorruptPart, zlib.error) as exc:
            raise UnreadableWorkbookError(
                f"part {info.filename} is corrupt ({exc}): the file was damaged, for instance "
                "cut short in transit; get the workbook again from its sender",
                self.source,
            ) from None

    def _check_prolog(self, info: zipfile.ZipInfo, data: bytes) -> str | None:
        """Refuse a DOCTYPE (every entity attack needs one); return the root's local name.

        ``data`` is the start of the part, or all of it.
        """
        plain = _PLAIN_PROLOG.match(data)
        if plain:  # what applications write: a declaration, then the root element
            declared = _ENCODING.search((plain.group(1) or b"").decode("latin-1"))
            if declared is None or declared.group(1).strip().lower() in _ENCODINGS:
                return plain.group(2).decode("latin-1")
        size = min(len(data), _HEAD)
        text = _as_text(data[:size])
        if text is None:
            return None  # not XML: a picture, vbaProject.bin, ...
        while True:
            result = _scan_prolog(text)
            if isinstance(result, _Refusal):
                raise UnreadableWorkbookError(f"{result} in part {info.filename}", self.source)
            if result is not None:
                return result or None
            if size >= info.file_size:
                return None  # a prolog and no root: not well-formed, the parser will say
            if size >= _MAX_PROLOG:
                raise UnreadableWorkbookError(
                    f"part {info.filename} has more than {_size(_MAX_PROLOG)} before its "
                    "first element, which no spreadsheet application writes (possible XML "
                    "attack)",
                    self.source,
                )
            size = min(size * 4, _MAX_PROLOG, info.file_size)
            more = data[:size] if len(data) >= size else self._read(info, size)
            text = _as_text(more) or ""

    def _check_sheet(self, info: zipfile.ZipInfo, content: bytes) -> None:
        key = (content, self.limits)
        labels = _SHEET_CHECKS.get(key)
        if labels is None:
            labels = self._sheet_extensions(info, content)
            _SHEET_CHECKS.remember(key, labels, len(content))
        if labels:
            sheet = self._sheet_label(info.filename)
            self.found.extend(f"{label} in {sheet} ({info.filename})" for label in labels)

    def _sheet_extensions(self, info: zipfile.ZipInfo, content: bytes) -> tuple[str, ...]:
        """Raise if the sheet's cells reach beyond the limits; its extensions' labels."""
        limits = self.limits
        match = _DIMENSION.search(content, 0, 8 * KiB)  # it comes right after sheetPr
        if match:
            ref = match.group(1).decode("latin-1")
            rows, columns = _ref_extent(ref)
            claim = f"(its dimension is {ref})"
            if rows > limits.max_rows:
                self._too_large(info, f"claims {rows:,} rows {claim}", limits.max_rows, "rows")
            if columns > limits.max_columns:
                self._too_large(
                    info, f"claims {columns:,} columns {claim}", limits.max_columns, "columns"
                )
        rows, columns = _cell_extent(content, limits)
        if rows > limits.max_rows:
            self._too_large(info, f"has cells down to row {rows:,}", limits.max_rows, "rows")
        if columns > limits.max_columns:
            self._too_large(
                info,
                f"has cells out to column {_column_name(columns)} ({columns:,})",
                limits.max_columns,
                "columns",
            )
        if b"extLst" not in content:
            return ()
        uris = {m.group(1).decode("latin-1").upper() for m in _EXT_URI.finditer(content)}
        labels = {
            _SHEET_EXTENSIONS.get(uri, f"Excel extension data ({uri})")
            for uri in uris - {_CF_RULE_LINK}
        }
        return tuple(sorted(labels))

    def _too_large(self, info: zipfile.ZipInfo, claim: str, limit: int, unit: str) -> None:
        raise WorkbookTooLargeError(
            f"{self._sheet_label(info.filename)} ({info.filename}) {claim}; the limit is "
            f"{limit:,} {unit}: delete what lies beyond the data (Ctrl+End shows the last "
            "cell in use) and save again",
            self.source,
        )

    def _sheet_label(self, part: str) -> str:
        """``sheet 'Matrix'``; names are worked out only when a message needs one."""
        if self._sheet_names is None:
            self._sheet_names = self._read_sheet_names()
        name = self._sheet_names.get(part)
        return f"sheet {name!r}" if name is not None else "a sheet"

    def _read_sheet_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        book = self.infos.get("xl/workbook.xml")
        if book is None:
            return names
        targets = dict(self._relationships("xl/workbook.xml"))
        for attrs in _elements(self._read(book, None), b"sheet"):
            rel_id = next((v for k, v in attrs.items() if k.endswith(":id")), "")
            if rel_id in targets:
                names[targets[rel_id]] = attrs.get("name", "")
        return names

    def _relationships(self, part: str) -> list[tuple[str, str]]:
        """(Id, target part) of the internal relationships of ``part``."""
        folder, _, file = part.rpartition("/")
        folder = f"{folder}/" if folder else ""
        rels = self.infos.get(f"{folder}_rels/{file}.rels")
        if rels is None:
            return []
        found = []
        for attrs in _elements(self._read(rels, None), b"Relationship"):
            target = attrs.get("Target", "")
            if attrs.get("TargetMode", "") == "External" or not target:
                continue
            if target.startswith("/"):
                resolved = posixpath.normpath(target.lstrip("/"))
            else:
                resolved = posixpath.normpath(folder + target)
            found.append((attrs.get("Id", ""), resolved))
        return found

    def _owners(self) -> dict[str, set[str]]:
        """part -> the worksheets that reach it through relationships (drawing, chart...)."""
        owners: dict[str, set[str]] = {}
        for sheet in self.sheets:
            stack, seen = [sheet], {sheet}
            while stack:
                for _, target in self._relationships(stack.pop()):
                    if target not in seen and target in self.infos:
                        seen.add(target)
                        owners.setdefault(target, set()).add(sheet)
                        stack.append(target)
        return owners


class _Refusal(str):
    """A reason to refuse a part, as found by :func:`_scan_prolog`."""


def _as_text(head: bytes) -> str | None:
    """The head of an XML part as text for markup scanning; None when it is not XML.

    Latin-1 maps bytes one to one, so markup in any ASCII-compatible encoding reads as is;
    UTF-16 (with or without a byte order mark) is decoded, since a parser accepts it.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if head[:2] in (b"<\0", b"\0<"):
        return head.decode("utf-16-le" if head[0] else "utf-16-be", errors="replace")
    text = head.decode("latin-1").removeprefix("\xef\xbb\xbf")
    return text if text.lstrip()[:1] == "<" else None


def _scan_prolog(text: str) -> str | None:
    """Walk an XML prolog: the root's local name, ``""`` (no root), None (read more), or a
    :class:`_Refusal`.

    The prolog is declarations, comments, processing instructions and one DOCTYPE; entity
    declarations live only inside the DOCTYPE, so a prolog without one is free of billion
    laughs, quadratic blow-up and external entities alike.
    """
    i, end = 0, len(text)
    while True:
        while i < end and text[i] in " \t\r\n":
            i += 1
        if i >= end:
            return None
        if text.startswith("<?", i):
            close = text.find("?>", i)
            if close < 0:
                return None
            declared = _ENCODING.search(text, i, close)
            if declared and declared.group(1).strip().lower() not in _ENCODINGS:
                return _Refusal(
                    f"the text encoding {declared.group(1)!r} is not one a spreadsheet "
                    "application writes (possible XML attack)"
                )
            i = close + 2
        elif text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            if close < 0:
                return None
            i = close + 3
        elif text.startswith("<!", i):
            return _Refusal(
                "XML entity declarations are not allowed (possible XML attack): found "
                f"{text[i : i + 9]!r}"
            )
        elif text[i] == "<":
            match = _ROOT_NAME.match(text, i)
            if match is None:
                return "" if end - i > 256 else None
            return match.group(1).rpartition(":")[2]
        else:
            return ""  # text before the root: not well-formed, the parser will say so


def _ref_extent(ref: str) -> tuple[int, int]:
    """The last row and column a reference such as ``A1:H36`` reaches (0 when absent)."""
    rows = columns = 0
    for corner in ref.split(":"):
        match = _REF.fullmatch(corner.strip())
        if match:
            letters, digits = match.groups()
            columns = max(columns, _column_number(letters))
            rows = max(rows, _number(digits))
    return rows, columns


def _number(digits: str) -> int:
    # Beyond 10 digits the exact figure says nothing more; int() of a huge string is slow.
    return int(digits[:10]) if digits else 0


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper()[:8]:
        number = number * 26 + ord(letter) - 64
    return number


def _column_name(number: int) -> str:
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


@functools.lru_cache(maxsize=8)
def _far_ref(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """r values that may lie beyond the limits: enough letters or digits, or escaped.

    Sheets of 26 columns or fewer and rows below the limit give no match, so a normal sheet
    costs one scan in C. The pattern starts with a literal, which re searches fast; a match
    is an r attribute only when whitespace precedes it and it stands inside a tag.
    """
    letters = len(_column_name(max_columns + 1))
    digits = len(str(max_rows + 1))
    return re.compile(
        rb"r\s*=\s*[\"']\s*([A-Za-z]{%d,}[0-9]+|[A-Za-z]*[0-9]{%d,}|[^\"'<>]*&[^\"'<>]*)[\"']"
        % (letters, digits)
    )


def _cell_extent(content: bytes, limits: Limits) -> tuple[int, int]:
    """The farthest row and column the cells of a worksheet reach, as calamine places them.

    Excel, LibreOffice, Google Sheets, openpyxl and xlsxwriter write ``r`` first on every
    row and cell; then only the references that may exceed the limits are looked at. Any
    other sheet has its positions counted, tag by tag, as a reader does.
    """
    if any(pattern.search(content) for pattern in _UNUSUAL_TAGS):
        return _counted_extent(content)
    rows = columns = 0
    for match in _far_ref(limits.max_rows, limits.max_columns).finditer(content):
        start = match.start()
        if not content[start - 1 : start].isspace():
            continue  # an attribute whose name ends in r (operator="lessThan")
        if content.rfind(b"<", 0, start) < content.rfind(b">", 0, start):
            continue  # text, not a tag
        r, c = _ref_extent(html.unescape(match.group(1).decode("latin-1")))
        rows, columns = max(rows, r), max(columns, c)
    return rows, columns


def _counted_extent(content: bytes) -> tuple[int, int]:
    # A row without r follows the previous row; a cell without r, the previous cell.
    rows = columns = row = column = 0
    for match in _TAG.finditer(content):
        found = None
        for ref in _R_ATTR.finditer(match.group(2)):  # the last r wins, as in calamine
            found = ref
        r, c = _ref_extent(html.unescape(found.group(1).decode("latin-1"))) if found else (0, 0)
        if match.group(1) == b"row":
            row, column = (r if found else row + 1), 0
        else:
            column = c if found else column + 1
            row = max(row, r)
        rows, columns = max(rows, row), max(columns, column)
    return rows, columns


_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*["']([^"']*)["']""")


@functools.lru_cache(maxsize=4)
def _element(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<" + _PREFIX + name + rb"\s([^>]*)>")


def _elements(content: bytes, name: bytes) -> Iterator[dict[str, str]]:
    """The attributes of each ``<name ...>`` element (for small, already checked parts)."""
    for match in _element(name).finditer(content):
        attrs = _ATTRIBUTE.findall(match.group(1).decode("utf-8", errors="replace"))
        yield {key: html.unescape(value) for key, value in attrs}


# What openpyxl 3.1 drops (or rewrites, losing detail) on load + save, by part folder.
# Left out on purpose: comments' VML (only the look of the comment box is lost),
# printerSettings (a printer's binary settings), calcChain (Excel rebuilds it),
# customXml (document-management metadata such as SharePoint's), tables (kept).
_UNPRESERVABLE_PARTS = (
    ("xl/media/", "images or other media"),
    ("xl/charts/chart", "charts"),
    ("xl/chartsheets/", "chart sheets"),
    ("xl/vbaProject.bin", "VBA macros"),
    ("xl/activeX/", "ActiveX controls"),
    ("xl/ctrlProps/", "form controls"),
    ("xl/embeddings/", "embedded objects"),
    ("xl/pivotTables/", "pivot tables"),
    ("xl/externalLinks/", "links to other workbooks"),
    ("xl/slicers/", "slicers"),
    ("xl/slicerCaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/diagrams/", "SmartArt diagrams"),
    ("xl/threadedComments/", "threaded comments (with replies)"),
    ("xl/richData/", "pictures in cells or linked data types"),
    ("xl/metadata.xml", "dynamic array formulas"),
    ("xl/model/", "a data model (Power Pivot)"),
    ("xl/connections.xml", "data connections"),
    ("xl/queryTables/", "query tables"),
    ("xl/webextensions/", "Office add-ins"),
    ("xl/macrosheets/", "Excel 4 macro sheets"),
    ("xl/dialogsheets/", "dialog sheets"),
    ("xl/revisions/", "shared-workbook change history"),
)


_UNPRESERVABLE_PART = re.compile("|".join(f"({re.escape(p)})" for p, _ in _UNPRESERVABLE_PARTS))


def _unpreservable_kind(part: str) -> str:
    match = _UNPRESERVABLE_PART.match(part)
    return _UNPRESERVABLE_PARTS[match.lastindex - 1][1] if match and match.lastindex else ""


def _size(size: int) -> str:
    if size >= MiB:
        return f"{size / MiB:,.1f} MiB"
    if size >= KiB:
        return f"{size / KiB:,.1f} KiB"
    return f"{size:,} bytes"
