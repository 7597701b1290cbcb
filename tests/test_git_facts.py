"""What dsdone learns from git's plumbing: the file index parsed from ``git ls-files``, the
state from ``git rev-parse``, the changes from ls-files and ``git diff-index``, and blob sizes
from ``git ls-tree``, as ``Project`` combines them."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, git
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from dsdone.contract import load_contract
from dsdone.fileindex import _entries, _git_index, _index_of_entries
from dsdone.project import Project


def open_project(root: Path) -> Project:
    contract = load_contract(root)
    return Project(contract.root, contract)


def write_raw(folder: Path, name: bytes, content: bytes) -> None:
    """Write a file whose name is given as bytes: it need not be UTF-8 (POSIX only)."""
    fd = os.open(os.fsencode(folder) + b"/" + name, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
    try:
        os.write(fd, content)
    finally:
        os.close(fd)


# -- the two parsers of git ls-files agree ----------------------------------------------------

# Names a data team writes: ASCII, spaces, accents, other scripts, emoji.
_NAME_CHARACTERS = ["a", "b", "Z", "0", "_", "-", ".", " ", "é", "ü", "日", "\U0001f600"]
# What sometimes hides in a name: a tab (git's field separator), a newline, an escape sequence,
# DEL, a C1 control (U+0085, valid UTF-8), and bytes that are not UTF-8 (Latin-1, a truncated
# sequence). Never NUL or "/": git allows neither inside a name.
_ODD_PIECES = [b"\t", b"\n", b"\x1b[2J", b"\x7f", "\x85".encode(), b"\xe9", b"\xff", b"\xc3"]

_segments = (
    st.text(alphabet=st.sampled_from(_NAME_CHARACTERS), min_size=1, max_size=6)
    .filter(lambda s: s not in (".", "..") and s.lower() != ".git")  # git refuses these
    .map(str.encode)
)
_clean_names = st.lists(_segments, min_size=1, max_size=3).map(b"/".join)


@st.composite
def _names(draw: st.DrawFn) -> bytes:
    """A path as git stores it; about one in eight holds an odd piece at some byte."""
    name = draw(_clean_names)
    if draw(st.integers(0, 7)) != 0:
        return name
    piece = draw(st.sampled_from(_ODD_PIECES))
    at = draw(st.integers(0, len(name)))
    return name[:at] + piece + name[at:]


# What git lists again after a tracked file's H entry: nothing, C (changed in the work tree),
# or R then C (deleted from it: a deleted file is also a changed one).
_FOLLOW_UPS = [(), (b"C",), (b"R", b"C")]


@st.composite
def ls_files_outputs(draw: st.DrawFn) -> bytes:
    """A realistic output of ``git ls-files -z -t --stage --cached --modified --deleted
    --others --exclude-standard``: unique paths, none of them the folder of another, the
    untracked ones first, each listing in git's byte order."""
    names = draw(st.lists(_names(), max_size=10, unique=True))
    kept: list[bytes] = []
    for name in names:
        if not any(
            name.startswith(other + b"/") or other.startswith(name + b"/") for other in kept
        ):
            kept.append(name)
    untracked: list[bytes] = []
    tracked: list[bytes] = []
    for name in kept:
        kind = draw(st.sampled_from(["untracked", "nested-repository", "tracked"]))
        if kind == "untracked":
            untracked.append(b"? " + name)
        elif kind == "nested-repository":
            untracked.append(b"? " + name + b"/")  # git names a repository inside as a folder
        else:
            mode = draw(st.sampled_from([b"100644", b"100644", b"120000", b"160000"]))
            sha = hashlib.sha1(name).hexdigest().encode()
            meta = b"%s %s 0\t%s" % (mode, sha, name)
            follow_ups = draw(st.sampled_from(_FOLLOW_UPS))
            tracked.extend(tag + b" " + meta for tag in (b"H", *follow_ups))
    # Sorting the entries by their path keeps H before its C or R (a stable sort).
    tracked.sort(key=lambda entry: entry.partition(b"\t")[2])
    return b"".join(entry + b"\0" for entry in sorted(untracked) + tracked)


_UNTRACKED = b"? caf\xc3\xa9 notes.md\0? nested/\0"
_TRACKED = (
    b"H 100644 " + b"1" * 40 + b" 0\tdata/my file.csv\0"
    b"C 100644 " + b"1" * 40 + b" 0\tdata/my file.csv\0"
    b"H 100644 " + b"2" * 40 + b" 0\tgone.py\0"
    b"R 100644 " + b"2" * 40 + b" 0\tgone.py\0"
    b"C 100644 " + b"2" * 40 + b" 0\tgone.py\0"
    b"H 120000 " + b"3" * 40 + b" 0\tlink\0"
    b"H 160000 " + b"4" * 40 + b" 0\tvendor\0"
    b"C 160000 " + b"4" * 40 + b" 0\tvendor\0"
    b"H 100644 " + b"5" * 40 + b" 0\t\xe6\x97\xa5\xe6\x9c\xac.py\0"
)
_EVERY_KIND_CLEAN = _UNTRACKED + _TRACKED
# The same with one name holding a tab (first in git's order): only the entry-by-entry parser
# can tell its fields.
_TAB_IN_A_TRACKED_NAME = _UNTRACKED + b"H 100644 " + b"6" * 40 + b" 0\ta\tb.py\0" + _TRACKED
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def empty_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # No file of any generated name exists here, so both parsers judge every untracked file
    # and symbolic link alike (unreadable); what differs between them is the parsing.
    return tmp_path_factory.mktemp("empty-root").resolve()


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(output=ls_files_outputs())
@example(output=b"")
@example(output=_EVERY_KIND_CLEAN)
@example(output=_TAB_IN_A_TRACKED_NAME)
@example(
    output=b"H 100644 " + b"7" * 40 + b" 0\tcaf\xe9.py\0C 100644 " + b"7" * 40 + b" 0\tcaf\xe9.py\0"
)
def test_the_fast_parser_of_ls_files_agrees_with_the_entry_by_entry_one(
    empty_root: Path, output: bytes
) -> None:
    try:
        output.decode("utf-8")
        event("every name is UTF-8")
    except UnicodeDecodeError:
        event("a name is not UTF-8")
    fast = _git_index(empty_root, output)
    careful = _index_of_entries(empty_root, _entries(output))
    assert fast == careful
    # Whichever parser ran, no name that reaches a report holds a control character or a byte
    # that cannot be written as UTF-8.
    names = [*fast.files, *fast.tracked, *fast.changed, *(path for path, _ in fast.skipped)]
    for name in names:
        assert not _CONTROL_CHARACTER.search(name), name
        name.encode("utf-8")  # raises on a surrogate left by os.fsdecode


def test_the_hand_written_listing_is_parsed_as_git_means_it(empty_root: Path) -> None:
    # The property above says the parsers agree; this pins what they agree on.
    index = _git_index(empty_root, _EVERY_KIND_CLEAN)
    assert index.files == ("data/my file.csv", "日本.py")
    assert index.tracked == {"data/my file.csv", "gone.py", "link", "vendor", "日本.py"}
    assert index.changed == {"café notes.md", "nested", "data/my file.csv", "gone.py", "vendor"}
    assert dict(index.skipped) == {
        "café notes.md": "cannot be read: No such file or directory",
        "gone.py": "tracked, but deleted from the work tree",
        "link": "cannot be read: No such file or directory",
        "nested": "a nested git repository",
        "vendor": "a git submodule",
    }


# -- Project.git: what changed, on real repositories ------------------------------------------


def _modify(repo: Path) -> None:
    (repo / "a.py").write_text("x = 2\n", "utf-8")


def _delete(repo: Path) -> None:
    (repo / "a.py").unlink()


def _untracked(repo: Path) -> None:
    (repo / "new.py").write_text("", "utf-8")


def _ignored(repo: Path) -> None:
    (repo / "run.log").write_text("", "utf-8")


def _staged_new(repo: Path) -> None:
    (repo / "new.py").write_text("", "utf-8")
    git(repo, "add", "new.py")


def _staged_then_modified(repo: Path) -> None:
    _modify(repo)
    git(repo, "add", "a.py")
    (repo / "a.py").write_text("x = 3\n", "utf-8")


def _staged_deletion(repo: Path) -> None:
    git(repo, "rm", "-q", "a.py")  # gone from the index and the disk: only diff-index sees it


def _untracked_folder_of_two(repo: Path) -> None:
    (repo / "scratch").mkdir()
    (repo / "scratch" / "one.py").write_text("", "utf-8")
    (repo / "scratch" / "two.py").write_text("", "utf-8")


@pytest.mark.parametrize(
    ("change", "dirty", "changed"),
    [
        pytest.param(lambda repo: None, False, 0, id="clean"),
        pytest.param(_modify, True, 1, id="modified"),
        pytest.param(_delete, True, 1, id="deleted"),
        pytest.param(_untracked, True, 1, id="untracked"),
        pytest.param(_ignored, False, 0, id="ignored"),
        pytest.param(_staged_new, True, 1, id="staged-new-file"),
        # Listed by ls-files (changed in the work tree) and by diff-index (staged): one file.
        pytest.param(_staged_then_modified, True, 1, id="staged-and-modified-again"),
        pytest.param(_staged_deletion, True, 1, id="staged-deletion"),
        pytest.param(_untracked_folder_of_two, True, 2, id="untracked-folder-counts-its-files"),
    ],
)
def test_git_changes_count_each_file_that_differs_from_head_once(
    make_repo: MakeRepo, change: Callable[[Path], None], dirty: bool, changed: int
) -> None:
    repo = make_repo({"a.py": "x = 1\n", "b.py": "", ".gitignore": "*.log\n"})
    change(repo)
    state = open_project(repo).git
    assert (state.dirty, state.changed) == (dirty, changed)
    assert state.commit == git(repo, "rev-parse", "HEAD").strip()


def _monorepo(make_repo: MakeRepo) -> Path:
    return make_repo(
        {"app/dsdone.yaml": MINIMAL_CONTRACT, "app/a.py": "", "lib/x.py": "", "top.py": ""},
        contract=None,
    )


def _change_outside(repo: Path) -> None:
    (repo / "lib" / "x.py").write_text("changed = True\n", "utf-8")  # modified
    (repo / "top.py").unlink()  # deleted
    (repo / "lib" / "new.py").write_text("", "utf-8")  # untracked
    (repo / "staged.py").write_text("", "utf-8")
    git(repo, "add", "staged.py")  # staged


def test_changes_outside_the_project_folder_are_not_counted(make_repo: MakeRepo) -> None:
    repo = _monorepo(make_repo)
    _change_outside(repo)
    state = open_project(repo / "app").git
    assert (state.dirty, state.changed) == (False, 0)
    assert state.work_tree == repo.resolve()


def test_changes_inside_the_project_folder_count_beside_changes_outside(
    make_repo: MakeRepo,
) -> None:
    repo = _monorepo(make_repo)
    _change_outside(repo)
    (repo / "app" / "a.py").write_text("x = 1\n", "utf-8")
    (repo / "app" / "new.py").write_text("", "utf-8")
    git(repo, "add", "app/new.py")
    state = open_project(repo / "app").git
    assert (state.dirty, state.changed) == (True, 2)


def test_before_the_first_commit_nothing_counts_as_changed(make_repo: MakeRepo) -> None:
    # Everything differs from a HEAD that does not exist yet: "dirty" would say nothing useful.
    repo = make_repo({"a.py": ""}, commit=False)
    git(repo, "add", "a.py")
    state = open_project(repo).git
    assert (state.commit, state.dirty, state.changed) == (None, False, 0)
    assert state.work_tree == repo.resolve() and state.problem is None


def test_a_branch_name_with_a_slash_is_kept_whole(make_repo: MakeRepo) -> None:
    repo = make_repo({"a.py": ""})
    git(repo, "checkout", "-q", "-b", "feature/x")
    assert open_project(repo).git.branch == "feature/x"


def test_a_detached_head_has_no_branch_but_its_commit(make_repo: MakeRepo) -> None:
    repo = make_repo({"a.py": ""})
    git(repo, "checkout", "-q", "--detach")
    state = open_project(repo).git
    assert state.branch is None
    assert state.commit == git(repo, "rev-parse", "HEAD").strip()


def test_a_shallow_clone_says_it_is_shallow(make_repo: MakeRepo, tmp_path: Path) -> None:
    origin = make_repo({"a.py": ""}, name="origin")
    (origin / "a.py").write_text("x = 1\n", "utf-8")
    git(origin, "commit", "-q", "-am", "second")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", "clone")
    state = open_project(tmp_path / "clone").git
    assert (state.shallow, state.branch, state.dirty) == (True, "main", False)
    assert open_project(origin).git.shallow is False


# -- Project.blobs_larger_than ----------------------------------------------------------------


@pytest.mark.parametrize(
    "limit",
    [1000, 999],  # 999: the size one byte over it has one digit more than the limit
)
def test_a_blob_exactly_at_the_limit_is_not_larger_one_byte_over_is(
    make_repo: MakeRepo, limit: int
) -> None:
    repo = make_repo(
        {"at.bin": b"x" * limit, "over.bin": b"x" * (limit + 1), "under.bin": b"x" * (limit - 1)}
    )
    assert open_project(repo).blobs_larger_than(limit) == {"over.bin": limit + 1}


def test_a_git_lfs_pointer_is_as_large_as_the_pointer_not_the_file_on_disk(
    make_repo: MakeRepo,
) -> None:
    pointer = (
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
        "size 12345678\n"
    )
    repo = make_repo({"models/model.bin": pointer})
    # With git-lfs installed the work tree holds the real artefact; git holds the pointer.
    (repo / "models" / "model.bin").write_bytes(b"\1" * 5000)
    project = open_project(repo)
    assert project.blobs_larger_than(1000) == {}
    assert project.blobs_larger_than(len(pointer) - 1) == {"models/model.bin": len(pointer)}


def test_blob_sizes_in_a_project_subfolder_are_of_its_files_relative_to_it(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo(
        {
            "services/churn/dsdone.yaml": MINIMAL_CONTRACT,
            "services/churn/models/big.bin": b"\0" * 2000,
            "services/other/big.bin": b"\0" * 3000,
            "top.bin": b"\0" * 4000,
        },
        contract=None,
    )
    project = open_project(repo / "services" / "churn")
    assert project.blobs_larger_than(1000) == {"models/big.bin": 2000}


def test_without_a_commit_no_blob_is_larger(make_repo: MakeRepo) -> None:
    repo = make_repo({"big.bin": b"\0" * 5000}, commit=False)
    git(repo, "add", "big.bin")  # staged, but there is no HEAD to compare with
    assert open_project(repo).blobs_larger_than(1000) == {}


@pytest.mark.parametrize("name", ["log_12345678\tx.txt", "log 12345678\tx.txt"])
def test_digits_and_a_tab_in_a_file_name_are_not_read_as_a_size(
    make_repo: MakeRepo, name: str
) -> None:
    # The listing's entry is "MODE blob ID      6\tNAME": in the name, " 12345678\t" looks
    # like a size field too, but it is not the entry's first tab.
    repo = make_repo({name: "small\n", "big.bin": b"\0" * 1_000_001})
    assert open_project(repo).blobs_larger_than(1_000_000) == {"big.bin": 1_000_001}


# -- names git allows and reports cannot show -------------------------------------------------

_ODD_SKIPPED = {
    "a\\x09b.py": "its name holds control characters",
    "caf\\xe9.py": "its name is not valid UTF-8",
}


def _repo_with_odd_names(make_repo: MakeRepo) -> Path:
    repo = make_repo({"ok.py": "", "sub/normal.py": ""}, commit=False)
    write_raw(repo, b"a\tb.py", b"tab\n")
    write_raw(repo, b"caf\xe9.py", b"latin-1\n")  # Latin-1 "café": not UTF-8
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "odd names")
    return repo


def test_committed_odd_names_are_skipped_with_a_reason_and_the_rest_indexed(
    make_repo: MakeRepo,
) -> None:
    repo = _repo_with_odd_names(make_repo)
    assert len(git(repo, "ls-files").splitlines()) == 5  # git did commit both
    project = open_project(repo)
    assert project.files == ("dsdone.yaml", "ok.py", "sub/normal.py")
    assert dict(project.index.skipped) == _ODD_SKIPPED
    assert {"dsdone.yaml", "ok.py", "sub/normal.py"} <= project.index.tracked
    assert (project.git.dirty, project.git.changed) == (False, 0)


def test_modified_odd_names_each_count_as_one_change(make_repo: MakeRepo) -> None:
    repo = _repo_with_odd_names(make_repo)
    write_raw(repo, b"a\tb.py", b"tab, changed\n")
    write_raw(repo, b"caf\xe9.py", b"latin-1, changed\n")
    project = open_project(repo)
    assert dict(project.index.skipped) == _ODD_SKIPPED
    assert (project.git.dirty, project.git.changed) == (True, 2)


def test_staged_and_modified_odd_names_each_count_once(make_repo: MakeRepo) -> None:
    repo = _repo_with_odd_names(make_repo)
    for name in (b"a\tb.py", b"caf\xe9.py"):
        write_raw(repo, name, b"staged\n")
        git(repo, "add", os.fsdecode(name))
        write_raw(repo, name, b"staged, then changed again\n")
    assert open_project(repo).git.changed == 2
