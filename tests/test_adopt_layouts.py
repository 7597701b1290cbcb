"""`init --existing` on the layouts real repositories have (field report, classes 1, 4, 8, 9,
10): what it infers, and that its own `check` then accepts what it wrote wherever the
repository meets it. Each layout is a small copy of a real repository's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli, git

from dsdone.contract import Contract, load_contract

OWNER = "ana@example.com"
MAIN = "import argparse\n\n\nif __name__ == '__main__':\n    argparse.ArgumentParser()\n"
# A main.py or run.py is a trainer when it shows it: it imports a learning library.
TRAINER = "import torch\n" + MAIN
STEP = "from zenml import step\n\n\n@step()\ndef train_model(df):\n    return df\n"
TEST = "def test_one():\n    assert 1 + 1 == 2\n"


def adopt(run_cli: RunCli, repo: Path) -> tuple[Contract, str, str]:
    result = run_cli("init", str(repo), "--existing", "--owner", OWNER)
    assert result.exit_code == 0, result.stderr
    return load_contract(repo), (repo / "dsdone.yaml").read_text("utf-8"), result.stdout


def check(run_cli: RunCli, repo: Path, checks: str) -> dict[str, list[str]]:
    """Commit the contract, run the checks; the failing ones with their messages."""
    git(repo, "add", "dsdone.yaml")
    git(repo, "commit", "-qm", "Adopt dsdone")
    result = run_cli("check", str(repo), "--select", checks, "--format", "json")
    report = json.loads(result.stdout)
    return {
        item["check"]: [finding["message"] for finding in item["findings"]]
        for item in report["results"]
        if item["status"] != "pass"
    }


# -- the retrain command (class 1) ---------------------------------------------------------------

RETRAIN_LAYOUTS = {
    # ultralytics/yolov5: classify/ sorts before train.py, but the root trainer is the one.
    "yolov5": (
        {"train.py": MAIN, "classify/train.py": MAIN, "segment/train.py": MAIN},
        "python train.py",
    ),
    # zenml credit-scorer: src is a package; its train.py is a @step; run.py trains (README).
    "zenml-steps": (
        {
            "src/__init__.py": "",
            "src/steps/__init__.py": "",
            "src/steps/training/__init__.py": "",
            "src/steps/training/train.py": STEP,
            "run.py": "import click\nfrom zenml.client import Client\n\n@click.command()\n"
            "@click.option('--train', is_flag=True)\n"
            "def main(train):\n    pass\n\nif __name__ == '__main__':\n    main()\n",
            "README.md": "# Credit\n\n```bash\npython run.py --deploy\npython run.py --train"
            "      # Model training\n```\n",
        },
        "python run.py --train",
    ),
    # mlflow recipes-regression-template: steps/train.py only defines estimator_fn.
    "mlflow-recipe": (
        {
            "steps/train.py": "def estimator_fn():\n    raise NotImplementedError\n",
            "recipe.yaml": "recipe: regression/v1\ntarget_col: fare\n",
            "profiles/local.yaml": "experiment: {name: x}\n",
            "profiles/databricks.yaml": "experiment: {name: y}\n",
        },
        "mlflow recipes run --profile local",
    ),
    # lucmos/nn-template: src/run.py with @hydra.main; src is no package.
    "nn-template": (
        {
            "src/run.py": "import hydra\nimport pytorch_lightning as pl\n\n"
            "@hydra.main(config_path='../conf')\ndef main(cfg):\n"
            "    pass\n\nif __name__ == '__main__':\n    main()\n",
            "src/ui/run.py": MAIN,
            "src/common/__init__.py": "",
        },
        "python src/run.py",
    ),
    # facebookresearch/detr: main.py at the root, d2/train_net.py deeper.
    "detr": ({"main.py": TRAINER, "d2/train_net.py": MAIN}, "python main.py"),
    "src-layout": (
        {"src/churn/__init__.py": "", "src/churn/train.py": MAIN},
        "python -m churn.train",
    ),
    "src-as-package": ({"src/__init__.py": "", "src/train.py": MAIN}, "python -m src.train"),
    "flat": (
        {"churn/__init__.py": "", "churn/train_model.py": MAIN},
        "python -m churn.train_model",
    ),
    # karpathy/nanoGPT: a script with no __main__ block that runs at its top level.
    "top-level-script": (
        {"train.py": "import torch\nexec(open('configurator.py').read())\nfor i in range(3):\n"
         "    pass\n", "configurator.py": "print('config')\n"},
        "python train.py",
    ),
    "metaflow": (
        {"training_flow.py": "from metaflow import FlowSpec, step\n\nclass TrainFlow(FlowSpec):\n"
         "    @step\n    def start(self):\n        pass\n\nif __name__ == '__main__':\n"
         "    TrainFlow()\n"},
        "python training_flow.py run",
    ),
    # ashleve/lightning-hydra-template's setup.py console script.
    "console-script": (
        {
            "setup.py": "from setuptools import setup\nsetup(name='src', entry_points={"
            "'console_scripts': ['train_command = src.train:main']})\n",
            "src/__init__.py": "",
            "src/train.py": "def main():\n    pass\n",
        },
        "train_command",
    ),
    "make-target": (
        {"Makefile": ".PHONY: train-model\ntrain-model:\n\tpython -m x\n", "x.py": MAIN},
        "make train-model",
    ),
    "justfile": ({"justfile": "train:\n    python x.py\n", "x.py": MAIN}, "just train"),
    # A sub-project's Makefile, when nothing at the root trains.
    "sub-project-make": (
        {"model/Makefile": "train:\n\tpython features.py\n", "model/features.py": "print(1)\n",
         "README.md": "# a model and its service\n"},
        "make -C model train",
    ),
    # README lines with a placeholder, a path of the author's machine, an evaluation, a sweep.
    "readme-arguments": (
        {"train.py": MAIN, "README.md": "```sh\npython train.py --data \"$DATA_DIR\"\n"
         "python train.py --coco_path /path/to/coco\npython train.py --eval\n"
         "python train.py -m lr=0.1,0.01\n$ python train.py --epochs 3 --seed 1\n```\n"},
        "python train.py --epochs 3 --seed 1",
    ),
}  # fmt: skip


@pytest.mark.parametrize("layout", list(RETRAIN_LAYOUTS))
def test_the_retrain_command_is_the_root_most_canonical_one_and_check_accepts_it(
    make_repo: MakeRepo, run_cli: RunCli, layout: str
) -> None:
    files, expected = RETRAIN_LAYOUTS[layout]
    repo = make_repo(files, contract=None)
    contract, _, _ = adopt(run_cli, repo)
    assert contract.retrain is not None
    assert contract.retrain.entrypoint == expected
    assert check(run_cli, repo, "retrain-entrypoint") == {}


@pytest.mark.parametrize(
    ("files", "listed"),
    [
        # pytorch/examples: one example per folder, none at the root.
        (
            {"mnist/main.py": TRAINER, "dcgan/main.py": TRAINER, "siamese/train.py": MAIN},
            ["python siamese/train.py", "python dcgan/main.py", "python mnist/main.py"],
        ),
        # BentoML: the only train.py is a test fixture; examples and legacy code are aside.
        (
            {
                "tests/e2e/bento/train.py": MAIN,
                "examples/a/train.py": MAIN,
                "legacy/train.py": MAIN,
            },
            [],
        ),
        # A serving app's main.py, a library's modules that only look like runners.
        (
            {
                "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\nif __name__ == "
                "'__main__':\n    import uvicorn\n    uvicorn.run(app)\n",
                "src/lib/frameworks/mlflow.py": MAIN,
                "lib/hooks/run_hooks.py": MAIN,
            },
            [],
        ),
        # A course: homework folders, and scripts deep in cohorts.
        (
            {
                "cohorts/2023/02-tracking/homework-wandb/train.py": MAIN,
                "02-tracking/homework/train.py": MAIN,
            },
            [],
        ),
        # MLOpsVN/mlops-crash-course-code training_pipeline/dags/training_dag.py: an Airflow
        # DAG; running the file defines the DAG and trains nothing.
        (
            {
                "training_pipeline/dags/training_dag.py": "import pendulum\n"
                "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n\n"
                'with DAG(dag_id="training", schedule="@weekly") as dag:\n'
                '    BashOperator(task_id="train", bash_command="python train_model.py")\n',
            },
            [],
        ),
    ],
    ids=[
        "monorepo-of-examples",
        "fixtures-and-examples",
        "serving-and-library",
        "course",
        "airflow-dag",
    ],
)
def test_no_retrain_command_is_claimed_when_none_is_the_repositorys_own(
    make_repo: MakeRepo, run_cli: RunCli, files: dict[str, str], listed: list[str]
) -> None:
    repo = make_repo(files, contract=None)
    contract, text, _ = adopt(run_cli, repo)
    assert contract.retrain is None
    assert "# TODO retrain:" in text
    for command in listed:
        assert f"#   {command}\n" in text


def test_an_mlflow_entry_point_with_a_required_parameter_gets_a_p_to_fill_in(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    mlproject = """\
        name: churn
        entry_points:
          main:
            parameters:
              alpha: float
              data: {type: path, default: data/churn.csv}
            command: python train.py --alpha {alpha} --data {data}
        """
    repo = make_repo({"MLproject": mlproject, "train.py": MAIN}, contract=None)
    contract, text, output = adopt(run_cli, repo)
    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "mlflow run . -e main -P alpha=TODO"
    assert "  # TODO give a value to alpha (no default in MLproject" in text
    assert "todo         MLproject entry point 'main': give a value to alpha" in output


def test_an_mlflow_entry_point_without_required_parameters_is_preferred(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    mlproject = """\
        entry_points:
          main:
            parameters: {alpha: float}
            command: python train.py --alpha {alpha}
          train:
            parameters: {alpha: {type: float, default: 0.1}}
            command: python train.py --alpha {alpha}
        """
    repo = make_repo({"MLproject": mlproject, "train.py": MAIN}, contract=None)
    contract, _, _ = adopt(run_cli, repo)
    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "mlflow run . -e train"
    assert check(run_cli, repo, "retrain-entrypoint") == {}


# -- templates (class 9) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "folder"),
    [
        ("cookiecutter.json", "{{ cookiecutter.repo_name }}"),
        ("cookiecutter.json", "{{cookiecutter.__directory_name}}"),
        ("copier.yml", "{{ project_slug }}"),
    ],
)
def test_a_template_says_so_and_adopts_nothing_from_its_templated_folder(
    make_repo: MakeRepo, run_cli: RunCli, marker: str, folder: str
) -> None:
    repo = make_repo(
        {
            marker: '{"repo_name": "x"}\n' if marker.endswith(".json") else "repo_name: x\n",
            f"{folder}/train.py": MAIN,
            f"{folder}/config/main.yaml": "a: 1\n",
            f"{folder}/tests/test_data.py": "from {{ cookiecutter.module }} import x\n",
            f"{folder}/data/raw.csv.dvc": "outs:\n- path: raw.csv\n",
            "ccds/__init__.py": "def make():\n    return 1\n",
            "tests/test_creation.py": "from ccds import make\n\ndef test_make():\n"
            "    assert make() == 1\n",
        },
        contract=None,
    )
    contract, text, output = adopt(run_cli, repo)
    assert "{{" not in text.replace("# ", "")  # no placeholder as a value
    kind = "copier" if marker.startswith("copier") else "cookiecutter"
    assert f"this repository is a {kind} template ({marker})" in output
    assert f"# This repository is a {kind} template" in text
    assert contract.tests.paths == ("tests",)
    assert (contract.retrain, contract.config_files, contract.inputs) == (None, None, None)
    assert check(run_cli, repo, "unit-tests,retrain-entrypoint,tracked-config") == {
        "retrain-entrypoint": [
            "the contract does not say how to retrain the model (retrain.entrypoint)"
        ],
        "tracked-config": ["the contract declares no config files"],
    }


# -- configuration (class 4) ---------------------------------------------------------------------


def test_config_a_reader_sees_is_declared_as_globs_that_stay_true(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(
        {
            # A Hydra tree, nested config folders, hyperparameter files, Python configs.
            "configs/train.yaml": "defaults: [model: resnet]\n",
            "configs/model/resnet.yaml": "depth: 50\n",
            "configs/experiment/fast.yaml": "epochs: 1\n",
            "src/configs/features.json": "[]\n",
            "data/hyps/hyp.scratch-low.yaml": "lr0: 0.01\n",
            "model_config.yaml": "layers: 3\n",
            "hparams.json": '{"lr": 0.1}\n',
            "config/train_gpt2.py": "batch_size = 12\n",
            # What reads them: Hydra's config_path, yolov5's hyp file, nanoGPT's README.
            "train.py": "import hydra\n\n@hydra.main(config_path='configs')\ndef main(cfg):\n"
            "    open('data/hyps/hyp.scratch-low.yaml')\n",
            "README.md": "```\npython train.py config/train_gpt2.py\n```\n",
            "recipe.yaml": "ingest: {{INGEST_CONFIG}}\n",  # MLflow recipes: a Jinja template
            "profiles/local.yaml": "INGEST_CONFIG: {using: csv}\n",
            # Not configuration of this project: tests, docs, CI, a template, tool configs.
            "tests/fixtures/configs/broken.yaml": "a: [\n",
            "docs/conf.py": "project = 'x'\n",
            ".github/workflows/ci.yml": "on: push\n",
            "{{ cookiecutter.repo_name }}/configs/x.yaml": "a: 1\n",
            "tsconfig.json": "{}\n",
            ".pre-commit-config.yaml": "repos: []\n",
        },
        contract=None,
    )
    contract, _, output = adopt(run_cli, repo)
    assert contract.config_files == (
        "hparams.json",
        "model_config.yaml",
        "config/**/*.py",
        "configs/**/*.yaml",
        "profiles/**/*.yaml",
        "data/hyps/**/*.yaml",
        "src/configs/**/*.json",
    )
    assert "todo         recipe.yaml is a template (Jinja), so it is not declared" in output
    assert check(run_cli, repo, "tracked-config") == {}


def test_training_recipes_are_config_when_the_readme_runs_them(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # huggingface/alignment-handbook: recipes/<model>/<method>/config_*.yaml, each given to
    # scripts/sft.py or dpo.py with --config, as the README shows.
    repo = make_repo(
        {
            "recipes/zephyr-7b-beta/sft/config_full.yaml": "learning_rate: 2.0e-05\n",
            "recipes/zephyr-7b-beta/dpo/config_full.yaml": "beta: 0.01\n",
            "scripts/sft.py": "from trl import TrlParser\n\nif __name__ == '__main__':\n"
            "    TrlParser(()).parse_args_and_config()\n",
            "README.md": "```shell\naccelerate launch scripts/sft.py "
            "--config recipes/zephyr-7b-beta/sft/config_full.yaml\n```\n",
        },
        contract=None,
    )
    contract, _, output = adopt(run_cli, repo)
    assert contract.config_files == ("recipes/**/*.yaml",)
    assert "no config files found" not in output
    assert check(run_cli, repo, "tracked-config") == {}


def test_a_leaked_token_in_a_nested_config_folder_is_found_after_adoption(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # zenml-projects: an HF token in magic-photobooth/configs/*.yaml went unreported because
    # init only looked at a top-level configs/.
    token = "hf_" + "tIQrAbCdEfGhIjKlMnOpQrStUvWxYz0123"
    repo = make_repo(
        {
            "photobooth/configs/k8s.yaml": f"settings:\n  HF_TOKEN: {token}\n",
            "photobooth/run.py": "CONFIG = 'configs/k8s.yaml'\n",
        },
        contract=None,
    )
    contract, _, _ = adopt(run_cli, repo)
    assert contract.config_files == ("photobooth/configs/**/*.yaml",)
    failing = check(run_cli, repo, "tracked-config")
    assert failing == {"tracked-config": ["'HF_TOKEN' holds a literal secret (not shown)"]}


# -- tests (class 8 and tests outside tests/) ---------------------------------------------------


@pytest.mark.parametrize(
    ("files", "paths", "count"),
    [
        ({"test_all.py": "import unittest\n\nclass T(unittest.TestCase):\n    def test_a(self):\n"
          "        self.assertEqual(1, 1)\n"}, ("test_all.py",), 1),  # detr
        ({"pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['checks']\n",
          "checks/test_x.py": TEST, "tests/test_y.py": TEST}, ("checks",), 1),
        ({"pytest.ini": "[pytest]\ntestpaths = unit\n", "unit/test_x.py": TEST}, ("unit",), 1),
        # Outside tests/, a test module counts when it says it is one (it imports pytest or
        # unittest, or is named *_test.py): not a hand-run scripts/test_compliance.py, nor
        # metaflow's card module test_cards.py, nor mlops-zoomcamp's test_docker.py script.
        ({"scripts/test_compliance.py": TEST, "tests/test_a.py": TEST, "pkg/__init__.py": "",
          "pkg/test_cards.py": TEST, "streaming/test_docker.py": "print('POST /predict')\n",
          "model/scoring_test.py": TEST},
         ("model", "tests"), 2),
    ],
    ids=["root-file", "pyproject-testpaths", "pytest-ini", "next-to-the-code"],
)  # fmt: skip
def test_tests_are_found_where_pytest_collects_them(
    make_repo: MakeRepo, run_cli: RunCli, files: dict[str, str], paths: tuple[str, ...], count: int
) -> None:
    repo = make_repo(files, contract=None)
    contract, _, _ = adopt(run_cli, repo)
    assert (contract.tests.paths, contract.tests.min_tests) == (paths, count)
    failing = check(run_cli, repo, "unit-tests")
    assert not any("found" in message for message in failing.get("unit-tests", []))


def test_a_suite_of_placeholders_gets_a_todo_not_a_min_tests_its_check_fails(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # render of cookiecutter-data-science: tests/test_data.py holds `assert True`.
    repo = make_repo({"tests/test_data.py": "def test_code_is_tested():\n    assert True\n"})
    (repo / "dsdone.yaml").unlink()
    git(repo, "commit", "-qam", "no contract")
    contract, text, output = adopt(run_cli, repo)
    assert contract.tests.paths == ("tests",)  # the default: nothing declared
    assert "# TODO tests: found 1 placeholder test(s) (pass, assert True) in tests" in text
    assert "todo         0 tests in tests (1 placeholder test not counted)" in output


# -- data: DVC and Kedro (class 10) ---------------------------------------------------------------


def test_dvc_code_folders_and_enclosing_folders_are_not_inputs(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # iterative/example-dvc-experiments
    repo = make_repo(
        {
            "dvc.yaml": "stages:\n  train:\n    cmd: python3 src/train.py\n    deps:\n    - data\n"
            "    - src\n    outs:\n    - models\n",
            "data/images.tar.gz.dvc": "outs:\n- md5: 1\n  path: images.tar.gz\n",
            "src/__init__.py": "",
            "src/train.py": MAIN,
            "params.yaml": "train: {epochs: 3}\n",
        },
        contract=None,
    )
    contract, _, _ = adopt(run_cli, repo)
    assert contract.inputs is not None
    assert [(i.name, i.source, i.format, i.pipeline) for i in contract.inputs] == [
        ("images", "data/images.tar.gz", "tar.gz", "dvc:train")
    ]
    assert check(run_cli, repo, "input-pipelines,retrain-entrypoint") == {}


KEDRO = {
    "pyproject.toml": "[project]\nname = 'flights'\n\n[tool.kedro]\npackage_name = 'flights'\n",
    "src/flights/__init__.py": "",
    "src/flights/pipeline_registry.py": """\
        from flights.pipelines import data_processing as dp, data_science as ds

        def register_pipelines():
            data_processing = dp.create_pipeline()
            return {
                "__default__": data_processing,
                "data_processing": data_processing,
                "data_science": ds.create_pipeline(),
            }
        """,
    "src/flights/pipelines/__init__.py": "",
    "src/flights/pipelines/data_processing/__init__.py": "",
    "src/flights/pipelines/data_processing/pipeline.py": """\
        from kedro.pipeline import node, pipeline

        def create_pipeline(**kwargs):
            return pipeline([
                node(preprocess, inputs="companies", outputs="preprocessed_companies"),
                node(preprocess, "shuttles", "preprocessed_shuttles"),
                node(merge, inputs=["preprocessed_companies", "preprocessed_shuttles",
                     "reviews", "params:x"], outputs="model_input_table@pandas"),
            ])
        """,
    "src/flights/pipelines/data_science/__init__.py": "",
    "src/flights/pipelines/data_science/pipeline.py": """\
        from kedro.pipeline import node, pipeline

        def create_pipeline(**kwargs):
            return pipeline([node(train, inputs="model_input_table@pandas", outputs="regressor")])
        """,
    # A split catalog (kedro-viz's demo-project) with a Snowflake table (kedro-academy).
    "conf/base/catalog_01_raw.yml": """\
        companies:
          type: pandas.CSVDataset
          filepath: ${_base}/companies.csv
        shuttles:
          type: snowflake.SnowparkTableDataset
          table_name: SHUTTLES
          credentials: snowflake
        reviews:
          type: pandas.CSVDataset
          filepath: ${globals:raw}/reviews.csv
        """,
    "conf/base/catalog/derived.yml": """\
        preprocessed_companies:
          type: pandas.ParquetDataset
          filepath: data/02_intermediate/preprocessed_companies.parquet
        model_input_table@pandas:
          type: pandas.ParquetDataset
          filepath: data/03_primary/model_input_table.parquet
        """,
    "conf/base/catalog_globals.yml": "_base: data/\n",
    "conf/base/parameters.yml": "x: 1\n",
    "conf/local/.gitkeep": "",
}


def test_kedro_inputs_are_what_nodes_read_and_none_writes_and_training_is_run(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    repo = make_repo(KEDRO, contract=None)
    contract, text, _ = adopt(run_cli, repo)
    assert contract.inputs is not None
    assert [(i.name, i.source, i.format, i.pipeline) for i in contract.inputs] == [
        (
            "companies",
            "data/companies.csv",
            "csv",
            "src/flights/pipelines/data_processing/pipeline.py",
        )
    ]
    # A table name is not a repository path, and ${globals:...} is not known until run time;
    # the catalog's own ${_base} is, and model_input_table@pandas is model_input_table.
    assert "shuttles: a database table (SHUTTLES)" in text
    assert "reviews: a path known only at run time" in text
    assert "SHUTTLES\n" not in text.replace("(SHUTTLES)", "")
    # __default__ leaves the training pipeline out: `kedro run` would not retrain.
    assert contract.retrain is not None
    assert contract.retrain.entrypoint == "kedro run --pipeline data_science"
    assert contract.config_files == ("conf/**/*.yml",)
    assert check(run_cli, repo, "input-pipelines,retrain-entrypoint,tracked-config") == {}


def test_a_kedro_project_without_pipelines_gets_no_kedro_run(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # What `kedro new` makes: find_pipelines() over an empty pipelines/ folder.
    registry = """\
        from kedro.framework.project import find_pipelines

        def register_pipelines():
            pipelines = find_pipelines()
            pipelines["__default__"] = sum(pipelines.values())
            return pipelines
        """
    files = {
        "pyproject.toml": KEDRO["pyproject.toml"],
        "src/flights/__init__.py": "",
        "src/flights/pipeline_registry.py": registry,
        "conf/base/catalog.yml": "{}\n",
    }
    contract, text, output = adopt(run_cli, make_repo(files, contract=None))
    assert contract.retrain is None
    assert "registers no pipeline yet" in output
    assert "#   kedro run  # once the project has a pipeline" in text
