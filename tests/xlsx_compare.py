"""Compare two xlsx files part by part, the way XlsxWriter's own test-suite does.

Both files are unzipped; they must hold the same parts. XML parts are compared as lists
of elements (split between ``>`` and ``<``) after removing what changes on every run (the
document dates in ``docProps/core.xml``); in ``[Content_Types].xml`` and the ``.rels``
parts the element order carries no meaning, so those lists are sorted first. Other parts
are compared byte for byte.

Example:
    >>> compare_xlsx("got.xlsx", "tests/references/default.xlsx")  # doctest: +SKIP
    []
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["DEFAULT_IGNORE", "compare_xlsx"]

Source = str | Path | bytes

# part name -> regexes whose matches are removed before comparing
DEFAULT_IGNORE: Mapping[str, Sequence[str]] = {
    "docProps/core.xml": (
        r"<dcterms:created\b[^>]*>[^<]*</dcterms:created>",
        r"<dcterms:modified\b[^>]*>[^<]*</dcterms:modified>",
    ),
}

SNIPPET = 160  # characters of an element shown in a difference


def compare_xlsx(
    got: Source, expected: Source, ignore: Mapping[str, Sequence[str]] = DEFAULT_IGNORE
) -> list[str]:
    """List the differences between two xlsx files; empty when they are equal.

    Args:
        got: the file under test (a path or the file's bytes).
        expected: the reference (a path or the file's bytes).
        ignore: part name -> regexes removed from that part of both files before comparing.

    Returns:
        One readable line per differing part: the part's name and the first differing
        element of each side (or the missing and extra parts).
    """
    got_parts, expected_parts = _parts(got), _parts(expected)
    problems: list[str] = []
    missing = sorted(expected_parts.keys() - got_parts.keys())
    extra = sorted(got_parts.keys() - expected_parts.keys())
    if missing:
        problems.append(f"parts missing: {', '.join(missing)}")
    if extra:
        problems.append(f"parts not expected: {', '.join(extra)}")
    for name in sorted(got_parts.keys() & expected_parts.keys()):
        a, b = got_parts[name], expected_parts[name]
        if a == b:
            continue
        if not _is_xml(name):
            problems.append(f"{name}: binary part differs ({len(a)} vs {len(b)} bytes)")
            continue
        first = _first_difference(_elements(name, a, ignore), _elements(name, b, ignore))
        if first is not None:
            problems.append(f"{name}: {first}")
    return problems


def _parts(source: Source) -> dict[str, bytes]:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml"))


def _elements(name: str, data: bytes, ignore: Mapping[str, Sequence[str]]) -> list[str]:
    text = data.decode("utf-8")
    for pattern in ignore.get(name, ()):
        text = re.sub(pattern, "", text)
    text = re.sub(r"^(<\?xml[^>]*\?>)\s*", r"\1", text)  # the declaration's line break
    # Split between tags only: whitespace between them may be a text node (xml:space).
    elements = re.split(r"(?<=>)(?=<)", text)
    if name == "[Content_Types].xml" or name.endswith(".rels"):
        elements.sort()  # order is not meaningful there
    return elements


def _first_difference(got: list[str], expected: list[str]) -> str | None:
    for i, (a, b) in enumerate(zip(got, expected, strict=False)):
        if a != b:
            where = f" (after {_short(got[i - 1])})" if i else ""
            return f"element {i}{where}: got {_short(a)} expected {_short(b)}"
    if len(got) != len(expected):
        i = min(len(got), len(expected))
        more, side = (got, "got") if len(got) > len(expected) else (expected, "expected")
        return (
            f"{len(got)} elements vs {len(expected)} expected; "
            f"first unmatched ({side}): {_short(more[i])}"
        )
    return None


def _short(text: str) -> str:
    return repr(text if len(text) <= SNIPPET else text[: SNIPPET - 3] + "...")
