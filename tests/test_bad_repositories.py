"""Messy repositories written by other people: dsdone always gives a report, never a traceback.

Each test runs ``dsdone check --format json`` and asserts the common promise (exit 0 or 1, a
JSON report, every status one of pass/fail/skip/error, no traceback), then what matters about
that kind of mess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, git

STATUSES = {"pass", "fail", "skip", "error"}


def check_json(run_cli: Any, repo: Path, *args: str) -> dict[str, Any]:
    result = run_cli("check", str(repo), "--format", "json", *args)
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 1), result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    assert {r["status"] for r in data["results"]} <= STATUSES
    return data


def result_of(data: dict[str, Any], check_id: str) -> dict[str, Any]:
    found = [r for r in data["results"] if r["check"] == check_id]
    assert found, f"no result for {check_id}"
    return found[0]


def finding_paths(data: dict[str, Any]) -> set[str]:
    return {f["path"] for r in data["results"] for f in r["findings"] if f.get("path")}


def notebook_text(source: str) -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    return str(nbformat.writes(notebook))


PERSONAL = "data = open('/home/ana/churn/data.csv')\n"


# -- git states -------------------------------------------------------------------------------


def test_a_folder_outside_git_gets_a_report(make_repo, run_cli) -> None:
    repo = make_repo({"train.py": "print('hi')\n"}, git_init=False)
    data = check_json(run_cli, repo)
    assert data["commit"] is None
    version_control = result_of(data, "version-control")
    assert version_control["status"] == "fail"
    assert "not inside a git work tree" in version_control["findings"][0]["message"]


def test_an_empty_repository_gets_a_report(make_repo, run_cli) -> None:
    repo = make_repo({"train.py": "print('hi')\n"}, commit=False)
    data = check_json(run_cli, repo)
    assert data["commit"] is None
    messages = [f["message"] for f in result_of(data, "version-control")["findings"]]
    assert "the repository has no commit yet" in messages


def test_a_shallow_clone_is_checked_at_its_commit(make_repo, run_cli, tmp_path: Path) -> None:
    origin = make_repo({"train.py": "print(1)\n"}, name="origin")
    (origin / "train.py").write_text("print(2)\n", "utf-8")
    git(origin, "commit", "-q", "-am", "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    assert (clone / ".git" / "shallow").exists()
    data = check_json(run_cli, clone)
    assert data["commit"] == git(origin, "rev-parse", "HEAD").strip()
    assert "shallow clone" in result_of(data, "version-control")["summary"]


def test_a_detached_head_is_checked_at_its_commit(make_repo, run_cli) -> None:
    repo = make_repo({"train.py": "print(1)\n"})
    git(repo, "checkout", "-q", "--detach")
    data = check_json(run_cli, repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    assert data["commit"] == head
    assert f"detached HEAD at {head[:12]}" in result_of(data, "version-control")["summary"]


def test_a_submodule_is_not_read_as_part_of_the_project(make_repo, run_cli) -> None:
    library = make_repo({"lib.py": PERSONAL}, contract=None, name="library")
    repo = make_repo({"train.py": "print(1)\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendor")
    git(repo, "commit", "-q", "-m", "add a submodule")
    data = check_json(run_cli, repo)
    assert not any(path.startswith("vendor") for path in finding_paths(data))
    assert result_of(data, "version-control")["status"] == "pass"


def test_a_broken_git_folder_gets_a_report(make_repo, run_cli) -> None:
    repo = make_repo({"train.py": "print(1)\n"}, git_init=False)
    (repo / ".git").write_text("gitdir: /nonexistent/repository/.git\n", "utf-8")
    data = check_json(run_cli, repo)
    assert result_of(data, "version-control")["status"] in ("fail", "error")


# -- symbolic links -----------------------------------------------------------------------------


def test_symbolic_links_out_of_the_project_are_never_followed(
    make_repo, run_cli, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "notes.py"
    secret.parent.mkdir()
    secret.write_text(PERSONAL, "utf-8")
    repo = make_repo({"train.py": "print(1)\n"})
    (repo / "notes.py").symlink_to(secret)
    (repo / "outside_folder").symlink_to(secret.parent, target_is_directory=True)
    git(repo, "add", "notes.py", "outside_folder")
    git(repo, "commit", "-q", "-m", "links")
    data = check_json(run_cli, repo)
    # The personal path is in the file the links point to: reading it would report it.
    assert result_of(data, "personal-paths")["status"] == "pass"
    assert not {"notes.py", "outside_folder/notes.py"} & finding_paths(data)


@pytest.mark.parametrize("commit", [True, False], ids=["tracked", "untracked"])
def test_a_symbolic_link_loop_never_hangs(make_repo, run_cli, commit: bool) -> None:
    repo = make_repo({"train.py": "print(1)\n"})
    (repo / "a").symlink_to("b")
    (repo / "b").symlink_to("a")
    (repo / "dangling").symlink_to("nowhere")
    (repo / "folder").mkdir()
    (repo / "folder" / "up").symlink_to("..", target_is_directory=True)
    if commit:
        git(repo, "add", "a", "b", "dangling", "folder/up")
        git(repo, "commit", "-q", "-m", "loops")
    check_json(run_cli, repo)


def test_a_symbolic_link_loop_outside_git_never_hangs(make_repo, run_cli) -> None:
    repo = make_repo({"train.py": PERSONAL}, git_init=False)
    (repo / "a").symlink_to("b")
    (repo / "b").symlink_to("a")
    (repo / "self").symlink_to(".", target_is_directory=True)
    data = check_json(run_cli, repo)
    assert finding_paths(data) & {"train.py"}


# -- file contents --------------------------------------------------------------------------------


def test_binary_non_utf8_and_mixed_line_ending_files_get_a_report(make_repo, run_cli) -> None:
    repo = make_repo(
        {
            "model.bin": bytes(range(256)) * 64,
            "legacy.py": b"# caf\xe9 au lait\npath = '/home/ana/x.csv'\n",
            "mixed.py": b"import os\r\nx = 1\nroot = '/Users/bob/project'\r\n",
            "bom.py": b"\xef\xbb\xbfroot = 'C:\\\\Users\\\\carla\\\\data'\n",
            "empty.py": b"",
        }
    )
    data = check_json(run_cli, repo)
    personal = {(f["path"], f["line"]) for f in result_of(data, "personal-paths")["findings"]}
    # Line 3 in a file whose first line ends in CRLF and second in LF: lines count either.
    assert ("mixed.py", 3) in personal
    assert ("bom.py", 1) in personal
    assert not any(path == "model.bin" for path, _ in personal)


def test_a_huge_file_is_not_read_whole(make_repo, run_cli) -> None:
    repo = make_repo({"train.py": "print(1)\n", ".gitignore": "*.tmp\n"})
    # Untracked and not ignored: part of the project. 40 MB of one line, no personal path.
    (repo / "dump.csv").write_bytes(b"x," * (20 * 1024 * 1024))
    data = check_json(run_cli, repo)
    assert "dump.csv" not in finding_paths(data)
    assert result_of(data, "personal-paths")["status"] == "pass"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(notebook_text(PERSONAL)[:200], id="truncated"),
        pytest.param("not json at all\n" + PERSONAL, id="not-json"),
        pytest.param(
            json.dumps({"cells": "oops", "nbformat": 4}) + "\n" + PERSONAL, id="bad-schema"
        ),
        pytest.param("[" * 50_000 + PERSONAL, id="deep-json"),
    ],
)
def test_an_invalid_notebook_is_scanned_as_text_or_reported(
    make_repo, run_cli, content: str
) -> None:
    assert "/home/ana" in content
    repo = make_repo({"analysis.ipynb": content})
    data = check_json(run_cli, repo)
    personal = result_of(data, "personal-paths")
    assert personal["status"] in ("fail", "error")
    if personal["status"] == "fail":
        assert "analysis.ipynb" in {f["path"] for f in personal["findings"]}


def test_a_notebook_is_read_by_cell(make_repo, run_cli) -> None:
    repo = make_repo({"notebooks/explore.ipynb": notebook_text("x = 1\n" + PERSONAL)})
    finding = result_of(check_json(run_cli, repo), "personal-paths")["findings"][0]
    assert (finding["path"], finding["cell"], finding["cell_line"]) == (
        "notebooks/explore.ipynb",
        0,
        2,
    )


# -- names ----------------------------------------------------------------------------------------


def test_spaces_and_non_ascii_names_are_reported_as_they_are(make_repo, run_cli) -> None:
    repo = make_repo({"my notebooks/café analyse ü.py": PERSONAL, "données/日本.py": PERSONAL})
    paths = finding_paths(check_json(run_cli, repo))
    assert {"my notebooks/café analyse ü.py", "données/日本.py"} <= paths


def test_names_that_are_not_utf8_or_hold_control_characters_never_reach_the_report(
    make_repo, tmp_path: Path
) -> None:
    repo = make_repo({"train.py": PERSONAL})
    (repo / os.fsdecode(b"caf\xe9.py")).write_text(PERSONAL, "utf-8")
    (repo / "evil\x1b[2J.py").write_text(PERSONAL, "utf-8")
    # Through the console script, with stdout strict UTF-8 as in a UTF-8 locale.
    completed = subprocess.run(
        [sys.executable, "-m", "dsdone", "check", str(repo), "--format", "json"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    text = completed.stdout.decode("utf-8")  # raises if the report is not UTF-8
    assert "\x1b" not in text
    assert "train.py" in finding_paths(json.loads(text))


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads files whatever their permissions",
)
def test_an_unreadable_file_gets_a_report(make_repo, run_cli) -> None:
    repo = make_repo({"secret.py": PERSONAL, "train.py": PERSONAL, "locked/inner.py": PERSONAL})
    (repo / "secret.py").chmod(0)
    (repo / "locked").chmod(0)
    try:
        data = check_json(run_cli, repo)
    finally:
        (repo / "secret.py").chmod(0o644)
        (repo / "locked").chmod(0o755)
    assert "train.py" in finding_paths(data)


# -- git missing ----------------------------------------------------------------------------------


def test_without_git_on_path_the_report_says_so(
    make_repo, run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = make_repo({"train.py": PERSONAL})
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    data = check_json(run_cli, repo)
    version_control = result_of(data, "version-control")
    assert version_control["status"] == "error"
    assert "git" in version_control["summary"] and "not found" in version_control["summary"]
    # The other checks still run on a walk of the folder.
    assert "train.py" in finding_paths(data)


def test_without_git_the_console_script_does_not_crash(make_repo, tmp_path: Path) -> None:
    repo = make_repo({"train.py": PERSONAL})
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    # GIT_PYTHON_REFRESH=error would make `import git` raise without a git executable.
    env = {**os.environ, "PATH": str(empty), "GIT_PYTHON_REFRESH": "error"}
    completed = subprocess.run(
        [sys.executable, "-m", "dsdone", "check", str(repo), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "Traceback" not in completed.stderr
    assert completed.returncode == 1, completed.stderr
    data = json.loads(completed.stdout)
    assert result_of(data, "version-control")["status"] == "error"


def test_without_a_writable_temporary_folder_the_report_is_the_same(
    make_repo, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git's output goes to anonymous temporary files; on a machine where none can be made
    # (a read-only file system), it is read from pipes instead, with the same results.
    contract = MINIMAL_CONTRACT + "checks:\n  version-control:\n    max_file_mb: 0.001\n"
    repo = make_repo({"train.py": PERSONAL, "model.bin": b"\0" * 5000}, contract=contract)
    (repo / "notes.py").write_text(PERSONAL, "utf-8")  # untracked, not ignored
    normal = check_json(run_cli, repo)

    def no_temporary_file(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr("tempfile.TemporaryFile", no_temporary_file)
    without = check_json(run_cli, repo)

    def findings(data: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [
            (r["check"], f["path"], f["message"]) for r in data["results"] for f in r["findings"]
        ]

    assert findings(without) == findings(normal)
    assert {("personal-paths", "train.py"), ("personal-paths", "notes.py")} <= {
        (check, path) for check, path, _ in findings(without)
    }
    assert ("version-control", "model.bin") in {(c, p) for c, p, _ in findings(without)}


# -- paths in the contract ------------------------------------------------------------------------

ESCAPING_CONTRACT = (
    MINIMAL_CONTRACT
    + """\
inputs:
  - name: passwords
    source: ../../etc/passwd
    format: csv
    pipeline: /etc/passwd
outputs:
  - name: scores
    format: csv
    schema: ../outside/schema.json
    sample: link_out.csv
config:
  files: [../outside/conf.yaml, /etc/hostname]
"""
)


def test_paths_in_the_contract_that_leave_the_project_are_findings(
    make_repo, run_cli, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    # Invalid on purpose: were they read, the checks would report them as broken.
    (outside / "schema.json").write_text("{not json", "utf-8")
    (outside / "conf.yaml").write_text("a: [\n", "utf-8")
    (outside / "sample.csv").write_text("a\n1\n", "utf-8")
    repo = make_repo({"train.py": "print(1)\n"}, contract=ESCAPING_CONTRACT)
    (repo / "link_out.csv").symlink_to(outside / "sample.csv")
    data = check_json(run_cli, repo)
    located = {
        (r["check"], f["line"])
        for r in data["results"]
        for f in r["findings"]
        if f.get("path") == "dsdone.yaml"
    }
    # Each escaping path is a finding at its line of dsdone.yaml.
    assert {("input-pipelines", 7), ("input-pipelines", 9)} <= located
    assert {("output-schema", 13), ("output-schema", 14)} <= located
    assert ("tracked-config", 16) in located
    messages = " ".join(f["message"] for r in data["results"] for f in r["findings"])
    assert "not json" not in messages.lower() and "not valid yaml" not in messages.lower()
    assert all(
        f.get("path") in (None, "dsdone.yaml") for r in data["results"] for f in r["findings"]
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_named_pipes_the_contract_points_to_never_block(make_repo, run_cli) -> None:
    contract = MINIMAL_CONTRACT + (
        "outputs:\n  - name: scores\n    format: csv\n    schema: s.json\n    sample: pipe.csv\n"
        "config:\n  files: [pipe.yaml]\n"
    )
    repo = make_repo({"s.json": '{"type": "object"}\n'}, contract=contract)
    os.mkfifo(repo / "pipe.csv")
    os.mkfifo(repo / "pipe.yaml")
    # Opening a named pipe for reading waits for a writer: this test would never finish.
    data = check_json(run_cli, repo)
    config = result_of(data, "tracked-config")
    assert any("not a regular file" in f["message"] for f in config["findings"])


def test_a_tracked_file_replaced_by_a_folder_gets_a_report(make_repo, run_cli) -> None:
    repo = make_repo({"train.py": "print(1)\n", "configs/model.yaml": "a: 1\n"})
    (repo / "train.py").unlink()
    (repo / "train.py").mkdir()
    (repo / "train.py" / "inner.txt").write_text("x\n", "utf-8")
    check_json(run_cli, repo)
