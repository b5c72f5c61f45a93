"""The house style: every writer's sheets are set up for print the same way and use only
the palette, row heights follow the wrapped-line estimate, and text stays inert text."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet as PyxlSheet
from python_calamine import CalamineWorkbook

from matrix_xl.generate.workbook import build_workbook
from matrix_xl.team.rollup import roll_up, write_team_workbook
from matrix_xl.xlsx import style as S

CREATED = date(2026, 1, 5)
PALETTE = {
    S.INK,
    S.MUTED,
    S.WHITE,
    S.HEADER_FILL,
    S.INPUT_FILL,
    S.GREEN_FILL,
    S.GREEN_INK,
    S.AMBER_FILL,
    S.AMBER_INK,
    S.RED_FILL,
    S.RED_INK,
    S.GREY_FILL,
    S.BAND_FILL,
    S.BORDER,
    S.GRID,
    S.DATA_BAR,
    *S.RATING_SCALE,
}


def styled(tmp_path: Path, **setup: object) -> PyxlSheet:
    """A one-sheet workbook set up by page_setup(**setup), read back with openpyxl."""
    path = tmp_path / "styled.xlsx"
    wb = S.new_workbook(str(path))
    ws = wb.add_worksheet("Sheet")
    S.page_setup(ws, **setup)  # type: ignore[arg-type]
    S.write_text(ws, 0, 0, "x")
    wb.close()
    return openpyxl.load_workbook(path)["Sheet"]


@pytest.fixture(scope="module")
def personal() -> bytes:
    return build_workbook(owner="Ada & Co", ratings={"cloud": 2, "deployment": 5}, created=CREATED)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory, personal: bytes) -> bytes:
    folder = tmp_path_factory.mktemp("team")
    (folder / "ada.xlsx").write_bytes(personal)
    (folder / "bo.xlsx").write_bytes(build_workbook(owner="Bo", ratings={"cloud": 5}))
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    out = tmp_path_factory.mktemp("out") / "team.xlsx"
    write_team_workbook(roll_up([folder], today=date(2026, 2, 1)), out)
    return out.read_bytes()


# -- page set-up -----------------------------------------------------------------------------


def test_page_setup_prints_a4_one_page_wide_with_the_footer(tmp_path: Path) -> None:
    ws = styled(tmp_path)
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out of the file
    assert ws.page_setup.fitToHeight == 0
    m = ws.page_margins
    assert (m.left, m.right, m.top, m.bottom) == (0.5, 0.5, 0.6, 0.6)
    assert ws.oddFooter.left.text == "&A" and ws.oddFooter.right.text == "Page &P of &N"
    assert ws.sheet_view.showGridLines is False
    assert ws.print_title_rows is None


def test_page_setup_options(tmp_path: Path) -> None:
    ws = styled(
        tmp_path,
        landscape=False,
        margins=S.NARROW_MARGINS,
        note="Q&A",
        pages_tall=1,
        repeat=(2, 4),
    )
    assert ws.page_setup.orientation != "landscape"
    assert ws.page_setup.fitToHeight in (None, 1)
    m = ws.page_margins
    assert (m.left, m.right, m.top, m.bottom) == (0.4, 0.4, 0.5, 0.6)
    assert ws.oddFooter.left.text == "&A: Q&&A"  # & doubled: printed as itself
    assert ws.print_title_rows == "$3:$5"


def test_footer_escapes_ampersands_and_only_adds_a_note_when_given() -> None:
    assert S.footer() == "&L&8&A&R&8Page &P of &N"
    assert S.footer("R&D & more") == "&L&8&A: R&&D && more&R&8Page &P of &N"


@pytest.mark.parametrize("writer", ["personal", "team"])
def test_every_visible_sheet_of_every_writer_is_set_up_the_house_way(
    writer: str, request: pytest.FixtureRequest
) -> None:
    data: bytes = request.getfixturevalue(writer)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    margins = {(m.left, m.right, m.top, m.bottom) for m in (S.MARGINS, S.NARROW_MARGINS)}
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert len(visible) >= 3
    for ws in visible:
        assert int(ws.page_setup.paperSize) == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1), ws.title
        m = ws.page_margins
        assert (m.left, m.right, m.top, m.bottom) in margins, ws.title
        assert ws.oddFooter.left.text.startswith("&A"), ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
        assert ws.sheet_view.showGridLines is False, ws.title


# -- palette ---------------------------------------------------------------------------------


@pytest.mark.parametrize("writer", ["personal", "team"])
def test_every_colour_a_writer_uses_is_from_the_palette(
    writer: str, request: pytest.FixtureRequest
) -> None:
    data: bytes = request.getfixturevalue(writer)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(
            z.read(n).decode()
            for n in z.namelist()
            if n == "xl/styles.xml" or n.startswith("xl/worksheets/")
        )
    used = {f"#{rgb[2:]}" for rgb in re.findall(r'rgb="([0-9A-F]{8})"', xml)}
    assert used, "no colour found: the pattern no longer matches the file"
    assert used <= PALETTE, used - PALETTE
    # The ratings are coloured by the one scale, from low to high.
    low, mid, high = (f"FF{c[1:]}" for c in S.RATING_SCALE)
    assert re.search(f"<colorScale>.*{low}.*{mid}.*{high}.*</colorScale>", xml)


def test_cell_format_starts_from_the_base_and_later_parts_win(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    wb = S.new_workbook(str(path))
    ws = wb.add_worksheet()
    fmt = S.cell_format(wb, S.THIN, S.HEADER, {"font_size": 9}, bold=False)
    ws.write_string(0, 0, "x", fmt)
    wb.close()
    cell = openpyxl.load_workbook(path).active["A1"]
    assert cell.font.name == S.BASE_FORMAT["font_name"]
    assert cell.font.sz == 9 and not cell.font.b
    assert cell.font.color.rgb == "FF" + S.WHITE[1:]  # HEADER's ink over the base's
    assert cell.border.left.color.rgb == "FF" + S.WHITE[1:]  # HEADER's border over THIN's
    assert cell.fill.fgColor.rgb == "FF" + S.HEADER_FILL[1:]


# -- row heights -----------------------------------------------------------------------------

texts = st.text(st.sampled_from("ab \n"), max_size=300)
widths = st.floats(min_value=1, max_value=120, allow_nan=False)


@given(texts, widths)
def test_wrapped_lines_counts_at_least_every_line_and_the_characters(
    text: str, width: float
) -> None:
    lines = S.wrapped_lines(text, width)
    per_line = max(1, int(width * 1.1))
    assert lines >= text.count("\n") + 1
    assert lines * per_line >= len(text) - text.count("\n")
    assert S.wrapped_lines(text + "a", width) >= lines  # more text never takes fewer lines
    assert S.wrapped_lines(text, width * 2) <= lines  # a wider column never takes more


@given(st.lists(st.tuples(texts, widths), max_size=5), st.floats(0, 10), st.floats(1, 30))
def test_row_height_is_the_tallest_cell_plus_the_padding(
    cells: list[tuple[str, float]], pad: float, line: float
) -> None:
    tallest = max([1, *(S.wrapped_lines(t, w) for t, w in cells)])
    assert S.row_height(cells, pad=pad, line=line) == line * tallest + pad
    assert S.row_height(cells) >= S.LINE_HEIGHT + 4


def test_row_height_of_short_and_multi_line_cells() -> None:
    assert S.row_height([]) == S.LINE_HEIGHT + 4
    assert S.row_height([("one line", 30), ("two\nlines", 30)]) == 2 * S.LINE_HEIGHT + 4
    assert S.row_height([("x" * 100, 10)], pad=3) == 10 * S.LINE_HEIGHT + 3  # 11 a line


def test_the_personal_workbooks_rows_are_as_tall_as_their_wrapped_text(personal: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(personal))
    heights = set()
    for name in ("Rubric", "Interview Prep", "References"):
        ws = wb[name]
        # The file holds each width with xlsxwriter's padding (10 -> 10.71), and each
        # height rounded to whole pixels (19 -> 18.75 points).
        widths = [int(ws.column_dimensions[c].width) for c in "ABC"]
        for row in range(4, ws.max_row + 1):
            cells = [(str(ws.cell(row, c + 1).value), w) for c, w in enumerate(widths)]
            want = S.row_height(cells)
            heights.add(want)
            assert ws.row_dimensions[row].height == pytest.approx(want, abs=0.75), (name, row)
    assert max(heights) > S.LINE_HEIGHT + 4  # some text wraps: the test sees the estimate


# -- text ------------------------------------------------------------------------------------


# Known xlsxwriter fault: in a text shaped like "<r>...</r>" (written as rich text runs), a
# C0 control character or a literal "_xHHHH_" is escaped twice and reads back changed. The
# writers never write such texts (owners, roles and notes refuse control characters), so
# the property holds outside that corner; test_rich_shaped_text_with_escapes documents it.
def _corner(text: str) -> bool:
    shaped = text.startswith("<r>") and text.endswith("</r>")
    return shaped and (
        any(ord(c) < 32 and c not in "\t\n\r" for c in text)
        or re.search("_x[0-9a-fA-F]{4}_", text) is not None
    )


inert = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["=1+1", "+A1", "http://x.example", "1e5", "007", "<r></r>", "<r>x</r>"]),
    st.builds(lambda s: f"<r>{s}</r>", st.text(max_size=10)),
).filter(
    lambda t: (
        not _corner(t) and not any(0xD800 <= ord(c) <= 0xDFFF or c in "\x00\ufffe\uffff" for c in t)
    )
)


def read_back(values: list[str]) -> list[object]:
    """``values`` written down column A with write_text, read back with python-calamine."""
    buffer = io.BytesIO()
    wb = S.new_workbook(buffer, in_memory=True)
    ws = wb.add_worksheet("T")
    for row, value in enumerate(values):
        assert S.write_text(ws, row, 0, value) == 0
    wb.close()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_name("T")
    got: list[object] = [r[0] if r else "" for r in rows.to_python(skip_empty_area=False)]
    return got + [""] * (len(values) - len(got))  # trailing blank rows are not stored


@given(st.lists(inert, min_size=1, max_size=8))
def test_write_text_keeps_any_text_as_that_text(values: list[str]) -> None:
    # Control characters are escaped in the file and come back as typed; a string stays a
    # string (never a formula, a link or a number), and rich-text-shaped strings are text.
    assert read_back(values) == values


@pytest.mark.xfail(strict=True, reason="xlsxwriter escapes rich text runs twice")
@pytest.mark.parametrize("text", ["<r>\x1f</r>", "<r>_x0041_</r>"])
def test_rich_shaped_text_with_escapes(text: str) -> None:
    assert read_back([text]) == [text]


def test_show_rating() -> None:
    assert S.show_rating(None) == "unrated"
    assert S.show_rating(4) == "4"
