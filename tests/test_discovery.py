"""Which files are contracts, and which contract `dsdone check` uses: the nearest one upwards,
as git, ruff and pytest find theirs; `--all` finds contracts only, never a workflow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

from dsdone.cli import _prefetch_for
from dsdone.contract import find_contract
from dsdone.discovery import is_contract, top_level_keys
from dsdone.errors import DsdoneError, Location

ROOT = Path(__file__).resolve().parent.parent
# The GitHub workflow `dsdone init` writes, as it is shipped.
WORKFLOW = (ROOT / "templates/standard/dot-github/workflows/dsdone.yml").read_text("utf-8")


def ran(result_stdout: str) -> Any:
    return json.loads(result_stdout)


# -- what is a contract ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("version: 1\nproject:\n  name: a\n", {"version", "project"}),
        ("\"version\": 1\n'project' : {name: a}\n", {"version", "project"}),
        ("# a comment\nversion: 1\r\nproject:\r\n", {"version", "project"}),
        # Near-misses: nested keys, other keys that start alike, comments, a workflow.
        ("jobs:\n  version: 1\n  project: x\n", set()),
        ("versions: 1\nprojects: []\n", set()),
        ("# version: 1\n#project: x\n", set()),
        ("version 1\nproject x\n", set()),
        (WORKFLOW, set()),
        ("version: '3.8'\nservices:\n  web: {}\n", {"version"}),  # docker compose
    ],
)
def test_the_top_level_keys_that_make_a_contract(text: str, keys: set[str]) -> None:
    assert top_level_keys(text.encode()) == keys


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("dsdone.yaml", "version: 1\nproject: {name: a, owner: b}\n", True),
        # dsdone.yaml is a contract whatever it holds: its errors are reported.
        ("dsdone.yaml", "", True),
        ("dsdone.yaml", "name: ci\non: push\n", True),
        ("dsdone.yml", "version: 1\nproject: {name: a, owner: b}\n", True),
        # A contract with a syntax error below its top keys is still one.
        ("dsdone.yml", "version: 1\nproject:\n  name: [a\n", True),
        ("probe.yaml", "version: 1\nproject: {name: a, owner: b}\n", True),
        ("dsdone.yml", WORKFLOW, False),
        ("dsdone.yml", "", False),
        ("dsdone.yml", "version: 1\n", False),
        ("README.md", "version: 1\nproject: x\n", False),
        ("params.yaml", "lr: 0.1\n", False),
    ],
)
def test_what_is_a_contract(tmp_path: Path, name: str, text: str, expected: bool) -> None:
    (tmp_path / name).write_text(text, "utf-8")
    assert is_contract(tmp_path / name) is expected


# -- the nearest contract upwards -------------------------------------------------------------


def test_check_in_a_subfolder_uses_the_nearest_contract_above(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"src/demo/model/__init__.py": ""})
    result = run_cli(
        "check", "--select", "version-control", "-f", "json", cwd=root / "src/demo/model"
    )
    assert result.exit_code == 0, result.stderr
    data = ran(result.stdout)
    assert (data["project"]["name"], data["folder"], data["contract"]) == (
        "demo",
        "",
        "dsdone.yaml",
    )


def test_a_subproject_of_a_monorepo_is_the_nearest(make_repo: MakeRepo, run_cli: RunCli) -> None:
    sub = MINIMAL_CONTRACT.replace("name: demo", "name: churn")
    root = make_repo({"models/churn/dsdone.yaml": sub, "models/churn/src/churn/a.py": ""})
    result = run_cli(
        "check", "models/churn/src/churn", "--select", "version-control", "-f", "json", cwd=root
    )
    data = ran(result.stdout)
    assert (data["project"]["name"], data["folder"]) == ("churn", "models/churn")


def test_the_search_stops_at_the_top_of_the_git_repository(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # A contract above the repository belongs to another project, never to this one.
    (tmp_path / "dsdone.yaml").write_text(MINIMAL_CONTRACT, "utf-8")
    root = make_repo({"src/a.py": ""}, contract=None, name="inner")
    result = run_cli("check", cwd=root / "src")
    assert result.exit_code == 2
    assert (
        f"{root / 'src'}: no dsdone.yaml in this folder or above it, up to the top of its git "
        "repository\n" in result.stderr
    )


def test_outside_git_the_search_goes_up(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project/dsdone.yaml").write_text(MINIMAL_CONTRACT, "utf-8")
    (tmp_path / "project/notebooks/eda").mkdir(parents=True)
    result = run_cli(
        "check", "--select", "personal-paths", "-f", "json", cwd=tmp_path / "project/notebooks/eda"
    )
    assert result.exit_code == 0, result.stderr
    assert ran(result.stdout)["project"]["name"] == "demo"


def test_the_workflow_named_dsdone_yml_is_passed_over(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({".github/workflows/dsdone.yml": WORKFLOW})
    result = run_cli(
        "check", "--select", "version-control", "-f", "json", cwd=root / ".github/workflows"
    )
    assert result.exit_code == 0, result.stderr
    assert ran(result.stdout)["folder"] == ""


def test_no_contract_names_the_dsdone_yml_it_passed_over(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"dsdone.yml": "name: ci\non: [push]\n"}, contract=None)
    result = run_cli("check", str(root))
    assert result.exit_code == 2
    assert "no dsdone.yaml in this folder (dsdone.yml there is not a contract" in result.stderr
    assert "hint: run `dsdone init` to start a project" in result.stderr


def test_at_the_top_of_a_monorepo_the_projects_below_are_named(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(
        {
            "credit-scorer/dsdone.yaml": MINIMAL_CONTRACT,
            "oncoclear/dsdone.yaml": MINIMAL_CONTRACT,
            "projects/deep/dsdone.yaml": MINIMAL_CONTRACT,
            # Near-misses: deeper than two levels, in a hidden folder, a workflow.
            "a/b/c/dsdone.yaml": MINIMAL_CONTRACT,
            ".venv/lib/dsdone.yaml": MINIMAL_CONTRACT,
            ".github/workflows/dsdone.yml": WORKFLOW,
        },
        contract=None,
    )
    result = run_cli("check", str(root))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1] == (
        "  hint: the folders below hold projects (credit-scorer/, oncoclear/, projects/deep/): "
        "`dsdone check --all` checks every one, `dsdone check credit-scorer` one of them"
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("README.md", "# Churn\n"),
        ("params.yaml", "lr: 0.1\n"),
        (".github/workflows/dsdone.yml", WORKFLOW),
    ],
)
def test_a_file_that_is_not_a_contract_is_exit_2(
    make_repo: MakeRepo, run_cli: RunCli, name: str, text: str
) -> None:
    root = make_repo({name: text})
    result = run_cli("check", name, cwd=root)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"dsdone: error: {name}: not a dsdone contract (")
    with pytest.raises(DsdoneError) as raised:
        find_contract(Path(name))
    assert raised.value.location == Location(name)


def test_a_contract_by_another_name_can_be_given(make_repo: MakeRepo, run_cli: RunCli) -> None:
    # Near-miss: a throwaway probe contract is a contract by its keys.
    root = make_repo({"dsdone-probe.yaml": MINIMAL_CONTRACT}, contract=None)
    result = run_cli("check", "dsdone-probe.yaml", "--select", "version-control", cwd=root)
    assert result.exit_code == 0, result.stderr


def test_errors_of_the_search_carry_their_location(tmp_path: Path) -> None:
    with pytest.raises(DsdoneError) as raised:
        find_contract(tmp_path / "nowhere")
    assert raised.value.location == Location(str(tmp_path / "nowhere"))
    assert raised.value.problems[0].message == "no such file or folder"


@pytest.mark.parametrize(
    ("args", "cwd", "expected"),
    [
        ([], "src/demo", ""),
        (["src/demo"], "", ""),
        (["sub/src"], "", "sub"),
        (["--select", "x", "sub/dsdone.yaml"], "", "sub"),
        (["README.md"], "sub/src", "sub"),  # not a contract: the current folder's project
    ],
)
def test_the_early_guess_finds_the_project_the_engine_will(
    make_repo: MakeRepo,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    cwd: str,
    expected: str,
) -> None:
    root = make_repo({"src/demo/a.py": "", "sub/dsdone.yaml": MINIMAL_CONTRACT, "sub/src/b.py": ""})
    (root / "README.md").write_text("# demo\n", "utf-8")
    monkeypatch.chdir(root / cwd)
    guess = _prefetch_for(args)
    assert guess is not None
    try:
        assert guess.root == (root / expected).resolve()
    finally:
        guess.close()


def test_the_early_guess_misses_harmlessly_without_a_contract(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"src/a.py": ""}, contract=None)
    monkeypatch.chdir(root / "src")
    assert _prefetch_for([]) is None


# -- --all finds contracts only ---------------------------------------------------------------


def test_all_on_a_scaffolded_project_finds_the_contract_not_the_workflow(
    tmp_path: Path, run_cli: RunCli
) -> None:
    assert (
        run_cli("init", str(tmp_path / "churn"), "--name", "Churn", "--owner", "a@b.c").exit_code
        == 0
    )
    result = run_cli(
        "check", "--all", str(tmp_path / "churn"), "--select", "version-control", "-f", "json"
    )
    data = ran(result.stdout)
    assert [p["folder"] for p in data["projects"]] == [""]
    assert [p["contract"] for p in data["projects"]] == ["dsdone.yaml"]


def test_all_finds_contracts_and_reports_invalid_ones(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {
            "models/churn/dsdone.yaml": MINIMAL_CONTRACT,
            # A contract by its keys, named .yml: a project.
            "models/fraud/dsdone.yml": MINIMAL_CONTRACT,
            # dsdone.yaml that is invalid IS a contract, and reports its errors.
            "models/broken/dsdone.yaml": "name: broken\n",
            # A .yml by that name with a syntax error below its keys is a contract too.
            "models/typo/dsdone.yml": "version: 1\nproject:\n  name: [typo\n  owner: a\n",
            # Not contracts: a workflow anywhere, a file named so for something else, .github.
            ".github/workflows/dsdone.yml": WORKFLOW,
            "ci/dsdone.yml": WORKFLOW,
            "docs/dsdone.yml": "title: dsdone\nnav: []\n",
            "sub/.github/dsdone.yaml": MINIMAL_CONTRACT,
        },
        contract=None,
    )
    result = run_cli("check", "--all", str(root), "--select", "version-control", "-f", "json")
    data = ran(result.stdout)
    projects = {p["folder"]: p for p in data["projects"]}
    assert list(projects) == ["models/broken", "models/churn", "models/fraud", "models/typo"]
    assert projects["models/fraud"]["contract"] == "dsdone.yml"
    (broken,) = projects["models/broken"]["results"]
    assert broken["check"] == "contract"
    assert broken["findings"][0]["message"] == "the contract has no 'version'"
    (typo,) = projects["models/typo"]["results"]
    assert typo["findings"][0]["path"] == "dsdone.yml"
    assert typo["findings"][0]["line"] == 3
    assert result.exit_code == 1


def test_all_with_only_a_workflow_is_no_project(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({".github/workflows/dsdone.yml": WORKFLOW}, contract=None)
    result = run_cli("check", "--all", str(root))
    assert result.exit_code == 2
    assert "no dsdone.yaml in this folder or below it" in result.stderr
