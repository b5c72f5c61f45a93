"""``matrix-xl team`` as one library call: check the output, roll up, write, decide.

:func:`team_roll_up` does everything the command does except print: the CLI parses its
options, calls it, formats :attr:`TeamRun.report` (text or JSON), prints
:attr:`TeamRun.failure` if there is one, and exits with :attr:`TeamRun.exit_code`.

Example:
    >>> run = team_roll_up(["returned/"], "team.xlsx")  # doctest: +SKIP
    >>> run.written, run.exit_code  # doctest: +SKIP
    (PosixPath('team.xlsx'), 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from matrix_xl.errors import EXIT_FAILED, EXIT_OK
from matrix_xl.team.report import TeamReport
from matrix_xl.team.rollup import Progress, roll_up
from matrix_xl.team.workbook import check_output, write_team_workbook

__all__ = ["TeamRun", "team_roll_up"]


@dataclass(frozen=True)
class TeamRun:
    """What :func:`team_roll_up` did.

    Attributes:
        report: the roll-up: people by definition, files left out.
        output: the team workbook's path, as asked for.
        written: ``output`` when the team workbook was written; ``None`` when nobody
            could be used (nothing is written then).
        failure: why nothing was written, in one line (``None`` when it was).
    """

    report: TeamReport
    output: Path
    written: Path | None
    failure: str | None

    @property
    def exit_code(self) -> int:
        """0 when the team workbook was written (bad files are listed, not fatal), else 2."""
        return EXIT_OK if self.failure is None else EXIT_FAILED


def team_roll_up(
    paths: Sequence[str | Path],
    output: str | Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
    workers: int | None = None,
) -> TeamRun:
    """Roll a team up and write the team workbook, as ``matrix-xl team`` does.

    The output is checked before any workbook is read, and never read as an input (even
    inside a folder being rolled up). The team workbook is written when at least one
    person could be used; bad files are then listed in it, not fatal.

    Args:
        paths: workbook files and folders (folders are searched recursively).
        output: the team workbook to write; must end in ``.xlsx``.
        force: overwrite ``output`` if it exists.
        progress: called with ``(files done, files in all)`` as the roll-up advances.
        today: the roll-up's date (default: today).
        workers: processes to use (default: see :func:`~matrix_xl.team.rollup.roll_up`).

    Returns:
        The report, what was written, and the exit decision.

    Raises:
        UsageError: ``output`` exists (without ``force``), is a folder, is in a folder
            that does not exist, or does not end in ``.xlsx``; nothing was read.
        UnsafeWriteError: writing the team workbook failed; an existing file is then left
            as it was.
    """
    output = Path(output)
    check_output(output, force)
    report = roll_up(paths, workers=workers, progress=progress, today=today, exclude=[output])
    if not report.people:
        return TeamRun(report, output, None, _nothing_usable(paths, report))
    return TeamRun(report, output, write_team_workbook(report, output, force=force), None)


def _nothing_usable(paths: Sequence[str | Path], report: TeamReport) -> str:
    if report.files == 0:
        return f"no .xlsx or .xlsm workbook found in {', '.join(str(p) for p in paths)}"
    return (
        f"none of the {report.files} file(s) could be used (each is listed above with the "
        "reason); nothing was written"
    )
