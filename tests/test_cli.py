"""The command line: thin, documented, one clean line and an exit code on every error."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import matrix_xl
from matrix_xl.cli import cli
from matrix_xl.definition import default_definition
from matrix_xl.errors import MatrixXLError
from matrix_xl.generate.workbook import build_workbook
from matrix_xl.read.limits import Limits
from matrix_xl.read.reader import read_workbook
from matrix_xl.xlsx import layout as L

ROOT = Path(__file__).resolve().parent.parent
D = default_definition()
FIRST = L.MatrixLayout(len(D.skills), len(D.thresholds)).first_row + 1


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cli.commands, "no commands"
    for name, command in cli.commands.items():
        assert command.help and len(command.help.strip()) > 20, name
        code, out, _ = run(name, "--help")
        assert code == 0 and "Usage: " in out, name
        assert f"matrix-xl {name}" in readme, f"the README does not show `matrix-xl {name}`"


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "matrix_xl", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"matrix-xl, version {matrix_xl.__version__}"


def test_help_does_not_import_the_heavy_libraries() -> None:
    code = (
        "import sys; from matrix_xl.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'pandera', 'openpyxl', 'xlsxwriter', 'rich')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")


def test_new_writes_a_workbook_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "me.xlsx"
    code, out, _ = run("new", "-o", str(path), "--owner", "=Ada", "--role", "@ML")
    assert code == 0 and "Wrote" in out
    read = read_workbook(path)
    assert (read.owner, read.role) == ("=Ada", "@ML")
    before = path.read_bytes()
    code, _, err = run("new", "-o", str(path))
    assert code == 2
    assert err.strip() == f"matrix-xl: error: {path}: the file exists; pass --force to overwrite it"
    assert path.read_bytes() == before
    assert run("new", "-o", str(path), "--force")[0] == 0


def test_new_names_the_file_after_the_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("new", "--owner", "Ana / Ops")[0] == 0
    assert run("new")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Ana - Ops.xlsx", "competency.xlsx"]


def test_new_with_the_seed_markdown_definition(tmp_path: Path) -> None:
    path = tmp_path / "seed.xlsx"
    seed = ROOT / "matrix_xl" / "data" / "competency-matrix.md"
    assert run("new", "-o", str(path), "--definition", str(seed))[0] == 0
    assert read_workbook(path).definition == D


def test_a_bad_definition_is_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("title = 'x'\n[[skills]]\nname = 'a'\n", encoding="utf-8")
    code, out, err = run("new", "-o", str(tmp_path / "x.xlsx"), "--definition", str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"matrix-xl: error: {bad}: ")
    assert not (tmp_path / "x.xlsx").exists()


def test_definition_prints_toml_that_loads_back(tmp_path: Path) -> None:
    code, out, _ = run("definition")
    assert code == 0
    copy = tmp_path / "mine.toml"
    copy.write_text(out, encoding="utf-8")
    from matrix_xl.definition import load_definition

    assert load_definition(copy) == D


def test_validate_exit_codes_and_json(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(build_workbook(ratings={s.id: 4 for s in D.skills}))
    code, out, _ = run("validate", str(good))
    assert code == 0 and "valid, no problems found" in out

    warn = tmp_path / "warn.xlsx"
    warn.write_bytes(build_workbook(ratings={"cloud": 2}))
    code, out, _ = run("validate", str(warn), "--format", "json")
    body = json.loads(out)
    assert code == 0 and body["valid"] is True
    assert {i["severity"] for i in body["issues"]} == {"warning"}

    import openpyxl

    wb = openpyxl.load_workbook(good)
    cloud = FIRST + [s.id for s in D.skills].index("cloud")
    wb[L.MATRIX][f"E{cloud}"] = 7
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    code, out, _ = run("validate", str(bad))
    assert code == 1
    assert re.search(
        rf"error\s+Matrix!E{cloud} \(Cloud \(AWS/Azure/GCP basics\)\)\s+"
        r"rating 7 is not one of 1-5",
        out,
    )
    code, out, _ = run("validate", str(bad), "--format", "json")
    body = json.loads(out)
    assert code == 1 and body["valid"] is False
    assert body["issues"][0] == {
        "severity": "error",
        "sheet": "Matrix",
        "cell": f"E{cloud}",
        "skill": "Cloud (AWS/Azure/GCP basics)",
        "message": "rating 7 is not one of 1-5",
    }


def _truncated(tmp: Path) -> Path:
    data = build_workbook()
    path = tmp / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _no_matrix(tmp: Path) -> Path:
    import openpyxl

    path = tmp / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(path)
    return path


def _csv(tmp: Path) -> Path:
    path = tmp / "data.xlsx"
    path.write_text("Skill,Rating\nCloud,4\n", encoding="utf-8")
    return path


def _empty(tmp: Path) -> Path:
    path = tmp / "empty.xlsx"
    path.write_bytes(b"")
    return path


def _no_content_types(tmp: Path) -> Path:
    path = tmp / "noct.xlsx"
    src = zipfile.ZipFile(__import__("io").BytesIO(build_workbook()))
    with zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            if info.filename != "[Content_Types].xml":
                out.writestr(info, src.read(info.filename))
    return path


@pytest.mark.parametrize("make", [_truncated, _no_matrix, _csv, _empty, _no_content_types])
@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_broken_files_get_one_line_exit_2_and_stay_byte_identical(
    tmp_path: Path, make: object, command: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    before = path.read_bytes()
    code, out, err = run(command, str(path))
    assert code == 2, (out, err)
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"matrix-xl: error: {path}: "), err
    assert "Traceback" not in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "nope.xlsx"))
    assert code == 2 and "nope.xlsx" in err and err.count("\n") == 1
    code, _, err = run("validate", str(tmp_path))
    assert code == 2 and err.count("\n") == 1


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert run("evaluate", "x.xlsx", "--as-of", "26/11/2026")[0] == 2
    assert run("evaluate", "x.xlsx", "--format", "yaml")[0] == 2
    code, _, err = run("new", "--roster", "r.csv", "--owner", "x")
    assert code == 2 and "--roster" in err


# -- what a terminal and a script get ----------------------------------------------------------


def _with_escape_in_a_skill_label(tmp: Path, rating: int) -> Path:
    """A workbook whose Matrix holds ``_x001B_`` (an escaped ESC, as xlsx stores one) in a
    skill label, the way a spreadsheet app can write it."""
    import openpyxl

    path = tmp / "esc.xlsx"
    path.write_bytes(build_workbook(owner="Ev", ratings={"cloud": 4}))
    wb = openpyxl.load_workbook(path)
    cloud = FIRST + [s.id for s in D.skills].index("cloud")
    wb[L.MATRIX].cell(cloud, L.COL_SKILL + 1).value = "Cloud_x001B_[2J\u202e"
    wb[L.MATRIX].cell(cloud, L.COL_RATING + 1).value = rating
    wb.save(path)
    return path


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in _strings(item)]


@pytest.mark.parametrize(
    ("command", "rating"),
    [("validate", 9), ("validate", 3), ("evaluate", 9), ("evaluate", 3), ("team", 9)],
)
def test_control_characters_in_a_workbook_reach_the_terminal_escaped(
    tmp_path: Path, command: str, rating: int
) -> None:
    path = _with_escape_in_a_skill_label(tmp_path, rating)
    extra = ["-o", str(tmp_path / "team.xlsx")] if command == "team" else ["--dry-run"]
    args = [command, str(path)] + (extra if command != "validate" else [])
    code, out, err = run(*args)
    assert code in (0, 1, 2), err
    both = out + err
    assert "Cloud\\x1b[2J\\u202e" in both  # the label is shown, visibly escaped
    assert "\x1b" not in both and "\u202e" not in both
    for fmt in ("json", "markdown") if command == "evaluate" else ("json",):
        _, out, _ = run(*args, "--format", fmt)
        assert "\x1b" not in out and "\u202e" not in out
        if fmt == "json":  # escaped in the text, the same value once parsed
            assert any("Cloud\x1b[2J\u202e" in text for text in _strings(json.loads(out)))


@pytest.mark.parametrize("command", ["validate", "evaluate"])
@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_truncated, "unreadable"),
        (_no_matrix, "unreadable"),
        (_empty, "unreadable"),
        (lambda tmp: tmp / "nope.xlsx", "unreadable"),
    ],
)
def test_a_fatal_error_with_json_still_prints_json(
    tmp_path: Path, command: str, make: Any, kind: str
) -> None:
    path = make(tmp_path)
    code, out, err = run(command, str(path), "--format", "json")
    assert code == 2
    line = err.removeprefix("matrix-xl: error: ").rstrip("\n")
    assert err.count("\n") == 1 and line.startswith(f"{path}: ")
    assert json.loads(out) == {
        "workbook": str(path),
        "valid": False,
        "error": {"kind": kind, "message": line},
    }


def test_each_kind_of_fatal_error_in_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(huge, "w") as z:  # more parts than any workbook has
        for i in range(Limits().max_parts + 1):
            z.writestr(f"xl/p{i}.xml", b"")
    code, out, _ = run("validate", str(huge), "--format", "json")
    assert (code, json.loads(out)["error"]["kind"]) == (2, "too-large")

    bad = tmp_path / "bad.toml"
    bad.write_text("title = 'x'\n", encoding="utf-8")
    code, out, _ = run("definition", "--definition", str(bad), "--format", "json")
    assert (code, json.loads(out)["error"]["kind"]) == (2, "definition")

    (tmp_path / "exists.xlsx").write_bytes(b"x")
    code, out, _ = run(
        "team", str(tmp_path), "-o", str(tmp_path / "exists.xlsx"), "--format", "json"
    )
    exists = f"{tmp_path / 'exists.xlsx'}: the file exists; pass --force to overwrite it"
    assert code == 2
    assert json.loads(out) == {"error": {"kind": "usage", "message": exists}}

    import matrix_xl.validation.run as validation_run

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(validation_run, "check_workbook", broken)
    monkeypatch.delenv("MATRIX_XL_DEBUG", raising=False)
    code, out, err = run("validate", str(huge), "--format", "json")
    body = json.loads(out)
    assert (code, body["valid"], body["error"]["kind"]) == (3, False, "internal")
    assert "KeyError" in body["error"]["message"] and "bug in matrix-xl" in err


def test_team_with_nothing_usable_says_so_in_its_json(tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    code, out, err = run("team", str(tmp_path), "-o", str(tmp_path / "t.xlsx"), "--format", "json")
    body = json.loads(out)
    assert code == 2 and body["errors"][0]["workbook"].endswith("broken.xlsx")
    assert body["error"]["kind"] == "nothing-usable"
    assert err == f"matrix-xl: error: {body['error']['message']}\n"


def test_every_error_class_names_its_kind_once() -> None:
    from matrix_xl import errors

    classes = [
        getattr(errors, n)
        for n in errors.__all__
        if isinstance(getattr(errors, n), type) and getattr(errors, n) is not MatrixXLError
    ]
    kinds = {c: c.__dict__.get("kind") for c in classes}
    assert all(kinds.values()), kinds  # declared on the class itself, not inherited
    assert len(set(kinds.values())) == len(kinds)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for kind in kinds.values():
        assert f"`{kind}`" in readme, kind


def test_new_prints_the_next_command_ready_to_paste(tmp_path: Path) -> None:
    path = tmp_path / "it's my file (v2).xlsx"
    code, out, _ = run("new", "-o", str(path))
    assert code == 0
    command = out.splitlines()[-1]
    assert shlex.split(command) == ["matrix-xl", "evaluate", str(path)]
    plain = tmp_path / "ada.xlsx"
    _, out, _ = run("new", "-o", str(plain))
    assert out.splitlines()[-1] == f"  matrix-xl evaluate {plain}"
