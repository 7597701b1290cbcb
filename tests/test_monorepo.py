"""dsdone check --all: every project under a folder, one combined report and exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from conftest import MakeRepo, RunCli
from gate_plugin import GATE, GATE_CONTRACT, PLUGIN

READY = {"README.md": "", "src/a.py": "x = 1\n"}
NOT_READY = {"README.md": "", "src/a.py": "x = 1  # FIXME tune\n"}


def project_files(
    folder: str, files: dict[str, str], contract: str = GATE_CONTRACT
) -> dict[str, str]:
    prefix = f"{folder}/" if folder else ""
    everything = {"dsdone.yaml": contract, "dsdone_checks/gate.py": PLUGIN, **files}
    return {f"{prefix}{path}": text for path, text in everything.items()}


@pytest.fixture
def monorepo(make_repo: MakeRepo) -> Path:
    """Three projects (ready, not ready, invalid contract) and one in an ignored folder."""
    return make_repo(
        {
            **project_files("models/churn", READY),
            **project_files("models/fraud", NOT_READY),
            **project_files("pipelines/etl", READY, GATE_CONTRACT + "inptus: []\n"),
            # A virtual environment with a package that ships a contract: not a project here.
            **project_files(".venv/lib/vendored", NOT_READY),
            ".gitignore": ".venv/\n",
        },
        contract=None,
    )


def check_all(run_cli: RunCli, root: Path, *args: str) -> Any:
    return run_cli("check", "--all", str(root), "--allow-plugins", "--select", GATE, *args)


def test_all_checks_every_project_and_reports_them_together(
    monorepo: Path, run_cli: RunCli
) -> None:
    result = check_all(run_cli, monorepo, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ready"] is False
    projects = {p["folder"]: p for p in data["projects"]}
    assert list(projects) == ["models/churn", "models/fraud", "pipelines/etl"]
    assert [p["ready"] for p in projects.values()] == [True, False, False]
    fraud = {r["check"]: r for r in projects["models/fraud"]["results"]}
    assert fraud["gate-markers"]["findings"][0]["path"] == "src/a.py"
    # An invalid contract does not stop the run: it is a failed project, located in its contract.
    (contract,) = projects["pipelines/etl"]["results"]
    assert (contract["check"], contract["status"], contract["blocks"]) == ("contract", "fail", True)
    (finding,) = contract["findings"]
    assert (finding["path"], finding["line"]) == ("dsdone.yaml", 7)
    assert finding["message"].startswith("unknown key 'inptus'"), "the line is not repeated"
    assert data["score"]["overall"] == 0


def test_the_terminal_report_ends_with_the_combined_verdict(
    monorepo: Path, run_cli: RunCli
) -> None:
    result = check_all(run_cli, monorepo)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "✗ Not ready: 2 of 3 projects not ready: models/fraud, pipelines/etl · lowest score 0/100"
    )
    assert "models/churn/dsdone.yaml" in result.stdout
    headers = [line for line in result.stdout.splitlines() if line.startswith("── ")]
    assert headers == ["── models/churn ──", "── models/fraud ──", "── pipelines/etl ──"]
    assert ".venv" not in result.stdout


def test_all_ready_projects_exit_0(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {**project_files("", READY), **project_files("a", READY), **project_files("b", READY)},
        contract=None,
    )
    result = check_all(run_cli, root)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "✓ Ready: all 3 projects ready · lowest score 100/100"


def test_all_outside_git_honours_gitignore(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {
            **project_files("one", READY),
            **project_files("two", NOT_READY),
            **project_files("build/copy", NOT_READY),
            ".gitignore": "build/\n",
        },
        contract=None,
        git_init=False,
    )
    result = check_all(run_cli, root, "--format", "json")
    assert result.exit_code == 1
    assert [p["folder"] for p in json.loads(result.stdout)["projects"]] == ["one", "two"]


def test_all_without_any_contract_is_a_usage_error(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"src/a.py": ""}, contract=None)
    result = run_cli("check", "--all", str(root))
    assert result.exit_code == 2
    assert "no dsdone.yaml in this folder or below it" in result.stderr


def test_all_sarif_locates_findings_from_the_repository_root(
    monorepo: Path, run_cli: RunCli
) -> None:
    from jsonschema import Draft4Validator

    result = check_all(run_cli, monorepo, "--format", "sarif")
    data = json.loads(result.stdout)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    assert not list(Draft4Validator(schema).iter_errors(data))
    (run,) = data["runs"]
    located = sorted(
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    )
    assert located == [
        ("contract", "pipelines/etl/dsdone.yaml", 7),
        ("gate-markers", "models/fraud/src/a.py", 1),
    ]


def test_all_junit_has_one_testsuite_per_project(monorepo: Path, run_cli: RunCli) -> None:
    result = check_all(run_cli, monorepo, "--format", "junit")
    root = ET.fromstring(result.stdout.encode("utf-8"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "dsdone: models/churn",
        "dsdone: models/fraud",
        "dsdone: pipelines/etl",
    ]
    assert root.get("tests") == str(5 + 5 + 1)
    assert root.get("failures") == "2"


def test_all_markdown_and_github_name_every_project(monorepo: Path, run_cli: RunCli) -> None:
    markdown = check_all(run_cli, monorepo, "--format", "markdown").stdout
    assert markdown.splitlines()[0].startswith("## dsdone: ✗ Not ready: 2 of 3 projects not ready")
    assert [line for line in markdown.splitlines() if line.startswith("### ")] == [
        "### dsdone: demo (`models/churn`) · ✓ Ready",
        "### dsdone: demo (`models/fraud`) · ✗ Not ready",
        "### dsdone: pipelines/etl (`pipelines/etl`) · ✗ Not ready",
    ]
    github = check_all(run_cli, monorepo, "--format", "github").stdout.splitlines()
    assert [line.split("::")[1].split(",")[0] for line in github if line.startswith("::")] == [
        "error file=models/fraud/src/a.py",
        "error file=pipelines/etl/dsdone.yaml",
    ]
    assert github[-1].startswith("✗ Not ready: 2 of 3 projects not ready")


@pytest.mark.parametrize("output_format", ["terminal", "sarif", "junit", "markdown", "github"])
def test_all_gives_the_same_bytes_twice(
    monorepo: Path, run_cli: RunCli, output_format: str
) -> None:
    first = check_all(run_cli, monorepo, "--format", output_format).stdout
    assert first == check_all(run_cli, monorepo, "--format", output_format).stdout


def test_all_writes_a_baseline_that_a_later_run_passes_against(
    monorepo: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    (monorepo / "pipelines" / "etl" / "dsdone.yaml").write_text(GATE_CONTRACT, encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    assert check_all(run_cli, monorepo, "--write-baseline", str(baseline)).exit_code == 1
    assert check_all(run_cli, monorepo, "--baseline", str(baseline)).exit_code == 0
    (monorepo / "models" / "churn" / "src" / "a.py").write_text("# FIXME tune\n", encoding="utf-8")
    result = check_all(run_cli, monorepo, "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1, "the same message in another project is new"
    assert [p["ready"] for p in json.loads(result.stdout)["projects"]] == [False, True, True]


@pytest.mark.parametrize(
    "args", [["--select", ""], ["--select", "gate-pass", "--ignore", "gate-pass"]]
)
def test_all_with_a_selection_that_runs_nothing_is_exit_2(
    monorepo: Path, run_cli: RunCli, args: list[str]
) -> None:
    result = run_cli("check", "--all", str(monorepo), "--allow-plugins", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("dsdone: error: no check ran: ")
