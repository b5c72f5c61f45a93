"""An .xlsx as what it is: a zip of parts, each part bytes, most of them XML.

:class:`Package` opens a workbook's bytes, lets a writer read, replace, add and delete
parts, and writes the zip back. A part nobody changed is written back as it came: its
local header, compressed bytes and data descriptor are copied verbatim and its central
directory record only gets its new offset, so its compressed bytes, compression method,
date and time and CRC are those of the original. A changed part keeps its place in the
zip, its compression method and its date and time.

XML is parsed with lxml, with entities, DTDs and the network off (the package checks of
:func:`matrix_xl.read.package.check_package` run before, and refuse any DOCTYPE; this
parser would not expand one either). lxml keeps namespace prefixes as they were written,
which ``xml.etree`` does not (it renames them, which breaks ``mc:Ignorable``): no part is
ever re-serialised with ``xml.etree``.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> package = Package.from_bytes(build_workbook(owner="Ada"))
    >>> package.content_type("xl/workbook.xml").endswith("sheet.main+xml")
    True
    >>> Package.from_bytes(package.to_bytes()).read("xl/styles.xml") == package.read(
    ...     "xl/styles.xml")
    True
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from lxml import etree

from matrix_xl.errors import UnreadableWorkbookError, UnsafeWriteError

__all__ = [
    "CONTENT_TYPES",
    "NS",
    "Package",
    "Relationship",
    "parse_xml",
    "relative_target",
    "rels_part",
    "serialise_xml",
]

CONTENT_TYPES = "[Content_Types].xml"

# Namespaces of transitional OOXML, by the prefix Excel gives them.
NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"
_DESCRIPTOR = b"PK\x07\x08"
_ZIP64_LIMIT = 0xFFFFFFFF
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the date Excel and xlsxwriter give every part


def parse_xml(data: bytes, part: str = "", source: str = "<bytes>") -> etree._ElementTree:
    """Parse one XML part safely (no entities, no DTD, no network).

    Args:
        data: the part's bytes.
        part: its name, for the message.
        source: the workbook's name, for the message.

    Returns:
        The parsed document.

    Raises:
        UnreadableWorkbookError: the part is not well-formed XML, or declares a DOCTYPE.
    """
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableWorkbookError(
            f"part {part or '?'} is not well-formed XML ({exc}): open the workbook in Excel or "
            "LibreOffice and save it again",
            source,
        ) from None
    tree = root.getroottree()
    docinfo: Any = tree.docinfo  # lxml-stubs type it loosely
    if docinfo.doctype:
        raise UnreadableWorkbookError(
            f"part {part or '?'} declares a DOCTYPE, which no spreadsheet application writes "
            "(possible XML attack)",
            source,
        )
    return tree


def serialise_xml(tree: etree._ElementTree) -> bytes:
    """A parsed part as bytes: UTF-8, with the standalone declaration Excel writes."""
    body: bytes = etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def rels_part(part: str) -> str:
    """The relationships part of ``part``: ``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels``."""
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def relative_target(source: str, target: str) -> str:
    """The relationship target that leads from part ``source`` to part ``target``."""
    start = posixpath.dirname(source) or "."
    return quote(posixpath.relpath(target, start), safe="/-._~!$&'()*+,;=:@")


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part.

    Attributes:
        id: its ``Id``, unique within the part's relationships.
        type: its ``Type`` URI.
        target: the part it points to (a zip entry name), or the raw target when external.
        external: ``TargetMode="External"`` (a URL): no part behind it.
    """

    id: str
    type: str
    target: str
    external: bool


@dataclass
class _Entry:
    """One zip entry: where its original bytes are, or its new content."""

    info: zipfile.ZipInfo
    raw: bytes | None = None  # the original local record (header + data + descriptor)
    central: bytes | None = None  # the original central directory record
    content: bytes | None = None  # new uncompressed content, or None if unchanged


class Package:
    """The parts of one .xlsx, editable, written back with untouched parts as they were.

    Parsed XML parts are cached: :meth:`xml` for reading, :meth:`edit_xml` for a tree that
    is serialised again by :meth:`to_bytes`.
    """

    def __init__(self, data: bytes, source: str = "<bytes>") -> None:
        self.source = source
        self._data = data
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self._archive.infolist()
            self.comment = self._archive.comment
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise UnreadableWorkbookError(f"not a readable zip ({exc})", source) from None
        centrals = _central_records(data, len(infos))
        self._entries: dict[str, _Entry] = {}
        for index, info in enumerate(infos):
            central = centrals[index] if centrals is not None else None
            self._entries[info.filename] = _Entry(info, _local_record(data, info), central)
        self._trees: dict[str, etree._ElementTree] = {}
        self._dirty: set[str] = set()
        self._rels: dict[str, list[Relationship]] = {}  # resolved, by rels part
        self._folded = {name.lower(): name for name in self._entries}

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<bytes>") -> Package:
        """Open a package (after :func:`~matrix_xl.read.package.check_package` passed).

        Args:
            data: the .xlsx/.xlsm file's bytes.
            source: the file's name, for messages.

        Returns:
            The package, nothing parsed yet.

        Raises:
            UnreadableWorkbookError: not a zip.
        """
        return cls(data, source)

    # -- parts ---------------------------------------------------------------------------

    def names(self) -> list[str]:
        """The part names, in zip order (folders left out)."""
        return [name for name, entry in self._entries.items() if not entry.info.is_dir()]

    def has(self, part: str) -> bool:
        """Whether ``part`` exists (part names compare without case, as OPC says)."""
        return part.lower() in self._folded

    def _name(self, part: str) -> str:
        name = self._folded.get(part.lower())
        if name is None:
            raise UnreadableWorkbookError(f"the workbook has no part {part}", self.source)
        return name

    def read(self, part: str) -> bytes:
        """The uncompressed bytes of ``part`` (edits included).

        Raises:
            UnreadableWorkbookError: no such part, or it does not decompress.
        """
        name = self._name(part)
        if name in self._dirty:
            self._flush(name)
        entry = self._entries[name]
        if entry.content is not None:
            return entry.content
        try:
            return self._archive.read(entry.info)
        except (zipfile.BadZipFile, zlib.error, OSError) as exc:
            raise UnreadableWorkbookError(f"part {name} is corrupt ({exc})", self.source) from None

    def write(self, part: str, content: bytes) -> None:
        """Replace (or add, at the end of the zip) ``part`` with ``content``."""
        name = self._folded.get(part.lower(), part)
        self._trees.pop(name, None)
        self._rels.pop(name, None)
        self._dirty.discard(name)
        entry = self._entries.get(name)
        if entry is None:
            info = zipfile.ZipInfo(name, _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            entry = self._entries[name] = _Entry(info)
            self._folded[name.lower()] = name
        entry.content = content

    def delete(self, part: str) -> None:
        """Remove ``part`` (no error if it does not exist)."""
        name = self._folded.pop(part.lower(), None)
        if name is not None:
            self._rels.pop(name, None)
            del self._entries[name]
            self._trees.pop(name, None)
            self._dirty.discard(name)

    def changed(self) -> set[str]:
        """The parts written or added since the package was opened."""
        return {n for n, e in self._entries.items() if e.content is not None} | self._dirty

    def free_name(self, template: str) -> str:
        """The first part name ``template % n`` (n = 1, 2, ...) not in use."""
        n = 1
        while self.has(template % n):
            n += 1
        return template % n

    # -- XML -----------------------------------------------------------------------------

    def xml(self, part: str) -> etree._ElementTree:
        """The parsed part, cached; edit it only through :meth:`edit_xml`."""
        name = self._name(part)
        tree = self._trees.get(name)
        if tree is None:
            tree = self._trees[name] = parse_xml(self.read(name), name, self.source)
        return tree

    def edit_xml(self, part: str) -> etree._ElementTree:
        """The parsed part, to be changed in place; it is serialised when written out.

        Change the tree before the next :meth:`relationships` call: a relationships part's
        resolved targets are remembered from then on.
        """
        tree = self.xml(part)
        name = self._name(part)
        self._dirty.add(name)
        self._rels.pop(name, None)  # the caller may change relationships
        return tree

    def _flush(self, name: str) -> None:
        self._dirty.discard(name)
        self._entries[name].content = serialise_xml(self._trees[name])

    # -- relationships and content types -----------------------------------------------

    def relationships(self, part: str) -> list[Relationship]:
        """The relationships of ``part`` (``""`` for the package's own), targets resolved."""
        rels = rels_part(part) if part else "_rels/.rels"
        if not self.has(rels):
            return []
        rels = self._name(rels)
        cached = self._rels.get(rels)
        if cached is not None:  # edit_xml and write forget it
            return cached
        folder = posixpath.dirname(part)
        found = []
        for rel in self.xml(rels).getroot().iter(f"{{{NS['rel']}}}Relationship"):
            target = rel.get("Target", "")
            external = rel.get("TargetMode", "") == "External"
            if not external:
                target = _resolve(folder, target)
            found.append(Relationship(rel.get("Id", ""), rel.get("Type", ""), target, external))
        self._rels[rels] = found
        return found

    def reachable(self, roots: list[str], skip: frozenset[str] = frozenset()) -> set[str]:
        """Every existing part reachable from ``roots`` through internal relationships."""
        seen: set[str] = set()
        stack = [r for r in roots if self.has(r) and r not in skip]
        while stack:
            part = self._name(stack.pop())
            if part in seen:
                continue
            seen.add(part)
            for rel in self.relationships(part):
                if not rel.external and rel.target not in skip and self.has(rel.target):
                    stack.append(rel.target)
        return seen

    def content_type(self, part: str) -> str:
        """The content type ``[Content_Types].xml`` gives ``part`` ("" when none)."""
        root = self.xml(CONTENT_TYPES).getroot()
        wanted = "/" + part.lower()
        for item in root.iter(f"{{{NS['ct']}}}Override"):
            if item.get("PartName", "").lower() == wanted:
                return item.get("ContentType", "")
        extension = posixpath.basename(part).rpartition(".")[2].lower()  # ".rels" too
        for item in root.iter(f"{{{NS['ct']}}}Default"):
            if item.get("Extension", "").lower() == extension:
                return item.get("ContentType", "")
        return ""

    def set_content_type(self, part: str, content_type: str) -> None:
        """Give ``part`` ``content_type``: an Override, unless a Default already says so."""
        if self.content_type(part) == content_type:
            return
        root = self.edit_xml(CONTENT_TYPES).getroot()
        etree.SubElement(
            root, f"{{{NS['ct']}}}Override", PartName="/" + part, ContentType=content_type
        )

    def drop_content_type(self, part: str) -> None:
        """Remove the Override of ``part``, if it has one."""
        root = self.xml(CONTENT_TYPES).getroot()
        wanted = "/" + part.lower()
        for item in list(root.iter(f"{{{NS['ct']}}}Override")):
            if item.get("PartName", "").lower() == wanted:
                self.edit_xml(CONTENT_TYPES)
                root.remove(item)

    # -- writing -------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The package as .xlsx bytes: untouched parts verbatim, the rest compressed anew.

        Raises:
            UnsafeWriteError: the result would need ZIP64 (over 4 GiB or 65,535 parts).
        """
        for name in list(self._dirty):
            self._flush(name)
        out = io.BytesIO()
        central = []
        for entry in self._entries.values():
            offset = out.tell()
            if offset > _ZIP64_LIMIT:
                raise UnsafeWriteError("the workbook would exceed 4 GiB", self.source)
            if entry.content is None and entry.raw is not None and entry.central is not None:
                out.write(entry.raw)
                central.append(entry.central[:42] + struct.pack("<I", offset) + entry.central[46:])
            else:
                local, record = self._fresh(entry, offset)
                out.write(local)
                central.append(record)
        start = out.tell()
        out.writelines(central)
        if len(central) > 0xFFFF:
            raise UnsafeWriteError("the workbook would hold over 65,535 parts", self.source)
        out.write(
            _END
            + struct.pack(
                "<HHHHIIH",
                0,
                0,
                len(central),
                len(central),
                out.tell() - start,
                start,
                len(self.comment),
            )
            + self.comment
        )
        return out.getvalue()

    def _fresh(self, entry: _Entry, offset: int) -> tuple[bytes, bytes]:
        """Local header + data, and central record, for a new, changed or ZIP64 entry."""
        info = entry.info
        if entry.content is not None:
            content = entry.content
            crc = zlib.crc32(content)
            method = info.compress_type
            if method == zipfile.ZIP_DEFLATED:
                packer = zlib.compressobj(6, zlib.DEFLATED, -15)
                packed = packer.compress(content) + packer.flush()
            else:
                method, packed = zipfile.ZIP_STORED, content
            size = len(content)
        else:  # unchanged, but its records could not be copied: copy its compressed bytes
            packed, method, crc, size = (
                self._packed(entry),
                info.compress_type,
                info.CRC,
                info.file_size,
            )
        name = info.filename.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # bit 11: the name is UTF-8
        dostime = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
        dosdate = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
        fields = (20, flags, method, dostime, dosdate, crc, len(packed), size, len(name))
        local = _LOCAL + struct.pack("<HHHHHIIIHH", *fields, 0) + name + packed
        record = (
            _CENTRAL
            + struct.pack(
                "<HHHHHHIIIHHHHHII",
                (info.create_system << 8) | 20,
                *fields,
                0,
                0,
                0,
                0,
                info.external_attr,
                offset,
            )
            + name
        )
        return local, record

    def _packed(self, entry: _Entry) -> bytes:
        info = entry.info
        offset = info.header_offset
        name_len, extra_len = struct.unpack_from("<HH", self._data, offset + 26)
        start = offset + 30 + name_len + extra_len
        return self._data[start : start + info.compress_size]


def _resolve(folder: str, target: str) -> str:
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target))


def _local_record(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The original local header, data and data descriptor of an entry, when copyable.

    ZIP64 entries (sizes or offsets in an extra field) are not copied as they are: their
    compressed bytes get fresh, plain headers instead.
    """
    offset = info.header_offset
    if data[offset : offset + 4] != _LOCAL or _is_zip64(info):
        return None
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    end = offset + 30 + name_len + extra_len + info.compress_size
    if info.flag_bits & 0x8:  # a data descriptor follows the data
        end += 16 if data[end : end + 4] == _DESCRIPTOR else 12
    if end > len(data):
        return None
    return data[offset:end]


def _is_zip64(info: zipfile.ZipInfo) -> bool:
    extra: Any = info.extra
    i = 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, i)
        if kind == 0x0001:
            return True
        i += 4 + size
    return info.header_offset >= _ZIP64_LIMIT or info.compress_size >= _ZIP64_LIMIT


def _central_records(data: bytes, count: int) -> list[bytes] | None:
    """The raw central directory records, in order; None when the directory is unusual."""
    end = data.rfind(_END, max(0, len(data) - 22 - 0xFFFF))
    if end < 0:
        return None
    entries, size, start = struct.unpack_from("<HII", data, end + 10)
    if entries != count or start + size > end:
        return None  # ZIP64 or a directory elsewhere: fresh records for all
    records = []
    at = start
    for _ in range(count):
        if data[at : at + 4] != _CENTRAL:
            return None
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        length = 46 + name_len + extra_len + comment_len
        record = data[at : at + length]
        if struct.unpack_from("<I", record, 42)[0] == _ZIP64_LIMIT:
            return None
        records.append(record)
        at += length
    return records
