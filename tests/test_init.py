"""`dsdone init`: a scaffold that is ready from its first commit, and never overwrites."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli, git

from dsdone import release
from dsdone.contract import load_contract
from dsdone.scaffold import package_name, rendered_files, template_values

OWNER = "ana@example.com"

STANDARD_FILES = {
    ".dsdone/contract-schema.json",  # the contract's JSON Schema, for editors
    ".github/workflows/dsdone.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "MODEL_CARD.md",
    "README.md",
    "configs/smoke.yaml",
    "configs/train.yaml",
    "data/README.md",
    "data/sample.csv",
    "dsdone.yaml",
    "notebooks/README.md",
    "pyproject.toml",
    "schemas/predictions.sample.json",
    "schemas/predictions.schema.json",
    "schemas/training-data.table.json",
    "src/churn_model/__init__.py",
    "src/churn_model/model.py",
    "src/churn_model/monitoring.py",
    "src/churn_model/pipeline.py",
    "src/churn_model/train.py",
    "tests/conftest.py",
    "tests/test_model.py",
    "tests/test_monitoring.py",
    "tests/test_pipeline.py",
    "tests/test_train.py",
}


def project_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def init(run_cli: RunCli, target: Path, *extra: str, name: str = "Churn Model") -> tuple[int, str]:
    result = run_cli("init", str(target), "--name", name, "--owner", OWNER, *extra)
    return result.exit_code, result.stdout + result.stderr


def commit_all(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")


def test_standard_scaffold_is_ready_once_committed_and_its_tests_pass(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "churn"
    code, output = init(run_cli, target)
    assert code == 0, output
    assert project_files(target) == STANDARD_FILES
    assert (target / ".git").is_dir()  # tmp_path is not inside a repository: git init ran
    assert "Initialized a git repository" in output
    commit_all(target)

    # Compared with its own commit, so that the checks that need a base revision run too.
    check = run_cli("check", str(target), "--format", "json", "--base", "HEAD")
    report = json.loads(check.stdout)
    failing = {
        r["check"]: (r["status"], r["summary"], r["findings"])
        for r in report["results"]
        if r["status"] != "pass"
    }
    assert check.exit_code == 0, failing
    assert failing == {}
    # The checks of 0.2.0 ran on it too, from its first commit.
    checks = {r["check"]: r["summary"] for r in report["results"]}
    assert checks["notebook-hygiene"] == "no notebooks"
    assert {"secrets", "copy-versioning"} <= checks.keys()

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=target,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout
    assert git(target, "status", "--porcelain") == ""  # the tests wrote nothing into the project


def test_standard_scaffold_passes_its_runs_out_of_the_box(tmp_path: Path, run_cli: RunCli) -> None:
    # --run all: the test suite, a smoke run of the training code on the committed sample, and
    # the verification script the template declares, with nothing installed but dsdone's deps.
    target = tmp_path / "churn"
    assert init(run_cli, target)[0] == 0
    commit_all(target)

    check = run_cli("check", str(target), "--run", "all", "--python", sys.executable, "-f", "json")

    report = json.loads(check.stdout)
    assert check.exit_code == 0, [r for r in report["results"] if r["status"] != "pass"]
    runs = [(r["kind"], r["name"], r["exit_code"]) for r in report["runs"]]
    assert runs == [
        ("tests", "tests", 0),
        ("retrain", "smoke", 0),
        ("verify", "input-expectations", 0),
    ]
    assert git(target, "status", "--porcelain") == ""  # the runs wrote nothing into the project


def test_scaffold_renders_name_owner_and_package_into_the_contract(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "churn"
    assert init(run_cli, target)[0] == 0
    text = (target / "dsdone.yaml").read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    contract = load_contract(target)
    assert contract.project.name == "Churn Model"
    assert contract.project.owner == OWNER
    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "python -m churn_model.train --config configs/train.yaml"
    assert contract.inputs is not None
    assert contract.inputs[0].pipeline == "churn_model.pipeline:load"
    assert contract.config_files == ("configs/train.yaml",)


def test_gitignore_keeps_data_models_and_environments_out_of_git(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "churn"
    assert init(run_cli, target)[0] == 0
    for path in ("data/train.csv", "models/model.json", ".venv/bin/python",
                 "notebooks/.ipynb_checkpoints/x.ipynb"):  # fmt: skip
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_text("x", "utf-8")
    untracked = git(target, "status", "--porcelain", "--untracked-files=all")
    assert "data/README.md" in untracked
    for ignored in ("data/train.csv", "models/", ".venv/", ".ipynb_checkpoints"):
        assert ignored not in untracked


def test_gitignore_keeps_reports_out_of_git_but_not_the_baseline(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "churn"
    assert init(run_cli, target)[0] == 0
    commit_all(target)
    reports = ["dsdone-report.json", "dsdone-report.sarif", "dsdone-report.xml",
               "dsdone-report.md", "ci/results.sarif"]  # fmt: skip
    for name in [*reports, "dsdone-baseline.json"]:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text("{}", "utf-8")

    untracked = git(target, "status", "--porcelain", "--untracked-files=all").split("\n")

    assert [line for line in untracked if line] == ["?? dsdone-baseline.json"]


def test_scaffold_inside_a_repository_does_not_nest_another(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo({"README.md": "monorepo\n"}, contract=None)
    target = repo / "models" / "churn"
    assert init(run_cli, target)[0] == 0
    assert not (target / ".git").exists()
    assert (target / "dsdone.yaml").is_file()


def test_scaffold_without_git_writes_the_files_and_says_why_there_is_no_repository(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_git = tmp_path / "no-git-here"
    no_git.mkdir()
    monkeypatch.setenv("PATH", str(no_git))
    target = tmp_path / "churn"

    code, output = init(run_cli, target)

    assert code == 0, output
    assert (target / "dsdone.yaml").is_file()
    assert not (target / ".git").exists()
    assert "warning: git could not be run (the git executable was not found)" in output


@pytest.mark.parametrize(
    "existing",
    [
        "README.md",
        "dsdone.yaml",
        ".gitignore",
        ".github/workflows/dsdone.yml",
        "configs/train.yaml",
    ],
)
def test_an_existing_file_is_kept_and_listed_as_skipped(
    tmp_path: Path, run_cli: RunCli, existing: str
) -> None:
    target = tmp_path / "churn"
    (target / existing).parent.mkdir(parents=True)
    (target / existing).write_text("mine\n", "utf-8")

    code, output = init(run_cli, target)

    assert code == 0, output
    assert (target / existing).read_text("utf-8") == "mine\n"
    assert f"skipped      {existing} (exists; --force overwrites it)" in output
    assert project_files(target) == STANDARD_FILES  # everything else was written


def test_force_overwrites_an_existing_file(tmp_path: Path, run_cli: RunCli) -> None:
    target = tmp_path / "churn"
    target.mkdir()
    (target / "README.md").write_text("mine\n", "utf-8")

    code, output = init(run_cli, target, "--force")

    assert code == 0
    assert "overwritten  README.md" in output
    assert (target / "README.md").read_text("utf-8").startswith("# Churn Model")


def test_running_init_twice_changes_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    target = tmp_path / "churn"
    assert init(run_cli, target)[0] == 0
    (target / "configs" / "train.yaml").write_text("epochs: 3\n", "utf-8")  # the user's edit

    code, output = init(run_cli, target)

    assert code == 0
    assert (target / "configs" / "train.yaml").read_text("utf-8") == "epochs: 3\n"
    assert "skipped      configs/train.yaml" in output
    assert "unchanged    README.md" in output
    assert "created" not in output.split("\n\n")[0]


def test_no_temporary_file_is_left_behind(tmp_path: Path, run_cli: RunCli) -> None:
    target = tmp_path / "churn"
    target.mkdir()
    (target / "README.md").write_text("mine\n", "utf-8")
    assert init(run_cli, target)[0] == 0
    assert [p for p in project_files(target) if p.endswith(".tmp")] == []


def test_a_path_that_is_a_file_is_an_error(tmp_path: Path, run_cli: RunCli) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("hello\n", "utf-8")
    code, output = init(run_cli, target)
    assert code == 2
    assert f"{target}: is a file, not a folder" in output
    assert target.read_text("utf-8") == "hello\n"


def test_a_file_where_the_template_needs_a_folder_is_an_error(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "churn"
    target.mkdir()
    (target / "configs").write_text("not a folder\n", "utf-8")
    code, output = init(run_cli, target)
    assert code == 2
    assert "configs: is a file, but the template needs a folder there" in output


def test_minimal_template_writes_only_a_valid_contract_and_its_schema(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "proj"
    code, _ = init(run_cli, target, "--template", "minimal")
    assert code == 0
    assert project_files(target) == {"dsdone.yaml", ".dsdone/contract-schema.json"}
    contract = load_contract(target)
    assert (contract.project.name, contract.project.owner) == ("Churn Model", OWNER)
    assert contract.inputs is None  # left as a commented example, not as a false promise


def test_an_unknown_template_is_an_error_before_anything_is_written(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "proj"
    code, output = init(run_cli, target, "--template", "fancy")
    assert code == 2
    assert "unknown template 'fancy'" in output
    assert "standard, minimal" in output
    assert not target.exists()


def test_existing_takes_no_template(tmp_path: Path, run_cli: RunCli) -> None:
    code, output = init(run_cli, tmp_path, "--existing", "--template", "minimal")
    assert code == 2
    assert "--existing" in output


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("Churn Model", "churn_model"),
        ("churn-model", "churn_model"),
        ("Prévision Ventes v2", "prevision_ventes_v2"),
        ("2024 forecast", "model_2024_forecast"),
        ("class", "class_model"),
        ("  Fraud__Score!  ", "fraud_score"),
    ],
)
def test_package_name_is_a_valid_identifier(name: str, package: str) -> None:
    assert package_name(name) == package
    assert package.isidentifier()


def test_a_name_without_letters_or_digits_is_an_error(tmp_path: Path, run_cli: RunCli) -> None:
    code, output = init(run_cli, tmp_path / "x", name="!!!")
    assert code == 2
    assert "cannot make a Python package name" in output


@pytest.mark.parametrize(
    "name", ["yes", "Model: v2", "#1 model", "3.14", "null", 'say "hi"', "émile's model"]
)
def test_names_that_yaml_would_misread_survive_in_the_contract(
    tmp_path: Path, run_cli: RunCli, name: str
) -> None:
    target = tmp_path / "proj"
    code, output = init(run_cli, target, "--template", "minimal", name=name)
    assert code == 0, output
    assert load_contract(target).project.name == name


def test_every_template_placeholder_is_filled() -> None:
    values = template_values("Churn Model", OWNER)
    for template in ("standard", "minimal"):
        for path, text in rendered_files(template, values).items():
            assert "{{" not in path
            assert "{{" not in text, f"{template}/{path} has an unfilled placeholder"


def test_without_a_terminal_the_name_defaults_to_the_folder(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "fraud-score"
    result = run_cli("init", str(target), "--owner", OWNER, "--template", "minimal")
    assert result.exit_code == 0
    assert load_contract(target).project.name == "fraud-score"


def test_without_a_terminal_the_owner_comes_from_git(tmp_path: Path, run_cli: RunCli) -> None:
    git(tmp_path, "config", "--global", "user.email", "team@example.com")
    target = tmp_path / "proj"
    result = run_cli("init", str(target), "--name", "P", "--template", "minimal")
    assert result.exit_code == 0
    assert load_contract(target).project.owner == "team@example.com"


def test_without_a_terminal_and_no_owner_it_fails_instead_of_waiting(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "proj"
    result = run_cli("init", str(target), "--name", "P")
    assert result.exit_code == 2
    assert "no owner for the project" in result.stderr
    assert "--owner" in result.stderr
    assert not (target / "dsdone.yaml").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_in_a_terminal_it_asks_with_defaults(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "config", "--global", "user.email", "team@example.com")
    # An empty answer takes the default (the folder's name); the owner is typed in.
    monkeypatch.setattr(sys, "stdin", _Terminal("\nbob@example.com\n"))
    target = tmp_path / "fraud-score"
    result = run_cli("init", str(target), "--template", "minimal")
    assert result.exit_code == 0, result.stderr
    # The questions are for the person: on standard error, never in a redirected output.
    assert "Project name [fraud-score]" in result.stderr
    assert "Owner (e-mail) [team@example.com]" in result.stderr
    assert "Project name" not in result.stdout
    contract = load_contract(target)
    assert (contract.project.name, contract.project.owner) == ("fraud-score", "bob@example.com")


# -- a folder that already holds a project ----------------------------------------------------


def test_init_again_keeps_the_contracts_name_and_owner_and_adds_no_second_package(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "churn"
    assert init(run_cli, target, name="Churn Model")[0] == 0
    commit_all(target)

    # No --name, no --owner: the contract's, not the folder's "churn" (a second package).
    result = run_cli("init", str(target))

    assert result.exit_code == 0, result.stderr
    assert not (target / "src" / "churn").exists()
    assert git(target, "status", "--porcelain") == ""
    assert load_contract(target).project.owner == OWNER


def test_init_in_a_folder_with_another_package_refuses_to_add_a_second(
    tmp_path: Path, run_cli: RunCli
) -> None:
    target = tmp_path / "scoring"
    (target / "src" / "scoring").mkdir(parents=True)
    (target / "src" / "scoring" / "__init__.py").write_text("", encoding="utf-8")

    code, output = init(run_cli, target, name="Churn Model")

    assert code == 2
    assert "already holds the package src/scoring: `dsdone init` would add a second one" in output
    assert "dsdone init --existing" in output
    assert not (target / "src" / "churn_model").exists()
    assert init(run_cli, target, name="scoring")[0] == 0  # the package that is there: fine


def test_adopting_again_with_force_keeps_the_contracts_name_and_owner(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    contract = "version: 1\nproject:\n  name: Churn Model\n  owner: team-ml@example.com\n"
    root = make_repo({"train.py": "print('train')\n"}, contract=contract, name="churn")

    result = run_cli("init", str(root), "--existing", "--force")

    assert result.exit_code == 0, result.stderr
    adopted = load_contract(root)
    assert (adopted.project.name, adopted.project.owner) == ("Churn Model", "team-ml@example.com")


def test_init_in_a_subfolder_of_a_repository_writes_no_ci_or_hook_config_there(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"README.md": "# monorepo\n"}, contract=None)
    target = root / "models" / "churn"

    code, output = init(run_cli, target)

    assert code == 0, output
    written = project_files(target)
    assert written == STANDARD_FILES - {".github/workflows/dsdone.yml", ".pre-commit-config.yaml"}
    assert not (root / ".github").exists()
    assert (
        "not written  .github, .pre-commit-config.yaml: this folder is models/churn/ of a git "
        "repository, and GitHub and pre-commit read them only at the repository's top" in output
    )
    uses = f"  - uses: {release.action_reference()}\n"
    assert f"{uses}    with:\n      path: models/churn\n" in output
    # The same local hook as the scaffold's: it needs no release tag to exist.
    assert "  - repo: local\n" in output
    assert "        args: [--ignore, version-control, models/churn]\n" in output


def test_adopting_says_to_commit_the_contract(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"train.py": "print('train')\n"}, contract=None)
    result = run_cli("init", str(root), "--existing", "--owner", OWNER)
    assert "git add dsdone.yaml .dsdone/contract-schema.json && git commit" in result.stdout
    assert "version-control fails until it is tracked" in result.stdout
