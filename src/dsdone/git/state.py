"""What git says about the repository that holds the project: where its work tree is, the
commit and branch checked out, and how many files differ from that commit.

One ``git rev-parse`` (``WHERE``), started early so that it runs while dsdone does other
work. What differs comes from the file index and the staged changes (see ``Project.git``):
no ``git status`` walks the work tree a second time.
"""

from __future__ import annotations

import dataclasses
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dsdone.git.command import GitRun

# The top folder, "true" in a shallow clone, HEAD's commit and what HEAD names: a branch
# (refs/heads/NAME), or HEAD itself when detached. Without a commit yet git fails on HEAD,
# after printing the first two.
WHERE = (
    "rev-parse", "--show-toplevel", "--is-shallow-repository",
    "HEAD", "--symbolic-full-name", "HEAD",
)  # fmt: skip


@dataclass(frozen=True)
class GitState:
    """The state of the enclosing repository. ``problem`` says why a field could not be known."""

    work_tree: Path | None = None  # the repository's top folder; None: not in a work tree
    commit: str | None = None  # HEAD's full sha; None: no commit yet
    branch: str | None = None  # None on a detached HEAD (and before the first commit)
    dirty: bool = False
    shallow: bool = False
    problem: str | None = None  # git is missing or broken
    changed: int = 0  # files of the project folder that differ from HEAD, untracked included


def read_git_state(run: GitRun) -> GitState:
    """Where the work tree is and what is checked out, from ``run`` (``git WHERE``); ``dirty``
    and ``changed`` are left for ``with_changes``. Never raises: a missing git, a broken or
    unreadable repository becomes ``problem``."""
    try:
        completed = run.output()
    except FileNotFoundError:
        return GitState(problem="the git executable was not found on PATH")
    except OSError as exc:
        return GitState(problem=f"git could not be run: {exc.strerror or exc}")
    except subprocess.TimeoutExpired as exc:
        return GitState(problem=f"git rev-parse did not finish in {exc.timeout:g} s")
    finally:
        run.kill()
    lines = completed.stdout.decode("utf-8", "surrogateescape").splitlines()
    if completed.returncode != 0:
        if b"not a git repository" in completed.stderr:
            return GitState()
        if b"must be run in a work tree" in completed.stderr:
            return GitState(problem="the repository is bare: it has no work tree")
        if len(lines) >= 2 and b"'HEAD'" in completed.stderr:  # no commit yet
            return GitState(work_tree=Path(lines[0]), shallow=lines[1] == "true")
        return GitState(problem=f"cannot read the git repository: {run.failure(completed)}")
    top, shallow, commit, head = lines[:4]
    branch = head.removeprefix("refs/heads/") if head != "HEAD" else None
    return GitState(Path(top), commit, branch, shallow=shallow == "true")


def with_changes(state: GitState, changed: int) -> GitState:
    """``state`` with ``changed`` files that differ from HEAD (none before the first commit)."""
    if state.commit is None:
        return state
    return dataclasses.replace(state, dirty=bool(changed), changed=changed)
