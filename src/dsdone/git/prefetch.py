"""The git commands a check run needs, started as soon as the project folder is known.

They run on another core while dsdone imports its modules, validates the contract and loads
the checks; the ``Project`` then takes each as it needs it. The command line starts them even
before it imports typer (see ``dsdone.cli.main``). Light on purpose: importing this module
must cost next to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dsdone.fileindex import LS_FILES
from dsdone.git.command import GitRun
from dsdone.git.grep import start_grep
from dsdone.git.origin import HEAD_COMMIT, ORIGIN
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


@dataclass
class Prefetch:
    """The git commands a ``Project`` will need, started as soon as its folder is known, and
    one search for every literal the checks declared (``@check(grep=...)``). They run on
    another core while dsdone loads the contract and its checks."""

    root: Path
    runs: dict[str, GitRun]  # by the names of GIT_COMMANDS; taken by the Project that uses them
    literals: frozenset[bytes] = frozenset()
    grep: GitRun | None = None

    @classmethod
    def start(cls, root: Path, literals: Iterable[bytes] = ()) -> Prefetch:
        root = root.resolve()
        wanted = frozenset(literals)
        grep = start_grep(root, wanted) if wanted else None  # the longest: first
        runs = {name: GitRun(arguments, root) for name, arguments in GIT_COMMANDS.items()}
        return cls(root, runs, wanted, grep)

    def search_only(self, literals: frozenset[bytes]) -> None:
        """What will really be searched for: the search started early is kept if it covers
        ``literals`` (one search serves every check), started again if it does not (a plugin's
        literals), stopped if nothing will be searched."""
        if not literals:
            self.drop_grep()
        elif not literals <= self.literals:
            self.drop_grep()
            self.literals = literals
            self.grep = start_grep(self.root, literals)

    def drop_grep(self) -> None:
        """Stop the search: no check that will run needs it."""
        if self.grep is not None:
            self.grep.kill()
            self.grep = None
            self.literals = frozenset()

    def close(self) -> None:
        for run in self.runs.values():
            run.kill()
        self.drop_grep()
