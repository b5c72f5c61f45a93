"""scripts/bench.py runs end to end and prints its summary. No timing is asserted here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "bench.py"
FIGURES = ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)")


@pytest.mark.slow  # about 12 s: the whole benchmark script, in its quick mode
def test_the_benchmark_runs_and_prints_one_line_per_figure(tmp_path: Path) -> None:
    # Its scratch folder goes in a temporary folder of this test's own, so that another
    # benchmark running on the machine at the same time cannot look like a leftover; and
    # it imports this checkout's matrix_xl, whatever the venv has installed.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": path}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--skip-10k"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["figure", "measured", "baseline", "ratio", "goal", "result"]
    for figure in FIGURES:
        line = next((x for x in lines if x.startswith(figure)), None)
        assert line is not None, f"no {figure} line in:\n{result.stdout}"
        assert re.search(r"\s(PASS|FAIL|info)$", line), line
    assert "skipped" in next(x for x in lines if x.startswith("(c)"))
    assert list(tmp_path.iterdir()) == []  # it cleans up after itself
