"""``Repository.subfolder``: a folder of a repository, seen through the git work done once for
the whole repository, answers every question as the repository opened at that folder does
(what ``dsdone check --all`` relies on for each project's report to be its own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeRepo, git

from dsdone.repository import Repository

LITERALS = frozenset({b"/home/", b"print("})
FOLDERS = ["", "models", "models/churn", "models/churn/deep", "pipelines", "nowhere"]


@pytest.fixture
def every_state(make_repo: MakeRepo) -> Path:
    """A repository with files in every state git knows, in nested folders, and links that
    stay in a folder, leave it for another, or leave the repository."""
    root = make_repo(
        {
            ".gitignore": "*.log\n",
            "README.md": "print('top')\n",
            "models/churn/train.py": "DATA = '/home/ana/x.csv'\nprint(DATA)\n",
            "models/churn/changed.py": "x = 1\n",
            "models/churn/gone.py": "x = 1\n",
            "models/churn/staged_gone.py": "x = 1\n",
            "models/churn/deep/model.bin": b"\0" * 5000,
            "models/churn/deep/notes.md": "see /home/bob/notes\n",
            "models/churn-v2/train.py": "print('a sibling whose name starts the same')\n",
            "models/fraud/score.py": "print('/home/carl/y')\n",
            "pipelines/etl.py": "x = 1\n",
        },
        contract=None,
    )
    links = {
        "models/churn/inside.py": "train.py",
        "models/churn/other.py": "../fraud/score.py",
        "models/churn/deep/up.py": "../train.py",
        "pipelines/out.py": "/etc/hostname",
    }
    for link, target in links.items():
        (root / link).symlink_to(target)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "links")
    (root / "models/churn/changed.py").write_text("x = 2\nprint('/home/dan/z')\n")
    (root / "models/churn/gone.py").unlink()
    git(root, "rm", "-q", "models/churn/staged_gone.py")
    (root / "models/churn/untracked.py").write_text("print('/home/eve/u')\n")
    (root / "models/churn/run.log").write_text("/home/ignored\n")
    (root / "models/churn/deep/staged.py").write_text("print(1)\n")
    git(root, "add", "models/churn/deep/staged.py")
    (root / "pipelines/nested").mkdir()
    git(root / "pipelines/nested", "init", "-q")
    return root


def facts(repository: Repository) -> dict[str, object]:
    """Everything a check can learn from git through the repository."""
    found = repository.grep(LITERALS)
    return {
        "index": repository.index,
        "git": repository.git,
        "folders": repository.folders,
        "large": repository.blobs_larger_than(1000),
        "grep": None if found is None else [(hit.path, hit.lines) for hit in found],
        "repository_folder": repository.repository_folder,
    }


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_subfolder_answers_as_the_repository_opened_there(every_state: Path, folder: str) -> None:
    if not (every_state / folder).is_dir():
        (every_state / folder).mkdir()
    with Repository.start(every_state, search=LITERALS) as top:
        shared = facts(top.subfolder(folder))
    with Repository.start(every_state / folder, search=LITERALS) as alone:
        expected = facts(alone)
    assert shared == expected


def test_the_facts_differ_from_folder_to_folder(every_state: Path) -> None:
    # Without this, the test above would hold for a subfolder that returned the whole
    # repository's facts.
    with Repository.start(every_state, search=LITERALS) as top:
        churn = top.subfolder("models/churn")
        assert "train.py" in churn.files and "../fraud/score.py" not in churn.files
        assert dict(churn.index.skipped)["other.py"] == "a symbolic link to outside the project"
        assert "inside.py" in churn.files
        assert churn.git.changed == 5  # changed, gone, staged_gone, untracked, deep/staged
        assert churn.blobs_larger_than(1000) == {"deep/model.bin": 5000}
        grep = churn.grep([b"/home/"])
        assert grep is not None
        assert sorted(hit.path for hit in grep) == [
            "changed.py",
            "deep/notes.md",
            "train.py",
            "untracked.py",
        ]
