"""dsdone check --all: every project under a folder, one combined report and exit code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git
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


# -- each project's report is the one `dsdone check` in its folder gives --------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

SEARCHING_PLUGIN = '''\
from dsdone import Finding, check


@check(id="no-todo", title="No TODO", fix="Do it.", grep=(b"TODO",))
def no_todo(project):
    """A plugin that searches for a literal no built-in check searches for."""
    for hit in project.grep([b"TODO"]) or ():
        for number, _ in hit.lines:
            yield Finding("TODO left", path=hit.path, line=number)
'''


@pytest.fixture
def varied_monorepo(make_repo: MakeRepo) -> Path:
    """Projects at the top and nested in each other, copies of the examples, and the states
    git can be in: untracked, changed, staged and deleted files, a link from one project into
    another, a large committed file, CI and CODEOWNERS at the top, a plugin that searches."""
    etl_contract = (
        MINIMAL_CONTRACT
        + "plugins: [checks/todo.py]\nchecks:\n  version-control: {max_file_mb: 0.001}\n"
    )
    root = make_repo(
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: pip install dsdone && dsdone check --all\n",
            "CODEOWNERS": "/models/churn/ @ds-team\n",
            "README.md": "# the monorepo\n",
            "pipelines/etl/dsdone.yaml": etl_contract,
            "pipelines/etl/checks/todo.py": SEARCHING_PLUGIN,
            "pipelines/etl/src/etl.py": "# TODO: incremental loads\nprint('/home/ana/x')\n",
            "pipelines/etl/data.bin": b"\0" * 4096,
            "pipelines/etl/lab/dsdone.yaml": MINIMAL_CONTRACT,
            "pipelines/etl/lab/a.py": "x = '/Users/bob/y'  # TODO\n",
        },
    )
    shutil.copytree(EXAMPLES / "ready", root / "models" / "churn")
    shutil.copytree(EXAMPLES / "not-ready", root / "models" / "fraud")
    (root / "models" / "fraud" / "src" / "churn.py").symlink_to(
        "../../churn/src/churn_model/model.py"
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "projects")
    (root / "models" / "churn" / "notes.py").write_text("DATA = '/home/ana/data.csv'\n")
    (root / "models" / "churn" / "README.md").write_text("# changed, not committed\n")
    (root / "models" / "fraud" / "new.py").write_text("print('staged')\n")
    git(root, "add", "models/fraud/new.py")
    (root / "models" / "fraud" / "configs" / "train.yaml").unlink()
    return root


def without_durations(report: Any) -> Any:
    for result in report["results"]:
        result["duration_ms"] = None
    return report


def test_each_project_of_all_is_reported_as_a_check_in_its_folder_reports_it(
    varied_monorepo: Path, run_cli: RunCli
) -> None:
    every = run_cli("check", "--all", str(varied_monorepo), "--allow-plugins", "-f", "json")
    projects = json.loads(every.stdout)["projects"]
    assert [p["folder"] for p in projects] == [
        "",
        "models/churn",
        "models/fraud",
        "pipelines/etl",
        "pipelines/etl/lab",
    ]
    for project in projects:
        alone = run_cli(
            "check", str(varied_monorepo / project["folder"]), "--allow-plugins", "-f", "json"
        )
        assert without_durations(project) == without_durations(json.loads(alone.stdout))
    # What makes them differ if the projects' files were mixed up:
    fraud = {r["check"]: r for r in projects[2]["results"]}
    assert "changed" in fraud["version-control"]["summary"]
    etl = {r["check"]: r for r in projects[3]["results"]}
    todo = {f["path"] for f in etl["no-todo"]["findings"]}
    assert todo == {"checks/todo.py", "lab/a.py", "src/etl.py"}
    assert [f["path"] for f in etl["version-control"]["findings"]] == ["data.bin"]


def test_all_lists_the_files_and_reads_git_once_however_many_projects(
    varied_monorepo: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from dsdone.git.guard import CONFIG_ARGUMENTS, WHERE_ARGUMENTS

    started: list[tuple[str, Path]] = []  # git's subcommand, and where it ran
    popen = subprocess.Popen

    def counting(args: Any, *rest: Any, **options: Any) -> Any:
        # The guard's two commands, which read where the repository is and its configuration,
        # start with each folder's git session (a project's only if it runs a command of its
        # own): not counted here.
        if args[0] == "git" and tuple(args[1:]) not in (WHERE_ARGUMENTS, CONFIG_ARGUMENTS):
            command = next(part for part in args[1:] if part.isalpha() or "-" in part[1:])
            started.append((command, Path(options["cwd"]).resolve()))
        return popen(args, *rest, **options)

    monkeypatch.setattr(subprocess, "Popen", counting)
    every = run_cli("check", "--all", str(varied_monorepo), "--allow-plugins", "-f", "json")
    assert len(json.loads(every.stdout)["projects"]) == 5
    top = varied_monorepo.resolve()
    for command in ("ls-files", "rev-parse", "ls-tree", "diff-index"):
        assert started.count((command, top)) == 1, command
        assert [where for name, where in started if name == command] == [top], command
    # One search for what the built-in checks look for, shared by every project; a project
    # that looks for something of its own (a metric's name, a plugin's literal) searches its
    # own folder for it.
    assert started.count(("grep", top)) == 1


def test_an_installed_plugin_that_cannot_load_is_one_error_not_a_failed_project_each(
    monorepo: Path, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from plugin_fixture import install_plugin

    site = install_plugin(tmp_path / "site")
    (site / "acme_checks.py").write_text("raise ImportError('no module named acme_internal')\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "acme_checks", raising=False)
    result = run_cli("check", "--all", str(monorepo), "--allow-plugins", "-f", "json")
    assert result.exit_code == 2
    assert result.stderr.startswith("dsdone: error: cannot load the check plugin 'acme'")
    assert result.stderr.count("dsdone: error:") == 1
