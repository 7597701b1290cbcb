"""The git commands a check run needs, started as soon as the project folder is known.

They run on another core while dsdone imports its modules, validates the contract and loads
the checks; the ``Project`` then takes each as it needs it. The command line starts them even
before it imports typer (see ``dsdone.cli.main``). Light on purpose: importing this module
must cost next to nothing.

No command starts before the guard has read the repository's configuration (a few
milliseconds, see ``dsdone.git.session``): a thread waits for it and starts them then, so that
dsdone's own start-up goes on meanwhile, and an invalid contract cannot make a repository's
``core.fsmonitor`` run in the instant before dsdone stops.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from dsdone.fileindex import LS_FILES
from dsdone.git.command import GitRun
from dsdone.git.grep import start_grep
from dsdone.git.grep_cache import has_cache
from dsdone.git.guard import GitRefused
from dsdone.git.origin import HEAD_COMMIT, ORIGIN
from dsdone.git.session import GitSession
from dsdone.git.sizes import LS_TREE, STAGED
from dsdone.git.state import WHERE

# What a check run asks git, by what it is for.
GIT_COMMANDS = {
    "index": LS_FILES,  # the file index
    "state": WHERE,  # the work tree, commit and branch
    "tree": LS_TREE,  # the sizes of HEAD's blobs
    "staged": STAGED,  # what the index changes against HEAD
    "origin": ORIGIN,  # the remote's URL: which repository this is
    "head": HEAD_COMMIT,  # HEAD's commit object: its date
}


class Prefetch:
    """The git commands a ``Project`` will need, started as soon as its folder's configuration
    is read, and one search for every literal the checks declared (``@check(grep=...)``). They
    run on another core while dsdone loads the contract and its checks. ``git`` is the
    folder's session, which the ``Repository`` goes on using; ``close`` ends it.

    With a ``cache_folder`` where an earlier run kept what the search found
    (``dsdone.git.grep_cache``), the search is not started: it waits for the file index, to
    cover only the files that changed (``deferred``)."""

    def __init__(
        self, root: Path, literals: frozenset[bytes], cache_folder: Path | None = None
    ) -> None:
        self.root = root
        self.git = GitSession(root)
        self.literals = literals
        self.cache_folder = cache_folder
        self._runs: dict[str, GitRun] = {}  # by the names of GIT_COMMANDS
        self._grep: GitRun | None = None
        self.deferred = False  # the search is left to the cache and the file index
        self._lock = threading.Lock()
        self._closed = False
        self._started = threading.Event()

    @classmethod
    def start(
        cls, root: Path, literals: Iterable[bytes] = (), cache_folder: Path | None = None
    ) -> Prefetch:
        prefetch = cls(root.resolve(), frozenset(literals), cache_folder)
        threading.Thread(target=prefetch._start, name="dsdone-git", daemon=True).start()
        return prefetch

    def _start(self) -> None:
        try:
            self.git.environment()  # the configuration is read: the commands may start
            cached = has_cache(self.cache_folder, self.root)
            with self._lock:
                if self._closed:
                    return
                if self.literals and cached:
                    self.deferred = True
                elif self.literals:
                    self._grep = start_grep(self.git, self.literals)  # the longest: first
                for name, arguments in GIT_COMMANDS.items():
                    self._runs[name] = self.git.run(arguments)
        except GitRefused:
            pass  # no command starts; the Repository says why when it asks the session
        finally:
            self._started.set()

    @property
    def runs(self) -> dict[str, GitRun]:
        """The commands not yet taken, by the names of ``GIT_COMMANDS``."""
        self._started.wait()
        return self._runs

    def take(self, name: str) -> GitRun | None:
        """The command ``GIT_COMMANDS[name]``, for the one who reads it; None if it did not
        start (or was taken)."""
        self._started.wait()
        with self._lock:
            return self._runs.pop(name, None)

    @property
    def grep(self) -> GitRun | None:
        """The search for ``literals``, shared by every check that asks for some of them."""
        self._started.wait()
        return self._grep

    def search_only(self, literals: frozenset[bytes]) -> None:
        """What will really be searched for: the search started early is kept if it covers
        ``literals`` (one search serves every check), started again if it does not (a plugin's
        literals), stopped if nothing will be searched."""
        self._started.wait()
        if not literals:
            self.drop_grep()
        elif literals <= self.literals and self.deferred:
            return
        elif not literals <= self.literals or self._grep is None:
            self.drop_grep()
            with self._lock:
                if not self._closed:
                    self.literals = literals
                    self._grep = start_grep(self.git, literals)

    def drop_grep(self) -> None:
        """Stop the search: no check that will run needs it."""
        with self._lock:
            grep, self._grep = self._grep, None
            self.literals = frozenset()
            self.deferred = False
        if grep is not None:
            grep.kill()

    def close(self) -> None:
        """Stop every command of the folder, those the Repository started included."""
        with self._lock:
            self._closed = True
            self._grep = None
            self.literals = frozenset()
            self.deferred = False
        self.git.close()
