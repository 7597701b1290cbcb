"""`dsdone check` changes nothing in the project and runs none of its code; `init` never
overwrites a file without --force."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, git

Snapshot = dict[str, tuple[int, int | None, bytes | None]]


def snapshot(root: Path) -> Snapshot:
    """Every path under ``root`` (the .git folder too) with its mode, its modification time
    outside .git, and its bytes (a symbolic link's target for a link)."""
    result: Snapshot = {}
    for folder, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            info = path.lstat()
            in_git = relative == ".git" or relative.startswith(".git/")
            mtime = None if in_git else info.st_mtime_ns
            if stat.S_ISLNK(info.st_mode):
                content: bytes | None = os.fsencode(path.readlink())
            elif stat.S_ISREG(info.st_mode):
                content = path.read_bytes()
            else:
                content = None
            result[relative] = (info.st_mode, mtime, content)
    return result


def notebook_text(source: str, output: str) -> str:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    notebook.cells.append(cell)
    return str(nbformat.writes(notebook))


REALISTIC_CONTRACT = (
    MINIMAL_CONTRACT
    + """\
inputs:
  - name: events
    source: data/events.csv
    format: csv
    pipeline: churn/data.py:load
outputs:
  - name: scores
    format: csv
    schema: schemas/scores.json
    sample: samples/scores.csv
config:
  files: [configs/*.yaml]
retrain:
  entrypoint: python -m churn.train
tests:
  paths: [tests]
"""
)

REALISTIC_FILES = {
    "churn/__init__.py": "",
    "churn/data.py": "import pandas as pd\n\ndef load(path):\n    return pd.read_csv(path)\n",
    "churn/train.py": "def main():\n    print('training')\n",
    "configs/model.yaml": "learning_rate: 0.1\nfeatures: [age, tenure]\n",
    "schemas/scores.json": '{"type": "object", "properties": {"score": {"type": "number"}}}\n',
    "samples/scores.csv": "score\n0.5\n",
    "tests/test_data.py": "from churn.data import load\n\ndef test_load():\n    assert load\n",
    "notebooks/explore.ipynb": notebook_text("print('/home/ana/data.csv')", "/home/ana/data.csv\n"),
    ".gitignore": "data/\n*.log\n",
}


@pytest.fixture
def realistic_repo(make_repo) -> Path:
    repo = make_repo(REALISTIC_FILES, contract=REALISTIC_CONTRACT)
    (repo / "data").mkdir()
    (repo / "data" / "events.csv").write_text("id\n1\n", "utf-8")  # ignored
    (repo / "train.log").write_text("epoch 1\n", "utf-8")  # ignored
    (repo / "scratch.py").write_text("x = '/Users/bob/tmp'\n", "utf-8")  # untracked
    # A tracked file changed since the commit: git status would refresh the index for it.
    (repo / "configs" / "model.yaml").write_text("learning_rate: 0.2\n", "utf-8")
    # The same bytes, a newer time: git status would rewrite .git/index to record the new stat.
    sample = repo / "samples" / "scores.csv"
    later = sample.stat().st_mtime_ns + 5_000_000_000
    os.utime(sample, ns=(later, later))
    return repo


@pytest.mark.parametrize("output_format", ["terminal", "json"])
def test_check_leaves_every_file_and_git_byte_identical(
    realistic_repo: Path, run_cli, output_format: str
) -> None:
    before = snapshot(realistic_repo)
    result = run_cli("check", str(realistic_repo), "--format", output_format)
    assert result.exit_code == 1, result.stderr  # the notebook's personal path fails the check
    assert "personal-paths" in result.stdout
    # .git/index too: dsdone runs git with GIT_OPTIONAL_LOCKS=0, so not even git's own
    # index refresh writes to the repository.
    assert snapshot(realistic_repo) == before


def test_check_with_a_base_revision_leaves_every_file_and_git_byte_identical(
    realistic_repo: Path, run_cli
) -> None:
    # --base reads the contract and the schemas at that revision from git's objects: nothing is
    # checked out, fetched or written.
    before = snapshot(realistic_repo)
    result = run_cli(
        "check", str(realistic_repo), "--base", "HEAD", "--format", "json",
        "--select", "breaking-changes,contract-changes",
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout
    assert '"status": "pass"' in result.stdout
    assert snapshot(realistic_repo) == before


def test_check_outside_git_leaves_the_folder_identical(make_repo, run_cli) -> None:
    repo = make_repo(REALISTIC_FILES, contract=REALISTIC_CONTRACT, git_init=False)
    before = snapshot(repo)
    assert run_cli("check", str(repo)).exit_code in (0, 1)
    assert snapshot(repo) == before


MARKER_CODE = "open({marker!r}, 'w').write('ran')\n"


def test_check_never_imports_or_runs_the_projects_code(make_repo, run_cli, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    planted = {
        "conftest.py": "conftest",
        "setup.py": "setup",
        "noxfile.py": "noxfile",
        "sitecustomize.py": "sitecustomize",
        "churn/__init__.py": "package",
        "churn/data.py": "data",
        "churn/train.py": "train",
        "tests/conftest.py": "tests-conftest",
        "tests/test_data.py": "tests",
        "dsdone_checks.py": "would-be-plugin",
    }
    files = {path: MARKER_CODE.format(marker=str(markers / name)) for path, name in planted.items()}
    files["notebooks/run.ipynb"] = notebook_text(
        MARKER_CODE.format(marker=str(markers / "notebook")), ""
    )
    files["Makefile"] = f"train:\n\ttouch {markers / 'make'}\n"
    files["setup.cfg"] = "[options]\npackages = churn\n"
    contract = REALISTIC_CONTRACT.replace("python -m churn.train", "make train")
    repo = make_repo(files, contract=contract)
    result = run_cli("check", str(repo), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    assert sorted(p.name for p in markers.iterdir()) == []


def test_project_plugins_need_allow_plugins_and_do_not_run_without_it(
    make_repo, run_cli, tmp_path: Path
) -> None:
    marker = tmp_path / "plugin-ran"
    plugin = (
        "from dsdone import check\n"
        + MARKER_CODE.format(marker=str(marker))
        + "@check(id='local-check', title='A local check', fix='Nothing.')\n"
        "def local_check(project):\n"
        "    return iter(())\n"
    )
    contract = MINIMAL_CONTRACT + "plugins:\n  - dsdone_checks/local.py\n"
    repo = make_repo({"dsdone_checks/local.py": plugin}, contract=contract)

    for command in (("check", str(repo)), ("check", str(repo), "--format", "json")):
        result = run_cli(*command)
        assert result.exit_code == 2
        assert "dsdone.yaml:5:1: the contract loads project plugins" in result.stderr
        assert "--allow-plugins" in result.stderr
        assert "Traceback" not in result.stderr
        assert not marker.exists()

    # The same plugin does run when the user allows it: the marker is a real witness.
    allowed = run_cli("check", str(repo), "--allow-plugins", "--select", "local-check")
    assert allowed.exit_code == 0, allowed.stderr
    assert marker.exists()


def test_init_never_overwrites_a_file_without_force(make_repo, run_cli) -> None:
    existing = "version: 1\nproject:\n  name: mine\n  owner: me@example.com\n"
    repo = make_repo({"dsdone.yaml": existing}, contract=None)
    before = snapshot(repo)
    result = run_cli(
        "init", str(repo), "--template", "minimal", "--name", "other", "--owner", "o@example.com"
    )
    assert "Traceback" not in result.stderr
    assert (repo / "dsdone.yaml").read_text("utf-8") == existing
    # Nothing that was there is touched and no temporary file is left behind; the editors'
    # schema, which was not there, is added beside the contract.
    after = snapshot(repo)
    added = {".dsdone", ".dsdone/contract-schema.json"}
    assert {path: after[path] for path in after if path not in added} == before
    assert set(after) - set(before) == added

    forced = run_cli(
        "init",
        str(repo),
        "--template",
        "minimal",
        "--name",
        "other",
        "--owner",
        "o@example.com",
        "--force",
    )
    assert forced.exit_code == 0, forced.stderr
    assert "other" in (repo / "dsdone.yaml").read_text("utf-8")
    leftovers = [p.name for p in repo.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_snapshot_notices_a_change(realistic_repo: Path) -> None:
    # The read-only tests are only as good as the snapshot: prove it sees each kind of change.
    before = snapshot(realistic_repo)
    (realistic_repo / "scratch.py").chmod(0o600)
    assert snapshot(realistic_repo) != before
    before = snapshot(realistic_repo)
    git(realistic_repo, "status", "--porcelain")  # refreshes .git/index for the changed file
    assert snapshot(realistic_repo) != before
