"""Read a matrix definition from Markdown laid out like the seed competency matrix.

Recognised, by heading and column names (case and spacing ignored):

- the matrix table: ``Skill / Category | Mandatory? | Depth Expectation | Evidence Examples``
  (the rating and gap-notes columns may be present and are ignored);
- ``## Usage``: a numbered list;
- ``## Readiness Thresholds``: bullets such as ``Apply only when all Mandatory ≥4 and at least
  3 optional ≥3``, and anywhere a line ``Promotion Readiness: Majority Mandatory at 4, at least
  two at 5`` (the sentences are read by :mod:`matrix_xl.definition.sentences`);
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

from matrix_xl.definition.check import check_definition
from matrix_xl.definition.model import Definition, Level, Reference, Skill, slugify
from matrix_xl.definition.sentences import Sections, parse_thresholds
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


def _scan(text: str) -> tuple[list[_Table], Sections]:
    """Split the document into pipe tables and, per heading, its other lines."""
    tables: list[_Table] = []
    sections: Sections = {}
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


def _require(tables: list[_Table], columns: list[str], what: str, source: str) -> _Table:
    table = _find(tables, columns)
    if table is None:
        raise DefinitionError(
            f"no {what} table: expected a pipe table with the columns " + " | ".join(columns),
            source,
        )
    return table


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

    Args:
        text: the Markdown document.
        source: where it came from, named in errors and kept as ``Definition.source``.

    Returns:
        The checked definition.

    Raises:
        DefinitionError: a required table is missing or a row is malformed; the message
            names the file and the line.
    """
    tables, sections = _scan(text)
    # Read in this order so that, of several faults, the same one is always reported.
    skills = _skills(_require(tables, _MATRIX, "matrix", source), source)
    rubric = _rubric(_require(tables, _RUBRIC, "rubric", source), source)
    skills = _with_questions_and_references(skills, tables, source)
    usage, priority = _usage(sections.get("usage", []))
    thresholds = parse_thresholds(sections, source)
    definition = Definition(
        title=_title(text, sections),
        skills=tuple(skills),
        rubric=tuple(rubric),
        thresholds=tuple(thresholds),
        usage=usage,
        priority_at_or_below=priority,
        source=source,
    )
    check_definition(definition)
    return definition


def _title(text: str, sections: Sections) -> str:
    # The first "# " heading as written; without one, the first heading of any level.
    first = next((h for h in sections if h), "competency matrix")
    return next(
        (ln.strip().lstrip("#").strip() for ln in text.splitlines() if ln.startswith("# ")),
        first.title(),
    )


def _skills(matrix: _Table, source: str) -> list[Skill]:
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
        # Names that differ only in their parenthesised part share a slug: number them.
        sid = slugify(name)
        n = 2
        while sid in ids:
            sid, n = f"{slugify(name)}-{n}", n + 1
        ids.add(sid)
        skills.append(Skill(sid, name, flag == "yes", depth, evidence))
    return skills


def _rubric(table: _Table, source: str) -> list[Level]:
    rubric: list[Level] = []
    for line, cells in _rows(table, 3, source):
        if not re.fullmatch(r"[0-9]{1,2}", cells[0].strip()):
            raise DefinitionError(f"line {line}: rating {cells[0]!r} is not a number", source)
        rubric.append(Level(int(cells[0]), cells[1], cells[2]))
    return rubric


def _with_questions_and_references(
    skills: list[Skill], tables: list[_Table], source: str
) -> list[Skill]:
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
    return [
        replace(
            s, questions=tuple(questions.get(s.id, ())), references=tuple(references.get(s.id, ()))
        )
        for s in skills
    ]


def _usage(lines: list[tuple[int, str]]) -> tuple[tuple[str, ...], int]:
    """The numbered steps, and the priority level a step such as "rating ≤3" names."""
    usage = tuple(re.sub(r"^\d+[.)]\s*", "", ln) for _, ln in lines if re.match(r"^\d+[.)]\s", ln))
    priority = 3
    for _, ln in lines:
        m = re.search(r"rating\s*(?:≤|<=)\s*(\d)", ln, re.IGNORECASE)
        if m:
            priority = int(m.group(1))
    return usage, priority


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
