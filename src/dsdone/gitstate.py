"""What git says about the repository that holds the project: where its work tree is, the
commit and branch checked out, and what differs from that commit.

Four small git commands, started together (``start_git_state``), so that they run while dsdone
does other work; none of them writes to the repository (``GIT_OPTIONAL_LOCKS=0``).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from dsdone.gitrun import GitRun

COMMANDS = {
    # The top folder, and "true" in a shallow clone; fails outside a work tree.
    "where": ("rev-parse", "--show-toplevel", "--is-shallow-repository"),
    "commit": ("rev-parse", "-q", "--verify", "HEAD^{commit}"),  # nothing yet: exit 1
    "branch": ("symbolic-ref", "-q", "--short", "HEAD"),  # detached: exit 1
    # Every file of the project folder that differs from HEAD, untracked ones included.
    "changes": ("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "."),
}


@dataclass(frozen=True)
class GitState:
    """The state of the enclosing repository. ``problem`` says why a field could not be known."""

    work_tree: Path | None = None  # the repository's top folder; None: not in a work tree
    commit: str | None = None  # HEAD's full sha; None: no commit yet
    branch: str | None = None  # None on a detached HEAD
    dirty: bool = False
    shallow: bool = False
    problem: str | None = None  # git is missing or broken
    changed: int = 0  # files of the project folder that differ from HEAD, untracked included


def start_git_state(root: Path) -> dict[str, GitRun]:
    return {name: GitRun(arguments, root) for name, arguments in COMMANDS.items()}


def read_git_state(root: Path, started: dict[str, GitRun] | None = None) -> GitState:
    """Never raises: a missing git, a broken or unreadable repository becomes ``problem``."""
    runs = started if started is not None else start_git_state(root)
    try:
        outputs = {name: run.output() for name, run in runs.items()}
    except FileNotFoundError:
        return GitState(problem="the git executable was not found on PATH")
    except OSError as exc:
        return GitState(problem=f"git could not be run: {exc.strerror or exc}")
    except subprocess.TimeoutExpired as exc:
        return GitState(problem=f"git {exc.cmd[1]} did not finish in {exc.timeout:g} s")
    finally:
        for run in runs.values():
            run.kill()
    where = outputs["where"]
    if where.returncode != 0:
        if b"not a git repository" in where.stderr:
            return GitState()
        if b"must be run in a work tree" in where.stderr:
            return GitState(problem="the repository is bare: it has no work tree")
        return GitState(problem=f"cannot read the git repository: {runs['where'].failure(where)}")
    lines = where.stdout.decode("utf-8", "surrogateescape").splitlines()
    work_tree, shallow = Path(lines[0]), lines[1:2] == ["true"]
    commit = outputs["commit"].stdout.decode("ascii", "replace").strip() or None
    if commit is None:
        return GitState(work_tree=work_tree, shallow=shallow)
    branch = outputs["branch"].stdout.decode("utf-8", "replace").strip() or None
    changes = outputs["changes"]
    if changes.returncode != 0:
        return GitState(
            work_tree, commit, branch, shallow=shallow, problem=runs["changes"].failure(changes)
        )
    changed = _count_changes(changes.stdout)
    return GitState(work_tree, commit, branch, bool(changed), shallow, changed=changed)


def find_work_tree(folder: Path) -> Path | None:
    """The top folder of the git work tree that holds ``folder``; None outside one (or
    without git)."""
    run = GitRun(COMMANDS["where"], folder)
    try:
        completed = run.output()
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        run.kill()
    if completed.returncode != 0:
        return None
    return Path(completed.stdout.decode("utf-8", "surrogateescape").splitlines()[0])


def _count_changes(output: bytes) -> int:
    """The entries of ``git status --porcelain=v1 -z``: a rename is followed by its source."""
    count = 0
    entries = iter(output.split(b"\0"))
    for entry in entries:
        if not entry:
            continue
        count += 1
        if b"R" in entry[:2] or b"C" in entry[:2]:
            next(entries, None)
    return count
