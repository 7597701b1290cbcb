"""The git commands of ``dsdone init``, through GitPython: the only ones that change a repository
(``git init``), and reading the identity a new project's owner defaults to."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType


def _gitpython() -> ModuleType:
    """GitPython, imported quietly: a missing git executable is reported where git is used,
    not as an ImportError (forced, not defaulted: a user's GIT_PYTHON_REFRESH=error would
    otherwise make the import itself fail)."""
    os.environ["GIT_PYTHON_REFRESH"] = "quiet"
    import git

    return git


def inside_git_repository(folder: Path) -> bool:
    """Whether ``folder`` is in the work tree of a git repository."""
    git = _gitpython()
    try:
        repository = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return False
    with repository:
        return not repository.bare


def work_tree_top(folder: Path) -> Path | None:
    """The top folder of the git work tree ``folder`` is in; None outside one."""
    git = _gitpython()
    try:
        repository = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    with repository:
        top = repository.working_tree_dir
    return Path(top).resolve() if top is not None else None


def git_init_if_needed(folder: Path) -> tuple[bool, str | None]:
    """``git init`` the folder unless it is already inside a work tree.

    Returns whether it did, and why it could not. The files are already written by then, so a
    missing git is reported, not raised: the project is still usable.
    """
    if inside_git_repository(folder):
        return False, None
    git = _gitpython()
    try:
        git.Repo.init(folder).close()
    except git.GitCommandNotFound:
        return False, "git could not be run (the git executable was not found)"
    except (git.GitCommandError, OSError) as exc:
        detail = exc.stderr if isinstance(exc, git.GitCommandError) else exc
        return False, f"git init failed: {' '.join(str(detail).split())}"
    return True, None


def git_user_email(folder: Path) -> str | None:
    """The ``user.email`` git would commit with in ``folder``, if one is set."""
    git = _gitpython()
    try:
        email: str = git.Git(folder).config("--get", "user.email")
    except (git.GitCommandError, git.GitCommandNotFound, OSError):
        return None
    return email.strip() or None
