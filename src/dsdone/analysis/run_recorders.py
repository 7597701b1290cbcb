"""What in one Python module records a training run, read from its syntax tree: the libraries
that keep each run's metrics and hyperparameters without an MLflow or W&B call in sight.

- dvclive: ``Live(...)`` (and its Lightning, Keras and Hugging Face loggers);
- PyTorch Lightning: ``self.log(...)``/``self.log_dict(...)`` in a ``LightningModule`` (metrics)
  and ``self.save_hyperparameters()`` (hyperparameters): the ``Trainer``'s default logger writes
  both to ``lightning_logs/``, unless it is built with ``logger=False``;
- ray: ``MLflowLoggerCallback``, ``WandbLoggerCallback``, ``setup_mlflow``, ``setup_wandb``
  (the run's config and metrics), ``ray.train.report(...)`` (metrics);
- ZenML: a ``@step`` (its parameters and artefacts are tracked per run by ZenML's store) and
  ``log_metadata(...)`` (metrics);
- TensorBoard: a ``SummaryWriter`` with ``add_scalar``/``add_scalars`` (``add_hparams``);
  Keras' ``TensorBoard`` and ``CSVLogger`` callbacks.

Names are resolved through the module's imports (``from dvclive import Live as L``), so a name
that only looks like one (a class of the project called ``Live``) is not taken, and an import
that is never used records nothing. Nothing is imported or run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

# The literals a file must hold to record a run one of these ways: the grep that finds the
# files to parse. Each recorder below is imported under a name holding one of them.
LITERALS = (
    b"dvclive",
    b"lightning",
    b"LoggerCallback",
    b"setup_mlflow",
    b"setup_wandb",
    b"from ray",
    b"import ray",
    b"zenml",
    b"tensorboard",
    b"TensorBoard",
    b"CSVLogger",
)
_LIGHTNING = ("lightning", "pytorch_lightning")
_KERAS = ("keras", "tensorflow")
_RAY_TRACKERS = {
    "MLflowLoggerCallback": "mlflow",
    "WandbLoggerCallback": "wandb",
    "setup_mlflow": "mlflow",
    "setup_wandb": "wandb",
}
_LIGHTNING_LOGGERS = {
    "MLFlowLogger": "mlflow",
    "WandbLogger": "wandb",
    "TensorBoardLogger": "tensorboard",
    "CSVLogger": "lightning",
    "DVCLiveLogger": "dvclive",
}
_ZENML_METADATA = frozenset(
    {"log_metadata", "log_step_metadata", "log_model_metadata", "log_artifact_metadata"}
)
_WRITER_CALLS = frozenset({"add_scalar", "add_scalars"})


@dataclass
class Recorded:
    """The tools a module records runs with, and whether they keep metrics and parameters."""

    tools: set[str] = field(default_factory=set)
    metrics: bool = False
    params: bool = False
    lines: list[int] = field(default_factory=list)  # where each recording call is
    # Lightning: modules that log, and whether a Trainer here turns the logger off.
    lightning_logs: bool = False
    lightning_off: bool = False
    # TensorBoard: a SummaryWriter built here, and the add_scalar calls of some writer.
    writer: bool = False
    writer_calls: list[int] = field(default_factory=list)
    writer_params: bool = False


def recorded(tree: ast.Module) -> Recorded:
    """What ``tree`` records; nothing for a module that imports none of the libraries."""
    names = _imported_names(tree)
    found = Recorded()
    if not names:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            _call(node, _qualified(node.func, names), found)
        elif isinstance(node, ast.ClassDef) and any(
            _qualified(base, names).endswith("LightningModule") for base in node.bases
        ):
            _lightning_module(node, found)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                qualified = _qualified(target, names)
                if qualified.startswith("zenml") and qualified.rpartition(".")[2] == "step":
                    _add(found, "zenml", decorator.lineno, params=True)
    if found.lightning_logs and not found.lightning_off:
        found.tools.add("lightning")
    if found.writer and found.writer_calls:  # a writer nothing is written to records nothing
        for line in found.writer_calls:
            _add(found, "tensorboard", line, metrics=True, params=found.writer_params)
    return found


def _add(
    found: Recorded, tool: str, line: int, *, metrics: bool = False, params: bool = False
) -> None:
    found.tools.add(tool)
    found.metrics |= metrics
    found.params |= params
    found.lines.append(line)


def _call(node: ast.Call, qualified: str, found: Recorded) -> None:
    root, last = qualified.partition(".")[0], qualified.rpartition(".")[2]
    if root == "dvclive" and (last == "Live" or last.startswith("DVCLive")):
        _add(found, "dvclive", node.lineno, metrics=True)
    elif root == "ray" and last in _RAY_TRACKERS:
        _add(found, _RAY_TRACKERS[last], node.lineno, metrics=True, params=True)
    elif (
        root == "ray" and last == "report" and (".train." in qualified or ".session." in qualified)
    ):
        _add(found, "ray", node.lineno, metrics=True)
    elif root == "zenml" and last in _ZENML_METADATA:
        _add(found, "zenml", node.lineno, metrics=True)
    elif root in _LIGHTNING and last == "Trainer":
        _trainer(node, found)
    elif root in _LIGHTNING and last in _LIGHTNING_LOGGERS:
        _add(found, _LIGHTNING_LOGGERS[last], node.lineno, metrics=True, params=True)
    elif "tensorboard" in qualified.lower() and last == "SummaryWriter":
        found.writer = True
    elif root in _KERAS and last == "TensorBoard":
        _add(found, "tensorboard", node.lineno, metrics=True)
    elif root in _KERAS and last == "CSVLogger":
        _add(found, "keras CSVLogger", node.lineno, metrics=True)
    elif isinstance(node.func, ast.Attribute) and node.func.attr in _WRITER_CALLS:
        found.writer_calls.append(node.lineno)
    elif isinstance(node.func, ast.Attribute) and node.func.attr == "add_hparams":
        found.writer_calls.append(node.lineno)
        found.writer_params = True


def _trainer(node: ast.Call, found: Recorded) -> None:
    """``Trainer(logger=False)`` turns off the logger a LightningModule's ``self.log`` writes
    to; any other ``logger=`` is a logger call of its own (read where it is built)."""
    for keyword in node.keywords:
        value = keyword.value
        if keyword.arg == "logger" and isinstance(value, ast.Constant) and value.value is False:
            found.lightning_off = True


def _lightning_module(node: ast.ClassDef, found: Recorded) -> None:
    for inner in ast.walk(node):
        if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)):
            continue
        owner = inner.func.value
        if not (isinstance(owner, ast.Name) and owner.id == "self"):
            continue
        if inner.func.attr in ("log", "log_dict"):
            found.lightning_logs = True
            found.metrics = True
            found.lines.append(inner.lineno)
        elif inner.func.attr == "save_hyperparameters":
            found.params = True
            found.lines.append(inner.lineno)


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Each name the module binds by importing one of the libraries, and what it is:
    ``{"Live": "dvclive.Live", "pl": "pytorch_lightning", "train": "ray.train"}``."""
    roots = ("dvclive", "ray", "zenml", "tensorboardX", "torch", "keras", "tensorflow", *_LIGHTNING)
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.partition(".")[0] in roots:
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:
                        first = alias.name.partition(".")[0]
                        names[first] = first
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and not node.level
            and node.module.partition(".")[0] in roots
        ):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.expr, names: dict[str, str]) -> str:
    """``pl.Trainer`` as ``pytorch_lightning.Trainer`` when ``pl`` is imported; "" for a name
    the imports do not bind."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in names:
        return ""
    return ".".join([names[node.id], *reversed(parts)])
