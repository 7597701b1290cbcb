"""How large the files are that git stores for the project: the blobs of its index.

Sizes come from git, not from the disk: with Git LFS the work tree holds a large file while
git stores a small pointer, and a file may differ in the work tree from what is staged. The
committed tree lists its blob sizes (``git ls-tree -l``, which reads no file content), and the
few files staged since are asked for one by one (``git cat-file --batch-check``).
"""

from __future__ import annotations

import re

from dsdone.errors import GitError
from dsdone.git.command import GitRun
from dsdone.git.session import GitSession

# In the current folder: the project's part of HEAD's tree, paths relative to it.
LS_TREE = ("ls-tree", "-r", "-l", "-z", "HEAD")
# The start of an entry of ``git ls-tree -l``, up to its size: mode, type, object id, padding.
_BLOB_HEADER = re.compile(rb"[0-7]+ blob [0-9a-f]+ +")
# What the index changes against HEAD below the current folder, paths relative to it.
STAGED = ("diff-index", "--cached", "--name-only", "--no-renames", "--relative", "-z", "HEAD")


def staged_paths(run: GitRun) -> frozenset[str]:
    """The files whose staged version differs from HEAD (added, changed, removed); none
    before the first commit. Raises ``OSError``, ``subprocess.TimeoutExpired`` or
    ``GitError``."""
    completed = run.output()
    if completed.returncode != 0:
        if _no_commit(completed.stderr):
            return frozenset()
        raise GitError(run.failure(completed))
    names = (name.decode("utf-8", "surrogateescape") for name in completed.stdout.split(b"\0"))
    return frozenset(name for name in names if name)


def read_tree(tree_run: GitRun) -> bytes | None:
    """HEAD's tree as ``tree_run`` (``git LS_TREE``) lists it, with the size of each blob;
    ``None`` in a repository without a commit. Raises ``OSError``,
    ``subprocess.TimeoutExpired`` or ``GitError`` when git cannot tell."""
    try:
        tree = tree_run.output()
    finally:
        tree_run.kill()
    if tree.returncode != 0:
        if _no_commit(tree.stderr):
            return None
        raise GitError(tree_run.failure(tree))
    return tree.stdout


def blobs_larger_than(
    git: GitSession, limit: int, listing: bytes | None, staged: frozenset[str]
) -> dict[str, int]:
    """The files whose blob in git's index is larger than ``limit`` bytes, with their size:
    from HEAD's tree (``listing``, from ``read_tree``) but for the ``staged`` files, which git
    is asked for one by one. Raises ``OSError``, ``subprocess.TimeoutExpired`` or ``GitError``
    when git cannot tell; an empty result in a repository without a commit."""
    if listing is None:
        return {}
    large: dict[str, int] = {}
    # Only sizes with as many digits as the limit can be larger than it: a regular expression
    # finds them in C ("-l" pads sizes with spaces and ends them with a tab). A match counts
    # only if it is an entry's size: its tab is the entry's first, after a blob's mode and id,
    # so that digits and a tab inside a file's name are never read as a size.
    for match in re.finditer(rb" (\d{%d,})\t" % len(str(int(limit))), listing):
        start = listing.rfind(b"\0", 0, match.start()) + 1
        if listing.find(b"\t", start) != match.end() - 1:
            continue
        if not _BLOB_HEADER.fullmatch(listing, start, match.start() + 1):
            continue
        end = listing.find(b"\0", match.end())
        name = listing[match.end() : len(listing) if end < 0 else end]
        path = name.decode("utf-8", "surrogateescape")
        size = int(match.group(1))
        if size > limit and path not in staged:
            large[path] = size
    for staged_path, size in _index_sizes(git, sorted(staged)).items():
        if size > limit:
            large[staged_path] = size
    return large


def _no_commit(stderr: bytes) -> bool:
    """Whether git failed because HEAD has no commit yet (ls-tree and diff-index say it in
    their own words)."""
    return any(
        words in stderr
        for words in (b"Not a valid object name", b"bad revision", b"ambiguous argument 'HEAD'")
    )


def _index_sizes(git: GitSession, paths: list[str]) -> dict[str, int]:
    """The size of the blob git's index holds for each path (``:./path`` is relative to the
    current folder); a path the index no longer has (a staged deletion) is left out."""
    usable = [path for path in paths if "\n" not in path]
    if not usable:
        return {}
    request = "".join(f":./{path}\n" for path in usable).encode("utf-8", "surrogateescape")
    run = git.run(("cat-file", "--batch-check=%(objectsize)"), stdin=request)
    try:
        completed = run.output()
    finally:
        run.kill()
    if completed.returncode != 0:
        raise GitError(run.failure(completed))
    sizes: dict[str, int] = {}
    for path, line in zip(usable, completed.stdout.rstrip(b"\n").split(b"\n"), strict=True):
        text = line.decode("utf-8", "replace").strip()
        if text.isdigit():  # else "... missing"
            sizes[path] = int(text)
    return sizes
