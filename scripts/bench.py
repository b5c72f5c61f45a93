#!/usr/bin/env python3
"""Benchmark matrix-xl's team roll-up, start-up, evaluation, roster generation and the cost
of evaluate's write-back.

A benchmark, not a test: it prints figures and PASS/FAIL against the goals of the
performance issue, and always exits 0 unless it crashes. The machine it was written on has
2 cores and is shared, so every comparison is measured side by side in the same run
(interleaved), and each figure is the median of several runs.

    python scripts/bench.py              # the full run (10,000 workbooks for memory)
    python scripts/bench.py --skip-10k   # without the 10,000-workbook memory figure
    python scripts/bench.py --quick      # a smoke run: fewer files and repetitions

It generates its own workbooks (filled, with gap notes, some with weekly histories) in a
temporary folder and removes it at the end.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# The naive approach the issue compares against: one process, pandas + openpyxl to read
# each file, one pandera validation per file.
NAIVE = r"""
import sys
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

folder, header = Path(sys.argv[1]), int(sys.argv[2])
schema = pa.DataFrameSchema(
    {
        "Skill / Category": pa.Column(str),
        "Mandatory?": pa.Column(str, pa.Check.isin(["Yes", "No"])),
        "Self-Rating (1-5)": pa.Column(
            float, pa.Check.in_range(1, 5), nullable=True, coerce=True
        ),
    },
    strict=False,
)
valid = 0
for path in sorted(folder.glob("*.xlsx")):
    frame = pd.read_excel(path, sheet_name="Matrix", header=header, engine="openpyxl")
    frame = frame[frame["Skill ID"].notna()]
    try:
        schema.validate(frame, lazy=True)
        valid += 1
    except pa.errors.SchemaErrors:
        pass
print(valid)
"""

FIRST = ["Ada", "Grace", "Alan", "Zoë", "Kofi", "Mei", "Ravi", "Olga", "Tomás", "Yuki", "Amara"]
LAST = ["Lovelace", "Hopper", "Turing", "Ångström", "Mensah", "Li", "Iyer", "Petrova", "Ruiz"]
ROLES = ["ML Engineer", "Data Scientist", "Senior ML Engineer", "MLOps Engineer"]
ACTIONS = [
    "Pair with a senior on one production incident a month",
    "Ship a small end-to-end project and write it up",
    "Read the official guide and build the tutorial twice",
    "Take the course's labs and present one to the team",
]


@dataclass
class Figure:
    name: str
    measured: str
    baseline: str
    ratio: str
    goal: str
    ok: bool | None  # None: information only

    def line(self) -> str:
        verdict = "info" if self.ok is None else ("PASS" if self.ok else "FAIL")
        return (
            f"{self.name:<46} {self.measured:>14} {self.baseline:>14} {self.ratio:>8} "
            f"{self.goal:>10}  {verdict}"
        )


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def command() -> list[str]:
    """How a user runs matrix-xl: the console script next to this python, or -m."""
    script = Path(sys.executable).with_name("matrix-xl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "matrix_xl"]


def as_installed(scratch: Path) -> None:
    """Run every measured command as an installed matrix-xl runs: from compiled bytecode
    (pip compiles a package when it installs it). Where PYTHONDONTWRITEBYTECODE is set, as on
    some CI machines, each start would otherwise compile matrix-xl's modules anew, a cost no
    user pays and one that grows with the modules a command imports. The cache goes to the
    scratch folder, never into the source tree."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")


def wall(cmd: Sequence[str]) -> float:
    """Seconds ``cmd`` takes, start to exit (it must succeed)."""
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed:\n{result.stderr[-2000:]}")
    return took


# -- generating workbooks --------------------------------------------------------------------


def person(rng: random.Random) -> tuple[str, str, dict[str, int | None], dict[str, str]]:
    from matrix_xl.definition import default_definition

    d = default_definition()
    level = rng.choice([2, 3, 3, 4, 4, 5])
    ratings: dict[str, int | None] = {}
    notes: dict[str, str] = {}
    for skill in d.skills:
        value = (
            None if rng.random() < 0.05 else max(1, min(5, level + rng.choice([-2, -1, 0, 0, 1])))
        )
        ratings[skill.id] = value
        if value is not None and (value <= d.priority_at_or_below or rng.random() < 0.3):
            notes[skill.id] = rng.choice(ACTIONS)
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(ROLES), ratings, notes


def with_history(
    data: bytes, ratings: dict[str, int | None], rng: random.Random, folder: Path, weeks: int
) -> bytes:
    """Evaluate the workbook once a week for ``weeks`` weeks, raising a few ratings between."""
    import openpyxl

    from matrix_xl.definition import default_definition
    from matrix_xl.evaluation.run import evaluate
    from matrix_xl.xlsx import layout as L
    from matrix_xl.xlsx.cells import col_letter

    d = default_definition()
    first = L.MatrixLayout(len(d.skills), len(d.thresholds)).first_row + 1
    path = folder / f"history-{rng.random():.12f}.xlsx"
    path.write_bytes(data)
    monday = date.today() - timedelta(days=date.today().weekday() + 7 * weeks)
    for week in range(weeks):
        if week:
            book = openpyxl.load_workbook(path)
            sheet = book[L.MATRIX]
            for i, skill in enumerate(d.skills):
                value = ratings[skill.id]
                if value is not None and value < 5 and rng.random() < 0.2:
                    ratings[skill.id] = value + 1
                    sheet[f"{col_letter(L.COL_RATING)}{first + i}"] = value + 1
            book.save(path)
        if not evaluate(path, as_of=monday + timedelta(weeks=week)).valid:
            raise SystemExit("bench: a generated workbook did not validate")
    data = path.read_bytes()
    path.unlink()
    return data


def marker(i: int) -> str:
    return f"~{i:04d}~"  # in each base's owner, replaced by a number in every copy


def make_bases(count: int, history_every: int, weeks: int, scratch: Path) -> list[bytes]:
    from matrix_xl.generate.workbook import build_workbook

    bases = []
    for i in range(count):
        rng = random.Random(i)
        owner, role, ratings, notes = person(rng)
        data = build_workbook(
            owner=f"{owner} {marker(i)}",
            role=role,
            ratings=ratings,
            notes=notes,
            created=date.today() - timedelta(days=90),
        )
        if i % history_every == 0:
            data = with_history(data, ratings, rng, scratch, weeks)
        bases.append(data)
    return bases


def matrix_part(parts: dict[str, bytes]) -> str:
    """The Matrix sheet's part name, through workbook.xml and its relationships."""
    book = parts["xl/workbook.xml"].decode()
    rid = re.search(r'<sheet [^>]*name="Matrix"[^>]*r:id="([^"]+)"', book)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    assert rid is not None
    for rel in re.finditer(r"<Relationship [^>]*>", rels):
        if f'Id="{rid.group(1)}"' in rel.group(0):
            target = re.search(r'Target="([^"]+)"', rel.group(0))
            assert target is not None
            return (
                target.group(1).lstrip("/")
                if target.group(1).startswith("/")
                else ("xl/" + target.group(1))
            )
    raise AssertionError("no Matrix sheet")


def variant(job: tuple[bytes, int, int, str]) -> None:
    """Write a copy of a base workbook with its own owner and its own ratings.

    Every file differs where people's files differ (the owner, the ratings), so that no
    cache can serve one person's file from another's; the rest (rubric, guide, styles) is
    shared, as it is between the workbooks a team gets back.
    """
    from matrix_xl.definition import default_definition
    from matrix_xl.xlsx import layout as L
    from matrix_xl.xlsx.cells import col_letter

    base, index, number, target = job
    d = default_definition()
    rng = random.Random(number)
    first = L.MatrixLayout(len(d.skills), len(d.thresholds)).first_row + 1
    rows = range(first, first + len(d.skills))
    column = col_letter(L.COL_RATING)
    with zipfile.ZipFile(io.BytesIO(base)) as src:
        infos = src.infolist()
        parts = {info.filename: src.read(info) for info in infos}
    sheet = matrix_part(parts)

    def rerate(match: re.Match[bytes]) -> bytes:
        row = int(match.group(2))
        if row not in rows:
            return match.group(0)
        value = max(1, min(5, int(match.group(4)) + rng.choice([-1, 0, 0, 1])))
        return match.group(1) + match.group(3) + str(value).encode() + match.group(5)

    rating = re.compile(rb'(<c r="' + column.encode() + rb'(\d+)"[^>]*>)(<v>)(\d)(</v>)')
    parts[sheet] = rating.sub(rerate, parts[sheet])
    for name, body in parts.items():  # shared strings, or inline ones as openpyxl saves
        parts[name] = body.replace(marker(index).encode(), f"{number:05d}".encode())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            dst.writestr(info, parts[info.filename])
    Path(target).write_bytes(out.getvalue())


def fill(folder: Path, bases: list[bytes], count: int) -> Path:
    """``count`` distinct workbooks made from the bases (on every core)."""
    from concurrent.futures import ProcessPoolExecutor

    folder.mkdir(parents=True)
    jobs = [
        (bases[i % len(bases)], i % len(bases), i, str(folder / f"person-{i:05d}.xlsx"))
        for i in range(count)
    ]
    with ProcessPoolExecutor() as pool:
        list(pool.map(variant, jobs, chunksize=64))
    return folder


# -- measuring -------------------------------------------------------------------------------


def median_of(runs: int, *measures: Callable[[], float]) -> list[float]:
    """Run the measures interleaved ``runs`` times; the median of each."""
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(runs):
        for i, measure in enumerate(measures):
            samples[i].append(measure())
    return [statistics.median(s) for s in samples]


def tree_memory(root: int) -> tuple[int, int]:
    """(PSS of ``root`` and its descendants, RSS of the largest of them), in bytes.

    PSS (proportional set size) shares the pages forked workers have in common with their
    parent among them, so the sum is the memory the roll-up really holds.
    """
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = largest = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                sizes = {
                    line.split(b":")[0]: int(line.split()[1]) * 1024
                    for line in fh
                    if line.startswith((b"Rss:", b"Pss:"))
                }
        except (OSError, ValueError):
            continue
        total += sizes.get(b"Pss", sizes.get(b"Rss", 0))
        largest = max(largest, sizes.get(b"Rss", 0))
    return total, largest


def peak_memory(cmd: Sequence[str]) -> tuple[float, float]:
    """(peak PSS of the whole process tree, peak RSS of its largest process), in MiB.

    Sampled every 20 ms from /proc (the kernel's own high-water mark would count the
    memory of this benchmark, which the child is forked from).
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    total = largest = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal total, largest
        while not done.is_set():
            now_total, now_largest = tree_memory(proc.pid)
            total, largest = max(total, now_total), max(largest, now_largest)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]!r}")
    return total / 2**20, largest / 2**20


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer files, runs")
    parser.add_argument("--skip-10k", action="store_true", help="skip the memory figure")
    args = parser.parse_args(argv)

    quick = args.quick
    files = 200 if quick else 1_000
    big = 2_000 if quick else 10_000
    runs = 1 if quick else 5
    bases_count, history_every, weeks = (12, 4, 2) if quick else (60, 5, 4)
    mx = command()
    figures: list[Figure] = []
    scratch = Path(tempfile.mkdtemp(prefix="matrix-xl-bench-"))
    as_installed(scratch)
    try:
        started = time.perf_counter()
        log(
            f"generating {bases_count} workbooks ({bases_count // history_every} with "
            f"{weeks} weeks of history) and {files:,} copies in {scratch}"
        )
        bases = make_bases(bases_count, history_every, weeks, scratch)
        team_dir = fill(scratch / "team", bases, files)
        log(f"generated in {time.perf_counter() - started:.1f} s")

        figures += bench_roll_up(mx, team_dir, files, runs, scratch)
        figures += bench_in_process(team_dir, files, runs, scratch)
        if args.skip_10k:
            figures.append(
                Figure(
                    f"(c) peak memory, {big:,} vs {files:,} workbooks",
                    "skipped",
                    "-",
                    "-",
                    "<= 1.5x",
                    None,
                )
            )
        else:
            big_dir = fill(scratch / "big", bases, big)
            figures += bench_memory(mx, team_dir, big_dir, files, big, scratch)
            shutil.rmtree(big_dir)
        figures += bench_start_up(mx, bases, runs, scratch)
        figures += bench_roster(mx, 1_000, 1 if quick else 3, scratch)
        figures += bench_write(mx, bases, 3 if quick else 11, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"{'figure':<46} {'measured':>14} {'baseline':>14} {'ratio':>8} {'goal':>10}  result")
    for figure in figures:
        print(figure.line())
    if quick:
        print("(--quick: fewer files and single runs; the figures are indicative only)")
    return 0


def bench_roll_up(
    mx: list[str], folder: Path, files: int, runs: int, scratch: Path
) -> list[Figure]:
    from matrix_xl.definition import default_definition
    from matrix_xl.xlsx import layout as L

    d = default_definition()
    header = L.MatrixLayout(len(d.skills), len(d.thresholds)).header_row
    out = scratch / "team.xlsx"
    ours_cmd = [*mx, "team", str(folder), "-o", str(out), "--format", "json", "--force"]
    naive_cmd = [sys.executable, "-c", NAIVE, str(folder), str(header)]
    log(f"(a) {runs} x roll-up of {files:,} files vs the naive loop, interleaved")
    ours, naive = median_of(runs, lambda: wall(ours_cmd), lambda: wall(naive_cmd))
    return [
        Figure(
            f"(a) roll-up of {files:,} files, whole process",
            ms(ours),
            ms(naive),
            f"{naive / ours:.1f}x",
            ">= 8x",
            naive / ours >= 8,
        ),
    ]


def bench_in_process(folder: Path, files: int, runs: int, scratch: Path) -> list[Figure]:
    # "After imports": pandas and pandera count for neither side.
    import pandas  # noqa: F401
    import pandera.pandas  # noqa: F401
    import xlsxwriter  # noqa: F401
    from python_calamine import CalamineWorkbook

    from matrix_xl.team.rollup import roll_up
    from matrix_xl.team.workbook import write_team_workbook

    paths = sorted(folder.glob("*.xlsx"))
    out = scratch / "in-process.xlsx"

    def floor() -> float:
        """The Matrix sheet's cell values, with python-calamine and nothing else."""
        start = time.perf_counter()
        for path in paths:
            CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Matrix").to_python()
        return time.perf_counter() - start

    def floor_all() -> float:
        """Every sheet the roll-up reads: the matrix, its metadata, the log, the history."""
        start = time.perf_counter()
        for path in paths:
            book = CalamineWorkbook.from_path(str(path))
            for sheet in ("Matrix", "_matrix_xl", "Improvement Log", "History"):
                if sheet in book.sheet_names:
                    book.get_sheet_by_name(sheet).to_python()
        return time.perf_counter() - start

    def ours(workers: int | None = None) -> Callable[[], float]:
        def run() -> float:
            start = time.perf_counter()
            report = roll_up([folder], workers=workers)
            write_team_workbook(report, out, force=True)
            took = time.perf_counter() - start
            if len(report.people) != files:
                raise SystemExit(
                    f"bench: {len(report.errors)} generated workbooks failed: {report.errors[:3]}"
                )
            return took

        return run

    log(f"(b) {runs} x in-process roll-up of {files:,} files vs reading them with calamine")
    floor(), ours()()  # warm: the files in the page cache, lazy imports done
    base, every, best, single = median_of(runs, floor, floor_all, ours(), ours(1))
    per = 1000 / files
    return [
        Figure(
            "(b) in-process work per workbook",
            f"{best * per:.2f} ms",
            f"{base * per:.2f} ms",
            f"{best / base:.1f}x",
            "<= 3x",
            best / base <= 3,
        ),
        Figure(
            "    vs reading every sheet the roll-up reads",
            f"{best * per:.2f} ms",
            f"{every * per:.2f} ms",
            f"{best / every:.1f}x",
            "-",
            None,
        ),
        Figure(
            "    the same on one core (workers=1)",
            f"{single * per:.2f} ms",
            f"{base * per:.2f} ms",
            f"{single / base:.1f}x",
            "-",
            None,
        ),
    ]


def bench_memory(
    mx: list[str], small: Path, big: Path, n_small: int, n_big: int, scratch: Path
) -> list[Figure]:
    log(f"(c) peak memory of the roll-up: {n_big:,} vs {n_small:,} files")
    out = scratch / "memory.xlsx"
    cmd = [*mx, "team", "-o", str(out), "--format", "json", "--force"]
    small_total, small_largest = peak_memory([*cmd, str(small)])
    big_total, big_largest = peak_memory([*cmd, str(big)])
    return [
        Figure(
            f"(c) peak memory, {n_big:,} vs {n_small:,} workbooks",
            f"{big_total:.0f} MiB",
            f"{small_total:.0f} MiB",
            f"{big_total / small_total:.2f}x",
            "<= 1.5x",
            big_total / small_total <= 1.5,
        ),
        Figure(
            "    largest single process (peak RSS)",
            f"{big_largest:.0f} MiB",
            f"{small_largest:.0f} MiB",
            f"{big_largest / small_largest:.2f}x",
            "-",
            None,
        ),
    ]


def bench_start_up(mx: list[str], bases: list[bytes], runs: int, scratch: Path) -> list[Figure]:
    log("(d) matrix-xl --help and (e) matrix-xl evaluate on one workbook")
    help_time = statistics.median(wall([*mx, "--help"]) for _ in range(max(runs * 2, 5)))
    evaluations = []
    for i in range(max(runs, 3) if runs > 1 else 1):
        path = scratch / f"evaluate-{i}.xlsx"
        path.write_bytes(bases[0])  # a workbook with a history, as people keep them
        evaluations.append(wall([*mx, "evaluate", str(path)]))
        path.unlink()
    evaluation = statistics.median(evaluations)
    return [
        Figure("(d) matrix-xl --help", ms(help_time), "-", "-", "< 150 ms", help_time < 0.150),
        Figure(
            "(e) matrix-xl evaluate, one workbook",
            ms(evaluation),
            "-",
            "-",
            "< 1 s",
            evaluation < 1.0,
        ),
    ]


def bench_roster(mx: list[str], people: int, runs: int, scratch: Path) -> list[Figure]:
    log(f"(f) {runs} x generating {people:,} roster workbooks")
    roster = scratch / "roster.csv"
    rng = random.Random(0)
    with roster.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Role"])
        for i in range(people):
            writer.writerow([f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}", rng.choice(ROLES)])
    times = []
    for i in range(runs):
        out = scratch / f"roster-{i}"
        times.append(wall([*mx, "new", "--roster", str(roster), "--out-dir", str(out)]))
        if len(os.listdir(out)) != people:
            raise SystemExit("bench: the roster did not give one workbook per person")
        shutil.rmtree(out)
    took = statistics.median(times)
    return [
        Figure(
            f"(f) {people:,} roster workbooks generated",
            f"{took:.2f} s",
            "-",
            "-",
            "< 5 s",
            took < 5.0,
        )
    ]


def bench_write(mx: list[str], bases: list[bytes], runs: int, scratch: Path) -> list[Figure]:
    """(g) What writing the evaluation into the workbook costs: `evaluate` (which reads,
    validates, judges, then writes) against `validate` (which reads and validates), on the
    same workbook, whole processes, interleaved."""
    log(f"(g) {runs} x evaluate (writing) vs validate on one workbook, interleaved")
    path = scratch / "write.xlsx"

    def evaluate() -> float:
        path.write_bytes(bases[0])  # a workbook with a history; each run writes it anew
        return wall([*mx, "evaluate", str(path)])

    def validate() -> float:
        path.write_bytes(bases[0])
        return wall([*mx, "validate", str(path)])

    evaluate(), validate()  # warm: the page cache, compiled modules
    ours, base = median_of(runs, evaluate, validate)
    path.unlink()
    return [
        Figure(
            "(g) evaluate, writing, vs validate",
            ms(ours),
            ms(base),
            f"{ours / base:.2f}x",
            "<= 1.10x",
            ours / base <= 1.10,
        )
    ]


if __name__ == "__main__":
    sys.exit(main())
