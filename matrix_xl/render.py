"""Turn results into text for people: the terminal report and Markdown for a message.

Plain strings with optional colour; the CLI decides where they go. User text (skill
names, notes) is never interpreted as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from rich.text import Text

    from matrix_xl.evaluation.result import Evaluation
    from matrix_xl.findings import Finding
    from matrix_xl.rules import Verdict
    from matrix_xl.team.report import TeamReport

__all__ = ["evaluation_markdown", "evaluation_text", "findings_text", "team_text"]


def _show(value: int | None) -> str:
    return "unrated" if value is None else str(value)


def findings_text(name: str, findings: Sequence[Finding]) -> Text:
    """The validate report: a count, then one line per finding, in the order given.

    Args:
        name: the workbook, as the person named it.
        findings: from :func:`matrix_xl.validate` (errors first).

    Returns:
        The report, styled; finding text is never read as markup.
    """
    from rich.text import Text

    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    out = Text()
    if not findings:
        out.append(f"{name}: valid, no problems found\n", style="green")
        return out
    head = f"{name}: {errors} error(s), {warnings} warning(s)"
    out.append(head + "\n", style="bold red" if errors else "yellow")
    width = max(len(f.location()) for f in findings)
    for f in findings:
        style = "red" if f.severity == "error" else "yellow"
        out.append(f"  {f.severity:<7} ", style=style)
        out.append(f"{f.location():<{width}}  ", style="bold")
        out.append(f.message + "\n")
    return out


def evaluation_text(result: Evaluation, max_steps: int = 8) -> Text:
    """The evaluate report for a terminal: verdicts, reasons, plan, movement, warnings.

    Args:
        result: from :func:`matrix_xl.evaluate`.
        max_steps: how many of each threshold's least steps to list.

    Returns:
        The report, styled; text from the workbook is never read as markup.
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
    out.append(f"{result.workbook}", style="bold")
    out.append(f": {who}, as of {result.as_of.isoformat()}\n\n")


def _verdicts(out: Text, result: Evaluation, max_steps: int) -> None:
    """Each threshold: YES or NOT YET, each rule met or not, and the least steps to it."""
    label = max(len(v.name) for v in result.verdicts)
    rule_width = max(len(r.rule) for v in result.verdicts for r in v.rules)
    for v in result.verdicts:
        out.append(f"{v.name:<{label}}  ", style="bold")
        out.append(
            "YES" if v.ready else "NOT YET", style="bold green" if v.ready else "bold yellow"
        )
        out.append("\n")
        for rule in v.rules:
            out.append("  ")
            out.append(
                "met    " if rule.passed else "not met", style="green" if rule.passed else "yellow"
            )
            out.append(f"  {rule.rule:<{rule_width}}  {rule.detail}\n", style=None)
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
            out.append(f"    {s.skill}: {_show(s.from_)} -> {s.to}\n")
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
        out.append(p.skill, style="bold" if p.mandatory else None)
        if note:
            out.append(f"  ({note})", style="dim")
        out.append("\n")
    if len(result.priorities) > 10:
        out.append(f"      ... and {len(result.priorities) - 10} more\n", style="dim")
    out.append("\n")


def _movement(out: Text, result: Evaluation) -> None:
    """The ratings that moved since the previous week's snapshot."""
    if not result.previous_week:
        return
    moved = [r for r in result.ratings if r.rating != r.previous]
    out.append(f"Since {result.previous_week}: ", style="bold")
    out.append(
        ", ".join(f"{r.skill} {_show(r.previous)} -> {_show(r.rating)}" for r in moved)
        or "no change"
    )
    out.append("\n\n")


def _warnings(out: Text, result: Evaluation) -> None:
    warnings = [f for f in result.issues if f.severity == "warning"]
    if not warnings:
        return
    out.append(f"Warnings ({len(warnings)})\n", style="bold yellow")
    for f in warnings[:12]:
        out.append(f"  {f.location()}: {f.message}\n")
    if len(warnings) > 12:
        out.append(f"  ... and {len(warnings) - 12} more\n", style="dim")
    out.append("\n")


def _written(out: Text, result: Evaluation) -> None:
    if result.written:
        entries = "entry" if result.log_added == 1 else "entries"
        out.append(
            f"Written to {result.written}: Summary, History, {result.log_added} "
            f"Improvement Log {entries} added.\n",
            style="green",
        )
    else:
        out.append("Nothing written (--dry-run).\n", style="dim")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def evaluation_markdown(result: Evaluation) -> str:
    """The evaluation as Markdown, to paste into a message to a manager.

    Args:
        result: from :func:`matrix_xl.evaluate`.

    Returns:
        Markdown text; the workbook's text is escaped where Markdown would read it.
    """
    lines = [f"## Competency readiness: {_md(result.owner or result.workbook)}", ""]
    if result.role:
        lines.append(f"Role: {_md(result.role)} · as of {result.as_of.isoformat()}")
    else:
        lines.append(f"As of {result.as_of.isoformat()}")
    lines.append("")
    if not result.valid:
        lines.append("**Not evaluated**: the workbook has errors:")
        lines += [f"- `{f.location()}`: {_md(f.message)}" for f in result.errors]
        return "\n".join(lines) + "\n"
    for v in result.verdicts:
        lines.append(f"**{v.name}: {'YES' if v.ready else 'NOT YET'}**")
        lines += [f"- {'✅' if r.passed else '❌'} {r.rule} ({r.detail})" for r in v.rules]
        if v.steps:
            steps = ", ".join(f"{_md(s.skill)} {_show(s.from_)}→{s.to}" for s in v.steps)
            lines.append(f"- Least steps: {steps}")
        elif v.too_complex is not None:
            lines.append(f"- Least steps: {_md(str(v.too_complex))}")
        lines.append("")
    if result.priorities:
        lines += [
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
    if result.previous_week:
        moved = [r for r in result.ratings if r.rating != r.previous]
        lines.append(f"### Since {result.previous_week}")
        lines.append("")
        lines += [f"- {_md(r.skill)}: {_show(r.previous)} → {_show(r.rating)}" for r in moved]
        if not moved:
            lines.append("- No rating changed.")
        lines.append("")
    return "\n".join(lines) + "\n"


def team_text(report: TeamReport, written: Path | None) -> str:
    """The team command's summary: what was written, counts per definition, files left out."""
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
    return "".join(f"{line}\n" for line in lines)
