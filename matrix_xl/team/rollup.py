"""Roll a team's workbooks up into one view: who stands where, per skill and per threshold.

The flow: find the workbooks (files, or folders searched recursively) -> summarise each
one (read, check, judge: a pure function of the file's bytes) in chunks, on every core ->
group the people by the definition their workbook was made from -> write the team
workbook (``Team``, ``Coverage``, ``Trend``, ``Errors``).

One bad file never stops the run: a file that cannot be read, or whose data fails
validation, becomes a :class:`FileError` with the reason, and the roll-up goes on.

Validation finds exactly the errors of :func:`matrix_xl.validation.schemas.validate`: every workbook
passes a plain-Python screen of the schemas' error checks (a property test holds the two
equal), and the workbooks it flags are validated with the pandera schemas together, as one
frame, for their findings. A team without problems never waits for pandas to import.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> person = summarise_workbook(build_workbook(owner="Ada", ratings={"cloud": 4}), "ada.xlsx")
    >>> person.owner, person.ratings[0], person.unrated
    ('Ada', None, 20)
"""

from __future__ import annotations

import gc
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Literal

from matrix_xl.definition import Definition
from matrix_xl.errors import MatrixXLError
from matrix_xl.validation.screen import has_errors

if TYPE_CHECKING:
    from matrix_xl.findings import Finding
    from matrix_xl.read.model import MatrixRead
    from matrix_xl.read.rows import HistoryRow

__all__ = [
    "DefinitionGroup",
    "FileError",
    "PersonResult",
    "TeamReport",
    "TrendPoint",
    "find_workbooks",
    "roll_up",
    "summarise_many",
    "summarise_workbook",
    "write_team_workbook",
]

SUFFIXES = (".xlsx", ".xlsm")
# From this many files on, worker processes pay for their start (measured on 2 cores:
# 50 files 70 -> 50-60 ms, 100 files 130 -> 87 ms, 1,000 files 1.4 -> 0.78 s).
PARALLEL_FROM = 48
MAX_CHUNK = 200
_CHUNK_DIV = 6  # chunks per worker: evens out the load
MAX_NAMES = 12  # names listed in one "could mentor" cell before "and N more"

Progress = Callable[[int, int], None]


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One weekly snapshot of a person's History sheet, judged.

    Attributes:
        week: ISO week, ``2026-W48``.
        ready: per threshold of the definition, in order: met that week?
        rating_sum: the sum of that week's ratings.
        rated: how many skills were rated that week.
    """

    week: str
    ready: tuple[bool, ...]
    rating_sum: int
    rated: int


@dataclass(frozen=True, slots=True)
class PersonResult:
    """One valid workbook, summarised: all the roll-up keeps of it.

    Attributes:
        workbook: the file's name as given (a path, or the name passed with the bytes).
        owner: the Owner cell, or the file's name without its suffix when that is empty.
        role: the Role cell.
        definition: the matrix the workbook was made from.
        fingerprint: ``definition.fingerprint()``, the key the team is grouped by.
        ratings: one rating (or ``None``, unrated) per skill, in the definition's order.
        ready: one verdict per threshold, in the definition's order.
        unrated: how many skills have no rating.
        history: the weekly snapshots of the History sheet, oldest first.
    """

    workbook: str
    owner: str
    role: str
    definition: Definition
    fingerprint: str
    ratings: tuple[int | None, ...]
    ready: tuple[bool, ...]
    unrated: int
    history: tuple[TrendPoint, ...] = ()

    def ready_by_id(self) -> dict[str, bool]:
        """Threshold id -> verdict, e.g. ``{"apply": True, "promotion": False}``."""
        return {t.id: r for t, r in zip(self.definition.thresholds, self.ready, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """The person's entry in ``matrix-xl team --format json``."""
        ready = self.ready_by_id()
        out: dict[str, Any] = {
            "workbook": self.workbook,
            "owner": self.owner,
            "role": self.role,
            "valid": True,
        }
        out.update({f"{tid}_ready": value for tid, value in ready.items()})
        out.update({"ready": ready, "unrated": self.unrated, "definition": self.fingerprint})
        return out


@dataclass(frozen=True, slots=True)
class FileError:
    """A file left out of the roll-up, and why.

    Attributes:
        workbook: the file's name as given.
        message: one line a person reads: the first problem, and how many more.
        kind: ``"unreadable"`` (not a readable matrix workbook), ``"invalid"`` (read, but
            its data fails validation) or ``"missing"`` (no such file or folder).
        owner: the Owner of an invalid workbook (``None`` when the file was not read).
        role: the Role of an invalid workbook.
        thresholds: the threshold ids of an invalid workbook's definition.
    """

    workbook: str
    message: str
    kind: Literal["unreadable", "invalid", "missing"] = "unreadable"
    owner: str | None = None
    role: str = ""
    thresholds: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"workbook": self.workbook, "message": self.message, "kind": self.kind}


@dataclass
class DefinitionGroup:
    """The people whose workbooks were made from one definition."""

    fingerprint: str
    definition: Definition
    people: list[PersonResult] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``Competency Matrix (definition 1a2b3c4d5e6f)``."""
        return f"{self.definition.title} (definition {self.fingerprint})"

    def ready_counts(self) -> list[int]:
        """How many people meet each threshold, in the definition's order."""
        counts = [0] * len(self.definition.thresholds)
        for person in self.people:
            for i, ready in enumerate(person.ready):
                counts[i] += ready
        return counts


@dataclass
class TeamReport:
    """The outcome of :func:`roll_up`.

    Attributes:
        today: the date the roll-up was made as of (log entries after it are errors).
        files: how many files were looked at.
        groups: the people, one group per definition, the largest first.
        errors: every file left out, with the reason, by name.
    """

    today: date
    files: int
    groups: list[DefinitionGroup]
    errors: list[FileError]

    @classmethod
    def from_results(
        cls, results: Iterable[PersonResult | FileError], *, today: date | None = None
    ) -> TeamReport:
        """A report from summaries made elsewhere (:func:`summarise_workbook` on a cluster).

        Example:
            >>> from matrix_xl.generate.workbook import build_workbook
            >>> ada = summarise_workbook(build_workbook(owner="Ada"), "s3://team/ada.xlsx")
            >>> report = TeamReport.from_results([ada, FileError("s3://team/x.xlsx", "...")])
            >>> [p.owner for p in report.people], len(report.errors)
            (['Ada'], 1)
        """
        shared = _Shared()
        adopted = [shared.adopt(r, r.workbook) for r in results]
        return _report(today or date.today(), len(adopted), adopted, [])

    @property
    def people(self) -> list[PersonResult]:
        """Every valid workbook's person, group by group."""
        return [p for g in self.groups for p in g.people]

    def to_dict(self) -> dict[str, Any]:
        """The JSON printed by ``matrix-xl team --format json``.

        ``people`` lists every workbook that could be read, by owner: the valid ones with
        their verdicts (``<threshold id>_ready`` and a ``ready`` map), the invalid ones with
        ``"valid": false`` and null verdicts. ``errors`` lists every file left out.
        """
        return {
            key: value if isinstance(value, str | int) else list(value)
            for key, value in self._json_items()
        }

    def iter_json(self) -> Iterator[str]:
        """``json.dumps(self.to_dict(), indent=2)`` in pieces, one person at a time.

        A team of 10,000 is never held as one string (or one list of dicts).
        """
        yield "{"
        for i, (key, value) in enumerate(self._json_items()):
            yield f"{',' if i else ''}\n  {_dumps(key)}: "
            if isinstance(value, str | int):
                yield _dumps(value)
                continue
            empty = True
            for item in value:
                text = _dumps(item, indent=2).replace("\n", "\n    ")
                yield f"{'[' if empty else ','}\n    {text}"
                empty = False
            yield "[]" if empty else "\n  ]"
        yield "\n}"

    def _json_items(self) -> Iterator[tuple[str, str | int | Iterator[dict[str, Any]]]]:
        yield "as_of", self.today.isoformat()
        yield "files", self.files
        yield "people", self._people_json()
        yield "errors", (e.to_dict() for e in self.errors)
        yield (
            "definitions",
            (
                {
                    "fingerprint": g.fingerprint,
                    "title": g.definition.title,
                    "people": len(g.people),
                    "ready": {
                        t.id: n
                        for t, n in zip(g.definition.thresholds, g.ready_counts(), strict=True)
                    },
                }
                for g in self.groups
            ),
        )

    def _people_json(self) -> Iterator[dict[str, Any]]:
        entries: list[tuple[str, str, PersonResult | FileError]] = [
            (p.owner.casefold(), p.workbook, p) for p in self.people
        ]
        entries += [(e.owner.casefold(), e.workbook, e) for e in self.errors if e.owner is not None]
        entries.sort(key=lambda entry: entry[:2])
        for _, _, item in entries:
            if isinstance(item, PersonResult):
                yield item.to_dict()
            else:
                entry: dict[str, Any] = {
                    "workbook": item.workbook,
                    "owner": item.owner,
                    "role": item.role,
                    "valid": False,
                }
                entry.update({f"{tid}_ready": None for tid in item.thresholds})
                entry["ready"] = dict.fromkeys(item.thresholds)
                yield entry


def _dumps(value: object, indent: int | None = None) -> str:
    import json

    return json.dumps(value, indent=indent, ensure_ascii=False)


# -- one workbook ----------------------------------------------------------------------------


def summarise_workbook(
    data: bytes, name: str, *, today: date | None = None
) -> PersonResult | FileError:
    """Summarise one workbook from its bytes: read, validate, judge. Touches no file.

    A pure function of ``data`` (and ``today``), so the roll-up's per-file work can run
    anywhere bytes can be had, e.g. mapped over object storage by Dask or Spark::

        import dask.bag as db
        results = db.from_sequence(keys).map(lambda k: summarise_workbook(get(k), k))

    Args:
        data: the workbook file's bytes.
        name: the name to report it under.
        today: log entries dated after it are errors (default: today).

    Returns:
        The person, or why the workbook was left out.
    """
    return summarise_many([(data, name)], today=today)[0]


def summarise_many(
    items: Iterable[tuple[bytes | str | Path, str]],
    *,
    today: date | None = None,
    screen: bool = True,
) -> list[PersonResult | FileError]:
    """Summarise many workbooks, validating the doubtful ones together as one frame.

    Args:
        items: ``(bytes or path, name)`` pairs; bytes touch no file system.
        today: log entries dated after it are errors (default: today).
        screen: clear valid workbooks with the plain-Python screen, which finds exactly
            the schemas' errors. ``False`` runs the pandera schemas on every workbook:
            slower, with the same results (for checking that claim).

    Returns:
        One result per item, in order.
    """
    chunk = _Chunk(today or date.today(), screen)
    for source, name in items:
        chunk.add(source, name)
    return chunk.finish()


class _Chunk:
    """Reads workbooks one by one; validates the doubtful ones at the end, at once."""

    def __init__(self, today: date, screen: bool) -> None:
        self.today = today
        self.screen = screen
        self.results: list[PersonResult | FileError | None] = []
        self.pending: list[tuple[int, MatrixRead]] = []

    def add(self, source: bytes | str | Path, name: str) -> None:
        from matrix_xl.read.reader import read_workbook

        try:
            read = read_workbook(source, name=name)
            if self.screen and not has_errors(read, self.today):
                self.results.append(_person(read))
                return
        except MatrixXLError as exc:
            self.results.append(FileError(name, exc.message))
            return
        except Exception as exc:  # a bug of ours on one file must not stop the team's run
            self.results.append(FileError(name, _bug(exc)))
            return
        self.results.append(None)
        self.pending.append((len(self.results) - 1, read))

    def finish(self) -> list[PersonResult | FileError]:
        judged = judge_reads([read for _, read in self.pending], self.today)
        for (index, _), result in zip(self.pending, judged, strict=True):
            self.results[index] = result
        self.pending = []
        return [r for r in self.results if r is not None]


def judge_reads(reads: Sequence[MatrixRead], today: date) -> list[PersonResult | FileError]:
    """Validate workbooks already read, all at once, and judge each valid one.

    Returns:
        One result per read, in order: the person, or the first error and how many more.
    """
    results: list[PersonResult | FileError | None] = [None] * len(reads)
    indexed = list(enumerate(reads))
    for batch in _unique_name_batches(indexed):
        for (index, read), findings in zip(batch, _validate(batch, today), strict=True):
            results[index] = _judged(read, findings)
    return [r for r in results if r is not None]


def _unique_name_batches(
    pending: list[tuple[int, MatrixRead]],
) -> Iterator[list[tuple[int, MatrixRead]]]:
    # validate_many keys findings by workbook name: two reads with one name go apart.
    while pending:
        seen: set[str] = set()
        batch: list[tuple[int, MatrixRead]] = []
        rest: list[tuple[int, MatrixRead]] = []
        for item in pending:
            (rest if item[1].name in seen else batch).append(item)
            seen.add(item[1].name)
        yield batch
        pending = rest


def _validate(batch: list[tuple[int, MatrixRead]], today: date) -> list[list[Finding] | Exception]:
    from matrix_xl.validation.schemas import validate_many

    reads = [read for _, read in batch]
    try:
        found = validate_many(reads, today, warnings=False)
        return [found[r.name] for r in reads]
    except Exception:
        # One workbook broke the frame: validate them one by one to pin it down.
        out: list[list[Finding] | Exception] = []
        for read in reads:
            try:
                out.append(validate_many([read], today, warnings=False)[read.name])
            except Exception as exc:
                out.append(exc)
        return out


def _judged(read: MatrixRead, findings: list[Finding] | Exception) -> PersonResult | FileError:
    if isinstance(findings, Exception):
        return FileError(read.name, _bug(findings))
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return _person(read)
    first = errors[0]
    message = f"{first.message} at {first.location()}"
    if len(errors) > 1:
        more = len(errors) - 1
        message += f" (and {more} more error{'s' if more > 1 else ''}: run `matrix-xl validate`)"
    return FileError(
        read.name,
        message,
        kind="invalid",
        owner=_owner(read),
        role=read.role,
        thresholds=tuple(t.id for t in read.definition.thresholds),
    )


def _bug(exc: BaseException) -> str:
    from matrix_xl import __version__

    return (
        f"matrix-xl {__version__} failed on this file ({type(exc).__name__}: {exc}); this is "
        "a bug, please report it"
    )


# The reader hands out one Definition object per embedded definition: work out what the
# roll-up needs of it once. id -> (the definition, kept so its id stays its own; the value)
_FINGERPRINTS: dict[int, tuple[Definition, str]] = {}


def _fingerprint(definition: Definition) -> str:
    cached = _FINGERPRINTS.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    if len(_FINGERPRINTS) >= 64:
        _FINGERPRINTS.clear()
    value = definition.fingerprint()
    _FINGERPRINTS[id(definition)] = (definition, value)
    return value


def _owner(read: MatrixRead) -> str:
    return read.owner or PurePath(read.name.replace("\\", "/")).stem or read.name


def _person(read: MatrixRead) -> PersonResult:
    from matrix_xl.rules import evaluate_rules

    d = read.definition
    ratings = read.rating_map()
    values = tuple(ratings.get(s.id) for s in d.skills)
    verdicts = evaluate_rules(d, ratings, with_steps=False)
    return PersonResult(
        workbook=read.name,
        owner=_owner(read),
        role=read.role,
        definition=d,
        fingerprint=_fingerprint(d),
        ratings=values,
        ready=tuple(v.ready for v in verdicts),
        unrated=sum(1 for v in values if v is None),
        history=tuple(_trend_point(d, h) for h in sorted(read.history, key=lambda h: h.week)),
    )


def _trend_point(d: Definition, snapshot: HistoryRow) -> TrendPoint:
    from matrix_xl.rules import evaluate_rules

    rated = [v for v in snapshot.ratings.values() if v is not None]
    verdicts = evaluate_rules(d, snapshot.ratings, with_steps=False)
    return TrendPoint(snapshot.week, tuple(v.ready for v in verdicts), sum(rated), len(rated))


# -- many workbooks --------------------------------------------------------------------------


def find_workbooks(
    paths: Sequence[str | Path], exclude: Sequence[str | Path] = ()
) -> tuple[list[Path], list[Path]]:
    """The workbooks to roll up, and the paths that do not exist.

    Files are taken as given; folders are searched recursively (in name order) for
    ``.xlsx`` and ``.xlsm`` files, skipping Office lock files (``~$*``), hidden files and
    folders (LibreOffice's ``.~lock*`` among them), and the ``exclude`` files (the team
    workbook being written). A file reached twice (or through a link) is listed once.
    """
    found, missing = _find(paths, exclude)
    return [Path(p) for p in found], [Path(p) for p in missing]


def _find(
    paths: Sequence[str | Path], exclude: Sequence[str | Path]
) -> tuple[list[str], list[str]]:
    # Plain strings: a team of 10,000 files costs a tenth of the memory Path objects would.
    skip = {_identity(str(p)) for p in exclude}
    found: list[str] = []
    seen: set[object] = set()
    missing: list[str] = []

    def take(path: str) -> None:
        key = _identity(path)
        if key not in seen and key not in skip:
            seen.add(key)
            found.append(path)

    for given in map(str, paths):
        if os.path.isdir(given):
            for folder, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if _is_workbook_name(name):
                        take(os.path.join(folder, name))
        elif os.path.lexists(given):
            take(given)
        else:
            missing.append(given)
    return found, missing


def _is_workbook_name(name: str) -> bool:
    return name.lower().endswith(SUFFIXES) and not name.startswith(("~$", "."))


def _identity(path: str) -> object:
    # The file itself (device and inode), whatever the path to it; the path when unknown.
    try:
        info = os.stat(path)
    except OSError:
        return os.path.normcase(os.path.abspath(path))
    return (info.st_dev, info.st_ino)


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
            :func:`find_workbooks`).
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
    names, missing = _find(paths, exclude)
    errors = [FileError(p, "no such file or folder", kind="missing") for p in missing]
    count = _worker_count(workers, len(names))
    results: list[PersonResult | FileError] = []
    if count <= 1:
        size = max(1, min(MAX_CHUNK, len(names)))
        chunks = [names[i : i + size] for i in range(0, len(names), size)]
        if progress:
            progress(0, len(names))
        done = 0
        for chunk in chunks:
            results.extend(_summarise_paths(chunk, today))
            done += len(chunk)
            if progress:
                progress(done, len(names))
    else:
        results = _in_parallel(names, today, count, progress)
    return _report(today, len(names) + len(missing), results, errors)


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
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Several chunks per worker evens out the load; a bounded size keeps memory flat.
    size = max(8, min(MAX_CHUNK, math.ceil(len(names) / (workers * _CHUNK_DIV))))
    chunks = [names[i : i + size] for i in range(0, len(names), size)]
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
            shared = _Shared()
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


class _Shared:
    """One object for equal values across the results of worker processes.

    Every chunk comes back with its own copy of the definition, of each role and each
    verdict tuple: keeping one of each, and this process's own copy of the file name,
    halves the memory 10,000 people take.
    """

    def __init__(self) -> None:
        self.definitions: dict[str, Definition] = {}
        self.values: dict[object, Any] = {}

    def one(self, value: Any) -> Any:
        return self.values.setdefault(value, value)

    def adopt(self, result: PersonResult | FileError, name: str) -> PersonResult | FileError:
        if isinstance(result, FileError):
            return result
        return PersonResult(
            name if name == result.workbook else result.workbook,
            result.owner,
            self.one(result.role),
            self.definitions.setdefault(result.fingerprint, result.definition),
            self.one(result.fingerprint),
            result.ratings,
            self.one(result.ready),
            result.unrated,
            result.history,
        )


def _report(
    today: date, files: int, results: list[PersonResult | FileError], errors: list[FileError]
) -> TeamReport:
    groups: dict[str, DefinitionGroup] = {}
    for result in results:
        if isinstance(result, FileError):
            errors.append(result)
            continue
        group = groups.get(result.fingerprint)
        if group is None:
            group = groups[result.fingerprint] = DefinitionGroup(
                result.fingerprint, result.definition
            )
        elif result.definition is not group.definition:
            # One Definition object per group (workers each unpickle their own copy).
            result = _with_definition(result, group.definition)
        group.people.append(result)
    ordered = sorted(
        groups.values(), key=lambda g: (-len(g.people), g.definition.title, g.fingerprint)
    )
    for group in ordered:
        group.people.sort(key=lambda p: (p.owner.casefold(), p.workbook))
    errors.sort(key=lambda e: e.workbook)
    return TeamReport(today, files, ordered, errors)


def _with_definition(person: PersonResult, definition: Definition) -> PersonResult:
    return PersonResult(
        person.workbook,
        person.owner,
        person.role,
        definition,
        person.fingerprint,
        person.ratings,
        person.ready,
        person.unrated,
        person.history,
    )


def write_team_workbook(report: TeamReport, path: str | Path, *, force: bool = False) -> Path:
    """Write the team workbook; see :func:`matrix_xl.team.workbook.write_team_workbook`."""
    from matrix_xl.team.workbook import write_team_workbook as write

    return write(report, path, force=force)
