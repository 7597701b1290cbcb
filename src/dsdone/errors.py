"""The one error type for what the user must fix.

Everything dsdone reports to a person as "change this" is a ``DsdoneError``: the CLI prints its
message and hint without a traceback and exits with its code. Any other exception is a bug in
dsdone (or a plugin) and ends in exit 3.
"""

from __future__ import annotations


class ExitCode:
    """The documented exit codes of every dsdone command."""

    READY = 0
    NOT_READY = 1
    USAGE = 2
    INTERNAL = 3


class GitError(Exception):
    """git could not answer (it failed, timed out or cannot be run); the message says why."""


class DsdoneError(Exception):
    """Bad input from the user: a missing or invalid contract, a bad argument, a bad path."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = ExitCode.USAGE):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n  hint: {self.hint}"
