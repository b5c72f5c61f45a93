"""The matrix as data: skills, rubric, thresholds, questions and references.

- :mod:`~matrix_xl.definition.model`: the frozen types (:class:`Definition` and its parts);
- :mod:`~matrix_xl.definition.check`: what makes a definition usable;
- :mod:`~matrix_xl.definition.toml`: the TOML format as text <-> plain data;
- :mod:`~matrix_xl.definition.markdown` and :mod:`~matrix_xl.definition.sentences`: a
  seed-style Markdown matrix and its readiness sentences;
- :mod:`~matrix_xl.definition.load`: files, text and plain data to a checked definition.

Every other step imports from this package, not from its modules.
"""

from matrix_xl.definition.check import check_definition
from matrix_xl.definition.load import (
    default_definition,
    definition_from_dict,
    definition_from_json,
    load_definition,
    parse_toml,
)
from matrix_xl.definition.markdown import parse_markdown
from matrix_xl.definition.model import (
    Condition,
    Count,
    Definition,
    Level,
    Reference,
    Scope,
    Skill,
    Threshold,
    in_scope,
    slugify,
)

__all__ = [
    "Condition",
    "Count",
    "Definition",
    "Level",
    "Reference",
    "Scope",
    "Skill",
    "Threshold",
    "check_definition",
    "default_definition",
    "definition_from_dict",
    "definition_from_json",
    "in_scope",
    "load_definition",
    "parse_markdown",
    "parse_toml",
    "slugify",
]
