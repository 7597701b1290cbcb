"""dsdone.testing: the kit a plugin author tests a check with, used as they would use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dsdone import Finding, Project, check
from dsdone.report import Status
from dsdone.testing import make_repo, run_check


@check(
    id="model-card-present",
    title="A model card is committed",
    fix="Write MODEL_CARD.md.",
)
def model_card_present(project: Project) -> Iterator[Finding]:
    """A plugin's check, as the README's example writes one."""
    if not project.is_tracked("MODEL_CARD.md"):
        yield Finding("no model card", path="MODEL_CARD.md", hint="write MODEL_CARD.md")


def test_a_check_runs_against_a_throwaway_repository(tmp_path: Path) -> None:
    failing = make_repo(tmp_path / "without", {"src/churn/__init__.py": ""})
    passing = make_repo(tmp_path / "with", {"MODEL_CARD.md": "# Churn\n"})

    assert run_check(failing, model_card_present).status is Status.FAIL
    assert [f.path for f in run_check(failing, model_card_present).findings] == ["MODEL_CARD.md"]
    assert run_check(passing, model_card_present).status is Status.PASS


def test_an_uncommitted_file_is_not_tracked(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"MODEL_CARD.md": "# Churn\n"}, commit=False)

    assert run_check(root, model_card_present).status is Status.FAIL


def test_make_repo_needs_no_git_identity_of_the_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A CI container often has no user.name or user.email: the kit brings its own.
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{role}_NAME", raising=False)
        monkeypatch.delenv(f"GIT_{role}_EMAIL", raising=False)

    root = make_repo(tmp_path / "repo", {"a.txt": "a\n"})

    assert run_check(root, model_card_present).status is Status.FAIL
    assert (root / ".git").is_dir()
