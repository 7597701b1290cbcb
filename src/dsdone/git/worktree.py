"""What differs in the work tree: a snapshot taken before and after a ``--run``, so that a run
that changes the project's files is reported."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dsdone.git.command import GitRun

# Tracked files that differ from the index or HEAD, and untracked files that are not ignored,
# each with its status, for this folder only.
_STATUS = ("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")


def work_tree_snapshot(root: Path) -> frozenset[str] | None:
    """Each changed or new file of the folder with its status (``" M src/a.py"``); None when
    git cannot tell (not a work tree, git missing)."""
    run = GitRun(_STATUS, root)
    try:
        completed = run.output()
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        run.kill()
    if completed.returncode != 0:
        return None
    entries = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return frozenset(entry for entry in entries if entry)
