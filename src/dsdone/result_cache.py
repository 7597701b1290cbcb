"""What dsdone learned from a file's content, kept between runs in the user's cache folder.

The unit-tests check parses every test file of the project, the largest part of a check of a
big repository; from one run to the next almost none of them changes. What it keeps of a file
depends only on the file's bytes, its path and the pytest settings it was read with, so that is
the key: a digest of the three (``content_key``). A tracked file that git's index says is
unchanged in the work tree holds the blob the index names (as ``git status`` trusts), so its
key can be made from the blob's id without reading it (``blob_key``). A file that changed gets
a new key and is read again; no modification time is trusted.

The cache is never in the project (``dsdone check`` changes nothing there): it is one file per
project folder under the user's cache folder (``platformdirs``: ``~/.cache/dsdone`` on Linux,
``~/Library/Caches/dsdone`` on macOS, ``%LOCALAPPDATA%\\dsdone\\Cache`` on Windows), or under
``$DSDONE_CACHE_DIR``; ``--no-cache`` or ``DSDONE_CACHE_DIR=`` (empty) turns it off. It holds
what the last run used, no more, and is written whole, by replacing the file. It is an
optimisation only: a cache that cannot be read, was written by other code (another version or
build of dsdone) or is damaged is ignored, and one that cannot be written is not written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dsdone import __version__
from dsdone.report import CHECK_FIELDS, Finding, malformed

CACHE_ENV = "DSDONE_CACHE_DIR"
# The layout of the cache's files; a dsdone that writes them otherwise changes it.
_FORMAT = 1
# A project folder's cache that no run has written for this long is removed (by the next run
# that writes one): projects deleted, moved or checked once in a temporary folder.
_STALE_SECONDS = 30 * 24 * 3600


def default_cache_folder() -> Path | None:
    """Where the cache lives: ``$DSDONE_CACHE_DIR`` when it is set (empty: nowhere), else the
    user's cache folder for dsdone."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    import platformdirs  # only when a run uses the cache

    return platformdirs.user_cache_path("dsdone", appauthor=False)


def content_key(path: str, settings: Iterable[str], content: bytes) -> str:
    """The key of what is learnt from ``content``, read as the file ``path`` with ``settings``."""
    digest = hashlib.blake2b(digest_size=20)
    for text in (path, *settings):
        part = text.encode("utf-8", "surrogateescape")
        digest.update(len(part).to_bytes(8, "little") + part)  # no two lists hash alike
    digest.update(content)
    return digest.hexdigest()


def blob_key(path: str, settings: Iterable[str], blob: str) -> str:
    """The key of what is learnt from the file ``path`` read with ``settings`` while git's
    index says it holds the blob ``blob`` (``FileIndex.blobs``): the file need not be read
    to be looked up. The parts themselves, not a digest of them (thousands of keys are made
    in a run): a path and a blob id never hold a NUL, and the settings are written as a
    Python literal; never equal to a ``content_key``, which is hexadecimal."""
    return f"blob\0{blob}\0{path}\0{tuple(settings)!r}"


@functools.cache
def code_identity(*modules: str) -> str:
    """A digest of the source files of ``modules`` (paths): a cache written by other code than
    the code that reads it is not used, even under the same version number (an editable
    install, a development build). Computed once a process for each set of modules: every
    project of ``--all`` asks."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=12)
    for module in modules:
        try:
            digest.update(Path(module).read_bytes())
        except OSError:  # a zip import: the version alone says which code this is
            continue
    return digest.hexdigest()


def cache_file(folder: Path, project: Path, kind: str) -> Path:
    """Where the cache of ``kind`` for the project folder ``project`` is kept in ``folder``."""
    where = hashlib.blake2b(os.fsencode(project), digest_size=10).hexdigest()
    return folder / f"v{_FORMAT}" / where / f"{kind}.json"


def write_cache(file: Path, data: str) -> None:
    """Replace the cache ``file`` (made by ``cache_file``) with ``data``, as one step: a run
    that reads it meanwhile reads the old one or the new one, never half of one. Nothing is
    written where nothing can be (a read-only home, a full disk): the next run does the work
    again. The caches of projects no run has written for long are removed."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(data)
            Path(temporary).replace(file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
    _remove_stale(file.parent.parent, keep=file.parent)


# What a cache keeps of a finding a check made of one file: its path is the key's.
_KEPT_FIELDS = tuple(name for name in CHECK_FIELDS if name != "path")


def finding_json(finding: Finding) -> list[Any]:
    """What a cache keeps of ``finding``, a finding of one file."""
    return [getattr(finding, name) for name in _KEPT_FIELDS]


def finding_from_json(path: str, data: object) -> Finding:
    """The finding of the file ``path`` that ``finding_json`` kept; ``ValueError`` for
    anything else (a cache written otherwise)."""
    if not isinstance(data, list) or len(data) != len(_KEPT_FIELDS):
        raise ValueError("not a finding")
    finding = Finding(path=path, **dict(zip(_KEPT_FIELDS, data, strict=True)))
    problem = malformed(finding)
    if problem is not None:
        raise ValueError(f"not a finding: {problem}")
    return finding


class ResultCache:
    """The results of one analysis (``kind``, computed by the code ``code`` says) for the files
    of one project folder, as JSON values by ``content_key``; saved by ``save`` with the
    entries this run looked up or put."""

    def __init__(self, folder: Path | None, kind: str, project: Path, code: str) -> None:
        self._file: Path | None = None
        self._code = code
        self._old: dict[str, Any] = {}
        self._used: dict[str, Any] = {}
        if folder is None:
            return
        self._file = cache_file(folder, project, kind)
        self._old = _read(self._file, code)

    def get(self, key: str) -> Any | None:
        value = self._old.get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self._used[key] = value

    def save(self) -> None:
        """Write what this run used, unless it is exactly what the cache held already."""
        if self._file is None or self._used == self._old:
            return
        data = json.dumps({"code": self._code, "entries": self._used}, separators=(",", ":"))
        write_cache(self._file, data)


def _remove_stale(folder: Path, keep: Path) -> None:
    """Remove the project folders' caches in ``folder`` not written for ``_STALE_SECONDS``."""
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.path == str(keep) or not entry.is_dir(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime > _STALE_SECONDS:
                shutil.rmtree(entry.path)
        except OSError:
            continue  # in use by another run, or not ours to remove: left alone


def _read(file: Path, code: str) -> dict[str, Any]:
    """The entries of a cache file written by the same code; none when it is missing,
    unreadable, damaged or written by other code."""
    try:
        data = json.loads(file.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("code") != code:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


class FileResults:
    """What one analysis learnt from each unchanged tracked file of a project, kept in
    ``cache`` by the file's path and blob (``blobs``: ``FileIndex.blobs``) with the
    ``settings`` it was made with: a file that changed in any way, or is not tracked, is not
    looked up, nor kept."""

    def __init__(self, cache: ResultCache, blobs: Mapping[str, str], settings: Iterable[str]):
        self._cache = cache
        self._blobs = blobs
        self._settings = tuple(settings)

    def get(self, path: str) -> Any | None:
        blob = self._blobs.get(path)
        return None if blob is None else self._cache.get(blob_key(path, self._settings, blob))

    def put(self, path: str, value: Any) -> None:
        blob = self._blobs.get(path)
        if blob is not None:
            self._cache.put(blob_key(path, self._settings, blob), value)

    def save(self) -> None:
        self._cache.save()
