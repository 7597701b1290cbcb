"""``dsdone check --all ROOT``: every project under a folder, in one run.

Contracts are found through the same file index as a project's files (git's tracked and
untracked-not-ignored files, or a walk that honours .gitignore outside git), so a contract in an
ignored folder (a virtual environment, a vendored copy) is not a project. A project that cannot
be checked (its contract is invalid, it needs --allow-plugins, --select names a check it does not
have) does not stop the run: it appears in the combined report as a failed ``contract`` check
located in its contract, and makes the whole run not ready (exit 1).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from dsdone import CONTRACT_NAMES, __version__
from dsdone.errors import DsdoneError
from dsdone.fileindex import build_file_index
from dsdone.report import Area, CheckResult, Finding, ProjectInfo, Report, Severity, Status
from dsdone.score import score_results

if TYPE_CHECKING:
    from dsdone.baseline import Baseline
    from dsdone.engine import Selection

CONTRACT_CHECK = "contract"


def find_projects(root: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The folders under ``root`` (relative, forward slashes, "" for root itself) that hold a
    contract, sorted; and the places that could not be searched for one (path, why): folders
    that cannot be listed, and contracts in folders whose names cannot be shown."""
    if not root.is_dir():
        raise DsdoneError(f"{root}: no such folder", hint="give the folder to search for projects")
    index = build_file_index(root)
    folders = {
        str(PurePosixPath(path).parent)
        for path in index.files
        if PurePosixPath(path).name in CONTRACT_NAMES
    }
    unsearched = [
        (path, why)
        for path, why in index.unsearched
        if PurePosixPath(path).name in CONTRACT_NAMES or (root / path).is_dir()
    ]
    return sorted("" if folder == "." else folder for folder in folders), unsearched


def check_all(
    root: Path, selection: Selection, *, today: date | None = None, baseline: Baseline | None = None
) -> tuple[Report, ...]:
    from dsdone.engine import run

    folders, unsearched = find_projects(root)
    if not folders and not unsearched:
        raise DsdoneError(
            f"{root}: no dsdone.yaml in this folder or below it (ignored folders are skipped)",
            hint="run `dsdone init` in each project folder",
        )
    reports: list[Report] = []
    for folder in folders:
        path = root / folder if folder else root
        try:
            reports.append(run(path, selection, today=today, baseline=baseline, search_root=root))
        except DsdoneError as exc:
            reports.append(_unloadable(path, folder, exc, selection))
    # A folder that could not be searched may hold projects: the run is not ready without it.
    for where, why in unsearched:
        folder = where if (root / where).is_dir() else str(PurePosixPath(where).parent)
        problem = DsdoneError(
            f"{where}: not searched for projects: {why}",
            hint="make the folder readable by the user who runs dsdone (and rename one whose "
            "name holds control characters)",
        )
        reports.append(_unloadable(root / folder, folder, problem, selection))
    return tuple(reports)


def _unloadable(path: Path, folder: str, exc: DsdoneError, selection: Selection) -> Report:
    """A report for a project whose contract could not be loaded: one failing check, located
    at the line of the contract the error names."""
    contract = next((name for name in CONTRACT_NAMES if _is_file(path / name)), CONTRACT_NAMES[0])
    hint = exc.hint or "fix the contract; `dsdone check` in that folder says more"
    # Each problem at the line of the contract it names; the message need not repeat it.
    findings = tuple(
        Finding(problem.message, path=contract, hint=hint)
        if problem.location is None
        else Finding(problem.message, path=contract, line=problem.location.line, hint=hint)
        for problem in exc.problems
    )
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
        project=ProjectInfo(name=folder or path.resolve().name, owner="unknown"),
        contract=contract,
        root=str(path),
        commit=None,
        fail_on=selection.fail_on,
        results=(result,),
        score=score_results((result,)),
        folder=_repository_folder(path, folder),
        min_score=selection.min_score,
    )


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a folder on the way that cannot be entered
        return False


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
