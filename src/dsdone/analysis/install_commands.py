"""The environment files a project's own tools name: MLproject's ``conda_env:`` and
``python_env:``, and the files that ``pip install -r FILE``, ``uv pip sync FILE`` or ``conda
env create -f FILE`` install in the README's code blocks, the Makefile's recipes and the CI
jobs; and the packages those and the Dockerfiles' ``RUN`` install by name alone. A project
that keeps its requirements in ``src/requirements.txt`` or its conda file in ``conda.yaml``
says so in the command that builds its environment; the environment check reads what that
command reads.

Commands are split and unwrapped by ``analysis.shell`` (``python -m pip``, ``uv run``, ``sudo``
...), as the CI checks read them; nothing is run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dsdone.analysis.ci import TOP_FILES, WORKFLOWS, ci_system, moved_folder, read_ci_file
from dsdone.analysis.container_accounts import DEPLOYMENT_FOLDERS, container_files
from dsdone.analysis.readme_commands import documented_commands
from dsdone.analysis.shell import commands, effective
from dsdone.analysis.workflow_tools import join
from dsdone.repository import OutsideProject, Repository

PIP = "pip"  # a pip requirements file
CONDA = "conda"  # a conda environment file
PYTHON_ENV = "python_env"  # MLflow's python_env.yaml

MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_PIP_PROGRAMS = frozenset({"pip", "pip3"})
_CONDA_PROGRAMS = frozenset({"conda", "mamba", "micromamba"})
_REQUIREMENT_OPTIONS = ("-r", "--requirement", "--requirements")
_FILE_OPTIONS = ("-f", "--file")


@dataclass(frozen=True)
class NamedFile:
    """An environment file a tool of the project installs, and where the tool names it."""

    path: str  # relative to the project
    kind: str  # PIP, CONDA or PYTHON_ENV
    named_in: str  # the file that names it (README.md, Makefile, MLproject, a CI file)
    line: int | None  # where in that file


def named_environment_files(project: Repository) -> list[NamedFile]:
    """Every environment file the project's tools name, once each (the first place that names
    it), in this order: MLproject, README, Makefile, CI. Paths written with variables
    (``$REQS``, ``{{ env }}``) are left out: they cannot be read without running something."""
    found: dict[str, NamedFile] = {}
    for named in (
        *_mlproject(project),
        *_readme(project),
        *_makefile(project),
        *_ci(project),
    ):
        if not any(char in named.path for char in "$*?{}<>`") and named.path not in found:
            found[named.path] = named
    return list(found.values())


@dataclass(frozen=True)
class NamedPackages:
    """Packages a documented command installs by name, with no version (``pip install torch
    numpy``): the environment as the README or the Makefile builds it, pinned nowhere."""

    names: tuple[str, ...]
    named_in: str  # README.md or the Makefile
    line: int


# A requirement name as pip reads one from the command line, with extras; a version after it
# (``torch==2.3``, ``'numpy>=1'``) makes it no longer a name alone.
_PACKAGE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[\w,.-]*\])?")
_VERSIONED = re.compile(r"[A-Za-z0-9][\w.\[\],-]*\s*(?:[<>=!~]=?|@).*")
# What the person installing a project installs for the tools around it, not its environment:
# pip itself, packaging and environment managers, project generators, git hooks.
_TOOLS = frozenset(
    {"pip", "setuptools", "wheel", "uv", "poetry", "pipenv", "pdm", "hatch", "pip-tools",
     "conda-lock", "tox", "nox", "cookiecutter", "cruft", "copier", "pre-commit", "dsdone",
     "nbstripout", "twine", "build"}
)  # fmt: skip
# Words of a sentence, not of a command: "pip install the requirements".
_PROSE = frozenset(
    {"the", "a", "an", "all", "your", "our", "these", "those", "this", "following", "them",
     "it", "requirements", "dependencies", "packages", "deps", "libraries", "and", "or"}
)  # fmt: skip


def packages_by_name(project: Repository) -> list[NamedPackages]:
    """The ``pip install NAME ...`` commands of the README's code blocks, the Makefile's
    recipes and the Dockerfiles' ``RUN`` instructions that install the project's packages by
    name, none of them with a version (CI jobs are left out: they install the tools of the
    job). A command that installs a file, the
    project itself (``-e .``), only tools, or reads as a sentence is none of them."""
    found: list[NamedPackages] = []
    scripts = [(d.command, d.path, d.line) for d in documented_commands(project)]
    scripts += list(_makefile_recipes(project))
    scripts += list(_dockerfile_runs(project))
    own = _own_names(project)
    for script, named_in, line in scripts:
        for command in commands(script):
            names = tuple(n for n in _bare_names(command.words) if _normal(n) not in own)
            if names:
                found.append(NamedPackages(names, named_in, line + command.line - 1))
    return found


# Where a project keeps its own Dockerfile: at its top, or in a folder for it there.
_DOCKERFILE_FOLDERS = frozenset({"", *DEPLOYMENT_FOLDERS})


def _dockerfile_runs(project: Repository) -> Iterator[tuple[str, str, int]]:
    """The shell form of each ``RUN`` of the project's own Dockerfiles (continued lines joined),
    with the Dockerfile and the instruction's line. The exec form (``RUN ["pip", ...]``) and
    heredocs are left out."""
    for path in container_files(project.files):
        folder, _, name = path.rpartition("/")
        if "dockerfile" not in name.lower() and "containerfile" not in name.lower():
            continue  # a compose file
        if folder not in _DOCKERFILE_FOLDERS:
            continue  # a subproject's (zenml-projects/rl_demo/Dockerfile), not the project's
        try:
            lines = project.read_text(path).splitlines()
        except (OSError, OutsideProject, UnicodeDecodeError, ValueError):
            continue
        index = 0
        while index < len(lines):
            start, line = index, lines[index]
            index += 1
            instruction, _, rest = line.strip().partition(" ")
            if instruction.upper() != "RUN" or rest.lstrip().startswith(("[", "<<")):
                continue
            parts = [rest]
            while parts[-1].rstrip().endswith("\\") and index < len(lines):
                parts[-1] = parts[-1].rstrip()[:-1]
                while index < len(lines) and lines[index].lstrip().startswith("#"):
                    index += 1  # Docker drops a comment line inside a continued instruction
                if index < len(lines):
                    parts.append(lines[index])
                    index += 1
            yield " ".join(parts), path, start + 1


def _own_names(project: Repository) -> frozenset[str]:
    """The names the repository's own code is published under, as far as its folders say: the
    project folder's, and each importable package's near the top (``package/kedro_viz/``). A
    README's ``pip install kedro-viz`` installs the project for its users, not its environment."""
    names = {_normal(project.root.name)}
    for path in project.files:
        if path.endswith("/__init__.py") and path.count("/") <= 2:
            names.add(_normal(path.rsplit("/", 2)[-2]))
    return frozenset(names)


def _normal(name: str) -> str:
    # As PEP 503 compares distribution names, extras dropped.
    return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()


# Options of pip install that take no value and change nothing of what is installed (a
# Dockerfile's `pip install --no-cache-dir torch`).
_PLAIN_OPTIONS = frozenset(
    {"--no-cache-dir", "-q", "-qq", "--quiet", "-v", "--verbose", "-U", "--upgrade", "--user",
     "--no-warn-script-location", "--disable-pip-version-check", "--no-input", "--pre"}
)  # fmt: skip


def _bare_names(words: Sequence[str]) -> tuple[str, ...]:
    argv = effective(words)
    if argv[:1] == ["uv"] and argv[1:2] == ["pip"]:
        argv = ["pip", *argv[2:]]
    if argv[:1] not in (["pip"], ["pip3"]) or argv[1:2] != ["install"]:
        return ()
    names: list[str] = []
    for word in argv[2:]:
        if word in _PLAIN_OPTIONS:
            continue
        if word.startswith("-"):
            return ()  # -r FILE, -e ., -c FILE ...: a file, the project, or options to read
        if word.lower() in _PROSE:
            return ()
        if _VERSIONED.fullmatch(word) or not _PACKAGE.fullmatch(word):
            return ()  # a pinned requirement, a path, a URL: not "by name alone"
        if word.lower().split("[")[0] not in _TOOLS:
            names.append(word)
    return tuple(names)


def install_targets(words: Sequence[str]) -> list[tuple[str, str]]:
    """The files one command installs an environment from, as ``(path as written, kind)``:
    ``pip install -r FILE`` (also ``python -m pip``, ``uv pip install``), ``pip-sync FILE``,
    ``uv pip sync FILE``, ``conda env create -f FILE`` (``update``; mamba, micromamba), and
    ``micromamba create -f FILE.yml``."""
    argv = effective(words)
    if not argv:
        return []
    program, rest = argv[0], argv[1:]
    if program == "uv" and rest[:1] == ["pip"]:
        program, rest = "pip", rest[1:]
    if program in _PIP_PROGRAMS and rest[:1] == ["install"]:
        return [(value, PIP) for value in _option_values(rest[1:], _REQUIREMENT_OPTIONS)]
    if (program == "pip" and rest[:1] == ["sync"]) or program == "pip-sync":
        files = rest[1:] if program == "pip" else rest
        return [(word, PIP) for word in files if not word.startswith("-")]
    if program in _CONDA_PROGRAMS:
        if rest[:1] == ["env"] and rest[1:2] in (["create"], ["update"]):
            return [(value, CONDA) for value in _option_values(rest[2:], _FILE_OPTIONS)]
        if rest[:1] in (["create"], ["install"], ["update"]):
            return [
                (value, CONDA)
                for value in _option_values(rest[1:], _FILE_OPTIONS)
                if value.endswith((".yml", ".yaml"))  # `conda create --file` is a spec list
            ]
    return []


def _option_values(words: Sequence[str], names: tuple[str, ...]) -> Iterator[str]:
    """The values of the options ``names``: ``-r FILE``, ``-rFILE``, ``--requirement=FILE``."""
    position = 0
    while position < len(words):
        word = words[position]
        name, eq, value = word.partition("=")
        if name in names and eq and name.startswith("--"):
            yield value
        elif word in names and position + 1 < len(words):
            position += 1
            yield words[position]
        else:
            short = next((n for n in names if len(n) == 2 and word.startswith(n)), None)
            if short is not None and len(word) > 2:
                yield word[2:]
        position += 1


def _from_script(script: str, named_in: str, base: str, first_line: int) -> Iterator[NamedFile]:
    """The files the commands of one shell script install, each from the folder the script's
    ``cd`` left it in (``cd docs && pip install -r requirements.txt`` installs
    docs/requirements.txt); after a ``cd`` no file can follow (``cd $DIR``), none."""
    folder: str | None = base
    pushed: list[str | None] = []
    for command in commands(script):
        if folder is not None:
            for written, kind in install_targets(command.words):
                line = first_line + command.line - 1
                yield NamedFile(join(folder, written), kind, named_in, line)
        folder = moved_folder(command.words, folder, pushed)


def _mlproject(project: Repository) -> Iterator[NamedFile]:
    """MLflow builds the environment of ``mlflow run`` from ``conda_env:`` or ``python_env:``."""
    if not project.is_indexed("MLproject"):
        return
    parsed = project.parsed("MLproject")
    data = parsed.data
    if not isinstance(data, dict):
        return
    for key, kind in (("conda_env", CONDA), ("python_env", PYTHON_ENV)):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            yield NamedFile(join("", value.strip()), kind, "MLproject", parsed.line_of(key))


def _readme(project: Repository) -> Iterator[NamedFile]:
    for documented in documented_commands(project):
        yield from _from_script(documented.command, documented.path, "", documented.line)


def _makefile(project: Repository) -> Iterator[NamedFile]:
    for recipe, path, number in _makefile_recipes(project):
        yield from _from_script(recipe, path, "", number)


def _makefile_recipes(project: Repository) -> Iterator[tuple[str, str, int]]:
    """The recipes (tab-indented lines) of the Makefile at the top, with its name and their
    lines: ``@`` and ``-`` before a recipe only silence it or ignore its failure."""
    path = next((name for name in MAKEFILES if project.is_indexed(name)), None)
    if path is None:
        return
    try:
        text = project.read_text(path)
    except (OSError, OutsideProject, UnicodeDecodeError):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("\t"):
            yield line.strip().lstrip("@-+").strip(), path, number


def _ci(project: Repository) -> Iterator[NamedFile]:
    """The CI files in the project folder (paths in them are read from the project's top)."""
    prefix = WORKFLOWS + "/"
    paths = [p for p in project.files if p.startswith(prefix)]
    paths += [name for name, _ in TOP_FILES if project.is_indexed(name)]
    for path in paths:
        system = ci_system(path)
        if system is None:
            continue
        try:
            text = project.read_text(path)
        except (OSError, OutsideProject, UnicodeDecodeError):
            continue
        for step in read_ci_file(path, system, text).steps:
            if step.command is None or step.folder is None:
                continue  # run where no file can say (`cd $DIR`): what it installs is unknown
            for written, kind in install_targets(step.command.words):
                yield NamedFile(join(step.folder, written), kind, path, step.line)
