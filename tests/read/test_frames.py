"""The frames the schemas run on: one row per skill, one per log entry, many workbooks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from matrix_xl.definition import default_definition
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.frames import log_frame, ratings_frame
from matrix_xl.read.model import MatrixRead
from matrix_xl.read.reader import read_workbook
from matrix_xl.read.rows import LogRow
from matrix_xl.xlsx import layout as L

D = default_definition()
IDS = [s.id for s in D.skills]


def read(ratings: dict[str, int], name: str) -> MatrixRead:
    return read_workbook(build_workbook(ratings=ratings), name=name)


def test_ratings_frame_has_nullable_integers() -> None:
    frame = read({"cloud": 4}, "x.xlsx").ratings
    assert str(frame["rating"].dtype) == "Int64"
    assert frame.set_index("skill_id").loc["cloud", "rating"] == 4
    assert frame["rating"].isna().sum() == len(IDS) - 1


def test_ratings_frame_of_many_workbooks_keeps_each_row_s_workbook_and_cells() -> None:
    a, b = read({"cloud": 4}, "a.xlsx"), read({"cloud": 2}, "b.xlsx")
    frame = ratings_frame([a, b])
    assert len(frame) == 2 * len(IDS)
    cloud = frame[frame["skill_id"] == "cloud"]
    assert list(zip(cloud["workbook"], cloud["rating"], strict=True)) == [
        ("a.xlsx", 4),
        ("b.xlsx", 2),
    ]
    row = a.rows[IDS.index("cloud")]
    first = cloud.iloc[0]
    assert (first["rating_cell"], first["notes_cell"], first["mandatory_cell"]) == (
        row.rating_cell,
        row.notes_cell,
        row.mandatory_cell,
    )
    assert (first["rating_min"], first["rating_max"]) == (D.min_rating, D.max_rating)
    assert {str(frame[c].dtype) for c in ("rating_min", "rating_max", "priority_max")} == {"int64"}


def test_frames_of_no_rows_have_every_column() -> None:
    empty = replace(read({}, "e.xlsx"), rows=[], log_rows=[])
    assert list(ratings_frame([empty]).columns) == list(ratings_frame([read({}, "f")]).columns)
    assert len(log_frame([empty])) == 0
    assert "known_skill" in log_frame([empty]).columns


def test_log_frame_dates_and_known_skills() -> None:
    base = read({}, "log.xlsx")
    cells = ("A2", "B2", "C2", "D2")
    entries = [
        LogRow(date(2026, 1, 1), "2026-01-01", "cloud (aws/azure/GCP basics)", "POC", "", 2, cells),
        LogRow(None, "yesterday", "Knitting", "yarn", "", 3, cells),
    ]
    frame = replace(base, log_rows=entries).log
    assert list(frame["known_skill"]) == [True, False]  # names compared as headers are
    assert frame["date"].iloc[0] == pd.Timestamp(2026, 1, 1)
    assert pd.isna(frame["date"].iloc[1])
    assert list(frame["sheet"]) == [L.LOG, L.LOG]
    assert str(frame["row"].dtype) == "int64"
