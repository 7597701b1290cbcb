"""model-tracking: each training run records its hyperparameters and the metrics the model is
judged by, where the next person can find them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dsdone.analysis.notebooks import Layout, load_notebook, source_text
from dsdone.analysis.personal_paths import scan_text
from dsdone.analysis.run_recorders import LITERALS as RECORDER_LITERALS
from dsdone.analysis.run_recorders import recorded
from dsdone.api import Note, check
from dsdone.project import Project
from dsdone.report import Area, Finding, Severity

# The tracking tools configured in code, found by the one git grep every check shares.
_TOOLS = {b"mlflow": "mlflow", b"wandb": "wandb"}
# What records a metric, a hyperparameter, or where runs go, in each tool's Python API.
_METRIC_CALLS = ("log_metric", "log_metrics", "wandb.log", ".log(", "summary[")
_PARAM_CALLS = (
    "log_param",
    "log_params",
    "autolog",
    "wandb.config",
    "config.update",
)
# wandb.init(project=..., config=vars(args)): the run's hyperparameters, wherever the keyword
# stands among the arguments (on the call's first line; a call over several lines is read
# from the syntax tree, ``_wandb_config``).
_INIT_WITH_CONFIG = re.compile(r"\binit\((?:[^()]|\([^()]*\))*\bconfig\s*=")
_URI = re.compile(r"""set_tracking_uri\(\s*(['"])([^'"\n]{1,500})\1""")
_CREDENTIAL_IN_URL = re.compile(r"://[^/@\s:]{1,200}:[^/@\s]{1,200}@")
# kedro-mlflow, configured in a Kedro project's conf/ rather than in code: its `mlflow.yml`
# (what `kedro mlflow init` writes) in a configuration environment, or a kedro_mlflow dataset
# in a catalog. Its hooks then log every parameter of each `kedro run` to MLflow.
_KEDRO_MLFLOW_CONFIG = re.compile(r"(?:^|/)conf/[^/]+/mlflow\.ya?ml")
_KEDRO_MLFLOW_DATASET = re.compile(rb"^\s*type:\s*[\"']?kedro_mlflow\.")


@dataclass
class _Evidence:
    tools: set[str] = field(default_factory=set)
    metric_lines: list[tuple[str, int, str]] = field(default_factory=list)  # path, line, text
    params: bool = False
    autolog: bool = False


@check(
    id="model-tracking",
    title="Each training run records its hyperparameters and metrics",
    severity=Severity.WARNING,
    area=Area.MODEL,
    ml_test_score=("M1", "M2", "M3"),
    fix="Record each run with MLflow, Weights & Biases, DVC (metrics: and params: in dvc.yaml) "
    "or a metrics file, and declare the metrics under model: in dsdone.yaml.",
    grep=(*_TOOLS, *RECORDER_LITERALS),
    since="0.2.0",
)
def model_tracking(project: Project) -> Iterator[Finding | Note]:
    """A model nobody can compare with the one before it cannot be improved or trusted: which
    hyperparameters, which data and which offline metrics produced the model in production must
    be on record for every run, in one place the next person finds.

    Accepts MLflow or Weights & Biases used in the code, in Python files or in notebooks' code
    cells (not their saved outputs or markdown; a tracking URI that is a personal path or
    carries a password is a finding at its line; no server is ever contacted), a Hugging Face
    Trainer whose `report_to` names one of them (in the code or a recipe's YAML), DVC
    (`metrics:` and `params:` in dvc.yaml, in a stage or at its top), or a metrics file
    (`model.tracking.metrics_file`). Also the libraries that record runs on their own, read
    from the syntax tree of the files that name them (a commented-out call or an unused
    import records nothing): dvclive (`Live(...)`), PyTorch Lightning (`self.log(...)` in a
    LightningModule, whose Trainer's default logger writes lightning_logs/ unless
    `logger=False`; `self.save_hyperparameters()`; `MLFlowLogger`, `WandbLogger` ...), ray
    (`MLflowLoggerCallback`, `WandbLoggerCallback`, `setup_mlflow`, `ray.train.report`),
    ZenML (a `@step`, whose parameters ZenML's store keeps per run; `log_metadata`),
    TensorBoard (a `SummaryWriter` with `add_scalar`, `add_hparams`) and Keras'
    `TensorBoard` and `CSVLogger` callbacks. kedro-mlflow, configured in a Kedro project's
    `conf/` (an `mlflow.yml` in a configuration environment, or a `kedro_mlflow.` dataset
    type in a catalog), logs every parameter of each run.
    Hyperparameters are recorded by tracked config files (`config.files`) or the tool's params.
    Each metric the contract declares under `model.metrics` must appear where it is recorded: a
    literal logging call (`mlflow.log_metric("auc", ...)`, `wandb.log({"auc": ...})`), or its
    key in the metrics file or in the code that writes it.
    """
    model = project.contract.model
    tracking = model.tracking if model is not None else None
    evidence = _code_evidence(project)
    yield from _uris(project)
    dvc = _dvc_tracking(project)
    declared_tool = tracking.tool if tracking is not None else None
    tools = evidence.tools | ({"dvc"} if dvc[0] else set())
    metrics_file = tracking.metrics_file if tracking is not None else None
    if declared_tool is not None and declared_tool not in tools and declared_tool != "file":
        yield project.contract_finding(
            f"model.tracking.tool is {declared_tool}, but no code or dvc.yaml uses it",
            "model",
            "tracking",
            "tool",
            hint=f"log the training run with {declared_tool}, or name the tool the code uses",
        )
    if not tools and metrics_file is None:
        yield project.contract_finding(
            "nothing records each training run's hyperparameters and metrics",
            *(("model",) if model is not None else ()),
            hint="log runs with MLflow, Weights & Biases, dvclive or your framework's logger "
            "(Lightning, Keras, TensorBoard), declare metrics: and params: in dvc.yaml, or "
            "write a metrics file and declare it:\n"
            "model:\n  tracking: {tool: file, metrics_file: metrics/train.json}",
        )
        return
    if not (evidence.params or dvc[1] or project.contract.config_files):
        yield project.contract_finding(
            "the hyperparameters of a run are not recorded: no tracked config files "
            "(config.files) and no params logged",
            hint="keep them in a tracked config file and declare it under config.files, or log "
            "them (mlflow.log_params, wandb.config, params: in dvc.yaml)",
        )
    for metric in model.metrics if model is not None else ():
        if not _recorded(project, metric.name, evidence, metrics_file):
            yield project.contract_finding(
                f"model.metrics[{metric.index}]: '{metric.name}' is not recorded by any run: no "
                "logging call or metrics file names it",
                "model",
                "metrics",
                metric.index,
                hint=f'log it by its name, e.g. mlflow.log_metric("{metric.name}", value)',
            )
    shown = sorted(tools | ({"a metrics file"} if metrics_file else set()))
    yield Note(f"runs recorded by {', '.join(shown)}")


def _code_evidence(project: Project) -> _Evidence:
    evidence = _Evidence()
    found = project.grep((*_TOOLS, *RECORDER_LITERALS))
    configs = (*project.by_suffix.get(".yml", ()), *project.by_suffix.get(".yaml", ()))
    if any(_KEDRO_MLFLOW_CONFIG.search(path) for path in configs):
        evidence.tools.add("kedro-mlflow")
        evidence.params = True
    for hit in found if found is not None else ():
        if _is_kedro_catalog(hit.path) and any(
            _KEDRO_MLFLOW_DATASET.match(raw) for _, raw in hit.lines
        ):
            evidence.tools.add("kedro-mlflow")
            evidence.params = True
        _trainer_reports(hit.path, hit.lines, evidence)
        if not hit.path.endswith((".py", ".ipynb")):
            continue
        parse = False
        lines = hit.lines if hit.path.endswith(".py") else _code_cell_lines(project, hit.path)
        for number, raw in lines:
            line = raw.decode("utf-8", "replace")
            if line.lstrip().startswith("#"):
                continue  # commented out
            parse |= any(literal in raw for literal in RECORDER_LITERALS)
            for literal, tool in _TOOLS.items():
                if literal in raw:
                    evidence.tools.add(tool)
            if any(call in line for call in _METRIC_CALLS):
                evidence.metric_lines.append((hit.path, number, line))
            if any(call in line for call in _PARAM_CALLS) or _INIT_WITH_CONFIG.search(line):
                evidence.params = True
                evidence.autolog |= "autolog" in line
            elif "wandb.init(" in line and hit.path.endswith(".py"):
                evidence.params |= _wandb_config(project, hit.path)
        if parse and hit.path.endswith(".py"):
            _recorders(project, hit.path, evidence)
    return evidence


def _code_cell_lines(project: Project, path: str) -> list[tuple[int, bytes]]:
    """The lines of a notebook's code cells that hold one of the literals searched for, each
    with its line in the file, as its source reads (not as JSON stores it: ``"auc"``, not
    ``\\"auc\\"``). Not its saved outputs, where ``pip install``'s "Requirement already
    satisfied: mlflow" records no run, nor its markdown: only what the notebook runs."""
    try:
        raw = project.read_text(path)
    except (OSError, UnicodeDecodeError, ValueError):
        return []
    notebook = load_notebook(raw)
    if notebook is None:
        return []
    cells = notebook["cells"]
    layout: Layout | None = None
    found: list[tuple[int, bytes]] = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        for number, line in enumerate(source_text(cell).splitlines(), start=1):
            encoded = line.encode("utf-8", "surrogateescape")
            if any(literal in encoded for literal in (*_TOOLS, *RECORDER_LITERALS)):
                layout = layout or Layout(raw, cells)
                found.append((layout.position(layout.source_offset(index, number))[0], encoded))
    return found


def _trainer_reports(path: str, lines: Iterable[tuple[int, bytes]], evidence: _Evidence) -> None:
    """Hugging Face's ``Trainer`` with ``report_to`` naming a tracking tool, in a recipe's YAML
    (``report_to: [wandb]``) or in the code (``TrainingArguments(report_to="mlflow")``): the
    integration logs every training argument and every metric of each run, as autolog does."""
    if not path.endswith((".py", ".ipynb", ".yaml", ".yml", ".json")):
        return
    for _, raw in lines:
        if b"report_to" not in raw or raw.lstrip().startswith(b"#"):
            continue
        value = raw.partition(b"report_to")[2].partition(b"#")[0]  # not a trailing comment
        for literal, tool in _TOOLS.items():
            if literal in value:
                evidence.tools.add(tool)
                evidence.params = evidence.autolog = True


def _wandb_config(project: Project, path: str) -> bool:
    """Whether a ``wandb.init(...)`` call of the file passes ``config=`` (its keywords on
    lines after the one that names wandb)."""
    try:
        tree = project.python_ast(path)
    except (OSError, SyntaxError, ValueError, RecursionError):
        return False
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "init"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "wandb"
        and any(keyword.arg == "config" for keyword in node.keywords)
        for node in ast.walk(tree)
    )


def _is_kedro_catalog(path: str) -> bool:
    folder, _, name = path.rpartition("/")
    return "catalog" in name and name.endswith((".yml", ".yaml")) and "conf/" in f"{folder}/"


def _recorders(project: Project, path: str, evidence: _Evidence) -> None:
    """dvclive, Lightning, ray, ZenML, TensorBoard and Keras callbacks: read from the syntax
    tree of a file the grep found one of their names in (never any other file)."""
    try:
        tree = project.python_ast(path)
        lines = project.read_text(path).splitlines()
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return
    found = recorded(tree)
    if not found.tools:
        return
    evidence.tools |= found.tools
    evidence.params |= found.params
    for number in found.lines:
        if 0 < number <= len(lines):
            evidence.metric_lines.append((path, number, lines[number - 1]))


def _uris(project: Project) -> Iterator[Finding]:
    """A tracking URI written into the code must be one every machine can reach, and must not
    carry a password."""
    found = project.grep([b"mlflow"])
    for hit in found if found is not None else ():
        for number, raw in hit.lines:
            line = raw.decode("utf-8", "replace")
            match = _URI.search(line) if len(line) < 2000 else None
            if match is None:
                continue
            uri = match[2]
            if _CREDENTIAL_IN_URL.search(uri):
                yield Finding(
                    "the MLflow tracking URI carries a password",
                    path=hit.path,
                    line=number,
                    hint="set MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_USERNAME/PASSWORD) in the "
                    "environment instead; rotate the password, it is in the git history",
                )
            elif next(scan_text(uri), None) is not None:
                yield Finding(
                    "the MLflow tracking URI is a folder on one person's machine",
                    path=hit.path,
                    line=number,
                    hint="point MLFLOW_TRACKING_URI at the team's tracking server, from the "
                    "environment",
                )


def _dvc_tracking(project: Project) -> tuple[bool, bool]:
    """Whether dvc.yaml declares metrics, and whether it declares params: in a stage, or at the
    top of the file, where DVC 3 (and dvclive) declare them for the whole project."""
    if not project.is_indexed("dvc.yaml"):
        return False, False
    data = project.parsed("dvc.yaml").data
    if not isinstance(data, dict):
        return False, False
    stages = data.get("stages")
    declaring = [data] + (
        [stage for stage in stages.values() if isinstance(stage, dict)]
        if isinstance(stages, dict)
        else []
    )
    return any(d.get("metrics") for d in declaring), any(d.get("params") for d in declaring)


def _recorded(project: Project, name: str, evidence: _Evidence, metrics_file: str | None) -> bool:
    quoted = (f'"{name}"', f"'{name}'")
    if evidence.autolog or any(
        any(q in line for q in quoted) for _, _, line in evidence.metric_lines
    ):
        return True
    if metrics_file is not None and project.is_tracked(metrics_file):
        data = project.parsed(metrics_file).data
        if isinstance(data, dict) and name in _keys(data):
            return True
    # The code that writes the metrics file, or DVC's: the key as a literal in the code.
    found = project.grep([f'"{name}"'.encode(), f"'{name}'".encode()])
    return any(hit.path.endswith(".py") for hit in (found if found is not None else ()))


def _keys(data: dict[str, object]) -> set[str]:
    keys: set[str] = set()
    stack: list[object] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            keys.update(str(key) for key in item)
            stack.extend(item.values())
    return keys
