"""Work that may never return on hostile input, done where it can be stopped: a child process.

Each check runs in a thread, and a thread cannot be stopped. A check that loops in Python is
abandoned at its timeout (the interpreter switches threads, so the report goes on without it).
But a library that runs in C without releasing the interpreter's lock, such as ``re`` running a
regular expression a stranger wrote (a JSON Schema ``pattern``: ``^(a+)+$`` against forty
``a`` and a ``!``), stops every thread, the timeout's and Ctrl-C's included. Such work runs in
a child process instead: it is killed when the check's time is up, and when dsdone exits.

The runner says, per check thread, when that check's time is up (``set_deadline``); the child
is given what is left. Standard library only, so that the child starts quickly.
"""

from __future__ import annotations

import atexit
import importlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

# A child of a check run without a timeout (a plugin calling this outside the runner) still
# ends: this is the runner's own default.
_DEFAULT_SECONDS = 600.0

_local = threading.local()
_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()


class IsolatedFailure(Exception):
    """The child ran out of time, or failed; the message says which."""


def set_deadline(deadline: float | None) -> None:
    """When the check running in this thread must be done (``time.monotonic()``), or None."""
    _local.deadline = deadline


def remaining_seconds() -> float:
    """The time the check running in this thread has left."""
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return _DEFAULT_SECONDS
    return max(deadline - time.monotonic(), 0.0)


def run_isolated(target: str, request: Any) -> Any:
    """``target(request)`` (``"dsdone.module:function"``, a JSON value in and out), run in a
    child process that is killed when the calling check's time is up or dsdone exits.
    Raises ``IsolatedFailure`` when it does not answer."""
    if not target.startswith("dsdone."):
        raise ValueError(f"only dsdone's own functions run isolated, not {target!r}")
    if not sys.executable:
        raise IsolatedFailure("there is no Python executable to start a child process with")
    try:
        # default=str: a date that YAML read is sent as the text it was written as.
        payload = json.dumps({"target": target, "request": request}, default=str)
    except ValueError as exc:  # an integer too long to write out
        raise IsolatedFailure(f"the work cannot be sent to a child process: {exc}") from None
    # -I -S: no user environment, no site hooks; the parent's import path instead, so that
    # the child imports the same dsdone and the same libraries, however they were installed.
    paths = [str(Path(__file__).resolve().parents[1]), *(p for p in sys.path if p)]
    code = f"import sys; sys.path[:0] = {paths!r}; from dsdone import isolation; isolation.serve()"
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise IsolatedFailure(f"a child process could not be started: {exc}") from None
    with _children_lock:
        _children.add(process)
    seconds = remaining_seconds()
    try:
        out, err = process.communicate(payload.encode("utf-8"), timeout=seconds)
    except subprocess.TimeoutExpired:
        raise IsolatedFailure(f"did not finish within {seconds:g} s") from None
    finally:
        _end(process)
    if process.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise IsolatedFailure(f"the child process failed ({process.returncode}): {last[0]}")
    return json.loads(out)["answer"]


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    with _children_lock:
        _children.discard(process)


@atexit.register
def _end_all() -> None:
    """A check abandoned at its timeout, or a run ended by Ctrl-C, leaves no child behind."""
    with _children_lock:
        children = list(_children)
    for process in children:
        _end(process)


def serve() -> None:
    """The child: read the target and its request on standard input, answer on standard output."""
    message = json.loads(sys.stdin.buffer.read())
    module_name, _, function_name = str(message["target"]).partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    sys.stdout.write(json.dumps({"answer": function(message["request"])}))
    sys.stdout.flush()
