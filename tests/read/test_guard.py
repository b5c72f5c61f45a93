"""The calamine guard: whatever python-calamine raises becomes one matrix-xl error."""

from __future__ import annotations

import io

import pytest
import python_calamine
from workbook_bytes import legacy_xls, record

from matrix_xl.errors import MatrixXLError, UnreadableWorkbookError
from matrix_xl.read.guard import calamine_guard


def test_a_calamine_panic_becomes_one_unreadable_workbook_error() -> None:
    # A NAME record 3 bytes long: calamine 0.9.1 indexes past it and the Rust code panics.
    # (A cell at XFD1048576, the panic once known, now aborts the process instead: the
    # package check refuses it before calamine runs, see test_package.py.)
    panicking = legacy_xls(record(0x0018, b"\0\0\0"))
    with pytest.raises(BaseException) as raw:
        python_calamine.load_workbook(io.BytesIO(panicking)).get_sheet_by_index(0).to_python()
    assert type(raw.value).__name__ == "PanicException"
    assert not isinstance(raw.value, Exception)  # so `except Exception` would miss it

    with (
        pytest.raises(UnreadableWorkbookError) as caught,
        calamine_guard("broken.xls", "sheet 'Sheet1'"),
    ):
        python_calamine.load_workbook(io.BytesIO(panicking)).get_sheet_by_index(0).to_python()
    message = str(caught.value)
    assert message.startswith("broken.xls: python-calamine could not read sheet 'Sheet1'")
    assert "PanicException" in message and "\n" not in message
    assert type(caught.value.__cause__).__name__ == "PanicException"


def test_a_calamine_error_becomes_one_unreadable_workbook_error() -> None:
    with (
        pytest.raises(UnreadableWorkbookError, match=r"^notes\.xlsx: .*CalamineError"),
        calamine_guard("notes.xlsx"),
    ):
        python_calamine.load_workbook(io.BytesIO(b"Skill,Rating\n"))


@pytest.mark.parametrize("passing", [KeyboardInterrupt(), SystemExit(3), MatrixXLError("ours")])
def test_the_guard_lets_interrupts_and_our_own_errors_through(passing: BaseException) -> None:
    with pytest.raises(type(passing)) as caught, calamine_guard("m.xlsx"):
        raise passing
    assert caught.value is passing
