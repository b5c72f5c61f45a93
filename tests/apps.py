"""Real spreadsheet applications for tests: is one here, and what to do when it is not.

A test that needs a real application skips without it on a developer's machine, and fails
when CI=true: CI must run every test, so a missing install is a red build, never a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

__all__ = ["gnumeric_available", "in_ci", "require_app"]


def in_ci() -> bool:
    """Whether this is a CI run (CI=true, as .ci/run sets it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_app(app: str, reason: str | None) -> None:
    """Go on when ``reason`` is None; else skip the test, or fail it when CI=true.

    Args:
        app: the application's name, for the message.
        reason: why it cannot be used here, or None when it can.
    """
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"{app} is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def gnumeric_available() -> str | None:
    """None when Gnumeric's ``ssconvert`` runs here, else the reason why not."""
    ssconvert = shutil.which("ssconvert")
    if ssconvert is None:
        return "Gnumeric is not installed (no ssconvert on PATH); scripts/test installs it"
    try:
        proc = subprocess.run(
            [ssconvert, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {ssconvert}: {exc}"
    if proc.returncode != 0:
        return f"{ssconvert} --version failed: {proc.stderr.strip()[-300:] or proc.returncode}"
    return None
