"""``dsdone check --all ROOT``: every project under a folder, in one run.

Contracts are found through the same file index as a project's files (git's tracked and
untracked-not-ignored files, or a walk that honours .gitignore outside git), so a contract in an
ignored folder (a virtual environment, a vendored copy) is not a project. A project that cannot
be checked (its contract is invalid, it needs --allow-plugins, --select names a check it does not
have) does not stop the run: it appears in the combined report as a failed ``contract`` check
located in its contract, and makes the whole run not ready (exit 1). A repository git refuses
(another user owns it, its configuration cannot be read safely) stops it: exit 2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from dsdone import CONTRACT_NAMES
from dsdone.discovery import is_contract
from dsdone.errors import DsdoneError, Location
from dsdone.git.guard import GitRefused
from dsdone.report import Report
from dsdone.repository import Repository
from dsdone.unchecked import unchecked_report

if TYPE_CHECKING:
    from dsdone.baseline import Baseline
    from dsdone.engine import Selection


def find_projects(
    root: Path, timeout: float | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """The folders under ``root`` (relative, forward slashes, "" for root itself) that hold a
    contract, sorted; git lists them within ``timeout`` seconds (when given). And the places
    that could not be searched for one (path, why): folders that cannot be listed, and
    contracts in folders whose names cannot be shown.

    A contract is what ``dsdone.discovery.is_contract`` says: a ``dsdone.yml`` that is not one
    (the GitHub workflow the standard template writes, say) is not a project. Nothing under a
    ``.github`` folder is: it holds a code host's files, never a project's contract."""
    if not root.is_dir():
        raise DsdoneError(
            "no such folder",
            at=Location(str(root)),
            hint="give the folder to search for projects",
        )
    with Repository(root) as repository:
        if timeout is not None:
            repository.limit_git(timeout)
        repository.check_git_access()
        index = repository.index
    folders = {
        str(path.parent)
        for path in map(PurePosixPath, index.files)
        if path.name in CONTRACT_NAMES and ".github" not in path.parts and is_contract(root / path)
    }
    unsearched = [
        (path, why)
        for path, why in index.unsearched
        if ".github" not in PurePosixPath(path).parts
        and (PurePosixPath(path).name in CONTRACT_NAMES or (root / path).is_dir())
    ]
    return sorted("" if folder == "." else folder for folder in folders), unsearched


def check_all(
    root: Path, selection: Selection, *, today: date | None = None, baseline: Baseline | None = None
) -> tuple[Report, ...]:
    from dsdone.engine import refuse_empty_selection, run

    refuse_empty_selection(selection)  # the same mistake in every project: one error, exit 2
    folders, unsearched = find_projects(root, selection.timeout)
    if not folders and not unsearched:
        raise DsdoneError(
            "no dsdone.yaml in this folder or below it (ignored folders and .github are skipped)",
            at=Location(str(root)),
            hint="run `dsdone init` in each project folder",
        )
    reports: list[Report] = []
    for folder in folders:
        path = root / folder if folder else root
        try:
            reports.append(run(path, selection, today=today, baseline=baseline, search_root=root))
        except GitRefused:
            raise  # the environment is wrong, not the project: say so, exit 2
        except DsdoneError as exc:
            reports.append(unchecked_report(path, exc, selection, folder=folder))
    # A folder that could not be searched may hold projects: the run is not ready without it.
    for where, why in unsearched:
        folder = where if (root / where).is_dir() else str(PurePosixPath(where).parent)
        problem = DsdoneError(
            f"{where}: not searched for projects: {why}",
            hint="make the folder readable by the user who runs dsdone (and rename one whose "
            "name holds control characters)",
        )
        reports.append(unchecked_report(root / folder, problem, selection, folder=folder))
    return tuple(reports)
