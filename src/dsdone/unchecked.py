"""The report of a project that could not be checked: its contract is invalid or missing, it
needs --allow-plugins, --select names a check it does not have.

Such a project is still reported, as one failing ``contract`` check with each problem a finding
at its place: ``--all`` shows it among the projects that could be checked, and a single
``dsdone check --format json|sarif|junit|markdown|github`` writes it, so that a CI job that
uploads the report shows the error instead of "file not found".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dsdone import CONTRACT_NAMES, __version__
from dsdone.discovery import nearest_contract
from dsdone.errors import DsdoneError, Problem
from dsdone.report import Area, CheckResult, Finding, ProjectInfo, Report, Severity, Status
from dsdone.score import score_results

if TYPE_CHECKING:
    from dsdone.engine import Selection

CONTRACT_CHECK = "contract"


def unchecked_report(
    path: Path, error: DsdoneError, selection: Selection, *, folder: str | None = None
) -> Report:
    """The report for the project at ``path`` (a folder or a file, as the user gave it), which
    ``error`` kept from being checked. ``folder``: where ``--all`` found it, relative to the
    folder it searched (outside git, the report's folder)."""
    root, contract = _project_of(path)
    hint = error.hint or "fix the contract; `dsdone check` in that folder says more"
    findings = tuple(_finding(problem, root, contract, hint) for problem in error.problems)
    result = CheckResult(
        check=CONTRACT_CHECK,
        title="The project can be checked",
        severity=Severity.ERROR,
        area=Area.INFRASTRUCTURE,
        status=Status.FAIL,
        summary="dsdone could not check this project, so no check ran",
        findings=findings,
        source="dsdone",
        description="Without a valid contract (and the checks it names) dsdone cannot tell "
        "whether this project keeps its promises.",
        fix="Fix what the finding says; `dsdone check` in the project's folder says the same.",
    )
    return Report(
        dsdone_version=__version__,
        project=ProjectInfo(name=folder or root.resolve().name, owner="unknown"),
        contract=contract,
        root=str(path),
        commit=None,
        fail_on=selection.fail_on,
        results=(result,),
        score=score_results((result,)),
        folder=_repository_folder(root, folder or ""),
        min_score=selection.min_score,
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


def _repository_folder(path: Path, folder: str) -> str:
    """As the engine says it for a project that loads: relative to git's top folder if any."""
    from dsdone.git.state import find_work_tree

    work_tree = find_work_tree(path)
    if work_tree is None:
        return folder
    try:
        relative = path.resolve().relative_to(work_tree.resolve()).as_posix()
    except ValueError:
        return folder
    return "" if relative == "." else relative
