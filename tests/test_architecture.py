"""The shape of the package: layers without cycles, short functions, imports at the top.

These walk the whole package, whatever its modules are, so a module added or moved is
checked without touching this file.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import matrix_xl

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(matrix_xl.__file__).resolve().parent
MAX_LINES = 60

# Imported inside functions so that `import matrix_xl` and `matrix-xl --help` stay fast: each
# costs 50-500 ms to import (and multiprocessing/concurrent.futures only the team roll-up needs).
HEAVY = {
    "pandas",
    "pandera",
    "openpyxl",
    "xlsxwriter",
    "python_calamine",
    "rich",
    "multiprocessing",
    "concurrent",
}

# Project modules that import pandas/pandera at their top: importing one inside a function
# keeps a path that never needs them (a team whose workbooks all pass the screen) fast.
HEAVY_PROJECT_MODULES = {"matrix_xl.validation.schemas"}
# The CLI imports each command's library code inside the command, so that `matrix-xl --help`
# loads none of it (a test in tests/test_cli.py holds --help fast).
LAZY_BY_DESIGN = {"cli.py"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _functions(
    node: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method, nested ones too, by qualified name (``Class.method``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + child.name, child
            yield from _functions(child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")


def _inner_imports(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    for node in ast.walk(func):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def test_the_layers_hold_and_no_package_has_an_import_cycle() -> None:
    # The contracts are in pyproject.toml ([tool.importlinter]); imports inside functions
    # and under TYPE_CHECKING count. Run from the source tree, so this checkout is linted.
    run = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    result = subprocess.run(
        [sys.executable, "-c", run, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[result.stdout.find("Contracts") :] + result.stderr
    assert "0 broken" in result.stdout


def test_no_function_is_longer_than_a_screen() -> None:
    too_long: list[str] = []
    for module, tree in _modules():
        for name, func in _functions(tree):
            lines = (func.end_lineno or func.lineno) - func.lineno + 1
            if lines > MAX_LINES:
                too_long.append(f"{module} {name}: {lines} lines (at most {MAX_LINES})")
    assert not too_long, "\n".join(too_long)


def test_imports_inside_functions_are_only_of_heavy_libraries() -> None:
    wrong: list[str] = []
    for module, tree in _modules():
        for name, func in _functions(tree):
            for imported in _inner_imports(func):
                if imported.split(".")[0] in HEAVY or imported in HEAVY_PROJECT_MODULES:
                    continue
                if module in LAZY_BY_DESIGN and imported.startswith("matrix_xl"):
                    continue
                wrong.append(f"{module} {name}: import {imported} (import it at the top)")
    assert not wrong, "\n".join(wrong)


def test_the_checks_above_see_functions_methods_and_inner_imports() -> None:
    tree = ast.parse(
        "class A:\n    def m(self):\n        def inner():\n            import json\n"
        "def f():\n    from . import x\n    import pandas\n"
    )
    names = {name: func for name, func in _functions(tree)}
    assert set(names) == {"A.m", "A.m.inner", "f"}
    assert list(_inner_imports(names["A.m"])) == ["json"]
    assert list(_inner_imports(names["f"])) == [".", "pandas"]
