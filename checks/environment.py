"""environment: the Python environment the model runs in can be rebuilt, exactly."""

from __future__ import annotations

from collections.abc import Iterator

from dsdone.analysis.install_commands import (
    CONDA,
    PYTHON_ENV,
    NamedFile,
    NamedPackages,
    named_environment_files,
    packages_by_name,
)
from dsdone.analysis.requirements import (
    CONDA_FILES,
    LOCK_FILES,
    Problem,
    Pyproject,
    Requirement,
    Requirements,
    is_for_development,
    is_requirements_file,
    python_version_file,
    read_conda_environment,
    read_pyproject,
    read_python_env,
    read_requirements_file,
)
from dsdone.analysis.setup_files import read_setup_files
from dsdone.api import Note, check
from dsdone.project import Project
from dsdone.report import Area, Finding, Severity

_SHOWN = 3

HINT_REQUIREMENTS = (
    "pin it to the version that works (`{name}==X.Y.Z`), or keep ranges in a requirements.in "
    "and generate this file from it: `uv pip compile requirements.in -o {path}` (or "
    "`pip-compile`); from a working environment, `pip freeze > {path}`"
)
HINT_PYPROJECT = (
    "lock the environment: `uv lock` (or `poetry lock`, `pdm lock`) and commit the lock file; "
    "or pin it here as `{name}==X.Y.Z`"
)
HINT_SETUP = (
    "pin what runs in an environment file: a requirements.txt with every package pinned "
    "(`pip freeze > requirements.txt` from the environment that works) or a lock file; ranges "
    "here are fine then. Or pin it here as `{name}==X.Y.Z`"
)
HINT_CONDA = (
    "pin it as `{name}=X.Y.Z`, or export the environment that works: `conda env export "
    "--no-builds > {path}`; `conda-lock -f {path}` locks it for every platform"
)
HINT_NOTHING = (
    "commit a lock file (`uv lock`, `poetry lock`), or a requirements.txt with every package "
    "pinned (`pip freeze > requirements.txt` from the environment that works)"
)


@check(
    id="environment",
    title="The environment can be rebuilt",
    severity=Severity.ERROR,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("I1",),
    fix="Commit a lock file (uv lock, poetry lock) or pin every requirement with ==, and "
    "declare the Python version (requires-python or .python-version).",
    since="0.2.0",
)
def environment(project: Project) -> Iterator[Finding | Note]:
    """A model is only as reproducible as the libraries it ran with. `pandas>=2` installs
    2.1 today and 3.0 next year; a retrain, a rollback or a colleague's rebuild then gets other
    numbers or does not start at all, and nobody can say which versions produced the model in
    production. A lock file, or every requirement pinned to one version, plus the Python
    version, is what lets engineering rebuild the environment the model was validated in.

    Passes with a lock file in the project folder or a folder above it in the repository (a
    uv workspace locks at its top): `uv.lock`, `poetry.lock`, `pdm.lock`, `pixi.lock`,
    `conda-lock.yml` or `Pipfile.lock` (each also records the Python it resolved for).
    Otherwise every requirement must pin one version: `==X.Y.Z` (not `==1.*`, not `>=`),
    `===`, a `--hash`, a pin in a `-c` constraints file, an archive URL or a VCS commit
    (`git+https://...@<sha>`, not a branch or tag). What is read: `requirements*.txt` and
    `requirements/*.txt` (following `-r` and `-c` inside the project), `[project]
    dependencies` of `pyproject.toml` (else `install_requires` of `setup.py`, when it is a
    literal list, read without running it, or of `setup.cfg`), and `environment.yml` (conda
    specs `name=X.Y.Z[=build]`, `name==X.Y.Z`, and its `pip:` list). Also every file the
    project's own tools install the environment from: MLproject's `conda_env:` and
    `python_env:`, and `pip install -r FILE`, `uv pip sync FILE` or `conda env create -f
    FILE` in the README's code blocks, the Makefile's recipes and the CI jobs (from the folder
    a `cd` before it or the step's `working-directory` moves to). Without any of
    these, the requirements files of the one folder of the project that keeps some
    (`src/requirements.txt`; not docs, tests, examples, nor a subproject with its own
    packaging). Each unpinned requirement is a finding at its line. The project's own code
    (`-e .`, `./libs/x`) needs no pin.

    Not required to be pinned: requirements files named for development tools (`-dev`,
    `-test`, `-lint`, `-docs`, `-typing` ...) and pyproject's optional dependencies (extras),
    which are opt-in and often ranges by design; and `[project] dependencies` when a
    requirements or conda file pins the environment (ranges in the package, pins in the
    environment file is the usual split). Poetry dependencies need `poetry.lock`, a `Pipfile`
    needs `Pipfile.lock`.

    The Python version must be declared too: `requires-python`, Poetry's `python`,
    `.python-version`, `runtime.txt`, `.tool-versions`, `python_requires` of setup.py, or
    `python` in the conda or python_env file. A project with none of these files fails:
    nothing says how to rebuild its environment (at the command, when the README, Makefile
    or CI installs a file that is not there), or nothing pins it (at the README's, the
    Makefile's or a Dockerfile's `pip install torch numpy ...`, which installs packages by
    name, no version).
    """
    locks = _lock_files(project)
    if locks:
        yield Note(f"locked by {', '.join(locks)}")
        return

    pyproject = read_pyproject(project)
    sources: list[Requirements] = []
    read: set[str] = set()

    def add(found: Requirements) -> None:
        read.update(found.files)
        sources.append(found)

    for path in project.files:
        if is_requirements_file(path) and not is_for_development(path) and path not in read:
            add(read_requirements_file(project, path))
    for path in CONDA_FILES:
        if project.is_indexed(path):
            add(read_conda_environment(project, path))
    # The files the project's own tools install: MLproject, the README, the Makefile, CI.
    missing: list[NamedFile] = []
    for named in named_environment_files(project):
        if named.path in read or _is_for_development(named.path):
            continue  # `pip install -r tests/requirements.txt` in CI: the tests' tools
        if not project.is_indexed(named.path):
            missing.append(named)
        elif named.kind == CONDA:
            add(read_conda_environment(project, named.path))
        elif named.kind == PYTHON_ENV:
            add(read_python_env(project, named.path))
        else:
            add(read_requirements_file(project, named.path))
    poetry = pyproject is not None and pyproject.poetry_line is not None
    pipfile = project.is_indexed("Pipfile")
    dependencies = pyproject.dependencies if pyproject is not None else None
    if dependencies is None:
        dependencies = read_setup_files(project)
    owners: list[str] = []
    if not sources and dependencies is None and not poetry and not pipfile:
        owners = _requirements_folders(project)
        if len(owners) == 1:  # one folder of the project keeps them: src/requirements.txt
            for path in _folder_requirements(project, owners[0]):
                if path not in read:
                    add(read_requirements_file(project, path))

    if not sources and dependencies is None and not poetry and not pipfile:
        yield _nothing(missing, owners, packages_by_name(project))
        return

    problems: list[Problem] = []
    unpinned: list[Requirement] = []
    for source in sources:
        problems += source.problems
        unpinned += source.unpinned
    if pyproject is not None and pyproject.problem is not None:
        problems.append(pyproject.problem)
    # Ranges in the package's metadata are fine when an environment file pins what runs; and a
    # package an environment file lists is that file's to pin (it is what installs), reported
    # there once, not again at its range in the metadata.
    if dependencies is not None and not any(source.pins for source in sources):
        listed = {r.name for source in sources for r in source.requirements if r.name}
        problems += dependencies.problems
        unpinned += [r for r in dependencies.unpinned if r.name is None or r.name not in listed]

    # A file read on its own and again through another's -r is reported once.
    problems = list(dict.fromkeys(problems))
    unpinned = list(dict.fromkeys(unpinned))
    for problem in problems:
        yield Finding(
            problem.message,
            path=problem.path,
            line=problem.line,
            hint="fix the line: pip (or conda) stops at it, so the environment cannot be built",
        )
    for requirement in unpinned:
        yield _unpinned(requirement)
    if poetry and pyproject is not None:
        yield Finding(
            "Poetry dependencies without a poetry.lock: each install resolves them again",
            path="pyproject.toml",
            line=pyproject.poetry_line,
            hint="run `poetry lock` and commit poetry.lock",
        )
    if pipfile:
        yield Finding(
            "a Pipfile without a Pipfile.lock: each install resolves it again",
            path="Pipfile",
            line=1,
            hint="run `pipenv lock` and commit Pipfile.lock",
        )

    python = _python_version(project, pyproject, dependencies, sources)
    if python is None:
        yield _no_python(pyproject, dependencies, sources)
    yield Note(_summary(sources, dependencies, python))


def _lock_files(project: Project) -> list[str]:
    """The lock files in the project folder or in a folder above it, up to the repository's
    top, as paths from the project folder (``../../uv.lock``)."""
    found = [name for name in LOCK_FILES if project.is_indexed(name)]
    folder = project.repository_folder
    if found or not folder:
        return found
    parts = folder.split("/")
    for depth in range(1, len(parts) + 1):
        above = "/".join(parts[:-depth])
        for name in LOCK_FILES:
            if project.repository_has_file(f"{above}/{name}" if above else name):
                found.append("../" * depth + name)
        if found:
            break
    return found


def _unpinned(requirement: Requirement) -> Finding:
    name = requirement.name or "the package"
    path = requirement.path
    file = path.rpartition("/")[2]
    if file == "pyproject.toml":
        hint = HINT_PYPROJECT.format(name=name)
    elif file in ("setup.py", "setup.cfg"):
        hint = HINT_SETUP.format(name=name)
    elif _is_conda(path):
        hint = HINT_CONDA.format(name=name, path=path)
    else:
        hint = HINT_REQUIREMENTS.format(name=name, path=path)
    return Finding(
        f"'{requirement.text}' is not pinned: {requirement.reason}",
        path=path,
        line=requirement.line,
        hint=hint,
    )


def _python_version(
    project: Project,
    pyproject: Pyproject | None,
    dependencies: Requirements | None,
    sources: list[Requirements],
) -> str | None:
    if pyproject is not None and pyproject.python:
        return f"pyproject.toml: {pyproject.python}"
    if dependencies is not None and dependencies.python:
        return f"{dependencies.path}: python {dependencies.python}"
    for source in sources:
        if source.python:
            return f"{source.path}: python {source.python}"
    if project.is_indexed("Pipfile") and _pipfile_python(project):
        return "Pipfile"
    return python_version_file(project)


def _pipfile_python(project: Project) -> bool:
    from dsdone.parsed import DataError, load_toml

    try:
        data = load_toml(project.read_text("Pipfile"))
    except (OSError, UnicodeDecodeError, DataError):
        return False
    requires = data.get("requires")
    return isinstance(requires, dict) and any(
        key in requires for key in ("python_version", "python_full_version")
    )


def _no_python(
    pyproject: Pyproject | None, dependencies: Requirements | None, sources: list[Requirements]
) -> Finding:
    conda = next((s.path for s in sources if _is_conda(s.path)), None)
    if conda is not None:
        return Finding(
            "no Python version is declared: the environment file does not list python",
            path=conda,
            hint=f"add `- python=3.X` to the dependencies of {conda}",
        )
    if pyproject is not None:
        return Finding(
            "no Python version is declared",
            path="pyproject.toml",
            line=pyproject.project_line,
            hint='add `requires-python = ">=3.X"` under [project], or a .python-version file '
            "holding the version the model runs on",
        )
    if dependencies is not None and dependencies.path == "setup.py":
        return Finding(
            "no Python version is declared",
            path="setup.py",
            hint='add `python_requires=">=3.X"` to setup(), or a .python-version file '
            "holding the version the model runs on",
        )
    return Finding(
        "no Python version is declared",
        path=sources[0].path if sources else dependencies.path if dependencies else None,
        hint="add a .python-version file holding the version the model runs on (e.g. 3.11)",
    )


def _is_conda(path: str) -> bool:
    """A conda environment file: environment.yml, or one a tool names (MLflow's conda.yaml,
    ``conda env create -f envs/train.yml``); pip's files are .txt, and MLflow's python_env
    (also YAML) holds pip lines."""
    name = path.rpartition("/")[2]
    return name.endswith((".yml", ".yaml")) and not name.startswith("python_env")


def _nothing(missing: list[NamedFile], owners: list[str], by_name: list[NamedPackages]) -> Finding:
    """Nothing the check can read says what to install: say where the project points at a file
    it does not hold, where its README, Makefile or Dockerfile installs packages by name with no
    version, or that each
    subfolder keeps its own requirements."""
    if by_name and not missing:
        packages = by_name[0]
        shown = ", ".join(packages.names[:_SHOWN]) + (
            "" if len(packages.names) <= _SHOWN else ", ..."
        )
        return Finding(
            f"nothing pins the environment: {packages.named_in} installs {shown} by name, with "
            "no version, and there is no lock file or requirements file",
            path=packages.named_in,
            line=packages.line,
            hint="write the versions that work to a requirements.txt (`pip freeze > "
            "requirements.txt` from the environment that works), commit it, and install it "
            f"in {packages.named_in}: `pip install -r requirements.txt`; or commit a lock file "
            "(`uv lock`, `poetry lock`)",
        )
    if missing:
        first = missing[0]
        return Finding(
            f"nothing says how to rebuild the environment: {first.named_in} installs "
            f"{first.path}, which is not in the repository",
            path=first.named_in,
            line=first.line,
            hint=f"commit {first.path}, or correct the command; "
            + HINT_NOTHING.removeprefix("commit "),
        )
    message = (
        "nothing says how to rebuild the environment: no lock file, no requirements file, no "
        "dependencies in pyproject.toml or setup.py, no conda environment file, and no install "
        "command in the README, the Makefile or CI"
    )
    if owners:
        shown = ", ".join(f"{folder}/" for folder in owners[:_SHOWN])
        more = f" and {len(owners) - _SHOWN} more" if len(owners) > _SHOWN else ""
        message += f" (requirements files of subprojects in {shown}{more})"
    return Finding(message, hint=HINT_NOTHING)


# Folders whose requirements are not the environment the model runs in.
_NOT_THE_MODEL = frozenset(
    {"docs", "doc", "tests", "test", "examples", "example", "tutorials", "tutorial", "demos",
     "benchmarks", "benchmark", ".github", "node_modules", "site-packages", "dev", "devtools",
     "tools", "ci"}
)  # fmt: skip
# Files that make a folder a project of its own, with an environment of its own.
_OWN_PROJECT = ("pyproject.toml", "setup.py", "setup.cfg", "dsdone.yaml", "MLproject")


def _is_for_development(path: str) -> bool:
    """A requirements file for development tools, by its name or its folder's (tests/, docs/)."""
    folder = path.rpartition("/")[0].lower()
    return is_for_development(path) or any(part in _NOT_THE_MODEL for part in folder.split("/"))


def _requirements_folders(project: Project) -> list[str]:
    """The folders of the project (not its root) that keep requirements files for what runs:
    ``src/requirements.txt``, ``app/requirements/base.txt``; not those of docs, tests or
    examples, nor of a subproject with packaging of its own. Sorted."""
    owners: set[str] = set()
    for path in project.files:
        if "requirements" not in path or not path.endswith(".txt") or is_for_development(path):
            continue
        folder, _, name = path.rpartition("/")
        if name.startswith("requirements"):
            owner = folder
        elif folder == "requirements" or folder.endswith("/requirements"):
            owner = folder.rpartition("/")[0]
        else:
            continue
        if not owner or any(part in _NOT_THE_MODEL for part in owner.lower().split("/")):
            continue
        if any(project.is_indexed(f"{owner}/{name}") for name in _OWN_PROJECT):
            continue
        owners.add(owner)
    # A folder inside another that keeps requirements belongs to it.
    return sorted(o for o in owners if not any(o.startswith(f"{p}/") for p in owners))


def _folder_requirements(project: Project, owner: str) -> list[str]:
    return [
        path
        for path in project.files
        if path.startswith(f"{owner}/")
        and is_requirements_file(path[len(owner) + 1 :])
        and not is_for_development(path)
    ]


def _summary(
    sources: list[Requirements], dependencies: Requirements | None, python: str | None
) -> str:
    pinned = [s.path for s in sources if s.pins]
    if not pinned and dependencies is not None and dependencies.pins:
        pinned = [dependencies.path]
    parts = [f"pinned in {', '.join(pinned[:_SHOWN])}" if pinned else "no pinned environment file"]
    if python is not None:
        parts.append(f"Python from {python}")
    return "; ".join(parts)
