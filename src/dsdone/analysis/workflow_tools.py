"""What the workflow tools a retrain entrypoint can name would run, found statically: the
target of ``make``, the stage of ``dvc repro``, the entry point of ``mlflow run``, the pipeline
of ``kedro run``; and whether a file or module the command names is committed code. Nothing is
run: Makefiles, dvc.yaml, MLproject and pipeline registries are read as text or safe YAML."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from dsdone.analysis.code_refs import Located, Unresolved, dvc_stages, read_pyproject, resolve
from dsdone.repository import Repository

FORMS = (
    "python -m pkg.train, python scripts/train.py, pkg.train:main, a console script from "
    "pyproject.toml, make TARGET, dvc repro STAGE, mlflow run . -e NAME or kedro run "
    "[--pipeline NAME]"
)

# What follows the colon of a variable assignment, not a rule: `a := b`, `a ::= b`, `a :::= b`.
_ASSIGNMENTS_AFTER_COLON = ("=", ":=", "::=")
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
class Problem:
    """What is wrong with the command, and how to fix it."""

    message: str
    hint: str


def located_problems(
    project: Repository, found: Located | Unresolved, reference: str
) -> list[Problem]:
    """A file or module the command runs: it must resolve, and be committed."""
    if isinstance(found, Unresolved):
        return [
            Problem(
                f"'{reference}' does not resolve: {found.message}",
                f"point it at code in the repository; the forms understood: {FORMS}",
            )
        ]
    committed = project.is_tracked(found.path) or found.path in project.folders
    if project.index.in_git and not committed:
        return [Problem(f"{found.path} is not committed", f"git add {found.path} and commit it")]
    return []


# -- make ----------------------------------------------------------------------------------------


def make_problems(project: Repository, args: list[str]) -> tuple[list[Problem], list[str]]:
    """``make [-f FILE] [-C DIR] TARGET...``: the Makefile is committed and declares the
    targets. Also returns the ``VAR=value`` arguments, whose values may name files."""
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
            Problem(
                f"there is no {shown} in the repository",
                "commit the Makefile, or use another form of entrypoint",
            )
        ], variables
    try:
        declared = makefile_targets(project.read_text(found))
    except (OSError, UnicodeDecodeError):
        return [Problem(f"{found} cannot be read as text", "save the Makefile as UTF-8")], variables
    problems = []
    if not targets and not declared:
        problems.append(Problem(f"{found} declares no target", f"add a target to {found}"))
    for target in targets:
        if target not in declared:
            known = ", ".join(sorted(declared)) or "none"
            problems.append(
                Problem(
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
        # String operations, not a regular expression: a pattern that looks for the colon
        # after a run of spaces backtracks over that run at each of its characters, which
        # turns one long line of a stranger's Makefile into hours.
        head, colon, rest = line.partition(":")
        if not colon or not head or head[0].isspace() or "=" in head or "#" in head:
            continue  # a recipe line (tab), a comment, an assignment, no rule
        if rest.startswith(_ASSIGNMENTS_AFTER_COLON):
            continue
        for name in head.split():
            if not name.startswith(".") and "%" not in name and "$" not in name:
                targets.add(name)
    return targets


# -- dvc -----------------------------------------------------------------------------------------


def dvc_repro_problems(project: Repository, args: list[str]) -> list[Problem]:
    """``dvc repro [STAGE | path/dvc.yaml:STAGE]...``: each stage is in its dvc.yaml."""
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
            problems.append(Problem(stages.problem, "commit dvc.yaml with the pipeline's stages"))
        elif stage and stage not in stages.stages:
            known = ", ".join(sorted(stages.stages)) or "none"
            problems.append(
                Problem(
                    f"'{stage}' is not a stage of {file} (its stages: {known})",
                    f"use one of the stages of {file}, or add the stage",
                )
            )
    return problems


# -- mlflow --------------------------------------------------------------------------------------


def mlflow_run_problems(project: Repository, args: list[str]) -> tuple[list[Problem], list[str]]:
    """``mlflow run . -e NAME``: the MLproject of this repository declares the entry point
    (``main`` by default). Also returns the ``-P`` parameters, whose values may name files."""
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
        return [Problem("`mlflow run` names no project", "write mlflow run . -e NAME")], parameters
    if "://" in uri or uri.startswith("git@"):
        return [
            Problem(
                f"`mlflow run {uri}` runs a project from elsewhere, not this repository",
                "run this repository's project: mlflow run . -e NAME",
            )
        ], parameters
    folder = "" if uri.strip("/") in ("", ".") else uri.strip("/").removeprefix("./") + "/"
    if entry.endswith((".py", ".sh")):
        # mlflow runs a file that is not a declared entry point as a script.
        return located_problems(
            project, resolve(project, folder + entry), folder + entry
        ), parameters
    mlproject = folder + "MLproject"
    if not project.is_indexed(mlproject):
        return [
            Problem(
                f"there is no {mlproject} in the repository",
                "commit an MLproject file that declares the entry point",
            )
        ], parameters
    entries = _mlproject_entry_points(project, mlproject)
    if isinstance(entries, Problem):
        return [entries], parameters
    if entry not in entries:
        known = ", ".join(sorted(entries)) or "none"
        return [
            Problem(
                f"'{entry}' is not an entry point of {mlproject} (its entry points: {known})",
                f"add the entry point under entry_points: in {mlproject}",
            )
        ], parameters
    return [], parameters


# -- kedro ---------------------------------------------------------------------------------------


def kedro_run_problems(project: Repository, args: list[str]) -> list[Problem]:
    """``kedro run [--pipeline NAME]``: a Kedro project (``[tool.kedro]`` in pyproject.toml)
    whose package registers the pipeline, by name in ``pipeline_registry.py`` or as a folder
    ``pipelines/NAME/`` that Kedro's ``find_pipelines()`` discovers."""
    settings = _get_table(read_pyproject(project), "tool", "kedro")
    package = settings.get("package_name") if settings is not None else None
    if not isinstance(package, str) or not package:
        return [
            Problem(
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
            Problem(
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
        Problem(
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


def _mlproject_entry_points(project: Repository, path: str) -> set[str] | Problem:
    from dsdone.parsed import DataError, load_yaml

    try:
        documents, _ = load_yaml(project.read_text(path), plain_tags=False)
    except DataError as exc:
        where = f"{path}:{exc.line}" if exc.line else path
        return Problem(f"{where} is {exc.describe('YAML')}", f"fix the YAML of {path}")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        return Problem(f"{path} cannot be read: {why}", f"fix {path}")
    data = documents[0] if documents else None
    entries = data.get("entry_points") if isinstance(data, dict) else None
    return {str(name) for name in entries} if isinstance(entries, dict) else set()
