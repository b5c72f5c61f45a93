"""One personalised workbook per person of a roster CSV.

The CSV's header row says which column is which (``owner``/``name`` and ``role``/
``title``, any case). File names are made safe on every OS and unique (case-insensitively,
for Windows and macOS); nothing is overwritten without ``force``.

Generation builds the workbook once and puts each person's name and role into copies of
it, which is several times faster than building every workbook from scratch.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from matrix_xl.definition import Definition, default_definition
from matrix_xl.errors import UsageError
from matrix_xl.generate.names import owner_field_problem, safe_filename
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.xlsx.atomic import atomic_write_bytes

__all__ = ["RosterEntry", "generate_roster", "read_roster"]

OWNER_HEADERS = ("owner", "name", "full name", "person", "employee")
ROLE_HEADERS = ("role", "title", "job title", "position")
_OWNER_TOKEN = "MXLOWNERc1d2e3f4"
_ROLE_TOKEN = "MXLROLEc1d2e3f4"


@dataclass(frozen=True)
class RosterEntry:
    owner: str
    role: str
    line: int


def read_roster(path: str | Path) -> list[RosterEntry]:
    """Read a roster CSV (comma, semicolon or tab separated; UTF-8, with or without BOM).

    Args:
        path: the CSV file.

    Returns:
        One entry per person, in file order (blank lines skipped).

    Raises:
        UsageError: the file cannot be read, has no owner column, or a row has no owner.
    """
    path = Path(path)
    rows = _csv_rows(path)
    start = next(i for i, r in enumerate(rows) if any(c.strip() for c in r))
    header = [c.strip().casefold() for c in rows[start]]
    owner_col = next((header.index(h) for h in OWNER_HEADERS if h in header), None)
    role_col = next((header.index(h) for h in ROLE_HEADERS if h in header), None)
    if owner_col is None:
        found = ", ".join(repr(c) for c in rows[start]) or "none"
        raise UsageError(
            f"line {start + 1}: no owner column; the header row must name one of "
            f"{', '.join(OWNER_HEADERS)} (and a role column: {', '.join(ROLE_HEADERS)}). "
            f"Found: {found}",
            path,
        )
    entries = []
    for i in range(start + 1, len(rows)):
        row = rows[i]
        if not any(c.strip() for c in row):
            continue
        owner = row[owner_col].strip() if owner_col < len(row) else ""
        role = row[role_col].strip() if role_col is not None and role_col < len(row) else ""
        if not owner:
            raise UsageError(f"line {i + 1}: the owner is empty", path)
        for label, value in (("owner", owner), ("role", role)):
            problem = owner_field_problem(label, value)  # the workbook's own rule
            if problem:
                raise UsageError(f"line {i + 1}: {problem}", path)
        entries.append(RosterEntry(owner, role, i + 1))
    if not entries:
        raise UsageError("the roster has a header but no people", path)
    return entries


def _csv_rows(path: Path) -> list[list[str]]:
    """The roster's rows, in the separator it uses; at least one is not blank."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError("no such roster file", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the roster ({exc}); save it as UTF-8 CSV", path) from None
    if not any(line.strip() for line in text.splitlines()):
        raise UsageError("the roster is empty", path)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _unique_names(entries: list[RosterEntry]) -> list[str]:
    taken: set[str] = set()
    out = []
    for e in entries:
        base = safe_filename(e.owner)
        name, n = base, 2
        while name.casefold() in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name.casefold())
        out.append(f"{name}.xlsx")
    return out


_STRINGS = "xl/sharedStrings.xml"
_ESCAPE_LIKE = re.compile("(_x[0-9a-fA-F]{4}_)")


def _cell_text(text: str) -> str:
    """``text`` as xlsxwriter writes it into a shared string.

    Excel reads ``_xHHHH_`` in cell text as an escaped character, so a literal one is
    written with its underscore escaped (``_x005F``); U+FFFE and U+FFFF, which XML cannot
    hold, are written escaped. Without this, an owner typed as ``_x0041_`` would read
    back as ``A``.
    """
    text = _ESCAPE_LIKE.sub(r"_x005F\1", text)
    return escape(text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_"))


class _Template:
    """A built workbook with placeholder owner and role, copied per person."""

    def __init__(self, definition: Definition, created: date) -> None:
        data = build_workbook(definition, owner=_OWNER_TOKEN, role=_ROLE_TOKEN, created=created)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.infos = z.infolist()
            self.parts = {i.filename: z.read(i.filename) for i in self.infos}
        self.patched = [
            n
            for n, b in self.parts.items()
            if _OWNER_TOKEN.encode() in b or _ROLE_TOKEN.encode() in b
        ]

    def render(self, owner: str, role: str) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in self.infos:
                body = self.parts[info.filename]
                if info.filename in self.patched:
                    # Cell text the way xlsxwriter writes it; document properties plain XML.
                    text = _cell_text if info.filename == _STRINGS else escape
                    body = body.replace(_OWNER_TOKEN.encode(), text(owner).encode()).replace(
                        _ROLE_TOKEN.encode(), text(role).encode()
                    )
                z.writestr(info, body)
        return out.getvalue()


def generate_roster(
    roster: str | Path,
    out_dir: str | Path,
    definition: Definition | None = None,
    *,
    force: bool = False,
    created: date | None = None,
) -> list[Path]:
    """Write one workbook per roster row into ``out_dir``.

    Args:
        roster: the CSV.
        out_dir: the folder (created if missing).
        definition: the matrix; the built-in default when ``None``.
        force: overwrite files that exist.
        created: the creation date kept in the files (default today).

    Returns:
        The paths written, in roster order.

    Raises:
        UsageError: a bad roster, or files that exist (listed; nothing is written then).
    """
    entries = read_roster(roster)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError("the output folder is a file", out)
    names = _unique_names(entries)
    targets = [out / n for n in names]
    existing = [t.name for t in targets if t.exists()]
    if existing and not force:
        shown = ", ".join(existing[:5]) + (
            f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        )
        raise UsageError(
            f"{len(existing)} file(s) exist already ({shown}); nothing was "
            "written. Pass --force to overwrite them.",
            out,
        )
    out.mkdir(parents=True, exist_ok=True)
    template = _Template(definition or default_definition(), created or date.today())
    for entry, target in zip(entries, targets, strict=True):
        atomic_write_bytes(target, template.render(entry.owner, entry.role))
    return targets
