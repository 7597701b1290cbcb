"""What checks print while they run: kept apart from dsdone's own output.

A check must not print, but a plugin may (a debugging ``print``, a library that logs to
standard error). On standard output that would corrupt ``--format json``. Checks run in
threads at the same time, so ``contextlib.redirect_stdout`` (one global for the whole
process) cannot tell one check's output from another's, nor from the report. Instead, while
checks run, ``sys.stdout`` and ``sys.stderr`` are replaced by a router that looks at the
writing thread: a check's thread writes into that check's ``Printed``, any other thread writes
to the stream that was there before. The runner gives each result what its check printed, and
the CLI shows it on standard error, escaped.

A thread a check starts itself, and writes below Python (``os.write(1, ...)``, a subprocess,
C code), reach the file descriptors directly: the CLI points file descriptor 1 at standard
error while checks run (``cli.streams.stray_output_to_stderr``).

A check that outlives its timeout keeps running in its daemon thread: the router stays in
place until the last check thread ends, so that what such a check prints later never reaches
the report either.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from collections.abc import Iterator
from typing import Any, TextIO

# What is kept of one check's output; the rest is counted.
MAX_KEPT_CHARACTERS = 4000


class Printed:
    """What one check wrote to standard output or standard error, up to a bound."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._kept = 0
        self.dropped = 0  # characters written beyond MAX_KEPT_CHARACTERS
        self._lock = threading.Lock()

    def add(self, text: str) -> None:
        with self._lock:
            room = MAX_KEPT_CHARACTERS - self._kept
            if room > 0:
                self._parts.append(text[:room])
                self._kept += min(room, len(text))
            self.dropped += max(0, len(text) - max(room, 0))

    def text(self) -> str:
        """What was kept, and how much more there was."""
        with self._lock:
            kept = "".join(self._parts)
            dropped = self.dropped
        if dropped:
            kept += f"\n… and {dropped:,} more characters"
        return kept


class _Router(io.TextIOBase):
    """Stands in for ``sys.stdout`` or ``sys.stderr``: a write from a thread that runs a check
    goes to that check's ``Printed``, any other write to ``original``."""

    def __init__(self, original: TextIO | None, owner: _Capture) -> None:
        super().__init__()
        self.original = original
        self.owner = owner

    def write(self, text: str) -> int:
        printed = self.owner.printed_by_current_thread()
        if printed is not None:
            printed.add(str(text))
            return len(text)
        if self.original is None:
            return len(text)
        return self.original.write(text)

    def flush(self) -> None:
        if self.owner.printed_by_current_thread() is None and self.original is not None:
            self.original.flush()

    def isatty(self) -> bool:
        if self.owner.printed_by_current_thread() is not None or self.original is None:
            return False
        return self.original.isatty()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.original, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.original, "errors", None)

    def fileno(self) -> int:
        if self.original is None:
            raise io.UnsupportedOperation("fileno")
        return self.original.fileno()

    def __getattr__(self, name: str) -> Any:  # buffer, mode, name, ...
        return getattr(self.original, name)


class _Capture:
    """The routers and which thread writes into which ``Printed``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[int, Printed] = {}
        self._users = 0  # check runs in progress (``--all`` runs one after the other)
        self._stdout: _Router | None = None
        self._stderr: _Router | None = None

    def printed_by_current_thread(self) -> Printed | None:
        return self._threads.get(threading.get_ident())

    @contextlib.contextmanager
    def running_checks(self) -> Iterator[None]:
        """While checks run: the routers are in place (until the last check thread ends)."""
        with self._lock:
            self._users += 1
            self._install()
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                self._uninstall_if_unused()

    @contextlib.contextmanager
    def into(self, printed: Printed) -> Iterator[None]:
        """What the current thread (a check's) writes goes into ``printed``."""
        ident = threading.get_ident()
        with self._lock:
            self._threads[ident] = printed
        try:
            yield
        finally:
            with self._lock:
                self._threads.pop(ident, None)
                self._uninstall_if_unused()

    def _install(self) -> None:
        if self._stdout is None or sys.stdout is not self._stdout:
            self._stdout = _Router(sys.stdout, self)
            sys.stdout = self._stdout
        if self._stderr is None or sys.stderr is not self._stderr:
            self._stderr = _Router(sys.stderr, self)
            sys.stderr = self._stderr

    def _uninstall_if_unused(self) -> None:
        if self._users or self._threads:
            return  # a check still runs, past its timeout perhaps: keep its output apart
        # Only what is still ours is put back: a test's capture may have replaced it since.
        if self._stdout is not None and sys.stdout is self._stdout:
            sys.stdout = self._stdout.original
        if self._stderr is not None and sys.stderr is self._stderr:
            sys.stderr = self._stderr.original
        self._stdout = self._stderr = None


_CAPTURE = _Capture()
running_checks = _CAPTURE.running_checks
into = _CAPTURE.into
