"""Merge a donor workbook's styles into a target's styles.xml, append-only.

The target's existing entries never move, so every ``s=`` of the person's cells still means
what it meant. A donor entry equal to one the target already has (same element, attributes,
text and children, whatever the namespace prefixes) is reused instead of appended: merging
the same donor again adds nothing, so styles.xml does not grow on every weekly evaluate.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> from matrix_xl.xlsx.package import Package
    >>> target = Package.from_bytes(build_workbook(owner="Ada"))
    >>> donor = Package.from_bytes(build_workbook(owner="Bob"))
    >>> styles = merge_styles(target, donor)
    >>> styles.cell_xfs == list(range(len(styles.cell_xfs)))  # all reused, none appended
    True
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from matrix_xl.errors import UnreadableWorkbookError
from matrix_xl.xlsx.package import NS, Package

__all__ = ["StyleMap", "merge_styles"]

_M = NS["main"]
_STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
# The order of styleSheet's children (CT_Stylesheet): a new section goes in its place.
_ORDER = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
    "tableStyles", "colors", "extLst",
)  # fmt: skip
_FIRST_CUSTOM_FORMAT = 164  # ids below are built in (ECMA-376 Part 1, 18.8.30)

Key = tuple[object, ...]


@dataclass
class StyleMap:
    """Donor style indexes -> target style indexes, position by position.

    Attributes:
        cell_xfs: donor ``cellXfs`` index -> target index (for ``s=`` and ``style=``).
        dxfs: donor ``dxfs`` index -> target index (for ``dxfId=``).
        cell_styles: donor cell style name -> target cell style name.
    """

    cell_xfs: list[int] = field(default_factory=list)
    dxfs: list[int] = field(default_factory=list)
    cell_styles: dict[str, str] = field(default_factory=dict)


def styles_part(package: Package) -> str | None:
    """The styles part of a workbook, found through the workbook's relationships."""
    for rel in package.relationships("xl/workbook.xml"):
        if rel.type == _STYLES_TYPE and not rel.external and package.has(rel.target):
            return rel.target
    return None


def merge_styles(target: Package, donor: Package) -> StyleMap:
    """Add the donor's styles to the target's styles.xml and say where each one went.

    Args:
        target: the workbook receiving sheets; its styles.xml is edited in place.
        donor: the workbook the sheets come from.

    Returns:
        The index maps to apply to the donor's sheets and tables.

    Raises:
        UnreadableWorkbookError: the target has no styles part (a workbook without one
            cannot show the grafted sheets' formats).
    """
    donor_part = styles_part(donor)
    if donor_part is None:
        return StyleMap()
    target_part = styles_part(target)
    if target_part is None:
        raise UnreadableWorkbookError("the workbook has no styles part", target.source)
    theirs = donor.xml(donor_part).getroot()
    ours = target.edit_xml(target_part).getroot()
    merger = _Merger(ours, theirs)
    return merger.run()


class _Merger:
    def __init__(self, ours: etree._Element, theirs: etree._Element) -> None:
        self.ours = ours
        self.theirs = theirs

    def run(self) -> StyleMap:
        formats = self._numfmts()
        fonts = self._plain("fonts", "font")
        fills = self._plain("fills", "fill")
        borders = self._plain("borders", "border")

        def remap(xf: etree._Element) -> None:
            _remap(xf, "numFmtId", lambda i: formats.get(i, i))
            for attr, table in (("fontId", fonts), ("fillId", fills), ("borderId", borders)):
                _remap(xf, attr, functools.partial(_at, table))

        style_xfs, names = self._cell_styles(remap)
        cell_xfs = self._section("cellXfs", "xf", _then(remap, style_xfs))
        dxfs = self._section("dxfs", "dxf", lambda _: None)
        return StyleMap(cell_xfs, dxfs, names)

    def _plain(self, section: str, item: str) -> list[int]:
        return self._section(section, item, lambda _: None)

    def _section(
        self, section: str, item: str, remap: Callable[[etree._Element], None]
    ) -> list[int]:
        """Append each donor entry (remapped) unless an equal one exists; donor -> target."""
        source = self.theirs.find(f"{{{_M}}}{section}")
        if source is None:
            return []
        entries = [e for e in source if _local(e) == item]
        if not entries:
            return []
        home = self._home(section)
        existing = [e for e in home if _local(e) == item]
        index: dict[Key, int] = {}
        for i, element in enumerate(existing):
            index.setdefault(_key(element), i)
        mapping = []
        for element in entries:
            copy = _copy(element)
            remap(copy)
            key = _key(copy)
            if key not in index:
                index[key] = len(existing)
                existing.append(copy)
                home.append(copy)
            mapping.append(index[key])
        home.set("count", str(len(existing)))
        return mapping

    def _numfmts(self) -> dict[int, int]:
        """Custom number formats by format code; a new one gets a free id >= 164."""
        source = self.theirs.find(f"{{{_M}}}numFmts")
        if source is None:
            return {}
        home = self._home("numFmts")
        by_code: dict[str, int] = {}
        used: set[int] = set()
        for element in home:
            number = int(element.get("numFmtId", "0"))
            used.add(number)
            by_code.setdefault(element.get("formatCode", ""), number)
        mapping: dict[int, int] = {}
        for element in source:
            number = int(element.get("numFmtId", "0"))
            code = element.get("formatCode", "")
            if number < _FIRST_CUSTOM_FORMAT:
                mapping[number] = number
                continue
            if code not in by_code:
                fresh = max([_FIRST_CUSTOM_FORMAT - 1, *used]) + 1
                used.add(fresh)
                by_code[code] = fresh
                etree.SubElement(home, f"{{{_M}}}numFmt", numFmtId=str(fresh), formatCode=code)
            mapping[number] = by_code[code]
        home.set("count", str(len(home)))
        return mapping

    def _cell_styles(
        self, remap: Callable[[etree._Element], None]
    ) -> tuple[list[int], dict[str, str]]:
        """Named cell styles (Normal, Hyperlink...): matched by name, else added.

        Returns the donor cellStyleXfs index -> target index, and the names.
        """
        donor_xfs = self.theirs.find(f"{{{_M}}}cellStyleXfs")
        count = 0 if donor_xfs is None else len(donor_xfs)
        mapping = [0] * count
        names: dict[str, str] = {}
        donor_styles = self.theirs.find(f"{{{_M}}}cellStyles")
        if donor_xfs is None or donor_styles is None:
            return mapping, names
        home_styles = self._home("cellStyles")
        home_xfs = self._home("cellStyleXfs")
        by_name = {s.get("name", ""): s for s in home_styles}
        by_builtin = {s.get("builtinId"): s for s in home_styles if s.get("builtinId")}
        for style in donor_styles:
            number = int(style.get("xfId", "0"))
            name = style.get("name", "")
            found = by_name.get(name)
            if found is None:
                found = by_builtin.get(style.get("builtinId"))
            if found is None and 0 <= number < count:
                xf = _copy(donor_xfs[number])
                remap(xf)
                home_xfs.append(xf)
                found = _copy(style)
                found.set("xfId", str(len(home_xfs) - 1))
                home_styles.append(found)
                by_name[name] = found
            if found is not None and 0 <= number < count:
                mapping[number] = int(found.get("xfId", "0"))
                names[name] = found.get("name", name)
        home_xfs.set("count", str(len(home_xfs)))
        home_styles.set("count", str(len(home_styles)))
        return mapping, names

    def _home(self, section: str) -> etree._Element:
        """The target's section, created in its schema place when missing."""
        found = self.ours.find(f"{{{_M}}}{section}")
        if found is not None:
            return found
        element = etree.Element(f"{{{_M}}}{section}", count="0")
        later = set(_ORDER[_ORDER.index(section) + 1 :])
        for i, child in enumerate(self.ours):
            if _local(child) in later:
                self.ours.insert(i, element)
                return element
        self.ours.append(element)
        return element


def _then(
    remap: Callable[[etree._Element], None], style_xfs: list[int]
) -> Callable[[etree._Element], None]:
    def both(xf: etree._Element) -> None:
        remap(xf)
        _remap(xf, "xfId", lambda i: style_xfs[i] if 0 <= i < len(style_xfs) else 0)

    return both


def _at(table: list[int], index: int) -> int:
    return table[index] if 0 <= index < len(table) else 0


def _remap(element: etree._Element, attr: str, change: Callable[[int], int]) -> None:
    value = element.get(attr)
    if value is not None and value.lstrip("-").isdigit():
        element.set(attr, str(change(int(value))))


def _copy(element: etree._Element) -> etree._Element:
    # Appended into the target, lxml maps the copy's namespaces onto the target's prefixes.
    return copy.deepcopy(element)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""  # QName() is 5x slower


def _key(element: etree._Element) -> Key:
    """What makes two style entries equal: names, attributes, text, children; no prefixes."""
    if not isinstance(element.tag, str):
        return ()
    return (
        element.tag,
        tuple(sorted(element.attrib.items())),
        (element.text or "").strip(),
        tuple(_key(child) for child in element if isinstance(child.tag, str)),
    )
