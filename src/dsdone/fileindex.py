"""Which files belong to the project: git's tracked files plus untracked files that are not
ignored, from a single ``git ls-files`` call; outside git, a walk that honours ``.gitignore``.

A path is listed only if a check can read it as a file: submodules, nested repositories,
files deleted from the work tree, and symbolic links that leave the project, loop, dangle or
point at a folder are left out (and named in ``skipped``), so that no check ever follows a
link out of the project or blocks on a named pipe.
"""

from __future__ import annotations

import bisect
import dataclasses
import errno
import functools
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dsdone.git.command import GitRun
from dsdone.globs import Globs, gitignore_globs
from dsdone.safe_read import read_regular

# A .gitignore is a page of patterns; each becomes regular expressions, so a huge one would
# cost seconds and memory before the walk even starts.
MAX_GITIGNORE_BYTES = 256 * 1024
_GITLINK_MODE = b"160000"  # a submodule: a commit of another repository, not a file
_SYMLINK_MODE = b"120000"
# ``git ls-files -t`` tags of an index entry whose work-tree file git takes for the blob: a
# cached file (H) and one outside a sparse checkout (S), which git grep searches in the blob.
# Changed files are listed again with C; a file in a merge has a stage other than 0.
_UNMODIFIED_TAGS = "HS"
# Tracked files with their mode (tag H), again those changed (C) or deleted (R) in the work
# tree, and the untracked files that are not ignored (?), in one call.
LS_FILES = (
    "ls-files", "-z", "-t", "--stage", "--cached", "--modified", "--deleted", "--others",
    "--exclude-standard",
)  # fmt: skip


# Why an entry of the project was left out although it holds the project's content: it could
# not be read, or its name cannot be shown. Checks that search every file report these (see
# ``FileIndex.unsearched``); the other reasons (a submodule, a link out, a deleted file) are
# entries that are not the project's content.
CANNOT_BE_READ = "cannot be read"
NAME_NOT_UTF8 = "its name is not valid UTF-8"
NAME_WITH_CONTROL_CHARACTERS = "its name holds control characters"


@dataclass(frozen=True)
class FileIndex:
    """Every file of the project, relative to its root, with forward slashes, sorted."""

    files: tuple[str, ...]
    tracked: frozenset[str]
    in_git: bool  # False: not in a work tree, or git is missing; then nothing is tracked
    git_problem: str | None = None  # why the index did not come from git, when git was expected
    skipped: tuple[tuple[str, str], ...] = ()  # (path, why it is not a readable file), sorted
    # What differs from git's index: tracked files changed or deleted, untracked files.
    changed: frozenset[str] = frozenset()
    # The files that are symbolic links (to a file inside the root): whether one stays inside
    # a folder of the root depends on the folder.
    links: frozenset[str] = frozenset()
    # The id of the blob git's index holds for each tracked file that git finds unchanged in
    # the work tree (a regular file, not in a merge): its content is that blob's. What was
    # learnt from such a file can be kept by its path and blob id (``dsdone.git.grep_cache``).
    blobs: Mapping[str, str] = dataclasses.field(default_factory=dict, compare=False)

    def below(self, folder: str, root: Path) -> FileIndex:
        """The index of ``folder`` (relative, forward slashes), whose absolute resolved path is
        ``root``, as ``git ls-files`` in it gives it: the part of this one below it, relative
        to it. A link that stays inside this index's root but leaves ``folder`` is skipped, as
        in a check of ``folder`` alone ("" is the root itself). For a git index: outside git,
        the ``.gitignore`` files above ``folder`` would count here and not in a walk of
        ``folder``."""
        if not folder:
            return self
        prefix = folder + "/"
        files = _below(self.files, prefix)
        skipped = dict(_below_pairs(self.skipped, prefix))
        links = _below(sorted(self.links), prefix)
        leaving = {link: reason for link in links if (reason := _judge(root, link)[0])}
        if leaving:
            skipped.update(leaving)
            files = [path for path in files if path not in leaving]
        return FileIndex(
            files=tuple(files),
            tracked=frozenset(_below(self._sorted_tracked, prefix)),
            in_git=self.in_git,
            git_problem=self.git_problem,
            skipped=tuple(sorted(skipped.items())),
            changed=frozenset(_below(self._sorted_changed, prefix)),
            links=frozenset(links) - leaving.keys(),
            blobs={
                path: blob for path in files if (blob := self.blobs.get(prefix + path)) is not None
            },
        )

    @functools.cached_property
    def _sorted_tracked(self) -> list[str]:
        return sorted(self.tracked)

    @functools.cached_property
    def _sorted_changed(self) -> list[str]:
        return sorted(self.changed)

    @property
    def unsearched(self) -> tuple[tuple[str, str], ...]:
        """The entries left out that hold the project's content: files and folders that could
        not be read, and files whose names cannot be shown (named with escapes); (path, why)."""
        return tuple(
            (path, why)
            for path, why in self.skipped
            if why.startswith(CANNOT_BE_READ)
            or why in (NAME_NOT_UTF8, NAME_WITH_CONTROL_CHARACTERS)
        )


def _below(paths: Sequence[str], prefix: str) -> list[str]:
    """The sorted ``paths`` that start with ``prefix`` (a folder and "/"), without it."""
    start = bisect.bisect_left(paths, prefix)
    end = bisect.bisect_left(paths, prefix[:-1] + "0", start)  # "0" sorts right after "/"
    return [path[len(prefix) :] for path in paths[start:end]]


def _below_pairs(pairs: Sequence[tuple[str, str]], prefix: str) -> Iterable[tuple[str, str]]:
    """``_below`` for (path, reason) pairs sorted by path."""
    start = bisect.bisect_left(pairs, prefix, key=lambda pair: pair[0])
    end = bisect.bisect_left(pairs, prefix[:-1] + "0", start, key=lambda pair: pair[0])
    return ((path[len(prefix) :], reason) for path, reason in pairs[start:end])


def build_file_index(root: Path, run: GitRun) -> FileIndex:
    """The project's files, from ``run`` (``git LS_FILES`` in ``root``, started early)."""
    root = root.resolve()  # links are judged against the real folder
    try:
        completed = run.output()
    except FileNotFoundError:
        return _walk_index(root, git_problem="the git executable was not found")
    except subprocess.TimeoutExpired as exc:
        # What git could not list is said (version-control reports it as an error, and
        # tracked-config for each file), not taken for a folder without files.
        return _walk_index(
            root, git_problem=f"git ls-files did not finish within {exc.timeout:g} s"
        )
    except OSError as exc:  # git is there but cannot be run (permissions, a broken binary)
        return _walk_index(root, git_problem=f"git could not be run: {exc.strerror or exc}")
    finally:
        run.kill()
    if completed.returncode != 0:
        # Not a work tree (the common case), or a broken repository: walk the folder instead.
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        problem = (
            None
            if b"not a git repository" in completed.stderr
            else (message[-1] if message else "git ls-files failed")
        )
        return _walk_index(root, git_problem=problem)
    index = _git_index(root, completed.stdout)
    if completed.stderr.strip():
        # git could not look at some entries (it warns; its words depend on the language):
        # say which folders it could not list, whose untracked files it did not see.
        index = _with_unlisted_folders(root, index)
    return index


def _with_unlisted_folders(root: Path, index: FileIndex) -> FileIndex:
    folders = {path.rpartition("/")[0] for path in (*index.tracked, *index.files)} - {""}
    parents = {f.rpartition("/")[0] for f in folders}
    while parents - folders - {""}:
        folders |= parents - {""}
        parents = {f.rpartition("/")[0] for f in folders}
    unlisted = {
        folder: f"{CANNOT_BE_READ}: the folder cannot be listed, so files in it that git does "
        "not track were not seen"
        for folder in folders
        if not _can_list(root / folder)
    }
    if not unlisted:
        return index
    skipped = dict(index.skipped)
    for folder, why in unlisted.items():
        skipped.setdefault(folder, why)
    return dataclasses.replace(index, skipped=tuple(sorted(skipped.items())))


def _can_list(folder: Path) -> bool:
    effective = os.access in os.supports_effective_ids
    return os.access(folder, os.R_OK | os.X_OK, effective_ids=effective)


def _git_index(root: Path, output: bytes) -> FileIndex:
    """Parse ``git ls-files -z -t --stage``: ``TAG MODE SHA STAGE\\tPATH`` for what git
    tracks (again with tag ``C`` if changed in the work tree, ``R`` if deleted from it), and
    ``? PATH`` for the others."""
    try:
        text = output.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    # The common case, in one pass over str: every name is UTF-8 without control characters
    # (a tab would hide in the separator). Otherwise each entry is judged on its own bytes.
    if text is None or _has_control_characters(output, text):
        return _index_of_entries(root, _entries(output))
    present: list[str] = []  # in git's order, which is sorted: sorting again costs nothing
    gone: list[str] = []
    tracked: list[str] = []
    changed: set[str] = set()
    blobs: dict[str, str] = {}
    odd: list[tuple[str, str]] = []  # untracked files, links, submodules: looked at one by one
    for entry in text.split("\0"):
        if entry[:1] == "?":
            odd.append(("?", entry[2:]))
            continue
        if not entry:
            continue
        meta, _, path = entry[2:].partition("\t")
        if "\t" in path:
            return _index_of_entries(root, _entries(output))
        if entry[0] in "CR":  # the second listing of a tracked file
            changed.add(path)
            if entry[0] == "R":
                gone.append(path)
            continue
        tracked.append(path)
        if meta.startswith(("160000", "120000")):
            odd.append((entry[0], entry[2:]))
        else:
            present.append(path)
            if meta.endswith(" 0") and entry[0] in _UNMODIFIED_TAGS:
                blobs[path] = meta[7:-2]
    rest = _index_of_entries(root, [(tag, body.encode()) for tag, body in odd])
    present.extend(rest.files)
    skipped = dict(rest.skipped)
    changed |= rest.changed
    for path in gone:
        skipped.setdefault(path, _gone(root, path))
    left_out = skipped.keys() | set(gone)
    for path in changed:
        blobs.pop(path, None)
    return FileIndex(
        files=tuple(sorted(path for path in present if path not in left_out)),
        tracked=frozenset(tracked),
        in_git=True,
        skipped=tuple(sorted(skipped.items())),
        changed=frozenset(changed),
        links=rest.links - left_out,
        blobs=blobs,
    )


def _entries(output: bytes) -> list[tuple[str, bytes]]:
    return [(entry[:1].decode("ascii"), entry[2:]) for entry in output.split(b"\0") if entry]


def _index_of_entries(root: Path, entries: list[tuple[str, bytes]]) -> FileIndex:
    """The index of ``(tag, rest)`` entries of ``git ls-files``, each judged on its bytes."""
    present: set[str] = set()
    gone: set[str] = set()
    tracked: set[str] = set()
    changed: set[str] = set()
    skipped: dict[str, str] = {}
    links: set[str] = set()
    blobs: dict[str, str] = {}
    for tag, rest in entries:
        if tag == "?":
            problem = _name_problem(rest)
            if problem is not None:
                skipped[_shown(rest)] = problem
                changed.add(_shown(rest))
                continue
            path = os.fsdecode(rest)
            changed.add(path.rstrip("/"))
            if path.endswith("/"):
                skipped[path.rstrip("/")] = "a nested git repository"
                continue
            _add(root, path, present, skipped, links)
            continue
        meta, _, raw_path = rest.partition(b"\t")
        problem = _name_problem(raw_path)
        if problem is not None:
            skipped[_shown(raw_path)] = problem
            if tag in "CR":
                changed.add(_shown(raw_path))
            continue
        path = os.fsdecode(raw_path)
        if tag in "CR":  # the second listing of a tracked file
            changed.add(path)
            if tag == "R":
                gone.add(path)
            continue
        tracked.add(path)
        if meta.startswith(_GITLINK_MODE):
            skipped[path] = "a git submodule"
        elif meta.startswith(_SYMLINK_MODE):
            _add(root, path, present, skipped, links)
        else:
            present.add(path)
            if meta.endswith(b" 0") and tag in _UNMODIFIED_TAGS:
                blobs[path] = meta[7:-2].decode("ascii")
    for path in gone:
        skipped.setdefault(path, _gone(root, path))
    files = present - gone - set(skipped)
    return FileIndex(
        files=tuple(sorted(files)),
        links=frozenset(links & files),
        tracked=frozenset(tracked),
        in_git=True,
        skipped=tuple(sorted(skipped.items())),
        changed=frozenset(changed),
        blobs={path: blob for path, blob in blobs.items() if path in files and path not in changed},
    )


def _gone(root: Path, relative: str) -> str:
    """Why git says a tracked file is not in the work tree: it was deleted, or a folder on its
    way cannot be entered (git cannot tell the two apart)."""
    try:
        (root / relative).lstat()
    except FileNotFoundError:
        return "tracked, but deleted from the work tree"
    except OSError as exc:
        return f"{CANNOT_BE_READ}: {exc.strerror or exc}"
    return "tracked, but deleted from the work tree"


def _name_problem(raw: bytes) -> str | None:
    """Why a file name cannot be shown in a report, or None.

    A name that is not UTF-8 (a Windows-1252 archive unpacked on Linux) cannot be written into
    a UTF-8 report, JSON or SARIF; a name with control characters (git allows ``\\x1b[2J``)
    would reach the terminal of whoever reads the report. Either is left out of the index.
    """
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        return NAME_NOT_UTF8
    if _CONTROL.search(name):
        return NAME_WITH_CONTROL_CHARACTERS
    return None


def shown_name(raw: bytes) -> str:
    """A file's name as the index names it: as it is when it can be shown, else with its
    bytes that are not UTF-8 and its control characters as escapes."""
    return _shown(raw) if _name_problem(raw) is not None else os.fsdecode(raw)


def _shown(raw: bytes) -> str:
    """A bad name, printable: bytes that are not UTF-8 and control characters as escapes."""
    text = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


# C0 and C1 control characters; one regular expression, because every file name is tested.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_C1_CONTROL = re.compile("[\x80-\x9f]")
# Printable ASCII and the NUL and tab that separate the entries and fields of git's output.
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\0\t"
_NON_ASCII_BYTES = bytes(range(0x80, 0x100))


def _has_control_characters(output: bytes, text: str) -> bool:
    """Whether a name in ``git ls-files -z`` output (decoded: ``text``) has a control
    character. ``bytes.translate`` runs at memory speed; a regular expression, some ten times
    slower, runs only when a name is not ASCII."""
    unusual = output.translate(None, _PLAIN_BYTES)
    if not unusual:
        return False
    return bool(unusual.translate(None, _NON_ASCII_BYTES) or _C1_CONTROL.search(text))


def _add(
    root: Path, path: str, present: set[str], skipped: dict[str, str], links: set[str]
) -> None:
    """File ``path`` (a link, or untracked) as present, and as a link if it is one, or as
    skipped, with why."""
    reason, is_link = _judge(root, path)
    if reason is not None:
        skipped[path] = reason
        return
    present.add(path)
    if is_link:
        links.add(path)


def _judge(root: Path, relative: str) -> tuple[str | None, bool]:
    """Why ``relative`` is not a regular file inside ``root`` that can be read (or None), and
    whether it is a symbolic link."""
    path = root / relative
    try:
        info = path.lstat()
        is_link = stat.S_ISLNK(info.st_mode)
        if is_link:
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
                return "a symbolic link that dangles or loops", True
            if root != target and root not in target.parents:
                return "a symbolic link to outside the project", True
            info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file", is_link
    except OSError as exc:
        return f"{CANNOT_BE_READ}: {exc.strerror or exc}", False
    return None, is_link


def _walk_index(root: Path, git_problem: str | None) -> FileIndex:
    root = root.resolve()
    files: list[str] = []
    skipped: list[tuple[str, str]] = []
    links: set[str] = set()
    # One spec per folder that has a .gitignore, applied to paths below that folder, as git does.
    specs: list[tuple[str, Globs]] = []

    def unreadable_folder(error: OSError) -> None:
        where = Path(error.filename).relative_to(root).as_posix() if error.filename else "."
        skipped.append((where, f"{CANNOT_BE_READ}: {error.strerror or error}"))

    # followlinks=False: a link to a folder is neither entered nor listed, so a loop cannot hang.
    for folder, dirnames, filenames in os.walk(root, onerror=unreadable_folder, followlinks=False):
        rel_folder = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel_folder == "." else f"{rel_folder}/"
        specs = [(base, spec) for base, spec in specs if prefix.startswith(base)]
        if ".gitignore" in filenames:
            lines, problem = _gitignore_lines(f"{folder}/.gitignore")
            specs.append((prefix, gitignore_globs(lines)))
            if problem is not None:
                skipped.append((f"{prefix}.gitignore", problem))
        dirnames[:] = sorted(
            d for d in dirnames if d != ".git" and not _ignored(specs, f"{prefix}{d}/")
        )
        for name in filenames:
            path = f"{prefix}{name}"
            if name == ".git" or _ignored(specs, path):  # a submodule's pointer to its git dir
                continue
            problem = _name_problem(os.fsencode(path))
            if problem is not None:
                skipped.append((_shown(os.fsencode(path)), problem))
                continue
            reason, is_link = _judge(root, path)
            if reason is not None:
                skipped.append((path, reason))
                continue
            files.append(path)
            if is_link:
                links.add(path)
    return FileIndex(
        files=tuple(sorted(files)),
        tracked=frozenset(),
        in_git=False,
        git_problem=git_problem,
        skipped=tuple(sorted(skipped)),
        links=frozenset(links),
    )


def _gitignore_lines(path: str) -> tuple[list[str], str | None]:
    """The lines of a ``.gitignore`` (none if it cannot be read), and what kept them from being
    read whole: a file larger than ``MAX_GITIGNORE_BYTES`` is read in part, a named pipe not
    at all (opening it would wait forever)."""
    try:
        raw = read_regular(path, MAX_GITIGNORE_BYTES + 1)
    except OSError as exc:
        if exc.errno == errno.EINVAL:  # a named pipe, a device: nothing of the project to read
            return [], "not a regular file: its patterns are not applied"
        return [], f"{CANNOT_BE_READ}: {exc.strerror or exc}: its patterns are not applied"
    problem = None
    if len(raw) > MAX_GITIGNORE_BYTES:
        raw = raw[: raw.rfind(b"\n", 0, MAX_GITIGNORE_BYTES) + 1]
        problem = f"larger than {MAX_GITIGNORE_BYTES // 1024} KB: only its first lines apply"
    return raw.decode("utf-8", "replace").splitlines(), problem


def _ignored(specs: list[tuple[str, Globs]], path: str) -> bool:
    """Whether the ``.gitignore`` files above ``path`` ignore it (a folder's path ends with "/").

    As in git, the deepest ``.gitignore`` with a pattern that matches decides: a ``!keep.log``
    in ``src/`` re-includes what ``*.log`` at the root ignores."""
    for base, spec in reversed(specs):
        decision = spec.check_file(path[len(base) :])
        if decision is not None:
            return decision
    return False
