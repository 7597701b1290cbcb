"""The project's test suite as pytest would collect it, counted the one way that both the
``unit-tests`` check and ``init --existing`` use: ``init`` never writes a ``min_tests`` that
its own check does not reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from dsdone.analysis.pytest_collect import TestFile, collect
from dsdone.repository import OutsideProject, PathStatus, Repository

# Python files and packages that are never the code the project ships.
_NOT_PROJECT_MODULES = frozenset(
    {"conftest", "setup", "noxfile", "__init__", "__main__", "tests", "test"}
)


@dataclass
class TestSuite:
    """What the test files under some test paths hold."""

    tests_by_path: dict[str, int] = field(default_factory=dict)  # by test path, as shown
    placeholders: list[str] = field(default_factory=list)  # "path:line" of each
    files_with_tests: list[str] = field(default_factory=list)
    imports_own_code: bool = False
    own: frozenset[str] = frozenset()  # the importable names the project itself defines
    uncollectable: list[TestFile] = field(default_factory=list)  # files pytest cannot collect
    path_problems: list[tuple[int, str]] = field(default_factory=list)  # (index, what is wrong)
    # Under the test paths, what could not be read or named (path, why): tests not counted.
    unread: list[tuple[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """The real tests: placeholders (``pass``, ``assert True``, ...) do not count."""
        return sum(self.tests_by_path.values())


def read_test_suite(repository: Repository, paths: Sequence[str]) -> TestSuite:
    """The tests under ``paths`` (folders or files, relative to the repository's folder)."""
    suite = TestSuite()
    entries: list[tuple[str, list[str]]] = []
    for index, entry in enumerate(paths):
        files, problem = _test_files(repository, entry)
        if problem is not None:
            suite.path_problems.append((index, problem))
        entries.append((entry, files))
    suite.own = frozenset(own_top_level_names(repository, [entry for entry, _ in entries]))
    entry_of: dict[str, str] = {}  # each file once, under the first entry that names it
    for entry, files in entries:
        suite.tests_by_path.setdefault(shown_test_path(entry), 0)
        for path in files:
            entry_of.setdefault(path, shown_test_path(entry))
    readable = []
    for path in entry_of:
        try:
            readable.append((path, repository.os_path(path)))
        except OutsideProject:
            continue  # a symbolic link out of the project: not the project's test
    for found in collect(readable, suite.own):
        _count(found, suite, entry_of[found.path])
    roots = [PurePosixPath(entry.replace("\\", "/")).as_posix().strip("/") for entry in paths]
    suite.unread = [
        (path, why)
        for path, why in repository.index.unsearched
        if any(root in ("", ".") or path == root or path.startswith(root + "/") for root in roots)
    ]
    return suite


def shown_test_path(entry: str) -> str:
    """A test path as a person reads it: ``tests/`` for a folder."""
    clean = entry.strip("/").removeprefix("./")
    return clean + "/" if not clean.endswith(".py") else clean


def is_test_file(path: str) -> bool:
    """Whether pytest's default ``python_files`` (``test_*.py``, ``*_test.py``) match it."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def own_top_level_names(repository: Repository, test_entries: Iterable[str]) -> set[str]:
    """The importable names the project itself defines: packages and modules at the root
    (flat layout) or under ``src/`` (src layout), excluding the test folders."""
    test_roots = tuple(entry.strip("/").removeprefix("./") + "/" for entry in test_entries)
    names: set[str] = set()
    # String operations, cheapest test first: this runs over every file of the project.
    for path in repository.files:
        if not path.endswith(".py"):
            continue
        if path.startswith("src/"):  # src/<name>/... (a package, __init__.py or not), src/<name>.py
            rest = path[4:]
            slash = rest.find("/")
            name = rest[:slash] if slash >= 0 else rest[:-3]
        elif "/" not in path:  # <name>.py
            name = path[:-3]
        elif path.endswith("/__init__.py") and path.count("/") == 1:  # <name>/__init__.py
            name = path[: -len("/__init__.py")]
        else:
            continue
        if name not in names and not path.startswith(test_roots) and not is_test_file(path):
            names.add(name)
    return {name for name in names if name.isidentifier() and name not in _NOT_PROJECT_MODULES}


def _test_files(repository: Repository, entry: str) -> tuple[list[str], str | None]:
    """The test files one test path names, or why it names none."""
    relative = PurePosixPath(entry.replace("\\", "/")).as_posix().strip("/")
    if relative in ("", "."):
        return [path for path in repository.files if is_test_file(path)], None
    status = repository.status(relative)
    if status in (PathStatus.TRACKED, PathStatus.UNTRACKED):
        return ([relative] if is_test_file(relative) else []), None
    if status is PathStatus.FOLDER:
        prefix = relative + "/"
        return [p for p in repository.files if p.startswith(prefix) and is_test_file(p)], None
    return [], status.problem(repr(entry))


def _count(found: TestFile, suite: TestSuite, entry: str) -> None:
    if found.problem is not None:
        suite.uncollectable.append(found)
        return
    real = 0
    for line, placeholder in found.tests:
        if placeholder:
            suite.placeholders.append(f"{found.path}:{line}")
        else:
            real += 1
    if real:
        suite.tests_by_path[entry] += real
        suite.files_with_tests.append(found.path)
        suite.imports_own_code |= found.imports_own
