"""Summarise workbooks for the roll-up: read, check, judge. The per-file work, and pure.

Each workbook becomes a :class:`~matrix_xl.team.model.PersonResult` or a
:class:`~matrix_xl.team.model.FileError` (a file that cannot be read, or whose data fails
validation, with the reason): one bad file never stops the run.

Validation finds exactly the errors of :func:`matrix_xl.validation.schemas.validate`:
every workbook passes a plain-Python screen of the schemas' error checks (a property test
holds the two equal), and the workbooks it flags are validated with the pandera schemas
together, as one frame, for their findings. A team without problems never waits for
pandas to import.

Example:
    >>> from matrix_xl.generate.workbook import build_workbook
    >>> person = summarise_workbook(build_workbook(owner="Ada", ratings={"cloud": 4}), "ada.xlsx")
    >>> person.owner, person.ratings[0], person.unrated
    ('Ada', None, 20)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from matrix_xl import __version__
from matrix_xl.definition import Definition
from matrix_xl.errors import MatrixXLError
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import HistoryRow
from matrix_xl.rules import evaluate_rules
from matrix_xl.team.model import FileError, PersonResult, TrendPoint
from matrix_xl.validation.screen import has_errors

if TYPE_CHECKING:
    from matrix_xl.findings import Finding

__all__ = ["judge_reads", "summarise_many", "summarise_workbook", "trend_point"]


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

    Args:
        reads: workbooks read by :func:`~matrix_xl.read.reader.read_workbook`.
        today: log entries dated after it are errors.

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
    # Imported here: the schemas import pandas and pandera (about 0.5 s), which a team
    # whose workbooks all pass the screen never needs.
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
        history=tuple(trend_point(d, h) for h in sorted(read.history, key=lambda h: h.week)),
    )


def trend_point(definition: Definition, snapshot: HistoryRow) -> TrendPoint:
    """One week of a History sheet, judged with the rules.

    Args:
        definition: the matrix the workbook was made from.
        snapshot: one row of the History sheet.

    Returns:
        The week's verdicts, its rating sum and how many skills were rated.
    """
    rated = [v for v in snapshot.ratings.values() if v is not None]
    verdicts = evaluate_rules(definition, snapshot.ratings, with_steps=False)
    return TrendPoint(snapshot.week, tuple(v.ready for v in verdicts), sum(rated), len(rated))
