"""model-tracking: each run records its hyperparameters and the declared metrics."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo

from dsdone.checks.model_tracking import model_tracking
from dsdone.report import Status
from dsdone.testing import run_check

WITH_CONFIG = MINIMAL_CONTRACT + "config:\n  files: [configs/train.yaml]\n"
METRICS = "model:\n  metrics:\n    - {name: auc, goal: maximize}\n"


def messages(root: Path) -> list[str]:
    return [f.message for f in run_check(root, model_tracking).findings]


@pytest.mark.parametrize(
    "code",
    [
        'import mlflow\n\nmlflow.log_metric("auc", 0.9)\n',
        "import mlflow\n\nmlflow.log_metrics({'auc': 0.9, 'loss': 0.1})\n",
        'import wandb\n\nwandb.log({"auc": 0.9})\n',
        "import mlflow\n\nmlflow.autolog()\n",
    ],
)
def test_a_run_logged_with_a_tracking_tool_passes(make_repo: MakeRepo, code: str) -> None:
    root = make_repo(
        {"train.py": code, "configs/train.yaml": "lr: 0.1\n"}, contract=WITH_CONFIG + METRICS
    )

    assert messages(root) == []


def test_nothing_that_records_runs_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo({"train.py": "print('trained')\n"}, contract=WITH_CONFIG + METRICS)

    (finding,) = run_check(root, model_tracking).findings
    assert finding.message == "nothing records each training run's hyperparameters and metrics"
    assert (finding.path, finding.line) == ("dsdone.yaml", 7)


def test_a_declared_metric_that_no_run_logs_is_a_finding(make_repo: MakeRepo) -> None:
    code = 'import mlflow\n\nmlflow.log_metric("roc_auc", 0.9)\n'
    root = make_repo(
        {"train.py": code, "configs/train.yaml": "lr: 0.1\n"}, contract=WITH_CONFIG + METRICS
    )

    assert messages(root) == [
        "model.metrics[0]: 'auc' is not recorded by any run: no logging call or metrics file "
        "names it"
    ]


@pytest.mark.parametrize(
    "call",
    [
        # karpathy/nanochat scripts/base_train.py:100
        'wandb.init(project="nanochat", name=args.run, config=user_config)',
        'wandb.init(\n    project="demo",\n    config=vars(args),\n)',
        "run = wandb.init(config={'lr': 0.1})",
    ],
    ids=["keyword-not-first", "over-several-lines", "first"],
)
def test_hyperparameters_given_to_wandb_init_are_recorded(make_repo: MakeRepo, call: str) -> None:
    code = f"import wandb\n\n{call}\nwandb.log({{'auc': 0.9}})\n"
    root = make_repo({"train.py": code}, contract=MINIMAL_CONTRACT + METRICS)

    assert messages(root) == []


def test_a_wandb_run_without_its_config_records_no_hyperparameters(make_repo: MakeRepo) -> None:
    code = 'import wandb\n\nwandb.init(project="demo", name="x")\nwandb.log({"auc": 0.9})\n'
    root = make_repo({"train.py": code}, contract=MINIMAL_CONTRACT + METRICS)

    (message,) = messages(root)
    assert message.startswith("the hyperparameters of a run are not recorded")


@pytest.mark.parametrize(
    "files",
    [
        # huggingface/alignment-handbook recipes/*/config_*.yaml, passed to scripts/sft.py
        {
            "recipes/sft/config.yaml": "learning_rate: 2.0e-05\nreport_to:\n- tensorboard\n"
            "report_to: [wandb]\n",
            "scripts/sft.py": "from trl import SFTTrainer, TrlParser\n",
        },
        {"train.py": 'args = TrainingArguments("out", learning_rate=2e-5, report_to="mlflow")\n'},
    ],
    ids=["recipe-yaml", "training-arguments"],
)
def test_a_trainer_reporting_to_a_tracking_tool_records_its_runs(
    make_repo: MakeRepo, files: dict[str, str]
) -> None:
    root = make_repo(files, contract=MINIMAL_CONTRACT + METRICS)

    assert messages(root) == []


def test_report_to_none_records_nothing(make_repo: MakeRepo) -> None:
    recipe = "learning_rate: 2.0e-05\nreport_to: none  # was: wandb\n"
    root = make_repo({"recipes/config.yaml": recipe}, contract=MINIMAL_CONTRACT + METRICS)

    (message,) = messages(root)
    assert message == "nothing records each training run's hyperparameters and metrics"


def notebook(*cells: nbformat.NotebookNode) -> str:
    book = nbformat.v4.new_notebook()
    book.cells = list(cells)
    return str(nbformat.writes(book))


def test_a_run_logged_in_a_notebooks_code_cells_passes(make_repo: MakeRepo) -> None:
    training = nbformat.v4.new_code_cell(
        'import mlflow\n\nmlflow.log_params({"lr": 0.1})\nmlflow.log_metric("auc", 0.9)\n'
    )
    files = {"notebooks/train.ipynb": notebook(training)}
    root = make_repo(files, contract=MINIMAL_CONTRACT + METRICS)

    assert messages(root) == []


def test_a_tool_named_only_in_a_notebooks_outputs_or_markdown_records_no_run(
    make_repo: MakeRepo,
) -> None:
    # kedro-academy: `pip install` printed "Requirement already satisfied: mlflow..." in a
    # saved output; a markdown cell tells how to log to MLflow. Neither runs when it trains.
    install = nbformat.v4.new_code_cell("%pip install -r requirements.txt\n")
    install.outputs = [
        nbformat.v4.new_output(
            "stream", name="stdout", text="Requirement already satisfied: mlflow~=2.22\n"
        )
    ]
    note = nbformat.v4.new_markdown_cell('Log it: `mlflow.log_metric("auc", auc)`\n')
    train = nbformat.v4.new_code_cell("model.fit(X, y)\nprint('trained')\n")
    root = make_repo(
        {"notebooks/train.ipynb": notebook(install, note, train)},
        contract=MINIMAL_CONTRACT + METRICS,
    )

    (finding,) = run_check(root, model_tracking).findings
    assert finding.message == "nothing records each training run's hyperparameters and metrics"


def test_hyperparameters_need_a_config_file_or_logged_params(make_repo: MakeRepo) -> None:
    code = 'import mlflow\n\nmlflow.log_metric("auc", 0.9)\n'
    root = make_repo({"train.py": code}, contract=MINIMAL_CONTRACT + METRICS)

    (message,) = messages(root)
    assert message.startswith("the hyperparameters of a run are not recorded")

    logged = code + 'mlflow.log_params({"lr": 0.1})\n'
    root = make_repo({"train.py": logged}, contract=MINIMAL_CONTRACT + METRICS, name="params")
    assert messages(root) == []


def test_dvc_metrics_and_params_record_runs(make_repo: MakeRepo) -> None:
    dvc = (
        "stages:\n  train:\n    cmd: python train.py\n    params: [train.lr]\n"
        "    metrics:\n      - metrics.json: {cache: false}\n"
    )
    root = make_repo(
        {"dvc.yaml": dvc, "metrics.json": '{"auc": 0.91}\n', "params.yaml": "train: {lr: 0.1}\n"},
        contract=MINIMAL_CONTRACT
        + METRICS
        + "  tracking: {tool: dvc, metrics_file: metrics.json}\n",
    )

    assert messages(root) == []


@pytest.mark.parametrize(
    "dvc",
    [
        # iterative/example-get-started: DVC 3 declares metrics once, at the top of dvc.yaml
        # (what dvclive writes), and params per stage.
        "stages:\n  train:\n    cmd: python src/train.py\n    params: [train.seed]\n"
        "    outs: [model.pkl]\nmetrics:\n  - eval/metrics.json\n",
        # Both at the top: params files listed for the whole project.
        "stages:\n  train:\n    cmd: python src/train.py\n"
        "params:\n  - params.yaml\nmetrics:\n  - eval/metrics.json\n",
    ],
)
def test_top_level_dvc_metrics_and_params_record_runs(make_repo: MakeRepo, dvc: str) -> None:
    root = make_repo(
        {"dvc.yaml": dvc, "params.yaml": "train: {seed: 1}\n", "src/train.py": "x = 1\n"},
        contract=MINIMAL_CONTRACT,
    )

    assert messages(root) == []


def test_a_metrics_file_written_by_the_training_code(make_repo: MakeRepo) -> None:
    code = "import json\n\njson.dump({'auc': 0.9}, open('models/metrics.json', 'w'))\n"
    contract = (
        WITH_CONFIG + METRICS + "  tracking: {tool: file, metrics_file: models/metrics.json}\n"
    )
    root = make_repo({"train.py": code, "configs/train.yaml": "lr: 0.1\n"}, contract=contract)

    assert run_check(root, model_tracking).status is Status.PASS


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("https://ana:s3cret@mlflow.corp.com", "the MLflow tracking URI carries a password"),
        ("file:///Users/ana/mlruns", "the MLflow tracking URI is a folder on one person's"),
    ],
)
def test_a_tracking_uri_in_the_code_must_be_shareable(
    make_repo: MakeRepo, uri: str, words: str
) -> None:
    code = f'import mlflow\n\nmlflow.set_tracking_uri("{uri}")\nmlflow.log_metric("auc", 1)\n'
    root = make_repo(
        {"src/train.py": code, "configs/train.yaml": "lr: 0.1\n"}, contract=WITH_CONFIG + METRICS
    )

    (finding,) = run_check(root, model_tracking).findings
    assert finding.message.startswith(words)
    assert (finding.path, finding.line) == ("src/train.py", 3)
    assert "s3cret" not in finding.message


@pytest.mark.parametrize(
    "uri", ["http://mlflow.corp.com:5000", "databricks", "sqlite:///mlflow.db", "./mlruns"]
)
def test_a_shared_or_relative_tracking_uri_is_fine(make_repo: MakeRepo, uri: str) -> None:
    code = f'import mlflow\n\nmlflow.set_tracking_uri("{uri}")\nmlflow.log_metric("auc", 1)\n'
    root = make_repo(
        {"train.py": code, "configs/train.yaml": "lr: 0.1\n"}, contract=WITH_CONFIG + METRICS
    )

    assert messages(root) == []


def test_a_declared_tool_the_code_does_not_use(make_repo: MakeRepo) -> None:
    contract = WITH_CONFIG + METRICS + "  tracking: {tool: wandb}\n"
    code = 'import mlflow\n\nmlflow.log_metric("auc", 0.9)\n'
    root = make_repo({"train.py": code, "configs/train.yaml": "lr: 0.1\n"}, contract=contract)

    assert messages(root) == ["model.tracking.tool is wandb, but no code or dvc.yaml uses it"]
