"""Sizes as a person reads them, and the file-size limit."""

from __future__ import annotations

import pytest

from matrix_xl.errors import WorkbookTooLargeError
from matrix_xl.read.limits import KiB, Limits, MiB, check_file_size, size_text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1023, "1,023 bytes"),
        (KiB, "1.0 KiB"),
        (10_000, "9.8 KiB"),
        (MiB, "1.0 MiB"),
        (200 * MiB, "200.0 MiB"),
        (5 * 1024 * MiB, "5,120.0 MiB"),
    ],
)
def test_size_text(size: int, text: str) -> None:
    assert size_text(size) == text


def test_the_file_size_limit_is_inclusive_and_says_both_sizes() -> None:
    limits = Limits(max_file_size=10_000)
    check_file_size(10_000, "m.xlsx", limits)
    with pytest.raises(WorkbookTooLargeError) as caught:
        check_file_size(10_001, "m.xlsx", limits)
    assert str(caught.value).startswith("m.xlsx: the file is 9.8 KiB, over the 9.8 KiB limit")
