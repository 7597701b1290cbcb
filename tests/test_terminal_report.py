"""The terminal report as a CI log and a pipe get it: the real console script, stdout piped.

One finding is one line starting with ``path:line:col``, whatever COLUMNS says; hints are
indented under it as a block; no line ends in a space; paths open from where dsdone ran.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo

from dsdone.engine import available_checks

# A project-local check that says a great deal: long messages, a hint of several lines with a
# blank one inside, a message of two lines, and a finding about the whole project.
WORDY = '''\
from dsdone import Finding, check


@check(id="wordy", title="A check with a great deal to say about every file that it reads",
       fix="Say less.", area="data", severity="warning")
def wordy(project):
    """Reports every TODO, at length."""
    for path in sorted(project.files):
        if path.startswith("src/"):
            for number, line in enumerate(project.read_text(path).splitlines(), start=1):
                if "TODO" in line:
                    yield Finding(
                        "a TODO is left in the code, " + "which nobody will finish " * 8,
                        path=path, line=number, column=line.index("TODO") + 1,
                        hint="track it where the team tracks work:\\n  issues:\\n\\n"
                        "    - title: finish this",
                    )
    yield Finding("the project says too much\\nand on a second line too", hint="say less")
'''

DEEP = "src/a_package_with_a_rather_long_name/a_subpackage_nested_rather_deeply_inside_it"
FILES = {
    "dsdone_checks/wordy.py": WORDY,
    **{
        f"{DEEP}/module_number_{n}_with_a_long_name.py": (
            "x = 1  # TODO one\n"
            "y = 2  # TODO two\n"
            f"DATA = '/Users/maria/Documents/projects/churn/a/long/folder/file_{n}.csv'\n"
        )
        for n in range(12)
    },
}
SELECT = ("--allow-plugins", "--select", "wordy,personal-paths")


@pytest.fixture
def project(make_repo: MakeRepo) -> Path:
    contract = MINIMAL_CONTRACT + "plugins:\n  - dsdone_checks/wordy.py\n"
    return make_repo(FILES, contract=contract)


def dsdone(*args: str, cwd: Path, columns: int | None = None, **env: str) -> tuple[int, str]:
    environment = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    environment.update(env)
    if columns is not None:
        environment["COLUMNS"] = str(columns)
    done = subprocess.run(
        [sys.executable, "-m", "dsdone", *args],
        cwd=cwd,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr.decode()
    return done.returncode, done.stdout.decode("utf-8")


def findings(project: Path) -> list[tuple[str, dict[str, object]]]:
    """(check, finding) for every finding of the JSON report."""
    _, text = dsdone("check", ".", *SELECT, "--format", "json", cwd=project)
    return [
        (result["check"], finding)
        for result in json.loads(text)["results"]
        for finding in result["findings"]
    ]


@pytest.mark.parametrize("columns", [80, 200])
def test_a_finding_is_one_line_that_starts_with_its_path_at_any_width(
    project: Path, columns: int
) -> None:
    code, output = dsdone("check", "repo", *SELECT, cwd=project.parent, columns=columns)
    assert code == 1
    lines = output.splitlines()
    assert [line for line in lines if line != line.rstrip()] == []
    expected = findings(project)
    assert len(expected) == 12 * 3 + 1
    for check, finding in expected:
        path = finding["path"] or "dsdone.yaml"  # a finding about the project: at the contract
        where = ":".join(str(part) for part in (path, finding["line"], finding["column"]) if part)
        severity = "warning" if check == "wordy" else "error"
        first_line = str(finding["message"]).split("\n")[0].rstrip()
        # From the folder above the project: its paths start with the project's folder.
        assert f"repo/{where}: {severity}[{check}]: {first_line}" in lines
    # Between the findings, a line is a finding (it starts with its path) or is indented
    # under one; nothing wraps back to column 0.
    finding_line = re.compile(r"^repo/\S*: (error|warning)\[")
    first = next(i for i, line in enumerate(lines) if finding_line.match(line))
    table = next(i for i, line in enumerate(lines) if line.startswith(("✗ fail", "✓ pass")))
    for line in lines[first:table]:
        assert line == "" or line.startswith(("repo/", "  ")), line
    starts = [line for line in lines[first:table] if line.startswith("repo/")]
    assert len(starts) == len(expected)
    # Everything else (the checks, the score) wraps within COLUMNS, under itself.
    assert all(len(line) <= columns for line in lines[table:-1])


def test_a_hint_of_several_lines_is_indented_as_a_block(project: Path) -> None:
    _, output = dsdone("check", ".", *SELECT, cwd=project, columns=80)
    lines = output.splitlines()
    at = lines.index(
        f"{DEEP}/module_number_0_with_a_long_name.py:1:10: warning[wordy]: "
        + ("a TODO is left in the code, " + "which nobody will finish " * 8).rstrip()
    )
    assert lines[at + 1 : at + 5] == [
        "  hint: track it where the team tracks work:",
        "          issues:",
        "",
        "            - title: finish this",
    ]
    message = lines.index("dsdone.yaml: warning[wordy]: the project says too much")
    assert lines[message + 1 : message + 3] == ["    and on a second line too", "  hint: say less"]


def test_findings_are_grouped_by_file_in_line_order(project: Path) -> None:
    _, output = dsdone("check", ".", *SELECT, cwd=project)
    located = [line for line in output.splitlines() if line.startswith(DEEP)]
    files = [line.split(":")[0] for line in located]
    assert files == sorted(files)
    first = [line.split(": ", 1)[0] for line in located[:3]]
    assert first == [
        f"{DEEP}/module_number_0_with_a_long_name.py:1:10",
        f"{DEEP}/module_number_0_with_a_long_name.py:2:10",
        f"{DEEP}/module_number_0_with_a_long_name.py:3:9",
    ]


@pytest.mark.parametrize(
    ("where", "prefix", "contract"),
    [
        ("src", "a_package_with_a_rather_long_name/", "../dsdone.yaml"),
        (".", "src/a_package_with_a_rather_long_name/", "dsdone.yaml"),
    ],
    ids=["inside", "at-the-project"],
)
def test_paths_open_from_the_folder_dsdone_ran_in(
    project: Path, where: str, prefix: str, contract: str
) -> None:
    _, output = dsdone("check", *SELECT, cwd=project / where)
    lines = output.splitlines()
    assert f"{contract}: warning[wordy]: the project says too much" in lines
    located = [line for line in lines if ": error[personal-paths]: " in line]
    assert len(located) == 12
    assert all(line.startswith(prefix) for line in located)
    assert all(Path(project / where, line.split(":")[0]).is_file() for line in located)


def test_a_project_in_a_monorepo_folder_is_shown_from_the_repository_top(
    make_repo: MakeRepo,
) -> None:
    top = make_repo(
        {
            "teams/fraud/dsdone.yaml": MINIMAL_CONTRACT,
            "teams/fraud/src/load.py": "P = '/home/ana/x'\n",
        },
        contract=None,
    )
    _, output = dsdone("check", "teams/fraud", "--select", "personal-paths", cwd=top)
    assert output.splitlines()[1].startswith("teams/fraud/dsdone.yaml · commit ")
    assert any(
        line.startswith("teams/fraud/src/load.py:1:6: error[personal-paths]: ")
        for line in output.splitlines()
    )


def test_statistics_count_findings_per_check_and_per_file(project: Path) -> None:
    code, output = dsdone("check", ".", *SELECT, "--statistics", cwd=project)
    assert code == 1
    lines = output.splitlines()
    per_check = lines.index("Findings per check:")
    assert lines[per_check + 1 : per_check + 3] == [
        "  25  warning[wordy]" + " " * 9 + "A check with a great deal to say about every file that "
        "it reads",
        "  12  error[personal-paths]  No hardcoded personal paths",
    ]
    per_file = lines.index("Findings per file:")
    assert lines[per_file + 1] == f"  3  {DEEP}/module_number_0_with_a_long_name.py"
    assert "  1  dsdone.yaml" in lines
    assert not any("TODO" in line for line in lines), "the findings themselves are not listed"
    assert lines[-1].startswith("✗ Not ready: 1 blocking at --fail-on error: personal-paths")


def test_quiet_shows_what_blocks_and_the_verdict(project: Path) -> None:
    code, output = dsdone("check", ".", *SELECT, "-q", cwd=project, columns=200)
    assert code == 1
    lines = output.splitlines()
    assert sum(": error[personal-paths]: " in line for line in lines) == 12
    assert not any("wordy" in line for line in lines), "a warning does not block"
    assert not any(line.startswith(("dsdone ", "Readiness score")) for line in lines)
    assert [line for line in lines if line.startswith("✗ fail")] == [
        "✗ fail  personal-paths  error  No hardcoded personal paths: 12 findings; 14 files searched"
    ]
    assert lines[-1].startswith("✗ Not ready: ")


def test_list_json_lists_every_built_in_check(tmp_path: Path) -> None:
    _, output = dsdone("list", "--format", "json", cwd=tmp_path)
    listed = {entry["id"]: entry for entry in json.loads(output)}
    builtin = {id_ for id_, item in available_checks().items() if item.builtin}
    assert builtin <= set(listed)
    paths = listed["personal-paths"]
    assert (paths["severity"], paths["area"], paths["source"]) == (
        "error",
        "infrastructure",
        "built-in",
    )
    assert paths["since"] and paths["fix"] and paths["ml_test_score"]
    options = {option["name"]: option for option in paths["options"]}
    assert options["allow_users"]["default"] == []
    assert options["allow_users"]["type"] == "a list of strings"


def test_list_piped_at_80_columns_keeps_each_check_on_one_line(tmp_path: Path) -> None:
    _, output = dsdone("list", cwd=tmp_path, columns=80)
    lines = output.splitlines()
    assert [line for line in lines if line != line.rstrip()] == []
    checks = available_checks()
    assert len(lines) == len(checks) + 1
    for line, item in zip(lines[1:], checks.values(), strict=True):
        assert line.startswith(item.id + " ")
        assert line.endswith("  " + item.title)


def test_colour_only_when_asked_and_never_trailing_spaces(project: Path) -> None:
    _, piped = dsdone("check", ".", *SELECT, cwd=project)
    _, forced = dsdone("check", ".", *SELECT, cwd=project, FORCE_COLOR="1")
    _, refused = dsdone("check", ".", *SELECT, "--color", "always", cwd=project, NO_COLOR="1")
    assert "\x1b[" not in piped
    assert "\x1b[" in forced and "\x1b[" in refused  # --color always wins over NO_COLOR
    assert re.sub(r"\x1b\[[0-9;]*m", "", forced) == piped
    assert [line for line in forced.splitlines() if line != line.rstrip()] == []
