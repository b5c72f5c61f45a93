"""The package's TOML format as text <-> plain data (dicts, lists, texts, numbers, booleans).

Reading is :mod:`tomllib`'s; it only reads, so writing is here. The writer knows nothing of
a :class:`~matrix_xl.definition.Definition`: it writes the plain data of
:meth:`~matrix_xl.definition.Definition.to_dict`, tables of tables as ``[[arrays]]``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from typing import Any

from matrix_xl.errors import DefinitionError

__all__ = ["data_to_toml", "toml_to_data"]


def toml_to_data(text: str, source: str = "<string>") -> dict[str, Any]:
    """Parse TOML text into plain data.

    Args:
        text: the TOML document.
        source: where it came from, named in the error.

    Returns:
        The document as a dict.

    Raises:
        DefinitionError: the text is not valid TOML; the message names the line.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"not valid TOML: {exc}", source) from None


def data_to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    """Write plain data as TOML that :func:`toml_to_data` reads back equal.

    Args:
        data: texts, whole numbers, booleans, lists of those, and lists of tables.
        prefix: the dotted name of the enclosing table array (for nested arrays).

    Returns:
        The TOML text, ending in a newline.

    Raises:
        TypeError: a value that this writer cannot write (a float, a bare table ...).
    """
    plain = [(k, v) for k, v in data.items() if not _is_table_array(v)]
    arrays = [(k, v) for k, v in data.items() if _is_table_array(v)]
    out = [f"{k} = {_toml_value(v)}" for k, v in plain]
    for key, items in arrays:
        for item in items:
            out.append(f"\n[[{prefix}{key}]]")
            out.append(data_to_toml(item, f"{prefix}{key}.").rstrip("\n"))
    return "\n".join(line for line in out if line) + "\n"


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        # JSON's escapes are TOML's, except that TOML also forbids a raw DEL.
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list) and all(not isinstance(x, dict) for x in v):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as a TOML value")


def _is_table_array(v: object) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)
