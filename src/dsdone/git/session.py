"""Every git command dsdone starts in one folder: the guard computed once, one deadline for all.

A ``GitSession`` starts the guard's two commands as soon as it is made (they read the
configuration, and run nothing), and every later command of that folder with the environment
they lead to (``dsdone.git.guard``). Every command of the session ends by one deadline, counted
from the session's start: ``GIT_TIMEOUT_SECONDS``, or less when the run's ``--timeout`` says so
(``limit``); a command past it is killed and reported as not finished, so that a named pipe
where git expects a file cannot hold dsdone longer than the user allowed.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from dsdone.errors import GitError
from dsdone.git.command import GitRun
from dsdone.git.guard import (
    CONFIG_ARGUMENTS,
    WHERE_ARGUMENTS,
    GitRefused,
    guarded_environment,
    parse_config,
    parse_place,
    refusal,
    scan_environment,
)

# No git command of a run outlives this, whatever the checks' own timeouts.
GIT_TIMEOUT_SECONDS = 120.0
# Reading the configuration is reading a few small files: longer means git is blocked (an
# include of a named pipe), and no other command may start before it answers.
SCAN_TIMEOUT_SECONDS = 10.0


class _Deadline:
    """A time by which commands end: a timer kills those still running then."""

    def __init__(self, started: float, timeout: float) -> None:
        self.started = started
        self.timeout = timeout
        self._lock = threading.Lock()
        self._runs: list[GitRun] = []
        self._passed = False
        self._closed = False
        self._timer = self._arm()

    def _arm(self) -> threading.Timer:
        timer = threading.Timer(
            max(0.0, self.started + self.timeout - time.monotonic()), self._pass
        )
        timer.daemon = True  # a session nobody closed must not keep dsdone alive
        timer.start()
        return timer

    def add(self, run: GitRun) -> None:
        with self._lock:
            self._runs.append(run)
            passed, closed = self._passed, self._closed
        if closed:
            run.kill()
        elif passed:
            run.expire(self.timeout)

    def lower(self, timeout: float) -> None:
        with self._lock:
            if timeout >= self.timeout or self._passed or self._closed:
                return
            self.timeout = timeout
            self._timer.cancel()
            self._timer = self._arm()

    def _pass(self) -> None:
        with self._lock:
            self._passed = True
            runs = list(self._runs)
        for run in runs:
            run.expire(self.timeout)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._timer.cancel()
            runs, self._runs = self._runs, []
        for run in runs:
            run.kill()


class GitSession:
    """The git commands of one folder: the guard's, started now, and those ``run`` starts
    once they have answered, all ending by the session's deadline. Close it when done."""

    def __init__(self, folder: Path, timeout: float = GIT_TIMEOUT_SECONDS) -> None:
        self.folder = folder
        self._base = dict(os.environ)
        started = time.monotonic()
        self._deadline = _Deadline(started, timeout)
        self._scan_deadline = _Deadline(started, min(SCAN_TIMEOUT_SECONDS, timeout))
        scan = scan_environment(self._base)
        self._where = GitRun(WHERE_ARGUMENTS, folder, scan)
        self._config = GitRun(CONFIG_ARGUMENTS, folder, scan)
        self._scan_deadline.add(self._where)
        self._scan_deadline.add(self._config)
        self._reading = threading.Lock()  # held while one thread computes the environment
        self._environment: Mapping[str, str] | None = None
        self._refused: GitRefused | None = None

    @property
    def timeout(self) -> float:
        """The seconds, from the session's start, by which its commands end."""
        return self._deadline.timeout

    def limit(self, timeout: float) -> None:
        """End every command of the session ``timeout`` seconds after its start, if that is
        sooner than it was to."""
        self._deadline.lower(timeout)
        self._scan_deadline.lower(min(SCAN_TIMEOUT_SECONDS, timeout))

    def environment(self) -> Mapping[str, str]:
        """The guarded environment of the folder, once the configuration is read; raises
        ``GitRefused`` when git may not run here (git refuses the repository for its owner,
        or its configuration cannot be read safely)."""
        with self._reading:
            if self._environment is None and self._refused is None:
                try:
                    self._environment = self._read()
                except GitRefused as exc:
                    self._refused = exc
        if self._refused is not None:
            raise self._refused
        assert self._environment is not None
        return self._environment

    def run(
        self,
        args: Sequence[str],
        stdin: bytes | None = None,
        *,
        locale: Mapping[str, str] | None = None,
    ) -> GitRun:
        """``git ARGS`` in the folder, with the guarded environment, started now (once the
        configuration is read); ``GitRefused`` as ``environment``. ``locale``: variables of
        the ``LC_*`` family set for this command alone (``git grep``'s C locale)."""
        environment = self.environment()
        if locale:
            if any(not name.startswith("LC_") for name in locale):
                raise ValueError(f"not a locale variable: {sorted(locale)}")
            environment = {**environment, **locale}
        run = GitRun(args, self.folder, environment, stdin)
        self._deadline.add(run)
        return run

    def close(self) -> None:
        """Stop every command of the session and free its output."""
        self._scan_deadline.close()
        self._deadline.close()

    def _read(self) -> Mapping[str, str]:
        try:
            where, config = self._where.output(), self._config.output()
        except subprocess.TimeoutExpired as exc:
            raise GitRefused(
                f"git did not read the configuration of {self.folder} within {exc.timeout:g} s",
                hint="a configuration file, or a file one includes, is probably a named pipe "
                "or a device; `git config --show-origin --list` shows which files git reads",
            ) from None
        except OSError:
            # git cannot be started: no command will run, and each fails the way it is
            # reported where it is used ("the git executable was not found").
            return scan_environment(self._base)
        finally:
            self._scan_deadline.close()
        refused = refusal(where.stderr) or refusal(config.stderr)
        if refused is not None:
            raise refused
        if config.returncode not in (0, 1):  # 1: no entry at all
            if where.returncode == 0:
                raise GitRefused(
                    f"git cannot read the configuration of {self.folder}: "
                    f"{self._config.failure(config)}",
                    hint="fix the file git names",
                )
            # Not a repository git can use: every command fails as rev-parse did, before it
            # reads anything that could name a program, and is reported where it is used.
            return scan_environment(self._base)
        place = parse_place(self.folder, where.stdout)
        return guarded_environment(self._base, parse_config(config.stdout), place)


def run_git(args: Sequence[str], cwd: Path) -> str:
    """Run a git command in ``cwd``'s session to its end and return what it printed;
    ``GitError`` with git's message if it fails (or git refuses the repository)."""
    git = GitSession(cwd)
    try:
        run = git.run(args)
        completed = run.output()
    except (OSError, subprocess.TimeoutExpired, GitRefused) as exc:
        raise GitError(f"git {' '.join(args)}: {exc}") from None
    finally:
        git.close()
    if completed.returncode != 0:
        raise GitError(run.failure(completed))
    return completed.stdout.decode("utf-8", "surrogateescape")
