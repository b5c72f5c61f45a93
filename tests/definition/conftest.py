"""Fixtures shared by the definition tests: the built-in default and the seed's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from matrix_xl.definition import Definition, default_definition

PACKAGED_SEED = Path(__file__).resolve().parents[2] / "matrix_xl" / "data" / "competency-matrix.md"


@pytest.fixture(scope="session")
def default() -> Definition:
    return default_definition()


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The seed competency matrix as packaged (``matrix_xl/data/competency-matrix.md``)."""
    return PACKAGED_SEED.read_text(encoding="utf-8")
