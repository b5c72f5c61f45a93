"""The ``matrix-xl`` command line: parse options, call one library function, format, exit.

Exit codes (named in :mod:`matrix_xl.errors`, also in the README):

    0  EXIT_OK       done (evaluate: ready or not; validate: no errors, warnings allowed)
    1  EXIT_INVALID  the workbook has validation errors (nothing was written)
    2  EXIT_FAILED   could not do it: an unreadable file, a bad definition, bad arguments,
                     or a write that was refused or failed
    3  EXIT_BUG      a bug in matrix-xl (an InternalError or any unexpected exception):
                     one line says so; MATRIX_XL_DEBUG=1 shows the traceback

Heavy libraries (pandas, pandera, openpyxl) are imported inside the commands that need
them, so ``matrix-xl --help`` starts fast.
"""

from __future__ import annotations

import functools
import json
import os
import shlex
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from matrix_xl import __version__
from matrix_xl.errors import EXIT_BUG, EXIT_INVALID, InternalError, MatrixXLError
from matrix_xl.render import json_printable, printable

F = TypeVar("F", bound=Callable[..., Any])

# The kind of a fatal error in --format json for what is not a MatrixXLError (each of
# those names its own, see matrix_xl.errors).
INTERRUPTED = "interrupted"
NOTHING_USABLE = "nothing-usable"  # team: no file could be used, nothing was written


def _err(message: str) -> None:
    click.echo(f"matrix-xl: {printable(message)}", err=True)


def _echo_json(text: str, nl: bool = True) -> None:
    """JSON on stdout, with what a terminal would obey escaped (see json_printable)."""
    click.echo(json_printable(text), nl=nl)


def _dumps(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def error_json(kind: str, message: str, workbook: object = None) -> dict[str, Any]:
    """What ``--format json`` prints on stdout for a fatal error.

    ``{"workbook": ..., "valid": false, "error": {...}}`` for a command about one
    workbook (validate, evaluate), ``{"error": {"kind": ..., "message": ...}}`` otherwise.
    """
    error = {"kind": kind, "message": message}
    if workbook is None:
        return {"error": error}
    return {"workbook": str(workbook), "valid": False, "error": error}


def _fatal_json(kwargs: dict[str, Any], kind: str, message: str) -> None:
    # A command given --format json keeps stdout parseable on a fatal error, too.
    if kwargs.get("fmt") == "json":
        _echo_json(_dumps(error_json(kind, message, kwargs.get("path"))))


def handle_errors(func: F) -> F:
    """Turn errors into one line on stderr and their exit code; never a traceback.

    A :class:`MatrixXLError` exits with its class's code (``EXIT_FAILED``, or
    ``EXIT_INVALID``); an :class:`InternalError` or any other exception is a bug and
    exits ``EXIT_BUG``, re-raised for its traceback when ``MATRIX_XL_DEBUG`` is set.
    A command run with ``--format json`` also prints the error as JSON on stdout
    (:func:`error_json`), its kind from the error's class.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InternalError as exc:
            _fatal_json(kwargs, exc.kind, _bug_message(str(exc)))
            _bug(str(exc))
            raise  # only reached with MATRIX_XL_DEBUG set
        except MatrixXLError as exc:
            _fatal_json(kwargs, exc.kind, str(exc))
            _err(f"error: {exc}")
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            message = "interrupted; files being written were left as they were"
            _fatal_json(kwargs, INTERRUPTED, message)
            _err(message)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: say so plainly, still no traceback
            what = f"{type(exc).__name__}: {exc}"
            _fatal_json(kwargs, InternalError.kind, _bug_message(what))
            _bug(what)
            raise  # only reached with MATRIX_XL_DEBUG set

    return wrapper  # type: ignore[return-value]


def _bug_message(what: str) -> str:
    return (
        f"internal error ({what}). This is a bug in matrix-xl {__version__}; "
        "set MATRIX_XL_DEBUG=1 for details and report it."
    )


def _bug(what: str) -> None:
    """Report a bug in one line and exit ``EXIT_BUG``; return only when MATRIX_XL_DEBUG is set."""
    _err(_bug_message(what))
    if not os.environ.get("MATRIX_XL_DEBUG"):
        sys.exit(EXIT_BUG)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def definition_option(func: F) -> F:
    """``--definition FILE``: a matrix in TOML or seed-style Markdown."""
    return click.option(
        "--definition",
        "definition_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Matrix definition (.toml, or .md laid out like the seed). Default: built-in.",
    )(func)


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="matrix-xl")
def cli() -> None:
    """Keep a competency matrix in a spreadsheet.

    Make a workbook with `new`, fill in your ratings in Excel or LibreOffice, then run
    `evaluate` every week. Managers roll a team up with `team`.
    """


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: <owner>.xlsx or competency.xlsx).",
)
@click.option("--owner", default="", help="Whose matrix this is.")
@click.option("--role", default="", help="The role or promotion it measures against.")
@definition_option
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with one person per row (owner and role columns): one workbook each.",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for --roster workbooks.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@handle_errors
def new(
    output: Path | None,
    owner: str,
    role: str,
    definition_path: Path | None,
    roster: Path | None,
    out_dir: Path | None,
    force: bool,
) -> None:
    """Create a competency workbook (or one per person of a --roster)."""
    from matrix_xl.definition import load_definition
    from matrix_xl.errors import UsageError

    definition = load_definition(definition_path)
    if roster is not None:
        if output is not None or owner or role:
            raise UsageError(
                "--roster takes owners and roles from the CSV: drop -o, --owner and --role"
            )
        from matrix_xl.generate.roster import generate_roster

        written = generate_roster(roster, out_dir or Path("."), definition, force=force)
        click.echo(printable(f"Wrote {len(written)} workbook(s) to {out_dir or Path('.')}"))
        return
    if out_dir is not None:
        raise UsageError("--out-dir goes with --roster; use -o for one workbook")
    from matrix_xl.generate.workbook import write_workbook

    path = write_workbook(output, definition, force=force, owner=owner, role=role)
    # The next command on a line of its own, the path quoted for a shell: paste and run.
    click.echo(
        printable(f"Wrote {path}: {len(definition.skills)} skills. Fill in Self-Rating, then run:")
    )
    click.echo(printable(f"  matrix-xl evaluate {shlex.quote(str(path))}"))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@format_option("text", "json")
@handle_errors
def validate(path: Path, fmt: str) -> None:
    """Check a filled workbook and list every problem by sheet and cell."""
    from matrix_xl.validation.run import check_workbook  # pandas, pandera: not for --help

    result = check_workbook(path)
    if fmt == "json":
        _echo_json(_dumps(result.to_dict()))
    else:
        from matrix_xl.render import findings_text

        _console().print(findings_text(result.workbook, result.issues), end="")
    sys.exit(0 if result.valid else EXIT_INVALID)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the updated workbook here; PATH is left unchanged.",
)
@click.option("--force", is_flag=True, help="Let -o OUT overwrite an existing file.")
@click.option("--dry-run", is_flag=True, help="Evaluate and report; write nothing.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of this snapshot (YYYY-MM-DD); default the Matrix's Date rated, else today.",
)
@format_option("text", "json", "markdown")
@handle_errors
def evaluate(
    path: Path, output: Path | None, force: bool, dry_run: bool, as_of: Any, fmt: str
) -> None:
    """Judge readiness and record it in the workbook (Summary, History, Improvement Log)."""
    from matrix_xl.evaluation.run import evaluate as run

    when: date | None = as_of.date() if as_of is not None else None
    result = run(path, output=output, dry_run=dry_run, as_of=when, force=force)
    if fmt == "json":
        _echo_json(_dumps(result.to_dict()))
    elif fmt == "markdown":
        from matrix_xl.render import evaluation_markdown

        click.echo(evaluation_markdown(result), nl=False)
    else:
        from matrix_xl.render import evaluation_text

        _console().print(evaluation_text(result), end="")
    sys.exit(0 if result.valid else EXIT_INVALID)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("team.xlsx"),
    show_default=True,
    help="The team workbook.",
)
@format_option("text", "json")
@click.option("--force", is_flag=True, help="Overwrite the team workbook if it exists.")
@handle_errors
def team(paths: tuple[Path, ...], output: Path, fmt: str, force: bool) -> None:
    """Roll a team's workbooks (files or folders) up into one team workbook."""
    # Imported here, as in the other commands: the team's modules bring the reader, its
    # checks and the definition parsers (about 50 ms), which `--help` never needs.
    from matrix_xl.render import team_text
    from matrix_xl.team.workflow import team_roll_up

    # The progress bar is for people: text output on a terminal, never JSON or a pipe.
    with _ProgressBar(enabled=fmt == "text" and sys.stderr.isatty()) as bar:
        run = team_roll_up(paths, output, force=force, progress=bar.update)
    if fmt == "json":
        # Nothing usable is fatal: the report still lists every file, and says so.
        extra = None if run.failure is None else error_json(NOTHING_USABLE, run.failure)
        for piece in run.report.iter_json(extra):
            _echo_json(piece, nl=False)
        click.echo()
    else:
        click.echo(team_text(run.report, run.written), nl=False)
    if run.failure is not None:
        _err(f"error: {run.failure}")
    sys.exit(run.exit_code)


@cli.command()
@definition_option
@format_option("toml", "json")
@handle_errors
def definition(definition_path: Path | None, fmt: str) -> None:
    """Print a matrix definition (the built-in one by default), to start your own from."""
    from matrix_xl.definition import load_definition

    d = load_definition(definition_path)
    # The TOML writer quotes strings as JSON does: the same escapes keep both inert.
    click.echo(json_printable(d.to_toml() if fmt == "toml" else _dumps(d.to_dict())), nl=False)


class _ProgressBar:
    """A rich progress bar on stderr, started at the first update (after workers fork)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.progress: Any = None
        self.task: Any = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("Reading workbooks"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("team", total=total)
        self.progress.update(self.task, completed=done, total=total)


def main() -> None:
    """Entry point of the ``matrix-xl`` console script."""
    cli(prog_name="matrix-xl")


if __name__ == "__main__":  # pragma: no cover
    main()
