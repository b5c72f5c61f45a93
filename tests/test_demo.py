"""scripts/demo_week.py, the demo's stand-in for a person's week in Excel: it changes the
named ratings and Date rated, and nothing else of the package."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

from matrix_xl.read.reader import read_workbook

ROOT = Path(__file__).resolve().parents[1]


def week_of_work(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo_week.py"), str(path), *args],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip


def parts(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


def test_a_week_of_work_changes_the_named_ratings_and_date_rated_only(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    path.write_bytes((ROOT / "examples" / "filled.xlsx").read_bytes())
    before = read_workbook(path)
    done = week_of_work(
        path, "cloud=4", "time-series=2", "communication=-", "--date-rated", "2026-11-30"
    )
    assert done.returncode == 0, done.stderr
    after = read_workbook(path)
    changed = {"cloud": 4, "time-series": 2, "communication": None}
    assert after.rating_map() == {**before.rating_map(), **changed}
    assert (after.date_rated, after.findings) == (date(2026, 11, 30), before.findings)
    old, new = parts((ROOT / "examples" / "filled.xlsx").read_bytes()), parts(path.read_bytes())
    matrix = after.package.sheets[after.sheet] if after.package else ""
    assert sorted(old) == sorted(new)
    assert [name for name in old if old[name] != new[name]] == [matrix]


def test_an_unknown_skill_is_refused_and_the_file_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    path.write_bytes((ROOT / "examples" / "filled.xlsx").read_bytes())
    done = week_of_work(path, "no-such-skill=3")
    assert done.returncode == 2 and "no-such-skill=3" in done.stderr
    assert path.read_bytes() == (ROOT / "examples" / "filled.xlsx").read_bytes()
