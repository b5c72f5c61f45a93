#!/usr/bin/env python3
"""Change a workbook's self-ratings (and Date rated) the way a person does in Excel:
the demo's stand-in for a week of work between two evaluations.

    python scripts/demo_week.py out/demo.xlsx cloud=4 deployment=4 [--date-rated 2026-11-30]

Skills are named by id (``matrix-xl definition`` lists them); a rating of ``-`` clears
it. Only the named cells of the Matrix sheet change; every other byte of the package
stays as it was (the same cell editor the write-back uses).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from matrix_xl.read.reader import read_workbook
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.atomic import atomic_write_bytes
from matrix_xl.xlsx.graft import WorkbookEditor
from matrix_xl.xlsx.splice import CellValue


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("ratings", nargs="*", metavar="SKILL_ID=RATING")
    parser.add_argument("--date-rated", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    data = args.workbook.read_bytes()
    read = read_workbook(data, name=str(args.workbook))
    cells = {r.skill_id: r.rating_cell for r in read.rows}
    changes: dict[str, CellValue] = {}
    for item in args.ratings:
        skill_id, _, value = item.partition("=")
        if skill_id not in cells or not (value == "-" or value.isdigit()):
            parser.error(f"{item!r}: expected SKILL_ID=RATING with a skill id of the matrix")
        changes[cells[skill_id]] = None if value == "-" else int(value)
    if args.date_rated is not None:
        if not read.date_rated_cell:
            parser.error(f"{args.workbook}: no {L.DATE_RATED!r} label on the Matrix sheet")
        changes[read.date_rated_cell] = args.date_rated
    editor = WorkbookEditor(data, str(args.workbook))
    editor.set_cells(read.sheet, changes)
    atomic_write_bytes(args.workbook, editor.to_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
