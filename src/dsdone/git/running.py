"""The git commands of one check run, started early or on demand, and stopped together.

Shared by every check thread of the run, and by the thread that ends it: a check abandoned at
its timeout may still be asking for a command while the run closes. So every change is made
under one lock, and once the run is closed no command starts (``GitError``): an abandoned
check can neither break the closing nor leave a git process behind it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from dsdone.errors import GitError
from dsdone.git.command import GitRun
from dsdone.git.grep import start_grep
from dsdone.git.prefetch import GIT_COMMANDS, Prefetch


class GitCommands:
    """The commands ``Prefetch`` started for ``root`` (taken once each), and those started
    later; ``close`` stops all of them."""

    def __init__(self, root: Path, prefetch: Prefetch | None) -> None:
        self.root = root
        self._prefetch = prefetch
        self._started: list[GitRun] = []
        self._lock = threading.Lock()
        self._closed = False

    def take(self, name: str) -> GitRun:
        """The command ``GIT_COMMANDS[name]``: the one started early, or one started now."""
        with self._lock:
            self._refuse_if_closed()
            run = self._prefetch.runs.pop(name, None) if self._prefetch is not None else None
            if run is None:
                run = GitRun(GIT_COMMANDS[name], self.root)
                self._started.append(run)
            return run

    def search(self, literals: frozenset[bytes]) -> tuple[GitRun, frozenset[bytes]]:
        """A ``git grep`` for ``literals``: the early one if it covers them (with the literals
        it searched for besides), or one started now."""
        with self._lock:
            self._refuse_if_closed()
            early = self._prefetch
            if early is not None and early.grep is not None and literals <= early.literals:
                return early.grep, early.literals - literals
            run = start_grep(self.root, literals)
            self._started.append(run)
            return run, frozenset()

    def start(self, arguments: list[str]) -> GitRun:
        """``git ARGUMENTS``, started now and stopped with the others."""
        with self._lock:
            self._refuse_if_closed()
            run = GitRun(arguments, self.root)
            self._started.append(run)
            return run

    def expect_searches(self, literals: Iterable[bytes]) -> None:
        """See ``Prefetch.search_only``."""
        with self._lock:
            if self._prefetch is not None:
                self._prefetch.search_only(frozenset(literals))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            started, self._started = self._started, []
            prefetch, self._prefetch = self._prefetch, None
        for run in started:
            run.kill()
        if prefetch is not None:
            prefetch.close()

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise GitError("the check run is over: no git command starts after it")
