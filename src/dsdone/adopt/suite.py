"""Where the tests are, as pytest finds them, and how many real ones there are.

The ``testpaths`` of the pytest configuration when it has them; otherwise every ``tests/`` or
``test/`` folder, and test files that sit elsewhere (``test_all.py`` at the root), as pytest
collects them from the root. Never a test inside a templated folder: it is not a test until
the template is rendered. Counted as the unit-tests check counts (placeholders do not count),
so that ``min_tests`` is what ``check`` reaches.
"""

from __future__ import annotations

import configparser
from pathlib import PurePosixPath
from typing import Any

from dsdone.adopt.inference import Inference, count
from dsdone.analysis.code_refs import read_pyproject
from dsdone.analysis.templates import is_templated_path
from dsdone.analysis.test_suite import is_test_file, read_test_suite, shown_test_path
from dsdone.repository import Repository

_TEST_FOLDERS = ("tests", "test")
# Folders pytest's default norecursedirs skip, and environments nobody means as tests.
_SKIPPED = frozenset({"node_modules", "site-packages", "venv", ".venv", "build", "dist"})
_INI_FILES = (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


def infer_tests(repository: Repository, files: list[str], found: Inference) -> None:
    paths = _configured(repository)
    if not paths:
        folders, loose = _discovered(files)
        # A test file outside tests/ counts only where it holds real tests (pytest collects a
        # card module named test_cards.py too, and a script named test_docker.py).
        counted = read_test_suite(repository, loose).tests_by_path if loose else {}
        kept = [*folders, *(path for path in loose if counted.get(shown_test_path(path)))]
        # A path inside another one (homework/tests inside homework/) is covered by it.
        paths = sorted(p for p in kept if not any(p.startswith(f"{o}/") for o in kept))
    found.test_paths = paths
    if not paths:
        found.todo.append("no tests found: write some under tests/")
        return
    suite = read_test_suite(repository, paths)
    found.test_count = suite.count
    found.placeholder_tests = len(suite.placeholders)
    placeholders = (
        f" ({count(found.placeholder_tests, 'placeholder test')} not counted)"
        if found.placeholder_tests
        else ""
    )
    line = f"{count(suite.count, 'test')} in {', '.join(paths)}{placeholders}"
    (found.found if suite.count else found.todo).append(
        line if suite.count else f"{line}: write real tests, then declare them"
    )


def _configured(repository: Repository) -> list[str]:
    """``testpaths`` of the pytest configuration, kept when they exist."""
    declared: Any = None
    data = read_pyproject(repository) or {}
    tool = data.get("tool")
    pytest = tool.get("pytest") if isinstance(tool, dict) else None
    options = pytest.get("ini_options") if isinstance(pytest, dict) else None
    if isinstance(options, dict):
        declared = options.get("testpaths")
    for file, section in _INI_FILES:
        if declared is not None or not repository.is_indexed(file):
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(repository.read_text(file))
        except (OSError, ValueError, configparser.Error):
            continue
        if parser.has_option(section, "testpaths"):
            declared = parser.get(section, "testpaths").split()
    if isinstance(declared, str):
        declared = declared.split()
    if not isinstance(declared, list):
        return []
    kept = []
    for entry in declared:
        clean = str(entry).strip().strip("/").removeprefix("./")
        if clean and not any(c in clean for c in "*?[") and repository.status(clean).in_clone:
            kept.append(clean)
    return kept


def _discovered(files: list[str]) -> tuple[list[str], list[str]]:
    """The ``tests``/``test`` folders, and the test files elsewhere (at the root: the file; in
    a folder that is no package, such as scripts/: the folder)."""
    folders: set[str] = set()
    loose: set[str] = set()
    packages = {path.rpartition("/")[0] for path in files if path.endswith("/__init__.py")}
    for path in files:
        if not is_test_file(path) or is_templated_path(path):
            continue
        parts = PurePosixPath(path).parts[:-1]
        if any(part in _SKIPPED or part.startswith(".") for part in parts):
            continue
        top = next((i for i, part in enumerate(parts) if part in _TEST_FOLDERS), None)
        if top is not None:
            folders.add("/".join(parts[: top + 1]))
        elif "/".join(parts) not in packages:
            loose.add("/".join(parts) or path)
    # A path inside another one is already covered by it.
    kept = sorted(f for f in folders if not any(f.startswith(f"{other}/") for other in folders))
    inside = tuple(f"{folder}/" for folder in kept)
    return kept, sorted(path for path in loose if not path.startswith(inside))
