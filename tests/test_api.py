"""The public API: ``__all__`` honest, every name loaded lazily, and typed for a strict consumer."""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import matrix_xl

ROOT = Path(__file__).resolve().parents[1]
INIT = ROOT / "matrix_xl" / "__init__.py"
HEAVY = ("pandas", "pandera", "openpyxl", "xlsxwriter", "python_calamine", "rich")
# The lazy map is private, but no public name offers it: it is what the tests hold honest.
EXPORTS: dict[str, str] = matrix_xl._EXPORTS


def _init_tree() -> ast.Module:
    return ast.parse(INIT.read_text(encoding="utf-8"))


def _type_checking_imports() -> dict[str, str]:
    """Name -> module of each import in ``__init__``'s ``if TYPE_CHECKING:`` block."""
    found: dict[str, str] = {}
    for node in _init_tree().body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.module, ast.unparse(stmt)
                for alias in stmt.names:
                    found[alias.asname or alias.name] = stmt.module
    return found


def test_all_is_a_sorted_literal_naming_exactly_the_lazy_exports() -> None:
    [node] = [
        n
        for n in _init_tree().body
        if isinstance(n, ast.Assign) and [ast.unparse(t) for t in n.targets] == ["__all__"]
    ]
    assert isinstance(node.value, ast.List), "__all__ must be a literal list, for tools to read"
    names = ast.literal_eval(node.value)
    assert names == sorted(names), "keep __all__ sorted"
    assert names == matrix_xl.__all__
    assert set(names) - set(EXPORTS) == set(), "in __all__, not in _EXPORTS"
    assert set(EXPORTS) - set(names) == set(), "in _EXPORTS, not in __all__"


def test_a_type_checker_sees_every_export_from_where_it_is_loaded() -> None:
    seen = _type_checking_imports()
    missing = sorted(set(matrix_xl.__all__) - set(seen))
    assert not missing, f"not imported under TYPE_CHECKING (mypy would see Any): {missing}"
    extra = sorted(set(seen) - set(matrix_xl.__all__))
    assert not extra, f"imported under TYPE_CHECKING but not exported: {extra}"
    for name, module in seen.items():
        assert module == f"matrix_xl.{EXPORTS[name]}", (
            f"{name}: TYPE_CHECKING imports it from {module}, at run time it is loaded "
            f"from matrix_xl.{EXPORTS[name]}"
        )


def test_every_export_resolves_to_what_its_module_defines() -> None:
    for name in matrix_xl.__all__:
        module = importlib.import_module(f"matrix_xl.{EXPORTS[name]}")
        assert hasattr(module, name), f"{name} is not in matrix_xl.{EXPORTS[name]} (moved?)"
        assert getattr(matrix_xl, name) is getattr(module, name), name
    assert set(matrix_xl.__all__) <= set(dir(matrix_xl))


def test_importing_the_package_loads_no_heavy_library() -> None:
    code = (
        "import sys, matrix_xl; dir(matrix_xl)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = _python(code)
    assert out.stdout.strip() == "[]", out.stdout


def test_no_export_is_shadowed_by_a_module_of_the_same_name() -> None:
    children = {m.name for m in pkgutil.iter_modules(matrix_xl.__path__)}
    clash = sorted(set(matrix_xl.__all__) & children)
    assert not clash, f"importing matrix_xl.<name> would replace these exports: {clash}"
    # In a fresh interpreter: import every module of the package first, then every export.
    code = textwrap.dedent(
        """
        import importlib, pkgutil, types
        import matrix_xl
        for m in pkgutil.walk_packages(matrix_xl.__path__, "matrix_xl."):
            if m.name != "matrix_xl.__main__":  # it runs the CLI
                importlib.import_module(m.name)
        import matrix_xl.evaluation.run
        from matrix_xl import evaluate
        assert callable(evaluate) and not isinstance(evaluate, types.ModuleType)
        print([n for n in matrix_xl.__all__
               if isinstance(getattr(matrix_xl, n), types.ModuleType)])
        """
    )
    out = _python(code)
    assert out.stdout.strip() == "[]", out.stdout


# -- a strict consumer --------------------------------------------------------------------------

# Uses every export the way a consumer would; mypy --strict must accept it. When an export is
# added, add a use of it here (test_the_consumer_uses_every_export says so).
CONSUMER = """\
from __future__ import annotations

from datetime import date
from pathlib import Path

import matrix_xl
from matrix_xl import (
    Condition,
    Definition,
    DefinitionError,
    Evaluation,
    Finding,
    ImprovementLogSchema,
    InternalError,
    Level,
    MatrixRead,
    MatrixXLError,
    Priority,
    RatingsSchema,
    Reference,
    RuleResult,
    Skill,
    Step,
    TeamReport,
    TeamRun,
    Threshold,
    TooComplex,
    UnreadableWorkbookError,
    UnsafeWriteError,
    UsageError,
    Validation,
    Verdict,
    WorkbookTooLargeError,
    build_workbook,
    check_workbook,
    default_definition,
    default_workbook_name,
    evaluate,
    evaluate_rules,
    generate_roster,
    load_definition,
    priorities,
    read_workbook,
    roll_up,
    steps_to,
    summarise_workbook,
    team_roll_up,
    validate,
    write_team_workbook,
    write_workbook,
)


def use(folder: Path) -> list[str]:
    notes: list[str] = []
    definition: Definition = default_definition()
    same: Definition = load_definition(None)
    skill: Skill = definition.skills[0]
    threshold: Threshold = definition.thresholds[0]
    condition: Condition = threshold.conditions[0]
    level: Level = definition.rubric[0]
    references: tuple[Reference, ...] = skill.references
    data: bytes = build_workbook(definition, owner="Ada", ratings={skill.id: 4})
    path: Path = write_workbook(folder / "ada.xlsx", definition, force=True)
    copies: list[Path] = generate_roster(folder / "team.csv", folder / "out", definition)
    read: MatrixRead = read_workbook(data, name="ada.xlsx")
    findings: list[Finding] = validate(read, today=date(2026, 1, 1))
    result: Evaluation = evaluate(path, dry_run=True, as_of=date(2026, 1, 1))
    ratings = read.rating_map()
    verdicts: tuple[Verdict, ...] = evaluate_rules(definition, ratings)
    rules: tuple[RuleResult, ...] = verdicts[0].rules
    steps: tuple[Step, ...] | TooComplex | None = steps_to(definition, ratings, threshold)
    unplanned: TooComplex | None = verdicts[0].too_complex
    notes += [str(unplanned)] if isinstance(steps, TooComplex) else []
    wanted: list[Priority] = priorities(definition, ratings)
    team: TeamReport = roll_up([folder], workers=1)
    person = summarise_workbook(data, "ada.xlsx")
    written: Path = write_team_workbook(team, folder / "team.xlsx", force=True)
    schemas = (RatingsSchema.validate, ImprovementLogSchema.validate)
    checked: Validation = check_workbook(path)
    name: str = default_workbook_name("Ada")
    run: TeamRun = team_roll_up([folder], folder / "team2.xlsx", force=True)
    notes += [str(checked.valid), name, str(run.exit_code)]
    try:
        load_definition(folder / "missing.toml")
    except (DefinitionError, UnreadableWorkbookError, WorkbookTooLargeError) as exc:
        notes.append(exc.message)
    except (UnsafeWriteError, UsageError, InternalError) as exc:
        notes.append(exc.message)
    except MatrixXLError as exc:
        notes.append(exc.message)
    notes += [same.title, condition.scope, str(level.rating), str(len(references))]
    notes += [str(len(copies)), str(len(findings)), str(result.valid), str(len(rules))]
    notes += [str(steps), str(len(wanted)), str(person), str(written), str(schemas)]
    notes.append(matrix_xl.__version__)
    return notes
"""

# Each line must be a mypy error: were a name typed Any, the assignment would pass.
WRONG_USES = (
    "x: int = matrix_xl.read_workbook",
    "y: str = matrix_xl.default_definition().skills",
    "z: int = matrix_xl.build_workbook(owner=3)",
)


def _wrong_consumer() -> tuple[str, dict[int, str]]:
    """A module assigning each export to a type it cannot be; line number -> what is used."""
    lines = ["from __future__ import annotations", "import matrix_xl", "", "class Nothing: ..."]
    expected: dict[int, str] = {}
    for i, name in enumerate(matrix_xl.__all__):
        lines.append(f"bad_{i}: Nothing = matrix_xl.{name}")
        expected[len(lines)] = name
    for use in WRONG_USES:
        lines.append(use)
        expected[len(lines)] = use
    return "\n".join(lines) + "\n", expected


def test_the_consumer_uses_every_export() -> None:
    imported = re.search(r"from matrix_xl import \((.*?)\)", CONSUMER, re.S)
    assert imported is not None
    names = [n.strip() for n in imported.group(1).split(",") if n.strip()]
    assert names == matrix_xl.__all__, "import (and use) every export in CONSUMER"
    body = CONSUMER[imported.end() :]
    unused = [n for n in names if not re.search(rf"\b{n}\b", body)]
    assert not unused, f"CONSUMER imports but never uses: {unused}"


def test_a_strict_consumer_sees_the_real_types(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text(CONSUMER, encoding="utf-8")
    wrong_text, expected = _wrong_consumer()
    wrong = tmp_path / "wrong.py"
    wrong.write_text(wrong_text, encoding="utf-8")
    config = tmp_path / "mypy.ini"
    # A consumer's view: strict for its own code, matrix-xl's own modules followed for their
    # types but not reported on (as for an installed package).
    config.write_text(
        f"[mypy]\nstrict = True\nmypy_path = {ROOT}\n\n"
        "[mypy-matrix_xl.*]\nfollow_imports = silent\n",
        encoding="utf-8",
    )
    cache = Path(tempfile.gettempdir()) / "matrix-xl-test-mypy-cache"
    command = [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir"]
    result = subprocess.run(
        [*command, str(cache), "--no-error-summary", "--hide-error-context", str(good), str(wrong)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stderr == "", result.stderr
    # mypy names the files relative to its working folder: match on the file name.
    errors = re.findall(r"^(?:.*/)?(good|wrong)\.py:(\d+): error: (.*)$", result.stdout, re.M)
    in_good = [f"line {line}: {what}" for file, line, what in errors if file == "good"]
    assert not in_good, "mypy --strict rejects a correct use:\n" + "\n".join(in_good)
    flagged = {int(line) for file, line, _ in errors if file == "wrong"}
    passed = [what for line, what in expected.items() if line not in flagged]
    assert not passed, f"mypy takes these as Any (a wrong use passed): {passed}\n{result.stdout}"


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
