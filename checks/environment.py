"""environment: the Python environment the model runs in can be rebuilt, exactly."""

from __future__ import annotations

from collections.abc import Iterator

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
    read_requirements_file,
)
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
    dependencies` of `pyproject.toml`, and `environment.yml` (conda specs `name=X.Y.Z[=build]`,
    `name==X.Y.Z`, and its `pip:` list). Each unpinned requirement is a finding at its line.
    The project's own code (`-e .`, `./libs/x`) needs no pin.

    Not required to be pinned: requirements files named for development tools (`-dev`,
    `-test`, `-lint`, `-docs`, `-typing` ...) and pyproject's optional dependencies (extras),
    which are opt-in and often ranges by design; and `[project] dependencies` when a
    requirements or conda file pins the environment (ranges in the package, pins in the
    environment file is the usual split). Poetry dependencies need `poetry.lock`, a `Pipfile`
    needs `Pipfile.lock`.

    The Python version must be declared too: `requires-python`, Poetry's `python`,
    `.python-version`, `runtime.txt`, `.tool-versions`, or `python` in the conda file. A
    project with none of these files fails: nothing says how to rebuild its environment.
    """
    locks = _lock_files(project)
    if locks:
        yield Note(f"locked by {', '.join(locks)}")
        return

    pyproject = read_pyproject(project)
    files = [
        path
        for path in project.files
        if is_requirements_file(path) and not is_for_development(path)
    ]
    sources: list[Requirements] = []
    read: set[str] = set()
    for path in files:
        if path not in read:
            found = read_requirements_file(project, path)
            read.update(found.files)
            sources.append(found)
    sources += [
        read_conda_environment(project, path) for path in CONDA_FILES if project.is_indexed(path)
    ]
    poetry = pyproject is not None and pyproject.poetry_line is not None
    pipfile = project.is_indexed("Pipfile")
    dependencies = pyproject.dependencies if pyproject is not None else None

    if not sources and dependencies is None and not poetry and not pipfile:
        yield Finding(
            "nothing says how to rebuild the environment: no lock file, no requirements.txt, "
            "no dependencies in pyproject.toml, no environment.yml",
            hint=HINT_NOTHING,
        )
        return

    problems: list[Problem] = []
    unpinned: list[Requirement] = []
    for source in sources:
        problems += source.problems
        unpinned += source.unpinned
    if pyproject is not None and pyproject.problem is not None:
        problems.append(pyproject.problem)
    # Ranges in the package's metadata are fine when an environment file pins what runs.
    if dependencies is not None and not any(source.pins for source in sources):
        problems += dependencies.problems
        unpinned += dependencies.unpinned

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

    python = _python_version(project, pyproject, sources)
    if python is None:
        yield _no_python(pyproject, sources)
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
    elif file in CONDA_FILES:
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
    project: Project, pyproject: Pyproject | None, sources: list[Requirements]
) -> str | None:
    if pyproject is not None and pyproject.python:
        return f"pyproject.toml: {pyproject.python}"
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


def _no_python(pyproject: Pyproject | None, sources: list[Requirements]) -> Finding:
    conda = next((s.path for s in sources if s.path in CONDA_FILES), None)
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
    return Finding(
        "no Python version is declared",
        path=sources[0].path if sources else None,
        hint="add a .python-version file holding the version the model runs on (e.g. 3.11)",
    )


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
