"""``dsdone check --all ROOT``: every project under a folder, in one run, at about the cost of
one check of all its files.

Contracts are found through the same file index as a project's files (git's tracked and
untracked-not-ignored files, or a walk that honours .gitignore outside git), so a contract in an
ignored folder (a virtual environment, a vendored copy) is not a project. A project that cannot
be checked (its contract is invalid, it needs --allow-plugins, --select names a check it does not
have) does not stop the run: it appears in the combined report as a failed ``contract`` check
located in its contract, and makes the whole run not ready (exit 1). A repository git refuses
(another user owns it, its configuration cannot be read safely) stops it: exit 2.

The git work is done once: one ``git ls-files``, one ``git grep``, one ``rev-parse`` for the
folder searched, and each project sees its part of them (``Repository.subfolder``); the
built-in and installed checks are loaded once. Each project's report is the one ``dsdone check``
in its folder gives.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from dsdone import CONTRACT_NAMES
from dsdone.discovery import is_contract
from dsdone.errors import DsdoneError, Location
from dsdone.fileindex import FileIndex
from dsdone.git.guard import GitRefused
from dsdone.report import Report
from dsdone.repository import Repository
from dsdone.search_literals import BUILTIN_GREP_LITERALS
from dsdone.unchecked import unchecked_report

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dsdone.api import Check
    from dsdone.baseline import Baseline
    from dsdone.engine import Selection
    from dsdone.git.prefetch import Prefetch

# Projects checked at once: two, so that what one waits for (a search of its own, the second
# process of unit-tests, reading files) overlaps with the other's Python work. Measured on two
# cores, one to four at once took the same time: the GIL lets one thread at a time run Python.
# With --run, one at a time: two projects' test suites could compete for a port, a database or
# the cores.
PROJECTS_AT_ONCE = 2


class NoProjects(DsdoneError):
    """No contract under the folder searched."""


def find_projects(
    root: Path, index: FileIndex | None = None, timeout: float | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """The folders under ``root`` (relative, forward slashes, "" for root itself) that hold a
    contract, sorted; git lists them within ``timeout`` seconds (when given). And the places
    that could not be searched for one (path, why): folders that cannot be listed, and
    contracts in folders whose names cannot be shown.

    A contract is what ``dsdone.discovery.is_contract`` says: a ``dsdone.yml`` that is not one
    (the GitHub workflow the standard template writes, say) is not a project. Nothing under a
    ``.github`` folder is: it holds a code host's files, never a project's contract.
    ``index``: the file index of ``root``, if it is built already."""
    _refuse_missing(root)
    if index is None:
        with Repository(root) as repository:
            if timeout is not None:
                repository.limit_git(timeout)
            repository.check_git_access()
            index = repository.index
    folders = set()
    for path in index.files:  # string operations: this runs over every file of the repository
        folder, _, name = path.rpartition("/")
        if (
            name in CONTRACT_NAMES
            and ".github" not in folder.split("/")
            and is_contract(root / path)
        ):
            folders.add(folder)
    unsearched = [
        (path, why)
        for path, why in index.unsearched
        if ".github" not in PurePosixPath(path).parts
        and (PurePosixPath(path).name in CONTRACT_NAMES or (root / path).is_dir())
    ]
    return sorted(folders), unsearched


def check_all(
    root: Path,
    selection: Selection,
    *,
    today: date | None = None,
    baseline: Baseline | None = None,
    prefetch: Prefetch | None = None,
) -> tuple[Report, ...]:
    """The report of every project under ``root``, in the order of their folders.
    ``prefetch``: the git commands the command line started for ``root``, if any."""
    from dsdone.engine import Shared, installed_checks, refuse_empty_selection, run

    # The same mistake in every project is one error (exit 2): a selection that runs nothing,
    # an installed plugin that cannot be loaded.
    refuse_empty_selection(selection)
    _refuse_missing(root)
    installed = installed_checks()
    with Repository.start(
        root, search=BUILTIN_GREP_LITERALS, early=prefetch, cache_folder=selection.cache_folder
    ) as repository:
        # The git commands every project shares end by the run's timeout, and none runs where
        # git refuses the repository or its configuration cannot be read safely (exit 2).
        if selection.timeout is not None:
            repository.limit_git(selection.timeout)
        repository.check_git_access()
        folders, unsearched = find_projects(root, repository.index)
        if not folders and not unsearched:
            raise NoProjects(
                "no dsdone.yaml in this folder or below it (ignored folders and .github are "
                "skipped)",
                at=Location(str(root)),
                hint="run `dsdone init` in each project folder",
            )
        repository.expect_searches(_searched(installed, selection))
        shared = Shared(repository, installed)

        def check(folder: str) -> Report:
            path = root / folder if folder else root
            try:
                return run(
                    path, selection, today=today, baseline=baseline, search_root=root, shared=shared
                )
            except GitRefused:
                raise  # the environment is wrong, not the project: say so, exit 2
            except DsdoneError as exc:
                return unchecked_report(path, exc, selection, folder=folder)

        at_once = 1 if selection.runs is not None else PROJECTS_AT_ONCE
        with ThreadPoolExecutor(at_once, thread_name_prefix="dsdone-project") as pool:
            reports = list(pool.map(check, folders))
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


def _searched(installed: Sequence[Check], selection: Selection) -> frozenset[bytes]:
    """What the installed checks the selection may run search for: the literals of the one
    search every project shares (a project's own plugins search for theirs themselves)."""
    chosen = [
        check
        for check in installed
        if (selection.select is None or check.id in selection.select)
        and check.id not in selection.ignore
    ]
    return frozenset().union(*(check.grep for check in chosen))


def _refuse_missing(root: Path) -> None:
    if not root.is_dir():
        raise DsdoneError(
            "no such folder",
            at=Location(str(root)),
            hint="give the folder to search for projects",
        )
