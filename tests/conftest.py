from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# =============================================================================
# Hypothesis: a "dev" profile by default, a "ci" one with more examples when
# CI=true; HYPOTHESIS_PROFILE=name picks one. A test's own
# @settings(max_examples=...) still wins over either.
# =============================================================================
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=250, deadline=None, print_blob=True)

# =============================================================================
# Real applications for the whole test session (tests/apps.py).
# - LibreOffice (tests/libreoffice.py, tests/uno_worker.py): request the
#   `libreoffice` fixture; such tests are marked `libreoffice`.
# - Gnumeric: request the `ssconvert` fixture (the path of Gnumeric's
#   converter); such tests are marked `gnumeric`.
# Without the application they are skipped, except when CI=true: there they
# fail, since CI must run them. `-m "not libreoffice"` leaves them out.
# =============================================================================
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:  # also works under --import-mode=importlib
    sys.path.insert(0, _TESTS)

from apps import gnumeric_available, in_ci, require_app  # noqa: E402
from libreoffice import LibreOffice, LibreOfficeError, libreoffice_available  # noqa: E402

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else "dev"))

# fixture -> the marker its tests get
_APP_MARKERS = {"libreoffice": "libreoffice", "ssconvert": "gnumeric"}


@pytest.fixture(scope="session")
def libreoffice() -> Iterator[LibreOffice]:
    """One headless LibreOffice shared by the whole session, closed at the end."""
    require_app("LibreOffice", libreoffice_available())
    office = LibreOffice()
    try:
        office.start()
    except LibreOfficeError as exc:  # installed but broken: never a silent skip
        office.close()
        pytest.fail(str(exc), pytrace=False)
    try:
        yield office
    finally:
        office.close()


@pytest.fixture(scope="session")
def ssconvert() -> str:
    """The path of Gnumeric's ``ssconvert`` (``ssconvert --recalc in.xlsx out.xlsx``)."""
    require_app("Gnumeric", gnumeric_available())
    path = shutil.which("ssconvert")
    assert path is not None
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in _APP_MARKERS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(getattr(pytest.mark, marker))


# ============================== end of real applications =====================
