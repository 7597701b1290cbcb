"""Facts about the project under check, computed lazily, once, and shared by every check.

A check never walks the file system or calls git itself: it asks the ``Project``. That is what
makes one pass over the file index serve all checks, and what keeps every read inside the
project folder (a path that escapes it, by ``..``, by being absolute or through a symbolic
link, is refused with ``OutsideProject``).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import itertools
import os
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO, Generic, TypeVar, overload

from dsdone.contract import Contract
from dsdone.fileindex import FileIndex, build_file_index, shown_name
from dsdone.git.command import GitRun
from dsdone.git.grep import FileLines, lines_holding, read_grep, start_grep
from dsdone.git.prefetch import GIT_COMMANDS, Prefetch
from dsdone.git.sizes import GitError, blobs_larger_than, staged_paths
from dsdone.git.state import GitState, read_git_state, with_changes
from dsdone.report import Finding
from dsdone.safe_read import open_regular, read_regular, read_text_source

if TYPE_CHECKING:
    import pathspec


T = TypeVar("T")


class fact(Generic[T]):  # lower case: it is used as a decorator, like cached_property
    """A property computed once per project, even when several checks (each in its own thread)
    ask for it at the same moment: the others wait for the first instead of computing it again.
    (``functools.cached_property`` does not lock since Python 3.12.)"""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__
        self.name = compute.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> fact[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | fact[T]:
        if instance is None:
            return self
        cache = instance.__dict__
        if self.name not in cache:
            # dict.setdefault is atomic: every thread gets the same lock for this fact.
            with cache.setdefault(f"_lock_{self.name}", threading.Lock()):
                if self.name not in cache:
                    cache[self.name] = self.compute(instance)
        value: T = cache[self.name]
        return value


class OutsideProject(ValueError):
    """A path from the contract or the repository points outside the project folder."""


class Project:
    """The project folder (where ``dsdone.yaml`` is), its contract, its files and its git state."""

    def __init__(self, root: Path, contract: Contract, prefetch: Prefetch | None = None) -> None:
        self.root = root.resolve()
        self.contract = contract
        self._root_prefix = str(self.root).rstrip(os.sep) + os.sep
        # Started for this folder, or of no use (a caller's mistake costs time, not results).
        self._prefetch = prefetch if prefetch is not None and prefetch.root == self.root else None
        self._runs: list[GitRun] = []  # searches started here, stopped by close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the git commands this project started (a check that timed out may have left
        one running) and free their output."""
        for run in self._runs:
            run.kill()
        if self._prefetch is not None:
            self._prefetch.close()

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    # -- files -------------------------------------------------------------------------------

    def _git_run(self, name: str) -> GitRun:
        """The git command ``GIT_COMMANDS[name]``: the prefetched one, or started now."""
        run = self._prefetch.runs.pop(name, None) if self._prefetch is not None else None
        if run is None:
            run = GitRun(GIT_COMMANDS[name], self.root)
            self._runs.append(run)
        return run

    @fact
    def index(self) -> FileIndex:
        return build_file_index(self.root, self._git_run("index"))

    @property
    def files(self) -> tuple[str, ...]:
        """Tracked and untracked-but-not-ignored files, relative, with forward slashes, sorted."""
        return self.index.files

    def is_tracked(self, path: str) -> bool:
        return path in self.index.tracked

    @fact
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.index.files)

    def is_indexed(self, path: str) -> bool:
        """Whether the file is part of the project (tracked, or untracked and not ignored)."""
        return path in self._file_set

    def glob(self, patterns: Iterable[str]) -> list[str]:
        """The indexed files matching any of the gitignore-style ``patterns``, sorted."""
        spec = compile_globs(tuple(patterns))
        return [path for path in self.files if spec.match_file(path)]

    @fact
    def folders(self) -> frozenset[str]:
        """Every folder that holds an indexed file (relative; the root is "")."""
        result = {""}
        for path in self.files:
            # String operations, not PurePosixPath: this runs over every file of the project.
            folder = path.rpartition("/")[0]
            while folder and folder not in result:
                result.add(folder)
                folder = folder.rpartition("/")[0]
        return frozenset(result)

    def grep(self, literals: Iterable[bytes]) -> Iterator[FileLines] | None:
        """The indexed files that hold any of ``literals``, each with the lines that do:
        tracked files in git's order (found by ``git grep``), then untracked ones (read here);
        binary files are left out. ``None`` when git cannot search here (outside a git work
        tree, or git fails): the caller then reads the files itself.

        Declare the literals in ``@check(grep=...)`` and the search starts, for every check at
        once, before the checks run."""
        if not self.index.in_git:
            return None
        wanted = frozenset(literals)
        if not wanted:
            return iter(())  # nothing to look for is found in no file
        prefetch = self._prefetch
        if prefetch is not None and prefetch.grep is not None and wanted <= prefetch.literals:
            run, extra = prefetch.grep, prefetch.literals - wanted
        else:
            run, extra = start_grep(self.root, wanted), frozenset()
            self._runs.append(run)
        found = read_grep(run)
        if found is None:
            return None
        return itertools.chain(
            self._indexed_hits(found, wanted if extra else None), self._untracked_hits(wanted)
        )

    def _indexed_hits(
        self, found: Iterator[FileLines], wanted: frozenset[bytes] | None
    ) -> Iterator[FileLines]:
        for hit in found:
            if hit.path not in self._file_set:
                continue  # a tracked link out of the project, a name that cannot be shown
            if wanted is not None:  # the search was for more literals than asked for
                lines = [line for line in hit.lines if any(w in line[1] for w in wanted)]
                if not lines:
                    continue
                hit = FileLines(hit.path, lines)
            yield hit

    def _untracked_hits(self, wanted: frozenset[bytes]) -> Iterator[FileLines]:
        tracked = self.index.tracked
        for path in self.index.files:
            if path in tracked:
                continue
            try:
                lines = lines_holding(self.read_bytes(path), wanted)
            except (OSError, OutsideProject):
                continue  # gone since the index was made
            if lines:
                yield FileLines(path, lines)

    def size(self, relative: str) -> int:
        """The file's size in bytes; ``OSError`` or ``OutsideProject`` as ``read_bytes``."""
        return os.stat(self.os_path(relative)).st_size  # noqa: PTH116 - no Path per file

    # -- reading -----------------------------------------------------------------------------

    def path(self, relative: str) -> Path:
        """The absolute path of ``relative``; ``OutsideProject`` if it leaves the project."""
        if relative in self._file_set:
            # The file index was built in this run and keeps only regular files inside the
            # project (links that leave it, loop or dangle are left out): no need to resolve
            # each of them again, which costs several system calls a file.
            return self.root / relative
        if not relative or PurePosixPath(relative).is_absolute() or _is_windows_absolute(relative):
            raise OutsideProject(f"{relative!r} is not a path relative to the project")
        candidate = self.root / relative
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop
            raise OutsideProject(f"{relative!r} cannot be resolved: {exc}") from None
        except ValueError:  # an embedded NUL byte: no file has such a name
            raise OutsideProject(f"{relative!r} is not a valid path") from None
        if resolved != self.root and self.root not in resolved.parents:
            raise OutsideProject(f"{relative!r} points outside the project folder")
        return candidate

    def exists(self, relative: str) -> bool:
        try:
            return self.path(relative).exists()
        except (OutsideProject, OSError):  # OSError: a folder on the way cannot be read
            return False

    def read_bytes(self, relative: str, limit: int | None = None) -> bytes:
        """The file's bytes, or its first ``limit`` bytes (not cached: for scanning many files
        once); ``OSError`` if it is not a regular file, ``OutsideProject`` if it is not in the
        project."""
        return read_regular(self.os_path(relative), limit, relative)

    def open(self, relative: str) -> BinaryIO:
        """The file opened for binary reading (for reading only its first bytes); ``OSError`` if
        it is not a regular file, ``OutsideProject`` if it is not in the project."""
        fd, _ = open_regular(self.os_path(relative), relative)
        # Only the open had to be non-blocking; reads of a regular file are plain reads.
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")

    def os_path(self, relative: str) -> str:
        """``path(relative)`` as a string (also for a tool that reads the file in another
        process): an indexed file costs one concatenation, not a ``Path`` (the hot path of every
        check that reads thousands of files); ``OutsideProject`` if it leaves the project."""
        if relative in self._file_set:
            return self._root_prefix + relative
        return str(self.path(relative))

    @functools.lru_cache(maxsize=256)  # noqa: B019 - a Project lives for one run
    def read_source(self, relative: str) -> bytes:
        """The bytes of a text file (cached); ``OSError`` also for a file larger than
        ``MAX_TEXT_BYTES``, which is data, not text to scan."""
        return read_text_source(self.os_path(relative), relative)

    def read_text(self, relative: str) -> str:
        """The file decoded as UTF-8 (its bytes are cached); raises ``UnicodeDecodeError`` or
        ``OSError`` (also for a file larger than ``MAX_TEXT_BYTES``)."""
        return self.read_source(relative).decode("utf-8-sig")

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def python_ast(self, relative: str) -> ast.Module:
        """The parsed module (cached); raises ``SyntaxError`` with the line where it fails, and
        ``UnicodeDecodeError`` or ``OSError`` as ``read_text`` does."""
        source = self.read_source(relative)
        if not source.isascii():
            source.decode("utf-8-sig")  # the same error as read_text for a file that is not UTF-8
        # Parsed from the bytes: decoding first would only have the parser encode them again.
        return ast.parse(source, filename=relative)

    @functools.lru_cache(maxsize=64)  # noqa: B019
    def notebook(self, relative: str) -> Any:
        """The notebook as an ``nbformat`` node (cached); raises ``ValueError`` if it is invalid."""
        import nbformat

        reads: Callable[..., Any] = nbformat.reads  # nbformat has no type hints
        try:
            return reads(self.read_text(relative), as_version=nbformat.NO_CONVERT)
        except UnicodeDecodeError:
            raise
        except Exception as exc:  # nbformat raises bare JSON and validation errors
            raise ValueError(f"not a valid notebook: {exc}") from None

    # -- git ---------------------------------------------------------------------------------

    @fact
    def git(self) -> GitState:
        state = read_git_state(self.root, self._git_run("state"))
        if state.commit is None or state.problem is not None:
            return state
        staged, problem = self._staged
        if problem is not None:
            return dataclasses.replace(state, problem=problem)
        # The index names an odd file (a control character, not UTF-8) as it would be shown;
        # so must the staged files be named, for one file to count once.
        shown = {shown_name(name.encode("utf-8", "surrogateescape")) for name in staged}
        return with_changes(state, len(self.index.changed | shown))

    @fact
    def _staged(self) -> tuple[frozenset[str], str | None]:
        """The files whose staged version differs from HEAD, or why git could not tell."""
        try:
            return staged_paths(self._git_run("staged")), None
        except (OSError, subprocess.TimeoutExpired, GitError) as exc:
            return frozenset(), str(exc)

    def blobs_larger_than(self, limit: int) -> dict[str, int]:
        """The project's files whose blob in git's index is larger than ``limit`` bytes, with
        their sizes (a Git LFS pointer is a small blob). Raises ``OSError``,
        ``subprocess.TimeoutExpired`` or ``dsdone.git.sizes.GitError`` when git cannot tell."""
        staged, problem = self._staged
        if problem is not None:
            raise GitError(problem)
        large = blobs_larger_than(self.root, limit, self._git_run("tree"), staged)
        # Only what the index keeps: a name that cannot be shown in a report is left out.
        return {path: size for path, size in large.items() if path in self.index.tracked}

    def committed_contents(self, paths: Iterable[str]) -> dict[str, bytes]:
        """What the last commit (HEAD) holds for each of ``paths``: a file HEAD does not have
        is left out, and so is every file before the first commit or when git cannot tell.
        One git call for all of them: ask for the few files that need it, not for each file."""
        if not self.index.in_git:
            return {}
        from dsdone.git.blobs import head_contents

        try:
            return head_contents(self.root, paths)
        except (OSError, subprocess.TimeoutExpired):
            return {}

    # -- the contract ------------------------------------------------------------------------

    @property
    def contract_path(self) -> str:
        """The contract's path relative to the project root."""
        return self.contract.path.relative_to(self.root).as_posix()

    def contract_finding(self, message: str, *at: str | int, hint: str | None = None) -> Finding:
        """A finding located at the value ``at`` (a path of keys and indexes) in the contract."""
        return Finding(message, path=self.contract_path, line=self.contract.line_of(*at), hint=hint)


@functools.lru_cache(maxsize=128)
def compile_globs(patterns: tuple[str, ...]) -> pathspec.PathSpec[Any]:
    """Gitignore-style globs: ``*.csv`` matches at any depth, ``data/*.csv`` is anchored."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _is_windows_absolute(path: str) -> bool:
    return (len(path) > 1 and path[1] == ":") or path.startswith("\\\\")
