"""The error tree: the one drawn is the one defined and the one raised; each exit code named."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from matrix_xl import errors
from matrix_xl.cli import handle_errors
from matrix_xl.errors import (
    EXIT_BUG,
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    InternalError,
    MatrixXLError,
    UnsafeWriteError,
)

PACKAGE = Path(errors.__file__).resolve().parent
# Raised as themselves, they hide what failed: internal failures are InternalError.
NEVER_RAISED = {"MatrixXLError", "RuntimeError", "OSError", "IOError", "Exception"}


def _drawn_tree() -> dict[str, str | None]:
    """Class -> parent, from the box drawing in errors' docstring."""
    assert errors.__doc__
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in errors.__doc__.splitlines():
        m = re.match(r"^\s*((?:[│ ]   )*)(?:[├└]── )?([A-Z]\w*Error)\b", line)
        if m is None:
            continue
        depth = len(m.group(1)) // 4 + (1 if "──" in line else 0)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[m.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, m.group(2)))
    return parents


def _defined_tree() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, MatrixXLError):
            base = value.__bases__[0]
            out[name] = base.__name__ if base is not Exception else None
    return out


def _raised_names() -> set[str]:
    """Every exception class named in a ``raise`` anywhere in the package."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                found.add(ast.unparse(exc).rsplit(".", 1)[-1])
    return found


def test_the_tree_drawn_in_the_docstring_is_the_tree_defined() -> None:
    drawn = _drawn_tree()
    assert drawn == _defined_tree()
    assert drawn["MatrixXLError"] is None and len(drawn) > 3


def test_every_error_class_is_raised_and_the_root_never_directly() -> None:
    raised = _raised_names()
    never = sorted(
        name for name, parent in _defined_tree().items() if parent and name not in raised
    )
    assert not never, f"drawn and exported but never raised: {never}"
    assert not raised & NEVER_RAISED, sorted(raised & NEVER_RAISED)


def test_each_exit_code_is_distinct_and_every_class_has_one() -> None:
    assert (EXIT_OK, EXIT_INVALID, EXIT_FAILED, EXIT_BUG) == (0, 1, 2, 3)
    for name in _defined_tree():
        assert getattr(errors, name).exit_code in {EXIT_FAILED, EXIT_BUG}, name
    assert InternalError.exit_code == EXIT_BUG
    assert UnsafeWriteError("x").exit_code == EXIT_FAILED


def test_a_message_names_the_file_first() -> None:
    exc = UnsafeWriteError("the disk is full", Path("me.xlsx"))
    assert (str(exc), exc.message, exc.path) == (
        "me.xlsx: the disk is full",
        "the disk is full",
        "me.xlsx",
    )


# -- the CLI's handling ------------------------------------------------------------------------


def _run(
    exc: BaseException, monkeypatch: pytest.MonkeyPatch, debug: bool = False
) -> tuple[int, str]:
    import click

    if debug:
        monkeypatch.setenv("MATRIX_XL_DEBUG", "1")
    else:
        monkeypatch.delenv("MATRIX_XL_DEBUG", raising=False)

    @click.command()
    @handle_errors
    def command() -> None:
        raise exc

    result = CliRunner().invoke(command, [])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


def test_a_users_error_exits_2_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = _run(UnsafeWriteError("refused", "a.xlsx"), monkeypatch)
    assert (code, err) == (EXIT_FAILED, "matrix-xl: error: a.xlsx: refused\n")


@pytest.mark.parametrize("exc", [InternalError("xlsxwriter refused a rating"), KeyError("x")])
def test_a_bug_exits_3_in_one_line_that_says_so(
    exc: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, err = _run(exc, monkeypatch)
    assert code == EXIT_BUG
    assert err.count("\n") == 1 and "This is a bug in matrix-xl" in err, err
    assert ("xlsxwriter refused a rating" if isinstance(exc, InternalError) else "KeyError") in err
    with pytest.raises(type(exc)):
        _run(exc, monkeypatch, debug=True)


def test_an_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    code, err = _run(KeyboardInterrupt(), monkeypatch)
    assert code == 130 and "interrupted" in err
