"""Which files belong to the project: git's tracked files plus untracked files that are not
ignored, from a single ``git ls-files`` call; outside git, a walk that honours ``.gitignore``."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class FileIndex:
    """Every file of the project, relative to its root, with forward slashes, sorted."""

    files: tuple[str, ...]
    tracked: frozenset[str]
    in_git: bool  # False: not in a work tree, or git is missing; then nothing is tracked
    git_problem: str | None = None  # why the index did not come from git, when git was expected


def build_file_index(root: Path) -> FileIndex:
    try:
        completed = subprocess.run(
            ["git", "ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        return _walk_index(root, git_problem="the git executable was not found")
    except subprocess.TimeoutExpired:
        return _walk_index(root, git_problem="git ls-files did not finish in time")
    if completed.returncode != 0:
        # Not a work tree (the common case), or a broken repository: walk the folder instead.
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        problem = None if b"not a git repository" in completed.stderr else (
            message[-1] if message else "git ls-files failed"
        )
        return _walk_index(root, git_problem=problem)
    files: set[str] = set()
    tracked: set[str] = set()
    for entry in completed.stdout.split(b"\0"):
        if not entry:
            continue
        tag, path = entry[:1], os.fsdecode(entry[2:])
        files.add(path)
        if tag != b"?":
            tracked.add(path)
    return FileIndex(files=tuple(sorted(files)), tracked=frozenset(tracked), in_git=True)


def _walk_index(root: Path, git_problem: str | None) -> FileIndex:
    import pathspec

    files: list[str] = []
    # One spec per folder that has a .gitignore, applied to paths below that folder, as git does.
    specs: list[tuple[str, pathspec.PathSpec]] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        rel_folder = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel_folder == "." else f"{rel_folder}/"
        specs = [(base, spec) for base, spec in specs if prefix.startswith(base)]
        if ".gitignore" in filenames:
            try:
                lines = (Path(folder) / ".gitignore").read_text("utf-8", "replace").splitlines()
                specs.append((prefix, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError:
                pass

        def ignored(rel: str, is_dir: bool) -> bool:
            probe = f"{rel}/" if is_dir else rel
            return any(spec.match_file(probe[len(base) :]) for base, spec in specs)

        dirnames[:] = sorted(
            d for d in dirnames if d != ".git" and not ignored(f"{prefix}{d}", is_dir=True)
        )
        files.extend(
            f"{prefix}{name}" for name in filenames if not ignored(f"{prefix}{name}", is_dir=False)
        )
    return FileIndex(
        files=tuple(sorted(files)), tracked=frozenset(), in_git=False, git_problem=git_problem
    )
