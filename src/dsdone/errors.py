"""The one error type for what the user must fix, and where it is.

Everything dsdone reports to a person as "change this" is a ``DsdoneError``: the CLI prints its
message and hint without a traceback and exits with its code. Any other exception is a bug in
dsdone (or a plugin) and ends in exit 3. A problem in a file carries its ``Location`` as data,
formatted in one place (``Location.__str__``): the JSON report of a ``--all`` run places it as a
finding without reading it back out of the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class ExitCode:
    """The documented exit codes of every dsdone command."""

    READY = 0
    NOT_READY = 1
    USAGE = 2
    INTERNAL = 3


@dataclass(frozen=True)
class Location:
    """A place in a file: its path as shown to the user, and the 1-based line and column."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing the user must change, and where, when it is in a file."""

    message: str
    location: Location | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class GitError(Exception):
    """git could not answer (it failed, timed out or cannot be run); the message says why."""


class DsdoneError(Exception):
    """Bad input from the user: a missing or invalid contract, a bad argument, a bad path.

    ``DsdoneError(message, at=Location(...))`` is one problem; ``DsdoneError.of(problems)``
    several (every mistake of a contract at once)."""

    def __init__(
        self,
        message: str,
        *,
        at: Location | None = None,
        hint: str | None = None,
        exit_code: int = ExitCode.USAGE,
    ) -> None:
        self.problems: tuple[Problem, ...] = (Problem(message, at),)
        self.hint = hint
        self.exit_code = exit_code
        super().__init__(self.message)

    @classmethod
    def of(cls, problems: Iterable[Problem], *, hint: str | None = None) -> DsdoneError:
        found = tuple(problems)
        error = cls(found[0].message, at=found[0].location, hint=hint)
        error.problems = found
        error.args = (error.message,)
        return error

    @property
    def location(self) -> Location | None:
        """Where the first problem is, if it is in a file."""
        return self.problems[0].location

    @property
    def message(self) -> str:
        """Every problem, one a line, each after its location."""
        return "\n".join(str(problem) for problem in self.problems)

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n  hint: {self.hint}"
