"""Which files are contracts, and which contract a folder belongs to.

Two rules, used wherever dsdone looks for a contract (``dsdone check``, ``--all``, the command
line's early guess of the project folder):

- **What is a contract.** ``dsdone.yaml`` always is, valid or not: its errors are reported. Any
  other YAML file (``dsdone.yml``, or a file named on the command line) is one only when its top
  level has both a ``version`` and a ``project`` key. The standard template writes a GitHub
  workflow named ``dsdone.yml``, and a ``dsdone.yml`` can be anyone's file; neither is a
  contract. The keys are read from the text, a key at the start of a line, so that a contract
  with a syntax error further down is still found and its error reported.
- **Which contract a folder belongs to.** The nearest one upwards, as git, ruff and pytest find
  their configuration: the folder itself, then each parent, up to the top of the git work tree
  (the first folder that holds ``.git``). Outside git the search goes on to the filesystem
  root, as ruff's and pytest's do.

Cheap on purpose: the command line imports this before typer, to start git early.
"""

from __future__ import annotations

import re
from pathlib import Path

from dsdone import CONTRACT_NAMES
from dsdone.safe_read import read_regular

# Only this name is a contract whatever it holds.
PRIMARY_NAME = CONTRACT_NAMES[0]
YAML_SUFFIXES = (".yaml", ".yml")
# A top-level key at the start of a line, plain or quoted. Anchored and without nested
# repetition, so linear on any text.
_TOP_LEVEL_KEY = re.compile(rb"""^["']?(version|project)["']?[ \t]*:""", re.MULTILINE)
# A contract is at most a page of YAML (the loader refuses more than 256 KB); the keys that make
# it one are near its top.
_READ_AT_MOST = 256 * 1024


def top_level_keys(text: bytes) -> frozenset[str]:
    """Which of ``version`` and ``project`` ``text`` has as keys at the start of a line."""
    return frozenset(match.group(1).decode() for match in _TOP_LEVEL_KEY.finditer(text))


def is_contract(path: Path) -> bool:
    """Whether the file at ``path`` is a dsdone contract (see the module's rule).

    A symbolic link is taken as a contract without reading it: the loader refuses one that
    points out of its folder, and that refusal is what the user should see. So is a file that
    cannot be read (the loader says why)."""
    if path.name == PRIMARY_NAME or path.is_symlink():
        return True
    if path.suffix not in YAML_SUFFIXES:
        return False
    try:
        # Only a regular file is read: a named pipe would wait forever for a writer.
        head = read_regular(str(path), _READ_AT_MOST)
    except OSError:
        return True
    return top_level_keys(head) == {"version", "project"}


def contract_in(folder: Path) -> Path | None:
    """The contract file in ``folder`` itself, if any, in the order of ``CONTRACT_NAMES``."""
    for name in CONTRACT_NAMES:
        candidate = folder / name
        try:
            present = candidate.is_symlink() or candidate.is_file()
        except OSError:
            continue
        if present and is_contract(candidate):
            return candidate
    return None


def nearest_contract(folder: Path) -> Path | None:
    """The contract of ``folder``: in it, or in the nearest parent up to the top of its git
    work tree (outside git, up to the filesystem root). ``folder`` must be absolute."""
    for candidate in (folder, *folder.parents):
        found = contract_in(candidate)
        if found is not None:
            return found
        if is_work_tree_top(candidate):
            return None
    return None


def is_work_tree_top(folder: Path) -> bool:
    """Whether ``folder`` is the top of a git work tree: it holds ``.git``, a folder, or a file
    in a linked work tree or a submodule."""
    try:
        return (folder / ".git").exists()
    except OSError:
        return False


def non_contracts_in(folder: Path) -> list[str]:
    """The names of the files in ``folder`` that look like contracts by name but are not: what
    an error that found no contract should mention."""
    found: list[str] = []
    for name in CONTRACT_NAMES:
        candidate = folder / name
        try:
            if candidate.is_file() and not is_contract(candidate):
                found.append(name)
        except OSError:
            continue
    return found


def contracts_below(folder: Path, *, depth: int = 2, limit: int = 5) -> list[str]:
    """Folders up to ``depth`` levels below ``folder`` (relative, sorted, at most ``limit``)
    that hold a contract: what to suggest when ``folder`` itself belongs to no project, as at
    the top of a monorepo. A bounded look, without git, so hidden folders (``.github``,
    ``.venv``) are passed over rather than asked about."""
    found: list[str] = []
    level = [folder]
    for _ in range(depth):
        below: list[Path] = []
        for parent in level:
            try:
                children = sorted(
                    child
                    for child in parent.iterdir()
                    if child.is_dir() and not child.is_symlink() and not child.name.startswith(".")
                )
            except OSError:
                continue
            for child in children:
                if contract_in(child) is not None:
                    found.append(child.relative_to(folder).as_posix())
            below.extend(children)
        level = below
    return sorted(found)[:limit]
