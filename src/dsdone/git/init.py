"""What ``dsdone init`` asks git: may git run here, is the folder in a work tree already,
``git init``, and the ``user.email`` to offer as the owner. Each in a ``GitSession``, so that
``init`` into a repository someone else wrote runs none of its programs either.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from dsdone.git.guard import GitRefused
from dsdone.git.session import GitSession


def check_git_access(folder: Path) -> None:
    """Raise ``GitRefused`` when git may not run in ``folder`` (or, when it does not exist yet,
    in the nearest folder above it that does): git refuses the repository for its owner, or
    its configuration cannot be read safely."""
    existing = next((f for f in (folder, *folder.absolute().parents) if f.is_dir()), None)
    if existing is None:
        return
    git = GitSession(existing)
    try:
        git.environment()
    finally:
        git.close()


def inside_work_tree(folder: Path) -> bool:
    """Whether ``folder`` is in the work tree of a git repository (False without git)."""
    git = GitSession(folder)
    try:
        completed = git.run(("rev-parse", "--is-inside-work-tree")).output()
    except (OSError, subprocess.TimeoutExpired, GitRefused):
        return False
    finally:
        git.close()
    return completed.returncode == 0 and completed.stdout.strip() == b"true"


def work_tree_top(folder: Path) -> Path | None:
    """The top folder of the git work tree ``folder`` is in; None outside one (or without git)."""
    git = GitSession(folder)
    try:
        completed = git.run(("rev-parse", "--show-toplevel")).output()
    except (OSError, subprocess.TimeoutExpired, GitRefused):
        return None
    finally:
        git.close()
    top = completed.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(top).resolve() if completed.returncode == 0 and top else None


def init_repository(folder: Path) -> str | None:
    """``git init`` in ``folder``; why it could not, or None."""
    git = GitSession(folder)
    try:
        run = git.run(("init", "-q"))
        completed = run.output()
    except FileNotFoundError:
        return "git could not be run (the git executable was not found)"
    except OSError as exc:
        return f"git could not be run: {exc.strerror or exc}"
    except subprocess.TimeoutExpired as exc:
        return f"git init did not finish within {exc.timeout:g} s"
    except GitRefused as exc:
        return exc.message
    finally:
        git.close()
    if completed.returncode != 0:
        return run.failure(completed)
    return None


def user_email(folder: Path) -> str | None:
    """The ``user.email`` git would commit with in ``folder``, if one is set."""
    git = GitSession(folder)
    try:
        completed = git.run(("config", "--get", "user.email")).output()
    except (OSError, subprocess.TimeoutExpired, GitRefused):
        return None
    finally:
        git.close()
    email = completed.stdout.decode("utf-8", "replace").strip()
    return email if completed.returncode == 0 and email else None
