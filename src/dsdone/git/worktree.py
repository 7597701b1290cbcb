"""What differs in the work tree: a snapshot taken before and after a ``--run``, so that a run
that changes the project's files is reported."""

from __future__ import annotations

from pathlib import Path

from dsdone.errors import GitError
from dsdone.git.session import run_git

# Tracked files that differ from the index or HEAD, and untracked files that are not ignored,
# each with its status, for this folder only.
_STATUS = ("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")


def work_tree_snapshot(root: Path) -> frozenset[str] | None:
    """Each changed or new file of the folder with its status (``" M src/a.py"``); None when
    git cannot tell (not a work tree, git missing)."""
    try:
        output = run_git(_STATUS, root)
    except GitError:  # not a work tree, or git is missing or broken
        return None
    return frozenset(entry for entry in output.split("\0") if entry)
