"""One command line: the same error style, options, metavars and streams on every command, run
as users run it (the console script in a subprocess)."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo

COMMANDS = ["check", "list", "explain", "schema", "init"]


def dsdone(
    *args: str, cwd: Path | None = None, columns: int = 200, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "dsdone", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--nope"], "dsdone: error: no such option: --nope"),
        (["explain"], "dsdone: error: missing argument 'ID'"),
        (["check", "--format", "xml"], "dsdone: error: invalid value for '--format'"),
        (["check", "--min-score", "200"], "dsdone: error: invalid value for '--min-score'"),
        (["nosuch"], "dsdone: error: no such command 'nosuch'"),
        (["schema", "report-of-the-future"], "dsdone: error: invalid value for 'KIND'"),
    ],
)
def test_argument_errors_are_said_like_every_other_error(args: list[str], message: str) -> None:
    completed = dsdone(*args)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert lines[0].startswith(message), completed.stderr
    assert lines[1].startswith("  usage: dsdone")
    assert lines[2].startswith("  hint: `dsdone")
    assert not re.search("[╭╮╰╯│─]", completed.stderr)  # no rich panel
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_the_same_debug_flag(command: str) -> None:
    shown = dsdone(command, "--help").stdout
    (line,) = [line for line in shown.splitlines() if "--debug" in line]
    assert "--no-debug" not in line
    assert "Show tracebacks of internal errors and failing checks." in line


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_value_has_an_upper_case_metavar(command: str) -> None:
    shown = dsdone(command, "--help").stdout
    usage = next(line for line in shown.splitlines() if "Usage:" in line)
    # [PATH] optional, {ID} required (typer's spelling), never a lower-case [path].
    assert re.fullmatch(r"\s*Usage: dsdone \w+ \[OPTIONS\]( [\[{]?[A-Z]+[\]}]?)?\s*", usage), usage
    options = shown.split("Options")[1]
    # Not typer's types (<str>, <file>, <int range>) nor lists of choices in the column.
    assert not re.search(r"<(str|text|file|path|int|float|integer)\b|\[\w+\|\w+", options)


def test_dash_is_standard_output_for_every_option_that_writes_a_file(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    project = make_repo()
    to_stdout = dsdone("check", str(project), "--format", "json", "--output", "-", cwd=tmp_path)
    assert to_stdout.returncode == 1, to_stdout.stderr  # the minimal project is not ready
    assert json.loads(to_stdout.stdout)["ready"] is False
    assert not (tmp_path / "-").exists()
    report = tmp_path / "report.json"
    baseline = dsdone("check", str(project), "-o", str(report), "--write-baseline", "-")
    assert json.loads(baseline.stdout)["schema_version"] == 1  # only the baseline's JSON
    assert "Not ready" in baseline.stderr  # the verdict, out of the JSON's way
    both = dsdone("check", str(project), "--write-baseline", "-")
    assert both.returncode == 2
    assert both.stderr.startswith("dsdone: error: --write-baseline -: the report already goes")


@pytest.mark.parametrize(
    "args",
    [["check"], ["check", "--format", "json"], ["list"], ["explain", "secrets"], ["schema"]],
)
def test_a_reader_that_goes_away_ends_the_command_quietly(
    make_repo: MakeRepo, args: list[str]
) -> None:
    project = make_repo()
    expected = dsdone(*args, cwd=project).returncode
    process = subprocess.Popen(
        [sys.executable, "-m", "dsdone", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `| head -0` does: every write meets a closed pipe
    error = process.stderr.read()
    # The exit code it would have had; no traceback, no internal error.
    assert process.wait(timeout=120) == expected
    assert error == ""


def test_head_of_a_long_report_ends_quietly_with_the_verdicts_exit_code(
    make_repo: MakeRepo,
) -> None:
    # Far more than a pipe holds: dsdone is still writing when head has gone.
    files = {f"src/demo/m{i}.py": f"DATA = '/home/ana{i}/data.csv'\n" * 40 for i in range(60)}
    project = make_repo({"src/demo/__init__.py": "", **files})
    completed = subprocess.run(
        f"{sys.executable} -m dsdone check | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1  # not ready: the personal paths
    assert len(completed.stdout.splitlines()) == 1
    assert completed.stderr == ""


def test_a_file_that_is_not_a_contract_is_said_so(make_repo: MakeRepo) -> None:
    project = make_repo({"README.md": "# Demo\n"})
    completed = dsdone("check", str(project / "README.md"))
    assert completed.returncode == 2
    first, hint = completed.stderr.splitlines()
    assert first.startswith("dsdone: error: ") and "not a dsdone contract" in first
    assert hint == "  hint: give the project's folder or its dsdone.yaml"


def test_explain_contract_explains_the_pseudo_check_of_unchecked_reports(tmp_path: Path) -> None:
    # The id a report holds when the project could not be checked...
    unchecked = dsdone("check", str(tmp_path), "--format", "json")
    (result,) = json.loads(unchecked.stdout)["results"]
    # ...is one explain knows.
    explained = dsdone("explain", result["check"])
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.startswith("contract: The project can be checked\n")
    assert "not a check to select, configure or waive" in explained.stdout
    assert "--all" in explained.stdout


def test_init_asks_on_the_terminal_not_into_a_redirected_output(tmp_path: Path) -> None:
    leader, follower = pty.openpty()  # a person at a terminal answers; stdout goes to a file
    try:
        os.write(leader, b"Pty Project\nme@example.com\n")
        completed = subprocess.run(
            [sys.executable, "-m", "dsdone", "init", str(tmp_path / "p"), "--template", "minimal"],
            stdin=follower,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert completed.returncode == 0, completed.stderr
    assert "Project name" in completed.stderr and "Owner (e-mail)" in completed.stderr
    assert "Project name" not in completed.stdout and "Owner" not in completed.stdout
    assert "name: Pty Project" in (tmp_path / "p" / "dsdone.yaml").read_text(encoding="utf-8")


def test_counts_say_one_file_and_one_stage(tmp_path: Path, make_repo: MakeRepo) -> None:
    target = tmp_path / "p"
    (target / ".dsdone").mkdir(parents=True)
    (target / ".dsdone" / "contract-schema.json").write_text("{}\n", encoding="utf-8")
    init = dsdone("init", str(target), "--template", "minimal", "--name", "P", "--owner", "a@b.c")
    assert "P: 1 file created, 1 kept as it was." in init.stdout
    dvc = "stages:\n  train:\n    cmd: python train.py\n    deps: [data/raw.csv]\n"
    repo = make_repo({"dvc.yaml": dvc, "train.py": ""}, contract=None, name="dvc")
    adopted = dsdone("init", "--existing", str(repo), "--name", "D", "--owner", "a@b.c")
    assert "DVC pipeline with 1 stage:" in adopted.stdout
