"""Safe writes: atomic, locked, refused when unsafe; the original survives every failure.

Real processes, real signals and real users: no mock of ``os``. The child processes run
:data:`CHILD` with the worktree on their path.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix_xl.errors import (
    UnreadableWorkbookError,
    UnsafeWriteError,
    UsageError,
    WorkbookTooLargeError,
)
from matrix_xl.xlsx.atomic import (
    FileIdentity,
    atomic_write,
    atomic_write_bytes,
    locked_update,
    open_in_an_app,
    write_output,
)

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}

# Modes: append MARKER TIMES | churn | hang | own-handler | update (prints the outcome).
CHILD = r"""
import os, signal, sys, time
from pathlib import Path
from matrix_xl.errors import MatrixXLError
from matrix_xl.xlsx.atomic import locked_update

signal.signal(signal.SIGINT, signal.default_int_handler)  # whatever the parent had
signal.signal(signal.SIGTERM, signal.SIG_DFL)
mode, path = sys.argv[1], Path(sys.argv[2])


def generation(k):
    return b"gen %d\n" % k + bytes([k % 251]) * 200_000 + b"\nend %d\n" % k


def hang(tmp):
    print("writing", flush=True)
    time.sleep(60)


if mode == "append":
    marker, refused = sys.argv[3], 0
    for i in range(int(sys.argv[4])):
        try:
            with locked_update(path) as update:
                update.replace(update.original + f"{marker}:{i}\n".encode())
        except MatrixXLError as exc:
            refused += 1
            print(f"refused {i}: {exc}", flush=True)
    print(f"done {refused}", flush=True)
elif mode == "churn":
    print("go", flush=True)
    while True:
        with locked_update(path) as update:
            k = int(update.original.split(b"\n", 1)[0].split()[1])
            update.replace(generation(k + 1))
elif mode in ("hang", "own-handler"):
    if mode == "own-handler":
        signal.signal(signal.SIGTERM, lambda signum, frame: print("own handler", flush=True))
    try:
        with locked_update(path) as update:
            update.replace(b"new", check=hang)
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
        sys.exit(130)
    except MatrixXLError as exc:
        print(f"error: {exc}", flush=True)
        sys.exit(exc.exit_code)
elif mode == "update":
    try:
        with locked_update(path) as update:
            update.replace(b"new")
        print("written")
    except MatrixXLError as exc:
        print(f"{type(exc).__name__}: {exc}")
"""


def child(*args: object, python: list[str] | None = None) -> subprocess.Popen[str]:
    """Start :data:`CHILD` with ``python`` (a command: setpriv's and an interpreter, say)."""
    command = [*(python or [sys.executable]), "-B", "-c", CHILD, *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd="/")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def temps(folder: Path) -> list[str]:
    return [name for name in leftovers(folder) if ".matrix-xl-" in name]


# -- the existing guarantees ------------------------------------------------------------------


def test_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    path.chmod(0o604)
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
    assert leftovers(tmp_path) == ["me.xlsx"]


def test_a_new_file_gets_the_usual_permissions_not_mkstemps(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    umask = os.umask(0o022)
    try:
        atomic_write_bytes(path, b"data")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.parametrize("where", ["body", "check"])
def test_a_failure_leaves_the_original_and_no_temporary_file(tmp_path: Path, where: str) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"original")

    def check(tmp: Path) -> None:
        assert tmp.read_bytes() == b"half"
        if where == "check":
            raise OSError(5, "Input/output error")

    with pytest.raises((UnsafeWriteError, RuntimeError)) as info, atomic_write(path, check) as tmp:
        tmp.write_bytes(b"half")
        if where == "body":
            raise RuntimeError("killed midway")
    if where == "check":
        assert isinstance(info.value, UnsafeWriteError)
        assert "left as it was" in str(info.value) and str(path) in str(info.value)
    assert path.read_bytes() == b"original"
    assert leftovers(tmp_path) == ["me.xlsx"]


def test_a_folder_that_does_not_exist_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UnsafeWriteError, match="cannot write in"):
        atomic_write_bytes(tmp_path / "nope" / "me.xlsx", b"x")


def test_the_temporary_file_is_beside_the_target_and_named_after_it(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    seen: list[str] = []
    with locked_update(path) as update:
        update.replace(b"new", check=lambda tmp: seen.append(tmp.name))
    assert seen[0].startswith(".me.xlsx.matrix-xl-") and seen[0].endswith(".xlsx")
    assert leftovers(tmp_path) == ["me.xlsx"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another owner")
def test_owner_group_and_mode_are_kept_as_root(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    os.chown(path, 65534, 65534)
    path.chmod(0o2640)
    with locked_update(path) as update:
        update.replace(b"new")
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o2640)
    assert path.read_bytes() == b"new"


# -- one locked read-modify-write ------------------------------------------------------------


def test_an_update_reads_under_the_lock_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"one")
    with locked_update(path) as update:
        assert update.original == b"one" and update.target == path.resolve()
        assert update.identity == FileIdentity.of(path)
        update.replace(update.original + b" two")
    assert path.read_bytes() == b"one two"
    with locked_update(path) as update, update.writing() as tmp:
        tmp.write_bytes(b"three")
    assert path.read_bytes() == b"three"
    assert leftovers(tmp_path) == ["me.xlsx"]


def test_an_update_writes_once(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"one")
    with locked_update(path) as update:
        update.replace(b"two")
        with pytest.raises(RuntimeError, match="once"):
            update.replace(b"three")
    with pytest.raises(RuntimeError):
        update.replace(b"four")
    assert path.read_bytes() == b"two"


def test_a_file_changed_behind_the_lock_is_not_overwritten(tmp_path: Path) -> None:
    # A program that takes no lock (a spreadsheet app) saves in place meanwhile.
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"read")
    with (
        pytest.raises(UnsafeWriteError, match="changed since it was read") as info,
        locked_update(path) as update,
    ):
        with open(path, "r+b") as handle:
            handle.write(b"saved")
        update.replace(b"ours")
    assert info.value.exit_code == 2
    assert path.read_bytes() == b"saved"
    assert leftovers(tmp_path) == ["me.xlsx"]


def test_a_file_replaced_behind_the_lock_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"read")
    with pytest.raises(UnsafeWriteError, match="changed"), locked_update(path) as update:
        (tmp_path / "other").write_bytes(b"read")  # same bytes, another inode
        os.replace(tmp_path / "other", path)
        update.replace(b"ours")
    assert path.read_bytes() == b"read"


def test_expect_refuses_a_file_that_is_no_longer_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"v1")
    seen = FileIdentity.of(path)
    with locked_update(path, expect=b"v1") as update:
        assert update.identity == seen
    path.write_bytes(b"v2")
    for expect in (b"v1", seen):
        with (
            pytest.raises(UnsafeWriteError, match="changed since"),
            locked_update(path, expect=expect),
        ):
            pass
    assert path.read_bytes() == b"v2"


def test_what_is_not_a_file_to_update_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableWorkbookError, match="no such file"):
        locked_update(tmp_path / "missing.xlsx").__enter__()
    with pytest.raises(UnreadableWorkbookError, match="a folder"):
        locked_update(tmp_path).__enter__()
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableWorkbookError, match="not a regular file"):
        locked_update(fifo).__enter__()
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"x" * 101)
    with pytest.raises(WorkbookTooLargeError, match="over the 100-byte limit"):
        locked_update(big, max_size=100).__enter__()


# -- symlinks and spreadsheet apps -------------------------------------------------------------


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    real = real_dir / "me.xlsx"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = link_dir / "me.xlsx"
    link.symlink_to(real)
    temp_dirs: list[Path] = []
    with locked_update(link) as update:
        assert update.target == real.resolve()
        update.replace(b"new", check=lambda tmp: temp_dirs.append(tmp.parent))
    assert temp_dirs == [real.resolve().parent]
    assert link.is_symlink() and link.readlink() == real
    assert real.read_bytes() == b"new" and stat.S_IMODE(real.stat().st_mode) == 0o640
    atomic_write_bytes(link, b"newer")  # the older door follows it too
    assert link.is_symlink() and real.read_bytes() == b"newer"
    assert leftovers(real_dir) == ["me.xlsx"] and leftovers(link_dir) == ["me.xlsx"]


@pytest.mark.parametrize("lock", ["~$me.xlsx", ".~lock.me.xlsx#"])
def test_a_workbook_open_in_an_app_is_not_updated(tmp_path: Path, lock: str) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    assert open_in_an_app(path) is None
    (tmp_path / lock).write_text("someone,host,2026-11-26", encoding="utf-8")
    assert open_in_an_app(path) == tmp_path / lock
    with pytest.raises(UnsafeWriteError, match="open in a spreadsheet") as info:
        locked_update(path).__enter__()
    assert lock in str(info.value)
    with locked_update(path, refuse_if_open=False) as update:
        update.replace(b"new")
    assert path.read_bytes() == b"new"


def test_the_app_lock_file_is_looked_for_beside_the_real_file(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "book.xlsx"
    real.write_bytes(b"old")
    link = tmp_path / "me.xlsx"
    link.symlink_to(real)
    (tmp_path / "real" / ".~lock.book.xlsx#").write_text("x", encoding="utf-8")
    assert open_in_an_app(link) == tmp_path / "real" / ".~lock.book.xlsx#"
    with pytest.raises(UnsafeWriteError, match="open in a spreadsheet"):
        locked_update(link).__enter__()
    assert real.read_bytes() == b"old"


# -- new outputs (-o OUT) ------------------------------------------------------------------------


def test_an_existing_output_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    with write_output(out) as tmp:
        tmp.write_bytes(b"first")
    assert out.read_bytes() == b"first"
    out.chmod(0o640)
    with pytest.raises(UsageError, match="exists; pass --force"), write_output(out) as tmp:
        tmp.write_bytes(b"second")
    assert out.read_bytes() == b"first"
    with write_output(out, force=True) as tmp:
        tmp.write_bytes(b"third")
    assert out.read_bytes() == b"third" and stat.S_IMODE(out.stat().st_mode) == 0o640
    with pytest.raises(UsageError, match="folder"), write_output(tmp_path):
        pass
    assert leftovers(tmp_path) == ["out.xlsx"]


def test_an_output_that_appears_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    with pytest.raises(UsageError, match="appeared"), write_output(out) as tmp:
        tmp.write_bytes(b"ours")
        out.write_bytes(b"someone else's")
    assert out.read_bytes() == b"someone else's"
    assert leftovers(tmp_path) == ["out.xlsx"]


# -- concurrency ---------------------------------------------------------------------------------


def test_two_processes_updating_one_file_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"")
    times = 25
    runs = [child("append", path, marker, times) for marker in ("A", "B")]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    lines = path.read_bytes().decode().splitlines()
    for marker, output in zip(("A", "B"), outputs, strict=True):
        refused = {int(line.split()[1].rstrip(":")) for line in output.splitlines()[:-1]}
        assert output.splitlines()[-1] == f"done {len(refused)}"
        expected = [f"{marker}:{i}" for i in range(times) if i not in refused]
        assert [line for line in lines if line.startswith(f"{marker}:")] == expected
    assert len(lines) + sum(int(o.split()[-1]) for o in outputs) == 2 * times  # none torn
    assert len(lines) == 2 * times  # the lock makes the second wait, not fail
    assert leftovers(tmp_path) == ["me.xlsx"]


def _open_fds_on(path: Path) -> int:
    """How many descriptors of this process are open on ``path`` (Linux /proc)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}") == str(path)
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_a_waiter_on_the_replaced_inode_reads_the_new_file(tmp_path: Path) -> None:
    # os.replace swaps the inode under a waiter that locked the old one: it must notice.
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"0")
    seen: list[bytes] = []

    def second() -> None:
        with locked_update(path) as update:
            seen.append(update.original)
            update.replace(update.original + b"B")

    with locked_update(path) as first:
        waiter = threading.Thread(target=second)
        waiter.start()
        for _ in range(60_000):  # until the waiter has opened the old inode
            if _open_fds_on(path.resolve()) >= 2:
                break
            time.sleep(0.001)
        else:
            pytest.fail("the second update never opened the file")
        first.replace(first.original + b"A")
    waiter.join()
    assert seen == [b"0A"] and path.read_bytes() == b"0AB"
    assert leftovers(tmp_path) == ["me.xlsx"]


def test_a_lock_held_too_long_is_refused_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    errors: list[BaseException] = []

    def impatient() -> None:
        try:
            with locked_update(path, timeout=0) as update:
                update.replace(b"impatient")
        except UnsafeWriteError as exc:
            errors.append(exc)

    with locked_update(path):
        waiter = threading.Thread(target=impatient)
        waiter.start()
        waiter.join()
    assert len(errors) == 1 and "another process is writing it" in str(errors[0])
    assert path.read_bytes() == b"old"


def test_writes_from_another_thread_work_and_signal_handlers_are_restored(
    tmp_path: Path,
) -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    path = tmp_path / "me.xlsx"
    atomic_write_bytes(path, b"main")
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    worker = threading.Thread(target=atomic_write_bytes, args=(path, b"thread"))
    worker.start()
    worker.join()
    assert path.read_bytes() == b"thread"


# -- kills and signals ---------------------------------------------------------------------------


def _wait_for(run: subprocess.Popen[str], line: str) -> None:
    assert run.stdout is not None
    assert run.stdout.readline().strip() == line


def generation(k: int) -> bytes:
    return b"gen %d\n" % k + bytes([k % 251]) * 200_000 + b"\nend %d\n" % k


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_a_whole_file_and_the_next_run_cleans_up(
    tmp_path: Path,
) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(generation(0))
    rng, last = random.Random(9), 0
    for _ in range(24):
        run = child("churn", path)
        _wait_for(run, "go")
        time.sleep(rng.uniform(0, 0.04))
        run.kill()
        run.wait()
        data = path.read_bytes()
        k = int(data.split(b"\n", 1)[0].split()[1])
        assert data == generation(k) and k >= last  # the old or a new whole file, never torn
        last = k
        with locked_update(path):  # the next run, which removes what the killed one left
            pass
        assert leftovers(tmp_path) == ["me.xlsx"]
    assert last > 0


def test_a_temporary_file_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    run = child("hang", path)
    _wait_for(run, "writing")
    assert len(temps(tmp_path)) == 1  # the killed run's temporary file
    run.kill()
    run.wait()
    assert path.read_bytes() == b"old" and len(temps(tmp_path)) == 1
    with locked_update(path) as update:
        assert temps(tmp_path) == []
        update.replace(b"next")
    assert leftovers(tmp_path) == ["me.xlsx"] and path.read_bytes() == b"next"


def test_only_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    stale = tmp_path / ".me.xlsx.matrix-xl-0badf00d.xlsx"
    stale.write_bytes(b"half")
    link = tmp_path / ".me.xlsx.matrix-xl-1badf00d.xlsx"
    os.link(path, link)  # killed between linking a new file in and removing the temp name
    live = tmp_path / ".me.xlsx.matrix-xl-2badf00d.xlsx"
    live.write_bytes(b"being written")
    other = tmp_path / ".you.xlsx.matrix-xl-3badf00d.xlsx"
    other.write_bytes(b"another file's")
    with open(live, "rb") as writer:
        fcntl.flock(writer.fileno(), fcntl.LOCK_EX)  # a live writer holds its temp file
        with locked_update(path):
            pass
    assert leftovers(tmp_path) == sorted([live.name, other.name, "me.xlsx"])
    assert path.read_bytes() == b"old"


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGTERM, -signal.SIGTERM, ""), (signal.SIGINT, 130, "KeyboardInterrupt")],
)
def test_sigterm_and_sigint_remove_the_temporary_file(
    tmp_path: Path, signum: int, code: int, said: str
) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    run = child("hang", path)
    _wait_for(run, "writing")
    assert len(temps(tmp_path)) == 1
    run.send_signal(signum)
    out, _ = run.communicate(timeout=30)
    assert run.returncode == code and out.strip() == said  # died of SIGTERM: status 143
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == ["me.xlsx"]


def test_a_programs_own_sigterm_handler_is_called_after_the_clean_up(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    path.write_bytes(b"old")
    run = child("own-handler", path)
    _wait_for(run, "writing")
    run.send_signal(signal.SIGTERM)
    out, _ = run.communicate(timeout=30)
    assert out.splitlines() == [
        "own handler",
        f"error: {path}: interrupted by SIGTERM; the file was left as it was",
    ]
    assert run.returncode == 2
    assert path.read_bytes() == b"old" and leftovers(tmp_path) == ["me.xlsx"]


# -- a user who may not write ---------------------------------------------------------------------


@functools.cache
def _as_nobody() -> tuple[list[str] | None, str]:
    """A Python command running as an unprivileged user, or None and the reason why not.

    The user must be able to run the interpreter and import matrix-xl's write module
    (stdlib only): a virtual environment under /root is out of nobody's reach, a system
    Python is not.
    """
    if os.geteuid() != 0:
        return [sys.executable], ""  # already unprivileged: permission bits apply
    if shutil.which("setpriv"):
        switch = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    elif shutil.which("runuser"):
        switch = ["runuser", "-u", "nobody", "--"]
    else:
        return None, "root, and neither setpriv nor runuser to run as an unprivileged user"
    probe = "import sys; assert sys.version_info >= (3, 11); import matrix_xl.xlsx.atomic"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for python in dict.fromkeys([sys.executable, shutil.which("python3") or sys.executable]):
        command = [*switch, python]
        done = subprocess.run([*command, "-B", "-c", probe], env=env, cwd="/", check=False)
        if done.returncode == 0:
            return command, ""
    return None, f"the user nobody cannot run {sys.executable} nor a system python3 >= 3.11"


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder another user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="matrix-xl-atomic-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("case", ["writable", "read-only file", "another's file", "own folder"])
def test_a_file_the_user_may_not_write_is_refused_not_replaced(shared_dir: Path, case: str) -> None:
    python, why_not = _as_nobody()
    if python is None:
        if IN_CI:  # CI runs as root: this test must run there
            pytest.fail(f"cannot test as an unprivileged user: {why_not}", pytrace=False)
        pytest.skip(why_not)
    if case == "another's file" and os.geteuid() != 0:
        pytest.skip("making another user's file needs root")
    folder = shared_dir / "work"
    folder.mkdir()
    path = folder / "me.xlsx"
    path.write_bytes(b"old")
    if os.geteuid() == 0:
        # The user owns the folder, except in "own folder" (the file is theirs, not the
        # folder); "another's file" stays root's, so only the folder is theirs.
        if case != "own folder":
            os.chown(folder, 65534, 65534)
        if case != "another's file":
            os.chown(path, 65534, 65534)
    path.chmod(0o444 if case == "read-only file" else 0o644)
    if case == "own folder" and os.geteuid() != 0:
        folder.chmod(0o555)
    run = child("update", path, python=python)
    out, _ = run.communicate(timeout=60)
    folder.chmod(0o755)
    if case == "writable":  # the control: this user can update a file of theirs
        assert out.strip() == "written" and path.read_bytes() == b"new"
    else:
        assert out.startswith("UnsafeWriteError: "), out
        assert str(path) in out
        assert ("cannot write in" if case == "own folder" else "may not write to it") in out
        assert path.read_bytes() == b"old"
    assert leftovers(folder) == ["me.xlsx"]


# -- the original survives every failure --------------------------------------------------------


class Abort(BaseException):
    """Not an Exception: a failure that ``except Exception`` would not see."""


FAILURES = st.sampled_from([None, OSError(28, "No space left"), ValueError("bad"), Abort()])


@settings(max_examples=60, deadline=None)
@given(
    original=st.binary(max_size=300),
    new=st.binary(max_size=300),
    door=st.sampled_from(["replace", "writing", "atomic_write", "write_output"]),
    failure=FAILURES,
    where=st.sampled_from(["body", "check"]),
)
def test_the_original_is_byte_identical_after_any_failure(
    original: bytes, new: bytes, door: str, failure: BaseException | None, where: str
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = folder / "me.xlsx"
        path.write_bytes(original)

        def check(tmp: Path) -> None:
            assert tmp.read_bytes() == new
            if failure is not None and where == "check":
                raise failure

        def write(tmp: Path) -> None:
            tmp.write_bytes(new)
            if failure is not None and where == "body":
                raise failure

        try:
            if door == "replace":
                with locked_update(path) as update:
                    if where == "body" and failure is not None:
                        raise failure
                    update.replace(new, check=check)
            else:
                with contextlib.ExitStack() as stack:
                    if door == "writing":
                        update = stack.enter_context(locked_update(path))
                        tmp = stack.enter_context(update.writing(check))
                    elif door == "atomic_write":
                        tmp = stack.enter_context(atomic_write(path, check))
                    else:
                        tmp = stack.enter_context(write_output(path, force=True, check=check))
                    write(tmp)
        except (UnsafeWriteError, OSError, ValueError, Abort) as exc:
            assert failure is not None
            in_a_write = door != "replace" or where == "check"
            if isinstance(failure, OSError) and in_a_write:  # a failed write: one clear error
                assert isinstance(exc, UnsafeWriteError) and "left as it was" in str(exc)
            else:
                assert exc is failure
            assert path.read_bytes() == original
        else:
            assert failure is None and path.read_bytes() == new
        assert leftovers(folder) == ["me.xlsx"]
