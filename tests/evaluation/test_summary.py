"""The donor workbook's Summary sheet: what it says, that it says it as inert text, that
its links stay inside the workbook, and that it prints legibly."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from matrix_xl.definition import Definition, default_definition, definition_from_dict
from matrix_xl.errors import UsageError
from matrix_xl.evaluation.history_sheet import MIN_PRINT_SCALE, column_pixels, print_scale
from matrix_xl.evaluation.run import Evaluation, evaluate_read
from matrix_xl.evaluation.summary import SUMMARY_WIDTHS, build_report_sheets, quote_sheet
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.history import iso_week, merge_snapshot, parse_history
from matrix_xl.read.reader import HistoryRow, read_workbook

D = default_definition()
MANDATORY = [s.id for s in D.skills if s.mandatory]
OPTIONAL = [s.id for s in D.skills if not s.mandatory]
ALMOST = {**dict.fromkeys(MANDATORY, 4), **dict.fromkeys(OPTIONAL[:2], 3), "cloud": 3}
W1 = date(2026, 11, 2)
NOTE = "Do the AWS practitioner course, then a small pipeline with Lambda and S3"
HOSTILE = ("=1+1", "<r>x</r>", "_x0041_", "http://x", "C:\\path_x000D_", "@SUM(A1)", "+1")


def evaluation(
    ratings: Mapping[str, int | None],
    *,
    definition: Definition | None = None,
    notes: Mapping[str, str] | None = None,
    past: tuple[HistoryRow, ...] = (),
    owner: str = "Ada",
    role: str = "ML Engineer",
    as_of: date = W1,
) -> tuple[Evaluation, list[HistoryRow]]:
    """An evaluation made the public way, and the history the write-back would record."""
    data = build_workbook(
        definition, owner=owner, role=role, ratings=ratings, notes=notes, created=date(2026, 1, 5)
    )
    read = read_workbook(data)
    read.history = list(past)
    result = evaluate_read(read, as_of=as_of, today=as_of)
    assert result.valid, result.errors
    now = HistoryRow(iso_week(as_of), as_of, {r.skill_id: r.rating for r in result.ratings})
    return result, merge_snapshot(past, now)


def donor(ratings: Mapping[str, int | None] = ALMOST, **options: Any) -> bytes:
    names = {k: options.pop(k) for k in ("summary_name", "history_name") if k in options}
    return build_report_sheets(*evaluation(ratings, **options), **names)


def cells(data: bytes, sheet: str) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def texts(data: bytes, sheet: str = "Summary") -> list[str]:
    return [v for row in cells(data, sheet) for v in row if isinstance(v, str) and v]


def row_of(rows: list[list[Any]], first: str) -> list[Any]:
    return next(row for row in rows if row and row[0] == first)


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode()


def parts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.namelist()


# -- the donor ---------------------------------------------------------------------------------


def test_the_donor_holds_the_summary_then_the_history_and_nothing_else() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(donor()))
    assert wb.sheetnames == ["Summary", "History"]
    assert wb.active.title == "Summary"
    assert wb["Summary"].protection.sheet and wb["History"].protection.sheet
    # the engine grafts only names local to a sheet: print areas and titles
    book = part(donor(), "xl/workbook.xml")
    names = re.findall(r"<definedName ([^>]*)>", book)
    assert names and all("localSheetId" in n for n in names)


def test_equal_arguments_give_byte_identical_donors() -> None:
    result, history = evaluation(ALMOST)
    assert build_report_sheets(result, history) == build_report_sheets(result, history)
    assert build_report_sheets(result, history, today=date(2030, 1, 1)) != build_report_sheets(
        result, history
    )


def test_an_invalid_evaluation_or_bad_names_are_refused() -> None:
    result, history = evaluation(ALMOST)
    with pytest.raises(UsageError, match=r"distinct|duplicate|exists|already"):
        build_report_sheets(result, history, summary_name="History", history_name="history")
    with pytest.raises(UsageError):
        build_report_sheets(result, history, summary_name="a/b")
    result.valid = False
    with pytest.raises(UsageError, match="errors"):
        build_report_sheets(result, history)


# -- what it says ------------------------------------------------------------------------------


def test_verdicts_carry_the_figure_behind_each_rule_and_the_least_steps() -> None:
    rows = cells(donor(notes={"cloud": NOTE}), "Summary")
    assert rows[0][0] == "Readiness summary: Ada"
    assert rows[1][0].startswith("ML Engineer · as of 2026-11-02 (2026-W45)")
    assert row_of(rows, "Ready to apply")[1] == "NOT YET"
    assert row_of(rows, "Promotion ready")[1] == "NOT YET"
    rule = row_of(rows, "every mandatory skill >= 4")
    assert rule[1:3] == ["not met", "mandatory >= 4: 12 of 13, need 13"]
    assert row_of(rows, "more than half of the mandatory skills >= 4")[1] == "met"
    flat = [v for row in rows for v in row if v]
    assert flat.count("Least steps: 2 skill(s), 4 point(s):") == 1  # apply: 3->4, unrated->3
    cloud = D.skill("cloud").name
    assert next(r[1] for r in rows if r[0] == cloud) == "3 -> 4"
    assert row_of(rows, D.skill(OPTIONAL[2]).name)[1] == "unrated -> 3"


def test_priorities_come_with_notes_questions_and_references() -> None:
    rows = cells(donor(notes={"cloud": NOTE}), "Summary")
    head = row_of(rows, "Skill")
    assert head[:7] == [
        "Skill",
        "Mandatory?",
        "Rating",
        "Target",
        "Gap Notes",
        "Sample Interview Questions",
        "Reading References",
    ]
    start = rows.index(head)
    cloud = rows[start + 1]
    assert cloud[:5] == [D.skill("cloud").name, "Yes", 3.0, 4.0, NOTE]
    unrated = next(r for r in rows[start:] if r[0] == D.skill("mlops-tooling").name)
    skill = D.skill("mlops-tooling")
    assert unrated[1:4] == ["No", "unrated", 3.0]
    assert unrated[5] == "\n".join(skill.questions)
    assert unrated[6] == "\n".join(f"{r.section} / {r.anchor}" for r in skill.references)


def test_everything_at_target_says_so() -> None:
    all_five = dict.fromkeys(MANDATORY + OPTIONAL, 5)
    flat = texts(donor(all_five))
    assert "Nothing below target: every skill meets its level." in flat
    assert "Warnings (0)" in flat and "None." in flat
    assert "YES" in flat and "NOT YET" not in flat


def test_movement_since_the_previous_week() -> None:
    before = W1 - timedelta(7)
    past = HistoryRow(iso_week(before), before, {**ALMOST, "cloud": 2, "communication": 5})
    rows = cells(donor(ALMOST, past=(past,)), "Summary")
    rows = rows[rows.index(row_of(rows, "Movement")) :]
    assert row_of(rows, D.skill("cloud").name)[1:4] == ["2 -> 3", "up", "since 2026-W44"]
    assert row_of(rows, D.skill("communication").name)[1:4] == ["5 -> 4", "down", "since 2026-W44"]
    first = texts(donor(ALMOST))
    assert "First snapshot: movement shows from next week on." in first
    same = HistoryRow(iso_week(before), before, dict(ALMOST))
    assert "No rating changed since 2026-W44." in texts(donor(ALMOST, past=(same,)))


def test_another_name_for_our_sheets_is_said_on_the_summary() -> None:
    data = donor(summary_name="Summary (matrix-xl)", history_name="History 2")
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == [
        "Summary (matrix-xl)",
        "History 2",
    ]
    note = cells(data, "Summary (matrix-xl)")[2][0]
    assert "'Summary (matrix-xl)'" in note and "'History 2'" in note
    assert "of its own named 'Summary'" in note
    assert cells(donor(), "Summary")[2][0] in ("", None)


# -- links and inert text ----------------------------------------------------------------------


def test_warnings_link_to_their_cells_by_location_with_no_relationship() -> None:
    result, history = evaluation(ALMOST)
    data = build_report_sheets(result, history)
    sheet = part(data, "xl/worksheets/sheet1.xml")
    links = re.findall(r"<hyperlink [^>]*/>", sheet)
    warned_cells = [f.cell for f in result.issues if f.severity == "warning" and f.cell]
    assert len(warned_cells) >= len(OPTIONAL) - 2  # one at least per unrated optional skill
    assert [re.search(r"!(\w+)\"", link).group(1) for link in links] == warned_cells  # type: ignore[union-attr]
    for link in links:
        assert re.search(r"""location="'Matrix'![A-Z]+\d+\"""", link), link
        assert "r:id" not in link
    rels = [p for p in parts(data) if p.startswith("xl/worksheets/_rels/")]
    for rel in rels:
        body = part(data, rel)
        assert "hyperlink" not in body and "External" not in body
    rows = cells(data, "Summary")
    warned = [r for r in rows if isinstance(r[0], str) and re.fullmatch(r"Matrix![A-Z]+\d+", r[0])]
    assert len(warned) == len(links)
    unrated = [
        r for r in warned if r[1].endswith("unrated: it counts as not meeting any threshold")
    ]
    assert len(unrated) == len(OPTIONAL) - 2


def test_quote_sheet_doubles_quotes() -> None:
    assert quote_sheet("Matrix") == "'Matrix'"
    assert quote_sheet("Ada's") == "'Ada''s'"


def hostile_definition() -> Definition:
    data = D.to_dict()
    for i, text in enumerate(HOSTILE):
        skill = data["skills"][i]
        skill["name"] = text
        skill["questions"] = [text, f"{text} again"]
        skill["references"] = [{"section": text, "anchor": text}]
    data["thresholds"][0]["name"] = "=1+1"
    return definition_from_dict(data)


def test_hostile_texts_are_written_as_inert_text_and_read_back_exactly() -> None:
    d = hostile_definition()
    hostile_ids = [s.id for s in d.skills[: len(HOSTILE)]]
    notes = dict(zip(hostile_ids, HOSTILE, strict=True))
    result, history = evaluation(
        {s.id: 2 for s in d.skills}, definition=d, notes=notes, owner="=1+1", role="<r>x</r>"
    )
    data = build_report_sheets(result, history)
    flat = set(texts(data))
    assert "Readiness summary: =1+1" in flat
    assert any(t.startswith("<r>x</r> · as of") for t in flat)
    for text in HOSTILE:
        assert text in flat, text  # skill name and note
        assert f"{text}\n{text} again" in flat  # questions
        assert f"{text} / {text}" in flat  # references
    assert "=1+1" in texts(data, "History")
    for name in parts(data):
        if name.startswith("xl/worksheets/sheet"):
            body = part(data, name)
            assert "<f>" not in body and "<f " not in body, name  # no formula anywhere
            assert "<hyperlink " not in body or 'location="' in body
    assert not [p for p in parts(data) if "externalLink" in p]
    # the History written with those names reads back as it was given
    assert parse_history(cells(data, "History"), d) == history


# -- print and charts --------------------------------------------------------------------------


def page_setup(data: bytes, sheet: int) -> dict[str, str]:
    body = part(data, f"xl/worksheets/sheet{sheet}.xml")
    setup = re.search(r"<pageSetup ([^>]*)/>", body)
    assert setup is not None
    return dict(re.findall(r'(\w+)="([^"]*)"', setup.group(1)))


LANDSCAPE_PIXELS = (11.69 - 0.5 - 0.5) * 96  # A4 between the house margins, at 96 dpi


def column_pixels_stored(data: bytes, sheet: int) -> list[int]:
    """Each column's width in pixels, from the file (a stored width is pixels / 7)."""
    body = part(data, f"xl/worksheets/sheet{sheet}.xml")
    out: list[int] = []
    for first, last, width in re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', body):
        out += [round(float(width) * 7)] * (int(last) - int(first) + 1)
    return out


def scale_of(data: bytes, sheet: int) -> float:
    """The print scale "one page wide" gives, computed from the file alone."""
    return min(1.0, LANDSCAPE_PIXELS / sum(column_pixels_stored(data, sheet)))


def test_the_summary_prints_landscape_one_page_wide_at_full_size() -> None:
    data = donor()
    setup = page_setup(data, 1)
    assert setup["orientation"] == "landscape" and setup["paperSize"] == "9"
    assert setup.get("fitToWidth", "1") == "1" and setup["fitToHeight"] == "0"
    assert '<pageSetUpPr fitToPage="1"/>' in part(data, "xl/worksheets/sheet1.xml")
    # the widths stored (xlsxwriter adds the padding) fit an A4 landscape page at 100%
    stored = column_pixels_stored(data, 1)
    assert stored == [column_pixels(w) for w in SUMMARY_WIDTHS]
    assert sum(stored) <= LANDSCAPE_PIXELS and scale_of(data, 1) == 1.0
    assert print_scale(SUMMARY_WIDTHS) == 1.0


def test_printed_text_is_never_smaller_than_8_points() -> None:
    data = donor()
    styles = part(data, "xl/styles.xml")
    sizes = [float(s) for s in re.findall(r'<sz val="([\d.]+)"/>', styles)]
    scale = min(scale_of(data, 1), scale_of(data, 2))
    assert scale >= MIN_PRINT_SCALE
    assert min(sizes) * scale >= 8
    for n in (1, 2):  # the footer's 8 pt does not shrink with the sheet
        assert 'scaleWithDoc="0"' in part(data, f"xl/worksheets/sheet{n}.xml")
    for chart in (p for p in parts(data) if p.startswith("xl/charts/chart")):
        chart_sizes = [int(s) / 100 for s in re.findall(r' sz="(\d+)"', part(data, chart))]
        assert chart_sizes and min(chart_sizes) * scale_of(data, 1) >= 8  # on the Summary


def test_long_texts_get_rows_tall_enough_to_wrap() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(donor(notes={"cloud": NOTE * 3})))
    ws = wb["Summary"]
    row = next(c.row for c in ws["E"] if c.value == NOTE * 3)
    assert ws.cell(row, 5).alignment.wrap_text
    assert ws.row_dimensions[row].height >= 15 * 4  # four lines at least
    long_name = D.skills[1].name  # 63 characters: two lines in column A, never cut
    assert len(long_name) > SUMMARY_WIDTHS[0]
    for r in (c.row for c in ws["A"] if c.value == long_name):
        assert ws.cell(r, 1).alignment.wrap_text and ws.row_dimensions[r].height >= 30


def test_the_ratings_chart_leaves_unrated_skills_as_gaps() -> None:
    data = donor()
    charts = sorted(p for p in parts(data) if p.startswith("xl/charts/chart"))
    assert len(charts) == 2
    bar = part(data, charts[0])
    assert '<c:barDir val="bar"/>' in bar
    # blanks as gaps: xlsxwriter leaves the element out for "gap", Excel's default
    assert "<c:dispBlanksAs" not in bar or '<c:dispBlanksAs val="gap"/>' in bar
    rows = cells(data, "Summary")
    top = rows.index(row_of(rows, "Ratings against targets"))
    table = rows[top + 2 : top + 2 + len(D.skills)]
    assert [r[0] for r in table] == [s.name for s in D.skills]
    unrated = [r for r in table if r[0] in {D.skill(s).name for s in OPTIONAL[2:]}]
    assert unrated and all(r[1] in ("", None) for r in unrated)  # blank, not 0
    assert f"<c:f>Summary!$B${top + 3}:$B${top + 2 + len(D.skills)}</c:f>" in bar


def test_the_weekly_chart_marks_a_single_week_and_says_when_there_is_none() -> None:
    data = donor()
    line = part(data, sorted(p for p in parts(data) if p.startswith("xl/charts/chart"))[1])
    assert "<c:lineChart>" in line and '<c:symbol val="circle"/>' in line
    assert line.count("<c:ptCount val=") >= 1 and "$A$" in line
    result, _ = evaluation(ALMOST)
    empty = build_report_sheets(result, [])
    assert len([p for p in parts(empty) if p.startswith("xl/charts/chart")]) == 1
    assert "No week recorded yet: the chart starts with the first." in texts(empty)


def test_chart_series_name_their_sheet_quoted_whatever_it_is_called() -> None:
    name = "Ada's Summary"
    data = donor(summary_name=name)
    for chart in (p for p in parts(data) if p.startswith("xl/charts/chart")):
        formulas = re.findall(r"<c:f>([^<]*)</c:f>", part(data, chart))
        assert formulas
        assert all(f.startswith("'Ada''s Summary'!$") for f in formulas), formulas


def test_a_chart_starts_a_page_rather_than_being_cut() -> None:
    data = donor()
    body = part(data, "xl/worksheets/sheet1.xml")
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', body)]
    rows = cells(data, "Summary")
    heading = rows.index(row_of(rows, "Ratings against targets"))
    assert heading in breaks  # a break "at row id" starts that (1-based) row's next one


# -- a real application ------------------------------------------------------------------------


def test_libreoffice_opens_the_donor_and_reads_the_texts_as_written(
    libreoffice: Any, tmp_path: Path
) -> None:
    d = hostile_definition()
    result, history = evaluation({s.id: 3 for s in d.skills}, definition=d, owner="_x0041_")
    path = tmp_path / "donor.xlsx"
    path.write_bytes(build_report_sheets(result, history))
    assert libreoffice.sheets(path) == [("Summary", True), ("History", True)]
    saved = libreoffice.save(path, tmp_path / "saved.xlsx")
    assert cells(saved.read_bytes(), "Summary")[0][0] == "Readiness summary: _x0041_"
    assert set(HOSTILE) <= set(texts(saved.read_bytes()))
    assert parse_history(cells(saved.read_bytes(), "History"), d) == history
    pdf = libreoffice.save(path, tmp_path / "donor.pdf", format="pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_a_threshold_no_ratings_can_meet_says_so() -> None:
    data = D.to_dict()
    data["thresholds"][1]["conditions"] = [{"scope": "optional", "level": 3, "count": 99}]
    impossible = definition_from_dict(data)
    result, history = evaluation(ALMOST, definition=impossible)
    assert result.verdicts[1].steps is None
    flat = texts(build_report_sheets(result, history))
    assert "No ratings can meet this threshold with this matrix." in flat
