"""Every validation rule, declared once, as data: what it checks, how bad, where, what it says.

A :class:`Rule` names its table (the ratings or the improvement log), its severity, the
cell its finding points at and the message a person reads. Its check is a plain function
over the table's rows as :class:`RatingRecord` / :class:`LogRecord` dicts (plain Python
values, ``None`` for a missing one). Two engines run these declarations and nothing else:
the pandera schemas (:mod:`matrix_xl.validation.schemas`, built from :data:`RULES`) and the
plain-Python screen (:mod:`matrix_xl.validation.screen`) that clears a team's valid
workbooks without importing pandas. No rule is written a second time anywhere.

Example:
    >>> rule = rule_named("rating_in_range")
    >>> row = {"rating": 7, "rating_min": 1, "rating_max": 5}
    >>> rule.check([row]), rule.message(row)
    ([False], 'rating 7 is not one of 1-5')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Literal, TypedDict, TypeVar, cast

from matrix_xl.findings import Finding

__all__ = [
    "LOG_RULES",
    "RATING_RULES",
    "RULES",
    "LogRecord",
    "RatingRecord",
    "Rule",
    "Severity",
    "Table",
    "each",
    "failures",
    "in_order",
    "rule_named",
    "rules_for",
]

Severity = Literal["error", "warning"]
Table = Literal["ratings", "log"]


class RatingRecord(TypedDict):
    """One skill row of the ratings table, with the rubric it is rated against."""

    workbook: str
    sheet: str
    skill_id: str
    skill: str
    mandatory: str
    rating: int | None
    rating_error: str | None  # why a non-blank cell is not a whole number
    notes: str
    rating_cell: str
    notes_cell: str
    mandatory_cell: str
    rating_min: int
    rating_max: int
    priority_max: int  # a mandatory skill rated at or below it needs a gap note


class LogRecord(TypedDict):
    """One entry of the improvement log, with the facts its rules compare it to."""

    workbook: str
    sheet: str
    date: date | None  # None: not a date
    date_text: str
    skill: str
    action: str
    known_skill: bool  # the skill names one of the matrix's skills
    date_cell: str
    skill_cell: str
    action_cell: str
    today: date  # entries may not be dated after it


R = TypeVar("R", RatingRecord, LogRecord)


@dataclass(frozen=True)
class Rule(Generic[R]):
    """One validation rule.

    Attributes:
        name: the rule's name; the pandera check carries it, and a failure is mapped back
            to the rule by it (never by pandera's own wording).
        severity: ``"error"`` (the workbook is not evaluated) or ``"warning"``.
        table: the table whose rows it checks.
        cell: the record key holding the cell its finding points at.
        check: the table's rows in, one flag per row out (``True``: the row passes).
        message: what the finding on a failing row says.
    """

    name: str
    severity: Severity
    table: Table
    cell: str
    check: Callable[[Sequence[R]], list[bool]]
    message: Callable[[R], str]


def each(passes: Callable[[R], bool]) -> Callable[[Sequence[R]], list[bool]]:
    """A table check from a check of one row (most rules look at one row only)."""

    def check(rows: Sequence[R]) -> list[bool]:
        return [passes(row) for row in rows]

    return check


def _blank(value: object) -> bool:
    return value is None or str(value).strip() == ""


# -- the ratings table ---------------------------------------------------------------------


def _readable(row: RatingRecord) -> bool:
    return row["rating_error"] is None


def _in_range(row: RatingRecord) -> bool:
    rating = row["rating"]
    return rating is None or row["rating_min"] <= rating <= row["rating_max"]


def _yes_or_no(row: RatingRecord) -> bool:
    return row["mandatory"] in ("Yes", "No")


def _listed_once(rows: Sequence[RatingRecord]) -> list[bool]:
    # Every row of a repeated skill fails, not only the second one.
    keys = [(row["workbook"], row["skill_id"]) for row in rows]
    if len(set(keys)) == len(keys):  # the usual case, answered without counting
        return [True] * len(keys)
    counts = Counter(keys)
    return [counts[key] == 1 for key in keys]


def _rated(row: RatingRecord) -> bool:
    return row["rating"] is not None or row["rating_error"] is not None


def _gap_noted(row: RatingRecord) -> bool:
    rating = row["rating"]
    gap = row["mandatory"] == "Yes" and rating is not None and rating <= row["priority_max"]
    return not (gap and _blank(row["notes"]))


_VAGUE = {"tbd", "todo", "tba", "n/a", "na", "none", "nothing", "-", "?", "...", "x", "idk"}


def _actionable(row: RatingRecord) -> bool:
    # A modest heuristic: some words, not a placeholder such as "?" or "TBD".
    note = "" if row["notes"] is None else str(row["notes"]).strip()
    if note == "":
        return True
    words = re.findall(r"[^\W\d_]{2,}", note)
    return bool(words) and note.casefold().rstrip(".!") not in _VAGUE


def _bounds(row: RatingRecord) -> str:
    return f"{row['rating_min']}-{row['rating_max']}"


RATING_RULES: tuple[Rule[RatingRecord], ...] = (
    Rule(
        "rating_readable",
        "error",
        "ratings",
        "rating_cell",
        each(_readable),
        lambda r: f"{r['rating_error']}; a rating is a whole number {_bounds(r)}",
    ),
    Rule(
        "rating_in_range",
        "error",
        "ratings",
        "rating_cell",
        each(_in_range),
        lambda r: f"rating {r['rating']} is not one of {_bounds(r)}",
    ),
    Rule(
        "mandatory_yes_no",
        "error",
        "ratings",
        "mandatory_cell",
        each(_yes_or_no),
        lambda r: f"Mandatory? is {r['mandatory']!r}; it must be Yes or No",
    ),
    Rule(
        "skill_listed_once",
        "error",
        "ratings",
        "rating_cell",
        _listed_once,
        lambda r: "skill listed twice",
    ),
    Rule(
        "rated",
        "warning",
        "ratings",
        "rating_cell",
        each(_rated),
        lambda r: "unrated: it counts as not meeting any threshold",
    ),
    Rule(
        "gap_noted",
        "warning",
        "ratings",
        "notes_cell",
        each(_gap_noted),
        lambda r: (
            f"mandatory skill rated {r['rating']} with no gap note: write one concrete "
            'action ("implement X", "read Y")'
        ),
    ),
    Rule(
        "note_actionable",
        "warning",
        "ratings",
        "notes_cell",
        each(_actionable),
        lambda r: f"gap note {r['notes']!r} is not an action: say what you will do",
    ),
)


# -- the improvement log -------------------------------------------------------------------


def _dated(row: LogRecord) -> bool:
    return row["date"] is not None


def _not_future(row: LogRecord) -> bool:
    when = row["date"]
    return when is None or when <= row["today"]


def _known(row: LogRecord) -> bool:
    return bool(row["known_skill"])


def _acted(row: LogRecord) -> bool:
    return not _blank(row["action"])


def _no_date(row: LogRecord) -> str:
    if row["date_text"]:
        return f"date {row['date_text']!r} is not a date (use YYYY-MM-DD)"
    return "the entry has no date"


def _future(row: LogRecord) -> str:
    return f"date {row['date']} is in the future"  # str(date) is its ISO form


def _unknown(row: LogRecord) -> str:
    if row["skill"]:
        return f"{row['skill']!r} is not a skill of the matrix"
    return "the entry names no skill"


LOG_RULES: tuple[Rule[LogRecord], ...] = (
    Rule("log_dated", "error", "log", "date_cell", each(_dated), _no_date),
    Rule("log_not_future", "error", "log", "date_cell", each(_not_future), _future),
    Rule("log_skill_known", "error", "log", "skill_cell", each(_known), _unknown),
    Rule(
        "log_action_taken",
        "error",
        "log",
        "action_cell",
        each(_acted),
        lambda r: "Action Taken is empty",
    ),
)

RULES: tuple[Rule[Any], ...] = (*RATING_RULES, *LOG_RULES)
"""Every rule, in the order their findings are listed where two point at one cell."""


def rules_for(table: Table, severity: Severity) -> tuple[Rule[Any], ...]:
    """The rules of one table and severity, in declaration order."""
    return tuple(r for r in RULES if r.table == table and r.severity == severity)


def rule_named(name: str) -> Rule[Any]:
    """The rule called ``name``.

    Raises:
        KeyError: no rule has that name.
    """
    for rule in RULES:
        if rule.name == name:
            return rule
    raise KeyError(name)


# -- findings ------------------------------------------------------------------------------


def failures(
    rule: Rule[R], rows: Sequence[R], failed: Iterable[bool] | None = None
) -> list[Finding]:
    """The findings of ``rule`` on ``rows``, in row order.

    Args:
        rule: the rule.
        rows: the table's records.
        failed: one flag per row saying it failed, when the check was run elsewhere (by
            pandera); by default the rule's own check is run here.

    Returns:
        One finding per failing row, pointing at the rule's cell.
    """
    flags = [not ok for ok in rule.check(rows)] if failed is None else list(failed)
    return [_finding(rule, row) for row, bad in zip(rows, flags, strict=True) if bad]


def _finding(rule: Rule[R], row: R) -> Finding:
    values = cast(Mapping[str, Any], row)
    return Finding(
        rule.severity,
        str(values["sheet"]),
        str(values[rule.cell]),
        str(values["skill"]),
        rule.message(row),
        str(values["workbook"]),
    )


_SEVERITY_ORDER = {"error": 0, "warning": 1}
_CELL = re.compile(r"([A-Z]+)(\d+)$")


def in_order(findings: Iterable[Finding]) -> list[Finding]:
    """Findings as a person reads them: errors first, then by sheet, row and column.

    The sort is stable: findings on one cell keep the order they were given in.
    """
    return sorted(findings, key=_order_key)


def _order_key(f: Finding) -> tuple[int, str, int, str]:
    m = _CELL.match(f.cell)
    row, column = (int(m.group(2)), m.group(1)) if m else (0, "")
    return (_SEVERITY_ORDER.get(f.severity, 2), f.sheet, row, column)
