"""Git commands that look at the project without changing it, started now and read later.

A check run needs a few git commands: ``ls-files`` for the file index, ``grep`` for the lines
checks search for. Started as soon as the project folder is known, they run on another core
while dsdone imports its modules and validates the contract. Their output goes to an anonymous
temporary file (outside the project, gone when closed), so that git never waits on a full pipe
while dsdone is busy elsewhere, and a large output is never held in memory twice.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

GIT_TIMEOUT_SECONDS = 120.0


def git_environment() -> dict[str, str]:
    """The environment for git commands that must not change the repository: a command that
    looks at the work tree may otherwise refresh ``.git/index`` on disk (an optional lock)."""
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}


class GitRun:
    """One git command, running in ``cwd`` from the moment it is made.

    ``wait()`` returns its exit status, with ``stdout`` ready to read from the start; it raises
    what ``subprocess.run`` would (``OSError`` when git cannot be started, ``TimeoutExpired``).
    ``kill()`` ends it and frees its output; a ``GitRun`` that is never waited for must be
    killed."""

    def __init__(self, args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> None:
        self.args = ["git", *args]
        # The subcommand, for messages: the first word that is not an option or its value.
        self.name = next(
            (a for i, a in enumerate(args) if not a.startswith("-") and args[i - 1 : i] != ["-c"]),
            "",
        )
        self.started = time.monotonic()
        self._completed: subprocess.CompletedProcess[bytes] | None = None
        # Closed by kill(): they outlive this call, so no context manager can hold them.
        self.stdout: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115
        self._stderr: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115
        self._lock = threading.Lock()
        self._returncode: int | None = None
        self._error: OSError | None = None
        source: BinaryIO | int = subprocess.DEVNULL
        if stdin is not None:
            source = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, once git has it
            source.write(stdin)
            source.seek(0)
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                self.args,
                cwd=cwd,
                stdin=source,
                stdout=self.stdout,
                stderr=self._stderr,
                env=git_environment(),
            )
        except OSError as exc:  # git is missing, or cannot be run
            self._process = None
            self._error = exc
        finally:
            if not isinstance(source, int):
                source.close()

    def wait(self, timeout: float = GIT_TIMEOUT_SECONDS) -> int:
        with self._lock:
            if self._error is not None:
                raise self._error
            if self._returncode is None:
                assert self._process is not None
                self._returncode = self._wait_at_most(self._process, timeout)
                self.stdout.seek(0)
            return self._returncode

    def _wait_at_most(self, process: subprocess.Popen[bytes], timeout: float) -> int:
        """``process.wait()``, killing the process ``timeout`` seconds after it started.

        Not ``process.wait(timeout)``: that polls, sleeping up to 50 ms between looks, which
        would add as much to every git command dsdone waits for. A timer kills it instead."""
        remaining = self.started + timeout - time.monotonic()
        timer = threading.Timer(max(remaining, 0.0), process.kill)
        timer.daemon = True  # an abandoned run must not keep dsdone alive
        timer.start()
        try:
            returncode = process.wait()
        finally:
            timer.cancel()
        if time.monotonic() - self.started >= timeout and returncode < 0:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return returncode

    def output(self, timeout: float = GIT_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[bytes]:
        """Wait, and read the whole output (for commands whose output is small; read once, so
        that several readers may ask)."""
        returncode = self.wait(timeout)
        with self._lock:
            if self._completed is None:
                self.stdout.seek(0)
                self._stderr.seek(0)
                self._completed = subprocess.CompletedProcess(
                    self.args, returncode, self.stdout.read(), self._stderr.read()
                )
            return self._completed

    def failure(self, completed: subprocess.CompletedProcess[bytes]) -> str:
        """What went wrong, in git's words, on one line."""
        text = " ".join(completed.stderr.decode("utf-8", "replace").split())
        return f"git {self.name} failed" + (f": {text}" if text else "")

    def kill(self) -> None:
        with self._lock:
            self._stop()
            self.stdout.close()
            self._stderr.close()

    def _stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
