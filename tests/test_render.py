"""Text for people: the validate report, the evaluate report and its Markdown, as printed."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from matrix_xl import Definition, Evaluation, Finding, build_workbook, default_definition, evaluate
from matrix_xl.cli import cli
from matrix_xl.render import evaluation_markdown, evaluation_text, findings_text
from matrix_xl.rules import TooComplex
from matrix_xl.xlsx import layout as L

D = default_definition()
IDS = [s.id for s in D.skills]
MANDATORY = [s.id for s in D.skills if s.mandatory]
W1, W2 = date(2026, 11, 2), date(2026, 11, 9)
# Every skill at 4 but the first mandatory one at 2: not ready, one step short.
ALMOST: dict[str, int | None] = {sid: 4 for sid in IDS} | {MANDATORY[0]: 2}
MARKUP = "[bold red]x[/bold red] :smile: *y* |z|_w_"


def _evaluation(
    tmp_path: Path,
    ratings: dict[str, int | None],
    definition: Definition = D,
    as_of: date = W1,
    **options: Any,
) -> Evaluation:
    path = tmp_path / "me.xlsx"
    path.write_bytes(
        build_workbook(
            definition, owner="Ada", role="ML Engineer", ratings=ratings, created=W1, **options
        )
    )
    return evaluate(path, dry_run=True, as_of=as_of)


def _styles(text: Any, part: str) -> set[str]:
    """The styles applied where ``part`` first occurs in a rich Text."""
    start = text.plain.index(part)
    return {str(s.style) for s in text.spans if s.start <= start < s.end}


# -- findings_text -----------------------------------------------------------------------------


def test_no_findings_is_one_green_line() -> None:
    text = findings_text("me.xlsx", [])
    assert text.plain == "me.xlsx: valid, no problems found\n"
    assert _styles(text, "valid") == {"green"}


def test_findings_are_counted_and_listed_as_given_with_aligned_locations() -> None:
    findings = [
        Finding("error", "Matrix", "E8", "Cloud", "rating 7 is not one of 1-5"),
        Finding("warning", "Improvement Log", "", "", "the sheet is empty"),
    ]
    text = findings_text("me.xlsx", findings)
    lines = text.plain.splitlines()
    assert lines[0] == "me.xlsx: 1 error(s), 1 warning(s)"
    assert lines[1] == "  error   Matrix!E8 (Cloud)  rating 7 is not one of 1-5"
    assert lines[2] == "  warning Improvement Log    the sheet is empty"
    assert _styles(text, "me.xlsx: 1 error") == {"bold red"}
    only_warnings = findings_text("me.xlsx", findings[1:])
    assert _styles(only_warnings, "me.xlsx") == {"yellow"}


# -- evaluation_text ---------------------------------------------------------------------------


def test_the_report_shows_each_verdict_its_rules_and_the_least_steps(tmp_path: Path) -> None:
    result = _evaluation(tmp_path, ALMOST)
    plain = evaluation_text(result).plain
    assert plain.startswith(f"{result.workbook}: Ada, ML Engineer, as of 2026-11-02\n\n")
    for verdict in result.verdicts:
        line = next(x for x in plain.splitlines() if x.startswith(verdict.name))
        assert line.split()[-1] == ("YES" if verdict.ready else "YET")
        for rule in verdict.rules:
            assert re.search(rf"(met|not met)\s+{re.escape(rule.rule)}\s+", plain), rule.rule
    first = D.skills[IDS.index(MANDATORY[0])].name
    assert f"    {first}: 2 -> " in plain
    assert "Priorities\n" in plain and "Nothing written (--dry-run).\n" in plain
    assert "Since " not in plain  # no history yet


def test_a_plan_too_complex_to_search_is_said_in_text_and_markdown(tmp_path: Path) -> None:
    result = _evaluation(tmp_path, ALMOST)
    unplanned = TooComplex(1_000)
    verdicts = tuple(
        dataclasses.replace(v, steps=None, too_complex=unplanned) for v in result.verdicts
    )
    result = dataclasses.replace(result, verdicts=verdicts)
    plain = evaluation_text(result).plain
    assert plain.count(f"  least steps: {unplanned}\n") == len(verdicts)
    assert "no ratings can meet" not in plain  # it can be met: it was not worked out
    markdown = evaluation_markdown(result)
    assert markdown.count("- Least steps: too complex to plan") == len(verdicts)


def test_long_plans_are_cut_and_say_how_many_more(tmp_path: Path) -> None:
    result = _evaluation(tmp_path, {})
    longest = max(len(v.steps or ()) for v in result.verdicts)
    assert longest > 3
    plain = evaluation_text(result, max_steps=3).plain
    assert f"    ... and {longest - 3} more (see the Summary sheet or --format json)" in plain
    assert "unrated -> " in plain
    assert "... and " in plain.split("Priorities\n")[1]  # more than ten priorities


def test_an_invalid_workbook_lists_its_errors_and_is_not_evaluated(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(build_workbook(owner="Ada", ratings=ALMOST))
    _set_rating(path, IDS[0], 7)
    result = evaluate(path, dry_run=True, as_of=W1)
    assert not result.valid
    text = evaluation_text(result)
    assert "rating 7 is not one of 1-5" in text.plain
    assert text.plain.endswith("\nNot evaluated: fix the errors above and run again.\n")
    assert "Priorities" not in text.plain


def test_the_movement_since_last_week_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(build_workbook(owner="Ada", ratings=ALMOST, created=W1))
    assert evaluate(path, as_of=W1).written  # week 1 recorded in History
    same = evaluate(path, dry_run=True, as_of=W2)
    assert f"Since {same.previous_week}: no change\n" in evaluation_text(same).plain
    _set_rating(path, MANDATORY[0], 4)
    moved = evaluate(path, dry_run=True, as_of=W2)
    name = D.skills[IDS.index(MANDATORY[0])].name
    assert f"Since {moved.previous_week}: {name} 2 -> 4\n" in evaluation_text(moved).plain


def test_a_written_evaluation_says_where_and_how_many_log_entries(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(build_workbook(owner="Ada", ratings=ALMOST, created=W1))
    result = evaluate(path, as_of=W1)
    plain = evaluation_text(result).plain
    entries = "entry" if result.log_added == 1 else "entries"
    assert plain.endswith(
        f"Written to {result.written}: Summary, History, {result.log_added} "
        f"Improvement Log {entries} added.\n"
    )


# -- evaluation_markdown -----------------------------------------------------------------------


def test_markdown_has_a_heading_each_verdict_and_a_priority_table(tmp_path: Path) -> None:
    result = _evaluation(tmp_path, ALMOST)
    md = evaluation_markdown(result)
    assert md.startswith("## Competency readiness: Ada\n\nRole: ML Engineer · as of 2026-11-02\n")
    for verdict in result.verdicts:
        assert f"**{verdict.name}: {'YES' if verdict.ready else 'NOT YET'}**" in md
    rows = [x for x in md.splitlines() if re.match(r"\| \d+ \|", x)]
    assert len(rows) == len(result.priorities) > 0
    assert all(row.count(" | ") == 5 for row in rows)
    assert md.endswith("\n") and not md.endswith("\n\n\n")


def test_markdown_of_an_invalid_workbook_lists_the_errors(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(build_workbook(ratings=ALMOST))
    _set_rating(path, IDS[0], 7)
    md = evaluation_markdown(evaluate(path, dry_run=True, as_of=W1))
    assert md.startswith("## Competency readiness: ")
    assert "**Not evaluated**: the workbook has errors:\n- `Matrix!" in md
    assert "rating 7 is not one of 1-5" in md


# -- text from the workbook is printed as typed ------------------------------------------------


def _marked_up(tmp_path: Path) -> Evaluation:
    first = IDS.index(MANDATORY[0])
    skills = list(D.skills)
    skills[first] = dataclasses.replace(skills[first], name=MARKUP)
    definition = dataclasses.replace(D, skills=tuple(skills))
    return _evaluation(
        tmp_path, ALMOST, definition=definition, notes={MANDATORY[0]: "[link=x]note[/link]"}
    )


def test_skill_names_and_notes_are_never_read_as_markup(tmp_path: Path) -> None:
    result = _marked_up(tmp_path)
    plain = evaluation_text(result).plain
    assert f"    {MARKUP}: 2 -> " in plain
    assert f"{MARKUP}  ([link=x]note[/link])" in plain
    out = CliRunner().invoke(cli, ["evaluate", result.workbook, "--dry-run"])
    assert out.exit_code == 0, out.stderr
    assert f"    {MARKUP}: 2 -> " in out.stdout
    assert "([link=x]note[/link])" in out.stdout
    md = evaluation_markdown(result)
    # Markdown's own characters are escaped, so the name reads as typed once rendered.
    assert r"[bold red]x[/bold red] :smile: \*y\* \|z\|\_w\_" in md


def _set_rating(path: Path, skill_id: str, value: Any) -> None:
    """Change a rating the way a person does, with a spreadsheet app (openpyxl here)."""
    first = L.MatrixLayout(len(IDS), len(D.thresholds)).first_row + 1
    wb = openpyxl.load_workbook(path)
    wb[L.MATRIX].cell(first + IDS.index(skill_id), L.COL_RATING + 1).value = value
    wb.save(path)
