"""What the workflow tools a retrain entrypoint can name would run, found statically: the
target of ``make`` and ``just``, the stage of ``dvc repro`` and ``dvc exp run``, the entry point
of ``mlflow run`` (with the parameters it cannot run without), the recipe of ``mlflow recipes
run``, the pipeline of ``kedro run``; and whether a file or module the command names is
committed code. Nothing is run: Makefiles, justfiles, dvc.yaml, MLproject and pipeline
registries are read as text, safe YAML or syntax trees.

Each function takes ``base``, the folder the command runs in (``cd DIR && ...``, ``make -C``),
relative to the project ("" for its root)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from dsdone.analysis.code_refs import Located, Unresolved, dvc_stages, resolve
from dsdone.analysis.kedro import DEFAULT, kedro_project, registered_pipelines
from dsdone.analysis.mlproject import read_mlproject
from dsdone.repository import Repository

FORMS = (
    "python -m pkg.train, python scripts/train.py, pkg.train:main, a console script "
    "(pyproject.toml, setup.cfg, setup.py), make TARGET, just RECIPE, dvc repro STAGE, "
    "dvc exp run, mlflow run . -e NAME, mlflow recipes run --profile NAME or kedro run "
    "[--pipeline NAME]"
)

# What follows the colon of a variable assignment, not a rule: `a := b`, `a ::= b`, `a :::= b`.
_ASSIGNMENTS_AFTER_COLON = ("=", ":=", "::=")
_JUST_NAME = re.compile(r"^@?([A-Za-z_][A-Za-z0-9_-]*)")
JUSTFILES = ("justfile", "Justfile", ".justfile", "JUSTFILE")
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
# Options of `dvc exp run` that take a value (`-S train.epochs=5`, `-n exp-1`).
_DVC_EXP_VALUE_OPTIONS = {"-S", "--set-param", "-n", "--name", "-j", "--jobs", "-m", "--message"}


@dataclass(frozen=True)
class Problem:
    """What is wrong with the command, and how to fix it."""

    message: str
    hint: str


def join(base: str, path: str) -> str:
    """``path`` as given in a command run in ``base``, relative to the project."""
    joined = posixpath.normpath(posixpath.join(base, path)) if base else posixpath.normpath(path)
    return "" if joined == "." else joined


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


# -- make and just -------------------------------------------------------------------------------


def make_problems(
    project: Repository, args: list[str], base: str = ""
) -> tuple[list[Problem], list[str]]:
    """``make [-f FILE] [-C DIR] TARGET...``: the Makefile is committed and declares the
    targets. Also returns the ``VAR=value`` arguments, whose values may name files."""
    makefile: str | None = None
    directory = base
    targets: list[str] = []
    variables: list[str] = []
    position = 0
    while position < len(args):
        token = args[position]
        option, eq, inline = token.partition("=")
        if option in ("-f", "--file", "--makefile", "-C", "--directory"):
            value = inline if eq else (args[position + 1] if position + 1 < len(args) else "")
            if option in ("-C", "--directory"):
                directory = join(directory, value)
            else:
                makefile = value
            position += 1 if eq else 2
            continue
        if token.startswith("-C") and len(token) > 2:  # make -Cbuild
            directory = join(directory, token[2:])
        elif token in ("-j", "-l") and position + 1 < len(args) and args[position + 1].isdigit():
            position += 1
        elif not token.startswith("-"):
            (variables if "=" in token else targets).append(token)
        position += 1
    names = [makefile] if makefile else ["GNUmakefile", "makefile", "Makefile"]
    candidates = [join(directory, name) for name in names]
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


def just_problems(project: Repository, args: list[str], base: str = "") -> list[Problem]:
    """``just [-f FILE] [-d DIR] [RECIPE [ARGS...]]``: the justfile is committed and declares the
    recipe (with no recipe, just runs the first one)."""
    justfile: str | None = None
    directory = base
    recipe: str | None = None
    position = 0
    while position < len(args):
        token = args[position]
        option, eq, inline = token.partition("=")
        value = inline if eq else (args[position + 1] if position + 1 < len(args) else "")
        if option in ("-f", "--justfile", "-d", "--working-directory", "--set"):
            if option in ("-f", "--justfile"):
                justfile = value
            elif option in ("-d", "--working-directory"):
                directory = join(directory, value)
            position += 1 if eq else (3 if option == "--set" else 2)
            continue
        if not token.startswith("-") and "=" not in token:
            recipe = token
            break  # what follows are the recipe's arguments
        position += 1
    names = [justfile] if justfile else list(JUSTFILES)
    candidates = [join(directory, name) for name in names]
    found = next((path for path in candidates if project.is_indexed(path)), None)
    if found is None:
        return [
            Problem(
                f"there is no {candidates[0] if justfile else join(directory, 'justfile')} in "
                "the repository",
                "commit the justfile, or use another form of entrypoint",
            )
        ]
    try:
        declared = justfile_recipes(project.read_text(found))
    except (OSError, UnicodeDecodeError):
        return [Problem(f"{found} cannot be read as text", "save the justfile as UTF-8")]
    if recipe is None:
        return [] if declared else [Problem(f"{found} declares no recipe", f"add one to {found}")]
    if recipe not in declared:
        known = ", ".join(sorted(declared)) or "none"
        return [
            Problem(
                f"'{recipe}' is not a recipe of {found} (its recipes: {known})",
                f"add the recipe `{recipe}:` to {found}, or correct the name",
            )
        ]
    return []


def justfile_recipes(text: str) -> set[str]:
    """Recipes (``train epochs="3": deps``, ``@quiet:``) and aliases of a justfile; settings,
    variables (``x := 1``) and recipe bodies (indented) are not recipes."""
    recipes: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in " \t#[":
            continue
        match = _JUST_NAME.match(line)
        if match is None:
            continue
        name, rest = match.group(1), line[match.end() :]
        if name == "alias":
            alias, assign, _ = rest.partition(":=")
            if assign and alias.strip().isidentifier():
                recipes.add(alias.strip())
            continue
        colon = rest.find(":")
        if colon < 0 or rest[colon + 1 : colon + 2] == "=" or ":=" in rest[:colon]:
            continue
        if name not in ("set", "export", "import", "mod"):
            recipes.add(name)
    return recipes


# -- dvc -----------------------------------------------------------------------------------------


def dvc_repro_problems(project: Repository, args: list[str], base: str = "") -> list[Problem]:
    """``dvc repro [STAGE | path/dvc.yaml:STAGE]...`` and ``dvc exp run [STAGE]...``: each stage
    is in its dvc.yaml (DVC looks for it in the folder the command runs in)."""
    if "--glob" in args:
        return []  # stage names are patterns: nothing to look up statically
    targets = []
    skip = False
    for token in args:
        if skip:
            skip = False
        elif token in _DVC_EXP_VALUE_OPTIONS:
            skip = True
        elif not token.startswith("-"):
            targets.append(token)
    problems = []
    for target in targets or ["dvc.yaml"]:
        file, colon, stage = target.rpartition(":")
        if not colon:
            file, stage = ("dvc.yaml", target) if not target.endswith("dvc.yaml") else (target, "")
        elif not file.endswith("dvc.yaml"):
            file = file.rstrip("/") + "/dvc.yaml"
        file = join(base, file)
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


def mlflow_run_problems(
    project: Repository, args: list[str], base: str = ""
) -> tuple[list[Problem], list[str]]:
    """``mlflow run . -e NAME [-P name=value]...``: the MLproject of this repository declares the
    entry point (``main`` by default), and every parameter without a default is given with
    ``-P`` (mlflow refuses to start otherwise). Also returns the ``-P`` parameters, whose values
    may name files."""
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
    folder = join(base, uri)
    prefix = folder + "/" if folder else ""
    if entry.endswith((".py", ".sh")):
        # mlflow runs a file that is not a declared entry point as a script.
        return located_problems(
            project, resolve(project, prefix + entry), prefix + entry
        ), parameters
    mlproject = prefix + "MLproject"
    if not project.is_indexed(mlproject):
        return [
            Problem(
                f"there is no {mlproject} in the repository",
                "commit an MLproject file that declares the entry point",
            )
        ], parameters
    read = read_mlproject(project, mlproject)
    if read.problem is not None:
        return [Problem(read.problem, f"fix the YAML of {mlproject}")], parameters
    if entry not in read.entry_points:
        known = ", ".join(sorted(read.entry_points)) or "none"
        return [
            Problem(
                f"'{entry}' is not an entry point of {mlproject} (its entry points: {known})",
                f"add the entry point under entry_points: in {mlproject}",
            )
        ], parameters
    given = {parameter.partition("=")[0] for parameter in parameters}
    missing = [name for name in read.entry_points[entry].required if name not in given]
    if missing:
        shown = " ".join(f"-P {name}=VALUE" for name in missing)
        return [
            Problem(
                f"the entry point '{entry}' of {mlproject} has parameters without a default "
                f"({', '.join(missing)}): mlflow refuses to run it without {shown}",
                f"add {shown} to the command, or give the parameters a default in {mlproject}",
            )
        ], parameters
    return [], parameters


def mlflow_recipes_problems(project: Repository, args: list[str], base: str = "") -> list[Problem]:
    """``mlflow recipes run --profile NAME``: recipe.yaml, and profiles/NAME.yaml, are committed
    in the folder the command runs in."""
    profile = None
    for position, token in enumerate(args):
        name, eq, inline = token.partition("=")
        if name in ("--profile", "-p"):
            profile = inline if eq else (args[position + 1] if position + 1 < len(args) else "")
    recipe = join(base, "recipe.yaml")
    problems = []
    if not project.is_indexed(recipe):
        problems.append(
            Problem(f"there is no {recipe} in the repository", "commit the recipe's recipe.yaml")
        )
    if profile:
        path = join(base, f"profiles/{profile}.yaml")
        if not project.is_indexed(path):
            problems.append(
                Problem(
                    f"the profile '{profile}' has no {path} in the repository",
                    "commit the profile, or name one under profiles/",
                )
            )
    return problems


# -- kedro ---------------------------------------------------------------------------------------


def kedro_run_problems(project: Repository, args: list[str], base: str = "") -> list[Problem]:
    """``kedro run [--pipeline NAME]``: a Kedro project (``[tool.kedro]`` in pyproject.toml)
    whose ``register_pipelines()`` returns the pipeline (``__default__`` when none is named),
    and whose pipeline runs something."""
    if base:
        return []  # a Kedro project in a subfolder: its own pyproject.toml is not read here
    kedro = kedro_project(project)
    if kedro is None:
        return [
            Problem(
                "`kedro run` needs a Kedro project, and pyproject.toml has no [tool.kedro] "
                "package_name",
                "commit the Kedro project's pyproject.toml (kedro new writes [tool.kedro])",
            )
        ]
    names: list[str] = []
    for position, token in enumerate(args):
        option, eq, inline = token.partition("=")
        if option in ("--pipeline", "-p", "--pipelines"):
            value = inline if eq else (args[position + 1] if position + 1 < len(args) else "")
            names += [name.strip() for name in value.split(",") if name.strip()]
    if not project.is_indexed(kedro.registry):
        return [
            Problem(
                f"there is no {kedro.registry}: Kedro cannot find the project's pipelines",
                "commit the pipeline registry of the Kedro package",
            )
        ]
    pipelines = registered_pipelines(project, kedro)
    if pipelines is None or not pipelines.complete:
        return []  # a registry built in a way not read here: any name may be registered
    registered = ", ".join(sorted(pipelines.names)) or "none"
    problems = []
    for name in names or [DEFAULT]:
        if name not in pipelines.names:
            problems.append(
                Problem(
                    f"{kedro.registry} registers no pipeline '{name}' (it registers: {registered})",
                    "run a registered pipeline, or register it in register_pipelines()",
                )
            )
    if not problems and not names and pipelines.names <= {DEFAULT}:
        problems.append(
            Problem(
                f"{kedro.registry} registers no pipeline but __default__, and there is no "
                f"pipeline under {kedro.package_folder}/pipelines/: `kedro run` runs nothing",
                "create the training pipeline (kedro pipeline create NAME), then run it",
            )
        )
    return problems
