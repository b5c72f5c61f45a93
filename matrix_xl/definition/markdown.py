"""Read a matrix definition from Markdown laid out like the seed competency matrix.

Recognised, by heading and column names (case and spacing ignored):

- the matrix table: ``Skill / Category | Mandatory? | Depth Expectation | Evidence Examples``
  (the rating and gap-notes columns may be present and are ignored);
- ``## Usage``: a numbered list;
- ``## Readiness Thresholds``: bullets such as ``Apply only when all Mandatory ≥4 and at least
  3 optional ≥3``, and anywhere a line ``Promotion Readiness: Majority Mandatory at 4, at least
  two at 5``;
- ``## Rubric Guidelines``: ``Rating | Definition | Evidence Examples``;
- ``## Sample Question Mapping``: ``Skill | Sample Interview Questions``;
- ``## Reading References Per Skill``: ``Skill | Primary File Section | External Anchor``.

Short skill names in the last two tables ("Feature Eng", "Debugging") are matched to the
matrix's skills by word prefix; a name that matches several skills ("Python") applies to
each of them. A name that matches none is an error naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from matrix_xl.definition.model import (
    Condition,
    Count,
    Definition,
    Level,
    Reference,
    Scope,
    Skill,
    Threshold,
    check_definition,
    slugify,
)
from matrix_xl.errors import DefinitionError

__all__ = ["parse_markdown"]


@dataclass
class _Table:
    heading: str
    line: int  # 1-based line of the header row
    header: list[str]
    rows: list[tuple[int, list[str]]]


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def _scan(text: str) -> tuple[list[_Table], dict[str, list[tuple[int, str]]]]:
    """Split the document into pipe tables and, per heading, its other lines."""
    tables: list[_Table] = []
    sections: dict[str, list[tuple[int, str]]] = {}
    heading = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("#"):
            heading = _norm(stripped.lstrip("#"))
            sections.setdefault(heading, [])
        elif (
            stripped.startswith("|")
            and i + 1 < len(lines)
            and re.fullmatch(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?", lines[i + 1].strip())
        ):
            table = _Table(heading, i + 1, _cells(line), [])
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                table.rows.append((i + 1, _cells(lines[i])))
                i += 1
            tables.append(table)
            continue
        elif stripped:
            sections.setdefault(heading, []).append((i + 1, stripped))
        i += 1
    return tables, sections


def _find(tables: list[_Table], columns: list[str]) -> _Table | None:
    want = [_norm(c) for c in columns]
    for t in tables:
        if [_norm(h) for h in t.header[: len(want)]] == want:
            return t
    return None


def _rows(t: _Table, width: int, source: str) -> list[tuple[int, list[str]]]:
    out = []
    for line, cells in t.rows:
        if not any(cells):
            continue
        if len(cells) < width:
            raise DefinitionError(
                f"line {line}: the {t.header[0]!r} table row has {len(cells)} cells, "
                f"expected {width}",
                source,
            )
        out.append((line, [c.replace("\\|", "|") for c in cells]))
    return out


_MATRIX = ["Skill / Category", "Mandatory?", "Depth Expectation", "Evidence Examples"]
_RUBRIC = ["Rating", "Definition", "Evidence Examples"]
_QUESTIONS = ["Skill", "Sample Interview Questions"]
_REFERENCES = ["Skill", "Primary File Section", "External Anchor"]


def parse_markdown(text: str, source: str = "<markdown>") -> Definition:
    """Parse a seed-style Markdown matrix into a :class:`Definition`.

    Raises:
        DefinitionError: a required table is missing or a row is malformed; the message
            names the file and the line.
    """
    tables, sections = _scan(text)
    title = next((h for h in sections if h), "competency matrix")
    title_line = next(
        (ln.strip().lstrip("#").strip() for ln in text.splitlines() if ln.startswith("# ")),
        title.title(),
    )

    matrix = _find(tables, _MATRIX)
    if matrix is None:
        raise DefinitionError(
            "no matrix table: expected a pipe table with the columns " + " | ".join(_MATRIX),
            source,
        )
    skills: list[Skill] = []
    ids: set[str] = set()
    for line, cells in _rows(matrix, 4, source):
        name, mandatory, depth, evidence = cells[:4]
        flag = _norm(mandatory)
        if flag not in ("yes", "no"):
            raise DefinitionError(
                f"line {line}: Mandatory? must be Yes or No, got {mandatory!r}", source
            )
        if not name:
            raise DefinitionError(f"line {line}: the skill name is empty", source)
        sid = slugify(name)
        n = 2
        while sid in ids:
            sid, n = f"{slugify(name)}-{n}", n + 1
        ids.add(sid)
        skills.append(Skill(sid, name, flag == "yes", depth, evidence))

    rubric_table = _find(tables, _RUBRIC)
    if rubric_table is None:
        raise DefinitionError(
            "no rubric table: expected a pipe table with the columns " + " | ".join(_RUBRIC),
            source,
        )
    rubric: list[Level] = []
    for line, cells in _rows(rubric_table, 3, source):
        if not re.fullmatch(r"[0-9]{1,2}", cells[0].strip()):
            raise DefinitionError(f"line {line}: rating {cells[0]!r} is not a number", source)
        rubric.append(Level(int(cells[0]), cells[1], cells[2]))

    questions: dict[str, list[str]] = {}
    table = _find(tables, _QUESTIONS)
    for line, cells in _rows(table, 2, source) if table else []:
        for s in _match_skills(cells[0], skills, line, source):
            questions.setdefault(s.id, []).append(cells[1])
    references: dict[str, list[Reference]] = {}
    table = _find(tables, _REFERENCES)
    for line, cells in _rows(table, 3, source) if table else []:
        for s in _match_skills(cells[0], skills, line, source):
            references.setdefault(s.id, []).append(Reference(cells[1], cells[2]))
    skills = [
        replace(
            s, questions=tuple(questions.get(s.id, ())), references=tuple(references.get(s.id, ()))
        )
        for s in skills
    ]

    usage_lines = sections.get("usage", [])
    usage = tuple(
        re.sub(r"^\d+[.)]\s*", "", ln) for _, ln in usage_lines if re.match(r"^\d+[.)]\s", ln)
    )
    priority = 3
    for _, ln in usage_lines:
        m = re.search(r"rating\s*(?:≤|<=)\s*(\d)", ln, re.IGNORECASE)
        if m:
            priority = int(m.group(1))

    thresholds = _thresholds(sections, source)
    definition = Definition(
        title=title_line,
        skills=tuple(skills),
        rubric=tuple(rubric),
        thresholds=tuple(thresholds),
        usage=usage,
        priority_at_or_below=priority,
        source=source,
    )
    check_definition(definition)
    return definition


def _match_skills(label: str, skills: list[Skill], line: int, source: str) -> list[Skill]:
    """The skills a short label such as "Feature Eng" or "Python" stands for."""
    want = _norm(label)
    words = want.split()

    def base(s: Skill) -> str:
        return _norm(re.sub(r"\(.*?\)", "", s.name))

    tests: list[Callable[[Skill], bool]] = [
        lambda s: _norm(s.name) == want or base(s) == want,
        # every word of the label starts the matching word of the name: "Feature Eng"
        lambda s: (
            len(base(s).split()) >= len(words)
            and all(n.startswith(w) for w, n in zip(words, base(s).split(), strict=False))
        ),
        # the label's words appear in order inside the name: "Debugging"
        lambda s: f" {want} " in f" {base(s)} ",
    ]
    for test in tests:
        found = [s for s in skills if test(s)]
        if found:
            return found
    raise DefinitionError(f"line {line}: {label!r} does not name a skill of the matrix", source)


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


def _conditions(text: str, line: int, source: str) -> tuple[Condition, ...]:
    conditions: list[Condition] = []
    scope: Scope = "any"
    for raw in re.split(r",|;|\band\b", text.rstrip(".")):
        clause = raw.strip()
        if not clause:
            continue
        m = _CLAUSE.match(clause)
        if not m:
            raise DefinitionError(
                f"line {line}: cannot read the rule {clause!r}; write it like "
                "'all Mandatory ≥4 and at least 3 optional ≥3'",
                source,
            )
        if m.group("scope"):
            scope = m.group("scope").lower()  # type: ignore[assignment]
        count: Count
        if m.group("all"):
            count = "all"
        elif m.group("majority"):
            count = "majority"
        else:
            n = m.group("n").lower()
            count = int(n) if n.isdigit() else _NUMBERS[n]
        conditions.append(Condition(scope, int(m.group("level")), count))
    return tuple(conditions)


def _thresholds(sections: dict[str, list[tuple[int, str]]], source: str) -> list[Threshold]:
    found: list[Threshold] = []
    for line, text in sections.get("readiness thresholds", []):
        body = text.lstrip("-*+ ").strip()
        m = re.match(r"apply only (?:when|if)\s+(.*)", body, re.IGNORECASE)
        if m:
            found.append(
                Threshold(
                    "apply",
                    "Ready to apply",
                    "ReadyToApply",
                    _conditions(m.group(1), line, source),
                    body,
                )
            )
            continue
        m = re.match(r"([A-Za-z][\w ]*?)\s*(?:readiness)?\s*:\s*(.*)", body)
        if m:
            name = m.group(1).strip()
            found.append(_named(name, m.group(2), line, source, body))
            continue
        raise DefinitionError(
            f"line {line}: cannot read the threshold {body!r}; write 'Apply only when ...' "
            "or 'Name: all Mandatory ≥4 and at least 3 optional ≥3'",
            source,
        )
    for heading, lines in sections.items():
        if heading == "readiness thresholds":
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


def _named(name: str, rule: str, line: int, source: str, text: str) -> Threshold:
    # Trailing prose ("indicating spikes") is allowed after the last level.
    rule = re.sub(r"(\d)\s+[a-z][a-z ]*\.?$", r"\1", rule.strip(), flags=re.IGNORECASE)
    camel = "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", name))
    return Threshold(
        slugify(name),
        f"{name.strip().capitalize()} ready",
        f"{camel}Ready",
        _conditions(rule, line, source),
        text,
    )
