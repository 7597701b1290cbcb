"""What git says about the repository that holds the project, through GitPython."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitState:
    """The state of the enclosing repository. ``problem`` says why a field could not be known."""

    work_tree: Path | None = None  # the repository's top folder; None: not in a work tree
    commit: str | None = None  # HEAD's full sha; None: no commit yet
    branch: str | None = None  # None on a detached HEAD
    dirty: bool = False
    shallow: bool = False
    problem: str | None = None  # git is missing or broken


def read_git_state(root: Path) -> GitState:
    # GitPython refuses to import without a git executable unless told to stay quiet about it;
    # we report a missing git as a fact instead of crashing.
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return GitState()
    except Exception as exc:  # a broken .git, an unreadable folder
        return GitState(problem=f"cannot open the git repository: {exc}")
    try:
        with repo:
            if repo.bare or repo.working_tree_dir is None:
                return GitState(problem="the repository is bare: it has no work tree")
            work_tree = Path(repo.working_tree_dir)
            shallow = (Path(repo.git_dir) / "shallow").exists()
            try:
                commit = repo.head.commit.hexsha
            except ValueError:  # "Reference at 'refs/heads/main' does not exist": no commit yet
                return GitState(work_tree=work_tree, shallow=shallow)
            branch = None if repo.head.is_detached else repo.active_branch.name
            dirty = repo.is_dirty(untracked_files=True, path=str(root))
            return GitState(work_tree, commit, branch, dirty, shallow)
    except git.GitCommandNotFound:
        return GitState(problem="the git executable was not found on PATH")
    except git.GitCommandError as exc:
        return GitState(problem=f"git failed: {' '.join(str(exc.stderr).split())}")
