"""One command of the project, run to its end or to its timeout, and what it left behind.

A run gets a clean copy of the user's environment plus ``DSDONE=1``, writes no bytecode, starts
in its own process group (so a timeout or Ctrl-C stops everything it started, grandchildren
included), and its output is kept bounded: the last ``TAIL_BYTES`` of stdout and stderr
together, with the values of secret-looking environment variables masked.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

TAIL_BYTES = 16 * 1024
# Variables whose values are never written into a report, whatever a command prints.
_SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSW|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL", re.I
)
_MIN_MASKED_LENGTH = 4  # a two-letter value would mask every occurrence of those letters
# How long the process group gets to end after SIGTERM before SIGKILL.
_GRACE_SECONDS = 3.0


@dataclass(frozen=True)
class Completed:
    """What one command did."""

    command: tuple[str, ...]
    cwd: str
    exit_code: int | None  # None: it did not end by itself (timed out) or could not start
    duration_s: float
    timed_out: bool
    output_tail: str  # the end of stdout and stderr, interleaved, secrets masked
    signal: int | None = None  # the signal that killed it, when one did
    start_error: str | None = None  # why it could not be started (missing interpreter, ...)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


def run_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The user's environment as it is, plus what tells the project it runs under dsdone and
    keeps it from writing bytecode into the work tree."""
    environment = dict(os.environ)
    environment.update({"DSDONE": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    environment.update(extra or {})
    return environment


def mask_secrets(text: str, environment: Mapping[str, str]) -> str:
    """``text`` with the value of every secret-looking variable of ``environment`` replaced."""
    values = sorted(
        {
            value
            for name, value in environment.items()
            if _SECRET_NAME.search(name) and len(value) >= _MIN_MASKED_LENGTH
        },
        key=len,
        reverse=True,  # a value that contains another is masked whole
    )
    for value in values:
        text = text.replace(value, "***")
    return text


def run_command(
    command: Sequence[str],
    cwd: Path,
    *,
    timeout: float,
    environment: Mapping[str, str],
) -> Completed:
    """Run ``command`` in ``cwd`` to its end, or stop its whole process group at ``timeout``.

    Ctrl-C while it runs stops the group too and is raised again as ``KeyboardInterrupt``."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(
                list(command),
                cwd=cwd,
                env=dict(environment),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so the group can be stopped
            )
        except OSError as exc:
            return Completed(
                tuple(command),
                str(cwd),
                None,
                0.0,
                False,
                "",
                start_error=exc.strerror or str(exc),
            )
        timed_out = False
        try:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _stop_group(process)
        except KeyboardInterrupt:
            _stop_group(process)
            raise
        finally:
            _stop_group(process)  # what it left running in its group (a daemon, a server)
        duration = time.monotonic() - started
        tail = _tail(output, TAIL_BYTES).decode("utf-8", "replace")
    code = process.returncode
    killed_by = -code if code is not None and code < 0 else None
    return Completed(
        command=tuple(command),
        cwd=str(cwd),
        exit_code=None if timed_out else code,
        duration_s=round(duration, 3),
        timed_out=timed_out,
        output_tail=mask_secrets(tail, environment),
        signal=None if timed_out else killed_by,
    )


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL to whatever is left after a grace period."""
    try:
        group = os.getpgid(process.pid)
    except ProcessLookupError:
        group = process.pid  # the leader is gone; its group may still have members
    for sent, wait in ((signal.SIGTERM, _GRACE_SECONDS), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(group, sent)
        except (ProcessLookupError, PermissionError):
            break  # nothing is left in the group
        if _group_ends(process, group, wait):
            break
    if process.returncode is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=_GRACE_SECONDS)


def _group_ends(process: subprocess.Popen[bytes], group: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while True:
        process.poll()
        try:
            os.killpg(group, 0)
        except (ProcessLookupError, PermissionError):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _tail(file: IO[bytes], size: int) -> bytes:
    """The last ``size`` bytes of what was written to ``file``, from a line's start."""
    length = file.seek(0, os.SEEK_END)
    file.seek(max(0, length - size))
    data = file.read()
    if length > size:
        data = b"[... earlier output left out ...]\n" + data.split(b"\n", 1)[-1]
    return data
