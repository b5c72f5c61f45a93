"""The cheap scans of XML bytes: prologs, extents, relationships, sheets, formulas."""

from __future__ import annotations

import io
import re

import pytest
import python_calamine
from hypothesis import given
from hypothesis import strategies as st
from workbook_bytes import SHEET1, add_cells, part

from matrix_xl.read.xmlscan import (
    CellScan,
    Refusal,
    _far_cell,
    as_text,
    book_sheets,
    elements,
    formula_cells,
    plain_root,
    ref_extent,
    relationships,
    rels_part,
    scan_cells,
    scan_prolog,
)
from matrix_xl.xlsx.cells import col_letter

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

# -- the prolog ------------------------------------------------------------------------------

misc = st.lists(
    st.one_of(
        st.sampled_from([" ", "\n", "\r\n\t"]),
        st.text("abc -<>!", max_size=20)
        .filter(lambda t: "--" not in t)
        .map(lambda t: f"<!--{t}-->"),
        st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>', "<?pi anything?>"]),
    ),
    max_size=6,
).map("".join)
names = st.sampled_from(["worksheet", "x:worksheet", "styleSheet", "a.b-c"])


@given(before=misc, root=names)
def test_a_prolog_without_doctype_gives_the_root_s_local_name(before: str, root: str) -> None:
    text = f"{before}<{root} {MAIN}><sheetData/></{root}>"
    assert scan_prolog(text) == root.rpartition(":")[2]


@given(before=misc, after=misc, declaration=st.sampled_from(["<!DOCTYPE x>", "<!ENTITY a 'b'>"]))
def test_a_doctype_anywhere_before_the_root_is_refused(
    before: str, after: str, declaration: str
) -> None:
    result = scan_prolog(f"{before}{declaration}{after}<worksheet/>")
    assert isinstance(result, Refusal)
    assert result.startswith("XML entity declarations are not allowed (possible XML attack)")


@given(before=misc, cut=st.integers(1, 40))
def test_a_prolog_cut_short_asks_to_read_more(before: str, cut: int) -> None:
    text = f"{before}<!-- a long comment -->"
    assert scan_prolog(text[: len(before) + min(cut, 22)]) is None


def test_an_exotic_encoding_is_refused_and_text_before_the_root_is_no_root() -> None:
    refused = scan_prolog('<?xml version="1.0" encoding="cp500"?><x/>')
    assert isinstance(refused, Refusal) and "encoding 'cp500'" in refused
    assert scan_prolog("text<x/>") == ""


def test_plain_root_is_the_fast_path_for_what_applications_write() -> None:
    assert plain_root(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ') == (
        "worksheet"
    )
    assert plain_root(b"\xef\xbb\xbf<x:styleSheet>") == "styleSheet"
    assert plain_root(b'<?xml version="1.0" encoding="cp500"?><x/>') is None
    assert plain_root(b"<!-- first --><x/>") is None  # the walk decides


def test_as_text_reads_utf16_and_tells_what_is_not_xml() -> None:
    xml = '<?xml version="1.0"?><x/>'
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        assert as_text(xml.encode(encoding)) == xml
    assert as_text(b"\xef\xbb\xbf  <x/>") == "  <x/>"
    assert as_text(b"\x89PNG\r\n") is None
    assert as_text(b"") is None


# -- extents ---------------------------------------------------------------------------------


@given(row=st.integers(1, 10**9), col=st.integers(0, 20_000), dollars=st.booleans())
def test_ref_extent_reads_a_cell_reference(row: int, col: int, dollars: bool) -> None:
    d = "$" if dollars else ""
    assert ref_extent(f"{d}{col_letter(col)}{d}{row}") == (row, col + 1)
    assert ref_extent(f"A1:{col_letter(col)}{row}") == (row, max(col + 1, 1))


def test_ref_extent_of_what_is_not_a_reference() -> None:
    assert ref_extent("") == (0, 0)
    assert ref_extent("not a ref!") == (0, 0)
    assert ref_extent("A") == (0, 1) and ref_extent("12") == (12, 0)


# What a cell can hold: the XML inside <c ...> for each kind. Content places a cell (in
# python-calamine: a value or inline text; a formula, conservatively, too); empty cells and
# empty rows place nothing, however far down an application writes them.
CONTENT = {
    "value": "<{p}v>1</{p}v>",
    "inline text": "<{p}is><{p}t>x</{p}t></{p}is>",
    "formula": "<{p}f>1+1</{p}f>",
    "formula and value": "<{p}f>1+1</{p}f><{p}v>2</{p}v>",
    "empty value": "<{p}v/>",
}
EMPTY = {"self-closing": None, "end tag": "", "blank": " \n "}


@st.composite
def worksheets(draw: st.DrawFn) -> tuple[bytes, int, int, tuple[int, int] | None]:
    """A worksheet as some application might write it, the limits, and the first cell holding
    something beyond them (None when none is): the model the scan must agree with."""
    max_rows, max_columns = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    near = st.integers(1, 60)
    far_row, far_col = st.sampled_from([1_048_576, 99_999]), st.sampled_from([16_384, 702])
    cells = draw(
        st.lists(
            st.tuples(
                st.one_of(near, far_row),
                st.one_of(near, far_col),
                st.sampled_from(sorted(CONTENT) + sorted(EMPTY)),
            ),
            max_size=25,
            unique_by=lambda c: c[:2],
        )
    )
    empty_rows = draw(st.lists(st.one_of(near, far_row), max_size=4))
    p = draw(st.sampled_from(["", "x:"]))
    omit_r = draw(st.booleans())  # drop r where the position follows (positions counted)
    by_row: dict[int, list[tuple[int, str]]] = {r: [] for r in empty_rows}
    for row, col, kind in cells:
        by_row.setdefault(row, []).append((col, kind))
    xml, expected, previous_row = [], None, 0
    for row in sorted(by_row):
        r = "" if omit_r and row == previous_row + 1 else f' r="{row}"'
        look = ' customFormat="false" ht="12.8"' if not by_row[row] else ' spans="1:9"'
        xml.append(f"<{p}row{r}{look}>")
        previous_col = 0
        for col, kind in sorted(by_row[row]):
            implicit = omit_r and col == previous_col + 1
            ref = "" if implicit else f' r="{col_letter(col - 1)}{row}"'
            xml.append(cell_xml(p, ref, kind))
            beyond = row > max_rows or col > max_columns
            if expected is None and beyond and kind in CONTENT:
                expected = (row, col)
            previous_col = col
        xml.append(f"</{p}row>")
        previous_row = row
    body = "".join(xml)
    sheet = f'<{p}worksheet {MAIN}><{p}dimension ref="A1:XFD1048576"/>'
    return f"{sheet}<{p}sheetData>{body}</{p}sheetData></{p}worksheet>".encode(), *(
        max_rows,
        max_columns,
        expected,
    )


def cell_xml(p: str, ref: str, kind: str) -> str:
    if kind in CONTENT:
        t = ' t="inlineStr"' if kind == "inline text" else ""
        return f'<{p}c{ref} s="1"{t}>' + CONTENT[kind].format(p=p) + f"</{p}c>"
    inside = EMPTY[kind]
    return f'<{p}c{ref} s="1"/>' if inside is None else f'<{p}c{ref} s="1">{inside}</{p}c>'


@given(case=worksheets())
def test_scan_cells_finds_the_first_cell_holding_something_beyond_the_limits(
    case: tuple[bytes, int, int, tuple[int, int] | None],
) -> None:
    sheet, max_rows, max_columns, expected = case
    assert scan_cells(sheet, max_rows, max_columns, 10_000) == CellScan(beyond=expected)


@given(case=worksheets(), budget=st.integers(0, 30))
def test_a_sheet_to_count_is_counted_within_its_budget_or_said_to_be_uncounted(
    case: tuple[bytes, int, int, tuple[int, int] | None], budget: int
) -> None:
    sheet, max_rows, max_columns, expected = case
    # Prefixed tags are always counted.
    prefixed = re.sub(rb"<(/?)(?:x:)?(c|row)\b", rb"<\1y:\2", sheet)
    scan = scan_cells(prefixed, max_rows, max_columns, budget)
    tags = len(re.findall(rb"<y:(?:c|row)\b", prefixed))
    if tags <= budget:
        assert scan == CellScan(beyond=expected)
    else:  # what was found before the budget ran out, or "uncounted": never a wrong "fine"
        assert scan in (CellScan(beyond=expected), CellScan(uncounted=True))
        assert scan.beyond is not None or scan.uncounted


@pytest.mark.parametrize("kind", sorted(CONTENT) + sorted(EMPTY))
def test_what_python_calamine_places_is_what_the_scan_counts(kind: str) -> None:
    # One cell in row 20,000 (safe for calamine: a grid of 20,000 x 8) under a 10,000-row
    # limit, plus LibreOffice's empty last row: where calamine places a cell, the scan
    # must see it; the scan may count more (a formula without a value), never less.
    cell = cell_xml("", ' r="B20000"', kind)
    xml = f'<row r="20000">{cell}</row><row r="1048576" ht="12.8"></row>'
    data = add_cells(xml)
    sheet = part(data, SHEET1)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    placed = len(book.get_sheet_by_name("Matrix").to_python(skip_empty_area=False))
    scan = scan_cells(sheet, 10_000, 256, 200_000)
    assert (placed > 10_000) <= (scan.beyond is not None)
    assert (scan.beyond is not None) == (kind in CONTENT)
    if kind in ("value", "inline text", "formula and value"):
        assert placed == 20_000 and scan.beyond == (20_000, 2)


def test_libreoffice_s_empty_rows_after_a_deletion_place_nothing() -> None:
    rows = "".join(
        f'<row r="{r}" customFormat="false" ht="12.8" hidden="false"></row>'
        for r in range(1_048_000, 1_048_577)
    )
    sheet = f'<worksheet {MAIN}><dimension ref="A1:H1048576"/><sheetData>'
    sheet += f'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="XFD1" s="2"/></row>{rows}'
    assert scan_cells(f"{sheet}</sheetData></worksheet>".encode(), 10_000, 256, 10) == CellScan()


def test_scan_cells_ignores_r_outside_tags_and_in_other_attributes() -> None:
    sheet = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t> r="XFD99999"'
        b'</t></is></c></row></sheetData><dataValidation operator="XFD99999"><x/>'
        b'</dataValidation><mergeCell ref="A1:XFD99999"><x/></mergeCell></worksheet>'
    )
    assert scan_cells(sheet, 10_000, 256, 10) == CellScan()


def test_a_far_position_in_a_second_r_or_escaped_is_found() -> None:
    twice = b'<row r="4"><c r="A4" r=\'XFD1048576\'><v>1</v></c></row>'
    escaped = b'<row r="4"><c r="X&#70;D4"><v>1</v></c></row>'
    assert scan_cells(twice, 10_000, 256, 10).beyond == (1_048_576, 16_384)
    assert scan_cells(escaped, 10_000, 256, 10).beyond == (4, 16_384)


def test_the_work_of_a_hostile_sheet_is_bounded_by_counting() -> None:
    # Millions of tags without r would cost seconds of Python: the count stops at its
    # budget. (Speed itself is measured in scripts/bench.py, not here.)
    sheet = b"<worksheet><sheetData><row>" + b"<c/>" * 300_000 + b"</row></sheetData></worksheet>"
    assert scan_cells(sheet, 10_000, 256, 1_000) == CellScan(uncounted=True)
    # With every r in place, no Python runs per cell: far empty cells give no candidate.
    far = b'<row r="1048576">' + b'<c r="XFD1048576" s="1"/>' * 100_000 + b"</row>"
    assert _far_cell(10_000, 256).search(far) is None
    assert scan_cells(far, 10_000, 256, 1) == CellScan()


@given(limit=st.integers(1, 200_000), value=st.integers(0, 2_000_000))
def test_a_row_is_far_exactly_when_past_the_limit(limit: int, value: int) -> None:
    tag = f'<c r="A{value}"><v>1</v></c>'.encode()
    assert (scan_cells(tag, limit, 16_384, 10).beyond is not None) == (value > limit)


@given(limit=st.integers(1, 16_384), value=st.integers(1, 16_384))
def test_a_column_is_far_exactly_when_past_the_limit(limit: int, value: int) -> None:
    tag = f'<c r="{col_letter(value - 1).lower()}1"><v>1</v></c>'.encode()
    assert (scan_cells(tag, 10_000_000, limit, 10).beyond is not None) == (value > limit)


# -- relationships, sheets, formulas -----------------------------------------------------------


def test_elements_unescape_values_in_either_quote() -> None:
    xml = b"<a:sheet name=\"Ada's &amp; Bo's\" r:id='rId&#49;'/><sheets/><sheet x=\"1\"/>"
    assert list(elements(xml, b"sheet")) == [
        {"name": "Ada's & Bo's", "r:id": "rId1"},
        {"x": "1"},
    ]


def test_rels_part_and_relationships_resolve_targets() -> None:
    assert rels_part("xl/worksheets/sheet1.xml") == (
        "xl/worksheets/_rels/sheet1.xml.rels",
        "xl/worksheets/",
    )
    assert rels_part("[Content_Types].xml") == ("_rels/[Content_Types].xml.rels", "")
    rels = (
        b'<Relationships><Relationship Id="rId1" Target="../drawings/drawing1.xml"/>'
        b'<Relationship Id="rId2" Target="/xl/media/image1.png"/>'
        b'<Relationship Id="rId3" Target="https://example.com" TargetMode="External"/>'
        b'<Relationship Id="rId4" Target=""/></Relationships>'
    )
    assert relationships(rels, "xl/worksheets/") == [
        ("rId1", "xl/drawings/drawing1.xml"),
        ("rId2", "xl/media/image1.png"),
    ]


def test_book_sheets_in_the_book_s_order_by_any_prefix() -> None:
    book = (
        b'<workbook><sheets><sheet name="Matrix" sheetId="1" r:id="rId2"/>'
        b'<sheet name="M&amp;A &quot;x&quot;" sheetId="2" ns:id="rId1"/>'
        b'<sheet name="Lost" sheetId="3" r:id="rId9"/></sheets></workbook>'
    )
    rels = (
        b'<Relationships><Relationship Id="rId1" Target="worksheets/b.xml"/>'
        b'<Relationship Id="rId2" Target="/xl/worksheets/a.xml"/></Relationships>'
    )
    assert book_sheets(book, rels) == (
        ("Matrix", "xl/worksheets/a.xml"),
        ('M&A "x"', "xl/worksheets/b.xml"),
    )
    assert book_sheets(book, b"") == ()


def test_formula_cells_of_one_column() -> None:
    sheet = (
        b'<row r="9"><c r="E9" s="1"><f>2+2</f><v>4</v></c><c r="E10" s="1"/>'
        b'<c r="E11"><v>3</v></c><c r="F9"><f>E9</f></c><c r="EE9"><f>1</f></c>'
        b'<c r="E12" t="str"><f t="shared" si="0"/><v>x</v></c></row>'
    )
    assert formula_cells(sheet, "E") == {"E9", "E12"}
    assert formula_cells(sheet, "F") == {"F9"}
    assert formula_cells(b"<sheetData/>", "E") == set()
