"""model-tracking: the libraries that record runs on their own (dvclive, Lightning, ray, ZenML,
TensorBoard, Keras callbacks), read from the code that uses them (issue #15, class 6), and the
near-misses that record nothing."""

from __future__ import annotations

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo

from dsdone.checks.model_tracking import model_tracking
from dsdone.report import Status
from dsdone.testing import run_check

NOTHING = "nothing records each training run's hyperparameters and metrics"
NO_PARAMS = (
    "the hyperparameters of a run are not recorded: no tracked config files (config.files) and "
    "no params logged"
)

LIGHTNING = """import lightning as L
import torch


class LitClassifier(L.LightningModule):
    def __init__(self, hidden_dim=128, learning_rate=1e-3):
        super().__init__()
        self.save_hyperparameters()

    def validation_step(self, batch, batch_idx):
        loss = torch.tensor(0.0)
        self.log("valid_loss", loss)


if __name__ == "__main__":
    L.Trainer(max_epochs=3).fit(LitClassifier())
"""


@pytest.mark.parametrize(
    ("code", "tools"),
    [
        # iterative/example-get-started src/evaluate.py:103
        ("from dvclive import Live\n\nwith Live('eval') as live:\n"
         "    live.log_params({'n_est': 50})\n    live.log_metric('auc', 0.9)\n", "dvclive"),
        # Lightning-AI/deep-learning-project-template project/lit_mnist.py:15,36
        (LIGHTNING, "lightning"),
        ("import pytorch_lightning as pl\n\n\nclass M(pl.LightningModule):\n"
         "    def training_step(self, batch, i):\n        self.save_hyperparameters()\n"
         "        self.log_dict({'auc': 0.9})\n", "lightning"),
        ("from lightning.pytorch import Trainer\nfrom lightning.pytorch.loggers import MLFlowLogger"
         "\n\nTrainer(logger=MLFlowLogger(experiment_name='churn'))\n", "mlflow"),
        # GokuMohandas/Made-With-ML madewithml/train.py:205
        ("from ray.air.integrations.mlflow import MLflowLoggerCallback\n\n"
         "callback = MLflowLoggerCallback(tracking_uri='x', experiment_name='e')"
         "\n", "mlflow"),
        ("from ray.air.integrations.wandb import WandbLoggerCallback\n\n"
         "callbacks = [WandbLoggerCallback(project='p')]\n", "wandb"),
        # zenml-projects/oncoclear steps/data_preprocessor.py:25
        ("from zenml import log_metadata, step\n\n\n@step\ndef train(alpha: float = 0.1) -> float:"
         "\n    log_metadata(metadata={'auc': 0.9})\n    return alpha\n", "zenml"),
        ("from torch.utils.tensorboard import SummaryWriter\n\nwriter = SummaryWriter()\n"
         "writer.add_hparams({'lr': 0.1}, {'auc': 0.9})\nwriter.add_scalar('auc', 0.9, 1)\n",
         "tensorboard"),
        ("import tensorflow as tf\n\ncallbacks = [tf.keras.callbacks.TensorBoard('logs'),\n"
         "             tf.keras.callbacks.CSVLogger('log.csv')]\nmodel.fit(x, callbacks=callbacks,"
         " epochs=3)\n", "keras CSVLogger, tensorboard"),
    ],
    ids=["dvclive", "lightning", "pytorch-lightning", "lightning-mlflow-logger", "ray-mlflow",
         "ray-wandb", "zenml", "tensorboard", "keras"],
)  # fmt: skip
def test_libraries_that_record_runs_are_recognised(
    make_repo: MakeRepo, code: str, tools: str
) -> None:
    root = make_repo(
        {"src/train.py": code}, contract=MINIMAL_CONTRACT + "config:\n  files: [params.yaml]\n"
    )
    (root / "params.yaml").write_text("lr: 0.1\n", encoding="utf-8")

    result = run_check(root, model_tracking)

    assert [f.message for f in result.findings] == []
    assert result.status is Status.PASS
    assert result.summary == f"runs recorded by {tools}"


@pytest.mark.parametrize(
    "code",
    [
        # A commented-out mlflow call, an import of tensorboard never used.
        "import pandas\n# import mlflow\n# mlflow.log_metric('auc', 0.9)\n",
        "import tensorboard\n\nprint('trained')\n",
        # A SummaryWriter nothing is written to; a project class named like dvclive's.
        "from torch.utils.tensorboard import SummaryWriter\n\nwriter = SummaryWriter()\n",
        "class Live:\n    pass\n\n\nLive()  # dvclive is not used here\n",
        # Lightning with its logger turned off.
        LIGHTNING.replace("L.Trainer(max_epochs=3)", "L.Trainer(max_epochs=3, logger=False)"),
        # A ray report with no ray import: another library's train.report.
        "import train\n\ntrain.report({'auc': 0.9})  # from ray? no: a local module\n",
    ],
    ids=["commented-mlflow", "unused-tensorboard", "idle-writer", "own-live", "logger-off",
         "not-ray"],
)  # fmt: skip
def test_near_misses_record_nothing(make_repo: MakeRepo, code: str) -> None:
    root = make_repo({"src/train.py": code})

    messages = [f.message for f in run_check(root, model_tracking).findings]

    assert messages == [NOTHING]


def test_lightning_without_save_hyperparameters_records_metrics_only(
    make_repo: MakeRepo,
) -> None:
    code = LIGHTNING.replace("        self.save_hyperparameters()\n", "")
    root = make_repo({"src/train.py": code})

    result = run_check(root, model_tracking)

    assert [f.message for f in result.findings] == [NO_PARAMS]
    assert result.summary.endswith("runs recorded by lightning")


def test_a_declared_metric_logged_by_lightning_is_recorded(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + "model:\n  metrics:\n    - {name: valid_loss, goal: minimize}\n"
    root = make_repo({"src/train.py": LIGHTNING}, contract=contract)

    assert [f.message for f in run_check(root, model_tracking).findings] == []


@pytest.mark.parametrize("callback", ["MLflowLoggerCallback", "WandbLoggerCallback"])
def test_rays_logger_callbacks_record_the_runs_config(make_repo: MakeRepo, callback: str) -> None:
    # GokuMohandas/Made-With-ML madewithml/train.py:205: the train loop config is logged as
    # the run's params; no config.files in the contract.
    module = "mlflow" if callback.startswith("MLflow") else "wandb"
    code = (
        f"from ray.air.integrations.{module} import {callback}\n"
        "from ray.train import RunConfig\n\n"
        f"run_config = RunConfig(callbacks=[{callback}(experiment_name='llm')])\n"
    )
    root = make_repo({"madewithml/train.py": code})

    assert [f.message for f in run_check(root, model_tracking).findings] == []


KEDRO_PROJECT = {
    "pyproject.toml": '[project]\nname = "spaceflights"\ndependencies = ["kedro~=0.19", '
    '"kedro-mlflow~=0.14.2"]\n[tool.kedro]\npackage_name = "spaceflights"\n',
    "conf/base/parameters.yml": "model_options:\n  test_size: 0.2\n",
    "src/spaceflights/pipelines/data_science/nodes.py": "def train(X, y, params):\n"
    "    return params\n",
}


@pytest.mark.parametrize(
    "configured",
    [
        {"conf/demo/mlflow.yml": "server:\n  mlflow_tracking_uri: mlflow_runs\n"},
        {"conf/base/catalog.yml": "regressor:\n"
         "  type: kedro_mlflow.io.models.MlflowModelTrackingDataset\n  flavor: mlflow.sklearn\n"},
    ],
    ids=["mlflow.yml", "a kedro_mlflow dataset"],
)  # fmt: skip
def test_kedro_mlflow_records_each_runs_parameters(
    make_repo: MakeRepo, configured: dict[str, str]
) -> None:
    # kedro-academy kedro-mlops/kedro-spaceflights-mlops: kedro-mlflow's hooks log every
    # parameter of a `kedro run` to MLflow; no Python file of the project names mlflow.
    root = make_repo({**KEDRO_PROJECT, **configured})

    result = run_check(root, model_tracking)

    assert [f.message for f in result.findings] == []
    assert result.summary.endswith("runs recorded by kedro-mlflow")


@pytest.mark.parametrize(
    "configured",
    [
        {"conf/base/catalog.yml": "# regressor:\n#   type: kedro_mlflow.io.models.MlflowModel\n"},
        {"docs/mlflow.yml": "server: {}\n"},
        {"conf/base/parameters.yml": "mlflow_note: see kedro_mlflow docs\n"},
    ],
    ids=["commented-out", "not-in-conf", "a-word-in-parameters"],
)
def test_kedro_mlflow_near_misses_record_nothing(
    make_repo: MakeRepo, configured: dict[str, str]
) -> None:
    root = make_repo({**KEDRO_PROJECT, **configured})

    assert [f.message for f in run_check(root, model_tracking).findings] == [NOTHING]
