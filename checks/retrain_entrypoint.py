"""retrain-entrypoint: the command that retrains the model is declared, points at code in the
repository, names only committed files, and runs on a valid schedule."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from dsdone.api import check, option
from dsdone.cron import CronError, validate_cron
from dsdone.model import Finding
from dsdone.project import OutsideProject, Project
from dsdone.pycode import (
    Located,
    Unresolved,
    console_scripts,
    dvc_stages,
    find_module,
    read_pyproject,
    resolve,
)

AT = ("retrain", "entrypoint")
FORMS = (
    "python -m pkg.train, python scripts/train.py, pkg.train:main, a console script from "
    "pyproject.toml, make TARGET, dvc repro STAGE, mlflow run . -e NAME or kedro run "
    "[--pipeline NAME]"
)
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
_MAKE_TARGET = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?![=])")
_MLFLOW_VALUE_OPTIONS = {
    "-v",
    "--version",
    "-A",
    "--docker-args",
    "--experiment-name",
    "--experiment-id",
    "-b",
    "--backend",
    "-c",
    "--backend-config",
    "--env-manager",
    "--storage-dir",
    "--run-id",
    "--run-name",
}


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


@dataclass(frozen=True)
class _Problem:
    message: str
    hint: str


@check(
    id="retrain-entrypoint",
    title="The retrain entrypoint resolves to committed code",
    severity="error",
    area="monitoring",
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


def _resolve_command(project: Project, tokens: list[str]) -> tuple[list[_Problem], list[str]]:
    """What is wrong with the command's target, and the arguments left to check as files."""
    if not tokens:
        return [_Problem("there is no command", f"write one of: {FORMS}")], []
    head, rest = tokens[0], tokens[1:]
    if _PYTHON.match(head):
        return _python(project, rest)
    if head == "make":
        return _make(project, rest)
    if head == "dvc" and rest[:1] == ["repro"]:
        return _dvc(project, rest[1:]), []
    if head == "mlflow" and rest[:1] == ["run"]:
        return _mlflow(project, rest[1:])
    if head == "kedro" and rest[:1] == ["run"]:
        return _kedro(project, rest[1:]), []
    if head in ("bash", "sh") and rest:
        if rest[0].startswith("-"):
            return [
                _Problem(
                    f"`{head} {rest[0]}` runs inline shell code, which cannot be "
                    "found in the repository",
                    "put the commands in a committed script: bash scripts/retrain.sh",
                )
            ], []
        return _located(project, resolve(project, rest[0]), rest[0]), rest[1:]
    if ":" in head or "/" in head or head.endswith((".py", ".sh")):
        return _located(project, resolve(project, head), head), rest
    return _console_script(project, head), rest


def _located(project: Project, found: Located | Unresolved, reference: str) -> list[_Problem]:
    if isinstance(found, Unresolved):
        return [
            _Problem(
                f"'{reference}' does not resolve: {found.message}",
                f"point it at code in the repository; the forms understood: {FORMS}",
            )
        ]
    committed = project.is_tracked(found.path) or found.path in project.folders
    if project.index.in_git and not committed:
        return [_Problem(f"{found.path} is not committed", f"git add {found.path} and commit it")]
    return []


def _python(project: Project, args: list[str]) -> tuple[list[_Problem], list[str]]:
    position = 0
    while position < len(args):
        token = args[position]
        if token.startswith("-m"):
            if token == "-m" and position + 1 >= len(args):
                return [
                    _Problem("`python -m` names no module", "add the module: python -m pkg.train")
                ], []
            module = args[position + 1] if token == "-m" else token[2:]
            found = find_module(project, module, package_main=True)
            rest = args[position + (2 if token == "-m" else 1) :]
            return _located(project, found, module), rest
        if token.startswith("-c"):
            return [
                _Problem(
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
        return _located(project, found, token), args[position + 1 :]
    return [
        _Problem(
            "python is given no script or module to run",
            "add the script or the module: python -m pkg.train",
        )
    ], []


def _console_script(project: Project, name: str) -> list[_Problem]:
    scripts = console_scripts(project)
    if name not in scripts:
        declared = f" (it declares: {', '.join(sorted(scripts))})" if scripts else ""
        return [
            _Problem(
                f"'{name}' is not a console script declared in pyproject.toml{declared}, nor a "
                "command dsdone understands",
                f"declare it under [project.scripts], or write one of: {FORMS}",
            )
        ]
    found = resolve(project, scripts[name])
    if isinstance(found, Unresolved):
        return [
            _Problem(
                f"the console script '{name}' = '{scripts[name]}' does not resolve: "
                f"{found.message}",
                "correct the script's target in pyproject.toml [project.scripts]",
            )
        ]
    return _located(project, found, scripts[name])


# -- make ----------------------------------------------------------------------------------------


def _make(project: Project, args: list[str]) -> tuple[list[_Problem], list[str]]:
    makefile: str | None = None
    directory = ""
    targets: list[str] = []
    variables: list[str] = []
    position = 0
    while position < len(args):
        token = args[position]
        has_value = position + 1 < len(args)
        if token in ("-f", "--file", "--makefile", "-C", "--directory") and has_value:
            value = args[position + 1]
            if token in ("-C", "--directory"):
                directory = value.rstrip("/") + "/"
            else:
                makefile = value
            position += 2
            continue
        if token in ("-j", "-l") and has_value and args[position + 1].isdigit():
            position += 2
            continue
        if not token.startswith("-"):
            (variables if "=" in token else targets).append(token)
        position += 1
    names = [makefile] if makefile else ["GNUmakefile", "makefile", "Makefile"]
    candidates = [posixpath.normpath(directory + name) for name in names]
    found = next((path for path in candidates if project.is_indexed(path)), None)
    if found is None:
        shown = " or ".join(candidates)
        return [
            _Problem(
                f"there is no {shown} in the repository",
                "commit the Makefile, or use another form of entrypoint",
            )
        ], variables
    try:
        declared = makefile_targets(project.read_text(found))
    except (OSError, UnicodeDecodeError):
        return [
            _Problem(f"{found} cannot be read as text", "save the Makefile as UTF-8")
        ], variables
    problems = []
    if not targets and not declared:
        problems.append(_Problem(f"{found} declares no target", f"add a target to {found}"))
    for target in targets:
        if target not in declared:
            known = ", ".join(sorted(declared)) or "none"
            problems.append(
                _Problem(
                    f"'{target}' is not a target of {found} (its targets: {known})",
                    f"add the target `{target}:` to {found}, or correct the name",
                )
            )
    return problems, variables


def makefile_targets(text: str) -> set[str]:
    """Targets declared in a Makefile: ``name:`` and ``a b: deps`` at the start of a line.

    Special targets (``.PHONY``), pattern rules (``%.o``), and targets built from variables are
    left out; a recipe line starts with a tab and is never a target. ``include`` is not followed.
    """
    targets: set[str] = set()
    for line in text.splitlines():
        if line.startswith("\t"):
            continue
        match = _MAKE_TARGET.match(line)
        if match is None:
            continue
        for name in match.group(1).split():
            if not name.startswith(".") and "%" not in name and "$" not in name:
                targets.add(name)
    return targets


# -- dvc -----------------------------------------------------------------------------------------


def _dvc(project: Project, args: list[str]) -> list[_Problem]:
    if "--glob" in args:
        return []  # stage names are patterns: nothing to look up statically
    targets = [token for token in args if not token.startswith("-")]
    problems = []
    for target in targets or ["dvc.yaml"]:
        file, colon, stage = target.rpartition(":")
        if not colon:
            file, stage = ("dvc.yaml", target) if not target.endswith("dvc.yaml") else (target, "")
        elif not file.endswith("dvc.yaml"):
            file = file.rstrip("/") + "/dvc.yaml"
        stages = dvc_stages(project, file)
        if stages.problem is not None:
            problems.append(_Problem(stages.problem, "commit dvc.yaml with the pipeline's stages"))
        elif stage and stage not in stages.stages:
            known = ", ".join(sorted(stages.stages)) or "none"
            problems.append(
                _Problem(
                    f"'{stage}' is not a stage of {file} (its stages: {known})",
                    f"use one of the stages of {file}, or add the stage",
                )
            )
    return problems


# -- mlflow --------------------------------------------------------------------------------------


def _mlflow(project: Project, args: list[str]) -> tuple[list[_Problem], list[str]]:
    uri: str | None = None
    entry = "main"
    parameters: list[str] = []
    position = 0
    while position < len(args):
        token = args[position]
        name, eq, inline = token.partition("=")
        value = inline if eq else (args[position + 1] if position + 1 < len(args) else "")
        step = 1 if eq else 2
        if name in ("-e", "--entry-point"):
            entry = value
        elif name in ("-P", "--param-list"):
            parameters.append(value)
        elif name in _MLFLOW_VALUE_OPTIONS:
            pass
        elif token.startswith("-"):
            step = 1
        else:
            uri = uri or token
            step = 1
        position += step
    if uri is None:
        return [_Problem("`mlflow run` names no project", "write mlflow run . -e NAME")], parameters
    if "://" in uri or uri.startswith("git@"):
        return [
            _Problem(
                f"`mlflow run {uri}` runs a project from elsewhere, not this repository",
                "run this repository's project: mlflow run . -e NAME",
            )
        ], parameters
    folder = "" if uri.strip("/") in ("", ".") else uri.strip("/").removeprefix("./") + "/"
    if entry.endswith((".py", ".sh")):
        # mlflow runs a file that is not a declared entry point as a script.
        return _located(project, resolve(project, folder + entry), folder + entry), parameters
    mlproject = folder + "MLproject"
    if not project.is_indexed(mlproject):
        return [
            _Problem(
                f"there is no {mlproject} in the repository",
                "commit an MLproject file that declares the entry point",
            )
        ], parameters
    entries = _mlproject_entry_points(project, mlproject)
    if isinstance(entries, _Problem):
        return [entries], parameters
    if entry not in entries:
        known = ", ".join(sorted(entries)) or "none"
        return [
            _Problem(
                f"'{entry}' is not an entry point of {mlproject} (its entry points: {known})",
                f"add the entry point under entry_points: in {mlproject}",
            )
        ], parameters
    return [], parameters


# -- kedro ---------------------------------------------------------------------------------------


def _kedro(project: Project, args: list[str]) -> list[_Problem]:
    """``kedro run [--pipeline NAME]``: a Kedro project (``[tool.kedro]`` in pyproject.toml)
    whose package registers the pipeline, by name in ``pipeline_registry.py`` or as a folder
    ``pipelines/NAME/`` that Kedro's ``find_pipelines()`` discovers."""
    settings = _get_table(read_pyproject(project), "tool", "kedro")
    package = settings.get("package_name") if settings is not None else None
    if not isinstance(package, str) or not package:
        return [
            _Problem(
                "`kedro run` needs a Kedro project, and pyproject.toml has no [tool.kedro] "
                "package_name",
                "commit the Kedro project's pyproject.toml (kedro new writes [tool.kedro])",
            )
        ]
    pipeline = None
    for position, token in enumerate(args):
        name, eq, inline = token.partition("=")
        if name in ("--pipeline", "-p"):
            pipeline = inline if eq else (args[position + 1] if position + 1 < len(args) else "")
    package_folder = f"src/{package}" if f"src/{package}" in project.folders else package
    registry = f"{package_folder}/pipeline_registry.py"
    if not project.is_indexed(registry):
        return [
            _Problem(
                f"there is no {registry}: Kedro cannot find the project's pipelines",
                "commit the pipeline registry of the Kedro package",
            )
        ]
    if pipeline is None or pipeline == "__default__":
        return []
    if f"{package_folder}/pipelines/{pipeline}" in project.folders:
        return []
    try:
        text = project.read_text(registry)
    except (OSError, UnicodeDecodeError):
        text = ""
    if any(f"{quote}{pipeline}{quote}" in text for quote in "\"'"):
        return []
    return [
        _Problem(
            f"the pipeline '{pipeline}' is neither in {registry} nor a folder "
            f"{package_folder}/pipelines/{pipeline}/",
            "register the pipeline, or run one that exists",
        )
    ]


def _get_table(data: dict[str, object] | None, *keys: str) -> dict[str, object] | None:
    for key in keys:
        if not isinstance(data, dict):
            return None
        value = data.get(key)
        data = value if isinstance(value, dict) else None
    return data


def _mlproject_entry_points(project: Project, path: str) -> set[str] | _Problem:
    import yaml

    try:
        data = yaml.safe_load(project.read_text(path))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else path
        return _Problem(f"{where} is not valid YAML: {exc.problem}", f"fix the YAML of {path}")
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        return _Problem(f"{path} cannot be read: {exc}", f"fix {path}")
    entries = data.get("entry_points") if isinstance(data, dict) else None
    return {str(name) for name in entries} if isinstance(entries, dict) else set()


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
    clean = posixpath.normpath(path)
    try:
        project.path(clean)
    except OutsideProject:
        return "points outside the repository"
    if project.is_indexed(clean):
        if project.index.in_git and not project.is_tracked(clean):
            return "is not committed"
        return None
    if clean.rstrip("/") in project.folders:
        return None
    if project.exists(clean):
        return "git ignores, so a fresh clone does not have it"
    return "does not exist"
