"""Files as they were at another revision (``dsdone check --base origin/main``), read straight
from git's objects: nothing is checked out, nothing is written.

``git rev-parse`` names the commit once; each file is then one ``git cat-file --batch`` that
prints its size before its bytes, so a file over the limit is refused without being read.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
from dataclasses import dataclass

from dsdone.errors import GitError
from dsdone.git.session import GitSession

# What `git cat-file --batch` prints before a blob's bytes: its id, its type and its size.
_HEADER_BYTES = 256
_BLOB_HEADER = re.compile(r"[0-9a-f]+ blob ([0-9]+)")
# What --follow-symlinks prints instead of an object for a path that is not a file.
_NOT_A_FILE = {
    "symlink": "a symbolic link out of the repository",
    "loop": "a symbolic link that loops",
    "folder": "not a file",
}
# `remote/branch`, the usual --base, for the hint that says what to fetch.
_REMOTE_BRANCH = re.compile(r"([A-Za-z0-9._-]+)/(.+)")


@dataclass(frozen=True)
class Revision:
    """A commit of the repository a git session runs in, by the name the user gave it."""

    name: str  # as given: origin/main, a tag, a sha
    commit: str  # the full sha it names
    git: GitSession  # the session of the folder of the work tree where git runs


def resolve_revision(git: GitSession, name: str) -> Revision:
    """The commit ``name`` names, in the repository that holds ``cwd``. Raises ``GitError``
    saying what to fetch when the repository does not have it (a shallow clone in CI has only
    the commit under test)."""
    if not name or name.startswith("-") or any(c in name for c in "\0\n\r") or ":" in name:
        raise GitError(f"{name!r} is not the name of a git revision")
    run = git.run(("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"))
    try:
        completed = run.output()
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git rev-parse {name}: {exc}") from None
    finally:
        run.kill()
    if completed.returncode != 0:
        raise GitError(_missing(git, name))
    return Revision(name, completed.stdout.decode("ascii", "replace").strip(), git)


def _missing(git: GitSession, name: str) -> str:
    found = _REMOTE_BRANCH.fullmatch(name)
    remote, branch = (found.group(1), found.group(2)) if found else ("origin", name)
    where = "this shallow clone" if _is_shallow(git) else "this repository"
    return (
        f"{name} is not a commit of {where}; fetch it first, e.g. "
        f"`git fetch --depth=1 {remote} {branch}` (a CI checkout often has only the commit "
        "under test)"
    )


def _is_shallow(git: GitSession) -> bool:
    run = git.run(("rev-parse", "--is-shallow-repository"))
    try:
        return run.output().stdout.strip() == b"true"
    except (OSError, subprocess.TimeoutExpired):
        return False
    finally:
        run.kill()


def read_at(revision: Revision, path: str, limit: int) -> bytes | None:
    """The bytes of the file ``path`` (from the repository's top, forward slashes) at
    ``revision``; ``None`` if it has no such file. Symbolic links inside the tree are followed.
    Raises ``GitError`` for a path that leaves the repository, one that is not a file (a
    folder, a link out of the tree), a file over ``limit`` bytes, and when git fails."""
    clean = posixpath.normpath(path)
    if clean.startswith(("/", "../")) or clean == ".." or "\n" in clean or clean == ".":
        raise GitError(f"{path} is not a path inside the repository")
    request = f"{revision.commit}:{clean}\n".encode("utf-8", "surrogateescape")
    run = revision.git.run(("cat-file", "--batch", "--follow-symlinks"), stdin=request)
    try:
        status = run.wait()
        if status != 0:
            raise GitError(run.failure(run.output()))
        head = run.read_at(0, _HEADER_BYTES)
        header, newline, _ = head.partition(b"\n")
        text = header.decode("utf-8", "replace")
        if text.endswith(" missing") or text.startswith(("dangling ", "notdir ")):
            return None
        found = _BLOB_HEADER.fullmatch(text) if newline else None
        if found is None:
            word = text.split(" ")[0] if text.startswith(("symlink ", "loop ")) else "folder"
            raise GitError(f"{clean} at {revision.name} is {_NOT_A_FILE[word]}")
        size = int(found.group(1))
        if size > limit:
            raise GitError(f"{clean} at {revision.name} is larger than {_size(limit)}")
        return run.read_at(len(header) + 1, size)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git cat-file {revision.name}:{clean}: {exc}") from None
    finally:
        run.kill()


def _size(limit: int) -> str:
    return f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{max(limit // 1024, 1)} KB"
