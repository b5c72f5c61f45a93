from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# =============================================================================
# Real LibreOffice for the whole test session (tests/libreoffice.py,
# tests/uno_worker.py). Request the `libreoffice` fixture; such tests are
# marked `libreoffice` automatically (`-m "not libreoffice"` leaves them out).
# Without LibreOffice or the system python's `uno` they are skipped, except
# when CI=true: there they fail, since CI must run them.
# =============================================================================
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:  # also works under --import-mode=importlib
    sys.path.insert(0, _TESTS)

from libreoffice import LibreOffice, LibreOfficeError, libreoffice_available  # noqa: E402


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def libreoffice() -> Iterator[LibreOffice]:
    """One headless LibreOffice shared by the whole session, closed at the end."""
    reason = libreoffice_available()
    if reason is not None:
        if _in_ci():
            pytest.fail(f"LibreOffice is required in CI: {reason}", pytrace=False)
        pytest.skip(reason)
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "libreoffice" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libreoffice)


# ============================== end of LibreOffice ===========================
