"""The write guarantees of ``matrix-xl evaluate``, end to end: real processes running the CLI
on real workbooks, real signals, a real unprivileged user, a real LibreOffice re-save.

tests/xlsx/test_atomic.py proves the write layer alone; this file proves that evaluate uses
it so that a person's workbook is always either the old bytes or a whole new evaluated
workbook, that no week is lost, and that nothing is left beside the file.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from libreoffice import LibreOffice

from matrix_xl.cli import cli
from matrix_xl.definition import default_definition
from matrix_xl.errors import EXIT_FAILED, EXIT_OK
from matrix_xl.evaluation.run import evaluate
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.reader import read_workbook
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.cells import col_letter
from matrix_xl.xlsx.graft import WorkbookEditor

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}
D = default_definition()
IDS = [s.id for s in D.skills]
FIRST = L.MatrixLayout(len(IDS), len(D.thresholds)).first_row + 1
RATING = col_letter(L.COL_RATING)
W1, W2, W3 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)
RATINGS = {skill_id: 1 + i % 5 for i, skill_id in enumerate(IDS)}


def new_workbook(path: Path) -> Path:
    path.write_bytes(
        build_workbook(owner="Ada", role="ML Engineer", ratings=RATINGS, created=date(2026, 1, 5))
    )
    return path


def weeks(path: Path) -> list[str]:
    return [h.week for h in read_workbook(path).history]


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def run_cli(path: Path, *args: str) -> subprocess.Popen[str]:
    """``matrix-xl evaluate PATH ARGS`` in a process of its own, this tree on its path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-B", "-m", "matrix_xl", "evaluate", str(path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd="/",
    )


# -- two evaluates of one file at once ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("head_start", [0.0, 0.3, 0.6])
def test_two_evaluates_of_one_file_for_different_weeks_lose_no_week(
    tmp_path: Path, head_start: float
) -> None:
    path = new_workbook(tmp_path / "me.xlsx")
    first = run_cli(path, "--as-of", W2.isoformat())
    time.sleep(head_start)
    second = run_cli(path, "--as-of", W1.isoformat())
    outcomes = {}
    for day, run in ((W2, first), (W1, second)):
        _, err = run.communicate(timeout=120)
        assert run.returncode in (EXIT_OK, EXIT_FAILED), err
        outcomes[day] = (run.returncode, err)
    done = sorted(day for day, (code, _) in outcomes.items() if code == EXIT_OK)
    assert weeks(path) == [week_of(day) for day in done]  # every run that said so is recorded
    assert W2 in done or outcomes[W2][0] == EXIT_OK  # the later week always lands
    for day, (code, err) in outcomes.items():
        if code == EXIT_FAILED:  # only the earlier week, once the later one is recorded
            assert day == W1 and str(path) in err and "Traceback" not in err
    assert leftovers(tmp_path) == ["me.xlsx"]


# -- signals at random moments --------------------------------------------------------------------


def _old_or_whole(path: Path, old: bytes, week: str) -> bool:
    """Whether ``path`` is the old bytes (True) or a whole evaluated workbook (False);
    anything else fails the test."""
    data = path.read_bytes()
    if data == old:
        return True
    assert weeks(path) == [week]  # a complete new workbook: it reads, with its new week
    return False


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_at_random_moments_leave_the_old_or_a_whole_workbook(
    tmp_path: Path, signum: int
) -> None:
    path = new_workbook(tmp_path / "me.xlsx")
    old = path.read_bytes()
    rng, kept, replaced = random.Random(signum), 0, 0
    for _ in range(8):
        path.write_bytes(old)
        run = run_cli(path, "--as-of", W1.isoformat())
        time.sleep(rng.uniform(0.2, 2.5))
        run.send_signal(signum)
        _, err = run.communicate(timeout=120)
        assert "Traceback" not in err, err
        if _old_or_whole(path, old, week_of(W1)):
            assert run.returncode != EXIT_OK  # a run that says it wrote has written
            kept += 1
        else:
            replaced += 1
        assert leftovers(tmp_path) == ["me.xlsx"]  # a signal removes the temporary file
    assert kept + replaced == 8


@pytest.mark.slow
def test_sigkill_at_random_moments_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    path = new_workbook(tmp_path / "me.xlsx")
    old = path.read_bytes()
    rng = random.Random(13)
    for _ in range(8):
        path.write_bytes(old)
        run = run_cli(path, "--as-of", W1.isoformat())
        time.sleep(rng.uniform(0.2, 2.5))
        run.kill()
        run.communicate(timeout=60)
        was_kept = _old_or_whole(path, old, week_of(W1))
        again = run_cli(path, "--as-of", W2.isoformat())  # the next run, a week later
        _, err = again.communicate(timeout=120)
        assert again.returncode == EXIT_OK, err
        assert weeks(path) == ([] if was_kept else [week_of(W1)]) + [week_of(W2)]
        assert leftovers(tmp_path) == ["me.xlsx"]  # whatever the killed run left is gone


# -- a symlink ----------------------------------------------------------------------------------


def test_a_symlink_is_followed_the_link_stays_and_the_app_lock_is_looked_for_beside_the_real(
    tmp_path: Path,
) -> None:
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    real = new_workbook(real_dir / "me.xlsx")
    link = link_dir / "mine.xlsx"
    link.symlink_to(real)
    lock = real_dir / ".~lock.me.xlsx#"  # LibreOffice has the real file open
    lock.write_text("Ada,ada,host,02.12.2026 10:00,file:///home/ada/.config/libreoffice/4;")
    before = real.read_bytes()
    code, _, err = in_process(link, "--as-of", W1.isoformat())
    assert code == EXIT_FAILED and str(link) in err and "open in" in err
    assert real.read_bytes() == before
    lock.unlink()
    code, _, err = in_process(link, "--as-of", W1.isoformat())
    assert code == EXIT_OK, err
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert weeks(real) == [week_of(W1)]
    assert leftovers(real_dir) == ["me.xlsx"] and leftovers(link_dir) == ["mine.xlsx"]


def in_process(path: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            cli.main(["evaluate", str(path), *args], prog_name="matrix-xl", standalone_mode=True)
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


# -- a user who may not write ---------------------------------------------------------------------

NOBODY = 65534


def as_nobody(path: Path, *args: str) -> tuple[int, str, str]:
    """The CLI run by the unprivileged user ``nobody`` in a forked child of this process,
    which has every module it needs imported already (so the user need not reach the
    virtual environment, wherever it lives)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become nobody, run, report, exit without cleanup
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            code, out, err = in_process(path, *args)
            os.write(write_end, f"{code}\0{out}\0{err}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = pipe.read().decode()
    os.waitpid(pid, 0)
    code, out, err = report.split("\0")
    return int(code), out, err


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder the user nobody can reach (pytest's tmp_path is private to root)."""
    if os.geteuid() != 0:
        if IN_CI:
            pytest.fail("CI runs as root: this test must run there", pytrace=False)
        pytest.skip("switching to another user needs root")
    folder = Path(tempfile.mkdtemp(prefix="matrix-xl-nobody-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("case", ["own file", "read-only file", "another's file"])
def test_a_workbook_the_user_may_not_write_is_refused_as_that_user(
    shared_dir: Path, case: str
) -> None:
    warm = new_workbook(shared_dir / "warm.xlsx")
    evaluate(warm, as_of=W1)  # every module evaluate needs is imported before the fork
    warm.unlink()
    folder = shared_dir / "work"
    folder.mkdir()
    path = new_workbook(folder / "me.xlsx")
    os.chown(folder, NOBODY, NOBODY)
    if case != "another's file":
        os.chown(path, NOBODY, NOBODY)
    path.chmod(0o444 if case == "read-only file" else 0o644)
    before = path.read_bytes()
    code, out, err = as_nobody(path, "--as-of", W1.isoformat())
    if case == "own file":  # the control: this user can evaluate a file of theirs
        assert code == EXIT_OK, err
        assert weeks(path) == [week_of(W1)]
    else:
        assert code == EXIT_FAILED, (out, err)
        assert str(path) in err and "may not write to it" in err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert path.read_bytes() == before
    assert leftovers(folder) == ["me.xlsx"]


# -- a real LibreOffice re-save between two weeks -------------------------------------------------


@pytest.mark.slow
def test_after_a_libreoffice_resave_with_a_sheet_of_ones_own_evaluate_replaces_only_its_own(
    libreoffice: LibreOffice, tmp_path: Path
) -> None:
    path = new_workbook(tmp_path / "me.xlsx")
    evaluate(path, as_of=W1)
    book = openpyxl.load_workbook(path)  # the person adds a sheet of their own (in Excel)
    mine = book.create_sheet("My plan")
    mine["A1"] = "Read DDIA chapter 5"
    mine["B2"] = 42
    book.save(path)
    row = FIRST + IDS.index("cloud")
    libreoffice.save(path, path, {f"{L.MATRIX}!{RATING}{row}": 5})  # rated 5 in LibreOffice
    resaved = path.read_bytes()
    assert read_workbook(path).rating_map()["cloud"] == 5
    result = evaluate(path, as_of=W2)
    assert result.written == str(path)
    names = openpyxl.load_workbook(path).sheetnames
    assert names.count(L.SUMMARY) == 1 and names.count(L.HISTORY) == 1
    assert not any(n.startswith((f"{L.SUMMARY} (", f"{L.HISTORY} (")) for n in names)
    assert "My plan" in names
    again = openpyxl.load_workbook(path)["My plan"]
    assert (again["A1"].value, again["B2"].value) == ("Read DDIA chapter 5", 42)
    read = read_workbook(path)
    assert [h.week for h in read.history] == [week_of(W1), week_of(W2)]
    assert read.history[-1].ratings["cloud"] == 5
    found = libreoffice.read(path, ["'My plan'!A1", f"{L.MATRIX}!{RATING}{row}"])
    assert found == {"'My plan'!A1": "Read DDIA chapter 5", f"{L.MATRIX}!{RATING}{row}": 5.0}
    assert unchanged_parts(resaved, path.read_bytes())  # the person's sheet is byte-identical


def unchanged_parts(before: bytes, after: bytes) -> bool:
    """Whether the person's own sheet part is byte-identical after the write."""

    def part_of(data: bytes) -> bytes:
        part = {s.name: s.part for s in WorkbookEditor(data).sheets()}["My plan"]
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return package.read(part)

    return part_of(before) == part_of(after)
