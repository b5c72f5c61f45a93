"""matrix-xl: keep a competency matrix in a spreadsheet.

Generate the workbook, read filled workbooks back and validate them, judge readiness,
write the summary and history back, and roll a team up. The public API is re-exported
here and loaded on first use, so ``import matrix_xl`` (and the CLI's start-up) stays fast;
a type checker sees each name with its real type through the ``TYPE_CHECKING`` imports.

Example:
    >>> import matrix_xl
    >>> matrix_xl.default_definition().thresholds[0].name
    'Ready to apply'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Each public name -> the module (under matrix_xl) it is loaded from on first use. Keep it,
# __all__ and the TYPE_CHECKING imports below naming the same names: tests/test_api.py checks.
_EXPORTS = {
    "Condition": "definition",
    "Definition": "definition",
    "DefinitionError": "errors",
    "Evaluation": "evaluation.result",
    "Finding": "findings",
    "ImprovementLogSchema": "validation.schemas",
    "InternalError": "errors",
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
    "TeamRun": "team.workflow",
    "Threshold": "definition",
    "TooComplex": "rules",
    "UnreadableWorkbookError": "errors",
    "UnsafeWriteError": "errors",
    "UsageError": "errors",
    "Validation": "validation.run",
    "Verdict": "rules",
    "WorkbookTooLargeError": "errors",
    "build_workbook": "generate.workbook",
    "check_workbook": "validation.run",
    "default_definition": "definition",
    "default_workbook_name": "generate.names",
    "evaluate": "evaluation.run",
    "evaluate_rules": "rules",
    "generate_roster": "generate.roster",
    "load_definition": "definition",
    "priorities": "rules",
    "read_workbook": "read.reader",
    "roll_up": "team.rollup",
    "steps_to": "rules",
    "summarise_workbook": "team.summarise",
    "team_roll_up": "team.workflow",
    "validate": "validation.schemas",
    "write_team_workbook": "team.workbook",
    "write_workbook": "generate.workbook",
}

__all__ = [
    "Condition",
    "Definition",
    "DefinitionError",
    "Evaluation",
    "Finding",
    "ImprovementLogSchema",
    "InternalError",
    "Level",
    "MatrixRead",
    "MatrixXLError",
    "Priority",
    "RatingsSchema",
    "Reference",
    "RuleResult",
    "Skill",
    "Step",
    "TeamReport",
    "TeamRun",
    "Threshold",
    "TooComplex",
    "UnreadableWorkbookError",
    "UnsafeWriteError",
    "UsageError",
    "Validation",
    "Verdict",
    "WorkbookTooLargeError",
    "build_workbook",
    "check_workbook",
    "default_definition",
    "default_workbook_name",
    "evaluate",
    "evaluate_rules",
    "generate_roster",
    "load_definition",
    "priorities",
    "read_workbook",
    "roll_up",
    "steps_to",
    "summarise_workbook",
    "team_roll_up",
    "validate",
    "write_team_workbook",
    "write_workbook",
]

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
        InternalError,
        MatrixXLError,
        UnreadableWorkbookError,
        UnsafeWriteError,
        UsageError,
        WorkbookTooLargeError,
    )
    from matrix_xl.evaluation.result import Evaluation
    from matrix_xl.evaluation.run import evaluate
    from matrix_xl.findings import Finding
    from matrix_xl.generate.names import default_workbook_name
    from matrix_xl.generate.roster import generate_roster
    from matrix_xl.generate.workbook import build_workbook, write_workbook
    from matrix_xl.read.model import MatrixRead
    from matrix_xl.read.reader import read_workbook
    from matrix_xl.rules import (
        Priority,
        RuleResult,
        Step,
        TooComplex,
        Verdict,
        evaluate_rules,
        priorities,
        steps_to,
    )
    from matrix_xl.team.report import TeamReport
    from matrix_xl.team.rollup import roll_up
    from matrix_xl.team.summarise import summarise_workbook
    from matrix_xl.team.workbook import write_team_workbook
    from matrix_xl.team.workflow import TeamRun, team_roll_up
    from matrix_xl.validation.run import Validation, check_workbook
    from matrix_xl.validation.schemas import ImprovementLogSchema, RatingsSchema, validate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matrix_xl' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"matrix_xl.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
