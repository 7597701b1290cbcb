"""The README's terminal examples are what dsdone prints: each block marked
``<!-- terminal-example -->`` is run again and compared, so that the README cannot drift.

A marked block is a fenced block whose first line is ``$ dsdone ...``, run from the top of a
checkout of dsdone (a fresh repository holding ``examples/``, on ``main``) with stdout piped
at ``COLUMNS=80``; the rest of the block is what it prints. Only the commit id changes from
one checkout to another: it is compared as ``<commit>``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKER = "<!-- terminal-example -->"
_BLOCK = re.compile(re.escape(MARKER) + r"\n```[a-z]*\n(.*?)```\n", re.DOTALL)
_COMMIT = re.compile(r"\b[0-9a-f]{12}\b")


def examples() -> list[tuple[str, str]]:
    """(command, output) of every marked block of the README."""
    text = README.read_text(encoding="utf-8")
    found = []
    for block in _BLOCK.findall(text):
        command, _, output = block.partition("\n")
        assert command.startswith("$ dsdone "), (
            f"a terminal example starts with $ dsdone: {command}"
        )
        found.append((command.removeprefix("$ "), output))
    return found


def checkout(tmp_path: Path) -> Path:
    """The top of a fresh clone of dsdone, as far as the examples can tell."""
    top = tmp_path / "dsdone"
    shutil.copytree(
        ROOT / "examples", top / "examples", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "dsdone")
    return top


def run(command: str, cwd: Path) -> str:
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    done = subprocess.run(
        [sys.executable, "-m", "dsdone", *shlex.split(command)[1:]],
        cwd=cwd,
        capture_output=True,
        env={**env, "COLUMNS": "80"},
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr.decode()
    return done.stdout.decode("utf-8")


def test_the_readme_has_terminal_examples() -> None:
    commands = [command for command, _ in examples()]
    assert "dsdone check examples/not-ready" in commands


@pytest.mark.parametrize(("command", "shown"), examples(), ids=[c for c, _ in examples()])
def test_a_readme_terminal_example_is_what_dsdone_prints(
    tmp_path: Path, command: str, shown: str
) -> None:
    printed = run(command, checkout(tmp_path))
    assert _COMMIT.sub("<commit>", printed) == _COMMIT.sub("<commit>", shown)
