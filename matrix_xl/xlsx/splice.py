"""Change a few cells or attributes of a worksheet and leave every other byte as it was.

Why splice rather than parse and re-serialise: a sheet of the person's (the Improvement
Log, a sheet whose ``tabSelected`` must be cleared) holds their rows, formulas, rich text,
extensions and whatever else an application wrote. A parser and serialiser round trip
keeps the *information* but not the *bytes*: quotes, character references (``&#10;``),
``\\r\\n`` line ends, empty-element forms and namespace declarations come out differently,
and nothing but byte equality can be tested against "every row of the person's stays as it
was". So the sheet is parsed with a real XML parser (expat, with DOCTYPE and entity
declarations refused), which reports where each element starts and ends in the bytes; the
new cells, rows and attributes are then spliced in at those offsets, and everything between
them is copied untouched. No regular expression ever decides where an element is.

Positions: expat's ``CurrentByteIndex`` gives the ``<`` of each start tag and, for an
element with content, of its end tag. A start tag's end is found by walking its bytes with
quoted attribute values skipped (the parser has already checked the tag is well-formed),
which also tells an empty-element tag (``<c r="A1"/>``) from one with content.

Example:
    >>> sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    ...          b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>')
    >>> edit = SheetEdit(sheet)
    >>> edit.put(2, 2, NewCell("=not a formula"))
    >>> b'<c r="B2" t="inlineStr"><is><t xml:space="preserve">=not a formula</t></is></c>' in (
    ...     edit.result())
    True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.parsers import expat
from xml.sax.saxutils import escape

from lxml import etree

from matrix_xl.errors import UnreadableWorkbookError, UsageError
from matrix_xl.xlsx.cells import MAX_CELL_TEXT, col_letter, column_number, is_control

__all__ = [
    "CellValue",
    "Element",
    "NewCell",
    "SheetEdit",
    "as_utf8",
    "cell_xml",
    "escape_xstring",
    "parse_ref",
    "scan",
    "start_tag",
]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CellValue = str | int | float | bool | date | datetime | None

# A literal text that looks like an ST_Xstring escape (_x0041_) must have its underscore
# escaped (_x005F_), or every reader decodes it (ECMA-376 Part 1, 22.9.2.19). A lookahead,
# so that in "_x005F_x0041_" both underscores that start a sequence are escaped (the
# trailing "_" of one sequence may start the next; xlsxwriter 3.3 misses that case).
_XSTRING_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_ATTR_ESCAPES = {'"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, after Lotus's leap-year bug
_EPOCH_1904 = date(1904, 1, 1)
_FIRST_SERIAL_DATE = date(1900, 3, 1)  # before it, Excel's serials are off by one
_LAST_DATE = date(9999, 12, 31)


@dataclass
class Element:
    """An element of a scanned part and where it lies in the bytes.

    Attributes:
        ns: namespace URI.
        name: local name.
        attrs: attributes; an attribute in a namespace is keyed ``{uri}name``.
        start: offset of its ``<``.
        tag_end: offset just past its start tag.
        end: offset just past the element (its end tag, or the start tag if empty).
        children: child elements, down to the depth scanned.
        text: the character data of a ``v``, ``t`` or ``f`` element.
    """

    ns: str
    name: str
    attrs: dict[str, str]
    start: int
    tag_end: int = 0
    end: int = 0
    children: list[Element] = field(default_factory=list)
    text: str = ""

    @property
    def empty(self) -> bool:
        """Written as an empty-element tag (``<row r="5"/>``)."""
        return self.tag_end == self.end

    def child(self, name: str) -> Element | None:
        """The first child of local name ``name`` in the main namespace."""
        return next((c for c in self.children if c.name == name and c.ns == MAIN), None)


class _Stop(Exception):
    """Raised from a handler to end a scan early."""


def _refuse(*_: object) -> None:
    raise UnreadableWorkbookError("XML entity declarations are not allowed (possible XML attack)")


def scan(data: bytes, max_depth: int = 6, stop_after: str | None = None) -> Element:
    """Parse ``data`` with expat and return its root element with byte offsets.

    Args:
        data: the XML part (UTF-8, as every spreadsheet application writes it).
        max_depth: elements deeper than this (the root is depth 1) are not recorded.
        stop_after: stop when an element of this local name, child of the root, ends
            (``"sheetViews"``: a sheet's views without reading its cells).

    Returns:
        The root element; offsets are into ``data``.

    Raises:
        UnreadableWorkbookError: not well-formed, or a DOCTYPE or entity declaration.
    """
    return _Scanner(data, max_depth, stop_after).run()


class _Scanner:
    """expat's handlers for :func:`scan`: a stack of open elements and their offsets."""

    def __init__(self, data: bytes, max_depth: int, stop_after: str | None) -> None:
        self.data = data
        self.max_depth = max_depth
        self.stop_after = stop_after
        self.stack: list[Element] = []
        self.root: list[Element] = []
        parser = self.parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text

    def run(self) -> Element:
        try:
            self.parser.Parse(self.data, True)
        except _Stop:
            pass
        except expat.ExpatError as exc:
            raise UnreadableWorkbookError(f"a part is not well-formed XML ({exc})") from None
        if not self.root:
            raise UnreadableWorkbookError("a part holds no XML element")
        return self.root[0]

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        stack = self.stack
        if len(stack) >= self.max_depth:
            stack.append(Element(ns, local, {}, -1))  # placeholder, not recorded
            return
        at = self.parser.CurrentByteIndex
        element = Element(ns, local, _attrs(attrs), at, _tag_end(self.data, at))
        (stack[-1].children if stack else self.root).append(element)
        stack.append(element)

    def end(self, _name: str) -> None:
        element = self.stack.pop()
        if element.start < 0:
            return
        data = self.data
        if data[element.tag_end - 2 : element.tag_end] == b"/>":
            element.end = element.tag_end
        else:  # CurrentByteIndex is the "<" of the end tag, which holds no quotes
            element.end = data.index(b">", self.parser.CurrentByteIndex) + 1
        if len(self.stack) == 1 and element.name == self.stop_after:
            raise _Stop

    def text(self, chars: str) -> None:
        stack = self.stack
        if stack and stack[-1].name in ("v", "t", "f") and stack[-1].start >= 0:
            stack[-1].text += chars


def as_utf8(data: bytes) -> bytes:
    """``data`` itself when it is UTF-8 (what applications write), else re-encoded.

    Splicing inserts UTF-8 bytes, so a part in another encoding (UTF-16, Latin-1) is first
    parsed and written again as UTF-8: the one case where a sheet is re-serialised whole.
    """
    declared: list[str] = []

    def declaration(_version: str | None, encoding: str | None, _standalone: int) -> None:
        declared.append((encoding or "utf-8").lower())

    def first(_name: str, _attrs: dict[str, str]) -> None:
        raise _Stop

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse
    parser.XmlDeclHandler = declaration
    parser.StartElementHandler = first
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        raise UnreadableWorkbookError(f"a part is not well-formed XML ({exc})") from None
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and (declared or ["utf-8"])[0] in ("utf-8", "utf8", "us-ascii", "ascii"):
        return data
    parser_options = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser_options)
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def _attrs(attrs: dict[str, str]) -> dict[str, str]:
    out = {}
    for key, value in attrs.items():
        ns, _, local = key.rpartition(" ")
        out[f"{{{ns}}}{local}" if ns else local] = value
    return out


def _tag_end(data: bytes, start: int) -> int:
    """The offset just past the start tag at ``start``; quoted values may hold ``>``."""
    at = start
    while True:
        close = data.index(b">", at)
        quotes = [q for q in (data.find(b'"', at, close), data.find(b"'", at, close)) if q >= 0]
        if not quotes:
            return close + 1
        opened = min(quotes)
        at = data.index(data[opened : opened + 1], opened + 1) + 1


def start_tag(data: bytes, element: Element, changes: dict[str, str | None]) -> bytes:
    """The start tag of ``element`` rewritten with ``changes`` (None removes an attribute).

    The tag is re-parsed without namespace processing, so prefixes, namespace declarations
    and the order of the other attributes stay as written.
    """
    raw = data[element.start : element.tag_end]
    closing = raw.endswith(b"/>")
    qname = _qname(raw)
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.StartDoctypeDeclHandler = _refuse
    found: list[str] = []
    parser.StartElementHandler = lambda _n, a: found.extend(a)
    parser.Parse(raw if closing else raw + b"</" + qname + b">", True)
    pairs = list(zip(found[::2], found[1::2], strict=True))
    todo = dict(changes)
    out = []
    for key, value in pairs:
        if key in todo:
            new = todo.pop(key)
            if new is not None:
                out.append((key, new))
        else:
            out.append((key, value))
    out.extend((k, v) for k, v in todo.items() if v is not None)
    body = "".join(f' {k}="{escape(v, _ATTR_ESCAPES)}"' for k, v in out)
    return b"<" + qname + body.encode("utf-8") + (b"/>" if closing else b">")


def _qname(raw: bytes) -> bytes:
    end = 1
    while end < len(raw) and raw[end : end + 1] not in b" \t\r\n/>":
        end += 1
    return raw[1:end]


def parse_ref(ref: str) -> tuple[int, int]:
    """``"B12"`` -> (12, 2): 1-based row and column (absolute ``$`` marks ignored).

    Raises:
        ValueError: not a cell reference.
    """
    match = _REF.fullmatch(ref.strip())
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(2)), column_number(match.group(1))


def escape_xstring(text: str) -> str:
    """Text as the content of an ``<t>`` element, read back exactly by any reader.

    A literal ``_xHHHH_`` gets its underscore escaped as ``_x005F_``; a carriage return
    becomes ``_x000D_`` (an XML parser would turn a raw one into a line feed); ``&``, ``<``
    and ``>`` become references.

    Raises:
        UsageError: the text holds a control character other than tab, line feed and
            carriage return, or a character XML cannot carry (U+FFFE, U+FFFF).
    """
    bad = next((ch for ch in text if ch not in "\t\n\r" and _unstorable(ch)), None)
    if bad is not None:
        raise UsageError(
            f"a text to write holds the control character U+{ord(bad):04X}, which a cell "
            "cannot hold as typed; remove it"
        )
    text = _XSTRING_ESCAPE.sub("_x005F_", text).replace("\r", "_x000D_")
    return escape(text)


def _unstorable(ch: str) -> bool:
    return is_control(ch) or ch in "\ufffe\uffff"


@dataclass(frozen=True)
class NewCell:
    """A value to write into a cell, and its style (None: the cell's own, or none)."""

    value: CellValue
    style: int | None = None


def cell_xml(
    ref: str, cell: NewCell, prefix: str = "", date1904: bool = False, keep: str = ""
) -> str:
    """The ``<c>`` element for ``cell`` at ``ref``: text inline, dates as serial numbers.

    Args:
        ref: the cell reference (``"A5"``).
        cell: the value and style.
        prefix: the main namespace's prefix in the sheet, with its colon (``"x:"``) or "".
        date1904: the workbook counts dates from 1904.
        keep: extra attributes of the replaced cell to keep, already serialised.

    Raises:
        UsageError: a text with control characters, a number that is not finite, or a
            date Excel cannot show (before 1900-03-01 or after 9999-12-31).
    """
    style = f' s="{cell.style}"' if cell.style else ""
    head = f'<{prefix}c r="{ref}"{style}{keep}'
    value = cell.value
    if value is None:
        return head + "/>"
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            raise UsageError(
                f"cannot write {len(value):,} characters into cell {ref}: a cell holds "
                f"{MAX_CELL_TEXT:,}"
            )
        text = escape_xstring(value)
        return (
            f'{head} t="inlineStr"><{prefix}is><{prefix}t xml:space="preserve">{text}'
            f"</{prefix}t></{prefix}is></{prefix}c>"
        )
    if isinstance(value, bool):
        return f'{head} t="b"><{prefix}v>{int(value)}</{prefix}v></{prefix}c>'
    if isinstance(value, date):
        return f"{head}><{prefix}v>{_serial(value, date1904)}</{prefix}v></{prefix}c>"
    if not math.isfinite(value):
        raise UsageError(f"cannot write {value!r} into cell {ref}: not a finite number")
    number = repr(value) if isinstance(value, float) else str(value)
    return f"{head}><{prefix}v>{number}</{prefix}v></{prefix}c>"


def _serial(value: date, date1904: bool) -> str:
    day = value.date() if isinstance(value, datetime) else value
    if not _FIRST_SERIAL_DATE <= day <= _LAST_DATE:
        raise UsageError(
            f"cannot write the date {value.isoformat()}: Excel shows 1900-03-01 to 9999"
        )
    serial: float = (day - (_EPOCH_1904 if date1904 else _EXCEL_EPOCH)).days
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        serial += seconds / 86_400
        return repr(serial)
    return str(int(serial))


class SheetEdit:
    """Cells written into a worksheet's bytes by splicing; the rest stays byte for byte.

    Args:
        data: the worksheet part.
        date1904: the workbook's date system (``workbookPr/@date1904``).
    """

    def __init__(self, data: bytes, date1904: bool = False) -> None:
        self.data = data = as_utf8(data)
        self.date1904 = date1904
        self.root = scan(data, max_depth=6)
        sheet_data = self.root.child("sheetData")
        if sheet_data is None:
            raise UnreadableWorkbookError("a worksheet has no sheetData")
        self.sheet_data = sheet_data
        self.prefix = _prefix(data, sheet_data)
        self.rows: dict[int, Element] = {}
        self.cells: dict[tuple[int, int], Element] = {}
        self._index_rows()
        self._writes: dict[tuple[int, int], NewCell] = {}
        self._heights: dict[int, float] = {}

    def _index_rows(self) -> None:
        # A row or cell without r follows the previous one, as readers place them.
        row_number = 0
        for row in self.sheet_data.children:
            if row.name != "row":
                continue
            row_number = int(row.attrs["r"]) if "r" in row.attrs else row_number + 1
            self.rows[row_number] = row
            col = 0
            for cell in row.children:
                if cell.name != "c":
                    continue
                col = parse_ref(cell.attrs["r"])[1] if "r" in cell.attrs else col + 1
                self.cells[(row_number, col)] = cell

    # -- reading -----------------------------------------------------------------------

    def has_value(self, row: int, col: int) -> bool:
        """Whether the cell at (row, col) (1-based) holds a value or formula."""
        cell = self.cells.get((row, col))
        return cell is not None and any(c.name in ("v", "is", "f") for c in cell.children)

    def text(self, row: int, col: int, shared: list[str]) -> str | None:
        """The cell's value as text (shared and inline strings decoded), None when empty."""
        cell = self.cells.get((row, col))
        if cell is None:
            return None
        kind = cell.attrs.get("t", "n")
        if kind == "inlineStr":
            inline = cell.child("is")
            return _unescape_xstring(_rst_text(inline)) if inline is not None else ""
        value = cell.child("v")
        if value is None:
            return None
        if kind == "s":
            index = int(value.text) if value.text.strip().isdigit() else -1
            return shared[index] if 0 <= index < len(shared) else None
        return value.text

    def style(self, row: int, col: int) -> int | None:
        """The style id of the cell (if it exists), else of its row or column, else None."""
        cell = self.cells.get((row, col))
        if cell is not None and "s" in cell.attrs:
            return int(cell.attrs["s"])
        row_element = self.rows.get(row)
        if row_element is not None and row_element.attrs.get("customFormat") in ("1", "true"):
            return int(row_element.attrs.get("s", "0"))
        cols = self.root.child("cols")
        for column in cols.children if cols is not None else []:
            low, high = int(column.attrs.get("min", "0")), int(column.attrs.get("max", "0"))
            if low <= col <= high and "style" in column.attrs:
                return int(column.attrs["style"])
        return None

    def last_row(self, columns: Iterable[int]) -> int:
        """The last row holding a value in any of ``columns`` (0 when none), counting the
        values put but not yet written."""
        wanted = set(columns)
        rows = [r for (r, c) in self.cells if c in wanted and self.has_value(r, c)]
        rows.extend(r for (r, c), v in self._writes.items() if c in wanted and v.value is not None)
        return max(rows, default=0)

    # -- writing -----------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        """Whether anything was put or given a height."""
        return bool(self._writes or self._heights)

    def put(self, row: int, col: int, cell: NewCell) -> None:
        """Write ``cell`` at (row, col), 1-based; an existing cell keeps its style unless
        ``cell.style`` is given.

        Raises:
            UsageError: the value cannot be written (see :func:`cell_xml`); raised here,
                not when the sheet is written out.
        """
        cell_xml("A1", cell, self.prefix, self.date1904)
        self._writes[(row, col)] = cell

    def set_height(self, row: int, height: float) -> None:
        """Give a row this sheet adds a height in points (rows that exist keep theirs)."""
        self._heights[row] = height

    def result(self) -> bytes:
        """The sheet with every write spliced in."""
        by_row: dict[int, list[tuple[int, NewCell]]] = {}
        for (row, col), cell in sorted(self._writes.items()):
            by_row.setdefault(row, []).append((col, cell))
        for row in self._heights:
            if row in self.rows:
                by_row.setdefault(row, [])
        edits: list[_Edit] = []
        new_rows: dict[int, list[str]] = {}
        for row, items in sorted(by_row.items()):
            if row in self.rows:
                edits.extend(self._edit_row(row, items))
            else:
                new_rows[row] = [self._cell(row, col, cell) for col, cell in items]
        edits.extend(self._new_rows(new_rows))
        edits.extend(self._dimension_edit())
        return _apply(self.data, edits, self.prefix)

    def _cell(self, row: int, col: int, cell: NewCell) -> str:
        ref = f"{col_letter(col - 1)}{row}"
        existing = self.cells.get((row, col))
        if existing is None:
            return cell_xml(ref, cell, self.prefix, self.date1904)
        style = cell.style if cell.style is not None else self.style(row, col)
        keep = _kept_attributes(existing)
        return cell_xml(ref, NewCell(cell.value, style), self.prefix, self.date1904, keep)

    def _edit_row(self, row: int, items: list[tuple[int, NewCell]]) -> list[_Edit]:
        """Edits of a row that exists: cells replaced or inserted in column order, and its
        start tag rewritten only when it gets a height."""
        element = self.rows[row]
        height = self._heights.get(row)
        tag: bytes | None = None
        if height is not None:
            tag = start_tag(self.data, element, {"ht": f"{height:g}", "customHeight": "1"})
        edits = []
        tail = []  # cells after the row's last cell
        for col, cell in items:
            text = self._cell(row, col, cell)
            existing = self.cells.get((row, col))
            later = [c.start for (r, k), c in self.cells.items() if r == row and k > col]
            if existing is not None:
                edits.append(_Edit(existing.start, existing.end, col, text))
            elif later:
                edits.append(_Edit(min(later), min(later), col, text))
            else:
                tail.append(text)
        if element.empty:  # <row .../> becomes <row ...>cells</row>
            raw = tag or self.data[element.start : element.tag_end]
            opened = raw[:-2].decode("utf-8") + ">"
            closing = f"</{self.prefix}row>"
            edits.append(_Edit(element.start, element.tag_end, 0, opened + "".join(tail) + closing))
            return edits
        if tag is not None:
            edits.append(_Edit(element.start, element.tag_end, 0, tag.decode("utf-8")))
        if tail:
            at = self.data.rindex(b"</", element.tag_end, element.end)
            edits.append(_Edit(at, at, 0, "".join(tail)))
        return edits

    def _new_rows(self, new_rows: dict[int, list[str]]) -> list[_Edit]:
        edits = []
        later_rows = sorted(self.rows)
        for row, cells in sorted(new_rows.items()):
            height = self._heights.get(row)
            extra = f' ht="{height:g}" customHeight="1"' if height is not None else ""
            text = f'<{self.prefix}row r="{row}"{extra}>{"".join(cells)}</{self.prefix}row>'
            following = next((r for r in later_rows if r > row), None)
            order = 1_000_000 + row
            if following is not None:
                at = self.rows[following].start
                edits.append(_Edit(at, at, order, text))
            elif self.sheet_data.empty:  # <sheetData/> becomes <sheetData>rows</sheetData>
                tag_end = self.sheet_data.tag_end
                edits.append(_Edit(tag_end - 2, tag_end, order, text, "sheetData"))
            else:
                at = self.data.rindex(b"</", self.sheet_data.tag_end, self.sheet_data.end)
                edits.append(_Edit(at, at, order, text))
        return edits

    def _dimension_edit(self) -> list[_Edit]:
        dimension = self.root.child("dimension")
        if dimension is None or not self._writes:
            return []
        ref = dimension.attrs.get("ref", "A1")
        corners = [parse_ref(p) for p in ref.split(":") if _REF.fullmatch(p.strip())]
        corners.extend(self._writes)
        top = min(r for r, _ in corners)
        left = min(c for _, c in corners)
        bottom = max(r for r, _ in corners)
        right = max(c for _, c in corners)
        new = f"{col_letter(left - 1)}{top}"
        if (bottom, right) != (top, left):
            new += f":{col_letter(right - 1)}{bottom}"
        if new == ref:
            return []
        tag = start_tag(self.data, dimension, {"ref": new}).decode("utf-8")
        return [_Edit(dimension.start, dimension.tag_end, -1, tag)]


@dataclass(frozen=True)
class _Edit:
    """Replace data[start:end] by text; edits at one place go in ``order``. With ``close``,
    [start:end] is the "/>" of an empty-element tag that gets content and an end tag."""

    start: int
    end: int
    order: int
    text: str
    close: str = ""


def _kept_attributes(cell: Element) -> str:
    # A replaced cell keeps its phonetic-guide flag; value metadata belongs to the old value.
    kept = [(k, v) for k, v in cell.attrs.items() if k == "ph"]
    return "".join(f' {k}="{escape(v, _ATTR_ESCAPES)}"' for k, v in kept)


def _apply(data: bytes, edits: list[_Edit], prefix: str) -> bytes:
    """Apply non-overlapping edits; the bytes between them are copied as they are."""
    grouped: dict[tuple[int, int], list[_Edit]] = {}
    for edit in edits:
        grouped.setdefault((edit.start, edit.end), []).append(edit)
    out = []
    at = 0
    for (start, end), items in sorted(grouped.items()):
        items.sort(key=lambda e: e.order)
        text = "".join(e.text for e in items)
        if items[0].close:
            text = f">{text}</{prefix}{items[0].close}>"
        out.append(data[at:start])
        out.append(text.encode("utf-8"))
        at = end
    out.append(data[at:])
    return b"".join(out)


def _prefix(data: bytes, element: Element) -> str:
    qname = _qname(data[element.start : element.tag_end]).decode("utf-8")
    return qname[: qname.index(":") + 1] if ":" in qname else ""


def _rst_text(element: Element) -> str:
    """The text of a rich string (``si``/``is``): its ``t`` and runs' ``t``, not ``rPh``."""
    parts = []
    for child in element.children:
        if child.name == "t":
            parts.append(child.text)
        elif child.name == "r":
            parts.extend(t.text for t in child.children if t.name == "t")
    return "".join(parts)


_XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape_xstring(text: str) -> str:
    return _XSTRING.sub(lambda m: chr(int(m.group(1), 16)), text)
