"""retrain-entrypoint: the command that retrains the model is declared, points at code in the
repository, names only committed files, and runs on a valid schedule."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from dsdone.analysis.code_refs import Located, Unresolved, console_scripts, find_module, resolve
from dsdone.analysis.cron import CronError, validate_cron
from dsdone.analysis.workflow_tools import (
    FORMS,
    Problem,
    dvc_repro_problems,
    kedro_run_problems,
    located_problems,
    make_problems,
    mlflow_run_problems,
)
from dsdone.api import check, option
from dsdone.project import PathStatus, Project
from dsdone.report import Area, Finding

AT = ("retrain", "entrypoint")
MINIMAL_RETRAIN = (
    "declare how to retrain under `retrain:`, for example:\n"
    "retrain:\n"
    "  entrypoint: python -m demo.train --config configs/train.yaml\n"
    "  schedule: '0 3 * * 1'"
)

_PYTHON = re.compile(r"^python(3(\.[0-9]+)?)?$")
_PYTHON_VALUE_OPTIONS = {"-X", "-W", "--check-hash-based-pycs"}
_RUNNERS = {"uv", "poetry", "pipenv", "pdm", "hatch", "rye"}
# Options of `uv run` and `poetry run` that take a value (`uv run --with pandas python ...`).
_RUNNER_VALUE_OPTIONS = {
    "--with", "--with-editable", "--with-requirements", "--python", "-p", "--project",
    "--directory", "--env-file", "--extra", "--group", "--package", "--index", "-C",
}  # fmt: skip
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_KEY_VALUE = re.compile(r"^[+~]*([A-Za-z_][A-Za-z0-9_.\-]*)=(.*)$")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9_]{0,9}$")


@dataclass(frozen=True)
class RetrainOptions:
    output_options: tuple[str, ...] = option(
        (
            "-o",
            "--out",
            "--output",
            "--output-dir",
            "--output-path",
            "--outdir",
            "--out-dir",
            "--save",
            "--save-dir",
            "--save-path",
            "--dest",
            "--log-dir",
            "--logdir",
            "--model-dir",
            "--artifact-dir",
            "--export",
        ),
        help="Options (and KEY=value names) whose value is a file the run writes, so it need "
        "not exist; their values are not checked. Setting it replaces this list.",
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
    repository: `python -m pkg.mod` (a module file, or a package with __main__.py),
    `python path/to/script.py`, `module:function`, a console script of pyproject.toml
    ([project.scripts] or [tool.poetry.scripts]), `make TARGET` (a target of the Makefile),
    `dvc repro [STAGE]` (a stage of dvc.yaml) or `mlflow run . -e NAME` (an entry point of
    MLproject, `main` by default); `python3`, interpreter options and `uv run` / `poetry run`
    prefixes are understood. Arguments that name repository files (a relative path with a
    slash or a file extension, also as `--config=path` or `KEY=path`) must exist and be
    committed; values of output options (see `output_options`) are not checked. A `schedule`,
    when given, must be a five-field cron expression or @hourly, @daily, @weekly, @monthly,
    @yearly; the message says which field is wrong. Nothing is run.
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
        tokens = shlex.split(command)
    except ValueError as exc:
        yield project.contract_finding(
            f"retrain.entrypoint cannot be split into words: {exc}",
            *AT,
            hint="close the quote, or escape it with a backslash",
        )
        return
    tokens = _strip_prefixes(tokens)
    problems, arguments = _resolve_command(project, tokens)
    for problem in problems:
        yield project.contract_finding(
            f"retrain.entrypoint '{command}': {problem.message}", *AT, hint=problem.hint
        )
    for path in _file_arguments(arguments, options.output_options):
        why = _file_problem(project, path)
        if why is not None:
            yield project.contract_finding(
                f"retrain.entrypoint '{command}' names {path}, which {why}",
                *AT,
                hint="commit the file, or correct the path (relative to the repository root)",
            )


def _strip_prefixes(tokens: list[str]) -> list[str]:
    """Drop environment assignments (``CUDA_VISIBLE_DEVICES=0``) and runner prefixes such as
    ``uv run`` and ``poetry run``: what they run is what must resolve."""
    while tokens and _ENV_ASSIGNMENT.match(tokens[0]):
        tokens = tokens[1:]
    if len(tokens) >= 2 and tokens[0] in _RUNNERS and tokens[1] == "run":
        tokens = tokens[2:]
        while tokens and tokens[0].startswith("-"):
            takes_value = tokens[0] in _RUNNER_VALUE_OPTIONS
            tokens = tokens[2:] if takes_value else tokens[1:]
    return tokens


def _resolve_command(project: Project, tokens: list[str]) -> tuple[list[Problem], list[str]]:
    """What is wrong with the command's target, and the arguments left to check as files."""
    if not tokens:
        return [Problem("there is no command", f"write one of: {FORMS}")], []
    head, rest = tokens[0], tokens[1:]
    if _PYTHON.match(head):
        return _python(project, rest)
    if head == "make":
        return make_problems(project, rest)
    if head == "dvc" and rest[:1] == ["repro"]:
        return dvc_repro_problems(project, rest[1:]), []
    if head == "mlflow" and rest[:1] == ["run"]:
        return mlflow_run_problems(project, rest[1:])
    if head == "kedro" and rest[:1] == ["run"]:
        return kedro_run_problems(project, rest[1:]), []
    if head in ("bash", "sh") and rest:
        if rest[0].startswith("-"):
            return [
                Problem(
                    f"`{head} {rest[0]}` runs inline shell code, which cannot be "
                    "found in the repository",
                    "put the commands in a committed script: bash scripts/retrain.sh",
                )
            ], []
        return located_problems(project, resolve(project, rest[0]), rest[0]), rest[1:]
    if ":" in head or "/" in head or head.endswith((".py", ".sh")):
        return located_problems(project, resolve(project, head), head), rest
    return _console_script(project, head), rest


def _python(project: Project, args: list[str]) -> tuple[list[Problem], list[str]]:
    position = 0
    while position < len(args):
        token = args[position]
        if token.startswith("-m"):
            if token == "-m" and position + 1 >= len(args):
                return [
                    Problem("`python -m` names no module", "add the module: python -m pkg.train")
                ], []
            module = args[position + 1] if token == "-m" else token[2:]
            found = find_module(project, module, package_main=True)
            rest = args[position + (2 if token == "-m" else 1) :]
            return located_problems(project, found, module), rest
        if token.startswith("-c"):
            return [
                Problem(
                    "`python -c` runs inline code, which cannot be found in the repository",
                    "move the code into a module and run it with python -m pkg.train",
                )
            ], []
        if token in _PYTHON_VALUE_OPTIONS:
            position += 2
            continue
        if token.startswith("-"):
            position += 1
            continue
        found = resolve(project, token)
        if isinstance(found, Located) and found.path in project.folders:
            # python runs a folder through its __main__.py, as it runs a package with -m.
            main = f"{found.path}/__main__.py"
            found = Located(main) if project.is_indexed(main) else Unresolved(f"{main} is missing")
        return located_problems(project, found, token), args[position + 1 :]
    return [
        Problem(
            "python is given no script or module to run",
            "add the script or the module: python -m pkg.train",
        )
    ], []


def _console_script(project: Project, name: str) -> list[Problem]:
    scripts = console_scripts(project)
    if name not in scripts:
        declared = f" (it declares: {', '.join(sorted(scripts))})" if scripts else ""
        return [
            Problem(
                f"'{name}' is not a console script declared in pyproject.toml{declared}, nor a "
                "command dsdone understands",
                f"declare it under [project.scripts], or write one of: {FORMS}",
            )
        ]
    found = resolve(project, scripts[name])
    if isinstance(found, Unresolved):
        return [
            Problem(
                f"the console script '{name}' = '{scripts[name]}' does not resolve: "
                f"{found.message}",
                "correct the script's target in pyproject.toml [project.scripts]",
            )
        ]
    return located_problems(project, found, scripts[name])


# -- file arguments ------------------------------------------------------------------------------


def _file_arguments(arguments: list[str], output_options: tuple[str, ...]) -> Iterator[str]:
    """The arguments that look like relative paths of repository files, in order, once each."""
    outputs = {_option_key(name) for name in output_options}
    seen: set[str] = set()
    skip_next = False
    for token in arguments:
        if skip_next:
            skip_next = False
            continue
        if token.startswith("-"):
            name, eq, value = token.partition("=")
            if _option_key(name) in outputs:
                skip_next = not eq
                continue
            candidate = value if eq else ""
        else:
            pair = _KEY_VALUE.match(token)
            if pair is not None and _option_key(pair.group(1)) in outputs:
                continue
            candidate = pair.group(2) if pair is not None else token
        if _looks_like_path(candidate) and candidate not in seen:
            seen.add(candidate)
            yield candidate


def _option_key(name: str) -> str:
    return name.lstrip("-").replace("_", "-").lower()


def _looks_like_path(text: str) -> bool:
    if not text or text.startswith(("/", "~")) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
        return False  # absolute paths and URIs are not repository files
    if any(char in text for char in "$*?{}@<>|"):
        return False  # templated, globbed or an address
    return "/" in text or bool(_EXTENSION.search(text))


def _file_problem(project: Project, path: str) -> str | None:
    """What keeps a fresh clone from having ``path`` (a file or a folder), as a verb phrase."""
    status = project.status(posixpath.normpath(path))
    if status is PathStatus.UNTRACKED and not project.index.in_git:
        return None  # outside git nothing is tracked: version-control says so once
    return status.phrase
