"""What git says about the repository that holds the project, through GitPython."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dsdone.gitrun import git_environment

if TYPE_CHECKING:
    import git


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
    """Never raises: a missing git, a broken or unreadable repository becomes ``problem``."""
    # GitPython refuses to import without a git executable unless told to stay quiet about it;
    # we report a missing git as a fact instead of crashing. Forced, not defaulted: a user's
    # GIT_PYTHON_REFRESH=error would turn a missing git into an ImportError here.
    os.environ["GIT_PYTHON_REFRESH"] = "quiet"
    try:
        import git
    except ImportError as exc:  # GitPython itself is broken
        return GitState(problem=f"GitPython cannot be imported: {exc}")

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return GitState()
    except Exception as exc:  # a broken .git, an unreadable folder
        return GitState(problem=f"cannot open the git repository: {exc}")
    try:
        with repo:
            # Looking must not write: no index refresh, no credential prompt.
            repo.git.update_environment(**_quiet_git_environment())
            return _state(repo, root)
    except git.GitCommandNotFound:
        return GitState(problem="the git executable was not found on PATH")
    except git.GitCommandError as exc:
        return GitState(problem=f"git failed: {' '.join(str(exc.stderr).split())}")
    except Exception as exc:  # a corrupt object or ref, an unreadable file under .git
        return GitState(problem=f"cannot read the git repository: {type(exc).__name__}: {exc}")


def _state(repo: git.Repo, root: Path) -> GitState:
    if repo.bare or repo.working_tree_dir is None:
        return GitState(problem="the repository is bare: it has no work tree")
    work_tree = Path(repo.working_tree_dir)
    shallow = (Path(repo.git_dir) / "shallow").exists()
    try:
        commit = repo.head.commit.hexsha
    except ValueError:  # "Reference at 'refs/heads/main' does not exist": no commit yet
        return GitState(work_tree=work_tree, shallow=shallow)
    branch = None if repo.head.is_detached else repo.active_branch.name
    # Not repo.is_dirty(): it runs `git diff`, which rewrites .git/index to refresh stat data
    # even with GIT_OPTIONAL_LOCKS=0; `git status` honours that variable and only reads.
    status = repo.git.status("--porcelain", "--untracked-files=normal", "--", str(root))
    dirty = bool(status.strip())
    return GitState(work_tree, commit, branch, dirty, shallow)


def _quiet_git_environment() -> dict[str, str]:
    keys = ("GIT_OPTIONAL_LOCKS", "GIT_TERMINAL_PROMPT")
    environment = git_environment()
    return {key: environment[key] for key in keys}
