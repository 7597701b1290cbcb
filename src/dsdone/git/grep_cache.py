"""What the shared ``git grep`` found in each unchanged tracked file, kept between runs.

Most of git's work in a check of a large repository is the one search over every tracked file
(``dsdone.git.grep``), and from one run to the next almost none of the files changes. git's own
index says which did not: a tracked file git finds unchanged in the work tree holds the blob the
index names for it (``FileIndex.blobs``), as ``git status`` trusts, and as ``git grep`` itself
does for a file outside a sparse checkout. So the lines found in such a file are kept by its
path and that blob's id, and the next run searches only the tracked files that changed, in the
index or in the work tree, or were not searched before; when none did, git is not asked at all.

The cache lives with the others (``dsdone.result_cache``: the user's cache folder, never the
project; ``--no-cache`` turns it off), one file per project folder, and is used only for what
it was written for: the same literals, the same search code (another dsdone, another cache),
and the same attributes, which decide what git takes for a binary file (every ``.gitattributes``
of the project by its blob, and the repository's ``info/attributes``). A file the search could
not keep whole and a search git warned about (a file it could not read) are not kept. It is an
optimisation only: a cache that is missing, damaged or written for something else is not used,
and git searches every file, as without one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dsdone.fileindex import FileIndex
from dsdone.git.command import GitRun
from dsdone.git.grep import FileLines, Found, with_paths
from dsdone.result_cache import cache_file, code_identity, write_cache

if TYPE_CHECKING:
    from dsdone.git.running import GitCommands

KIND = "grep"
# The lines kept for the files that hold a literal, in bytes: beyond it (a repository whose
# files hold the literals on millions of lines) nothing is kept, and git searches every file.
MAX_KEPT_BYTES = 16 * 1024 * 1024
# A search of the files that changed names each of them on git's command line; beyond this many
# characters (Windows allows 32,767 in all), or this many files, one search of every file is
# as quick.
MAX_PATHSPEC_CHARS = 24_000 if os.name == "nt" else 400_000
MAX_PATHSPEC_FILES = 2_000


def _code() -> str:
    """The identity of the search's code: this module, ``grep`` and ``anchors``."""
    here = Path(__file__)
    return code_identity(
        str(here), str(here.with_name("grep.py")), str(here.with_name("anchors.py"))
    )


def has_cache(folder: Path | None, root: Path) -> bool:
    """Whether a run has kept what it found for the project folder ``root`` in ``folder``:
    then the search can wait for the file index, and cover only what changed."""
    return folder is not None and cache_file(folder, root, KIND).is_file()


def search_tracked(
    literals: frozenset[bytes], early: GitRun | None, cache: GrepCache | None, git: GitCommands
) -> Found | None:
    """What the search for ``literals`` finds in the tracked files: that of ``early``, the
    search of every file started before the index was known, or (``early`` None, when a cache
    was there to be used) of the files ``cache`` cannot answer for, with those it can; kept in
    the cache for the next run. ``None`` when git cannot search (``Found.read``)."""
    found = None
    if early is None and cache is not None:
        plan = cache.plan()
        if plan.to_search == []:
            found = Found.of(literals, plan.known)
        elif plan.to_search is not None:
            paths = plan.to_search
            found = Found.read(
                git.search(literals, paths),
                literals,
                restart=lambda arguments: git.start(with_paths(arguments, paths)),
                known=plan.known,
            )
    if found is None:  # no cache, or one that could not say enough: every file is searched
        search = early if early is not None else git.search(literals)
        found = Found.read(search, literals, restart=git.start)
    if cache is not None and found is not None and found.files is not None and not found.warned:
        cache.save(found.files)
    return found


@dataclass(frozen=True)
class Plan:
    """What the cache answers for this run's files: ``known``, the files that hold a literal
    by what was found in their blob; ``to_search``, the tracked files it cannot answer for
    (``None``: too many to name, search every file)."""

    known: list[FileLines]
    to_search: list[str] | None


class GrepCache:
    """The cache of the search for ``literals`` in the files of ``index``, the project folder
    ``root``'s, in ``folder``; ``attributes`` are its ``.gitattributes`` files."""

    def __init__(
        self,
        folder: Path,
        root: Path,
        literals: frozenset[bytes],
        index: FileIndex,
        attributes: Iterable[str],
    ) -> None:
        self._file = cache_file(folder, root, KIND)
        self._index = index
        self._namespace = _namespace(root, literals, index, attributes)
        self._clean: dict[str, str] = {}  # path -> blob, for blobs without a hit
        self._hits: dict[str, tuple[str, list[tuple[int, bytes]]]] = {}  # path -> blob, lines
        self._unchanged = False  # the plan took every entry, and left nothing to search
        if self._namespace is not None:
            self._clean, self._hits = _read(self._file, self._namespace)

    def plan(self) -> Plan:
        """The files this run need not search, and those it must."""
        if self._namespace is None:
            return Plan([], None)
        known: list[FileLines] = []
        to_search: list[str] = []
        blobs, clean, hits, tracked = (
            self._index.blobs,
            self._clean,
            self._hits,
            self._index.tracked,
        )
        used = 0
        for path in self._index.files:
            blob = blobs.get(path)
            if blob is not None:
                if clean.get(path) == blob:
                    used += 1
                    continue
                entry = hits.get(path)
                if entry is not None and entry[0] == blob:
                    known.append(FileLines(path, entry[1]))
                    continue
            if path in tracked:
                to_search.append(path)
        self._unchanged = not to_search and used + len(known) == len(clean) + len(hits)
        if (
            len(to_search) > MAX_PATHSPEC_FILES
            or sum(len(path) + 1 for path in to_search) > MAX_PATHSPEC_CHARS
        ):
            return Plan([], None)
        return Plan(known, to_search)

    def save(self, found: Iterable[FileLines]) -> None:
        """Keep what this run found in the files whose blob the index names (``found``: every
        file that holds a literal, the search having covered every tracked file); nothing
        when that is what the cache holds already."""
        if self._namespace is None or self._unchanged:
            return
        blobs = self._index.blobs
        hits: dict[str, tuple[str, list[tuple[int, bytes]]]] = {}
        kept = 0
        for file in found:
            blob = blobs.get(file.path)
            if blob is None:
                continue
            if not file.complete:
                return  # cut short: a cache could not give it whole
            hits[file.path] = (blob, file.lines)
            kept += sum(len(line) for _, line in file.lines)
            if kept > MAX_KEPT_BYTES:
                return
        clean = {path: blob for path, blob in blobs.items() if path not in hits}
        if clean == self._clean and hits == self._hits:
            return
        data = {
            "code": _code(),
            "namespace": self._namespace,
            # One string for the many files without a hit: read back by one split.
            "clean": "\0".join(part for pair in sorted(clean.items()) for part in pair),
            "hits": {
                path: [blob, [[number, line.decode("latin-1")] for number, line in lines]]
                for path, (blob, lines) in sorted(hits.items())
            },
        }
        write_cache(self._file, json.dumps(data, separators=(",", ":")))


def _namespace(
    root: Path, literals: frozenset[bytes], index: FileIndex, attributes: Iterable[str]
) -> str | None:
    """What a cache must have been written for to be used here: the literals, and the
    attributes git reads (``None`` when they cannot be known without reading the work tree:
    a ``.gitattributes`` that is untracked or changed, a repository whose git folder is
    elsewhere)."""
    digest = hashlib.blake2b(digest_size=16)
    for literal in sorted(literals):
        digest.update(len(literal).to_bytes(8, "little") + literal)
    for path in sorted(attributes):
        blob = index.blobs.get(path)
        if blob is None:
            return None
        digest.update(f"\0{path}\0{blob}".encode("utf-8", "surrogateescape"))
    repository_attributes = _repository_attributes(root)
    if repository_attributes is None:
        return None
    digest.update(b"\0" + repository_attributes)
    return digest.hexdigest()


def _repository_attributes(root: Path) -> bytes | None:
    """The repository's own attributes (``.git/info/attributes``) and the user's
    (``~/.config/git/attributes``); ``None`` where the git folder is not a ``.git`` folder of
    the work tree (a worktree, a submodule, ``GIT_DIR``)."""
    if "GIT_DIR" in os.environ or "GIT_COMMON_DIR" in os.environ:
        return None
    for folder in (root, *root.parents):
        git = folder / ".git"
        if git.is_dir():
            break
        if git.exists():
            return None
    else:
        return None
    xdg = os.environ.get("XDG_CONFIG_HOME")
    config = Path(xdg) if xdg else Path("~/.config").expanduser()
    contents = []
    for file in (git / "info" / "attributes", config / "git" / "attributes"):
        try:
            contents.append(file.read_bytes())
        except FileNotFoundError:
            contents.append(b"")
        except OSError:
            return None
    return b"\0".join(contents)


def _read(
    file: Path, namespace: str
) -> tuple[dict[str, str], dict[str, tuple[str, list[tuple[int, bytes]]]]]:
    """The entries of a cache written by this code for ``namespace``; none when it is
    missing, unreadable, damaged or written for something else."""
    try:
        data = json.loads(file.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}, {}
    if (
        not isinstance(data, dict)
        or data.get("code") != _code()
        or data.get("namespace") != namespace
    ):
        return {}, {}
    clean_text, hits_data = data.get("clean"), data.get("hits")
    if not isinstance(clean_text, str) or not isinstance(hits_data, dict):
        return {}, {}
    parts = clean_text.split("\0") if clean_text else []
    if len(parts) % 2:
        return {}, {}
    hits: dict[str, tuple[str, list[tuple[int, bytes]]]] = {}
    for path, entry in hits_data.items():
        lines = _lines(entry[1]) if isinstance(entry, list) and len(entry) == 2 else None
        if lines is None or not isinstance(entry[0], str):
            return {}, {}
        hits[path] = (entry[0], lines)
    return dict(zip(parts[::2], parts[1::2], strict=True)), hits


def _lines(value: object) -> list[tuple[int, bytes]] | None:
    """The lines of a file's entry, as written by ``GrepCache.save``; None for anything else."""
    if not isinstance(value, list):
        return None
    lines = []
    for line in value:
        if not (isinstance(line, list) and len(line) == 2):
            return None
        number, text = line
        if not isinstance(number, int) or not isinstance(text, str):
            return None
        try:
            lines.append((number, text.encode("latin-1")))
        except UnicodeEncodeError:
            return None
    return lines
