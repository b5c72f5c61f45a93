"""Structural checks of an .xlsx that an OOXML schema validator does not make.

Excel "repairs" (and LibreOffice silently mangles) a workbook whose parts do not agree
with each other, though each part is valid on its own: a cell style past the end of
``cellXfs``, a relationship to a missing part, a part without a content type, two sheets of
one name, a defined name local to a sheet that does not exist, a table whose header cells
differ from its column names, a shared-string index out of range. :func:`check_xlsx` lists
every such problem; :func:`audit_xlsx` adds openxml-audit's schema findings.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> check_xlsx(build_workbook(owner="Ada"))
    []
"""

from __future__ import annotations

import io
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

__all__ = ["audit_xlsx", "check_xlsx"]

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_NAME = re.compile(r"^(_xlnm\.)?[A-Za-z_\\][\w.\\]*$")
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_FIRST_CUSTOM_FORMAT = 164


class _Book:
    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.parts = {i.filename for i in self.zip.infolist() if not i.is_dir()}
        self._xml: dict[str, etree._Element] = {}

    def xml(self, part: str) -> etree._Element:
        if part not in self._xml:
            self._xml[part] = etree.fromstring(self.zip.read(part), _PARSER)
        return self._xml[part]

    def rels(self, part: str) -> list[tuple[str, str, str, bool]]:
        """(Id, Type, resolved target, external) of a part's relationships."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if rels not in self.parts:
            return []
        found = []
        for rel in self.xml(rels).iter(f"{{{REL}}}Relationship"):
            target = rel.get("Target", "")
            external = rel.get("TargetMode") == "External"
            if not external:
                target = unquote(target)
                target = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
            found.append((rel.get("Id", ""), rel.get("Type", ""), target, external))
        return found

    def content_type(self, part: str) -> str:
        root = self.xml("[Content_Types].xml")
        for item in root.iter(f"{{{CT}}}Override"):
            if item.get("PartName", "").lower() == "/" + part.lower():
                return item.get("ContentType", "")
        ext = posixpath.basename(part).rpartition(".")[2].lower()
        for item in root.iter(f"{{{CT}}}Default"):
            if item.get("Extension", "").lower() == ext:
                return item.get("ContentType", "")
        return ""


def check_xlsx(source: bytes | str | Path) -> list[str]:
    """Every cross-reference problem of a workbook, one line each; empty when sound."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    book = _Book(data)
    problems: list[str] = []
    problems.extend(_package(book))
    workbook = next((t for _, k, t, _ in book.rels("") if k.endswith("/officeDocument")), "")
    if workbook not in book.parts:
        return [*problems, "no workbook part"]
    sheets = list(_sheets(book, workbook, problems))
    problems.extend(_names(book, workbook, [n for n, _ in sheets]))
    problems.extend(_styles_and_cells(book, workbook, sheets))
    problems.extend(_tables(book, workbook, sheets))
    return problems


def _package(book: _Book) -> Iterator[str]:
    for part in sorted(book.parts):
        if part != "[Content_Types].xml" and not book.content_type(part):
            yield f"part {part} has no content type"
        if part.endswith(".rels"):
            folder, name = posixpath.split(part)
            source = posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])
            if name != ".rels" and source not in book.parts:
                yield f"relationships {part} belong to no part"
            for rel_id, _, target, external in book.rels(source if name != ".rels" else ""):
                if not external and target not in book.parts:
                    yield f"relationship {rel_id} of {source or 'the package'} -> missing {target}"
    for item in book.xml("[Content_Types].xml").iter(f"{{{CT}}}Override"):
        if item.get("PartName", "").lstrip("/") not in book.parts:
            yield f"content type override for missing part {item.get('PartName')}"


def _sheets(book: _Book, workbook: str, problems: list[str]) -> Iterator[tuple[str, str]]:
    root = book.xml(workbook)
    targets = {i: t for i, _, t, _ in book.rels(workbook)}
    names: set[str] = set()
    ids: set[str] = set()
    elements = root.findall(f"{{{M}}}sheets/{{{M}}}sheet")
    selected = []
    for sheet in elements:
        name, sheet_id = sheet.get("name", ""), sheet.get("sheetId", "")
        if name.casefold() in names:
            problems.append(f"two sheets named {name!r}")
        if sheet_id in ids:
            problems.append(f"two sheets with sheetId {sheet_id}")
        if not name or len(name) > 31 or _BAD_SHEET.search(name) or name[0] == "'":
            problems.append(f"invalid sheet name {name!r}")
        names.add(name.casefold())
        ids.add(sheet_id)
        part = targets.get(sheet.get(f"{{{R}}}id", ""), "")
        if part not in book.parts:
            problems.append(f"sheet {name!r} has no part")
            continue
        views = book.xml(part).findall(f"{{{M}}}sheetViews/{{{M}}}sheetView")
        if any(v.get("tabSelected") in ("1", "true") for v in views):
            selected.append(len(names) - 1)
        yield name, part
    for view in root.iter(f"{{{M}}}workbookView"):
        active = int(view.get("activeTab", "0"))
        if not 0 <= active < len(elements) or int(view.get("firstSheet", "0")) >= len(elements):
            problems.append(f"workbookView activeTab/firstSheet out of range ({len(elements)})")
        elif elements[active].get("state", "visible") != "visible":
            problems.append("the active sheet is hidden")
        elif selected and selected != [active]:
            problems.append(f"sheets {selected} are selected, the active one is {active}")


def _names(book: _Book, workbook: str, sheets: list[str]) -> Iterator[str]:
    seen = set()
    for name in book.xml(workbook).iter(f"{{{M}}}definedName"):
        text, local = name.get("name", ""), name.get("localSheetId")
        if not _NAME.match(text):
            yield f"invalid defined name {text!r}"
        if local is not None and not (local.isdigit() and int(local) < len(sheets)):
            yield f"defined name {text!r} local to sheet {local}, of {len(sheets)}"
        key = (text.casefold(), local)
        if key in seen:
            yield f"defined name {text!r} twice (localSheetId {local})"
        seen.add(key)


def _counted(section: etree._Element | None, item: str) -> int:
    return 0 if section is None else len(section.findall(f"{{{M}}}{item}"))


def _styles_and_cells(book: _Book, workbook: str, sheets: list[tuple[str, str]]) -> Iterator[str]:
    styles = next((t for _, k, t, _ in book.rels(workbook) if k.endswith("/styles")), "")
    root = book.xml(styles) if styles in book.parts else etree.Element(f"{{{M}}}styleSheet")
    counts = {
        s: _counted(root.find(f"{{{M}}}{s}"), i)
        for s, i in (
            ("fonts", "font"), ("fills", "fill"), ("borders", "border"),
            ("cellStyleXfs", "xf"), ("cellXfs", "xf"), ("dxfs", "dxf"), ("numFmts", "numFmt"),
            ("cellStyles", "cellStyle"),
        )
    }  # fmt: skip
    for section, number in counts.items():
        element = root.find(f"{{{M}}}{section}")
        if element is not None and element.get("count") not in (None, str(number)):
            yield f"styles {section} count={element.get('count')} but holds {number}"
    formats = {int(f.get("numFmtId", "0")) for f in root.iter(f"{{{M}}}numFmt")}
    for section in ("cellXfs", "cellStyleXfs"):
        for i, xf in enumerate(root.findall(f"{{{M}}}{section}/{{{M}}}xf")):
            for attr, limit in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                if int(xf.get(attr, "0")) >= max(counts[limit], 1):
                    yield f"{section}[{i}] {attr}={xf.get(attr)} of {counts[limit]}"
            number = int(xf.get("numFmtId", "0"))
            if number >= _FIRST_CUSTOM_FORMAT and number not in formats:
                yield f"{section}[{i}] numFmtId={number} is not defined"
            if section == "cellXfs" and int(xf.get("xfId", "0")) >= max(counts["cellStyleXfs"], 1):
                yield f"cellXfs[{i}] xfId={xf.get('xfId')} of {counts['cellStyleXfs']}"
    shared = _shared_count(book, workbook)
    for name, part in sheets:
        yield from _sheet_refs(book.xml(part), name, counts["cellXfs"], counts["dxfs"], shared)


def _shared_count(book: _Book, workbook: str) -> int:
    part = next((t for _, k, t, _ in book.rels(workbook) if k.endswith("/sharedStrings")), "")
    if part not in book.parts:
        return 0
    return len(book.xml(part).findall(f"{{{M}}}si"))


def _sheet_refs(root: etree._Element, name: str, xfs: int, dxfs: int, shared: int) -> Iterator[str]:
    for cell in root.iter(f"{{{M}}}c"):
        if int(cell.get("s", "0")) >= max(xfs, 1):
            yield f"sheet {name!r} cell {cell.get('r')} style {cell.get('s')} of {xfs}"
        kind = cell.get("t", "n")
        value = cell.find(f"{{{M}}}v")
        if kind == "s" and (value is None or int(value.text or "-1") >= shared):
            yield f"sheet {name!r} cell {cell.get('r')} shared string out of range"
        if kind == "inlineStr" and cell.find(f"{{{M}}}is") is None:
            yield f"sheet {name!r} cell {cell.get('r')} inline string without <is>"
    for row in root.iter(f"{{{M}}}row"):
        if int(row.get("s", "0")) >= max(xfs, 1):
            yield f"sheet {name!r} row {row.get('r')} style {row.get('s')} of {xfs}"
    for col in root.iter(f"{{{M}}}col"):
        if int(col.get("style", "0")) >= max(xfs, 1):
            yield f"sheet {name!r} column style {col.get('style')} of {xfs}"
    for rule in root.iter(f"{{{M}}}cfRule"):
        if rule.get("dxfId") is not None and int(rule.get("dxfId", "0")) >= dxfs:
            yield f"sheet {name!r} conditional format dxfId {rule.get('dxfId')} of {dxfs}"


def _tables(book: _Book, workbook: str, sheets: list[tuple[str, str]]) -> Iterator[str]:
    ids, names = set(), set()
    strings = _shared_texts(book, workbook)
    for sheet, part in sheets:
        for _, kind, target, external in book.rels(part):
            if external or not kind.endswith("/table"):
                continue
            table = book.xml(target)
            if table.get("id") in ids or table.get("name", "").casefold() in names:
                yield f"table {table.get('name')} (id {table.get('id')}) is not unique"
            ids.add(table.get("id"))
            names.add(table.get("name", "").casefold())
            yield from _table_header(book.xml(part), table, sheet, strings)


def _table_header(
    sheet: etree._Element, table: etree._Element, name: str, strings: list[str]
) -> Iterator[str]:
    ref = table.get("ref", "")
    match = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", ref)
    if match is None:
        yield f"table {table.get('name')} has ref {ref!r}"
        return
    columns = [c.get("name", "") for c in table.iter(f"{{{M}}}tableColumn")]
    first, row = _col(match.group(1)), match.group(2)
    if len(columns) != _col(match.group(3)) - first + 1:
        yield f"table {table.get('name')}: {len(columns)} columns for ref {ref}"
    autofilter = table.find(f"{{{M}}}autoFilter")
    if autofilter is not None and autofilter.get("ref") != ref:
        yield f"table {table.get('name')}: autoFilter {autofilter.get('ref')} vs ref {ref}"
    if table.get("headerRowCount") == "0":
        return
    cells = {c.get("r"): c for c in sheet.iter(f"{{{M}}}c")}
    for i, column in enumerate(columns):
        text = _cell_text(cells.get(f"{_letters(first + i)}{row}"), strings)
        if text != column:
            yield f"table {table.get('name')}: header {text!r} vs column {column!r} in {name!r}"


def _shared_texts(book: _Book, workbook: str) -> list[str]:
    part = next((t for _, k, t, _ in book.rels(workbook) if k.endswith("/sharedStrings")), "")
    if part not in book.parts:
        return []
    out = []
    for si in book.xml(part).findall(f"{{{M}}}si"):
        texts = si.findall(f"{{{M}}}t") + si.findall(f"{{{M}}}r/{{{M}}}t")
        out.append("".join(t.text or "" for t in texts))
    return out


def _cell_text(cell: etree._Element | None, strings: list[str]) -> str | None:
    if cell is None:
        return None
    if cell.get("t") == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{{{M}}}t"))
    value = cell.find(f"{{{M}}}v")
    if value is None:
        return None
    return strings[int(value.text or "0")] if cell.get("t") == "s" else value.text


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def audit_xlsx(source: bytes | str | Path) -> list[str]:
    """openxml-audit's errors for a workbook (its font-order false positive left out)."""
    from openxml_audit import OpenXmlValidator  # heavy: only where an audit is wanted

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        path.write_bytes(source if isinstance(source, bytes) else Path(source).read_bytes())
        result = OpenXmlValidator().validate(path)
    return [
        str(error)
        for error in result.errors
        if not ("styles.xml" in error.part_uri and "font" in (error.path or "").lower())
    ]
