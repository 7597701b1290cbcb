"""Adopting an existing repository: a ``dsdone.yaml`` inferred from what is already there.

Inference only reads files, through the same ``Repository`` as ``check`` (nothing is imported
or run): the tests (``suite``), the configuration (``configs``), DVC stages, an ``MLproject``,
a Kedro project, JSON Schemas (``data``) and the command that retrains (``retrain``). A
project template (cookiecutter, copier) is said to be one, and nothing is adopted from its
templated folders; no placeholder is ever written as a value. What cannot be inferred is
written as a commented ``TODO`` so that the contract is valid as written and honest about what
it does not know; what is written is what its own ``check`` accepts where the repository
meets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsdone.adopt.configs import infer_configs
from dsdone.adopt.data import infer_dvc, infer_kedro, infer_mlproject, infer_schemas
from dsdone.adopt.inference import MAX_ENTRIES, Inference, writable
from dsdone.adopt.render import render
from dsdone.adopt.retrain import infer_retrain, say_retrain
from dsdone.adopt.subprojects import confine_retrain, monorepo_subprojects, outside
from dsdone.adopt.suite import infer_tests
from dsdone.analysis.code_refs import read_pyproject
from dsdone.analysis.templates import is_templated_path, template_layout
from dsdone.errors import DsdoneError
from dsdone.repository import Repository
from dsdone.scaffold import SCHEMA_FILE, check_contract_text, check_value, schema_text
from dsdone.writing import Outcome, plan, shown, write

__all__ = [
    "CONTRACT",
    "MAX_ENTRIES",
    "AdoptResult",
    "Inference",
    "adopt",
    "contract_identity",
    "infer",
    "render",
    "writable",
]

CONTRACT = "dsdone.yaml"


@dataclass(frozen=True)
class AdoptResult:
    path: str
    outcome: Outcome
    text: str
    found: tuple[str, ...]
    todo: tuple[str, ...]
    schema_outcome: Outcome = Outcome.UNCHANGED  # of SCHEMA_FILE, the editors' schema


def adopt(root: Path, name: str, owner: str, *, force: bool = False) -> AdoptResult:
    """Infer the contract of the repository at ``root`` and write it as ``dsdone.yaml``: read
    back as ``dsdone check`` reads it before it is written."""
    check_value("--name", name)
    check_value("--owner", owner)
    if not root.is_dir():
        raise DsdoneError(
            f"{shown(root)}: no such folder", hint="give the folder of the repository"
        )
    with Repository(root) as repository:
        repository.check_git_access()
        inference = infer(repository, name, owner)
    text = render(inference)
    check_contract_text(text, root)
    # Both files are planned before either is written: nothing is written if one cannot be.
    done = write(root, plan(root, {CONTRACT: text, SCHEMA_FILE: schema_text()}, force=force))
    outcome = {item.path: item.outcome for item in done}
    return AdoptResult(
        CONTRACT,
        outcome[CONTRACT],
        text,
        tuple(inference.found),
        tuple(inference.todo),
        outcome[SCHEMA_FILE],
    )


def declared_name(root: Path) -> str | None:
    """The name in ``pyproject.toml``'s ``[project]`` table, when there is one."""
    with Repository(root) as repository:
        repository.check_git_access()
        data = read_pyproject(repository) or {}
    project = data.get("project")
    value = project.get("name") if isinstance(project, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def contract_identity(root: Path) -> tuple[str | None, str | None]:
    """The project's name and owner in the ``dsdone.yaml`` already in ``root``, if any: running
    ``init`` again keeps them (and so the package they name) rather than inventing new ones."""
    with Repository(root) as repository:
        if not repository.exists(CONTRACT):
            return None, None
        data: Any = repository.parsed(CONTRACT).data
    project = data.get("project") if isinstance(data, dict) else None
    if not isinstance(project, dict):
        return None, None
    name, owner = project.get("name"), project.get("owner")
    return (
        name if isinstance(name, str) and name.strip() else None,
        owner if isinstance(owner, str) and owner.strip() else None,
    )


def infer(repository: Repository, name: str, owner: str) -> Inference:
    """What the repository's files say, read through the same ``Repository`` as ``check``
    reads them: the same files (what git would see: tracked, or new and not ignored), the same
    refusals (no link out of the repository, no named pipe), the same test count."""
    every = list(repository.files)
    layout = template_layout(every)
    # A templated folder ({{ cookiecutter.repo_name }}/) is not the repository's own project.
    files = [path for path in every if not is_templated_path(path) and path != CONTRACT]
    found = Inference(name=name, owner=owner)
    if layout.is_template:
        found.template = layout.describe()
        roots = ", ".join(layout.templated_roots[:3]) or "its template files"
        found.found.append(
            f"this repository is {found.template}: nothing is adopted from {roots}; to check "
            "what the template makes, render it and run `dsdone init --existing` there"
        )
    # Also a pyproject.toml the index left out (a named pipe): said to be unreadable, not skipped.
    present = repository.is_indexed("pyproject.toml") or repository.exists("pyproject.toml")
    parsed = repository.parsed("pyproject.toml") if present else None
    if parsed is not None and parsed.problem is not None:
        found.todo.append(f"{parsed.problem}, so nothing was inferred from it")
    project = parsed.data.get("project") if parsed and isinstance(parsed.data, dict) else None
    if isinstance(project, dict) and isinstance(project.get("description"), str):
        found.description = project["description"] or None
    # At a monorepo root, inputs and configs come from the root's own files only.
    projects = monorepo_subprojects(files)
    own = outside(files, projects)
    infer_tests(repository, files, found)
    infer_configs(repository, own, found)
    infer_dvc(repository, own, found)
    infer_mlproject(repository, own, found)
    infer_kedro(repository, found)
    infer_schemas(own, found)
    infer_retrain(repository, files, found)
    confine_retrain(projects, found)
    say_retrain(found)
    found.keep_writable()
    unread = repository.index.unsearched
    if unread:
        some = ", ".join(path for path, _ in unread[:3]) + (", …" if len(unread) > 3 else "")
        found.todo.append(
            f"{len(unread)} of its files or folders could not be read, so nothing was "
            f"inferred from them: {some}"
        )
    return found
