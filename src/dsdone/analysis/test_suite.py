"""The project's test suite as pytest would collect it, counted the one way that both the
``unit-tests`` check and ``init --existing`` use: ``init`` never writes a ``min_tests`` that
its own check does not reach.

pytest's own configuration decides (``pytest_config``): which files are test modules
(``python_files``), which classes and functions are tests, which folders are skipped
(``norecursedirs``), where imports are found (``pythonpath``), and, when the contract names
no test paths, where the tests are (``testpaths``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from dsdone.analysis.pytest_collect import TestFile, collect, collect_file, test_file_cache
from dsdone.analysis.pytest_config import DEFAULT_FILES, PytestConfig, read_pytest_config
from dsdone.analysis.pytest_items import Naming, TestItem, TestItems
from dsdone.analysis.python_modules import ProjectModules
from dsdone.repository import OutsideProject, PathStatus, Repository

DEFAULT_PATHS = ("tests",)
_GLOB_MAGIC = re.compile(r"[*?\[]")
_MAX_GLOB_SEGMENTS = 64


@dataclass
class TestSuite:
    """What the test files under some test paths hold."""

    tests_by_path: dict[str, int] = field(default_factory=dict)  # by test path, as shown
    placeholders: list[str] = field(default_factory=list)  # "path:line" of each
    files_with_tests: list[str] = field(default_factory=list)
    imports_own_code: bool = False
    own: list[str] = field(default_factory=list)  # names a test could import (when none does)
    uncollectable: list[TestFile] = field(default_factory=list)  # files pytest cannot collect
    path_problems: list[tuple[int, str]] = field(default_factory=list)  # (index, what is wrong)
    entries: list[str] = field(default_factory=list)  # the test paths searched
    origin: str | None = None  # where they come from, when not from the caller
    # Under the test paths, what could not be read or named (path, why): tests not counted.
    unread: list[tuple[str, str]] = field(default_factory=list)

    __test__ = False

    @property
    def count(self) -> int:
        """The real tests: placeholders (``pass``, ``assert True``, ...) do not count."""
        return sum(self.tests_by_path.values())


def read_test_suite(repository: Repository, paths: Sequence[str] | None = None) -> TestSuite:
    """The tests under ``paths`` (folders or files, relative to the repository's folder); by
    default pytest's ``testpaths`` when the project configures them, else ``tests``."""
    root = read_pytest_config(repository)
    suite = TestSuite()
    if paths is None:
        suite.entries, suite.origin = default_test_paths(repository, root)
    else:
        suite.entries = list(paths)
    configs = _Configs(repository, root)
    entry_of: dict[str, str] = {}  # each file once, under the first entry that names it
    config_of: dict[str, PytestConfig] = {}
    for index, entry in enumerate(suite.entries):
        config = configs.for_entry(entry)
        files, problem = _test_files(repository, entry, config)
        if problem is not None and suite.origin is None:  # not pytest's: its own business
            suite.path_problems.append((index, problem))
        shown = shown_test_path(entry)
        suite.tests_by_path.setdefault(shown, 0)
        for path in files:
            if path not in entry_of:
                entry_of[path] = shown
                config_of[path] = config
    modules = ProjectModules(
        repository,
        roots=("src", *configs.pythonpath()),
        is_test_module=_file_matcher(root.python_files),
        test_modules_say_test=all("test" in p.lower() for p in root.python_files),
        functions=root.python_functions,
    )
    found_files = _collect(repository, entry_of, config_of)
    for found in found_files:
        modules.remember(found)
    items = TestItems(modules)
    for found in found_files:
        config = config_of[found.path]
        naming = Naming(
            config.python_classes, config.python_functions, config.collect_imported_tests
        )
        _count(found, items.of(found, naming) if found.problem is None else [], suite, entry_of)
    suite.imports_own_code = any(modules.reaches_own_code(p) for p in suite.files_with_tests)
    if suite.files_with_tests and not suite.imports_own_code:
        suite.own = modules.own_names(suite.files_with_tests[0])
    roots = [
        PurePosixPath(entry.replace("\\", "/")).as_posix().strip("/") for entry in suite.entries
    ]
    suite.unread = [
        (path, why)
        for path, why in repository.index.unsearched
        if any(root in ("", ".") or path == root or path.startswith(root + "/") for root in roots)
    ]
    return suite


def default_test_paths(
    repository: Repository, config: PytestConfig
) -> tuple[list[str], str | None]:
    """Where pytest looks for tests when it is given no path, and why: the ``testpaths`` of a
    configuration in the project's folder (globs expanded; pytest searches the whole project
    when they match nothing), else dsdone's default ``tests``."""
    if not (config.at_root and config.testpaths):
        return list(DEFAULT_PATHS), None
    found: list[str] = []
    for pattern in config.testpaths:
        found += [path for path in expand_test_path(repository, pattern) if path not in found]
    if not found:
        return ["."], f"the testpaths of {config.file} match nothing"
    return found, f"testpaths in {config.file}"


def find_test_paths(repository: Repository) -> tuple[list[str], str | None]:
    """The test paths ``init --existing`` declares, and where they come from: pytest's
    ``testpaths``; else every ``tests``/``test`` folder holding test modules, and the test
    modules pytest would collect elsewhere (``test_all.py`` at the top, ``pkg/foo_test.py``
    next to the code), by their top-level folder."""
    root = read_pytest_config(repository)
    if root.at_root and root.testpaths:
        entries, origin = default_test_paths(repository, root)
        if entries != ["."]:
            return entries, origin
    folders: list[str] = []
    elsewhere: list[str] = []
    for path in _test_files(repository, ".", root)[0]:
        parts = path.split("/")[:-1]
        top = next((i for i, part in enumerate(parts) if part in ("tests", "test")), None)
        if top is not None:
            folders.append("/".join(parts[: top + 1]))
        else:
            elsewhere.append(path)
    if elsewhere:  # only those that hold a real test: a helper named test_utils.py does not
        for path in read_test_suite(repository, elsewhere).files_with_tests:
            if "/" not in path:
                folders.append(path)  # test_all.py at the top is meant as the tests
            elif _looks_like_a_test_module(repository, path):
                folders.append(path.partition("/")[0])
    unique = sorted(set(folders))
    # A path inside another one is already covered by it.
    return [f for f in unique if not any(f.startswith(f"{other}/") for other in unique)], None


def _looks_like_a_test_module(repository: Repository, path: str) -> bool:
    """Whether a module inside the project's folders, named like a test module and holding a
    function named like a test, is one: named ``*_test.py``, or importing pytest or unittest.
    A library's ``test_lib.py`` fixture or a ``scripts/test_tracker.py`` run by hand is
    collected by pytest all the same, but is not where a team keeps its tests."""
    if path.endswith("_test.py"):
        return True
    try:
        found = collect_file(path, repository.os_path(path))
    except OutsideProject:
        return False
    return any(i.module.partition(".")[0] in _TEST_LIBRARIES for i in found.imports)


_TEST_LIBRARIES = frozenset({"pytest", "unittest"})


def shown_test_path(entry: str) -> str:
    """A test path as a person reads it: ``tests/`` for a folder."""
    clean = entry.strip("/").removeprefix("./")
    return clean + "/" if not clean.endswith(".py") else clean


def expand_test_path(repository: Repository, pattern: str) -> list[str]:
    """The existing folders and files a ``testpaths`` entry names (a glob, ``**`` included),
    sorted, as pytest's ``glob.iglob(..., recursive=True)`` finds them."""
    clean = PurePosixPath(pattern.replace("\\", "/")).as_posix().removeprefix("./").strip("/")
    if not _GLOB_MAGIC.search(clean):
        status = repository.status(clean) if clean not in ("", ".") else PathStatus.FOLDER
        return [clean or "."] if status in _EXISTING else []
    wanted = clean.split("/")
    candidates = sorted({*repository.folders, *repository.files} - {""})
    return [path for path in candidates if _glob_match(wanted, path.split("/"))]


_EXISTING = (PathStatus.TRACKED, PathStatus.UNTRACKED, PathStatus.FOLDER)


def _glob_match(pattern: list[str], parts: list[str]) -> bool:
    """Whether the path ``parts`` matches the glob ``pattern`` segment by segment, ``**``
    matching any number of folders; memoised on positions, so that a pattern of many ``**``
    from a hostile configuration stays linear in their product, not exponential."""
    if len(pattern) > _MAX_GLOB_SEGMENTS:
        return False  # no real test path is that deep; the recursion below must stay shallow
    known: dict[tuple[int, int], bool] = {}

    def match(i: int, j: int) -> bool:
        key = (i, j)
        if key not in known:
            if i == len(pattern):
                result = j == len(parts)
            elif pattern[i] == "**":
                result = match(i + 1, j) or (j < len(parts) and match(i, j + 1))
            elif j == len(parts) or (parts[j].startswith(".") and not pattern[i].startswith(".")):
                result = False  # glob's "*" does not match a hidden name
            else:
                result = fnmatch.fnmatchcase(parts[j], pattern[i]) and match(i + 1, j + 1)
            known[key] = result
        return known[key]

    return match(0, 0)


class _Configs:
    """The pytest configuration of each test path: the one pytest finds from its folder."""

    def __init__(self, repository: Repository, root: PytestConfig) -> None:
        self._repository = repository
        self._by_folder: dict[str, PytestConfig] = {"": root}

    def for_entry(self, entry: str) -> PytestConfig:
        clean = entry.replace("\\", "/").strip("/").removeprefix("./")
        clean = "" if clean == "." else clean
        folder = clean.rpartition("/")[0] if clean.endswith(".py") else clean
        config = self._by_folder.get(folder)
        if config is None:
            config = self._by_folder[folder] = read_pytest_config(self._repository, folder)
        return config

    def pythonpath(self) -> list[str]:
        return [path for config in self._by_folder.values() for path in config.pythonpath]


def _file_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """pytest's ``python_files`` test: a pattern without ``/`` matches the file's name, one
    with ``/`` its whole path (``fnmatch_ex``)."""
    names = [fnmatch.translate(p) for p in patterns if "/" not in p]
    by_name = re.compile("|".join(names)).match if names else None
    paths = [p for p in patterns if "/" in p]

    def matches(path: str) -> bool:
        if not path.endswith(".py"):
            return False
        if by_name is not None and by_name(path.rpartition("/")[2]):
            return True
        return any(fnmatch.fnmatch("/" + path, "*/" + p.lstrip("/")) for p in paths)

    return matches


class _Skipped:
    """pytest's ``norecursedirs`` (and the virtual environments and ``__pycache__`` it never
    enters), for the folders below one test path."""

    def __init__(self, repository: Repository, patterns: Sequence[str], base: str) -> None:
        self._indexed = repository.is_indexed
        self._names = [p for p in patterns if "/" not in p]
        self._paths = [p for p in patterns if "/" in p]
        self._base = base
        self._known: dict[str, bool] = {}

    def __call__(self, folder: str) -> bool:
        """Whether pytest skips ``folder``: it or a folder above it (below the test path,
        which pytest is given and so enters whatever its name) matches."""
        if len(folder) <= len(self._base):
            return False
        known = self._known.get(folder)
        if known is None:
            parent, _, name = folder.rpartition("/")
            known = self(parent) or self._matches(folder, name)
            self._known[folder] = known
        return known

    def _matches(self, folder: str, name: str) -> bool:
        return (
            name == "__pycache__"
            or any(fnmatch.fnmatch(name, pattern) for pattern in self._names)
            or any(fnmatch.fnmatch("/" + folder, "*/" + pattern) for pattern in self._paths)
            or self._indexed(f"{folder}/pyvenv.cfg")
            or self._indexed(f"{folder}/conda-meta/history")
        )


def is_test_file(path: str) -> bool:
    """Whether pytest's default ``python_files`` (``test_*.py``, ``*_test.py``) match it."""
    return _DEFAULT_TEST_FILE(path)


def _test_files(
    repository: Repository, entry: str, config: PytestConfig
) -> tuple[list[str], str | None]:
    """The test files one test path names, or why it names none."""
    relative = PurePosixPath(entry.replace("\\", "/")).as_posix().strip("/")
    if relative in ("", "."):
        prefix = ""
    else:
        status = repository.status(relative)
        if status in (PathStatus.TRACKED, PathStatus.UNTRACKED):
            # A file pytest is given is collected whatever its name.
            return ([relative] if relative.endswith(".py") else []), None
        if status is not PathStatus.FOLDER:
            return [], status.problem(repr(entry))
        prefix = relative + "/"
    is_test = _file_matcher(config.python_files)
    skipped = _Skipped(repository, config.norecursedirs, prefix.rstrip("/"))
    return [
        path
        for path in repository.files
        if path.startswith(prefix) and is_test(path) and not skipped(path.rpartition("/")[0])
    ], None


def _collect(
    repository: Repository, entry_of: dict[str, str], config_of: dict[str, PytestConfig]
) -> list[TestFile]:
    """Parse the test files, those of one ``python_functions`` setting together."""
    groups: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for path in entry_of:
        try:
            on_disk = repository.os_path(path)
        except OutsideProject:
            continue  # a symbolic link out of the project: not the project's test
        groups.setdefault(config_of[path].python_functions, []).append((path, on_disk))
    cache = test_file_cache(repository.cache_folder, repository.root)
    found: list[TestFile] = []
    for functions, files in groups.items():
        found += collect(files, functions, cache, repository.index.blobs)
    cache.save()
    return found


def _count(
    found: TestFile, items: list[TestItem], suite: TestSuite, entry_of: dict[str, str]
) -> None:
    if found.problem is not None:
        suite.uncollectable.append(found)
        return
    real = 0
    for item in items:
        if item.placeholder:
            suite.placeholders.append(f"{item.path}:{item.line}")
        else:
            real += 1
    if real:
        suite.tests_by_path[entry_of[found.path]] += real
        suite.files_with_tests.append(found.path)


_DEFAULT_TEST_FILE = _file_matcher(DEFAULT_FILES)
