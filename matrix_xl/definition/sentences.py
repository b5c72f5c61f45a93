"""The readiness sentences of a seed-style Markdown matrix, read as thresholds.

The seed states its rules in words: ``Apply only when all Mandatory ≥4 and at least 3
optional ≥3`` and ``Promotion Readiness: Majority Mandatory at 4, at least two at 5
indicating spikes``. A sentence is split into clauses at commas, semicolons and "and";
each clause is a count (``all``/``every``, ``majority``/``more than half``, ``at least N``
in digits or words up to ten), an optional scope (``mandatory``, ``optional``, ``any``),
and a level (``≥4``, ``>= 4``, ``at least 4``, ``at 4``). A clause without a scope takes
the scope of the clause before it (``at least two at 5`` above means mandatory), and the
first clause without one means any skill.

Example:
    >>> [c.describe() for c in parse_conditions("all Mandatory ≥4 and at least 3 optional ≥3")]
    ['every mandatory skill >= 4', 'at least 3 optional skills >= 3']
"""

from __future__ import annotations

import re

from matrix_xl.definition.model import Condition, Count, Scope, Threshold, slugify
from matrix_xl.errors import DefinitionError

__all__ = ["parse_conditions", "parse_thresholds"]

Sections = dict[str, list[tuple[int, str]]]  # normalised heading -> (line number, text)

_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_CLAUSE = re.compile(
    r"^(?:(?P<all>all|every)|(?P<majority>(?:a\s+)?majority|more than half)(?:\s+of)?"
    r"|at least\s+(?P<n>\d+|" + "|".join(_NUMBERS) + r"))"
    r"(?:\s+(?:the\s+)?(?P<scope>mandatory|optional|any))?(?:\s+skills?)?(?:\s+items?)?"
    r"\s*(?:≥|>=|at least|at)\s*(?P<level>\d)\b",
    re.IGNORECASE,
)
_READINESS = "readiness thresholds"  # the section's heading, normalised
_NAME = re.compile(r"[A-Za-z][\w ]*")  # a threshold's name before its colon
_PROSE = re.compile(r"\s+[a-z][a-z ]*\.?", re.IGNORECASE)  # words after a rule's last level


def parse_conditions(text: str, line: int = 0, source: str = "<text>") -> tuple[Condition, ...]:
    """Read a rule in words as conditions, one per clause.

    Args:
        text: the rule, e.g. ``all Mandatory ≥4 and at least 3 optional ≥3`` (a final full
            stop is ignored).
        line: its line in the file, named in the error.
        source: the file, named in the error.

    Returns:
        The conditions in the order written.

    Raises:
        DefinitionError: a clause that is not a count, a scope and a level.
    """
    conditions: list[Condition] = []
    scope: Scope = "any"
    for raw in re.split(r",|;|\band\b", text.rstrip(".")):
        clause = raw.strip()
        if not clause:
            continue
        m = _CLAUSE.match(clause)
        if not m:
            raise DefinitionError(
                f"line {line}: cannot read the rule {_quoted(clause)}; write it like "
                "'all Mandatory ≥4 and at least 3 optional ≥3'",
                source,
            )
        if m.group("scope"):
            scope = m.group("scope").lower()  # type: ignore[assignment]
        conditions.append(Condition(scope, int(m.group("level")), _count(m)))
    return tuple(conditions)


def _count(m: re.Match[str]) -> Count:
    if m.group("all"):
        return "all"
    if m.group("majority"):
        return "majority"
    n = m.group("n").lower()
    return int(n) if n.isdigit() else _NUMBERS[n]


def parse_thresholds(sections: Sections, source: str) -> list[Threshold]:
    """The thresholds a Markdown matrix states.

    Every bullet of the ``Readiness Thresholds`` section is one (``Apply only when ...`` or
    ``Name: ...``), and so is a ``Promotion Readiness: ...`` line in any other section.

    Args:
        sections: per normalised heading, its non-table lines with their line numbers.
        source: the file, named in errors.

    Returns:
        The thresholds, the section's first, in the order written.

    Raises:
        DefinitionError: a bullet that is not a threshold, a rule that cannot be read, or
            no threshold at all.
    """
    found = [_threshold_bullet(text, line, source) for line, text in sections.get(_READINESS, [])]
    for heading, lines in sections.items():
        if heading == _READINESS:
            continue
        for line, text in lines:
            m = re.match(r"promotion readiness\s*:\s*(.*)", text, re.IGNORECASE)
            if m:
                found.append(_named("Promotion", m.group(1), line, source, text))
    if not found:
        raise DefinitionError(
            "no readiness thresholds: add a '## Readiness Thresholds' section with a line such "
            "as '- Apply only when all Mandatory ≥4 and at least 3 optional ≥3'",
            source,
        )
    return found


def _threshold_bullet(text: str, line: int, source: str) -> Threshold:
    body = text.lstrip("-*+ ").strip()
    m = re.match(r"apply only (?:when|if)\s+(.*)", body, re.IGNORECASE)
    if m:
        return Threshold(
            "apply",
            "Ready to apply",
            "ReadyToApply",
            parse_conditions(m.group(1), line, source),
            body,
        )
    named = _name_and_rule(body)
    if named:
        return _named(*named, line, source, body)
    # A rule that cannot be read must not vanish silently: the verdicts would then ignore
    # a threshold the user wrote.
    raise DefinitionError(
        f"line {line}: cannot read the threshold {_quoted(body)}; write 'Apply only when ...' "
        "or 'Name: all Mandatory ≥4 and at least 3 optional ≥3'",
        source,
    )


def _name_and_rule(body: str) -> tuple[str, str] | None:
    """``Name readiness: rule`` or ``Name: rule`` split at the first colon; None if not so.

    Done by hand, not with one regular expression: the name's spaces, the spaces before
    ``readiness`` and those before the colon made three quantifiers over one run of
    spaces, cubic in the line's length (4,000 characters took 85 s).
    """
    head, colon, rule = body.partition(":")
    if not colon:
        return None
    name = head.rstrip()
    if name.endswith("readiness") and len(name) > len("readiness"):
        name = name.removesuffix("readiness").rstrip()
    if not _NAME.fullmatch(name):
        return None
    return name, rule.lstrip()


def _named(name: str, rule: str, line: int, source: str, text: str) -> Threshold:
    # Trailing prose ("indicating spikes") is allowed after the last level.
    rule = _without_trailing_prose(rule.strip())
    camel = "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", name))
    return Threshold(
        slugify(name),
        f"{name.strip().capitalize()} ready",
        f"{camel}Ready",
        parse_conditions(rule, line, source),
        text,
    )


def _without_trailing_prose(rule: str) -> str:
    """The rule up to its last digit when words follow it (``... at 5 indicating spikes``)."""
    end = len(rule)
    while end and not rule[end - 1].isdecimal():  # the last digit, found in one pass
        end -= 1
    if end and _PROSE.fullmatch(rule, end):
        return rule[:end]
    return rule


def _quoted(text: str, most: int = 80) -> str:
    """``text`` quoted for a message, cut short (with its length) when it is long."""
    if len(text) <= most:
        return repr(text)
    return f"{text[:most]!r}... ({len(text):,} characters)"
