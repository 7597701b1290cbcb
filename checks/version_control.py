"""version-control: the project lives in git, with its contract, and without heavy artefacts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dsdone.api import CheckError, Note, check, option
from dsdone.errors import GitError
from dsdone.project import OutsideProject, Project
from dsdone.report import Area, Finding, Severity

MEGABYTE = 1024 * 1024
# The first line of every Git LFS pointer file, and the size every pointer stays below
# (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md).
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/v1"
LFS_POINTER_MAX_BYTES = 1024


@dataclass(frozen=True)
class VersionControlOptions:
    max_file_mb: float = option(
        10.0, help="Largest file, in MB, that may be committed to git (Git LFS pointers excepted)."
    )
    fail_on_dirty: bool = option(
        False, help="Also fail when the work tree has uncommitted changes (e.g. in a release job)."
    )


@check(
    id="version-control",
    title="The project is versioned in git",
    severity=Severity.ERROR,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("I1", "M1"),
    fix="Commit the project and its dsdone.yaml to git; keep data and model files in DVC, "
    "Git LFS or object storage.",
    options=VersionControlOptions,
)
def version_control(project: Project, options: VersionControlOptions) -> Iterator[Finding | Note]:
    """A model nobody can tie to a commit cannot be reproduced, reviewed or rolled back: when a
    prediction is questioned, the team must be able to say which code and which contract
    produced it. Large data and model files committed to git make every clone slow, cannot be
    removed from history without rewriting it, and hide which artefact version was used.

    Checks that the project is inside a git work tree (a subfolder of a larger repository is
    fine), that the repository has a commit, that the contract file is tracked, and that no
    tracked file above `max_file_mb` is committed unless it is a Git LFS pointer. Reports the
    commit and whether the work tree is dirty; a dirty tree fails only with `fail_on_dirty`.
    """
    problem = project.index.git_problem or project.git.problem
    if problem is not None:
        raise CheckError(
            f"git is not usable here, so version control cannot be checked: {problem}. "
            "Install git (or repair the repository) and run again."
        )
    state = project.git
    if state.work_tree is None:
        yield Finding(
            "the project is not inside a git work tree",
            hint="run `git init`, then `git add` the project and commit it",
        )
        yield Note("not a git repository")
        return

    contract = project.contract_path
    status = project.status(contract)
    problem = status.problem("the contract")
    if problem is not None:
        yield Finding(problem, path=contract, hint=status.fix(contract))

    if state.commit is None:
        yield Finding(
            "the repository has no commit yet",
            hint="commit the project: `git add` its files, then `git commit`",
        )
        yield Note(_describe(project, None, 0))
        return

    try:
        large = project.blobs_larger_than(int(options.max_file_mb * MEGABYTE))
    except GitError as exc:
        raise CheckError(f"cannot list the sizes of the files in git: {exc}") from None
    for path, size in sorted(large.items()):
        if size < LFS_POINTER_MAX_BYTES and _is_lfs_pointer(project, path):
            continue  # only under a limit of less than 1 KB can a pointer be over it
        yield Finding(
            f"a file of {_size(size)} is committed to git "
            f"(the limit is {options.max_file_mb:g} MB)",
            path=path,
            hint="data and model artefacts belong in DVC, Git LFS or object storage, not in git: "
            f"`git rm --cached {path}`, then track it with DVC or `git lfs track`",
        )

    changed = state.changed
    if changed and options.fail_on_dirty:
        yield Finding(
            f"the work tree has uncommitted changes ({_files(changed)} changed)",
            hint="commit or discard the changes so that the report describes a commit",
        )
    yield Note(_describe(project, state.commit, changed))


def _describe(project: Project, commit: str | None, changed: int) -> str:
    """The state a reader needs to trust the run, e.g. 'commit 1a2b3c4d5e6f on main, clean'."""
    state = project.git
    if commit is None:
        parts = ["no commit yet"]
    else:
        head = (
            f"detached HEAD at {commit[:12]}"
            if state.branch is None
            else f"commit {commit[:12]} on {state.branch}"
        )
        parts = [head, f"{_files(changed)} changed" if changed else "clean"]
    if state.shallow:
        parts.append("shallow clone")
    if state.work_tree is not None and state.work_tree.resolve() != project.root:
        inside = project.root.relative_to(state.work_tree.resolve()).as_posix()
        parts.append(f"project in {inside}/ of the repository")
    return ", ".join(parts)


def _size(size: int) -> str:
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.1f} MB"
    return f"{size / 1024:.1f} KB"


def _files(count: int) -> str:
    return f"{count} file" + ("s" if count != 1 else "")


def _is_lfs_pointer(project: Project, path: str) -> bool:
    try:
        return project.read_bytes(path, len(LFS_POINTER_PREFIX)) == LFS_POINTER_PREFIX
    except OutsideProject:
        return True  # reached through a symbolic link out of the project: not ours to judge
    except OSError:
        return False
