"""Check a workbook's package before any XML parser or python-calamine sees it.

Workbooks come back from people: filled in Excel, LibreOffice or Google Sheets, mailed
around, sometimes damaged, sometimes not workbooks at all, in the worst case crafted.
:func:`check_package` looks at the bytes with cheap checks only (magic numbers, the zip's
central directory, the first few KB of each XML part, one pass over each worksheet) and
raises one :class:`~matrix_xl.errors.UnreadableWorkbookError` (or its child
:class:`~matrix_xl.errors.WorkbookTooLargeError` for a size limit) that names the file,
the part or sheet, and the limit against the figure found. It never writes anything.

Why each check exists (measured with python-calamine 0.9.1 and openpyxl 3.1.5):

* python-calamine builds a dense grid reaching the farthest cell holding a value or
  inline text, and ignores ``<dimension>``, empty rows and styled empty cells: one value
  at XFD1048576 asks for 512 GiB and *aborts the process* (an allocation failure, not a
  catchable panic); 16,000 cells without an ``r`` attribute on one row plus 10,000 short
  rows (a 20 KB file) take 22 s and 6 GB. Hence the pass over every worksheet for a cell
  holding something beyond the limits. What applications write far down without data
  (LibreOffice's empty ``<row r="1048576">`` after a row is deleted, a ``<dimension>`` to
  match it) is not counted: it costs calamine nothing and refusing it would refuse
  ordinary files.
* openpyxl parses with defusedxml and refuses a DOCTYPE with an unclear ``ValueError``;
  calamine skips the DOCTYPE. We refuse it first, with a message that says why.

What the check learns on the way (the parts, their root elements, which part is which
sheet, the XML it inflated) comes back as a :class:`PackageInfo`, so that nothing after it
resolves or inflates the same parts again.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> info = check_package(build_workbook(owner="Ada"), "ada.xlsx")
    >>> info.sheets["Matrix"], info.has_macros
    ('xl/worksheets/sheet1.xml', False)
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from matrix_xl.errors import UnreadableWorkbookError, WorkbookTooLargeError
from matrix_xl.read.inflate import CorruptPart, Memo, read_checked, read_part
from matrix_xl.read.limits import KiB, Limits, MiB, check_file_size, size_text
from matrix_xl.read.xmlscan import (
    Refusal,
    as_text,
    book_sheets,
    plain_root,
    scan_cells,
    scan_prolog,
)
from matrix_xl.xlsx.cells import col_letter

__all__ = ["SHEET_ROOTS", "PackageInfo", "check_package"]

_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# Excel and LibreOffice only ever store or deflate; anything else is a re-zipped or crafted
# file, and refusing it keeps the part reader to two cases.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
# What is read of a part that is not a worksheet: its prolog takes ~60 bytes, and the scan
# reads on (up to _MAX_PROLOG) when it needs to. Worksheets are read whole, once.
_HEAD = 512
_LIKELY_SHEET = re.compile(r"xl/(?:worksheets|dialogsheets|macrosheets)/[^/]+\.xml\Z")
# The root elements of the parts python-calamine reads as sheets of cells.
SHEET_ROOTS = ("worksheet", "dialogsheet", "macrosheet")
# A DOCTYPE can only stand before the root element; a prolog longer than this (a long
# comment before the DOCTYPE, say) is read no further and refused.
_MAX_PROLOG = 64 * KiB
# The book's parts: which part is which sheet.
_BOOK = "xl/workbook.xml"
_BOOK_RELS = "xl/_rels/workbook.xml.rels"
# (worksheet XML, limits) of the sheets that passed their check
_SHEET_CHECKS = Memo(max_entries=256, max_bytes=4 * MiB)


@dataclass(frozen=True)
class PackageInfo:
    """What :func:`check_package` learnt about a workbook that passed every check.

    Attributes:
        parts: the zip's part names, in directory order.
        has_macros: it holds a VBA project (``xl/vbaProject.bin``).
        roots: part -> the local name of its root element, for each part read as XML.
        sheets: sheet name -> its part, resolved through ``xl/workbook.xml`` and its
            relationships (empty when those do not decompress cleanly).
        xml: the uncompressed XML of every worksheet (the check reads them whole anyway),
            and of ``xl/workbook.xml`` and its relationships when they decompress
            cleanly, by part name, so that a reader need not open the zip again.
    """

    parts: tuple[str, ...]
    has_macros: bool
    roots: Mapping[str, str]
    sheets: Mapping[str, str]
    xml: Mapping[str, bytes] = field(repr=False, compare=False)

    def sheet_xml(self, sheet: str) -> bytes | None:
        """The XML of the worksheet named ``sheet``, as the check read it (None if unknown)."""
        part = self.sheets.get(sheet)
        return self.xml.get(part) if part is not None else None


def check_package(data: bytes, source: str, limits: Limits | None = None) -> PackageInfo:
    """Check a workbook's bytes before any parser sees them.

    Only cheap checks run: the file's first bytes, the zip's central directory (sizes,
    ratios, part count, encrypted entries; nothing decompressed), the first few KB of each
    XML part (no DOCTYPE or ENTITY declaration) and one pass over each worksheet (no cell
    holding something beyond the row and column limits).

    Args:
        data: the file's bytes (see :func:`matrix_xl.read.source.read_source`).
        source: the file's name, to start every message with.
        limits: the size limits; :class:`~matrix_xl.read.limits.Limits` defaults when
            ``None``.

    Returns:
        What the check learnt: the part names, whether it holds macros, each part's root
        element, which part is which sheet, and the XML it inflated.

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
    _check_file(data, source, limits)
    archive = _open_zip(data, source, limits)
    infos = archive.infolist()
    _check_directory(infos, source, limits)
    names = {info.filename for info in infos}
    _check_required_parts(archive, data, names, source)
    package = _Package(data, source, limits, infos)
    for info in infos:
        package.check_part(info)
    return package.info("xl/vbaProject.bin" in names)


# -- the file and its zip directory -------------------------------------------------------------


def _check_file(data: bytes, source: str, limits: Limits) -> None:
    if not data:
        raise UnreadableWorkbookError(
            "the file is empty (0 bytes): it was not saved or downloaded completely; "
            "get the workbook again from its sender",
            source,
        )
    check_file_size(len(data), source, limits)
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableWorkbookError(_ole2_message(data), source)


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
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # a directory entry claiming a zip version from the future
        ValueError,
        OSError,
        EOFError,
    ) as exc:
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


_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
)


def _looks_like(data: bytes) -> str:
    head = data[:1024]
    for magic, kind in _MAGIC:
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
        return _plain_text_kind(head)
    return "binary data of an unknown kind"


def _plain_text_kind(head: bytes) -> str:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut by the 1 KB window is fine; a bad byte earlier is not text.
        if exc.start < len(head) - 3:
            return "binary data of an unknown kind"
    if any(sep in head for sep in (b",", b";", b"\t")):
        return "CSV or other plain text"
    return "plain text"


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
        if info.filename in seen:
            # Two entries, one name: readers disagree on which one counts.
            raise UnreadableWorkbookError(
                f"the zip holds part {info.filename} twice: it was damaged or tampered with",
                source,
            )
        seen.add(info.filename)
        _check_entry(info, source, limits)
        total += info.file_size
    if total > limits.max_total_size:
        raise WorkbookTooLargeError(
            f"the parts expand to {size_text(total)} in all; the limit is "
            f"{size_text(limits.max_total_size)}",
            source,
        )


def _check_entry(info: zipfile.ZipInfo, source: str, limits: Limits) -> None:
    part = info.filename
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
            f"part {part} expands to {size_text(size)}; the limit is "
            f"{size_text(limits.max_part_size)} per part",
            source,
        )
    ratio = size / max(info.compress_size, 1)
    if size >= limits.ratio_min_size and ratio > limits.max_ratio:
        raise WorkbookTooLargeError(
            f"part {part} expands {ratio:,.0f} times (from {size_text(info.compress_size)} "
            f"to {size_text(size)}); the limit is {limits.max_ratio:,.0f} times for parts "
            f"over {size_text(limits.ratio_min_size)}: this looks like a zip bomb",
            source,
        )


def _check_required_parts(
    archive: zipfile.ZipFile, data: bytes, names: set[str], source: str
) -> None:
    if "[Content_Types].xml" in names and _BOOK in names:
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
    missing = next(p for p in ("[Content_Types].xml", _BOOK) if p not in names)
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
        mimetype = read_part(data, info, None)
    except (CorruptPart, zlib.error):
        return ""
    return mimetype.decode("latin-1").rpartition("opendocument.")[2]


# -- the parts ---------------------------------------------------------------------------------


class _Package:
    """The per-part checks of one package, and what they learn."""

    def __init__(
        self, data: bytes, source: str, limits: Limits, infos: list[zipfile.ZipInfo]
    ) -> None:
        self.data = data
        self.source = source
        self.limits = limits
        self.infos = {info.filename: info for info in infos}
        self.roots: dict[str, str] = {}  # part -> its root element's local name
        self.xml: dict[str, bytes] = {}  # worksheets' XML, read whole by the check
        self._sheet_names: dict[str, str] | None = None  # part -> sheet name

    def check_part(self, info: zipfile.ZipInfo) -> None:
        if info.is_dir() or info.file_size == 0:
            return
        # Read a worksheet whole at once (it is scanned whole anyway); find a worksheet
        # under another name by its root element.
        whole = info.file_size <= _HEAD or bool(_LIKELY_SHEET.match(info.filename))
        head = self._read(info, None if whole else _HEAD)
        root = self._check_prolog(info, head)
        if root is None:
            return
        self.roots[info.filename] = root
        if root in SHEET_ROOTS:
            content = head if whole else self._read(info, None)
            self._check_sheet(info, content)
            self.xml[info.filename] = content

    def info(self, has_macros: bool) -> PackageInfo:
        """What the check learnt, once every part passed."""
        book = {}
        for name in (_BOOK, _BOOK_RELS):
            part = self.infos.get(name)
            if part is not None:
                try:
                    book[name] = read_part(self.data, part, None)
                except (CorruptPart, zlib.error):
                    continue  # calamine will say what is wrong with it, if it matters
        pairs = book_sheets(book[_BOOK], book.get(_BOOK_RELS, b"")) if _BOOK in book else ()
        return PackageInfo(
            parts=tuple(self.infos),
            has_macros=has_macros,
            roots=self.roots,
            sheets=dict(pairs),
            xml={**self.xml, **book},
        )

    def _read(self, info: zipfile.ZipInfo, limit: int | None) -> bytes:
        return read_checked(self.data, info, limit, self.source)

    def _check_prolog(self, info: zipfile.ZipInfo, data: bytes) -> str | None:
        """Refuse a DOCTYPE (every entity attack needs one); return the root's local name.

        ``data`` is the start of the part, or all of it.
        """
        plain = plain_root(data)
        if plain is not None:  # what applications write: a declaration, then the root
            return plain
        size = min(len(data), _HEAD)
        text = as_text(data[:size])
        if text is None:
            return None  # not XML: a picture, vbaProject.bin, ...
        while True:
            result = scan_prolog(text)
            if isinstance(result, Refusal):
                raise UnreadableWorkbookError(f"{result} in part {info.filename}", self.source)
            if result is not None:
                return result or None
            if size >= info.file_size:
                return None  # a prolog and no root: not well-formed, the parser will say
            if size >= _MAX_PROLOG:
                raise UnreadableWorkbookError(
                    f"part {info.filename} has more than {size_text(_MAX_PROLOG)} before its "
                    "first element, which no spreadsheet application writes (possible XML "
                    "attack)",
                    self.source,
                )
            size = min(size * 4, _MAX_PROLOG, info.file_size)
            more = data[:size] if len(data) >= size else self._read(info, size)
            text = as_text(more) or ""

    def _check_sheet(self, info: zipfile.ZipInfo, content: bytes) -> None:
        """Raise if a cell holding something lies beyond the limits (remembered when not)."""
        key = (content, self.limits)
        if _SHEET_CHECKS.get(key):
            return
        limits = self.limits
        scan = scan_cells(content, limits.max_rows, limits.max_columns, limits.max_counted_tags)
        if scan.uncounted:
            raise WorkbookTooLargeError(
                f"{self._sheet_label(info.filename)} ({info.filename}) has rows or cells "
                "without a position (no r attribute), more than the "
                f"{limits.max_counted_tags:,} matrix-xl counts; no spreadsheet application "
                "writes that: open the file in Excel or LibreOffice and save it again",
                self.source,
            )
        if scan.beyond is not None:
            self._too_large(info, *scan.beyond)
        _SHEET_CHECKS.remember(key, True, len(content))

    def _too_large(self, info: zipfile.ZipInfo, row: int, column: int) -> None:
        limits = self.limits
        over = []
        if row > limits.max_rows:
            over.append(f"row {row:,}, past the limit of {limits.max_rows:,} rows")
        if column > limits.max_columns:
            over.append(
                f"column {col_letter(column - 1)} ({column:,}), past the limit of "
                f"{limits.max_columns:,} columns"
            )
        raise WorkbookTooLargeError(
            f"{self._sheet_label(info.filename)} ({info.filename}) holds data in cell "
            f"{col_letter(column - 1)}{row}: "
            f"{' and '.join(over)}. A competency workbook needs far less: delete what lies "
            "there (Ctrl+End shows the last cell in use) and save again",
            self.source,
        )

    def _sheet_label(self, part: str) -> str:
        """``sheet 'Matrix'``; names are worked out only when a message needs one."""
        if self._sheet_names is None:
            self._sheet_names = self._read_sheet_names()
        name = self._sheet_names.get(part)
        return f"sheet {name!r}" if name is not None else "a sheet"

    def _read_sheet_names(self) -> dict[str, str]:
        book = self.infos.get(_BOOK)
        if book is None:
            return {}
        rels = self.infos.get(_BOOK_RELS)
        rels_xml = self._read(rels, None) if rels is not None else b""
        return {part: name for name, part in book_sheets(self._read(book, None), rels_xml)}
