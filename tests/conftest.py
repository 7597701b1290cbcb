"""Shared fixtures: real git repositories in tmp_path, and the CLI run in-process."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from dsdone import testing
from dsdone.cli import main
from dsdone.testing import MINIMAL_CONTRACT, write_files

# No test asserts a time: Hypothesis' per-example deadline would be one, and flaky on a busy
# CI machine.
settings.register_profile("dsdone", deadline=None, print_blob=True)
settings.load_profile("dsdone")


FileContent = str | bytes

__all__ = ["MINIMAL_CONTRACT", "write_files"]


@pytest.fixture(autouse=True)
def _isolated_git(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every test sees the same git: no user or system config, a fixed identity and dates."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-01-01T00:00:00+00:00")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    # dsdone's cache of parsed test files: this test's own, never the user's.
    monkeypatch.setenv("DSDONE_CACHE_DIR", str(home / "dsdone-cache"))


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return its output; fail the test if git fails."""
    completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, f"git {' '.join(args)} failed: {completed.stderr}"
    return completed.stdout


MakeRepo = Callable[..., Path]


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """``make_repo(files, commit=True, git_init=True, contract=MINIMAL_CONTRACT, name="repo")``:
    a folder with ``files`` (text is dedented), by default a git repository with one commit.
    ``contract=None`` writes no dsdone.yaml."""

    def make(
        files: Mapping[str, FileContent] | None = None,
        *,
        commit: bool = True,
        git_init: bool = True,
        contract: str | None = MINIMAL_CONTRACT,
        name: str = "repo",
    ) -> Path:
        return testing.make_repo(
            tmp_path / name, files, contract=contract, git_init=git_init, commit=commit
        )

    return make


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """``run_cli(*args, cwd=None)``: run ``dsdone ARGS`` in this process, as the console script
    would, and return its exit code and output."""

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        capsys.readouterr()
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
