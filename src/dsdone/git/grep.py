"""The lines of the project's files that hold one of some literal strings, found by git grep.

``git grep`` reads every file of the work tree once, in C, with a thread per core, and skips
binary files; dsdone then looks only at the lines it found, so that a check searching a large
repository for a few strings reads almost nothing itself.
"""

from __future__ import annotations

import bisect
import itertools
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from dsdone.git.anchors import anchored_pattern, escaped
from dsdone.git.command import GitRun
from dsdone.git.session import GitSession
from dsdone.safe_read import BINARY_PROBE_BYTES, MAX_TEXT_BYTES

_READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class FileLines:
    """The lines of one file that hold a literal: (1-based number, the line's bytes without
    its line break), in order. At most ``MAX_TEXT_BYTES`` of them are kept: beyond that (a
    file of millions of hits, a line of a gigabyte) ``complete`` is False, the last line kept
    may be cut short, and a reader that needs them all reads the file itself, in part."""

    path: str  # relative to the project folder, with forward slashes
    lines: list[tuple[int, bytes]]
    complete: bool = True


# The hits ``Found`` keeps parsed, in bytes of lines: beyond it (a repository whose files hold a
# literal on millions of lines) it reads them again from git's output at each use, as a search
# of one's own would, rather than hold them all.
FOUND_KEPT_BYTES = 64 * 1024 * 1024
_LINE_OVERHEAD = 64  # what Python adds to a line kept: its bytes object, number and tuple


@dataclass(frozen=True)
class Found:
    """Everything one search found, read once and kept (within ``FOUND_KEPT_BYTES``), for the
    folders of a repository that share it (``Repository.subfolder``) and for every check that
    searches: each takes the files below a folder, at the cost of their number rather than of
    everything found."""

    literals: frozenset[bytes]  # what the search looked for
    hits: Hits | None  # git's output, read again at each use when ``files`` is None
    files: list[FileLines] | None  # sorted by path; None when too many to keep
    warned: bool  # see ``Hits.warned``
    _paths: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_paths", [hit.path for hit in self.files or ()])

    @classmethod
    def read(
        cls,
        run: GitRun,
        literals: frozenset[bytes],
        restart: Callable[[list[str]], GitRun],
        known: Iterable[FileLines] = (),
    ) -> Found | None:
        """What the finished ``start_grep(..., literals)`` found, with the files ``known`` to
        hold them that it did not search (``dsdone.git.grep_cache``); ``None`` as
        ``read_grep``."""
        hits = read_grep(run, literals, restart)
        if hits is None:
            return None
        kept: list[FileLines] = []
        size = 0
        for hit in itertools.chain(hits, known):
            size += sum(len(line) + _LINE_OVERHEAD for _, line in hit.lines)
            if size > FOUND_KEPT_BYTES:
                if known:
                    return None  # not all of it could be read again from git's output
                return cls(literals, hits, None, hits.warned)
            kept.append(hit)
        return cls(literals, hits, sorted(kept, key=lambda hit: hit.path), hits.warned)

    @classmethod
    def of(cls, literals: frozenset[bytes], files: list[FileLines]) -> Found:
        """What the files ``files`` hold, all known without a search."""
        return cls(literals, None, sorted(files, key=lambda hit: hit.path), warned=False)

    def below(self, folder: str) -> Iterator[FileLines]:
        """The files below ``folder`` (relative, forward slashes; "" for all), their paths
        relative to it."""
        prefix = folder + "/" if folder else ""
        if self.files is None:
            assert self.hits is not None
            for hit in self.hits:
                if hit.path.startswith(prefix):
                    yield FileLines(hit.path[len(prefix) :], hit.lines, hit.complete)
            return
        if not folder:
            yield from self.files
            return
        start = bisect.bisect_left(self._paths, prefix)
        end = bisect.bisect_left(self._paths, prefix[:-1] + "0", start)  # "0" follows "/"
        for hit in self.files[start:end]:
            yield FileLines(hit.path[len(prefix) :], hit.lines, hit.complete)


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
    return [*arguments, "grep", "-I", "-n", "-z", *_pattern(literals)]


# One regular expression, the literals as its alternatives, not one -F pattern each: with
# several patterns git looks ahead, after every hit, for the next match of each pattern in the
# rest of the file, so a pattern a file lacks is searched for to its end again at every line: a
# notebook with 40,000 output lines under /home/ took git 13 s, and 200,000 lines would take
# hours. (-F with git's --max-count to bound that was tried too: 2x faster on the benchmark's
# synthetic files, 2-10x slower on real repositories with notebooks of megabytes.) Perl's
# engine (-P) where git has it, with each literal anchored at a rare character
# (``dsdone.git.anchors``); an extended one (-E, slower: a plain alternation) where git was
# built without it. The C locale (``GREP_LOCALE``, for this command alone): git's Perl engine
# then matches bytes, not UTF-8 characters; for ASCII literals the same lines, without
# decoding. A literal that is not ASCII goes to -E: git's Perl engine refuses a pattern that is
# not UTF-8, and matches UTF-8 by characters, not bytes.
_PERL, _EXTENDED = "-P", "-E"
GREP_LOCALE = {"LC_ALL": "C"}


def _pattern(literals: Iterable[bytes]) -> list[str]:
    """The engine option and ``-e PATTERN`` for lines holding any of ``literals``."""
    wanted = sorted(set(literals))
    if all(literal.isascii() for literal in wanted):
        return [_PERL, "-e", anchored_pattern(literal.decode("ascii") for literal in wanted)]
    return _extended(wanted)


def _extended(literals: Iterable[bytes]) -> list[str]:
    return [_EXTENDED, "-e", "|".join(escaped(os.fsdecode(literal)) for literal in literals)]


def _threads() -> int:
    """One thread fewer than the cores dsdone may use: git's default of one a core (or 8) would
    compete with dsdone's own work, which runs meanwhile, and on two cores a second thread
    costs git more CPU time in locks than it saves."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - 1)


def start_grep(git: GitSession, literals: Iterable[bytes], paths: Sequence[str] = ()) -> GitRun:
    """``git grep`` for ``literals`` in every tracked file, or (``paths``) in those alone."""
    arguments = with_paths(grep_arguments(literals), paths)
    return git.run(arguments, locale=GREP_LOCALE if _PERL in arguments else None)


def with_paths(arguments: list[str], paths: Sequence[str]) -> list[str]:
    """The search ``arguments`` (``grep_arguments``) limited to the files ``paths``, named as
    they are: no pattern in a file's name is a wildcard."""
    if not paths:
        return arguments
    return ["--literal-pathspecs", *arguments, "--", *paths]


def extended_grep_arguments(literals: Iterable[bytes]) -> list[str]:
    """``grep_arguments`` for a git built without Perl regular expressions."""
    arguments = grep_arguments(literals)
    return arguments[: arguments.index("-z") + 1] + _extended(sorted(set(literals)))


class Hits:
    """The hits of a finished search, file by file, read as they are iterated."""

    def __init__(self, run: GitRun) -> None:
        self.run = run

    def __iter__(self) -> Iterator[FileLines]:
        return _files(self.run)

    @property
    def warned(self) -> bool:
        """Whether git warned while searching: it skips a file it cannot read, with a warning
        (in the user's language) and exit status 0."""
        return bool(self.run.errors().strip())


def read_grep(
    run: GitRun, literals: Iterable[bytes], restart: Callable[[list[str]], GitRun]
) -> Hits | None:
    """The hits of a finished ``start_grep(..., literals)``, file by file, read as they are
    needed; ``None`` when git could not search (not a work tree, git missing or failing). A git
    built without Perl regular expressions refuses ``-P`` (exit 128): the same search is then
    started again with ``-E``, by ``restart`` (given the arguments after ``git``), in the
    user's locale, as before."""
    status = _status(run)
    if status == 128 and _PERL in run.args:
        run = restart(extended_grep_arguments(literals))
        status = _status(run)
    if status not in (0, 1):  # 1: no line matched
        return None
    return Hits(run)


def _status(run: GitRun) -> int | None:
    try:
        return run.wait()
    except (OSError, subprocess.TimeoutExpired):
        return None


def _files(run: GitRun) -> Iterator[FileLines]:
    """Group the records of the output by file (git writes each file's hits together), keeping
    at most ``MAX_TEXT_BYTES`` of lines a file."""
    current: FileLines | None = None
    kept = 0
    for path, number, line, whole in _records(run):
        if current is None or current.path != path:
            if current is not None:
                yield current
            current, kept = FileLines(path, []), 0
        if not current.complete:
            continue
        if kept + len(line) > MAX_TEXT_BYTES or not whole:
            current = FileLines(path, current.lines, complete=False)
            if kept + len(line) > MAX_TEXT_BYTES:
                continue
        current.lines.append((number, line))
        kept += len(line)
    if current is not None:
        yield current


def _records(run: GitRun) -> Iterator[tuple[str, int, bytes, bool]]:
    """``PATH\\0NUMBER\\0LINE\\n`` records, read in chunks from git's output file, with whether
    the line is whole. A path may hold a line break, a line may hold a NUL (after git's
    8,000-byte binary probe), but a path never holds a NUL and a line never a line break: so
    fields are split in that order. A line longer than ``MAX_TEXT_BYTES`` is cut there and the
    rest of it skipped as it is read, never held: a file of one line of a gigabyte costs no
    more memory than a short one."""
    offset = 0
    pending = b""
    skipping = False  # inside the rest of a line that was cut
    while True:
        chunk = run.read_at(offset, _READ_SIZE)
        offset += len(chunk)
        if not chunk:
            return
        if skipping:
            end = chunk.find(b"\n")
            if end < 0:
                continue
            chunk, skipping = chunk[end + 1 :], False
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
                True,
            )
            start = line_end + 1
        pending = data[start:]
        if len(pending) > MAX_TEXT_BYTES:  # one line longer than anything kept: cut it
            path_end = pending.find(b"\0")
            number_end = pending.find(b"\0", path_end + 1) if path_end >= 0 else -1
            if number_end < 0:
                return  # no path in ten megabytes: not git grep's output
            yield (
                os.fsdecode(pending[:path_end]),
                int(pending[path_end + 1 : number_end]),
                pending[number_end + 1 : number_end + 1 + MAX_TEXT_BYTES],
                False,
            )
            pending, skipping = b"", True


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
