"""The real-application fixtures: skip on a developer's machine, fail in CI, work when there."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from apps import require_app

from matrix_xl import build_workbook, read_workbook


def test_a_present_application_lets_the_test_go_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require_app("Gnumeric", None)


def test_a_missing_application_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        require_app("Gnumeric", "not installed")


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_a_missing_application_fails_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="Gnumeric is required in CI: not installed"):
        require_app("Gnumeric", "not installed")


def test_gnumeric_recalculates_a_workbook_that_reads_back(ssconvert: str, tmp_path: Path) -> None:
    source, saved = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    source.write_bytes(build_workbook(owner="Ada", ratings={"cloud": 4}))
    result = subprocess.run(
        [ssconvert, "--recalc", str(source), str(saved)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert read_workbook(saved).rating_map() == read_workbook(source).rating_map()
