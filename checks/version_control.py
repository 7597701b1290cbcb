"""version-control: the project lives in git, with its contract, and without heavy artefacts."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from dsdone.api import CheckError, Note, check, option
from dsdone.contract import release
from dsdone.errors import GitError
from dsdone.project import OutsideProject, Project
from dsdone.report import Area, Finding, Severity

MEGABYTE = 1024 * 1024
# The first line of every Git LFS pointer file, and the size every pointer stays below
# (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md).
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/v1"
LFS_POINTER_MAX_BYTES = 1024
KILOBYTE = 1024
# What a data or model file is, by its suffix: serialised models and weights, and data sets
# in the formats data-science code writes. A compressed copy (``train.csv.gz``) is one too.
MODEL_SUFFIXES = frozenset(
    {
        ".pkl", ".pickle", ".joblib", ".sav", ".pt", ".pth", ".ckpt", ".onnx", ".safetensors",
        ".pb", ".tflite", ".keras", ".h5", ".hdf5", ".bin", ".mlmodel", ".gguf", ".msgpack",
    }
)  # fmt: skip
DATA_SUFFIXES = frozenset(
    {
        ".parquet", ".feather", ".arrow", ".orc", ".avro", ".npy", ".npz", ".csv", ".tsv",
        ".jsonl", ".ndjson", ".xlsx", ".xls", ".hdf", ".rds", ".rda", ".rdata", ".dta",
        ".sas7bdat", ".mat",
    }
)  # fmt: skip
COMPRESSED_SUFFIXES = frozenset({".gz", ".bz2", ".xz", ".zst", ".zip"})
# The release that brought the rule for data and model files. Upgrading never turns a green
# gate red without notice (README, "Upgrading dsdone"): a contract written for an older
# release is told about such files in the summary, and blocked by them once it opts in.
ARTIFACTS_SINCE = "0.2.0"


@dataclass(frozen=True)
class VersionControlOptions:
    max_file_mb: float = option(
        10.0, help="Largest file, in MB, that may be committed to git (Git LFS pointers excepted)."
    )
    max_artifact_kb: float = option(
        1024.0,
        help="Largest data or model file (by its suffix: .pkl, .pt, .onnx, .parquet, .csv, ...), "
        "in KB, that may be committed to git; test fixtures of a few KB stay below it.",
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
    tracked file above `max_file_mb` (10 MB) is committed, nor a data or model file above
    `max_artifact_kb` (1 MB): a file that is one by its suffix (`.pkl`, `.joblib`, `.pt`,
    `.ckpt`, `.onnx`, `.safetensors`, `.h5`, `.bin`, `.parquet`, `.feather`, `.npy`, `.csv`,
    `.jsonl`, `.xlsx`, ..., also compressed as `.csv.gz`). Sizes are git's (a Git LFS pointer
    is a small file, never a finding). The rule for data and model files came in dsdone 0.2.0:
    a contract `written_for` an older release is told of such files in the summary, not
    blocked. Reports the commit and whether the work tree is dirty; a dirty tree fails only
    with `fail_on_dirty`.
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

    file_limit = int(options.max_file_mb * MEGABYTE)
    artifact_limit = int(options.max_artifact_kb * KILOBYTE)
    try:
        # One listing of git's sizes for both limits: the artefact limit is usually the lower.
        large = project.blobs_larger_than(min(file_limit, artifact_limit))
    except GitError as exc:
        raise CheckError(f"cannot list the sizes of the files in git: {exc}") from None
    artifacts_block = release(project.contract.written_for) >= release(ARTIFACTS_SINCE)
    unreported = 0
    for path, size in sorted(large.items()):
        suffix = artifact_suffix(path)
        if size <= file_limit and (suffix is None or size <= artifact_limit):
            continue
        if size < LFS_POINTER_MAX_BYTES and _is_lfs_pointer(project, path):
            continue  # only under a limit of less than 1 KB can a pointer be over it
        if size > file_limit:
            message = (
                f"a file of {_size(size)} is committed to git "
                f"(the limit is {options.max_file_mb:g} MB)"
            )
        elif not artifacts_block:
            unreported += 1
            continue
        else:
            message = (
                f"a {suffix} file of {_size(size)} is committed to git (the limit for data and "
                f"model files is {_limit(artifact_limit)})"
            )
        yield Finding(message, path=path, hint=_outside_git(path, suffix))
    if unreported:
        yield Note(
            f"{unreported} data or model file{'s' if unreported != 1 else ''} above "
            f"{_limit(artifact_limit)} in git "
            f"(new in dsdone {ARTIFACTS_SINCE}, not blocking: the contract is written for "
            f'{project.contract.written_for}; set `written_for: "{ARTIFACTS_SINCE}"` to opt in)'
        )

    changed = state.changed
    if changed and options.fail_on_dirty:
        yield Finding(
            f"the work tree has uncommitted changes ({_files(changed)} changed)",
            hint="commit or discard the changes so that the report describes a commit",
        )
    yield Note(_describe(project, state.commit, changed))


def artifact_suffix(path: str) -> str | None:
    """The suffix that makes ``path`` a data or model file (``.pkl``, ``.csv.gz``), if any."""
    name = path.rpartition("/")[2].lower()
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        return None
    if "." + suffix in COMPRESSED_SUFFIXES:
        inner = stem.rpartition(".")
        if inner[1] and inner[0] and "." + inner[2] in MODEL_SUFFIXES | DATA_SUFFIXES:
            return f".{inner[2]}.{suffix}"
        return None
    return "." + suffix if "." + suffix in MODEL_SUFFIXES | DATA_SUFFIXES else None


def _outside_git(path: str, suffix: str | None) -> str:
    """How to move the file out of git, with its own path: DVC, Git LFS or object storage."""
    quoted = shlex.quote(path)
    name = path.rpartition("/")[2]
    if suffix is None and "." in name.lstrip("."):
        suffix = "." + name.rpartition(".")[2]
    pattern = shlex.quote(f"*{suffix}" if suffix else path)
    return (
        "data and model artefacts belong in DVC, Git LFS or object storage, not in git: "
        f"`git rm --cached {quoted} && dvc add {quoted}`, or `git lfs track {pattern}` "
        "(history keeps the old blob until it is rewritten)"
    )


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
    return f"{size / KILOBYTE:.1f} KB"


def _limit(size: int) -> str:
    """A limit as it was likely set: "1 MB", "500 KB"."""
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:g} MB"
    return f"{size / KILOBYTE:g} KB"


def _files(count: int) -> str:
    return f"{count} file" + ("s" if count != 1 else "")


def _is_lfs_pointer(project: Project, path: str) -> bool:
    try:
        return project.read_bytes(path, len(LFS_POINTER_PREFIX)) == LFS_POINTER_PREFIX
    except OutsideProject:
        return True  # reached through a symbolic link out of the project: not ours to judge
    except OSError:
        return False
