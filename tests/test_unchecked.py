"""A project that cannot be checked still gets a well-formed report in the format CI asked for,
on stdout or in the --output file, so that the job shows the error instead of "file not found";
the terminal keeps the error message alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli
from test_formats import validate_sarif

BROKEN = "version: 1\nproject:\n  name: [demo\n  owner: ana@example.com\n"
MESSAGE = (
    "YAML syntax error: the list opened with '[' here is not closed; the parser gave up at "
    "line 4, column 8: expected ',' or ']', but got ':'"
)
FORMATS = ["json", "sarif", "junit", "markdown", "github"]


def parsed(output_format: str, text: str) -> Any:
    """The report, parsed as its format is: each format's reader must accept it."""
    if output_format in ("json", "sarif"):
        return json.loads(text)
    if output_format == "junit":
        return ET.fromstring(text)
    return text


def assert_reports_the_error(output_format: str, text: str) -> None:
    report = parsed(output_format, text)
    if output_format == "json":
        assert report["ready"] is False
        (result,) = report["results"]
        assert (result["check"], result["status"]) == ("contract", "fail")
        (finding,) = result["findings"]
        assert (finding["path"], finding["line"], finding["message"]) == ("dsdone.yaml", 3, MESSAGE)
    elif output_format == "sarif":
        validate_sarif(report)
        (result,) = report["runs"][0]["results"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "dsdone.yaml"
        assert location["region"]["startLine"] == 3
        assert result["message"]["text"].startswith(MESSAGE)
    elif output_format == "junit":
        (failure,) = report.findall("./testsuite/testcase/failure")
        assert "dsdone.yaml:3" in (failure.text or "")
        assert MESSAGE in (failure.text or "")
    elif output_format == "markdown":
        assert "✗ Not ready" in report
        assert "`contract`" in report
        assert "YAML syntax error: the list opened with" in report
    else:
        assert report.splitlines()[0].startswith("::error file=dsdone.yaml,line=3,")


@pytest.mark.parametrize("output_format", FORMATS)
def test_an_invalid_contract_gives_a_well_formed_report_on_stdout(
    make_repo: MakeRepo, run_cli: RunCli, output_format: str
) -> None:
    root = make_repo(contract=BROKEN)
    result = run_cli("check", str(root), "--format", output_format)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"dsdone: error: dsdone.yaml:3:9: {MESSAGE}\n")
    assert_reports_the_error(output_format, result.stdout)


@pytest.mark.parametrize("output_format", FORMATS)
def test_an_invalid_contract_gives_a_well_formed_report_in_the_output_file(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path, output_format: str
) -> None:
    root = make_repo(contract=BROKEN)
    target = tmp_path / f"dsdone.{output_format}"
    result = run_cli("check", str(root), "--format", output_format, "-o", str(target))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"dsdone.yaml:3:9: {MESSAGE}" in result.stderr
    assert_reports_the_error(output_format, target.read_text("utf-8"))


def test_the_terminal_keeps_the_error_message_alone(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(contract=BROKEN)
    result = run_cli("check", str(root))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"dsdone: error: dsdone.yaml:3:9: {MESSAGE}\n  hint: ")


def test_a_report_for_a_contract_found_above_names_its_project(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"models/churn/dsdone.yaml": BROKEN, "models/churn/src/a.py": ""})
    result = run_cli("check", "-f", "json", cwd=root / "models/churn/src")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert (report["folder"], report["contract"]) == ("models/churn", "dsdone.yaml")
    assert report["results"][0]["findings"][0]["line"] == 3


@pytest.mark.parametrize(
    ("args", "files", "path", "message"),
    [
        ([], {}, "dsdone.yaml", "no dsdone.yaml in this folder"),
        (["README.md"], {"README.md": "# demo\n"}, "README.md", "not a dsdone contract ("),
        (["--select", ""], {"dsdone.yaml": MINIMAL_CONTRACT}, "dsdone.yaml", "no check ran"),
        (["--select", "nope"], {"dsdone.yaml": MINIMAL_CONTRACT}, "dsdone.yaml", "unknown check"),
    ],
)
def test_every_project_that_cannot_be_checked_gets_a_report(
    make_repo: MakeRepo,
    run_cli: RunCli,
    args: list[str],
    files: dict[str, str],
    path: str,
    message: str,
) -> None:
    root = make_repo(files, contract=None)
    result = run_cli("check", *args, "-f", "json", cwd=root)
    assert result.exit_code == 2
    (finding,) = json.loads(result.stdout)["results"][0]["findings"]
    assert finding["path"] == path
    assert message in finding["message"]
    assert str(root) not in result.stdout  # no absolute path in a report


def test_all_without_any_project_gives_a_combined_report(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"src/a.py": ""}, contract=None)
    result = run_cli("check", "--all", str(root), "-f", "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["ready"] is False
    (project,) = report["projects"]
    assert project["results"][0]["check"] == "contract"


def test_a_project_that_can_be_checked_is_not_touched_by_this(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # Near-miss: a valid contract whose checks fail is exit 1 with an ordinary report.
    root = make_repo({"notes.py": "DATA = '/Users/ana/data.csv'\n"})
    result = run_cli("check", str(root), "--select", "personal-paths", "-f", "json")
    assert (result.exit_code, result.stderr) == (1, "")
    assert [r["check"] for r in json.loads(result.stdout)["results"]] == ["personal-paths"]


def test_a_repository_git_refuses_still_gets_a_well_formed_report(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    import os
    import subprocess

    root = make_repo(contract=MINIMAL_CONTRACT)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    subprocess.run(["git", "config", "core.excludesFile", str(pipe)], cwd=root, check=True)
    result = run_cli("check", str(root), "--format", "json")
    assert result.exit_code == 2
    assert "which is not a regular file" in result.stderr
    report = json.loads(result.stdout)  # the report of a project that cannot be checked
    (contract,) = report["results"]
    assert (contract["check"], contract["status"]) == ("contract", "fail")
    assert "which is not a regular file" in contract["findings"][0]["message"]
    assert (report["commit"], report["repository"], report["commit_date"]) == (None, None, None)
