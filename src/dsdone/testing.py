"""A kit for check authors: build a throwaway git repository, run one check against it.

dsdone's own check tests use it, and so can a plugin's::

    from dsdone.testing import make_repo, run_check
    from my_plugin.checks import model_card

    def test_a_missing_model_card_is_a_finding(tmp_path):
        root = make_repo(tmp_path / "repo", {"src/churn/__init__.py": ""})
        result = run_check(root, model_card)
        assert result.status.value == "fail"
        assert result.findings[0].path == "MODEL_CARD.md"

``make_repo`` writes the files (text is dedented), a minimal contract unless told otherwise,
and commits them with a fixed identity, so a test needs no git configuration of its own.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dsdone.api import Check
from dsdone.contract import load_contract
from dsdone.git.session import run_git
from dsdone.project import Project
from dsdone.report import CheckResult
from dsdone.runner import PreparedCheck, run_one

MINIMAL_CONTRACT = """\
version: 1
project:
  name: demo
  owner: ana@example.com
"""

_IDENTITY = ("-c", "user.name=dsdone test", "-c", "user.email=test@example.com")


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write ``files`` (relative path: text, dedented, or bytes) under ``root``."""
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content), encoding="utf-8")


def make_repo(
    root: Path,
    files: Mapping[str, str | bytes] | None = None,
    *,
    contract: str | None = MINIMAL_CONTRACT,
    git_init: bool = True,
    commit: bool = True,
) -> Path:
    """A folder at ``root`` with ``files`` and ``contract`` as ``dsdone.yaml`` (None: no
    contract); by default a git repository (branch ``main``) with everything in one commit."""
    root.mkdir(parents=True, exist_ok=True)
    all_files: dict[str, str | bytes] = {} if contract is None else {"dsdone.yaml": contract}
    all_files.update(files or {})
    write_files(root, all_files)
    if git_init:
        run_git(("init", "-q", "-b", "main"), root)
        if commit:
            run_git(("add", "-A"), root)
            run_git((*_IDENTITY, "commit", "-q", "-m", "initial", "--allow-empty"), root)
    return root


def run_check(root: Path, check: Check, **options: Any) -> CheckResult:
    """Run one check on the project at ``root`` as ``dsdone check --select`` would, with
    ``options`` (when given) in place of the contract's options for it."""
    contract = load_contract(root)
    settings = contract.settings(check.id)
    built = check.make_options(options or settings.options)
    with Project(root, contract) as project:
        return run_one(project, PreparedCheck(check, settings, built))
