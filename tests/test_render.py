"""Text for people: the validate report, the evaluate report and its Markdown, as printed."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix_xl import Definition, Evaluation, Finding, build_workbook, default_definition, evaluate
from matrix_xl.cli import cli
from matrix_xl.render import (
    evaluation_markdown,
    evaluation_text,
    findings_text,
    is_unprintable,
    json_printable,
    printable,
)
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


# -- nothing a workbook holds reaches the terminal as a command --------------------------------

# Characters a terminal or a bidi algorithm would act on, and a few it would not.
HOSTILE = [
    "\x1b",
    "\x07",
    "\x00",
    "\r",
    "\n",
    "\t",
    "\x7f",
    "\x9b",
    "\x85",
    "\u202e",
    "\u2066",
    "\u200f",
    "\u061c",
    "\u2028",
    "\ud800",
    "\udcff",
    "é",
    "😀",
    "\u200d",
    "\\",
]
hostile_text = st.text(st.one_of(st.sampled_from(HOSTILE), st.characters()), max_size=12)


def _unprintable(text: str, allow: str = "") -> list[str]:
    return [ch for ch in text if is_unprintable(ch) and ch not in allow]


def test_the_unprintable_class_is_the_rule_for_every_character() -> None:
    chars = [chr(c) for c in range(0x110000) if c < 0x3000 or c % 97 == 0]
    assert [c for c in chars if printable(c) != c] == [c for c in chars if is_unprintable(c)]
    assert all(is_unprintable(c) for c in "\x1b\x9b\u202e\u2069\u2028\ud800")
    assert not any(is_unprintable(c) for c in " é😀\u200d\u00a0")


@given(hostile_text)
def test_printable_escapes_each_unprintable_character_and_keeps_the_rest(text: str) -> None:
    out = printable(text)
    assert _unprintable(out) == []
    # Character by character: each unprintable one becomes a visible escape, the rest stay.
    rebuilt = "".join(printable(ch) if is_unprintable(ch) else ch for ch in text)
    assert out == rebuilt
    for ch in set(text):
        if is_unprintable(ch):
            assert printable(ch).startswith("\\") and len(printable(ch)) in (2, 4, 6)
    if not _unprintable(text):
        assert out == text


@given(st.recursive(hostile_text, lambda c: st.lists(c) | st.dictionaries(hostile_text, c)))
def test_json_printable_keeps_the_value_and_escapes_what_json_leaves_raw(value: Any) -> None:
    text = json.dumps({"v": value}, indent=2, ensure_ascii=False)
    safe = json_printable(text)
    assert _unprintable(safe, allow="\n") == []
    assert json.loads(safe) == {"v": value}


def _with_text(value: Any, text: str) -> Any:
    """Every string inside ``value`` (dataclasses, lists, tuples) with ``text`` in it."""
    if isinstance(value, str):
        return f"{value}{text}"
    if isinstance(value, list | tuple):
        return type(value)(_with_text(v, text) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type | Definition):
        changes = {
            f.name: _with_text(getattr(value, f.name), text)
            for f in dataclasses.fields(value)
            if f.name != "severity"  # the renderers' own word, never the workbook's
        }
        return dataclasses.replace(value, **changes)
    return value


@functools.cache
def _base_evaluations() -> tuple[Evaluation, Evaluation]:
    """A written evaluation in week 2 (verdicts, steps, priorities, movement, warnings) and
    an invalid one."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "me.xlsx"
        path.write_bytes(build_workbook(owner="Ada", role="ML", ratings=ALMOST, created=W1))
        assert evaluate(path, as_of=W1).written
        _set_rating(path, IDS[1], 2)
        moved = evaluate(path, as_of=W2)
        _set_rating(path, IDS[0], 7)
        invalid = evaluate(path, dry_run=True, as_of=W2)
    assert moved.previous_week and moved.priorities and not invalid.valid
    return moved, invalid


@settings(max_examples=60, deadline=None)
@given(hostile_text)
def test_no_text_from_a_workbook_reaches_the_output_unescaped(text: str) -> None:
    for base in _base_evaluations():
        result = _with_text(base, text)
        assert text == "" or text in result.owner  # the text is really in there
        assert _unprintable(evaluation_text(result).plain, allow="\n") == []
        assert _unprintable(evaluation_markdown(result), allow="\n") == []
        assert _unprintable(findings_text(result.workbook, result.issues).plain, "\n") == []
