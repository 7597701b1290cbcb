"""`dsdone init --existing`: a valid, honest contract inferred from a repository's files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli, git

from dsdone.contract import Contract, load_contract

OWNER = "ana@example.com"

DVC_PROJECT = {
    "dvc.yaml": """\
        stages:
          prepare:
            cmd: python src/prepare.py
            deps:
              - data/raw/transactions.csv
              - src/prepare.py
            outs:
              - data/prepared
          train:
            cmd: python src/train.py
            deps:
              - data/prepared
              - src/train.py
            params:
              - train
            outs:
              - models/model.pkl:
                  cache: false
    """,
    "params.yaml": "train:\n  epochs: 10\n",
    "src/prepare.py": "def main():\n    pass\n",
    "src/train.py": "def main():\n    pass\n",
    "tests/test_prepare.py": (
        "def test_a():\n    assert 1 + 1 == 2\n\ndef test_b():\n    assert 2 * 2 == 4\n"
    ),
    ".gitignore": "/data/raw/transactions.csv\n",
    "data/raw/transactions.csv.dvc": "outs:\n- md5: 1\n  path: transactions.csv\n",
}

MLFLOW_PROJECT = {
    "MLproject": """\
        name: churn
        python_env: python_env.yaml
        entry_points:
          main:
            parameters:
              data: {type: path, default: data/churn.parquet}
              alpha: {type: float, default: 0.1}
            command: "python train.py --data {data} --alpha {alpha}"
          evaluate:
            command: "python evaluate.py"
    """,
    "train.py": "def main():\n    pass\n",
    "evaluate.py": "",
    "tests/test_train.py": "def test_train():\n    assert True\n",
}

PLAIN_PROJECT = {
    "src/scoring/__init__.py": "",
    "src/scoring/train.py": "def main():\n    open('configs/model.yaml')\n\n\n"
    "if __name__ == '__main__':\n    main()\n",
    "configs/model.yaml": "depth: 3\n",
    "configs/features.json": "[]\n",
    "schemas/scores.schema.json": '{"type": "object"}\n',
    "schemas/scores.sample.json": "[{}]\n",
    "tests/unit/test_scoring.py": "def test_one():\n    pass\n",
    "pyproject.toml": '[project]\nname = "scoring"\ndescription = "Scores leads."\n',
}

KEDRO_PROJECT = {
    "pyproject.toml": '[project]\nname = "spaceflights"\n\n[tool.kedro]\npackage_name = "x"\n',
    "conf/base/catalog.yml": """\
        companies:
          type: pandas.CSVDataset
          filepath: data/01_raw/companies.csv
        shuttles:
          type: pandas.ExcelDataset
          filepath: data/01_raw/shuttles.xlsx
        model_input_table:
          type: pandas.ParquetDataset
          filepath: data/03_primary/model_input_table.parquet
    """,
    "conf/base/parameters.yml": "test_size: 0.2\n",
    "conf/local/credentials.yml": "db: secret\n",
}


def adopt(run_cli: RunCli, repo: Path, *extra: str) -> tuple[Contract, str]:
    result = run_cli("init", str(repo), "--existing", "--owner", OWNER, *extra)
    assert result.exit_code == 0, result.stderr
    return load_contract(repo), result.stdout


def test_dvc_project_gets_its_stages_raw_inputs_and_params(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(DVC_PROJECT, contract=None)
    contract, output = adopt(run_cli, repo)

    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "dvc repro"
    assert contract.inputs is not None
    # data/prepared is produced by a stage and src/*.py is code: neither is an input.
    assert [(i.name, i.source, i.format, i.pipeline) for i in contract.inputs] == [
        ("transactions", "data/raw/transactions.csv", "csv", "dvc:prepare")
    ]
    assert contract.config_files == ("params.yaml",)
    assert contract.tests.paths == ("tests",)
    assert contract.tests.min_tests == 2
    assert "DVC pipeline with 2 stages" in output


def test_adopted_dvc_inputs_pass_the_input_check_once_committed(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(DVC_PROJECT, contract=None)
    adopt(run_cli, repo)
    git(repo, "add", "dsdone.yaml")
    git(repo, "commit", "-q", "-m", "adopt dsdone")
    result = run_cli("check", str(repo), "--select", "input-pipelines,retrain-entrypoint")
    assert result.exit_code == 0, result.stdout


def test_mlflow_project_retrains_through_its_main_entry_point(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(MLFLOW_PROJECT, contract=None)
    contract, _ = adopt(run_cli, repo)

    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "mlflow run . -e main"
    assert contract.inputs is not None
    assert [(i.name, i.source, i.format, i.pipeline) for i in contract.inputs] == [
        ("data", "data/churn.parquet", "parquet", "train.py")
    ]
    assert contract.tests.min_tests == 1


def test_plain_project_gets_its_module_configs_schemas_and_nested_tests(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(PLAIN_PROJECT, contract=None)
    result = run_cli("init", str(repo), "--existing", "--owner", OWNER)
    assert result.exit_code == 0
    contract = load_contract(repo)

    assert contract.project.name == "scoring"  # from pyproject.toml, not the folder
    assert contract.project.description == "Scores leads."
    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "python -m scoring.train"
    # A folder is declared as globs: a config file added later is declared already.
    assert contract.config_files == ("configs/**/*.json", "configs/**/*.yaml")
    assert contract.outputs is not None
    assert [(o.name, o.schema, o.format, o.sample) for o in contract.outputs] == [
        ("scores", "schemas/scores.schema.json", "json", "schemas/scores.sample.json")
    ]
    assert contract.tests.paths == ("tests",)
    assert contract.inputs is None
    text = (repo / "dsdone.yaml").read_text("utf-8")
    assert "# TODO inputs:" in text


def test_kedro_catalog_raw_datasets_become_inputs(make_repo: MakeRepo, run_cli: RunCli) -> None:
    repo = make_repo(KEDRO_PROJECT, contract=None)
    contract, _ = adopt(run_cli, repo)

    assert contract.inputs is not None
    assert [(i.name, i.source, i.format) for i in contract.inputs] == [
        ("companies", "data/01_raw/companies.csv", "csv"),
        ("shuttles", "data/01_raw/shuttles.xlsx", "xlsx"),
    ]
    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "kedro run"
    # conf/local holds credentials: never a config file to track.
    assert contract.config_files == ("conf/base/**/*.yml",)


def test_repository_with_nothing_to_infer_gets_a_valid_contract_of_todos(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo({"README.md": "# notes\n"}, contract=None, name="notes")
    contract, output = adopt(run_cli, repo)

    assert contract.project.name == "notes"
    assert (contract.inputs, contract.outputs, contract.config_files, contract.retrain) == (
        None,
        None,
        None,
        None,
    )
    text = (repo / "dsdone.yaml").read_text("utf-8")
    for section in ("inputs", "outputs", "config", "retrain", "tests"):
        assert f"# TODO {section}:" in text
    assert "todo         no retrain entrypoint found" in output


def test_adoption_writes_only_the_contract_and_its_schema(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(PLAIN_PROJECT, contract=None)
    adopt(run_cli, repo)
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    assert status == "?? .dsdone/contract-schema.json\n?? dsdone.yaml\n"


def test_ignored_files_are_not_declared(make_repo: MakeRepo, run_cli: RunCli) -> None:
    repo = make_repo(
        {
            "configs/train.yaml": "a: 1\n",
            "train.py": "open('configs/train.yaml')\n",
            "configs/secrets.yaml": "token: x\n",
            ".gitignore": "configs/secrets.yaml\n",
        },
        contract=None,
    )
    contract, _ = adopt(run_cli, repo)
    assert contract.config_files == ("configs/**/*.yaml",)
    git(repo, "add", "dsdone.yaml")
    git(repo, "commit", "-qm", "adopt")
    result = run_cli("check", str(repo), "--select", "tracked-config", "--format", "json")
    assert result.exit_code == 0, result.stdout  # the ignored secrets.yaml is not declared


def test_an_existing_contract_is_kept_without_force(make_repo: MakeRepo, run_cli: RunCli) -> None:
    repo = make_repo(MLFLOW_PROJECT)  # with the minimal contract of conftest
    before = (repo / "dsdone.yaml").read_text("utf-8")

    result = run_cli("init", str(repo), "--existing", "--owner", OWNER)

    assert result.exit_code == 0
    assert "skipped      dsdone.yaml (exists; --force overwrites it)" in result.stdout
    assert (repo / "dsdone.yaml").read_text("utf-8") == before

    forced = run_cli("init", str(repo), "--existing", "--owner", OWNER, "--force")
    assert forced.exit_code == 0
    assert "overwritten  dsdone.yaml" in forced.stdout
    assert load_contract(repo).retrain is not None


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("dvc.yaml", "stages: [unclosed\n"),
        ("MLproject", "entry_points: {main: \n"),
        ("conf/base/catalog.yml", "companies: : :\n"),
        ("pyproject.toml", "[project\nname = 1\n"),
    ],
)
def test_a_broken_file_is_a_todo_not_a_crash(
    make_repo: MakeRepo, run_cli: RunCli, path: str, content: str
) -> None:
    repo = make_repo({path: content}, contract=None, name="broken")
    contract, _ = adopt(run_cli, repo)
    assert contract.project.name == "broken"
    assert contract.retrain is None


def test_the_adopted_contract_never_runs_project_code(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    code = f"open({json.dumps(str(marker))}, 'w').write('x')\n"
    repo = make_repo(
        {"train.py": code, "tests/test_x.py": code, "setup.py": code, "conftest.py": code},
        contract=None,
    )
    contract, _ = adopt(run_cli, repo)
    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "python train.py"
    assert not marker.exists()


def test_min_tests_is_what_the_unit_tests_check_counts(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # Placeholders (`assert True`, `pass`) and a `def test_` nested in a test do not count for
    # the check, so they must not count for init: its min_tests is one the check reaches.
    root = make_repo(
        {
            "src/scoring/__init__.py": "def score(x):\n    return x\n",
            "tests/test_scoring.py": """\
                from scoring import score

                def test_score():
                    def test_helper():
                        return 1
                    assert score(test_helper()) == 1

                def test_placeholder():
                    assert True

                class TestScore:
                    def test_identity(self):
                        assert score(2) == 2

                    def test_todo(self):
                        pass
            """,
        },
        contract=None,
    )

    assert run_cli("init", "--existing", str(root), "--owner", "a@example.com").exit_code == 0
    git(root, "add", "dsdone.yaml")
    git(root, "commit", "-qm", "adopt")

    contract = load_contract(root)
    assert contract.tests.min_tests == 2
    result = run_cli("check", str(root), "--select", "unit-tests", "--format", "json")
    assert result.exit_code == 0, result.stdout


def test_a_pyproject_that_is_a_named_pipe_is_skipped_not_waited_on(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo({"src/scoring/__init__.py": ""}, contract=None)
    os.mkfifo(root / "pyproject.toml")

    # A liveness bound, not a timing: before the fix, init blocked forever opening the pipe.
    completed = subprocess.run(
        [sys.executable, "-m", "dsdone", "init", "--existing", str(root), "--owner", "a@b.co"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert (root / "dsdone.yaml").is_file()
    assert (
        "pyproject.toml: cannot be read (not a regular file), so nothing was inferred from it"
        in completed.stdout
    )


def test_a_pyproject_linked_from_outside_the_repository_is_not_followed(
    make_repo: MakeRepo, tmp_path: Path, run_cli: RunCli
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "pyproject.toml").write_text(
        '[project]\nname = "stranger"\ndescription = "read from outside"\n'
    )
    root = make_repo({"src/scoring/__init__.py": ""}, contract=None)
    (root / "pyproject.toml").symlink_to(outside / "pyproject.toml")

    result = run_cli("init", "--existing", str(root), "--owner", "a@example.com")

    assert result.exit_code == 0, result.stdout
    written = (root / "dsdone.yaml").read_text()
    assert "read from outside" not in written
    assert "stranger" not in written


UNITTEST_AT_THE_TOP = """\
import unittest

from models.matcher import match


class Tester(unittest.TestCase):
    def test_match(self):
        self.assertEqual(match(1), 1)

    def test_match_twice(self):
        self.assertEqual(match(match(1)), 1)


if __name__ == "__main__":
    unittest.main()
"""


@pytest.mark.parametrize(
    ("files", "paths", "min_tests", "said"),
    [
        # facebookresearch/detr: unittest tests in test_all.py at the top, no tests/ folder
        (
            {
                "models/__init__.py": "",
                "models/matcher.py": "def match(x):\n    return x\n",
                "test_all.py": UNITTEST_AT_THE_TOP,
            },
            ("test_all.py",),
            2,
            "2 tests in test_all.py",
        ),
        # tests next to the code, and a helper named like a test module that holds none
        (
            {
                "models/__init__.py": "",
                "models/matcher.py": "def match(x):\n    return x\n",
                "models/matcher_test.py": UNITTEST_AT_THE_TOP,
                "test_utils.py": "X = 1\n",
                "tests/test_more.py": UNITTEST_AT_THE_TOP,
            },
            ("models", "tests"),
            4,
            "4 tests in models, tests",
        ),
        # a script run by hand and a library's fixture module, named like tests: pytest would
        # collect them, but they are not where the team keeps its tests (zenml-projects'
        # credit-scorer/scripts/test_compliance_tracker.py, metaflow's test_lib.py)
        (
            {
                "models/__init__.py": "",
                "models/matcher.py": "def match(x):\n    return x\n",
                "scripts/test_tracker.py": "from models.matcher import match\n\n\n"
                "def test_tracker():\n    return match(1)\n\n\nif __name__ == '__main__':\n"
                "    test_tracker()\n",
                "models/fixtures/test_lib.py": "def test_func(*args):\n    return 'in test func'\n",
                "models/pipelines/test_steps.py": "import pytest\n"
                "from models.matcher import match\n\n\n"
                "def test_step():\n    assert match(1) == 1\n",
                "tests/test_more.py": UNITTEST_AT_THE_TOP,
            },
            # Once models/ is a test path, pytest collects test_lib.py's test_func too.
            ("models", "tests"),
            4,
            "4 tests in models, tests",
        ),
        # pytest's testpaths say where the tests are
        (
            {
                "models/__init__.py": "",
                "models/matcher.py": "def match(x):\n    return x\n",
                "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["checks"]\n'
                'python_files = ["*_check.py"]\n',
                "checks/matcher_check.py": UNITTEST_AT_THE_TOP,
                "tests/test_other.py": UNITTEST_AT_THE_TOP,
            },
            ("checks",),
            2,
            "2 tests in checks (testpaths in pyproject.toml)",
        ),
        # a base class in another module: the tests the check counts
        (
            {
                "models/__init__.py": "",
                "models/matcher.py": "def match(x):\n    return x\n",
                "tests/__init__.py": "",
                "tests/base.py": UNITTEST_AT_THE_TOP.replace("Tester", "MatcherCase"),
                "tests/test_matcher.py": "from tests.base import MatcherCase\n\n\n"
                "class TestSmall(MatcherCase):\n    size = 1\n",
            },
            ("tests",),
            4,
            "4 tests in tests",
        ),
    ],
    ids=[
        "test-module-at-the-top",
        "tests-next-to-code",
        "named-like-tests",
        "testpaths",
        "inherited-tests",
    ],
)
def test_tests_are_found_where_pytest_collects_them(
    make_repo: MakeRepo,
    run_cli: RunCli,
    files: dict[str, str],
    paths: tuple[str, ...],
    min_tests: int,
    said: str,
) -> None:
    root = make_repo(files, contract=None)

    contract, output = adopt(run_cli, root)

    assert contract.tests.paths == paths
    assert contract.tests.min_tests == min_tests
    assert said in output
    git(root, "add", "dsdone.yaml")
    git(root, "commit", "-qm", "adopt")
    result = run_cli("check", str(root), "--select", "unit-tests", "--format", "json")
    assert result.exit_code == 0, result.stdout
