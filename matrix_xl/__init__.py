"""matrix-xl: keep a competency matrix in a spreadsheet.

Generate the workbook, read filled workbooks back and validate them, judge readiness,
write the summary and history back, and roll a team up. The public API is re-exported
here and loaded on first use, so ``import matrix_xl`` (and the CLI's start-up) stays fast.

Example:
    >>> import matrix_xl
    >>> matrix_xl.default_definition().thresholds[0].name
    'Ready to apply'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Condition": "definition",
    "Definition": "definition",
    "DefinitionError": "errors",
    "Evaluation": "evaluation.result",
    "Finding": "findings",
    "ImprovementLogSchema": "validation.schemas",
    "InvalidDataError": "errors",
    "Level": "definition",
    "MatrixRead": "read.model",
    "MatrixXLError": "errors",
    "Priority": "rules",
    "RatingsSchema": "validation.schemas",
    "Reference": "definition",
    "RuleResult": "rules",
    "Skill": "definition",
    "Step": "rules",
    "TeamReport": "team.report",
    "Threshold": "definition",
    "UnreadableWorkbookError": "errors",
    "UnsafeWriteError": "errors",
    "UsageError": "errors",
    "Verdict": "rules",
    "WorkbookTooLargeError": "errors",
    "build_workbook": "generate.workbook",
    "default_definition": "definition",
    "evaluate": "evaluation.run",
    "evaluate_rules": "rules",
    "generate_roster": "generate.roster",
    "load_definition": "definition",
    "priorities": "rules",
    "read_workbook": "read.reader",
    "roll_up": "team.rollup",
    "steps_to": "rules",
    "summarise_workbook": "team.summarise",
    "validate": "validation.schemas",
    "write_team_workbook": "team.workbook",
    "write_workbook": "generate.workbook",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from matrix_xl.definition import (
        Condition,
        Definition,
        Level,
        Reference,
        Skill,
        Threshold,
        default_definition,
        load_definition,
    )
    from matrix_xl.errors import (
        DefinitionError,
        InvalidDataError,
        MatrixXLError,
        UnreadableWorkbookError,
        UnsafeWriteError,
        UsageError,
        WorkbookTooLargeError,
    )
    from matrix_xl.generate.workbook import build_workbook, write_workbook
    from matrix_xl.rules import (
        Priority,
        RuleResult,
        Step,
        Verdict,
        evaluate_rules,
        priorities,
        steps_to,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matrix_xl' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"matrix_xl.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
