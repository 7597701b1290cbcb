"""Git commands that look at the project without changing it, started now and read later.

A check run needs a few git commands: ``ls-files`` for the file index, ``grep`` for the lines
checks search for. Started as soon as the project folder is known, they run on another core
while dsdone imports its modules and validates the contract. Their output goes to an anonymous
temporary file (outside the project, gone when closed), so that git never waits on a full pipe
while dsdone is busy elsewhere, and a large output is never held in memory.

Every command runs in the environment ``dsdone.git.guard`` computed for its folder (see
``dsdone.git.session``, the only place that starts one), and ends by its run's deadline: a
command git cannot finish (a named pipe where git expects a file) is killed, and whoever waits
for it gets ``subprocess.TimeoutExpired``.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, BinaryIO

GIT_TIMEOUT_SECONDS = 120.0
_CHUNK = 1024 * 1024


class _Output:
    """Where one of git's output streams goes: an anonymous temporary file, which git fills
    at its own pace; or, when no temporary file can be made (a machine without a writable
    temporary folder), memory that a thread fills from a pipe, so that git never blocks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._memory: bytearray | None = None
        self._drain: threading.Thread | None = None
        try:
            # Closed by close(): it outlives this call, so no context manager can hold it.
            self._file: BinaryIO | None = tempfile.TemporaryFile()  # noqa: SIM115
        except OSError:
            self._file = None
            self._memory = bytearray()

    @property
    def target(self) -> BinaryIO | int:
        return self._file if self._file is not None else subprocess.PIPE

    def attach(self, pipe: IO[bytes] | None) -> None:
        """Start filling memory from ``pipe`` (the process's end of ``target``)."""
        if self._memory is not None and pipe is not None:
            self._drain = threading.Thread(target=self._fill, args=(pipe,), daemon=True)
            self._drain.start()

    def _fill(self, pipe: IO[bytes]) -> None:
        assert self._memory is not None
        with pipe:
            while chunk := pipe.read(_CHUNK):
                self._memory += chunk

    def finish(self) -> None:
        """Wait until everything git wrote can be read (git has ended)."""
        if self._drain is not None:
            self._drain.join()

    def read_at(self, offset: int, size: int) -> bytes:
        if self._memory is not None:
            return bytes(self._memory[offset : offset + size])
        assert self._file is not None
        with self._lock:  # one position for every reader: seek and read together
            self._file.seek(offset)
            return self._file.read(size)

    def read_all(self) -> bytes:
        if self._memory is not None:
            return bytes(self._memory)
        assert self._file is not None
        with self._lock:
            self._file.seek(0)
            return self._file.read()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._memory = bytearray()


class GitRun:
    """One git command, running in ``cwd`` with ``environment`` from the moment it is made.

    ``wait()`` returns its exit status, after which ``read_at`` reads what git printed; it
    raises what ``subprocess.run`` would (``OSError`` when git cannot be started,
    ``TimeoutExpired`` when ``expire`` ended it). ``kill()`` ends it and frees its output; a
    ``GitRun`` that is never waited for must be killed."""

    def __init__(
        self,
        args: Sequence[str],
        cwd: Path,
        environment: Mapping[str, str],
        stdin: bytes | None = None,
    ) -> None:
        self.args = ["git", *args]
        # The subcommand, for messages: the first word that is not an option or its value.
        self.name = next(
            (a for i, a in enumerate(args) if not a.startswith("-") and args[i - 1 : i] != ["-c"]),
            "",
        )
        self._completed: subprocess.CompletedProcess[bytes] | None = None
        self._stdout = _Output()
        self._stderr = _Output()
        self._lock = threading.Lock()
        self._returncode: int | None = None
        self._error: OSError | None = None
        self._expired: float | None = None  # the timeout that ended it, if one did
        self._process: subprocess.Popen[bytes] | None = None
        self.closed = False  # killed, its output freed
        try:
            self._process = subprocess.Popen(
                self.args,
                cwd=cwd,
                stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                stdout=self._stdout.target,
                stderr=self._stderr.target,
                env=dict(environment),
            )
        except OSError as exc:  # git is missing, or cannot be run
            self._error = exc
            return
        self._stdout.attach(self._process.stdout)
        self._stderr.attach(self._process.stderr)
        if stdin is not None:
            # Written by a thread: a large input must not wait for git to read it.
            threading.Thread(target=_feed, args=(self._process.stdin, stdin), daemon=True).start()

    def expire(self, timeout: float) -> None:
        """End the command because its run's deadline, ``timeout`` seconds, has passed:
        whoever waits for it gets ``TimeoutExpired``. Takes no lock, so that it ends a command
        another thread is waiting for."""
        self._expired = timeout
        if self._process is not None:
            self._process.kill()  # nothing if it has ended

    def wait(self) -> int:
        with self._lock:
            if self._error is not None:
                raise self._error
            if self._returncode is None:
                assert self._process is not None
                # Not process.wait(timeout): that polls, sleeping up to 50 ms between looks,
                # which would add as much to every command; the deadline kills it instead.
                self._returncode = self._process.wait()
                self._stdout.finish()
                self._stderr.finish()
            returncode = self._returncode
        if self._expired is not None and returncode < 0:
            raise subprocess.TimeoutExpired(self.args, self._expired)
        return returncode

    def read_at(self, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes of what git printed, from ``offset`` (after ``wait()``)."""
        return self._stdout.read_at(offset, size)

    def errors(self) -> bytes:
        """What git printed on its standard error (after ``wait()``): warnings included, such
        as the files ``git grep`` could not read, which it skips with exit status 0."""
        return self._stderr.read_all()

    def output(self) -> subprocess.CompletedProcess[bytes]:
        """Wait, and read the whole output (for commands whose output is small; read once, so
        that several readers may ask)."""
        returncode = self.wait()
        with self._lock:
            if self._completed is None:
                self._completed = subprocess.CompletedProcess(
                    self.args, returncode, self._stdout.read_all(), self._stderr.read_all()
                )
            return self._completed

    def failure(self, completed: subprocess.CompletedProcess[bytes]) -> str:
        """What went wrong, in git's words, on one line."""
        text = " ".join(completed.stderr.decode("utf-8", "replace").split())
        return f"git {self.name} failed" + (f": {text}" if text else "")

    def kill(self) -> None:
        # Killed before the lock is taken: a thread waiting for the command holds it.
        if self._process is not None:
            self._process.kill()
        with self._lock:
            if self._process is not None:
                self._process.wait()
            self._stdout.close()
            self._stderr.close()
            self.closed = True


def _feed(pipe: IO[bytes] | None, data: bytes) -> None:
    if pipe is None:
        return
    try:
        with pipe:
            pipe.write(data)
    except OSError:  # git ended without reading it all: its exit status says why
        pass
