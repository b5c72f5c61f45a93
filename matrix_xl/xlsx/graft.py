"""Edit a person's workbook at the package level: matrix-xl writes only what it owns.

A workbook is a zip of parts. :class:`WorkbookEditor` removes the sheets matrix-xl made
on an earlier run, grafts new ones built by xlsxwriter into it, appends rows to the
Improvement Log, writes matrix-xl's key/value cells, sets the active tab, and writes the
package back. Every part it does not name is copied byte for byte (see
:mod:`matrix_xl.xlsx.package`); the person's sheets it writes into are spliced, not
re-serialised (see :mod:`matrix_xl.xlsx.splice`); styles are merged append-only (see
:mod:`matrix_xl.xlsx.styles_merge`).

What each operation touches:

* :meth:`~WorkbookEditor.remove_sheets`: the sheet's part and rels, the parts only it
  reaches (drawings, charts, tables, comments...), its ``<sheet>`` and relationship, its
  content-type overrides, its sheet-local defined names (others' ``localSheetId``
  shifted), its calc-chain cells, its titles in ``docProps/app.xml``.
* :meth:`~WorkbookEditor.graft_sheets`: the same parts, added; plus styles.xml (appended
  to, or not at all when every style exists already), and the donor's theme when the
  workbook has none (LibreOffice 7 saves none, and charts without one draw empty).
* :meth:`~WorkbookEditor.append_rows`, :meth:`~WorkbookEditor.set_cells`,
  :meth:`~WorkbookEditor.set_meta`: that sheet's part (spliced), and a table's ``ref``.
* :meth:`~WorkbookEditor.set_active_sheet`: ``<workbookView>``, and the ``tabSelected``
  attribute of the sheets whose selection changes (one start tag each, spliced).

Run :func:`matrix_xl.read.package.check_package` on the bytes first; this module parses
with entities, DTDs and the network off, but the size limits live there.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> editor = WorkbookEditor(build_workbook(owner="Ada"))
    >>> editor.sheet_names()[:2]
    ['Matrix', 'Improvement Log']
    >>> editor.set_meta({"owned_sheets": "Summary"})
    >>> WorkbookEditor(editor.to_bytes()).meta()["owned_sheets"]
    'Summary'
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from matrix_xl.errors import UnsafeWriteError, UsageError
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.book import AppTitles, drop_calc_chain_sheet, shift_names, shift_views
from matrix_xl.xlsx.cells import col_letter
from matrix_xl.xlsx.package import NS, Package, parse_xml, relative_target, rels_part, serialise_xml
from matrix_xl.xlsx.splice import (
    CellValue,
    NewCell,
    SheetEdit,
    as_utf8,
    parse_ref,
    scan,
    start_tag,
)
from matrix_xl.xlsx.styles_merge import StyleMap, merge_styles

__all__ = ["CellValue", "SheetInfo", "WorkbookEditor"]

_M = NS["main"]
_R = NS["r"]
_REL = NS["rel"]
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_OFFICE_DOCUMENT = _RT + "officeDocument"
_WORKSHEET = _RT + "worksheet"
_SHARED_STRINGS = _RT + "sharedStrings"
_APP = _RT + "extended-properties"
_THEME = _RT + "theme"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_MAX_SHEET_NAME = L.MAX_SHEET_NAME
_BAD_SHEET_CHARS = set("[]:*?/\\")
_NUMBERED = re.compile(r"^(.*?)(\d*)(\.[^.]*)?$")


@dataclass(frozen=True)
class SheetInfo:
    """A sheet of the workbook, in tab order.

    Attributes:
        name: its name.
        part: its part (``xl/worksheets/sheet2.xml``), "" when the relationship is broken.
        sheet_id: its ``sheetId``.
        state: ``"visible"``, ``"hidden"`` or ``"veryHidden"``.
    """

    name: str
    part: str
    sheet_id: str
    state: str


class WorkbookEditor:
    """A workbook's package, edited in memory; :meth:`to_bytes` writes it back.

    Args:
        data: the .xlsx/.xlsm bytes (after ``check_package``).
        source: the file's name, for messages.

    Raises:
        UnreadableWorkbookError: not a zip, no workbook part, or a part to edit is not
            well-formed XML.
        UnsafeWriteError: a Strict Open XML workbook (other namespaces throughout), which
            this editor does not write.
    """

    def __init__(self, data: bytes, source: str = "<bytes>") -> None:
        self.package = Package.from_bytes(data, source)
        self.source = source
        self.book_part = _book_part(self.package)
        root = self.package.xml(self.book_part).getroot()
        if etree.QName(root).namespace != _M:
            raise UnsafeWriteError(
                "this workbook is saved as Strict Open XML, which matrix-xl does not write "
                "into; save it as an Excel Workbook (.xlsx) and run again",
                source,
            )
        self._edits: dict[str, SheetEdit] = {}
        self._shared: list[str] | None = None
        self._active: str | None = None
        self._was_active = self._active_name()

    # -- sheets ------------------------------------------------------------------------

    def sheets(self) -> list[SheetInfo]:
        """Every sheet, in tab order."""
        targets = {r.id: r.target for r in self.package.relationships(self.book_part)}
        return [
            SheetInfo(
                sheet.get("name", ""),
                targets.get(sheet.get(f"{{{_R}}}id", ""), ""),
                sheet.get("sheetId", ""),
                sheet.get("state", "visible"),
            )
            for sheet in self._sheet_elements()
        ]

    def sheet_names(self) -> list[str]:
        """The sheet names, in tab order."""
        return [s.name for s in self.sheets()]

    def sheet_part(self, name: str) -> str:
        """The part of the sheet named exactly ``name``.

        Raises:
            UsageError: no such sheet, or its part is missing.
        """
        for sheet in self.sheets():
            if sheet.name == name:
                if not sheet.part or not self.package.has(sheet.part):
                    raise UsageError(f"sheet {name!r} has no part", self.source)
                return sheet.part
        raise UsageError(f"the workbook has no sheet {name!r}", self.source)

    def is_name_free(self, name: str) -> bool:
        """Whether a new sheet may take ``name`` (sheet names ignore case in Excel)."""
        return name.casefold() not in {n.casefold() for n in self.sheet_names()}

    def free_sheet_name(self, wanted: str) -> str:
        """``wanted`` if no sheet has it in any case, else ``wanted (2)``, ``(3)``...

        The result fits Excel's 31 characters; the names are tried in the order of
        :func:`matrix_xl.xlsx.layout.numbered_names`.
        """
        return next(name for name in L.numbered_names(wanted) if self.is_name_free(name))

    def _sheet_elements(self) -> list[etree._Element]:
        sheets = self.package.xml(self.book_part).getroot().find(f"{{{_M}}}sheets")
        return [] if sheets is None else [s for s in sheets if _local(s) == "sheet"]

    # -- removing ------------------------------------------------------------------------

    def remove_sheets(self, names: Iterable[str]) -> None:
        """Remove sheets and everything only they use (see the module's docstring).

        Args:
            names: exact sheet names; names not in the workbook are skipped.

        Raises:
            UsageError: removing them would leave no visible sheet.
        """
        present = [n for n in names if n in self.sheet_names()]
        left = [s for s in self.sheets() if s.name not in present and s.state == "visible"]
        if present and not left:
            raise UsageError("cannot remove every visible sheet of the workbook", self.source)
        for name in present:
            self._remove_sheet(name)

    def _remove_sheet(self, name: str) -> None:
        package = self.package
        book = package.edit_xml(self.book_part).getroot()
        elements = self._sheet_elements()
        index = next(i for i, s in enumerate(elements) if s.get("name") == name)
        element = elements[index]
        info = self.sheets()[index]
        rel_id = element.get(f"{{{_R}}}id", "")
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)
        self._drop_relationship(self.book_part, rel_id)
        shift_names(book, index, -1, drop=index)
        shift_views(book, index, -1, len(elements) - 1)
        AppTitles(package, self._app_part()).remove(name)
        drop_calc_chain_sheet(package, self.book_part, info.sheet_id)
        if info.part:
            self._edits.pop(info.part, None)
            self._delete_unreached(info.part)

    def _drop_relationship(self, part: str, rel_id: str) -> None:
        rels = rels_part(part)
        if not self.package.has(rels):
            return
        root = self.package.edit_xml(rels).getroot()
        for rel in list(root):
            if rel.get("Id") == rel_id:
                root.remove(rel)

    def _delete_unreached(self, part: str) -> None:
        """Delete ``part`` and what it reaches that nothing else in the package reaches."""
        package = self.package
        roots = [r.target for r in package.relationships("") if not r.external]
        kept = package.reachable(roots, skip=frozenset([part]))
        for doomed in package.reachable([part]) - kept:
            package.delete(doomed)
            package.delete(rels_part(doomed))
            package.drop_content_type(doomed)

    # -- grafting ------------------------------------------------------------------------

    def graft_sheets(self, donor: bytes, position: int | None = None) -> list[str]:
        """Insert every sheet of ``donor`` at ``position`` (default: after the last sheet).

        The donor is a complete workbook written by xlsxwriter holding only the new sheets,
        under their final names (so its charts' formulas need no rewriting). Its styles are
        merged into the target's, its shared strings become inline strings, its drawings,
        charts, tables and other parts are added under fresh names, and its sheet-local
        defined names (print titles, print areas) come along.

        Args:
            donor: the donor workbook's bytes.
            position: the tab index of the first new sheet.

        Returns:
            The names of the sheets added, in order.

        Raises:
            UsageError: a donor sheet's name is taken (in any case) or not a valid name,
                or ``position`` is out of range.
            UnsafeWriteError: the donor has a workbook-level defined name (not supported:
                make it local to its sheet).
        """
        source = Package.from_bytes(donor, "<donor>")
        donor_book = _book_part(source)
        donor_root = source.xml(donor_book).getroot()
        donor_sheets = _donor_sheets(source, donor_book)
        count = len(self._sheet_elements())
        position = count if position is None else position
        if not 0 <= position <= count:
            raise UsageError(f"cannot insert sheets at tab {position}: the workbook has {count}")
        self._check_donor(donor_root, [name for name, _, _ in donor_sheets])
        styles = merge_styles(self.package, source)
        transplant = _Transplant(self.package, source, styles)
        book = self.package.edit_xml(self.book_part).getroot()
        shift_names(book, position, len(donor_sheets))
        shift_views(book, position, len(donor_sheets), count + len(donor_sheets))
        known = self.sheet_names()
        for k, (name, part, state) in enumerate(donor_sheets):
            new_part = transplant.sheet(part)
            self._add_sheet_element(position + k, name, new_part, state)
        self._copy_names(donor_root, position)
        self._ensure_theme(source, donor_book)
        AppTitles(self.package, self._app_part()).insert(
            position, [n for n, _, _ in donor_sheets], known
        )
        return [name for name, _, _ in donor_sheets]

    def _check_donor(self, donor_root: etree._Element, names: list[str]) -> None:
        for name in names:
            if not self.is_name_free(name):
                raise UsageError(f"the workbook has a sheet named {name!r} already", self.source)
            if not name or len(name) > _MAX_SHEET_NAME or _BAD_SHEET_CHARS & set(name):
                raise UsageError(f"{name!r} is not a valid sheet name")
        if len({n.casefold() for n in names}) != len(names):
            raise UsageError("the donor's sheet names are not distinct")
        for defined in donor_root.iter(f"{{{_M}}}definedName"):
            if defined.get("localSheetId") is None:
                raise UnsafeWriteError(
                    f"the donor workbook has a workbook-level name {defined.get('name')!r}; "
                    "only names local to a sheet are grafted"
                )

    def _add_sheet_element(self, index: int, name: str, part: str, state: str) -> None:
        book = self.package.edit_xml(self.book_part).getroot()
        sheets = book.find(f"{{{_M}}}sheets")
        assert sheets is not None
        ids = [int(s.get("sheetId", "0")) for s in sheets if s.get("sheetId", "").isdigit()]
        rel_id = self._add_relationship(self.book_part, _WORKSHEET, part)
        element = etree.Element(f"{{{_M}}}sheet", name=name, sheetId=str(max([0, *ids]) + 1))
        if state != "visible":
            element.set("state", state)
        element.set(f"{{{_R}}}id", rel_id)
        sheets.insert(index, element)

    def _add_relationship(self, part: str, kind: str, target: str) -> str:
        rels = rels_part(part)
        if not self.package.has(rels):
            self.package.write(rels, f'<Relationships xmlns="{_REL}"/>'.encode())
        root = self.package.edit_xml(rels).getroot()
        used = {rel.get("Id") for rel in root}
        n = len(used) + 1
        while f"rId{n}" in used:
            n += 1
        etree.SubElement(
            root, f"{{{_REL}}}Relationship", Id=f"rId{n}", Type=kind,
            Target=relative_target(part, target),
        )  # fmt: skip
        return f"rId{n}"

    def _copy_names(self, donor_root: etree._Element, position: int) -> None:
        donor_names = list(donor_root.iter(f"{{{_M}}}definedName"))
        if not donor_names:
            return
        book = self.package.edit_xml(self.book_part).getroot()
        home = book.find(f"{{{_M}}}definedNames")
        if home is None:
            home = etree.Element(f"{{{_M}}}definedNames")
            _insert_after(book, home, ("sheets", "functionGroups", "externalReferences"))
        for name in donor_names:
            copied = copy.deepcopy(name)
            copied.set("localSheetId", str(position + int(name.get("localSheetId", "0"))))
            home.append(copied)

    def _ensure_theme(self, donor: Package, donor_book: str) -> None:
        """Give a workbook without a theme the donor's (LibreOffice 7 saves none).

        Charts written by xlsxwriter take their lines, gridlines and colours from the
        theme: in a workbook without one, LibreOffice draws them empty.
        """
        if any(r.type == _THEME for r in self.package.relationships(self.book_part)):
            return
        theme = next((r.target for r in donor.relationships(donor_book) if r.type == _THEME), None)
        if theme is None or not donor.has(theme):
            return
        part = self.package.free_name("xl/theme/theme%d.xml")
        self.package.write(part, donor.read(theme))
        self.package.set_content_type(part, donor.content_type(theme))
        self._add_relationship(self.book_part, _THEME, part)

    def _app_part(self) -> str | None:
        return next((r.target for r in self.package.relationships("") if r.type == _APP), None)

    # -- cells ---------------------------------------------------------------------------

    def append_rows(
        self,
        sheet: str,
        rows: Sequence[Sequence[CellValue]],
        *,
        first_col: int = 0,
        styles: Sequence[int | None] | None = None,
        model_row: int | None = None,
        heights: Sequence[float | None] | None = None,
    ) -> list[int]:
        """Write ``rows`` below the last row holding a value in their columns.

        Cells that exist already (the blank, styled rows a log table starts with) are
        filled in place and keep their style; a new cell takes, in this order, the style
        given in ``styles``, that of the cell of ``model_row`` in its column, its row's or
        its column's style. A table whose range covers these columns and starts above grows
        to cover the rows (``ref`` and its autoFilter). The sheet's other bytes stay.

        Args:
            sheet: the sheet's exact name.
            rows: the values, one sequence per row (text inline, dates as serial numbers).
            first_col: 0-based column of each row's first value.
            styles: a style id per value position, for cells that do not exist yet.
            model_row: 0-based row whose cell styles new cells copy.
            heights: a height in points per row (None: the default).

        Returns:
            The 0-based row indexes written.

        Raises:
            UsageError: no such sheet, a text with control characters, a date Excel cannot
                show, a number that is not finite.
        """
        if not rows:
            return []
        part = self.sheet_part(sheet)
        edit = self._sheet_edit(part)
        width = max(len(r) for r in rows)
        columns = range(first_col + 1, first_col + width + 1)
        tables = self._tables(part, columns)
        start = max([edit.last_row(columns), *(top for _, top, _ in tables)]) + 1
        for i, values in enumerate(rows):
            height = heights[i] if heights is not None and i < len(heights) else None
            self._fill_row(edit, start + i, first_col, values, styles, model_row, height)
        self._grow_tables(tables, start + len(rows) - 1)
        return [start + i - 1 for i in range(len(rows))]

    def _fill_row(
        self,
        edit: SheetEdit,
        row: int,
        first_col: int,
        values: Sequence[CellValue],
        styles: Sequence[int | None] | None,
        model_row: int | None,
        height: float | None,
    ) -> None:
        for j, value in enumerate(values):
            col = first_col + 1 + j
            style = self._new_style(edit, row, col, j, styles, model_row)
            if value is not None or not edit.has_value(row, col):
                edit.put(row, col, NewCell(value, style))
        if height is not None:
            edit.set_height(row, height)

    @staticmethod
    def _new_style(
        edit: SheetEdit,
        row: int,
        col: int,
        position: int,
        styles: Sequence[int | None] | None,
        model_row: int | None,
    ) -> int | None:
        if (row, col) in edit.cells:
            return None  # the cell's own
        if styles is not None and position < len(styles) and styles[position] is not None:
            return styles[position]
        if model_row is not None and (model_row + 1, col) in edit.cells:
            return edit.style(model_row + 1, col)
        return edit.style(row, col)

    def set_cells(self, sheet: str, cells: Mapping[str, CellValue]) -> None:
        """Write values into cells given by reference (``{"B2": "yes"}``); an existing cell
        keeps its style, None clears a value. The sheet's other bytes stay.

        Raises:
            UsageError: no such sheet, a bad reference, or a value that cannot be written.
        """
        edit = self._sheet_edit(self.sheet_part(sheet))
        for ref, value in cells.items():
            try:
                row, col = parse_ref(ref)
            except ValueError:
                raise UsageError(f"{ref!r} is not a cell reference") from None
            edit.put(row, col, NewCell(value))

    def meta(self, sheet: str = L.META) -> dict[str, str]:
        """The key/value rows of matrix-xl's hidden sheet: column A key, column B value.

        Raises:
            UsageError: no such sheet.
        """
        edit = self._sheet_edit(self.sheet_part(sheet))
        shared = self._shared_strings()
        found: dict[str, str] = {}
        for row in sorted(edit.rows):
            key = edit.text(row, 1, shared)
            if key:
                found.setdefault(key, edit.text(row, 2, shared) or "")
        return found

    def set_meta(self, values: Mapping[str, str], sheet: str = L.META) -> None:
        """Set key/value rows on matrix-xl's hidden sheet: a key's row is rewritten in
        column B, a new key gets a row after the last.

        Raises:
            UsageError: no such sheet, or a text with control characters.
        """
        edit = self._sheet_edit(self.sheet_part(sheet))
        shared = self._shared_strings()
        rows = {edit.text(row, 1, shared): row for row in sorted(edit.rows, reverse=True)}
        last = edit.last_row([1, 2])
        for key, value in values.items():
            row = rows.get(key)
            if row is None:
                last += 1
                row = rows[key] = last
                edit.put(row, 1, NewCell(key))
            edit.put(row, 2, NewCell(value))

    def _sheet_edit(self, part: str) -> SheetEdit:
        edit = self._edits.get(part)
        if edit is None:
            edit = self._edits[part] = SheetEdit(self.package.read(part), self._date1904())
        return edit

    def _date1904(self) -> bool:
        pr = self.package.xml(self.book_part).getroot().find(f"{{{_M}}}workbookPr")
        return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")

    def _shared_strings(self) -> list[str]:
        # The editor never changes shared strings: read them once.
        if self._shared is None:
            self._shared = self._read_shared_strings()
        return self._shared

    def _read_shared_strings(self) -> list[str]:
        part = next(
            (r.target for r in self.package.relationships(self.book_part)
             if r.type == _SHARED_STRINGS),
            None,
        )  # fmt: skip
        if part is None or not self.package.has(part):
            return []
        return [_si_text(si) for si in self.package.xml(part).getroot() if _local(si) == "si"]

    def _tables(self, part: str, columns: range) -> list[tuple[str, int, int]]:
        """(table part, header row, last row) of tables over ``columns`` of a sheet."""
        found = []
        for rel in self.package.relationships(part):
            if rel.external or not rel.type.endswith("/table") or not self.package.has(rel.target):
                continue
            table = self.package.xml(rel.target).getroot()
            top, left, bottom, right = _range(table.get("ref", ""))
            over = left <= columns.stop - 1 and right >= columns.start and top
            # A table with a totals row would need it moved: such a table is left alone.
            if over and table.get("totalsRowCount", "0") in ("0", ""):
                found.append((rel.target, top, bottom))
        return found

    def _grow_tables(self, tables: list[tuple[str, int, int]], last: int) -> None:
        for part, _top, bottom in tables:
            if last <= bottom:
                continue
            table = self.package.edit_xml(part).getroot()
            table.set("ref", _grown(table.get("ref", ""), last))
            autofilter = table.find(f"{{{_M}}}autoFilter")
            if autofilter is not None:
                autofilter.set("ref", _grown(autofilter.get("ref", ""), last))

    # -- the active tab ----------------------------------------------------------------

    def set_active_sheet(self, name: str) -> None:
        """Open the workbook on ``name``: its tab active and the only one selected.

        Raises:
            UsageError: no such sheet, or it is hidden.
        """
        info = next((s for s in self.sheets() if s.name == name), None)
        if info is None:
            raise UsageError(f"the workbook has no sheet {name!r}", self.source)
        if info.state != "visible":
            raise UsageError(f"sheet {name!r} is hidden and cannot be the active one")
        self._active = name

    def _active_name(self) -> str | None:
        view = (
            self.package.xml(self.book_part)
            .getroot()
            .find(f"{{{_M}}}bookViews/{{{_M}}}workbookView")
        )
        index = int(view.get("activeTab", "0")) if view is not None else 0
        names = self.sheet_names()
        return names[index] if 0 <= index < len(names) else None

    def _apply_active(self) -> None:
        sheets = self.sheets()
        names = [s.name for s in sheets]
        wanted = self._active
        if wanted is None:
            if self._was_active in names and self._active_name() == self._was_active:
                return  # nothing moved
            wanted = self._was_active if self._was_active in names else None
            if wanted is None:
                wanted = next((s.name for s in sheets if s.state == "visible"), names[0])
        index = names.index(wanted)
        book = self.package.xml(self.book_part).getroot()
        for view in book.iter(f"{{{_M}}}workbookView"):
            first = int(view.get("firstSheet", "0") or "0")
            if view.get("activeTab", "0") != str(index) or first > index:
                self.package.edit_xml(self.book_part)
                view.set("activeTab", str(index))
                if first > index:
                    view.set("firstSheet", str(index))
        for sheet in sheets:
            if sheet.part and self.package.has(sheet.part):
                self._select_tab(sheet.part, sheet.name == wanted)

    def _select_tab(self, part: str, selected: bool) -> None:
        data = self.package.read(part)
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        if not selected and b"tabSelected" not in data and not utf16:
            return
        data = as_utf8(data)
        root = scan(data, max_depth=3, stop_after="sheetViews")
        views = root.child("sheetViews")
        edits = []
        for view in views.children if views is not None else []:
            is_selected = view.attrs.get("tabSelected", "0") in ("1", "true")
            if is_selected != selected:
                change = {"tabSelected": "1" if selected else None}
                edits.append((view.start, view.tag_end, start_tag(data, view, change)))
        for start, end, tag in reversed(edits):
            data = data[:start] + tag + data[end:]
        if edits:
            self.package.write(part, data)

    # -- writing ---------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The edited workbook's bytes; untouched parts are copied as they were.

        Raises:
            UnsafeWriteError: the package would need ZIP64.
        """
        for part, edit in self._edits.items():
            if edit.changed and self.package.has(part):
                self.package.write(part, edit.result())
        self._edits.clear()
        self._apply_active()
        return self.package.to_bytes()


# -- moving parts from the donor ----------------------------------------------------------


class _Transplant:
    """Copies donor parts into the target under fresh names, rewriting what refers to
    styles, strings, table ids and other parts."""

    def __init__(self, target: Package, donor: Package, styles: StyleMap) -> None:
        self.target = target
        self.donor = donor
        self.styles = styles
        self.names: dict[str, str] = {}  # donor part -> target part
        book = _book_part(donor)
        strings = next(
            (r.target for r in donor.relationships(book) if r.type == _SHARED_STRINGS), None
        )
        self.shared: list[etree._Element] = []
        if strings is not None and donor.has(strings):
            self.shared = [si for si in donor.xml(strings).getroot() if _local(si) == "si"]
        self._table_ids, self._table_names = _tables_in_use(target)

    def sheet(self, part: str) -> str:
        """Copy a donor sheet and what it reaches; return the sheet's new part name."""
        new = self.target.free_name("xl/worksheets/sheet%d.xml")
        self.names[part] = new
        tree = copy.deepcopy(self.donor.xml(part))
        _restyle_sheet(tree.getroot(), self.styles, self.shared)
        self.target.write(new, serialise_xml(tree))
        self.target.set_content_type(new, self.donor.content_type(part) or _WORKSHEET_TYPE)
        self._relationships(part, new)
        return new

    def _part(self, part: str) -> str:
        if part in self.names:
            return self.names[part]
        folder, name = posixpath.split(part)
        stem, _, extension = _NUMBERED.match(name).groups()  # type: ignore[union-attr]
        new = self.target.free_name(f"{folder}/{stem.replace('%', '%%')}%d{extension or ''}")
        self.names[part] = new
        content_type = self.donor.content_type(part)
        data = self.donor.read(part)
        if content_type == _TABLE_TYPE:
            data = self._table(data, part)
        self.target.write(new, data)
        if content_type:
            self.target.set_content_type(new, content_type)
        self._relationships(part, new)
        return new

    def _relationships(self, part: str, new: str) -> None:
        rels = rels_part(part)
        if not self.donor.has(rels):
            return
        tree = copy.deepcopy(self.donor.xml(rels))
        for rel, info in zip(tree.getroot(), self.donor.relationships(part), strict=False):
            if info.external or not self.donor.has(info.target):
                continue
            rel.set("Target", relative_target(new, self._part(info.target)))
        self.target.write(rels_part(new), serialise_xml(tree))

    def _table(self, data: bytes, part: str) -> bytes:
        tree = parse_xml(data, part, "<donor>")
        table = tree.getroot()
        self._table_ids.add(max(self._table_ids, default=0) + 1)
        table.set("id", str(max(self._table_ids)))
        name = table.get("name", "Table")
        fresh, n = name, 1
        while fresh.casefold() in self._table_names:
            n += 1
            fresh = f"{name}_{n}"
        self._table_names.add(fresh.casefold())
        table.set("name", fresh)
        table.set("displayName", fresh)
        for element in table.iter():
            for key, raw in element.attrib.items():
                attr, value = str(key), str(raw)
                if attr.endswith("DxfId") and value.isdigit():
                    element.set(attr, str(_mapped(self.styles.dxfs, int(value))))
                elif attr.endswith("CellStyle"):
                    element.set(attr, self.styles.cell_styles.get(value, value))
        return serialise_xml(tree)


def _restyle_sheet(root: etree._Element, styles: StyleMap, shared: list[etree._Element]) -> None:
    """Remap style ids, make shared strings inline, and leave tab selection to the editor."""
    for element in list(root.iter()):  # a list: cells change as they are visited
        name = _local(element)
        if name == "c":
            _remap_attr(element, "s", styles.cell_xfs)
            if element.get("t") == "s":
                _inline(element, shared)
        elif name == "row":
            _remap_attr(element, "s", styles.cell_xfs)
        elif name == "col":
            _remap_attr(element, "style", styles.cell_xfs)
        elif name == "cfRule":
            _remap_attr(element, "dxfId", styles.dxfs)
        elif name == "sheetView" and "tabSelected" in element.attrib:
            del element.attrib["tabSelected"]


def _remap_attr(element: etree._Element, attr: str, table: list[int]) -> None:
    value = element.get(attr)
    if value is not None and value.isdigit():
        element.set(attr, str(_mapped(table, int(value))))


def _mapped(table: list[int], index: int) -> int:
    return table[index] if 0 <= index < len(table) else 0


def _inline(cell: etree._Element, shared: list[etree._Element]) -> None:
    value = cell.find(f"{{{_M}}}v")
    text = value.text or "" if value is not None else ""
    index = int(text) if text.isdigit() else -1
    if value is None or not 0 <= index < len(shared):
        return
    cell.remove(value)
    inline = etree.SubElement(cell, f"{{{_M}}}is")
    for child in shared[index]:
        inline.append(copy.deepcopy(child))
    cell.set("t", "inlineStr")


def _tables_in_use(package: Package) -> tuple[set[int], set[str]]:
    ids: set[int] = set()
    names: set[str] = set()
    for part in package.names():
        if part.startswith("xl/tables/") and package.content_type(part) == _TABLE_TYPE:
            table = package.xml(part).getroot()
            if table.get("id", "").isdigit():
                ids.add(int(table.get("id", "0")))
            names.add(table.get("name", "").casefold())
            names.add(table.get("displayName", "").casefold())
    return ids, names


# -- small helpers -------------------------------------------------------------------------


def _book_part(package: Package) -> str:
    for rel in package.relationships(""):
        if rel.type == _OFFICE_DOCUMENT and package.has(rel.target):
            return rel.target
    return "xl/workbook.xml"


def _donor_sheets(donor: Package, book: str) -> list[tuple[str, str, str]]:
    targets = {r.id: r.target for r in donor.relationships(book)}
    sheets = donor.xml(book).getroot().find(f"{{{_M}}}sheets")
    found = []
    for sheet in sheets if sheets is not None else []:
        part = targets.get(sheet.get(f"{{{_R}}}id", ""), "")
        if donor.has(part):
            found.append((sheet.get("name", ""), part, sheet.get("state", "visible")))
    return found


def _insert_after(parent: etree._Element, element: etree._Element, after: Sequence[str]) -> None:
    """Insert ``element`` right after the last child named in ``after``."""
    index = 0
    for i, child in enumerate(parent):
        if _local(child) in after:
            index = i + 1
    parent.insert(index, element)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""  # QName() is 5x slower


def _si_text(si: etree._Element) -> str:
    parts = []
    for child in si:
        name = _local(child)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t) == "t")
    text = "".join(parts)
    if "_x" not in text:
        return text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _range(ref: str) -> tuple[int, int, int, int]:
    """``"A1:D101"`` -> (top, left, bottom, right), 1-based; zeros when not a range."""
    try:
        corners = [parse_ref(p) for p in ref.split(":")]
    except ValueError:
        return 0, 0, 0, 0
    (top, left), (bottom, right) = corners[0], corners[-1]
    return top, left, bottom, right


def _grown(ref: str, last: int) -> str:
    top, left, bottom, right = _range(ref)
    if not top:
        return ref
    return f"{col_letter(left - 1)}{top}:{col_letter(right - 1)}{max(bottom, last)}"
