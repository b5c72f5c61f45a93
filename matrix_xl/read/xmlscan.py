"""Cheap scans of a part's XML bytes, done before (or instead of) parsing it.

No XML parser runs here: every scan is a regular expression or a short walk over bytes,
bounded by the part's size, so it is safe on hostile input. The scans answer what the
package check needs to know before a parser may see a part (:func:`scan_prolog`: is there
a DOCTYPE; :func:`scan_cells`: does a cell holding something lie beyond the limits, as
python-calamine will place it) and what a reader needs of the structure
(:func:`book_sheets`: which part is which sheet; :func:`formula_cells`: which cells hold a
formula, which calamine does not say).

Example:
    >>> scan_prolog('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    "XML entity declarations are not allowed (possible XML attack): found '<!DOCTYPE'"
    >>> ref_extent("A1:H36")
    (36, 8)
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from matrix_xl.xlsx.cells import col_letter, column_number

__all__ = [
    "ENCODINGS",
    "PREFIX",
    "CellScan",
    "Refusal",
    "as_text",
    "book_sheets",
    "elements",
    "formula_cells",
    "plain_root",
    "ref_extent",
    "relationships",
    "rels_part",
    "scan_cells",
    "scan_prolog",
]

# Encodings a spreadsheet application writes. The markup scan below reads ASCII-compatible
# bytes or UTF-16; an exotic declared encoding (EBCDIC, UTF-7, ...) could hide a DOCTYPE.
ENCODINGS = {
    "utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "us-ascii", "ascii",
    "iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252",
}  # fmt: skip

# Markup of the sheets and drawings, matched on bytes with any namespace prefix.
PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
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
_TAG = re.compile(rb"<" + PREFIX + rb"(row|c)(?=[\s/>])([^>]*)>")
_CELL_START = re.compile(rb"<" + PREFIX + rb"c\s")
_R_ATTR = re.compile(rb"\sr\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"\$?([A-Za-z]*)\$?([0-9]*)")
_ROOT_NAME = re.compile(r"<([^\s/>]+)")
_ENCODING = re.compile(r"""\bencoding\s*=\s*["']([^"']*)["']""")
# An attribute's value may hold the other quote: name="Ada's" (a sheet's name, say).
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


# -- the prolog ----------------------------------------------------------------------------


class Refusal(str):
    """A reason to refuse a part, as found by :func:`scan_prolog`."""


def plain_root(data: bytes) -> str | None:
    """The root element's local name of a part that starts as applications write it.

    That is an XML declaration in a known encoding (or none), then the root element: the
    fast path, taken by nearly every part. ``None`` means the prolog needs the full walk of
    :func:`scan_prolog`, not that there is no root.
    """
    plain = _PLAIN_PROLOG.match(data)
    if plain is None:
        return None
    declared = _ENCODING.search((plain.group(1) or b"").decode("latin-1"))
    if declared is None or declared.group(1).strip().lower() in ENCODINGS:
        return plain.group(2).decode("latin-1")
    return None


def as_text(head: bytes) -> str | None:
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


def scan_prolog(text: str) -> str | None:
    """Walk an XML prolog: the root's local name, ``""`` (no root), None (read more), or a
    :class:`Refusal`.

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
        step: int | str | None
        if text.startswith("<?", i):
            step = _instruction_end(text, i)
        elif text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            step = close + 3 if close >= 0 else None
        elif text.startswith("<!", i):
            return _markup_declaration(text, i)
        elif text[i] == "<":
            return _root(text, i)
        else:
            return ""  # text before the root: not well-formed, the parser will say so
        if not isinstance(step, int):
            return step  # read more, or refused
        i = step


def _instruction_end(text: str, i: int) -> int | Refusal | None:
    """Where the ``<?...?>`` at ``i`` ends; None if cut short; a refusal of its encoding."""
    close = text.find("?>", i)
    if close < 0:
        return None
    declared = _ENCODING.search(text, i, close)
    if declared and declared.group(1).strip().lower() not in ENCODINGS:
        return Refusal(
            f"the text encoding {declared.group(1)!r} is not one a spreadsheet "
            "application writes (possible XML attack)"
        )
    return close + 2


def _markup_declaration(text: str, i: int) -> Refusal | None:
    if "<!--".startswith(text[i:]):
        return None  # a comment cut short by the end of what was read
    return Refusal(
        f"XML entity declarations are not allowed (possible XML attack): found {text[i : i + 9]!r}"
    )


def _root(text: str, i: int) -> str | None:
    match = _ROOT_NAME.match(text, i)
    if match is None:
        return "" if len(text) - i > 256 else None
    return match.group(1).rpartition(":")[2]


# -- where a worksheet's data lies -------------------------------------------------------------


@dataclass(frozen=True)
class CellScan:
    """What :func:`scan_cells` found in a worksheet's XML.

    Attributes:
        beyond: ``(row, column)``, 1-based, of the first cell holding something (a value,
            inline text or a formula) that lies beyond the row or column limit, as
            python-calamine would place it; None when every such cell lies within.
        uncounted: the sheet's positions had to be counted tag by tag (some row or cell
            has no leading ``r`` attribute, which no spreadsheet application writes) and it
            has more row and cell tags than the count is allowed to visit.
    """

    beyond: tuple[int, int] | None = None
    uncounted: bool = False


def scan_cells(content: bytes, max_rows: int, max_columns: int, max_counted: int) -> CellScan:
    """Find a cell holding something beyond ``max_rows`` or ``max_columns``, if there is one.

    Only cells with content count: a cell with a child element (``<v>``, ``<is>``, ``<f>``).
    Empty rows, styled empty cells (``<c r="A9" s="3"/>``) and ``<dimension>`` claims place
    nothing (python-calamine skips them), and applications write them far down: LibreOffice
    writes an empty ``<row r="1048576">`` on every save after a row was deleted.

    Excel, LibreOffice, Google Sheets, openpyxl and xlsxwriter write ``r`` first on every
    row and cell; then one regular-expression pass in C finds the few references that may
    lie beyond the limits on a cell with content. Any other sheet has its positions counted
    tag by tag, as a reader does, visiting at most ``max_counted`` row and cell tags.

    Example:
        >>> sheet = b'<row r="1048576"><c r="A1048576" s="1"/></row>'
        >>> scan_cells(sheet, 10_000, 256, 1_000)
        CellScan(beyond=None, uncounted=False)
        >>> scan_cells(b'<row r="9"><c r="XFD9"><v>1</v></c></row>', 10_000, 256, 1_000)
        CellScan(beyond=(9, 16384), uncounted=False)
    """
    if any(pattern.search(content) for pattern in _UNUSUAL_TAGS):
        return _counted_scan(content, max_rows, max_columns, max_counted)
    for match in _far_cell(max_rows, max_columns).finditer(content):
        if not _CELL_START.match(content, content.rfind(b"<", 0, match.start())):
            continue  # an r in another tag, or in text
        row, column = ref_extent(html.unescape(match.group(1).decode("latin-1")))
        if row > max_rows or column > max_columns:
            return CellScan(beyond=(max(row, 1), max(column, 1)))
    return CellScan()


@functools.lru_cache(maxsize=8)
def _far_cell(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """An r value beyond the limits (or escaped), on a tag with a child element.

    The pattern starts with a literal, which re searches fast, and the whole test runs in
    C: whitespace before ``r``, not the first attribute of a row (rows place nothing where
    every cell has its own r), a column or row past its limit, a start tag that does not
    close itself, then a child element rather than the end tag. A sheet within the limits
    gives no match at all, so the scan costs no Python per cell; a match still has to
    stand in a cell's start tag (see :data:`_CELL_START`).
    """
    columns = _greater(col_letter(max_columns - 1), "A", "Z", case=True)
    rows = _greater(str(max_rows), "0", "9")
    return re.compile(
        rb"r(?<=\sr)(?<!<row r)\s*=\s*[\"']\s*"
        rb"((?:" + columns + rb")[0-9]*|[A-Za-z]*(?:" + rows + rb")|[^\"'<>]*&[^\"'<>]*)"
        rb"\s*[\"'][^<]*?(?<!/)>[^<]*<(?!/)"
    )


def _greater(limit: str, low: str, high: str, *, case: bool = False) -> bytes:
    """A regex for the strings of ``low``..``high`` that sort after ``limit`` as numbers do.

    Longer strings, or as long and larger at the first place they differ (``IW``..``ZZ``
    after ``IV``; ``10001``..``99999`` after ``10000``). Leading zeros make a string
    longer, so ``010000`` matches too: the caller checks the value.
    """

    def span(first: str) -> str:
        if first > high:
            return ""
        klass = f"{first}-{high}"
        return f"[{klass}{klass.lower()}]" if case else f"[{klass}]"

    every = span(low)
    options = [f"{every}{{{len(limit) + 1},}}"]
    for i, char in enumerate(limit):
        bigger = span(chr(ord(char) + 1))
        if bigger:
            same = "".join(f"[{c}{c.lower()}]" if case else c for c in limit[:i])
            rest = len(limit) - i - 1
            options.append(f"{same}{bigger}" + (f"{every}{{{rest}}}" if rest else ""))
    return "|".join(options).encode()


def _counted_scan(content: bytes, max_rows: int, max_columns: int, max_counted: int) -> CellScan:
    # A row without r follows the previous row; a cell without r, the previous cell.
    row = column = 0
    for visited, match in enumerate(_TAG.finditer(content)):
        if visited >= max_counted:
            return CellScan(uncounted=True)
        found = None
        for ref in _R_ATTR.finditer(match.group(2)):  # the last r wins, as in calamine
            found = ref
        r, c = ref_extent(html.unescape(found.group(1).decode("latin-1"))) if found else (0, 0)
        if match.group(1) == b"row":
            row, column = (r if found else row + 1), 0
            continue
        column = c if found else column + 1
        row = max(row, r)
        if (row > max_rows or column > max_columns) and _holds_something(content, match):
            return CellScan(beyond=(max(row, 1), max(column, 1)))
    return CellScan()


def _holds_something(content: bytes, start_tag: re.Match[bytes]) -> bool:
    """Whether the cell whose start tag this is has a child element (not ``<c/>``)."""
    if start_tag.group(2).endswith(b"/"):
        return False
    after = content.find(b"<", start_tag.end())
    return after >= 0 and content[after + 1 : after + 2] != b"/"


def ref_extent(ref: str) -> tuple[int, int]:
    """The last row and column a reference such as ``A1:H36`` reaches (0 when absent)."""
    rows = columns = 0
    for corner in ref.split(":"):
        match = _REF.fullmatch(corner.strip())
        if match:
            letters, digits = match.groups()
            # Beyond 8 letters or 10 digits the exact figure says nothing more, and int()
            # of a huge string is slow.
            columns = max(columns, column_number(letters[:8]))
            rows = max(rows, int(digits[:10]) if digits else 0)
    return rows, columns


# -- structure: relationships, sheets, formulas ------------------------------------------------


@functools.lru_cache(maxsize=4)
def _element(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<" + PREFIX + name + rb"\s([^>]*)>")


def elements(content: bytes, name: bytes) -> Iterator[dict[str, str]]:
    """The attributes of each ``<name ...>`` element (for small, already checked parts)."""
    for match in _element(name).finditer(content):
        attrs = _ATTRIBUTE.findall(match.group(1).decode("utf-8", errors="replace"))
        yield {key: html.unescape(double or single) for key, double, single in attrs}


def rels_part(part: str) -> tuple[str, str]:
    """``(the part holding part's relationships, the folder its targets are relative to)``.

    Example:
        >>> rels_part("xl/workbook.xml")
        ('xl/_rels/workbook.xml.rels', 'xl/')
    """
    folder, _, file = part.rpartition("/")
    folder = f"{folder}/" if folder else ""
    return f"{folder}_rels/{file}.rels", folder


def relationships(rels: bytes, folder: str) -> list[tuple[str, str]]:
    """(Id, target part) of the internal relationships in a ``.rels`` part's XML.

    Targets are resolved against ``folder`` (see :func:`rels_part`); external targets
    (links, ...) and empty ones are left out.
    """
    found = []
    for attrs in elements(rels, b"Relationship"):
        target = attrs.get("Target", "")
        if attrs.get("TargetMode", "") == "External" or not target:
            continue
        if target.startswith("/"):
            resolved = posixpath.normpath(target.lstrip("/"))
        else:
            resolved = posixpath.normpath(folder + target)
        found.append((attrs.get("Id", ""), resolved))
    return found


@functools.lru_cache(maxsize=64)
def book_sheets(book: bytes, rels: bytes) -> tuple[tuple[str, str], ...]:
    """``(sheet name, part)`` of each sheet of ``xl/workbook.xml``, in the book's order.

    Args:
        book: the XML of ``xl/workbook.xml``.
        rels: the XML of its relationships, ``xl/_rels/workbook.xml.rels``.

    Returns:
        The sheets whose relationship resolves to a part; remembered, since a team's
        workbooks share these two parts byte for byte.
    """
    targets = dict(relationships(rels, "xl/"))
    found = []
    for attrs in elements(book, b"sheet"):
        rel_id = next((v for k, v in attrs.items() if k.endswith(":id")), "")
        if rel_id in targets:
            found.append((attrs.get("name", ""), targets[rel_id]))
    return tuple(found)


def formula_cells(sheet: bytes, column: str) -> set[str]:
    """The cells of one column (by its letters) that hold a formula in a worksheet's XML.

    python-calamine gives a formula cell's cached value only, so a formula typed into an
    input cell would pass for the number it shows.

    Example:
        >>> sorted(formula_cells(b'<c r="E9"><f>2+2</f><v>4</v></c><c r="E10"/>', "E"))
        ['E9']
    """
    cells = re.finditer(
        rb'<c r="(' + column.encode() + rb'\d+)"[^>]*?(?:/>|>(.*?)</c>)', sheet, re.DOTALL
    )
    return {m.group(1).decode() for m in cells if m.group(2) and b"<f" in m.group(2)}
