"""The repository model: a folder's files, safe reads and git facts, computed once and shared.

A check never walks the file system or calls git itself: it asks the ``Project`` (a
``Repository`` with its contract), and ``init --existing`` asks the ``Repository``. That is
what makes one pass over the file index serve everyone, and what keeps every read inside the
folder (a path that escapes it, by ``..``, by being absolute or through a symbolic link, is
refused with ``OutsideProject``; a named pipe or a device is never opened).
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import errno
import functools
import itertools
import os
import posixpath
import re
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from dsdone.errors import GitError, Location, Problem
from dsdone.fileindex import FileIndex, build_file_index, shown_name
from dsdone.git.blobs import head_contents
from dsdone.git.command import GitRun
from dsdone.git.grep import FileLines, Found, lines_holding, read_grep
from dsdone.git.grep_cache import GrepCache, search_tracked
from dsdone.git.origin import read_commit_date, read_origin, repository_name
from dsdone.git.prefetch import Prefetch
from dsdone.git.revision import Revision, read_at, resolve_revision
from dsdone.git.running import GitCommands
from dsdone.git.sizes import blobs_larger_than, read_tree, staged_paths
from dsdone.git.state import GitState, read_git_state, with_changes
from dsdone.globs import compile_globs
from dsdone.memo import BoundedCache
from dsdone.parsed import Parsed, parse
from dsdone.pysource import parse_python
from dsdone.report import RepositoryInfo
from dsdone.result_cache import FileResults, ResultCache
from dsdone.safe_read import (
    BINARY_PROBE_BYTES,
    MAX_PYTHON_BYTES,
    MAX_TEXT_BYTES,
    open_regular,
    read_python_source,
    read_regular,
    read_text_source,
    too_large,
)

T = TypeVar("T")
S = TypeVar("S")
P = ParamSpec("P")
_MB = 1024 * 1024


class fact(Generic[T]):  # lower case: it is used as a decorator, like cached_property
    """A property computed once per project, even when several checks (on lanes of their own,
    see ``dsdone.runner``) ask for it at the same moment: the others wait for the first
    instead of computing it again. (``functools.cached_property`` does not lock since 3.12.)"""

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


def memo(maxsize: int) -> Callable[[Callable[Concatenate[S, P], T]], _Memo[S, P, T]]:
    """Keep the results of a method, the last ``maxsize`` of them, in the instance that
    computed them, and drop them with it. ``functools.lru_cache`` on a method keeps one cache
    for the class, whose keys hold every instance it saw: ``--all`` would keep every project's
    files and parsed trees until the end of the run. Nothing here refers back to the instance,
    so that it is freed as soon as it is done with, not at the next garbage collection."""
    return lambda method: _Memo(method, maxsize)


class _Memo(Generic[S, P, T]):
    def __init__(self, method: Callable[Concatenate[S, P], T], maxsize: int) -> None:
        self.method = method
        self.maxsize = maxsize
        self.key = f"_memo_{method.__name__}"
        self.__doc__ = method.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = f"_memo_{name}"

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _Memo[S, P, T]: ...
    @overload
    def __get__(self, instance: S, owner: type | None = None) -> Callable[P, T]: ...
    def __get__(self, instance: S | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return functools.partial(self._call, instance)

    def _call(self, instance: S, *args: P.args, **kwargs: P.kwargs) -> T:
        # dict.setdefault is atomic: every thread gets the same cache and lock.
        lock, kept = instance.__dict__.setdefault(self.key, (threading.Lock(), OrderedDict()))
        key = (args, tuple(kwargs.items()))
        with lock:
            if key in kept:
                kept.move_to_end(key)
                value: T = kept[key]
                return value
        value = self.method(instance, *args, **kwargs)  # unlocked: two threads may both compute
        with lock:
            kept[key] = value
            if len(kept) > self.maxsize:
                kept.popitem(last=False)
        return value


class OutsideProject(ValueError):
    """A path from the contract or the repository points outside the project folder."""


class PathStatus(enum.Enum):
    """What a path the contract or a tool names is, as git and a fresh clone see it."""

    TRACKED = "tracked"  # committed, or staged to be
    UNTRACKED = "untracked"  # a file of the project that git does not track yet
    FOLDER = "folder"  # a folder that holds files of the project
    IGNORED = "ignored"  # on disk, but a .gitignore rule keeps it out of git
    MISSING = "missing"
    OUTSIDE = "outside"  # leaves the project folder (``..``, absolute, a link out)

    @property
    def in_clone(self) -> bool:
        """Whether a fresh clone of the repository has it (once what is staged is committed)."""
        return self in (PathStatus.TRACKED, PathStatus.FOLDER)

    @property
    def phrase(self) -> str | None:
        """What is wrong for a fresh clone, as a verb phrase ("is ignored by git, so ..."),
        the one wording every message uses; None if nothing is."""
        return _PATH_PROBLEMS.get(self)

    def problem(self, path: str) -> str | None:
        """``path`` and what is wrong with it: "data.csv does not exist"; None if nothing."""
        return None if self.phrase is None else f"{path} {self.phrase}"

    def fix(self, path: str) -> str | None:
        """How to fix ``problem(path)``, as a hint."""
        wording = _PATH_FIXES.get(self)
        return None if wording is None else wording.format(path=path)


_PATH_PROBLEMS = {
    PathStatus.UNTRACKED: "is not tracked by git",
    PathStatus.IGNORED: "is ignored by git, so a fresh clone does not have it",
    PathStatus.MISSING: "does not exist",
    PathStatus.OUTSIDE: "points outside the project folder",
}
_PATH_FIXES = {
    PathStatus.UNTRACKED: "run `git add {path}` and commit it",
    PathStatus.IGNORED: "`git check-ignore -v {path}` shows the .gitignore rule; remove it or "
    "add `!{path}` after it, then `git add {path}` and commit",
    PathStatus.MISSING: "check the spelling, or commit the file",
    PathStatus.OUTSIDE: "name a path relative to the project folder, without `..`",
}


class Repository:
    """A folder's files and what git says about them, computed lazily, once, and shared.

    Contract-free: ``dsdone check`` sees it through a ``Project`` (repository + contract), and
    ``dsdone init --existing`` reads the repository it adopts through it, so both count, read
    and refuse the same files the same way. ``dsdone check --all`` opens one for the folder it
    searches and sees each project through a ``subfolder`` of it.
    """

    def __init__(
        self,
        root: Path,
        *,
        early: Prefetch | None = None,
        within: tuple[Repository, str] | None = None,
    ) -> None:
        self.root = root.resolve()
        self._root_prefix = str(self.root).rstrip(os.sep) + os.sep
        if early is not None and early.root != self.root:
            early.close()  # started for another folder (a guess that was wrong): of no use
            early = None
        # The repository this one is a folder of, and the folder, when its git facts are that
        # one's (see ``subfolder``); None when they are its own.
        self._within = within
        self._large: dict[int, dict[str, int]] = {}  # blobs larger than a limit, by limit
        self._large_lock = threading.Lock()
        # One object, shared with the Project made from this repository: closing either
        # stops every git command either started. A subfolder's session is made only when it
        # starts a command of its own (most never do): the guard's two commands for each
        # project of a monorepo would cost more than the one git ls-files they share.
        self._git_commands = GitCommands(self.root, early, lazy=within is not None)
        # Where analyses of file contents are kept between runs (``dsdone.result_cache``);
        # None: nowhere. ``dsdone check`` sets it; a repository read by ``init`` keeps none.
        self.cache_folder: Path | None = None
        # What the readers below computed, shared the same way, each within a byte budget
        # (of the text it was made from): a repository of large files cannot fill memory.
        # Kept in the instance, so dropped with it: a project of --all frees its own.
        self._sources: BoundedCache[str, bytes] = BoundedCache(64 * _MB)
        self._trees: BoundedCache[str, ast.Module] = BoundedCache(MAX_PYTHON_BYTES)
        self._parsed: BoundedCache[str, Parsed] = BoundedCache(4 * _MB)
        self._notebooks: BoundedCache[str, Any] = BoundedCache(16 * _MB)

    @classmethod
    def start(
        cls,
        root: Path,
        *,
        search: Iterable[bytes] = (),
        early: Prefetch | None = None,
        cache_folder: Path | None = None,
    ) -> Self:
        """The repository with the git commands a check run needs already started, and a search
        for the ``search`` literals (or those ``early`` started for this folder before dsdone
        was fully loaded): git lists and searches the files on another core while the caller
        loads the contract and the checks. ``cache_folder``: where what the search found is
        kept between runs (``dsdone.git.grep_cache``); None: nowhere."""
        root = root.resolve()
        if early is None or early.root != root:
            if early is not None:
                early.close()
            early = Prefetch.start(root, search, cache_folder)
        early.cache_folder = cache_folder  # the run's choice, whatever the early guess was
        return cls(root, early=early)

    def subfolder(self, folder: str) -> Repository:
        """The repository of ``folder`` (relative to this one's root, with forward slashes; ""
        for the root itself), sharing this one's git work: its file index, git state, staged
        files, blob sizes and the search started early are this repository's, computed once
        and narrowed to ``folder``. A hundred projects of a monorepo then cost one ``git
        ls-files`` and one ``git grep``, not a hundred of each.

        It answers as a repository opened at ``folder`` would: its paths are relative to
        ``folder``, every read stays inside it (a link that leaves it is not one of its files),
        and it computes the rest itself. Only for a repository in git (``index.in_git``):
        outside git the ``.gitignore`` files above ``folder`` would count here and not in a
        repository opened at ``folder``."""
        return Repository(self.root / folder, within=(self, folder))

    def expect_searches(self, literals: Iterable[bytes]) -> None:
        """The literals the checks that will run search for (``@check(grep=...)``): the early
        search is kept if it covers them, started again if it does not, stopped if nothing
        will be searched."""
        self._git_commands.expect_searches(literals)

    def limit_git(self, timeout: float) -> None:
        """End git's commands ``timeout`` seconds after they started, if that is sooner: the
        run's timeout (a check that waits for git longer than its own timeout is reported as
        not finished anyway, and dsdone would wait for git after the report)."""
        self._git_commands.limit(timeout)

    def check_git_access(self) -> None:
        """Raise ``GitRefused`` (exit 2) when git may not run here: it refuses the repository
        for its owner, or the repository's configuration cannot be read safely. Waits for
        the guard's own commands (a few milliseconds). A subfolder asks the repository it is a
        folder of: the same work tree, the same configuration."""
        if self._within is not None:
            self._within[0].check_git_access()
            return
        self._git_commands.check_access()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the git commands this project started (a check that timed out may have left
        one running) and free their output. Afterwards no git command starts: a check
        abandoned at its timeout that asks for one gets ``GitError``."""
        self._git_commands.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.root)!r})"

    # -- files -------------------------------------------------------------------------------

    def _git_run(self, name: str) -> GitRun:
        """The git command ``GIT_COMMANDS[name]``: the prefetched one, or started now."""
        return self._git_commands.take(name)

    @fact
    def index(self) -> FileIndex:
        if self._within is not None:
            parent, folder = self._within
            return parent.index.below(folder, self.root)
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

    def with_suffix(self, suffix: str) -> tuple[str, ...]:
        """The indexed files whose name ends with ``suffix`` (a dot and lower-case letters,
        ``".ipynb"``), whatever its case, in the index's order: a name that is only the suffix
        (``.ipynb``) included. One pass over the index serves every check that picks files
        by their suffix, instead of one loop in Python over 20,000 names each."""
        return self.by_suffix.get(suffix, ())

    @fact
    def by_suffix(self) -> dict[str, tuple[str, ...]]:
        """The indexed files by the lower-cased suffix of their name (``by_suffix_of``)."""
        return by_suffix_of(self.files)

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
        searched = self._search(wanted)
        if searched is None:
            return None
        found, extra, warned = searched
        return itertools.chain(
            self._indexed_hits(found, wanted if extra else None),
            self._unread_by_git() if warned else (),
            self._untracked_hits(wanted),
        )

    def _search(self, wanted: frozenset[bytes]) -> tuple[Iterable[FileLines], bool, bool] | None:
        """What ``git grep`` finds for ``wanted`` in the tracked files, whether the search
        looked for more, and whether git warned (``Hits.warned``); ``None`` when git cannot
        search. The search started early if it covers ``wanted`` (the repository's, in a
        ``subfolder``), else one started now."""
        owner, folder = self._within if self._within is not None else (self, "")
        early = owner._found_early
        if early is not None and wanted <= early[0]:
            literals, shared = early
            if shared is None:
                return None
            return shared.below(folder), literals != wanted, shared.warned
        hits = read_grep(
            self._git_commands.search(wanted), wanted, restart=self._git_commands.start
        )
        return None if hits is None else (hits, False, hits.warned)

    @fact
    def _found_early(self) -> tuple[frozenset[bytes], Found | None] | None:
        """The literals the search started early looked for, and what it found, read once
        for every ``subfolder`` and every check (parsing it again for each of secrets,
        personal-paths, logging and model-tracking cost more than the search); ``None``
        without one; ``Found`` is ``None`` when git could not search. With a cache folder,
        what it found in each unchanged file is kept for the next run, which searches only
        the files that changed (``dsdone.git.grep_cache``)."""
        early = self._git_commands.early_search()
        if early is None:
            return None
        run, literals, cache_folder = early
        cache = None
        if cache_folder is not None and self.index.in_git:
            attributes = [
                path
                for path in self.with_suffix(".gitattributes")
                if path.rpartition("/")[2] == ".gitattributes"
            ]
            cache = GrepCache(cache_folder, self.root, literals, self.index, attributes)
        return literals, search_tracked(literals, run, cache, self._git_commands)

    def _unread_by_git(self) -> Iterator[FileLines]:
        """The tracked files git grep could not read (it warns and skips them, exit status 0),
        each as not searched (``complete=False``): whoever asked reads them, and learns why.
        Looked for only when git warned: one access check a file is not free."""
        effective = os.access in os.supports_effective_ids
        for path in self.index.files:
            if path in self.index.tracked and not os.access(
                self._root_prefix + path, os.R_OK, effective_ids=effective
            ):
                yield FileLines(path, [], complete=False)

    def _indexed_hits(
        self, found: Iterable[FileLines], wanted: frozenset[bytes] | None
    ) -> Iterator[FileLines]:
        # One regular expression for the literals asked for: its search runs in C, where a
        # test of each literal in each line would run in Python.
        holds = _any_of(wanted) if wanted is not None else None
        for hit in found:
            if hit.path not in self._file_set:
                continue  # a tracked link out of the project, a name that cannot be shown
            if holds is not None:  # the search was for more literals than asked for
                lines = [line for line in hit.lines if holds(line[1])]
                if not lines and hit.complete:
                    continue
                hit = FileLines(hit.path, lines, hit.complete)
            yield hit

    @fact
    def _untracked(self) -> tuple[str, ...]:
        """The indexed files git does not track, in order: found once for every search."""
        tracked = self.index.tracked
        return tuple(path for path in self.index.files if path not in tracked)

    def _untracked_hits(self, wanted: frozenset[bytes]) -> Iterator[FileLines]:
        """The untracked files searched here, as git grep would: binary files left out, and
        only the first ``MAX_TEXT_BYTES`` of a larger file (marked incomplete)."""
        for path in self._untracked:
            try:
                data = self.read_bytes(path, MAX_TEXT_BYTES + 1)
            except FileNotFoundError:
                continue  # gone since the index was made
            except (OSError, OutsideProject):
                yield FileLines(path, [], complete=False)  # whoever asked learns why
                continue
            complete = len(data) <= MAX_TEXT_BYTES
            if b"\0" in data[:BINARY_PROBE_BYTES]:
                continue
            lines = lines_holding(data[:MAX_TEXT_BYTES], wanted)
            if lines or not complete:
                yield FileLines(path, lines, complete)

    def file_results(self, kind: str, code: str, settings: Iterable[str]) -> FileResults:
        """What the analysis ``kind`` (made by the code ``code`` says, with ``settings``) learnt
        from each unchanged tracked file in an earlier run, kept in the cache folder
        (``dsdone.result_cache``); nothing is kept without one."""
        cache = ResultCache(self.cache_folder, kind, self.root, code)
        return FileResults(cache, self.index.blobs, settings)

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

    def status(self, relative: str) -> PathStatus:
        """Whether ``relative`` is tracked, a file git does not track yet, a folder of the
        project, ignored, missing, or outside the project: the one answer every check and
        ``init --existing`` give. Outside git nothing is tracked."""
        try:
            self.path(relative)
        except OutsideProject:
            return PathStatus.OUTSIDE
        clean = posixpath.normpath(relative.replace("\\", "/")).strip("/")
        if clean in self.index.tracked:
            return PathStatus.TRACKED
        if clean in self._file_set:
            return PathStatus.UNTRACKED
        if clean in self.folders and clean not in ("", "."):
            return PathStatus.FOLDER
        if self.exists(clean):
            return PathStatus.IGNORED
        return PathStatus.MISSING

    def exists(self, relative: str) -> bool:
        try:
            return self.path(relative).exists()
        except (OutsideProject, OSError):  # OSError: a folder on the way cannot be read
            return False

    def read_bytes(self, relative: str, limit: int | None = None) -> bytes:
        """The file's bytes, or its first ``limit`` bytes (not cached: for scanning many files
        once); ``OSError`` if it is not a regular file, or (without ``limit``) if it is larger
        than ``MAX_TEXT_BYTES``; ``OutsideProject`` if it is not in the project. Read a larger
        file in parts with ``open``."""
        if limit is None:
            data = read_regular(self.os_path(relative), MAX_TEXT_BYTES + 1, relative)
            if len(data) > MAX_TEXT_BYTES:
                raise too_large(MAX_TEXT_BYTES, "too large to read whole", relative)
            return data
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

    def read_source(self, relative: str) -> bytes:
        """The bytes of a text file (cached); ``OSError`` also for a file larger than
        ``MAX_TEXT_BYTES``, which is data, not text to scan."""

        def read() -> tuple[bytes, int]:
            data = read_text_source(self.os_path(relative), relative)
            return data, len(data)

        return self._sources.get(relative, read)

    def read_text(self, relative: str) -> str:
        """The file decoded as UTF-8 (its bytes are cached); raises ``UnicodeDecodeError`` or
        ``OSError`` (also for a file larger than ``MAX_TEXT_BYTES``)."""
        return self.read_source(relative).decode("utf-8-sig")

    def python_ast(self, relative: str) -> ast.Module:
        """The parsed module (cached); raises ``SyntaxError`` with the line where it fails,
        ``UnicodeDecodeError`` or ``OSError`` as ``read_text`` does, and ``OSError`` for a file
        larger than ``MAX_PYTHON_BYTES``: generated data, whose syntax tree would take
        gigabytes."""

        def parse() -> tuple[ast.Module, int]:
            source = read_python_source(self.os_path(relative), relative)
            if not source.isascii():
                source.decode("utf-8-sig")  # the same error as read_text for a file not UTF-8
            # Parsed from the bytes: decoding first would only have the parser encode them.
            return parse_python(source, relative), len(source)

        return self._trees.get(relative, parse)

    def parsed(self, relative: str) -> Parsed:
        """The YAML, JSON or TOML file parsed (cached), with the line of each value; never
        raises: a file that cannot be read or parsed has a ``problem`` at its place."""

        def read_and_parse() -> tuple[Parsed, int]:
            try:
                text = self.read_text(relative)
            except (OSError, OutsideProject) as exc:
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else None
                words = f"cannot be read ({why})" if why else "cannot be read"
                return Parsed(relative, problem=Problem(words, Location(relative))), 0
            except UnicodeDecodeError as exc:
                words = f"not valid UTF-8 (byte {exc.start})"
                return Parsed(relative, problem=Problem(words, Location(relative))), 0
            return parse(relative, text), len(text)

        return self._parsed.get(relative, read_and_parse)

    def notebook(self, relative: str) -> Any:
        """The notebook as an ``nbformat`` node (cached); raises ``ValueError`` if it is invalid."""

        def read() -> tuple[Any, int]:
            import nbformat

            reads: Callable[..., Any] = nbformat.reads  # nbformat has no type hints
            text = self.read_text(relative)
            try:
                return reads(text, as_version=nbformat.NO_CONVERT), len(text)
            except Exception as exc:  # nbformat raises bare JSON and validation errors
                import json

                from dsdone.parse_errors import describe

                # Their text quotes the notebook (a cell, an output), which may hold a secret.
                if isinstance(exc, json.JSONDecodeError):
                    failure = describe(exc)
                    raise ValueError(
                        f"not a valid notebook: {failure.what} (line {failure.line})"
                    ) from None
                raise ValueError(f"not a valid notebook ({type(exc).__name__})") from None

        return self._notebooks.get(relative, read)

    # -- git ---------------------------------------------------------------------------------

    @fact
    def head(self) -> GitState:
        """Where the work tree is and what is checked out, without counting changes (which
        costs the file index): what a report says it describes (its ``commit``), read before
        any check starts; the same for every folder of the repository."""
        if self._within is not None:
            return self._within[0].head
        return read_git_state(self._git_run("state"))

    @fact
    def git(self) -> GitState:
        state = self.head
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
    def identity(self) -> RepositoryInfo | None:
        """The repository as a catalogue of many names it: the remote's URL (without
        credentials) and a name; None outside git."""
        if self._within is not None:
            return self._within[0].identity
        work_tree = self.head.work_tree
        if work_tree is None:
            return None
        url = read_origin(self._git_run("origin"))
        return RepositoryInfo(repository_name(url, work_tree), url)

    @fact
    def commit_date(self) -> str | None:
        """The committer date of HEAD, ISO 8601; None outside git or before the first
        commit."""
        if self._within is not None:
            return self._within[0].commit_date
        if self.head.commit is None:
            return None
        return read_commit_date(self._git_run("head"))

    @fact
    def _staged(self) -> tuple[frozenset[str], str | None]:
        """The files whose staged version differs from HEAD, or why git could not tell."""
        if self._within is not None:
            parent, folder = self._within
            staged, problem = parent._staged
            prefix = f"{folder}/" if folder else ""
            below = (path[len(prefix) :] for path in staged if path.startswith(prefix))
            return frozenset(below), problem
        try:
            return staged_paths(self._git_run("staged")), None
        except (OSError, subprocess.TimeoutExpired, GitError) as exc:
            return frozenset(), str(exc)

    @fact
    def _tree(self) -> tuple[bytes | None, str | None]:
        """HEAD's tree with the size of each blob (``None`` without a commit), or why git could
        not list it."""
        try:
            return read_tree(self._git_run("tree")), None
        except (OSError, subprocess.TimeoutExpired, GitError) as exc:
            return None, str(exc)

    # -- the enclosing repository ------------------------------------------------------------
    # A project may be a folder of a larger repository (a monorepo), while some files that
    # decide how it is built and gated are only ever looked for at the repository's top: CI
    # configuration (GitHub reads .github/workflows/ there and nowhere else), the lock file of
    # a uv workspace. These three methods reach them, and nothing else above the project: a
    # path is taken relative to the work tree's top, must stay inside it (links included), and
    # only a regular file is read, as a text file is. Inside the project folder they answer
    # from the file index like every other read, so an ignored file is not there.

    @fact
    def repository_folder(self) -> str | None:
        """The project folder relative to the top of its git work tree ("" at the top, forward
        slashes); ``None`` outside a work tree."""
        work_tree = self.head.work_tree
        if work_tree is None:
            return None
        try:
            relative = self.root.relative_to(work_tree.resolve()).as_posix()
        except (OSError, ValueError):
            return None
        return "" if relative == "." else relative

    def _repository_path(self, relative: str) -> tuple[str | None, str]:
        """``relative`` (from the work tree's top) as a path of the project, if it is in it,
        and as an absolute path on disk that stays inside the work tree (``OutsideProject``)."""
        folder = self.repository_folder
        if folder is None:
            raise OutsideProject("the project is not inside a git work tree")
        clean = PurePosixPath(relative.replace("\\", "/"))
        if clean.is_absolute() or _is_windows_absolute(relative) or ".." in clean.parts:
            raise OutsideProject(f"{relative!r} is not a path inside the repository")
        text = clean.as_posix().strip("/")
        if folder == "" or text.startswith(folder + "/"):
            inside = text[len(folder) + 1 :] if folder else text
            return inside, self.os_path(inside) if inside else str(self.root)
        return None, self._in_work_tree(text, relative)

    def _in_work_tree(self, text: str, relative: str) -> str:
        """The path ``text`` (clean, from the work tree's top) on disk, resolved, once for
        this repository and every ``subfolder`` of it (the projects of a monorepo all look for
        the same files at its top); ``OutsideProject`` if it leaves the work tree."""
        if self._within is not None:
            return self._within[0]._in_work_tree(text, relative)
        return self._resolve_in_work_tree(text, relative)

    @memo(256)
    def _resolve_in_work_tree(self, text: str, relative: str) -> str:
        work_tree = self.head.work_tree
        assert work_tree is not None  # repository_folder is known
        try:
            top = work_tree.resolve()
            resolved = (top / text).resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            raise OutsideProject(f"{relative!r} cannot be resolved: {exc}") from None
        if resolved != top and top not in resolved.parents:
            raise OutsideProject(f"{relative!r} points outside the repository")
        return str(resolved)

    def from_repository_top(self, relative: str) -> str:
        """A path given from the work tree's top as findings name it: from the project folder
        (``../../.github/CODEOWNERS`` above it; reports for code hosts put it back)."""
        folder = self.repository_folder
        if not folder:
            return relative
        if relative.startswith(folder + "/"):
            return relative[len(folder) + 1 :]
        return "../" * (folder.count("/") + 1) + relative

    def repository_has_file(self, relative: str) -> bool:
        """Whether the work tree holds the regular file ``relative`` (from its top)."""
        try:
            inside, on_disk = self._repository_path(relative)
        except OutsideProject:
            return False
        if inside is not None:
            return self.is_indexed(inside)
        return os.path.isfile(on_disk)  # noqa: PTH113 - a path string, as os_path gives

    def read_repository_text(self, relative: str) -> str:
        """The text of the file ``relative`` (from the work tree's top) as ``read_text`` reads
        one: ``OSError`` if it is missing or not a regular file, ``UnicodeDecodeError``, and
        ``OutsideProject`` if the path leaves the work tree or the project is not in one."""
        inside, on_disk = self._repository_path(relative)
        if inside is not None:
            if not self.is_indexed(inside):
                raise FileNotFoundError(errno.ENOENT, "not a file of the project", relative)
            return self.read_text(inside)
        return read_text_source(on_disk, relative).decode("utf-8-sig")

    def repository_listing(self, folder: str) -> list[str]:
        """The regular files directly in ``folder`` (from the work tree's top), as paths from
        the top, sorted; empty if there is no such folder."""
        try:
            inside, on_disk = self._repository_path(folder)
        except OutsideProject:
            return []
        top_prefix = f"{self.repository_folder}/" if self.repository_folder else ""
        if inside is not None:
            prefix = inside + "/" if inside else ""
            return [
                top_prefix + path
                for path in self.files
                if path.startswith(prefix) and "/" not in path[len(prefix) :]
            ]
        clean = folder.replace("\\", "/").strip("/")
        prefix = clean + "/" if clean else ""
        try:
            with os.scandir(on_disk) as entries:
                return sorted(
                    prefix + entry.name
                    for entry in entries
                    if entry.is_file() and self.repository_has_file(prefix + entry.name)
                )
        except OSError:
            return []

    # -- another revision ----------------------------------------------------------------------

    @memo(4)
    def at_revision(self, name: str) -> RevisionFiles:
        """The project's files as they were at the git revision ``name`` (``dsdone check
        --base origin/main``), read from git's objects. Raises ``GitError`` saying what to fetch
        when the repository does not have it, or when the project is not in git."""
        folder = self.repository_folder
        if folder is None:
            raise GitError(self.git.problem or "the project is not in a git work tree")
        return RevisionFiles(resolve_revision(self._git_commands.session, name), folder)

    def committed_contents(self, paths: Iterable[str]) -> dict[str, bytes]:
        """What the last commit (HEAD) holds for each of ``paths``: a file HEAD does not have
        is left out, and so is every file before the first commit or when git cannot tell.
        One git call for all of them: ask for the few files that need it, not for each file."""
        if not self.index.in_git:
            return {}
        try:
            return head_contents(self._git_commands.session, paths)
        except (OSError, subprocess.TimeoutExpired):
            return {}

    def blobs_larger_than(self, limit: int) -> dict[str, int]:
        """The project's files whose blob in git's index is larger than ``limit`` bytes, with
        their sizes (a Git LFS pointer is a small blob). Raises ``dsdone.errors.GitError`` when
        git cannot tell."""
        if self._within is not None:
            parent, folder = self._within
            prefix = f"{folder}/" if folder else ""
            large = {
                path[len(prefix) :]: size
                for path, size in parent.blobs_larger_than(limit).items()
                if path.startswith(prefix)
            }
        else:
            large = self._blobs_larger_than(limit)
        # Only what the index keeps: a name that cannot be shown in a report is left out.
        return {path: size for path, size in large.items() if path in self.index.tracked}

    def _blobs_larger_than(self, limit: int) -> dict[str, int]:
        """``blobs_larger_than`` for the whole repository, computed once for each limit (every
        project of a monorepo asks with the same one)."""
        with self._large_lock:
            if limit not in self._large:
                staged, problem = self._staged
                listing, tree_problem = self._tree
                if problem is not None or tree_problem is not None:
                    raise GitError(problem or tree_problem or "")
                try:
                    self._large[limit] = blobs_larger_than(
                        self._git_commands.session, limit, listing, staged
                    )
                except (OSError, subprocess.TimeoutExpired) as exc:
                    raise GitError(str(exc)) from None
            return self._large[limit]


class RevisionFiles:
    """The project's files at another revision, read from git's objects: nothing is checked out
    or written. Paths are relative to the project folder, as in the work tree (joined to the
    project's folder in the repository for git); one that leaves the folder is refused."""

    def __init__(self, revision: Revision, folder: str) -> None:
        self.revision = revision
        self.folder = folder  # the project folder in the repository ("" at its top)
        # Within a byte budget, as Repository.parsed: each file may hold MAX_TEXT_BYTES.
        self._parsed: BoundedCache[str, Parsed | None] = BoundedCache(4 * _MB)

    @property
    def name(self) -> str:
        """The revision as the user named it (``origin/main``)."""
        return self.revision.name

    def read_text(self, relative: str, limit: int = MAX_TEXT_BYTES) -> str | None:
        """The file's text at the revision, ``None`` if there was no such file. Raises
        ``OutsideProject``, ``GitError`` (not a file, over ``limit`` bytes, git failed) and
        ``UnicodeDecodeError``."""
        clean = posixpath.normpath(relative.replace("\\", "/"))
        if clean.startswith(("/", "../")) or clean in ("..", ".") or _is_windows_absolute(clean):
            raise OutsideProject(f"{relative!r} points outside the project folder")
        data = read_at(self.revision, posixpath.join(self.folder, clean), limit)
        return None if data is None else data.decode("utf-8-sig")

    def parsed(self, relative: str) -> Parsed | None:
        """The YAML, JSON or TOML file at the revision, parsed as ``Repository.parsed`` does
        (with a ``problem`` when it cannot be read or parsed); ``None`` if there was no such
        file."""

        def read_and_parse() -> tuple[Parsed | None, int]:
            shown = f"{relative} at {self.name}"
            try:
                text = self.read_text(relative)
            except (GitError, OutsideProject) as exc:
                problem = Problem(f"cannot be read: {exc}", Location(shown))
                return Parsed(relative, problem=problem), 0
            except UnicodeDecodeError as exc:
                problem = Problem(f"not valid UTF-8 (byte {exc.start})", Location(shown))
                return Parsed(relative, problem=problem), 0
            return (None, 0) if text is None else (parse(relative, text), len(text))

        return self._parsed.get(relative, read_and_parse)


def _is_windows_absolute(path: str) -> bool:
    return (len(path) > 1 and path[1] == ":") or path.startswith("\\\\")


def _any_of(literals: Iterable[bytes]) -> Callable[[bytes], object]:
    """A test of whether a line holds any of ``literals`` (truthy when it does)."""
    return re.compile(b"|".join(re.escape(literal) for literal in sorted(literals))).search


def by_suffix_of(files: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """``files`` by the lower-cased suffix of their name, from its last dot (a name that is only
    its suffix, ``.ipynb``, included; "" for a name without a dot), each in the given order."""
    found: dict[str, list[str]] = {}
    for path in files:
        # String operations, not PurePosixPath: this runs over every file of the project.
        dot = path.rfind(".")
        suffix = path[dot:].lower() if dot > path.rfind("/") else ""
        bucket = found.get(suffix)
        if bucket is None:
            found[suffix] = [path]
        else:
            bucket.append(path)
    return {suffix: tuple(paths) for suffix, paths in found.items()}
