"""The git commands of one check run, started early or on demand, and stopped together.

Shared by every check thread of the run, and by the thread that ends it: a check abandoned at
its timeout may still be asking for a command while the run closes. So every change is made
under one lock, and once the run is closed no command starts (``GitError``): an abandoned
check can neither break the closing nor leave a git process behind it. Every command runs in
the folder's ``GitSession`` (guarded, ended by the run's deadline).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from dsdone.errors import GitError
from dsdone.git.command import GitRun
from dsdone.git.grep import start_grep
from dsdone.git.prefetch import GIT_COMMANDS, Prefetch
from dsdone.git.session import GitSession


class GitCommands:
    """The commands ``Prefetch`` started for ``root`` (taken once each), and those started
    later in the same session; ``close`` stops all of them."""

    def __init__(self, root: Path, prefetch: Prefetch | None) -> None:
        self.root = root
        self._prefetch = prefetch
        # The prefetch's session when there is one: the guard is computed once per folder.
        self._session = prefetch.git if prefetch is not None else GitSession(root)
        self._lock = threading.Lock()
        self._closed = False

    @property
    def session(self) -> GitSession:
        """The folder's session, for commands that read git's objects; ``GitError`` once the
        run is closed."""
        with self._lock:
            self._refuse_if_closed()
            return self._session

    def limit(self, timeout: float) -> None:
        """See ``GitSession.limit``."""
        self._session.limit(timeout)

    def check_access(self) -> None:
        """See ``GitSession.environment``: ``GitRefused`` when git may not run here."""
        self._session.environment()

    def take(self, name: str) -> GitRun:
        """The command ``GIT_COMMANDS[name]``: the one started early, or one started now."""
        with self._lock:
            self._refuse_if_closed()
            run = self._prefetch.take(name) if self._prefetch is not None else None
            return run if run is not None else self._session.run(GIT_COMMANDS[name])

    def search(self, literals: frozenset[bytes]) -> tuple[GitRun, frozenset[bytes]]:
        """A ``git grep`` for ``literals``: the early one if it covers them (with the literals
        it searched for besides), or one started now."""
        with self._lock:
            self._refuse_if_closed()
            prefetch = self._prefetch
            early = prefetch.grep if prefetch is not None else None
            if prefetch is not None and early is not None and literals <= prefetch.literals:
                return early, prefetch.literals - literals
            return start_grep(self._session, literals), frozenset()

    def start(self, arguments: list[str]) -> GitRun:
        """``git ARGUMENTS``, started now in the session and stopped with the others."""
        with self._lock:
            self._refuse_if_closed()
            return self._session.run(arguments)

    def expect_searches(self, literals: Iterable[bytes]) -> None:
        """See ``Prefetch.search_only``."""
        with self._lock:
            if self._prefetch is not None and not self._closed:
                self._prefetch.search_only(frozenset(literals))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None:
            prefetch.close()
        self._session.close()

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise GitError("the check run is over: no git command starts after it")
