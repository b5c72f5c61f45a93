"""The cheap scans of XML bytes: prologs, extents, relationships, sheets, formulas."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from matrix_xl.read.xmlscan import (
    Refusal,
    as_text,
    book_sheets,
    cell_extent,
    dimension_ref,
    elements,
    formula_cells,
    plain_root,
    ref_extent,
    relationships,
    rels_part,
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


def test_dimension_ref() -> None:
    assert dimension_ref(b'<worksheet><dimension ref="A1:H36"/>') == "A1:H36"
    assert dimension_ref(b"<x:worksheet><x:dimension  ref='B2'/>") == "B2"
    assert dimension_ref(b"<worksheet><sheetData/></worksheet>") is None


cells = st.lists(
    st.tuples(st.integers(1, 30_000), st.integers(0, 600)), min_size=1, max_size=12, unique=True
)


def sheet_xml(found: list[tuple[int, int]], prefixed: bool) -> bytes:
    """A worksheet holding a cell at each (row, column), as an application writes it or
    with prefixed tags (which the scan must count)."""
    p = "x:" if prefixed else ""
    by_row: dict[int, list[int]] = {}
    for row, col in sorted(found):
        by_row.setdefault(row, []).append(col)
    rows = "".join(
        f'<{p}row r="{r}" spans="1:2">'
        + "".join(f'<{p}c r="{col_letter(c)}{r}" s="1"><{p}v>1</{p}v></{p}c>' for c in cols)
        + f"</{p}row>"
        for r, cols in by_row.items()
    )
    return f"<{p}worksheet {MAIN}><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>".encode()


@given(found=cells, prefixed=st.booleans())
def test_cell_extent_finds_the_farthest_cell_beyond_the_limits(
    found: list[tuple[int, int]], prefixed: bool
) -> None:
    max_rows, max_columns = 10_000, 256
    far_row = max(r for r, _ in found)
    far_col = max(c for _, c in found) + 1
    rows, columns = cell_extent(sheet_xml(found, prefixed), max_rows, max_columns)
    # Within the limits the figure need not be exact (it is never looked at); beyond, it is.
    assert rows == far_row if far_row > max_rows else rows <= max_rows
    assert columns == far_col if far_col > max_columns else columns <= max_columns
    if prefixed:  # counted tag by tag: exact
        assert (rows, columns) == (far_row, far_col)


def test_cell_extent_counts_rows_and_cells_without_r() -> None:
    sheet = b'<worksheet><sheetData><row r="5"/><row/><row><c/><c/><c r="D7"/><c/></row>'
    assert cell_extent(sheet + b"</sheetData></worksheet>", 10, 10) == (7, 5)


def test_cell_extent_ignores_r_outside_tags_and_in_other_attributes() -> None:
    sheet = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t> r="XFD99999"'
        b'</t></is></c></row></sheetData><dataValidation operator="XFD99999"/></worksheet>'
    )
    assert cell_extent(sheet, 10_000, 256) == (0, 0)


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
