"""Where the reader finds a file of the report: its path from the folder they ran dsdone in.

A report names files relative to its project folder (``src/train.py``). A person at a terminal,
or a CI log that they click through, wants the path that opens from where dsdone ran, as ruff,
mypy and pytest print theirs: ``examples/not-ready/src/train.py`` from the repository's top,
``train.py`` from inside ``src/``, ``../other/train.py`` from a sibling folder. Never an
absolute path: the same tree, checked from the same place in it, gives the same bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class ShownPaths:
    """How the paths of one report are shown. Both folders are absolute; without them (the
    default) paths are shown as the report has them, relative to the project folder."""

    project: str | None = None
    cwd: str | None = None

    def show(self, path: str) -> str:
        """``path`` (relative to the project, forward slashes) as the reader opens it."""
        if self.project is None or self.cwd is None:
            return path
        project, cwd = PurePath(self.project), PurePath(self.cwd)
        # normpath, not resolve: a file above the project (``../.github/...``) is named as
        # the repository names it, and nothing here reads the file system.
        full = os.path.normpath(project / path)
        try:
            return PurePath(os.path.relpath(full, cwd)).as_posix()
        except ValueError:  # on another drive (Windows): no relative path leads there
            return PurePath(full).as_posix()
