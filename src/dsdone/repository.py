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
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Generic, Self, TypeVar, overload

from dsdone.errors import GitError, Location, Problem
from dsdone.fileindex import FileIndex, build_file_index, shown_name
from dsdone.git.blobs import head_contents
from dsdone.git.command import GitRun
from dsdone.git.grep import FileLines, Hits, lines_holding, read_grep
from dsdone.git.prefetch import Prefetch
from dsdone.git.revision import Revision, read_at, resolve_revision
from dsdone.git.running import GitCommands
from dsdone.git.sizes import blobs_larger_than, staged_paths
from dsdone.git.state import GitState, read_git_state, with_changes
from dsdone.globs import compile_globs
from dsdone.memo import BoundedCache
from dsdone.parsed import Parsed, parse
from dsdone.pysource import parse_python
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
_MB = 1024 * 1024


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
    and refuse the same files the same way.
    """

    def __init__(self, root: Path, *, early: Prefetch | None = None) -> None:
        self.root = root.resolve()
        self._root_prefix = str(self.root).rstrip(os.sep) + os.sep
        if early is not None and early.root != self.root:
            early.close()  # started for another folder (a guess that was wrong): of no use
            early = None
        # One object, shared with the Project made from this repository: closing either
        # stops every git command either started.
        self._git_commands = GitCommands(self.root, early)
        # What the readers below computed, shared the same way, each within a byte budget
        # (of the text it was made from): a repository of large files cannot fill memory.
        self._sources: BoundedCache[str, bytes] = BoundedCache(64 * _MB)
        self._trees: BoundedCache[str, ast.Module] = BoundedCache(MAX_PYTHON_BYTES)
        self._parsed: BoundedCache[str, Parsed] = BoundedCache(4 * _MB)
        self._notebooks: BoundedCache[str, Any] = BoundedCache(16 * _MB)

    @classmethod
    def start(
        cls, root: Path, *, search: Iterable[bytes] = (), early: Prefetch | None = None
    ) -> Self:
        """The repository with the git commands a check run needs already started, and a search
        for the ``search`` literals (or those ``early`` started for this folder before dsdone
        was fully loaded): git lists and searches the files on another core while the caller
        loads the contract and the checks."""
        root = root.resolve()
        if early is None or early.root != root:
            if early is not None:
                early.close()
            early = Prefetch.start(root, search)
        return cls(root, early=early)

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
        the guard's own commands (a few milliseconds)."""
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
        run, extra = self._git_commands.search(wanted)
        found = read_grep(run, restart=self._git_commands.start)
        if found is None:
            return None
        return itertools.chain(
            self._indexed_hits(iter(found), wanted if extra else None),
            self._unread_by_git(found),
            self._untracked_hits(wanted),
        )

    def _unread_by_git(self, found: Hits) -> Iterator[FileLines]:
        """The tracked files git grep could not read (it warns and skips them, exit status 0),
        each as not searched (``complete=False``): whoever asked reads them, and learns why.
        Looked for only when git warned: one access check a file is not free."""
        if not found.warned:
            return
        effective = os.access in os.supports_effective_ids
        for path in self.index.files:
            if path in self.index.tracked and not os.access(
                self._root_prefix + path, os.R_OK, effective_ids=effective
            ):
                yield FileLines(path, [], complete=False)

    def _indexed_hits(
        self, found: Iterator[FileLines], wanted: frozenset[bytes] | None
    ) -> Iterator[FileLines]:
        for hit in found:
            if hit.path not in self._file_set:
                continue  # a tracked link out of the project, a name that cannot be shown
            if wanted is not None:  # the search was for more literals than asked for
                lines = [line for line in hit.lines if any(w in line[1] for w in wanted)]
                if not lines and hit.complete:
                    continue
                hit = FileLines(hit.path, lines, hit.complete)
            yield hit

    def _untracked_hits(self, wanted: frozenset[bytes]) -> Iterator[FileLines]:
        """The untracked files searched here, as git grep would: binary files left out, and
        only the first ``MAX_TEXT_BYTES`` of a larger file (marked incomplete)."""
        tracked = self.index.tracked
        for path in self.index.files:
            if path in tracked:
                continue
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
        """Where the work tree is and what is checked out, without counting changes: what a
        report says it describes (its ``commit``), read before any check starts."""
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
    def _staged(self) -> tuple[frozenset[str], str | None]:
        """The files whose staged version differs from HEAD, or why git could not tell."""
        try:
            return staged_paths(self._git_run("staged")), None
        except (OSError, subprocess.TimeoutExpired, GitError) as exc:
            return frozenset(), str(exc)

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
        work_tree = self.git.work_tree
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
        top = (self.root.parents[folder.count("/")]).resolve()
        try:
            resolved = (top / text).resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            raise OutsideProject(f"{relative!r} cannot be resolved: {exc}") from None
        if resolved != top and top not in resolved.parents:
            raise OutsideProject(f"{relative!r} points outside the repository")
        return None, str(resolved)

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

    @functools.lru_cache(maxsize=4)  # noqa: B019
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
        staged, problem = self._staged
        if problem is not None:
            raise GitError(problem)
        try:
            session = self._git_commands.session
            large = blobs_larger_than(session, limit, self._git_run("tree"), staged)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GitError(str(exc)) from None
        # Only what the index keeps: a name that cannot be shown in a report is left out.
        return {path: size for path, size in large.items() if path in self.index.tracked}


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
