from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The team tests share their workbooks through team_files.py, next to this file.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # also works under --import-mode=importlib
    sys.path.insert(0, _HERE)

from team_files import make_mixed_folder  # noqa: E402


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """The issue's folder: good workbooks and every kind of bad one."""
    return make_mixed_folder(tmp_path / "returned")
