"""The lines of the project's files that hold one of some literal strings, found by git grep.

``git grep`` reads every file of the work tree once, in C, with a thread per core, and skips
binary files; dsdone then looks only at the lines it found, so that a check searching a large
repository for a few strings reads almost nothing itself.
"""

from __future__ import annotations

import bisect
import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dsdone.git.command import GitRun
from dsdone.git.session import GitSession
from dsdone.safe_read import BINARY_PROBE_BYTES

_READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class FileLines:
    """The lines of one file that hold a literal: (1-based number, the line's bytes without
    its line break), in order."""

    path: str  # relative to the project folder, with forward slashes
    lines: list[tuple[int, bytes]]


@dataclass(frozen=True)
class Found:
    """Everything one search found, read once and kept, for the folders of a repository that
    share it (``Repository.subfolder``): each takes the files below it, at the cost of their
    number rather than of everything found."""

    literals: frozenset[bytes]  # what the search looked for
    files: list[FileLines]  # sorted by path
    _paths: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_paths", [hit.path for hit in self.files])

    @classmethod
    def read(cls, run: GitRun, literals: frozenset[bytes]) -> Found | None:
        """What the finished ``start_grep(..., literals)`` found; ``None`` as ``read_grep``."""
        found = read_grep(run)
        if found is None:
            return None
        return cls(literals, sorted(found, key=lambda hit: hit.path))

    def below(self, folder: str) -> Iterator[FileLines]:
        """The files below ``folder`` (relative, forward slashes; "" for all), their paths
        relative to it."""
        if not folder:
            yield from self.files
            return
        prefix = folder + "/"
        start = bisect.bisect_left(self._paths, prefix)
        end = bisect.bisect_left(self._paths, prefix[:-1] + "0", start)  # "0" follows "/"
        for hit in self.files[start:end]:
            yield FileLines(hit.path[len(prefix) :], hit.lines)


def grep_arguments(literals: Iterable[bytes]) -> list[str]:
    """``git grep`` for lines holding any of ``literals`` in the tracked files below the
    current folder, binary files (by git's rule and ``.gitattributes``) left out; each hit as
    ``PATH\\0NUMBER\\0LINE\\n``. Not ``--untracked``: with it git walks the folders instead of
    its index, and skips a tracked file that ``.gitignore`` matches (added with ``git add -f``);
    the few untracked files are searched by ``lines_holding``."""
    settings = {
        "grep.fullName": "false",  # names relative to the project folder, as the index has them
        "grep.column": "false",
        "grep.threads": str(_threads()),
        "color.grep": "never",
        "submodule.recurse": "false",  # submodules are not the project's files
    }
    arguments = [part for key, value in settings.items() for part in ("-c", f"{key}={value}")]
    arguments += ["grep", "-I", "-n", "-z", "-F"]
    return arguments + [f"-e{os.fsdecode(literal)}" for literal in sorted(set(literals))]


def _threads() -> int:
    """One thread fewer than the cores dsdone may use: git's default of one a core (or 8) would
    compete with dsdone's own work, which runs meanwhile, and on two cores a second thread
    costs git more CPU time in locks than it saves."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - 1)


def start_grep(git: GitSession, literals: Iterable[bytes]) -> GitRun:
    return git.run(grep_arguments(literals))


def read_grep(run: GitRun) -> Iterator[FileLines] | None:
    """The hits of a finished ``start_grep``, file by file, read as they are needed; ``None``
    when git could not search (not a work tree, git missing or failing)."""
    try:
        status = run.wait()
    except (OSError, subprocess.TimeoutExpired):
        return None
    if status not in (0, 1):  # 1: no line matched
        return None
    return _files(run)


def _files(run: GitRun) -> Iterator[FileLines]:
    """Group the records of the output by file (git writes each file's hits together)."""
    current: FileLines | None = None
    for path, number, line in _records(run):
        if current is None or current.path != path:
            if current is not None:
                yield current
            current = FileLines(path, [])
        current.lines.append((number, line))
    if current is not None:
        yield current


def _records(run: GitRun) -> Iterator[tuple[str, int, bytes]]:
    """``PATH\\0NUMBER\\0LINE\\n`` records, read in chunks from git's output file. A path may
    hold a line break, a line may hold a NUL (after git's 8,000-byte binary probe), but a path
    never holds a NUL and a line never a line break: so fields are split in that order."""
    offset = 0
    pending = b""
    while True:
        chunk = run.read_at(offset, _READ_SIZE)
        offset += len(chunk)
        data = pending + chunk if pending else chunk
        start = 0
        while True:
            path_end = data.find(b"\0", start)
            number_end = data.find(b"\0", path_end + 1) if path_end >= 0 else -1
            line_end = data.find(b"\n", number_end + 1) if number_end >= 0 else -1
            if line_end < 0:
                break
            yield (
                os.fsdecode(data[start:path_end]),
                int(data[path_end + 1 : number_end]),
                data[number_end + 1 : line_end],
            )
            start = line_end + 1
        pending = data[start:]
        if not chunk:
            return


def lines_holding(data: bytes, literals: Iterable[bytes]) -> list[tuple[int, bytes]]:
    """The lines of ``data`` that hold any of ``literals``, as ``git grep`` gives them: (1-based
    number, the line's bytes without its line break); none for binary data (git's rule)."""
    if b"\0" in data[:BINARY_PROBE_BYTES]:
        return []
    starts: set[int] = set()
    for literal in literals:
        found = data.find(literal)
        while found >= 0:
            starts.add(data.rfind(b"\n", 0, found) + 1)
            end = data.find(b"\n", found)
            if end < 0:
                break
            found = data.find(literal, end)
    lines: list[tuple[int, bytes]] = []
    number, counted_to = 1, 0
    for start in sorted(starts):
        number += data.count(b"\n", counted_to, start)
        counted_to = start
        end = data.find(b"\n", start)
        lines.append((number, data[start : len(data) if end < 0 else end]))
    return lines
