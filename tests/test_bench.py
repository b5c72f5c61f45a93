"""scripts/bench.py runs end to end and prints its summary. No timing is asserted here."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"
FIGURES = ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)")


@pytest.mark.slow  # about 12 s: the whole benchmark script, in its quick mode
def test_the_benchmark_runs_and_prints_one_line_per_figure() -> None:
    before = set(Path(tempfile.gettempdir()).glob("matrix-xl-bench-*"))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--skip-10k"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["figure", "measured", "baseline", "ratio", "goal", "result"]
    for figure in FIGURES:
        line = next((x for x in lines if x.startswith(figure)), None)
        assert line is not None, f"no {figure} line in:\n{result.stdout}"
        assert re.search(r"\s(PASS|FAIL|info)$", line), line
    assert "skipped" in next(x for x in lines if x.startswith("(c)"))
    # it cleans up after itself
    assert set(Path(tempfile.gettempdir()).glob("matrix-xl-bench-*")) == before
