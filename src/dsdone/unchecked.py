"""The report of a project that could not be checked: its contract is invalid or missing, it
needs --allow-plugins, --select names a check it does not have.

Such a project is still reported, as one failing ``contract`` check with each problem a finding
at its place: ``--all`` shows it among the projects that could be checked, and a single
``dsdone check --format json|sarif|junit|markdown|github`` writes it, so that a CI job that
uploads the report shows the error instead of "file not found".
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dsdone import CONTRACT_NAMES, __version__
from dsdone.discovery import nearest_contract
from dsdone.errors import DsdoneError, Problem
from dsdone.git.guard import GitRefused
from dsdone.report import Area, CheckResult, Finding, ProjectInfo, Report, Severity, Status
from dsdone.repository import Repository
from dsdone.score import score_results

if TYPE_CHECKING:
    from dsdone.engine import Selection


@dataclass(frozen=True)
class PseudoCheck:
    """An id that reports can hold but that names no check: dsdone's own result about a
    project, explained by ``dsdone explain`` like a check, never selected or configured."""

    id: str
    title: str
    description: str
    fix: str


CONTRACT = PseudoCheck(
    id="contract",
    title="The project can be checked",
    description="A result dsdone reports in place of every check when it could not check the "
    "project at all: its contract is missing or invalid (each mistake is a finding at its line "
    "in dsdone.yaml), it names plugins and --allow-plugins was not given, or --select names a "
    "check it does not have. `dsdone check --all` reports such a project among the others, and "
    "`dsdone check --format json|sarif|junit|markdown|github` writes it, so that a CI job that "
    "uploads the report shows the error. Without a valid contract (and the checks it names) "
    "dsdone cannot tell whether the project keeps its promises.",
    fix="Fix what the finding says; `dsdone check` in the project's folder says the same, with "
    "a hint.",
)
# Every id a report can hold that is not a check's.
PSEUDO_CHECKS = {pseudo.id: pseudo for pseudo in (CONTRACT,)}


def unchecked_report(
    path: Path, error: DsdoneError, selection: Selection, *, folder: str | None = None
) -> Report:
    """The report for the project at ``path`` (a folder or a file, as the user gave it), which
    ``error`` kept from being checked. ``folder``: where ``--all`` found it, relative to the
    folder it searched (outside git, the report's folder)."""
    root, contract = _project_of(path)
    in_git = identity = commit = commit_date = None
    with Repository(root) if root.is_dir() else nullcontext() as repository:
        try:
            if repository is not None:
                in_git = repository.repository_folder
                identity = repository.identity
                commit = repository.head.commit
                commit_date = repository.commit_date
        except GitRefused:
            pass  # git may not run here (the error this report is for, perhaps): not in git
    hint = error.hint or "fix the contract; `dsdone check` in that folder says more"
    findings = tuple(_finding(problem, root, contract, hint) for problem in error.problems)
    result = CheckResult(
        check=CONTRACT.id,
        title=CONTRACT.title,
        severity=Severity.ERROR,
        area=Area.INFRASTRUCTURE,
        status=Status.FAIL,
        summary="dsdone could not check this project, so no check ran",
        findings=findings,
        source="dsdone",
        description=CONTRACT.description,
        fix=CONTRACT.fix,
    )
    return Report(
        dsdone_version=__version__,
        project=ProjectInfo(name=folder or root.resolve().name, owner="unknown"),
        contract=contract,
        root=str(path),
        commit=commit,
        fail_on=selection.fail_on,
        results=(result,),
        score=score_results((result,)),
        # As the engine says it for a project that loads: relative to git's top folder if any.
        folder=in_git if in_git is not None else folder or "",
        min_score=selection.min_score,
        repository=identity,
        commit_date=commit_date,
    )


def _project_of(path: Path) -> tuple[Path, str]:
    """The project folder and the name of its contract, as far as they can be known: the file
    given, or the contract the folder's search finds, or ``dsdone.yaml`` where there is none."""
    try:
        if path.is_file():
            return path.parent, path.name
        if path.is_dir():
            found = nearest_contract(path.resolve())
            if found is not None:
                return found.parent, found.name
    except (OSError, RuntimeError, ValueError):  # unreadable, a loop, a NUL: as if absent
        pass
    return path, CONTRACT_NAMES[0]


def _finding(problem: Problem, root: Path, contract: str, hint: str) -> Finding:
    """A problem at its place: the line of the contract (or of the file given) it names, or the
    contract itself when it names no file of the project. The message need not repeat it."""
    at = problem.location
    name = Path(at.path).name if at is not None else contract
    try:
        in_project = name == contract or (root / name).is_file()
    except OSError:
        in_project = False
    if at is not None and in_project:
        return Finding(problem.message, path=name, line=at.line, hint=hint)
    # A place outside the project (the folder given, a path that does not exist) is named in
    # the message, unless it is absolute: no report holds an absolute path.
    shown = at is not None and not Path(at.path).is_absolute()
    return Finding(str(problem) if shown else problem.message, path=contract, hint=hint)
