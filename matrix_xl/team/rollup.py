"""Roll a team's workbooks up: find them, summarise them in chunks on every core, group them.

The flow: :mod:`~matrix_xl.team.discover` finds the workbooks (files, or folders searched
recursively) -> :mod:`~matrix_xl.team.summarise` summarises each one (read, check, judge:
a pure function of the file's bytes), here in chunks, in parallel from 48 files on ->
:mod:`~matrix_xl.team.report` groups the people by the definition their workbook was made
from. :mod:`~matrix_xl.team.workbook` writes the team workbook from the report, and
:mod:`~matrix_xl.team.workflow` does all of that for ``matrix-xl team``.

The public names of the team's modules are importable from here too, as they were before
the roll-up was split into those modules.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

from matrix_xl.team.discover import find_workbook_names, find_workbooks
from matrix_xl.team.model import DefinitionGroup, FileError, Interner, PersonResult, TrendPoint
from matrix_xl.team.report import TeamReport, group_results
from matrix_xl.team.summarise import summarise_many, summarise_workbook
from matrix_xl.team.workbook import write_team_workbook

__all__ = [
    "DefinitionGroup",
    "FileError",
    "PersonResult",
    "Progress",
    "TeamReport",
    "TrendPoint",
    "find_workbooks",
    "roll_up",
    "summarise_many",
    "summarise_workbook",
    "write_team_workbook",
]

# From this many files on, worker processes pay for their start (measured on 2 cores:
# 50 files 70 -> 50-60 ms, 100 files 130 -> 87 ms, 1,000 files 1.4 -> 0.78 s).
PARALLEL_FROM = 48
MAX_CHUNK = 200
_CHUNK_DIV = 6  # chunks per worker: evens out the load

Progress = Callable[[int, int], None]
"""Called with ``(files done, files in all)`` as the roll-up advances."""


def roll_up(
    paths: Sequence[str | Path],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    today: date | None = None,
    exclude: Sequence[str | Path] = (),
) -> TeamReport:
    """Roll a team's workbooks up: every valid one becomes a person, every other an error.

    Args:
        paths: workbook files and folders (searched recursively, see
            :func:`~matrix_xl.team.discover.find_workbooks`).
        workers: processes to use; ``None`` uses every core (up to 8) for 48 files or
            more, one process below that.
        progress: called with ``(files done, files in all)`` as the work advances (in this
            process, after the worker processes have started).
        today: the roll-up's date: log entries after it are errors (default: today).
        exclude: files never to read, such as the team workbook being written.

    Returns:
        The report: people grouped by definition, and the files left out with the reason.
        A missing path is reported as an error, not raised.
    """
    today = today or date.today()
    names, missing = find_workbook_names(paths, exclude)
    errors = [FileError(p, "no such file or folder", kind="missing") for p in missing]
    count = _worker_count(workers, len(names))
    if count <= 1:
        results = _in_series(names, today, progress)
    else:
        results = _in_parallel(names, today, count, progress)
    return group_results(today, len(names) + len(missing), results, errors)


def _worker_count(workers: int | None, files: int) -> int:
    if workers is not None:
        return max(1, min(workers, files))
    if files < PARALLEL_FROM:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _chunks(names: list[str], size: int) -> list[list[str]]:
    return [names[i : i + size] for i in range(0, len(names), size)]


def _in_series(
    names: list[str], today: date, progress: Progress | None
) -> list[PersonResult | FileError]:
    # Chunks here too: the doubtful workbooks of one chunk are validated as one frame.
    results: list[PersonResult | FileError] = []
    if progress:
        progress(0, len(names))
    done = 0
    for chunk in _chunks(names, max(1, min(MAX_CHUNK, len(names)))):
        results.extend(_summarise_paths(chunk, today))
        done += len(chunk)
        if progress:
            progress(done, len(names))
    return results


def _summarise_paths(names: list[str], today: date) -> list[PersonResult | FileError]:
    # Runs in a worker process: paths in, compact results out (never a MatrixRead). A chunk
    # makes many small objects and no reference cycles worth hunting: the cyclic collector
    # waits until the chunk is done.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return summarise_many(((Path(n), n) for n in names), today=today)
    finally:
        if enabled:
            gc.enable()


def _in_parallel(
    names: list[str], today: date, workers: int, progress: Progress | None
) -> list[PersonResult | FileError]:
    # Several chunks per worker evens out the load; a bounded size keeps memory flat.
    size = max(8, min(MAX_CHUNK, math.ceil(len(names) / (workers * _CHUNK_DIV))))
    chunks = _chunks(names, size)
    # fork starts workers in milliseconds; the executor forks them all at the first submit,
    # before it (or a progress bar) starts any thread. Elsewhere, the platform's default.
    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if fork else None)
    results: list[list[PersonResult | FileError]] = [[] for _ in chunks]
    # Forked workers share this process's memory until either side writes to it, and the
    # cyclic garbage collector writes to every object it visits: while the workers run,
    # the objects that were there before the fork are frozen (left alone) on both sides.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {
                pool.submit(_summarise_paths, chunk, today): i for i, chunk in enumerate(chunks)
            }
            if progress:
                progress(0, len(names))
            done = 0
            shared = Interner()
            for future in as_completed(futures):
                index = futures[future]
                results[index] = [
                    shared.adopt(r, n) for r, n in zip(future.result(), chunks[index], strict=True)
                ]
                done += len(chunks[index])
                if progress:
                    progress(done, len(names))
    finally:
        gc.unfreeze()
    return [r for chunk in results for r in chunk]
