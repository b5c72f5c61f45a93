"""Drive a real, headless LibreOffice from the tests.

LibreOffice's Python bridge (``uno``) lives in the SYSTEM python, not in the
project's virtualenv, so this client starts two processes:

- ``soffice --headless ... --accept=socket,host=127.0.0.1,port=N;urp;`` with a
  throwaway profile, in its own process group;
- ``/usr/bin/python3 tests/uno_worker.py N``, which talks UNO to soffice and
  serves JSON-lines requests on its stdin/stdout.

Usage::

    with LibreOffice() as lo:
        rows = lo.batch("m.xlsx", [{"Matrix!E8": 4}, {"Matrix!E8": None}], ["ReadyToApply"])
        lo.save("m.xlsx", "filled.xlsx", {"Matrix!E8": 4})

Every request has a timeout: on a timeout or a dead worker/soffice, both
processes are stopped and LibreOfficeError is raised; the next request starts
a fresh LibreOffice (unless close() was called).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any

SYSTEM_PYTHON = "/usr/bin/python3"
WORKER = Path(__file__).resolve().with_name("uno_worker.py")
_FALLBACK_SOFFICE = "/usr/lib/libreoffice/program/soffice"

CellValue = float | int | str | None


class LibreOfficeError(RuntimeError):
    """LibreOffice could not be started, or a request failed or timed out."""


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if os.access(_FALLBACK_SOFFICE, os.X_OK):
        return _FALLBACK_SOFFICE
    return None


@cache
def libreoffice_available() -> str | None:
    """None when a real LibreOffice can be driven here, else the reason why not."""
    if find_soffice() is None:
        return "LibreOffice is not installed (no soffice on PATH); scripts/test installs it"
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"{SYSTEM_PYTHON} not found (the UNO bridge needs the system python)"
    try:
        proc = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {SYSTEM_PYTHON}: {exc}"
    if proc.returncode != 0:
        return (
            f"{SYSTEM_PYTHON} cannot import uno (install python3-uno): "
            f"{proc.stderr.strip().splitlines()[-1:] or proc.returncode}"
        )
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-limit:].strip()


class LibreOffice:
    """One headless LibreOffice plus its UNO worker. Not thread-safe."""

    def __init__(
        self,
        *,
        start_timeout: float = 60.0,
        request_timeout: float = 120.0,
        soffice: str | None = None,
    ) -> None:
        self.start_timeout = start_timeout
        self.request_timeout = request_timeout
        self._soffice_path = soffice
        self._soffice: subprocess.Popen[bytes] | None = None
        self._worker: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._tmp: Path | None = None
        self._ids = itertools.count(1)
        self._closed = False
        self.port: int | None = None
        #: seconds from launching soffice to the first successful ping
        self.startup_seconds: float | None = None
        atexit.register(self.close)

    # -- life cycle ----------------------------------------------------------
    def __enter__(self) -> LibreOffice:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self) -> LibreOffice:
        """Start soffice and the worker and wait for a ping. Idempotent."""
        if self.running:
            return self
        self._closed = False
        reason = libreoffice_available() if self._soffice_path is None else None
        if reason:
            raise LibreOfficeError(reason)
        soffice = self._soffice_path or find_soffice()
        assert soffice is not None
        self._tmp = Path(tempfile.mkdtemp(prefix="matrix-xl-lo-"))
        profile = self._tmp / "profile"
        self.port = _free_port()
        began = time.monotonic()
        try:
            with open(self._tmp / "soffice.log", "wb") as log:
                self._soffice = subprocess.Popen(
                    [
                        soffice,
                        "--headless",
                        "--invisible",
                        "--nologo",
                        "--norestore",
                        "--nodefault",
                        "--nolockcheck",
                        f"-env:UserInstallation={profile.as_uri()}",
                        f"--accept=socket,host=127.0.0.1,port={self.port};urp;",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # own process group: soffice forks soffice.bin
                )
            with open(self._tmp / "worker.log", "wb") as log:
                self._worker = subprocess.Popen(
                    [
                        SYSTEM_PYTHON,
                        str(WORKER),
                        str(self.port),
                        str(self.start_timeout),
                        str(self._tmp / "copies"),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    encoding="utf-8",
                    bufsize=1,
                    start_new_session=True,
                )
            self._lines = queue.Queue()
            assert self._worker.stdout is not None
            threading.Thread(
                target=_pump, args=(self._worker.stdout, self._lines), daemon=True
            ).start()
            self._request({"op": "ping"}, timeout=self.start_timeout + 5, starting=True)
        except BaseException as exc:
            details = self._diagnostics()
            self._shutdown()
            if isinstance(exc, LibreOfficeError):
                raise LibreOfficeError(f"LibreOffice did not start: {exc}{details}") from None
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def close(self) -> None:
        """Stop the worker and soffice and remove the profile. Safe to call twice."""
        self._closed = True
        self._shutdown(graceful=True)

    def _shutdown(self, graceful: bool = False) -> None:
        worker, self._worker = self._worker, None
        office, self._soffice = self._soffice, None
        if worker is not None:
            try:
                if worker.stdin is not None:
                    worker.stdin.close()  # the worker exits at end of input
            except OSError:
                pass
            if graceful:  # an idle worker exits at once; a stuck one is not waited for
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.wait(timeout=3)
            _stop(worker, grace=5)
        if office is not None:
            _stop(office, grace=10)
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    def _diagnostics(self) -> str:
        parts = []
        if self._soffice is not None and self._soffice.poll() is not None:
            parts.append(f"soffice exited with code {self._soffice.returncode}")
        if self._worker is not None and self._worker.poll() is not None:
            parts.append(f"worker exited with code {self._worker.returncode}")
        if self._tmp is not None:
            for name in ("soffice.log", "worker.log"):
                text = _tail(self._tmp / name)
                if text:
                    parts.append(f"--- {name} ---\n{text}")
        return ("\n" + "\n".join(parts)) if parts else ""

    # -- protocol --------------------------------------------------------------
    def _request(
        self, payload: dict[str, Any], timeout: float | None = None, starting: bool = False
    ) -> Any:
        if not starting:
            if self._closed:
                raise LibreOfficeError("this LibreOffice was closed")
            if self._soffice is not None and self._soffice.poll() is not None:
                self._shutdown()  # soffice died since the last request
            self.start()  # (re)starts after an earlier failure
        worker = self._worker
        assert worker is not None and worker.stdin is not None
        request_id = next(self._ids)
        message = json.dumps({**payload, "id": request_id}, allow_nan=False)
        try:
            worker.stdin.write(message + "\n")
            worker.stdin.flush()
        except OSError as exc:
            raise self._fail(f"cannot send {payload.get('op')!r} to the worker: {exc}") from None
        deadline = time.monotonic() + (timeout or self.request_timeout)
        while True:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                # The launcher (oosplash) lives as long as soffice.bin does.
                if self._soffice is not None and self._soffice.poll() is not None:
                    raise self._fail(f"soffice exited during {payload.get('op')!r}") from None
                if worker.poll() is not None:
                    raise self._fail(f"the worker died during {payload.get('op')!r}") from None
                if time.monotonic() > deadline:
                    waited = timeout or self.request_timeout
                    raise self._fail(
                        f"{payload.get('op')!r} timed out after {waited:g} s"
                    ) from None
                continue
            if line is None:
                raise self._fail(f"the worker closed its output during {payload.get('op')!r}")
            try:
                response = json.loads(line)
            except ValueError:
                raise self._fail(f"the worker wrote a non-JSON line: {line[:300]!r}") from None
            if response.get("id") != request_id:
                continue  # a late answer to a request that already timed out
            if not response.get("ok"):
                message = f"{payload.get('op')}: {response.get('error')}"
                if "DisposedException" in str(response.get("error")):
                    raise self._fail(message)  # the UNO bridge is gone: restart next time
                raise LibreOfficeError(message)
            return response.get("result")

    def _fail(self, message: str) -> LibreOfficeError:
        """Stop everything (the next request restarts) and build the error."""
        error = LibreOfficeError(message + self._diagnostics())
        self._shutdown()
        return error

    # -- public requests -----------------------------------------------------
    def ping(self) -> str:
        return str(self._request({"op": "ping"}))

    def batch(
        self,
        path: str | os.PathLike[str],
        sets: Sequence[Mapping[str, CellValue]],
        read: Sequence[str],
        *,
        timeout: float | None = None,
    ) -> list[dict[str, CellValue]]:
        """Load ``path`` once; for each set write its cells (each set starts
        from the file as loaded), recalculate, and read ``read`` (defined names
        or 'Sheet!A1'). One dict per set."""
        result = self._request(
            {
                "op": "batch",
                "path": os.fspath(path),
                "sets": [dict(s) for s in sets],
                "read": list(read),
            },
            timeout=timeout,
        )
        return list(result)

    def save(
        self,
        path: str | os.PathLike[str],
        out: str | os.PathLike[str],
        cells: Mapping[str, CellValue] | None = None,
        format: str = "xlsx",
        *,
        timeout: float | None = None,
    ) -> Path:
        """Load ``path``, write ``cells``, recalculate, store to ``out`` as
        xlsx, ods or pdf."""
        result = self._request(
            {
                "op": "save",
                "path": os.fspath(path),
                "out": os.fspath(out),
                "cells": dict(cells or {}),
                "format": format,
            },
            timeout=timeout,
        )
        return Path(result)

    def delete_rows(
        self,
        path: str | os.PathLike[str],
        out: str | os.PathLike[str],
        sheet: str,
        row: int,
        count: int = 1,
        *,
        timeout: float | None = None,
    ) -> Path:
        """Load ``path``, unprotect ``sheet``, delete ``count`` rows from ``row`` (1-based),
        protect it again and store to ``out`` as xlsx: a person's row deletion."""
        payload = {"op": "delete_rows", "path": os.fspath(path), "out": os.fspath(out)}
        payload |= {"sheet": sheet, "row": row, "count": count}
        return Path(self._request(payload, timeout=timeout))

    def read(
        self,
        path: str | os.PathLike[str],
        cells: Sequence[str],
        *,
        timeout: float | None = None,
    ) -> dict[str, CellValue]:
        """Values of ``cells`` (defined names or 'Sheet!A1') after load + recalculation."""
        return dict(
            self._request(
                {"op": "read", "path": os.fspath(path), "cells": list(cells)}, timeout=timeout
            )
        )

    def sheets(self, path: str | os.PathLike[str]) -> list[tuple[str, bool]]:
        """[(sheet name, visible), ...] in workbook order."""
        result = self._request({"op": "sheets", "path": os.fspath(path)})
        return [(item["name"], bool(item["visible"])) for item in result]


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    try:
        for line in stream:
            lines.put(line)
    except (OSError, ValueError):
        pass
    finally:
        lines.put(None)


def _stop(proc: subprocess.Popen[Any], grace: float) -> None:
    """Terminate the process group this client created for ``proc``, then kill it."""
    pgid = proc.pid  # start_new_session=True: the group id is the child's pid

    def signal_group(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)

    signal_group(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        signal_group(signal.SIGKILL)
        proc.wait(timeout=10)
    # soffice.bin (a child of the oosplash launcher) may outlive its parent.
    deadline = time.monotonic() + grace
    while _group_alive(pgid):
        if time.monotonic() > deadline:
            signal_group(signal.SIGKILL)
            time.sleep(0.1)
            break
        time.sleep(0.05)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
