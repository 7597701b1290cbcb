"""Project facts: the file index, safe paths, cached readers, git state."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, git

import dsdone.safe_read as reading
from dsdone.contract import load_contract
from dsdone.project import OutsideProject, Project


def open_project(root: Path) -> Project:
    contract = load_contract(root)
    return Project(contract.root, contract)


# -- the file index ---------------------------------------------------------------------------


def test_files_are_tracked_plus_untracked_not_ignored(make_repo) -> None:
    repo = make_repo({"src/a.py": "", ".gitignore": "*.log\ndata/\n"})
    (repo / "notes.md").write_text("x\n", "utf-8")
    (repo / "run.log").write_text("x\n", "utf-8")
    (repo / "data").mkdir()
    (repo / "data" / "big.csv").write_text("x\n", "utf-8")
    project = open_project(repo)
    assert project.files == (".gitignore", "dsdone.yaml", "notes.md", "src/a.py")
    assert project.is_tracked("src/a.py") and not project.is_tracked("notes.md")
    assert project.is_indexed("notes.md") and not project.is_indexed("run.log")
    assert project.index.in_git and project.index.git_problem is None


def test_outside_git_a_walk_honours_nested_gitignores(make_repo) -> None:
    repo = make_repo(
        {
            ".gitignore": "*.log\n",
            "src/.gitignore": "generated/\n!keep.log\n",
            "src/a.py": "",
            "src/keep.log": "",
            "src/generated/b.py": "",
            "top.log": "",
            "other/generated/c.py": "",
        },
        git_init=False,
    )
    project = open_project(repo)
    assert project.files == (
        ".gitignore",
        "dsdone.yaml",
        "other/generated/c.py",  # the src/.gitignore rule applies below src/ only
        "src/.gitignore",
        "src/a.py",
        "src/keep.log",
    )
    assert not project.index.in_git and project.index.tracked == frozenset()


def test_a_bad_gitignore_line_is_skipped_not_fatal(make_repo) -> None:
    repo = make_repo({".gitignore": "!\n*.log\n\\\n", "a.log": "", "b.py": ""}, git_init=False)
    assert "a.log" not in open_project(repo).files
    assert "b.py" in open_project(repo).files


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "walk"])
def test_links_that_cannot_be_read_safely_are_skipped_and_named(
    make_repo, tmp_path: Path, in_git: bool
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret\n", "utf-8")
    repo = make_repo({"real.py": "x = 1\n"}, git_init=in_git)
    (repo / "inside.py").symlink_to("real.py")
    (repo / "out.txt").symlink_to(outside)
    (repo / "loop_a").symlink_to("loop_b")
    (repo / "loop_b").symlink_to("loop_a")
    (repo / "dangling").symlink_to("nowhere")
    if in_git:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "links")
    project = open_project(repo)
    assert project.files == ("dsdone.yaml", "inside.py", "real.py")
    assert dict(project.index.skipped) == {
        "dangling": "a symbolic link that dangles or loops",
        "loop_a": "a symbolic link that dangles or loops",
        "loop_b": "a symbolic link that dangles or loops",
        "out.txt": "a symbolic link to outside the project",
    }
    assert project.read_text("inside.py") == "x = 1\n"


def test_submodules_nested_repositories_and_deleted_files_are_not_files(make_repo) -> None:
    library = make_repo({"lib.py": ""}, contract=None, name="library")
    repo = make_repo({"gone.py": "", "kept.py": ""})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor")
    git(repo, "commit", "-q", "-m", "submodule")
    make_repo({"inner.py": ""}, contract=None, name="repo/nested")  # a repository inside
    (repo / "gone.py").unlink()
    project = open_project(repo)
    assert project.files == (".gitmodules", "dsdone.yaml", "kept.py")
    assert dict(project.index.skipped) == {
        "gone.py": "tracked, but deleted from the work tree",
        "nested": "a nested git repository",
        "vendor": "a git submodule",
    }
    assert project.is_tracked("gone.py")


def test_names_with_spaces_and_non_ascii_are_listed_as_they_are(make_repo) -> None:
    repo = make_repo({"my data/café ü.py": "", "日本/x.py": ""})
    assert {"my data/café ü.py", "日本/x.py"} <= set(open_project(repo).files)


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "walk"])
def test_names_that_cannot_be_shown_are_skipped_escaped(make_repo, in_git: bool) -> None:
    repo = make_repo({"ok.py": ""}, git_init=in_git, commit=False)
    (repo / "caf\udce9.py").write_bytes(b"")  # the byte 0xE9 alone: Latin-1, not UTF-8
    (repo / "evil\x1b[2J.py").write_bytes(b"")
    project = open_project(repo)
    assert project.files == ("dsdone.yaml", "ok.py")
    assert dict(project.index.skipped) == {
        "caf\\xe9.py": "its name is not valid UTF-8",
        "evil\\x1b[2J.py": "its name holds control characters",
    }


def test_folders_hold_every_parent_of_an_indexed_file(make_repo) -> None:
    repo = make_repo({"a/b/c.py": "", "d/e.py": ""})
    assert open_project(repo).folders == frozenset({"", "a", "a/b", "d"})


def test_glob_matches_gitignore_style(make_repo) -> None:
    repo = make_repo({"configs/a.yaml": "", "configs/deep/b.yaml": "", "c.yaml": "", "x.txt": ""})
    project = open_project(repo)
    assert project.glob(["*.yaml"]) == [
        "c.yaml",
        "configs/a.yaml",
        "configs/deep/b.yaml",
        "dsdone.yaml",
    ]
    assert project.glob(["configs/*.yaml"]) == ["configs/a.yaml"]


# -- safe paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    [
        "../outside.txt",
        "a/../../outside.txt",
        "/etc/passwd",
        "C:\\Windows\\system.ini",
        "\\\\server\\share\\x",
        "",
        "link_out/secret.txt",
        "file_link_out",
        "loop",
        "bad\x00name",
    ],
)
def test_a_path_that_leaves_the_project_is_refused(
    make_repo, tmp_path: Path, relative: str
) -> None:
    (tmp_path / "outside.txt").write_text("secret\n", "utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.txt").write_text("secret\n", "utf-8")
    repo = make_repo({"a/x.py": ""})
    (repo / "link_out").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (repo / "file_link_out").symlink_to(tmp_path / "outside.txt")
    (repo / "loop").symlink_to("loop")
    project = open_project(repo)
    with pytest.raises(OutsideProject):
        project.path(relative)
    with pytest.raises(OutsideProject):
        project.read_bytes(relative)
    assert project.exists(relative) is False


@pytest.mark.parametrize("relative", ["a/x.py", "a/../a/x.py", "./a/x.py", "link_in", "a"])
def test_a_path_inside_the_project_is_allowed(make_repo, relative: str) -> None:
    repo = make_repo({"a/x.py": "x = 1\n"})
    (repo / "link_in").symlink_to("a/x.py")
    project = open_project(repo)
    assert project.path(relative) == project.root / relative
    assert project.exists(relative)


# -- readers --------------------------------------------------------------------------------------


def test_read_text_is_strict_utf8_and_drops_a_bom(make_repo) -> None:
    repo = make_repo({"bom.py": b"\xef\xbb\xbfx = 1\r\n", "latin.py": b"x = '\xe9'\n"})
    project = open_project(repo)
    assert project.read_text("bom.py") == "x = 1\r\n"  # line endings kept as stored
    with pytest.raises(UnicodeDecodeError):
        project.read_text("latin.py")


def test_read_text_refuses_a_file_larger_than_the_cap(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_TEXT_BYTES", 1000)
    repo = make_repo({"small.py": "x" * 1000, "big.csv": "x" * 1001})
    project = open_project(repo)
    assert len(project.read_text("small.py")) == 1000
    with pytest.raises(OSError, match="too large to read as text"):
        project.read_text("big.csv")


def test_python_ast_reports_the_line_of_a_syntax_error(make_repo) -> None:
    repo = make_repo({"ok.py": "x = 1\n", "bad.py": "x = 1\ndef broken(:\n"})
    project = open_project(repo)
    assert project.python_ast("ok.py").body
    with pytest.raises(SyntaxError) as caught:
        project.python_ast("bad.py")
    assert caught.value.lineno == 2


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{", id="truncated-json"),
        pytest.param('{"cells": "oops", "nbformat": 4}', id="not-a-notebook"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="deeply-nested-json"),
    ],
)
def test_an_invalid_notebook_is_a_value_error(make_repo, content: str) -> None:
    repo = make_repo({"n.ipynb": content})
    with pytest.raises(ValueError, match="not a valid notebook"):
        open_project(repo).notebook("n.ipynb")


def test_a_valid_notebook_is_read(make_repo) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("print(1)"))
    repo = make_repo({"n.ipynb": nbformat.writes(notebook)})
    assert open_project(repo).notebook("n.ipynb").cells[0].source == "print(1)"


# -- git state and the contract --------------------------------------------------------------------


def test_git_state_of_a_fresh_commit(make_repo) -> None:
    repo = make_repo({"a.py": ""})
    state = open_project(repo).git
    assert state.commit == git(repo, "rev-parse", "HEAD").strip()
    assert (state.branch, state.dirty, state.shallow, state.problem) == ("main", False, False, None)
    assert state.work_tree == repo.resolve()


@pytest.mark.parametrize(
    ("change", "dirty"),
    [("modify", True), ("untracked", True), ("ignored", False), ("outside-the-project", False)],
)
def test_git_state_dirty_looks_at_the_project_folder_only(
    make_repo, change: str, dirty: bool
) -> None:
    repo = make_repo(
        {
            "project/dsdone.yaml": MINIMAL_CONTRACT,
            "project/a.py": "",
            "other.py": "",
            ".gitignore": "*.log\n",
        },
        contract=None,
    )
    if change == "modify":
        (repo / "project" / "a.py").write_text("x = 2\n", "utf-8")
    elif change == "untracked":
        (repo / "project" / "new.py").write_text("", "utf-8")
    elif change == "ignored":
        (repo / "project" / "run.log").write_text("", "utf-8")
    else:
        (repo / "other.py").write_text("x = 2\n", "utf-8")
    assert open_project(repo / "project").git.dirty is dirty


def test_git_state_outside_git_and_without_commits(make_repo) -> None:
    outside = open_project(make_repo(git_init=False, name="plain")).git
    assert (outside.work_tree, outside.commit, outside.problem) == (None, None, None)
    empty = open_project(make_repo(commit=False, name="empty")).git
    assert empty.work_tree is not None and empty.commit is None and empty.problem is None


def test_git_state_without_git_is_a_problem_not_a_crash(
    make_repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = make_repo({"a.py": ""})
    empty = tmp_path / "no-git"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    project = open_project(repo)
    assert project.git.problem == "the git executable was not found on PATH"
    assert project.index.git_problem == "the git executable was not found"
    assert "a.py" in project.files  # from a walk of the folder


def test_contract_finding_is_located_in_the_contract(make_repo) -> None:
    contract = MINIMAL_CONTRACT + "inputs:\n  - name: events\n    source: data/e.csv\n"
    project = open_project(make_repo(contract=contract))
    finding = project.contract_finding("no such file", "inputs", 0, "source", hint="fix it")
    assert (finding.path, finding.line, finding.hint) == ("dsdone.yaml", 7, "fix it")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_reading_a_named_pipe_is_refused_without_waiting(make_repo) -> None:
    repo = make_repo({"a.py": ""})
    os.mkfifo(repo / "pipe.csv")
    project = open_project(repo)
    assert "pipe.csv" not in project.files
    for read in (project.read_bytes, project.read_text):
        with pytest.raises(OSError, match="not a regular file"):
            read("pipe.csv")
    with pytest.raises(OSError, match="not a regular file"):
        project.read_bytes(".")  # a folder


# -- the enclosing repository ------------------------------------------------------------------


@pytest.fixture
def monorepo(make_repo) -> Path:
    """A repository whose project is two folders below its top, with CI files at the top."""
    repo = make_repo(
        {
            ".github/workflows/ci.yml": "on: push\n",
            ".github/workflows/docs.yaml": "on: push\n",
            ".github/workflows/notes/old.yml": "on: push\n",
            "uv.lock": "version = 1\n",
            "ml/churn/src/churn/__init__.py": "",
            "ml/churn/.gitignore": "local.txt\n",
        },
        contract=None,
    )
    (repo / "ml/churn/dsdone.yaml").write_text(MINIMAL_CONTRACT, "utf-8")
    (repo / "ml/churn/local.txt").write_text("ignored\n", "utf-8")
    return repo


def test_a_project_below_the_top_reads_the_files_at_the_top(monorepo: Path) -> None:
    project = open_project(monorepo / "ml/churn")

    assert project.repository_folder == "ml/churn"
    assert project.repository_listing(".github/workflows") == [
        ".github/workflows/ci.yml",
        ".github/workflows/docs.yaml",
    ]
    assert project.read_repository_text(".github/workflows/ci.yml") == "on: push\n"
    assert project.repository_has_file("uv.lock")
    assert not project.repository_has_file("ml/uv.lock")
    # Inside the project folder the file index answers: an ignored file is not there.
    assert project.repository_has_file("ml/churn/dsdone.yaml")
    assert not project.repository_has_file("ml/churn/local.txt")
    with pytest.raises(FileNotFoundError):
        project.read_repository_text("ml/churn/local.txt")
    assert project.repository_listing("ml/churn") == ["ml/churn/.gitignore", "ml/churn/dsdone.yaml"]


@pytest.mark.parametrize("relative", ["../outside.txt", "/etc/passwd", "ml/../../outside.txt"])
def test_a_path_that_leaves_the_repository_is_refused(monorepo: Path, relative: str) -> None:
    (monorepo.parent / "outside.txt").write_text("secret\n", "utf-8")
    project = open_project(monorepo / "ml/churn")

    with pytest.raises(OutsideProject):
        project.read_repository_text(relative)
    assert not project.repository_has_file(relative)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_at_the_top_that_leaves_the_repository_is_not_followed(monorepo: Path) -> None:
    (monorepo.parent / "outside.yml").write_text("secret\n", "utf-8")
    (monorepo / ".github/workflows/evil.yml").symlink_to(monorepo.parent / "outside.yml")
    project = open_project(monorepo / "ml/churn")

    assert ".github/workflows/evil.yml" not in project.repository_listing(".github/workflows")
    with pytest.raises(OutsideProject):
        project.read_repository_text(".github/workflows/evil.yml")


def test_outside_git_there_is_no_repository_to_read(make_repo) -> None:
    project = open_project(make_repo({"a.py": ""}, git_init=False))

    assert project.repository_folder is None
    assert project.repository_listing(".github/workflows") == []
    with pytest.raises(OutsideProject):
        project.read_repository_text(".gitlab-ci.yml")


# -- what a project keeps goes with it ---------------------------------------------------------


def test_a_project_and_what_its_readers_kept_are_freed_when_it_is_done(make_repo) -> None:
    # --all checks hundreds of projects in one run: none may outlive its check through a cache
    # (as with functools.lru_cache on a method, whose class-wide cache holds every instance).
    import weakref

    repo = make_repo({"src/a.py": "x = 1\n", "params.yaml": "lr: 0.1\n"})
    with open_project(repo) as project:
        assert project.read_text("src/a.py") == "x = 1\n"
        assert project.python_ast("src/a.py").body
        assert project.parsed("params.yaml").data == {"lr": 0.1}
        assert project.read_source("src/a.py") is project.read_source("src/a.py")  # kept
        gone = weakref.ref(project)
    del project
    assert gone() is None  # freed at once: nothing refers to it, not even in a cycle
