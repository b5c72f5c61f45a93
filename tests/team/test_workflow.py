"""``matrix-xl team`` as a library call and as a command: checks, roll-up, write, exit."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from team_files import READY, TODAY, cell, invoke, read_sheet, with_cells

import matrix_xl.team.workflow as workflow
from matrix_xl.cli import cli
from matrix_xl.errors import UsageError
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.team.workflow import TeamRun, team_roll_up


def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(b"PK\x03\x04 cut short")
    (folder / "b.xlsx").write_bytes(with_cells(build_workbook(owner="Nine"), {cell("cloud"): 9}))
    return folder


# -- the library call ----------------------------------------------------------------------


def test_a_team_with_anyone_usable_is_written_and_exits_0(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "team.xlsx"
    run = team_roll_up([mixed], out, today=TODAY)
    assert isinstance(run, TeamRun)
    assert (run.written, run.failure, run.exit_code, run.output) == (out, None, 0, out)
    assert len(run.report.people) == 5 and len(run.report.errors) == 4
    assert read_sheet(out, "Team")[0][0] == "Team roll-up"


def test_nobody_usable_writes_nothing_and_says_why(tmp_path: Path) -> None:
    out = tmp_path / "team.xlsx"
    run = team_roll_up([bad_folder(tmp_path)], out, today=TODAY)
    assert (run.written, run.exit_code) == (None, 2)
    assert run.failure == (
        "none of the 2 file(s) could be used (each is listed above with the reason); "
        "nothing was written"
    )
    assert len(run.report.errors) == 2 and not out.exists()
    gone = team_roll_up([tmp_path / "nowhere"], out)
    assert gone.exit_code == 2 and gone.failure is not None
    assert gone.failure.startswith("none of the 1 file(s) could be used")


def test_no_workbook_at_all_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("x")
    run = team_roll_up([tmp_path / "a", tmp_path / "b"], tmp_path / "team.xlsx")
    assert run.failure == f"no .xlsx or .xlsm workbook found in {tmp_path / 'a'}, {tmp_path / 'b'}"
    assert (run.report.files, run.written, run.exit_code) == (0, None, 2)


def test_the_output_is_never_an_input(mixed: Path) -> None:
    out = mixed / "team.xlsx"
    first = team_roll_up([mixed], out, today=TODAY)
    again = team_roll_up([mixed, out], out, force=True, today=TODAY)
    assert again.report.files == first.report.files == 9
    assert again.report.to_dict() == first.report.to_dict()
    assert str(out) not in json.dumps(again.report.to_dict())


@pytest.mark.parametrize("name", ["exists.xlsx", "team.csv", "folder.xlsx", "gone/team.xlsx"])
def test_a_bad_output_is_refused_before_any_workbook_is_read(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    (tmp_path / "exists.xlsx").write_bytes(b"last week's")
    (tmp_path / "folder.xlsx").mkdir()

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the workbooks were read")

    monkeypatch.setattr(workflow, "roll_up", never)
    with pytest.raises(UsageError):
        team_roll_up([mixed], tmp_path / name, progress=never)
    assert (tmp_path / "exists.xlsx").read_bytes() == b"last week's"


def test_force_overwrites_and_progress_is_reported(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "team.xlsx"
    out.write_bytes(b"last week's")
    calls: list[tuple[int, int]] = []
    run = team_roll_up([mixed], out, force=True, progress=lambda *c: calls.append(c), workers=1)
    assert run.written == out and read_sheet(out, "Team")[0][0] == "Team roll-up"
    assert calls[0] == (0, 9) and calls[-1] == (9, 9)


# -- the command ---------------------------------------------------------------------------


def test_a_mixed_folder_rolls_up_the_good_and_lists_every_bad_one(
    mixed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "team.xlsx"
    result = invoke("team", str(mixed), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.exists()
    text = result.stdout
    assert f"Wrote {out}: 5 people from 9 files." in text
    assert "4 files left out" in text
    assert "broken.xlsx: the file is a damaged zip" in text
    assert "nine.xlsx: rating 9 is not one of 1-5 at Matrix!" in text
    assert "(Cloud (AWS/Azure/GCP basics))" in text
    assert "twice.xlsx: rating 9 is not one of 1-5" in text and "(and 1 more error: " in text
    assert "budget.xlsx: no matrix table found on sheet 'Sheet'" in text
    for skipped in ("~$ada", ".~lock", ".hidden", "notes.txt"):
        assert skipped not in text
    assert result.stderr == ""


def test_json_lists_people_errors_and_the_statistics(mixed: Path, tmp_path: Path) -> None:
    result = invoke("team", str(mixed), "-o", str(tmp_path / "t.xlsx"), "--format", "json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert list(body) == [
        "as_of",
        "files",
        "people",
        "errors",
        "definitions",
        "coverage",
        "weakest",
        "trend",
    ]
    people = {p["owner"]: p for p in body["people"]}
    assert set(people) == {"=cmd|' /C calc'!A0", "Ada", "Bob", "noname", "Cy", "Nine"}
    ada = people["Ada"]
    assert {"workbook", "owner", "valid", "apply_ready", "promotion_ready"} <= set(ada)
    assert (ada["valid"], ada["apply_ready"], ada["promotion_ready"]) == (True, True, False)
    assert ada["ready"] == {"apply": True, "promotion": False}
    assert ada["workbook"] == str(mixed / "ada.xlsx")
    nine = people["Nine"]  # read, but invalid: listed, without verdicts, and as an error
    assert (nine["valid"], nine["apply_ready"], nine["promotion_ready"]) == (False, None, None)
    errors = {Path(e["workbook"]).name: e for e in body["errors"]}
    assert set(errors) == {"broken.xlsx", "budget.xlsx", "nine.xlsx", "twice.xlsx"}
    assert all(set(e) >= {"workbook", "message"} for e in body["errors"])
    assert errors["nine.xlsx"]["message"].startswith("rating 9 is not one of 1-5 at Matrix!")
    assert {c["definition"] for c in body["coverage"]} == {
        d["fingerprint"] for d in body["definitions"]
    }
    assert result.stderr == ""  # no progress bar, no chatter


def test_an_existing_team_workbook_is_not_overwritten_without_force(
    mixed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "team.xlsx"
    out.write_bytes(b"last week's")
    result = invoke("team", str(mixed), "-o", str(out))
    assert result.exit_code == 2 and "--force" in result.stderr
    assert result.stdout == ""
    assert out.read_bytes() == b"last week's"
    result = invoke("team", str(mixed), "-o", str(tmp_path / "team.csv"))
    assert result.exit_code == 2 and ".xlsx" in result.stderr
    assert invoke("team", str(mixed), "-o", str(out), "--force").exit_code == 0
    assert read_sheet(out, "Team")[0][0] == "Team roll-up"


def test_the_output_inside_the_folder_is_not_read_back(mixed: Path) -> None:
    out = mixed / "team.xlsx"
    assert invoke("team", str(mixed), "-o", str(out)).exit_code == 0
    result = invoke("team", str(mixed), "-o", str(out), "--force", "--format", "json")
    assert str(out) not in result.stdout


def test_nothing_readable_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "team.xlsx"
    result = invoke("team", str(bad_folder(tmp_path)), "-o", str(out))
    assert result.exit_code == 2
    assert "a.xlsx: the file is a damaged zip" in result.stdout
    assert result.stderr == (
        "matrix-xl: error: none of the 2 file(s) could be used (each is listed above with "
        "the reason); nothing was written\n"
    )
    assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("team", str(empty), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == f"matrix-xl: error: no .xlsx or .xlsm workbook found in {empty}\n"
    result = invoke("team", str(tmp_path / "nowhere"), "-o", str(out), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"][0]["message"] == "no such file or folder"
    assert not out.exists()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_progress_bar_only_for_text_on_a_terminal(
    fmt: str,
    mixed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    args = ["team", str(mixed), "-o", str(tmp_path / "t.xlsx"), "--format", fmt]
    with pytest.raises(SystemExit) as exit_:
        cli.main(args, prog_name="matrix-xl", standalone_mode=False)
    assert exit_.value.code == 0
    drawn = terminal.getvalue()
    if fmt == "json":
        assert drawn == ""
        json.loads(capsys.readouterr().out)
    else:
        assert "Reading workbooks" in drawn
        assert "Wrote " in capsys.readouterr().out


def test_the_team_workbook_holds_everyone_the_command_reports(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xlsx").write_bytes(build_workbook(owner="Ana", ratings=READY))
    result = invoke("team", str(tmp_path / "in"), "-o", str(tmp_path / "t.xlsx"))
    assert result.stdout.startswith(f"Wrote {tmp_path / 't.xlsx'}: 1 person from 1 file.\n")
    assert "Ana" in [r[0] for r in read_sheet(tmp_path / "t.xlsx", "Team")]
