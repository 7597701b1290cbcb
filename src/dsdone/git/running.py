"""The git commands of one check run, started early or on demand, and stopped together.

Shared by every check thread of the run, and by the thread that ends it: a check abandoned at
its timeout may still be asking for a command while the run closes. So every change is made
under one lock, and once the run is closed no command starts (``GitError``): an abandoned
check can neither break the closing nor leave a git process behind it. Every command runs in
the folder's ``GitSession`` (guarded, ended by the run's deadline), made when the first command
needs it if the prefetch did not bring one: a project of ``--all`` (``Repository.subfolder``)
shares its repository's commands and most never start one, and a session starts the guard's
two commands as soon as it is made.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from dsdone.errors import GitError
from dsdone.git.command import GitRun
from dsdone.git.grep import start_grep
from dsdone.git.prefetch import GIT_COMMANDS, Prefetch
from dsdone.git.session import GitSession


class GitCommands:
    """The commands ``Prefetch`` started for ``root`` (taken once each), and those started
    later in the same session; ``close`` stops all of them."""

    def __init__(self, root: Path, prefetch: Prefetch | None, *, lazy: bool = False) -> None:
        self.root = root
        self._prefetch = prefetch
        # The prefetch's session when there is one: the guard is computed once per folder.
        # Otherwise one made now, its guard's commands running while the caller goes on, or
        # (``lazy``) when a command first needs it.
        self._session = prefetch.git if prefetch is not None else None
        if self._session is None and not lazy:
            self._session = GitSession(root)
        self._limit: float | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def session(self) -> GitSession:
        """The folder's session, for commands that read git's objects; ``GitError`` once the
        run is closed."""
        with self._lock:
            return self._open_session()

    def limit(self, timeout: float) -> None:
        """See ``GitSession.limit``; also for the session made later."""
        with self._lock:
            if self._limit is None or timeout < self._limit:
                self._limit = timeout
            session = self._session
        if session is not None:
            session.limit(timeout)

    def check_access(self) -> None:
        """See ``GitSession.environment``: ``GitRefused`` when git may not run here."""
        self.session.environment()

    def take(self, name: str) -> GitRun:
        """The command ``GIT_COMMANDS[name]``: the one started early, or one started now."""
        with self._lock:
            session = self._open_session()
            run = self._prefetch.take(name) if self._prefetch is not None else None
            return run if run is not None else session.run(GIT_COMMANDS[name])

    def early_search(self) -> tuple[GitRun | None, frozenset[bytes], Path | None] | None:
        """The ``git grep`` started early, with the literals it searches for and the cache
        folder of the run; the search is None when it waits for the cache (``Prefetch``).
        None without either."""
        with self._lock:
            self._refuse_if_closed()
            prefetch = self._prefetch
            if prefetch is None:
                return None
            early = prefetch.grep
            if early is None and not prefetch.deferred:
                return None
            return early, prefetch.literals, prefetch.cache_folder

    def search(self, literals: frozenset[bytes], paths: Sequence[str] = ()) -> GitRun:
        """A ``git grep`` for ``literals`` (in ``paths`` alone, if given), started now."""
        with self._lock:
            return start_grep(self._open_session(), literals, paths)

    def start(self, arguments: list[str]) -> GitRun:
        """``git ARGUMENTS``, started now in the session and stopped with the others."""
        with self._lock:
            return self._open_session().run(arguments)

    def expect_searches(self, literals: Iterable[bytes]) -> None:
        """See ``Prefetch.search_only``."""
        with self._lock:
            if self._prefetch is not None and not self._closed:
                self._prefetch.search_only(frozenset(literals))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            prefetch, self._prefetch = self._prefetch, None
            session = self._session
        if prefetch is not None:
            prefetch.close()
        if session is not None:
            session.close()

    def _open_session(self) -> GitSession:
        """The session (made now if there is none yet); called with the lock held."""
        self._refuse_if_closed()
        if self._session is None:
            self._session = GitSession(self.root)
            if self._limit is not None:
                self._session.limit(self._limit)
        return self._session

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise GitError("the check run is over: no git command starts after it")
