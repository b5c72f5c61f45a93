"""The workbook-level bookkeeping that sheets being added or removed must keep true.

A sheet's position is referred to by index in three places beside ``<sheets>``: the
``localSheetId`` of sheet-local defined names, the ``activeTab`` and ``firstSheet`` of
each ``<workbookView>``, and the order of sheet titles in ``docProps/app.xml``. The calc
chain refers to sheets by ``sheetId``. These helpers shift or prune each of them, and
leave every other element of those parts as it was.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from matrix_xl.xlsx.package import NS, Package

__all__ = ["AppTitles", "drop_calc_chain_sheet", "quote_sheet", "shift_names", "shift_views"]

_M = NS["main"]
_VT = NS["vt"]
_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"


def quote_sheet(name: str) -> str:
    """A sheet name as formulas write it: ``Matrix``, ``'Improvement Log'``, ``'It''s'``."""
    if name.replace("_", "").replace(".", "").isalnum() and not name[:1].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"


def shift_names(book: etree._Element, at: int, by: int, drop: int | None = None) -> None:
    """Shift ``localSheetId`` >= ``at`` by ``by``; remove the names local to ``drop``."""
    names = book.find(f"{{{_M}}}definedNames")
    if names is None:
        return
    for name in list(names):
        local = name.get("localSheetId")
        if local is None or not local.isdigit():
            continue
        index = int(local)
        if drop is not None and index == drop:
            names.remove(name)
        elif index >= at:
            name.set("localSheetId", str(index + by))
    if len(names) == 0:
        book.remove(names)


def shift_views(book: etree._Element, at: int, by: int, count: int) -> None:
    """Keep each window's ``activeTab`` and ``firstSheet`` on the same sheet.

    ``count`` is the number of sheets after the change; indexes stay within range.
    """
    for view in book.iter(f"{{{_M}}}workbookView"):
        for attr in ("activeTab", "firstSheet"):
            value = view.get(attr)
            if value is None or not value.isdigit():
                continue
            index = int(value)
            if index >= at and (by > 0 or index > at):
                index += by
            view.set(attr, str(max(0, min(index, count - 1))))


def drop_calc_chain_sheet(package: Package, book_part: str, sheet_id: str) -> None:
    """Remove a sheet's cells from the calc chain (each entry's ``i`` is inherited)."""
    part = next(
        (r.target for r in package.relationships(book_part) if r.type == _CALC_CHAIN),
        None,
    )
    if part is None or not package.has(part):
        return
    root = package.xml(part).getroot()
    current = ""
    doomed = []
    for cell in root:
        current = cell.get("i", current)
        if current == sheet_id:
            doomed.append(cell)
        elif cell.get("i") is None:
            cell.attrib["i"] = current  # explicit: the entry before it may be removed
    if not doomed:
        return
    package.edit_xml(part)
    for cell in doomed:
        root.remove(cell)


class AppTitles:
    """The sheet titles of ``docProps/app.xml`` (HeadingPairs + TitlesOfParts).

    Left alone when the part is missing or its counts do not add up (it is a cache of
    what the workbook holds; applications rebuild it).
    """

    def __init__(self, package: Package, part: str | None) -> None:
        self.package = package
        self.part = part
        self.blocks: list[tuple[str, list[str]]] | None = None
        if part is not None and package.has(part):
            self.blocks = self._read(package.xml(part).getroot())

    def _read(self, root: etree._Element) -> list[tuple[str, list[str]]] | None:
        pairs = root.find(f"{{{NS['ep']}}}HeadingPairs/{{{_VT}}}vector")
        titles = root.find(f"{{{NS['ep']}}}TitlesOfParts/{{{_VT}}}vector")
        if pairs is None or titles is None:
            return None
        values = [v[0] for v in pairs if len(v)]
        names = [t.text or "" for t in titles]
        blocks = []
        at = 0
        for heading, count in zip(values[::2], values[1::2], strict=False):
            number = int(count.text or "0") if (count.text or "").isdigit() else -1
            if number < 0:
                return None
            blocks.append((heading.text or "", names[at : at + number]))
            at += number
        return blocks if at == len(names) else None

    def _sheets(self, known: Iterable[str]) -> list[str] | None:
        # The heading is localised ("Worksheets", "Arbeitsblätter"...): find the block by
        # the sheet names it lists.
        wanted = set(known)
        for heading, names in self.blocks or []:
            if heading == "Worksheets" or wanted.intersection(names):
                return names
        return None

    def remove(self, sheet: str) -> None:
        """Forget ``sheet`` and the named ranges local to it."""
        names = self._sheets([sheet])
        if names is None or sheet not in names:
            return
        names.remove(sheet)
        prefix = quote_sheet(sheet) + "!"
        for _heading, titles in self.blocks or []:
            if titles is not names:
                titles[:] = [t for t in titles if not t.startswith(prefix)]
        self._write()

    def insert(self, index: int, sheets: Iterable[str], known: Iterable[str]) -> None:
        """Add ``sheets`` as titles from position ``index``; ``known``: the sheets there."""
        names = self._sheets(known)
        if names is None:
            return
        names[index:index] = list(sheets)
        self._write()

    def _write(self) -> None:
        assert self.part is not None and self.blocks is not None
        root = self.package.edit_xml(self.part).getroot()
        pairs = root.find(f"{{{NS['ep']}}}HeadingPairs/{{{_VT}}}vector")
        titles = root.find(f"{{{NS['ep']}}}TitlesOfParts/{{{_VT}}}vector")
        assert pairs is not None and titles is not None
        counts = [v[0] for v in pairs if len(v)][1::2]
        for count, (_, names) in zip(counts, self.blocks, strict=False):
            count.text = str(len(names))
        template = titles[0] if len(titles) else None
        for child in list(titles):
            titles.remove(child)
        for name in (n for _, names in self.blocks for n in names):
            item = etree.SubElement(
                titles, template.tag if template is not None else f"{{{_VT}}}lpstr"
            )
            item.text = name
        titles.set("size", str(len(titles)))
