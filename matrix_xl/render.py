"""Turn results into text for people: the terminal report and Markdown for a message.

Plain strings with optional colour; the CLI decides where they go. User text (skill
names, notes) is never interpreted as markup, and every text that came from a workbook,
a definition or a file name goes through :func:`printable` on its way out: a control
character or a bidi override in a cell reaches the terminal as a visible escape, never as
the terminal's own command.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from matrix_xl.xlsx.cells import is_control

if TYPE_CHECKING:
    from pathlib import Path

    from rich.text import Text

    from matrix_xl.evaluation.result import Evaluation
    from matrix_xl.findings import Finding
    from matrix_xl.rules import Verdict
    from matrix_xl.team.report import TeamReport

__all__ = [
    "evaluation_markdown",
    "evaluation_text",
    "findings_text",
    "is_unprintable",
    "json_printable",
    "printable",
    "team_text",
]

# Bidi controls (embeddings, overrides, isolates, the three marks): text that reorders
# what follows it on screen, so a line can show something else than it holds.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Line and paragraph separators: a new line to some terminals, none to others.
LINE_SEPARATORS = frozenset("\u2028\u2029")

# The characters of is_unprintable, as one class: C0 and C1 controls and lone surrogates
# (xlsx.cells.is_control), then the two sets above.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS | LINE_SEPARATORS)) + "]"
)
# In JSON text: what json.dumps(ensure_ascii=False) leaves raw (it escapes C0 itself).
_JSON_RAW = re.compile(
    "[\x7f-\x9f\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS | LINE_SEPARATORS)) + "]"
)
_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def is_unprintable(ch: str) -> bool:
    """Whether ``ch`` is printed escaped: the cells' control characters
    (:func:`~matrix_xl.xlsx.cells.is_control`), bidi controls, line separators."""
    return is_control(ch) or ch in BIDI_CONTROLS or ch in LINE_SEPARATORS


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return _SHORT.get(ch) or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` safe for a terminal: each unprintable character shown as an escape.

    ``\\n``, ``\\t`` and ``\\r`` for the line breaks, ``\\x1b`` for other C0 and C1
    controls, ``\\u202e`` for bidi controls, line separators and lone surrogates (the
    undecodable bytes of a file name). Every other character is left as it is.

    Example:
        >>> printable("Cloud\x1b[31m, \u202eevil")
        'Cloud\\\\x1b[31m, \\\\u202eevil'
    """
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


def json_printable(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) safe for a terminal.

    Every character :func:`printable` escapes and ``json.dumps`` leaves raw (C1 controls,
    bidi controls, line separators, lone surrogates) becomes a ``\\uXXXX`` escape: they
    only occur inside strings, where JSON allows that escape, so the value parsed back
    is the same.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _put(out: Text, text: str, style: str | None = None) -> None:
    """Append foreign text (from a workbook, a definition, a file name), escaped."""
    out.append(printable(text), style=style)


def _show(value: int | None) -> str:
    return "unrated" if value is None else str(value)


def findings_text(name: str, findings: Sequence[Finding]) -> Text:
    """The validate report: a count, then one line per finding, in the order given.

    Args:
        name: the workbook, as the person named it.
        findings: from :func:`matrix_xl.validate` (errors first).

    Returns:
        The report, styled; finding text is never read as markup, and is escaped where
        it holds a control character (see :func:`printable`).
    """
    from rich.text import Text

    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    out = Text()
    if not findings:
        _put(out, f"{name}: valid, no problems found", style="green")
        out.append("\n")
        return out
    head = f"{name}: {errors} error(s), {warnings} warning(s)"
    _put(out, head, style="bold red" if errors else "yellow")
    out.append("\n")
    locations = [printable(f.location()) for f in findings]
    width = max(len(where) for where in locations)
    for f, where in zip(findings, locations, strict=True):
        style = "red" if f.severity == "error" else "yellow"
        out.append(f"  {f.severity:<7} ", style=style)
        out.append(f"{where:<{width}}  ", style="bold")
        _put(out, f.message)
        out.append("\n")
    return out


def evaluation_text(result: Evaluation, max_steps: int = 8) -> Text:
    """The evaluate report for a terminal: verdicts, reasons, plan, movement, warnings.

    Args:
        result: from :func:`matrix_xl.evaluate`.
        max_steps: how many of each threshold's least steps to list.

    Returns:
        The report, styled; text from the workbook is never read as markup, and is
        escaped where it holds a control character (see :func:`printable`).
    """
    from rich.text import Text

    out = Text()
    _header(out, result)
    if not result.valid:
        out.append(findings_text(result.workbook, result.issues))
        out.append("\nNot evaluated: fix the errors above and run again.\n", style="bold red")
        return out
    _verdicts(out, result, max_steps)
    _priorities(out, result)
    _movement(out, result)
    _warnings(out, result)
    _written(out, result)
    return out


def _header(out: Text, result: Evaluation) -> None:
    who = ", ".join(x for x in (result.owner, result.role) if x) or "no owner set"
    _put(out, result.workbook, style="bold")
    _put(out, f": {who}, as of {result.as_of.isoformat()}")
    out.append("\n\n")


def _verdicts(out: Text, result: Evaluation, max_steps: int) -> None:
    """Each threshold: YES or NOT YET, each rule met or not, and the least steps to it."""
    label = max(len(printable(v.name)) for v in result.verdicts)
    rule_width = max(len(printable(r.rule)) for v in result.verdicts for r in v.rules)
    for v in result.verdicts:
        out.append(f"{printable(v.name):<{label}}  ", style="bold")
        out.append(
            "YES" if v.ready else "NOT YET", style="bold green" if v.ready else "bold yellow"
        )
        out.append("\n")
        for rule in v.rules:
            out.append("  ")
            out.append(
                "met    " if rule.passed else "not met", style="green" if rule.passed else "yellow"
            )
            out.append(f"  {printable(rule.rule):<{rule_width}}  ")
            _put(out, rule.detail)
            out.append("\n")
        _steps(out, v, max_steps)
        out.append("\n")


def _steps(out: Text, v: Verdict, max_steps: int) -> None:
    if v.too_complex is not None:
        out.append(f"  least steps: {v.too_complex}\n", style="yellow")
    elif v.steps is None:
        out.append("  no ratings can meet this threshold with this matrix\n", style="red")
    elif v.steps:
        points = sum(s.points for s in v.steps)
        out.append(f"  least steps: {len(v.steps)} skill(s), {points} point(s)\n", style="dim")
        for s in v.steps[:max_steps]:
            _put(out, f"    {s.skill}: {_show(s.from_)} -> {s.to}")
            out.append("\n")
        if len(v.steps) > max_steps:
            out.append(
                f"    ... and {len(v.steps) - max_steps} more (see the Summary "
                "sheet or --format json)\n",
                style="dim",
            )


def _priorities(out: Text, result: Evaluation) -> None:
    """The first ten priorities, mandatory ones in bold, with the person's gap notes."""
    if not result.priorities:
        return
    out.append("Priorities\n", style="bold")
    for i, p in enumerate(result.priorities[:10], 1):
        kind = "mandatory" if p.mandatory else "optional "
        note = next((r.notes for r in result.ratings if r.skill_id == p.skill_id), "")
        out.append(f"  {i:>2}. {kind}  {_show(p.rating):>7} -> {p.target}  ")
        _put(out, p.skill, style="bold" if p.mandatory else None)
        if note:
            _put(out, f"  ({note})", style="dim")
        out.append("\n")
    if len(result.priorities) > 10:
        out.append(f"      ... and {len(result.priorities) - 10} more\n", style="dim")
    out.append("\n")


def _movement(out: Text, result: Evaluation) -> None:
    """The ratings that moved since the previous week's snapshot."""
    if not result.previous_week:
        return
    moved = [r for r in result.ratings if r.rating != r.previous]
    _put(out, f"Since {result.previous_week}: ", style="bold")
    _put(
        out,
        ", ".join(f"{r.skill} {_show(r.previous)} -> {_show(r.rating)}" for r in moved)
        or "no change",
    )
    out.append("\n\n")


def _warnings(out: Text, result: Evaluation) -> None:
    warnings = [f for f in result.issues if f.severity == "warning"]
    if not warnings:
        return
    out.append(f"Warnings ({len(warnings)})\n", style="bold yellow")
    for f in warnings[:12]:
        _put(out, f"  {f.location()}: {f.message}")
        out.append("\n")
    if len(warnings) > 12:
        out.append(f"  ... and {len(warnings) - 12} more\n", style="dim")
    out.append("\n")


def _written(out: Text, result: Evaluation) -> None:
    if result.written:
        entries = "entry" if result.log_added == 1 else "entries"
        _put(
            out,
            f"Written to {result.written}: Summary, History, {result.log_added} "
            f"Improvement Log {entries} added.",
            style="green",
        )
        out.append("\n", style="green")
    else:
        out.append("Nothing written (--dry-run).\n", style="dim")


def _md(text: str) -> str:
    """Foreign text for Markdown: escaped for the terminal, then Markdown's own characters."""
    return printable(text).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def evaluation_markdown(result: Evaluation) -> str:
    """The evaluation as Markdown, to paste into a message to a manager.

    Args:
        result: from :func:`matrix_xl.evaluate`.

    Returns:
        Markdown text; the workbook's text is escaped where Markdown would read it, and
        where it holds a control character (see :func:`printable`).
    """
    lines = [f"## Competency readiness: {_md(result.owner or result.workbook)}", ""]
    if result.role:
        lines.append(f"Role: {_md(result.role)} · as of {result.as_of.isoformat()}")
    else:
        lines.append(f"As of {result.as_of.isoformat()}")
    lines.append("")
    if not result.valid:
        lines.append("**Not evaluated**: the workbook has errors:")
        lines += [f"- `{printable(f.location())}`: {_md(f.message)}" for f in result.errors]
        return "\n".join(lines) + "\n"
    lines += _md_verdicts(result)
    lines += _md_priorities(result)
    if result.previous_week:
        moved = [r for r in result.ratings if r.rating != r.previous]
        lines.append(f"### Since {_md(result.previous_week)}")
        lines.append("")
        lines += [f"- {_md(r.skill)}: {_show(r.previous)} → {_show(r.rating)}" for r in moved]
        if not moved:
            lines.append("- No rating changed.")
        lines.append("")
    return "\n".join(lines) + "\n"


def _md_verdicts(result: Evaluation) -> list[str]:
    lines = []
    for v in result.verdicts:
        lines.append(f"**{_md(v.name)}: {'YES' if v.ready else 'NOT YET'}**")
        lines += [
            f"- {'✅' if r.passed else '❌'} {_md(r.rule)} ({_md(r.detail)})" for r in v.rules
        ]
        if v.steps:
            steps = ", ".join(f"{_md(s.skill)} {_show(s.from_)}→{s.to}" for s in v.steps)
            lines.append(f"- Least steps: {steps}")
        elif v.too_complex is not None:
            lines.append(f"- Least steps: {_md(str(v.too_complex))}")
        lines.append("")
    return lines


def _md_priorities(result: Evaluation) -> list[str]:
    if not result.priorities:
        return []
    lines = [
        "### Priorities",
        "",
        "| # | Skill | Mandatory | Rating | Target | Gap notes |",
        "|---|---|---|---|---|---|",
    ]
    notes = {r.skill_id: r.notes for r in result.ratings}
    for i, p in enumerate(result.priorities, 1):
        lines.append(
            f"| {i} | {_md(p.skill)} | {'Yes' if p.mandatory else 'No'} | "
            f"{_show(p.rating)} | {p.target} | {_md(notes.get(p.skill_id, ''))} |"
        )
    lines.append("")
    return lines


def team_text(report: TeamReport, written: Path | None) -> str:
    """The team command's summary: what was written, counts per definition, files left out.

    Each line is escaped where it holds a control character (see :func:`printable`).
    """
    lines = []
    people = len(report.people)
    if written is not None:
        lines.append(
            f"Wrote {written}: {people} {'person' if people == 1 else 'people'} from "
            f"{report.files} file{'s' if report.files != 1 else ''}."
        )
    for group in report.groups:
        d = group.definition
        counts = ", ".join(
            f"{t.name}: {n} of {len(group.people)}"
            for t, n in zip(d.thresholds, group.ready_counts(), strict=True)
        )
        lines.append(f"  {group.label}: {counts}")
    if report.errors:
        lines.append(
            f"{len(report.errors)} file{'s' if len(report.errors) != 1 else ''} left out"
            + (" (listed on the Errors sheet):" if written is not None else ":")
        )
        lines.extend(f"  {e.workbook}: {e.message}" for e in report.errors)
    return "".join(f"{printable(line)}\n" for line in lines)
