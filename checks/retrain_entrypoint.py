"""retrain-entrypoint: the command that retrains the model is declared, points at code in the
repository, names only committed files, and runs on a valid schedule."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dsdone.analysis.command_arguments import OUTPUT_OPTIONS, argument_problem
from dsdone.analysis.cron import CronError, validate_cron
from dsdone.analysis.retrain_command import resolve_command
from dsdone.api import check, option
from dsdone.project import Project
from dsdone.report import Area, Finding

AT = ("retrain", "entrypoint")
MINIMAL_RETRAIN = (
    "declare how to retrain under `retrain:`, for example:\n"
    "retrain:\n"
    "  entrypoint: python -m demo.train --config configs/train.yaml\n"
    "  schedule: '0 3 * * 1'"
)


@dataclass(frozen=True)
class RetrainOptions:
    output_options: tuple[str, ...] = option(
        OUTPUT_OPTIONS,
        help="Options (and KEY=value names) whose value is a file the run writes, so it need "
        "not exist; their values are not checked. Options whose name says so (out, output, "
        "save, results, checkpoint, log, export, ...) are never checked either. Setting it "
        "replaces this list.",
    )


@check(
    id="retrain-entrypoint",
    title="The retrain entrypoint resolves to committed code",
    severity="error",
    area=Area.INFRASTRUCTURE,
    ml_test_score=("I1", "Mon4"),
    fix="Set `retrain.entrypoint` to a command that runs committed code (python -m pkg.train, "
    "make train, dvc repro train, ...) and `retrain.schedule` to a valid cron expression.",
    options=RetrainOptions,
)
def retrain_entrypoint(project: Project, options: RetrainOptions) -> Iterator[Finding]:
    """A model goes stale as the world drifts; engineering cannot retrain a model nobody can
    find the entrypoint of, and a command that names a script or a config only its author has
    fails on the first scheduled night.

    Checks that `retrain.entrypoint` is declared and resolves statically to code in the
    repository that does something when run: `python -m pkg.mod` (a module file, or a package
    with __main__.py), `python path/to/script.py` (a file that only defines functions, such as
    a pipeline step, runs nothing), `module:function`, a console script (pyproject.toml's
    [project.scripts] or [tool.poetry.scripts], setup.cfg, setup.py), `make TARGET`,
    `just RECIPE`, `dvc repro [STAGE]` / `dvc exp run`, `mlflow run . -e NAME` (an entry point
    of MLproject, `main` by default, with a `-P name=value` for each parameter without a
    default), `mlflow recipes run --profile NAME`, or `kedro run [--pipeline NAME]` (a pipeline
    that `register_pipelines()` really returns). Around it: `cd DIR &&` and `;` sequences,
    environment assignments, `uv run` / `poetry run` / `conda run -n X`, launchers
    (`torchrun`, `accelerate launch`, `deepspeed`, `python -m torch.distributed.launch`,
    `mpirun -n N`, `srun`), and set-up steps (`pip install ...`, `dvc pull`, `| tee log`).

    Arguments that name repository files (a relative path with a slash or a file extension,
    also as `--config=path` or `KEY=path`), relative to the folder the command runs in: a file
    that exists but is not committed is a finding; a missing or git-ignored file is one only
    when the run reads it as configuration or code (.yaml, .json, .toml, .py, ..., or an option
    named config/params); data and weights need not be in git. Values of options the run
    writes (`output_options`, and any option named out/save/results/checkpoint/log) are not
    checked. A `schedule`, when given, must be a five-field cron expression or @hourly,
    @daily, @weekly, @monthly, @yearly; the message says which field is wrong. Nothing is run.
    """
    retrain = project.contract.retrain
    if retrain is None or not (retrain.entrypoint or "").strip():
        at = ("retrain",) if retrain is not None else ()
        yield project.contract_finding(
            "the contract does not say how to retrain the model (retrain.entrypoint)",
            *at,
            hint=MINIMAL_RETRAIN,
        )
    else:
        yield from _check_entrypoint(project, retrain.entrypoint or "", options)
    if retrain is not None and retrain.schedule is not None:
        try:
            validate_cron(retrain.schedule)
        except CronError as exc:
            yield project.contract_finding(
                f"retrain.schedule '{retrain.schedule}' is not a valid schedule: {exc}",
                "retrain",
                "schedule",
                hint="write five fields, minute hour day-of-month month day-of-week (such as "
                "'0 3 * * 1' for Mondays at 03:00), or @daily, @weekly, @monthly",
            )


def _check_entrypoint(project: Project, command: str, options: RetrainOptions) -> Iterator[Finding]:
    try:
        resolved = resolve_command(project, command)
    except ValueError as exc:
        yield project.contract_finding(
            f"retrain.entrypoint cannot be split into words: {exc}",
            *AT,
            hint="close the quote, or escape it with a backslash",
        )
        return
    for problem in resolved.problems:
        yield project.contract_finding(
            f"retrain.entrypoint '{command}': {problem.message}", *AT, hint=problem.hint
        )
    for argument in resolved.arguments:
        why = argument_problem(project, argument, options.output_options)
        if why is not None:
            yield project.contract_finding(
                f"retrain.entrypoint '{command}' names {argument.path}, which {why}",
                *AT,
                hint="commit the file, or correct the path (relative to the repository root)",
            )
