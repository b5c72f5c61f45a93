"""What openpyxl would drop from a workbook on load + save, in words a person reads.

Only the openpyxl write-back (:mod:`matrix_xl.evaluation.writeback`) needs this: it
refuses to write rather than lose someone's work. Reading never computes it. (The list is
a stopgap: a write-back that grafts its sheets into the package loses nothing, and then
this module goes.)

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> openpyxl_losses(build_workbook(owner="Ada"), "ada.xlsx")
    ()
"""

from __future__ import annotations

import io
import re
import zipfile

from matrix_xl.read.inflate import read_checked
from matrix_xl.read.package import SHEET_ROOTS, PackageInfo, check_package
from matrix_xl.read.xmlscan import PREFIX, relationships, rels_part

__all__ = ["openpyxl_losses"]

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
_SHAPES = "shapes or text boxes"
_DRAWINGS = "xl/drawings/"

_EXT_URI = re.compile(rb"<" + PREFIX + rb"ext\s[^>]*?\buri\s*=\s*[\"']([^\"']+)[\"']")
_SHAPE = re.compile(rb"<" + PREFIX + rb"(?:sp|grpSp|cxnSp|contentPart)[\s/>]")
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


def openpyxl_losses(
    data: bytes, source: str, package: PackageInfo | None = None
) -> tuple[str, ...]:
    """What openpyxl would drop from the workbook ``data`` on load + save.

    Args:
        data: the workbook's bytes.
        source: the file's name, for messages.
        package: what :func:`~matrix_xl.read.package.check_package` learnt of these very
            bytes (``MatrixRead.package``); checked here when ``None``.

    Returns:
        The losses grouped by kind and, where known, by sheet, in words a person reads
        (``"charts in sheet 'Summary' (xl/charts/chart1.xml)"``); empty for a workbook
        matrix-xl made.

    Raises:
        UnreadableWorkbookError: a part needed to tell is corrupt (or, with no
            ``package``, the package check fails).
    """
    if package is None:
        package = check_package(data, source)
    return tuple(_Losses(data, source, package).items())


def _part_kind(part: str) -> str:
    match = _UNPRESERVABLE_PART.match(part)
    return _UNPRESERVABLE_PARTS[match.lastindex - 1][1] if match and match.lastindex else ""


def _extension_labels(sheet: bytes) -> tuple[str, ...]:
    """The Excel 2010+ extensions of a worksheet's XML, worded."""
    if b"extLst" not in sheet:
        return ()
    uris = {m.group(1).decode("latin-1").upper() for m in _EXT_URI.finditer(sheet)}
    labels = {
        _SHEET_EXTENSIONS.get(uri, f"Excel extension data ({uri})")
        for uri in uris - {_CF_RULE_LINK}
    }
    return tuple(sorted(labels))


class _Losses:
    """The losses of one package that passed the check."""

    def __init__(self, data: bytes, source: str, package: PackageInfo) -> None:
        self.data = data
        self.source = source
        self.package = package
        self.infos = {i.filename: i for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
        self.sheets = [p for p in package.parts if package.roots.get(p) in SHEET_ROOTS]
        self.names = {part: name for name, part in package.sheets.items()}

    def items(self) -> list[str]:
        """What openpyxl would drop, grouped by kind and, where known, by sheet."""
        found = self._inside_parts()
        by_kind: dict[str, list[str]] = {}
        for part in sorted(self.infos):
            label = _part_kind(part)
            if label:
                by_kind.setdefault(label, []).append(part)
        if found:
            by_kind.setdefault(_SHAPES, []).extend(p for p in found if p.startswith(_DRAWINGS))
        owners = self._owners() if by_kind else {}
        items: list[str] = []
        for label, parts in by_kind.items():
            per_place: dict[str, list[str]] = {}
            for part in parts:
                for sheet in sorted(owners.get(part, ())) or [""]:
                    per_place.setdefault(sheet, []).append(part)
            for sheet, held in per_place.items():
                where = f" in {self._sheet_label(sheet)}" if sheet else ""
                more = f" and {len(held) - 1} more" if len(held) > 1 else ""
                items.append(f"{label}{where} ({held[0]}{more})")
        items.extend(p for p in found if not p.startswith(_DRAWINGS))
        return items

    def _inside_parts(self) -> list[str]:
        """Drawings holding shapes (by part), and worksheets' extensions (worded)."""
        found: list[str] = []
        for part in self.package.parts:
            root = self.package.roots.get(part)
            if root in SHEET_ROOTS:
                labels = _extension_labels(self._xml(part))
                sheet = self._sheet_label(part)
                found.extend(f"{label} in {sheet} ({part})" for label in labels)
            elif root == "wsDr" and _SHAPE.search(self._xml(part)):
                found.append(part)
        return found

    def _xml(self, part: str) -> bytes:
        known = self.package.xml.get(part)
        if known is not None:
            return known
        return read_checked(self.data, self.infos[part], None, self.source)

    def _sheet_label(self, part: str) -> str:
        name = self.names.get(part)
        return f"sheet {name!r}" if name is not None else "a sheet"

    def _relationships(self, part: str) -> list[tuple[str, str]]:
        """(Id, target part) of the internal relationships of ``part``."""
        rels, folder = rels_part(part)
        info = self.infos.get(rels)
        if info is None:
            return []
        return relationships(read_checked(self.data, info, None, self.source), folder)

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
