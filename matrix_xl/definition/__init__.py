"""The matrix as data: skills, rubric, thresholds, questions and references.

``model`` holds the types; the rest turn files into a checked :class:`Definition`. Every
other step imports from this package, not from its modules.
"""

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
    check_definition,
    default_definition,
    definition_from_dict,
    in_scope,
    load_definition,
    parse_toml,
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
    "in_scope",
    "load_definition",
    "parse_markdown",
    "parse_toml",
    "slugify",
]
