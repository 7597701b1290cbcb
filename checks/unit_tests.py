"""unit-tests: enough real tests, and tests that exercise the project's own code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from dsdone.analysis.pytest_collect import TestFile, collect
from dsdone.api import Note, check
from dsdone.project import OutsideProject, PathStatus, Project
from dsdone.report import Area, Finding, Severity

# Python files and packages that are never the code the project ships.
_NOT_PROJECT_MODULES = frozenset(
    {"conftest", "setup", "noxfile", "__init__", "__main__", "tests", "test"}
)
_SHOWN_PLACEHOLDERS = 3


@dataclass
class _Suite:
    """What the test files under the contract's test paths hold."""

    tests_by_path: dict[str, int] = field(default_factory=dict)  # by tests.paths entry
    placeholders: list[str] = field(default_factory=list)  # "path:line" of each
    files_with_tests: list[str] = field(default_factory=list)
    imports_own_code: bool = False

    @property
    def count(self) -> int:
        return sum(self.tests_by_path.values())


@check(
    id="unit-tests",
    title="Unit tests exercise the project's code",
    severity=Severity.ERROR,
    area=Area.INFRASTRUCTURE,
    fix="Write pytest tests under tests/ that import the project's package and assert on what "
    "its functions return.",
)
def unit_tests(project: Project) -> Iterator[Finding | Note]:
    """Engineering takes over a model by changing its code; without tests that call that code,
    every refactor, dependency upgrade or retrain risks silently changing predictions, and
    nobody finds out until a consumer does. A test suite that imports nothing of the model, or
    consists of the placeholder tests project templates generate, gives that same false comfort.

    Counts test functions without running anything, as pytest would collect them: `test*`
    functions and `test*` methods of `Test*` classes (and of unittest `TestCase` subclasses)
    in `test_*.py` and `*_test.py` files under `tests.paths` (default `tests/`). A test whose
    body is only `pass`, `...`, a docstring, `assert True` or `assert False` does not count.

    Fails below `tests.min_tests` (default 1), when no test file with a real test imports the
    project's own package or module, when a `tests.paths` entry does not exist, and at each
    test file that does not parse (a file with no `def test` at all is not parsed).
    """
    tests = project.contract.tests
    entries: list[tuple[str, list[str]]] = []
    for index, entry in enumerate(tests.paths):
        files, problem = _test_files(project, entry)
        if problem is not None:
            yield project.contract_finding(
                f"tests.paths[{index}]: {problem}",
                "tests",
                "paths",
                index,
                hint="point tests.paths at the folder that holds your test_*.py files",
            )
        entries.append((entry, files))

    own = _own_top_level_names(project, [entry for entry, _ in entries])
    suite = _Suite()
    entry_of: dict[str, str] = {}  # each file once, under the first entry that names it
    for entry, files in entries:
        suite.tests_by_path.setdefault(_shown(entry), 0)
        for path in files:
            entry_of.setdefault(path, _shown(entry))
    readable = []
    for path in entry_of:
        try:
            readable.append((path, project.os_path(path)))
        except OutsideProject:
            continue  # a symbolic link out of the project: not the project's test
    for found in collect(readable, frozenset(own)):
        problem_finding = _count(found, suite, entry_of[found.path])
        if problem_finding is not None:
            yield problem_finding

    places = [f"{count} in {entry}" for entry, count in suite.tests_by_path.items()]
    if len(places) == 1:
        summary = f"{_tests(suite.count)} in {next(iter(suite.tests_by_path))}"
    else:
        summary = f"{_tests(suite.count)}: {', '.join(places)}"
    if suite.placeholders:
        shown = ", ".join(suite.placeholders[:_SHOWN_PLACEHOLDERS])
        more = ", …" if len(suite.placeholders) > _SHOWN_PLACEHOLDERS else ""
        summary += f"; placeholders not counted: {shown}{more}"

    if suite.count < tests.min_tests:
        searched = ", ".join(_shown(entry) for entry, _ in entries) or "no test path"
        message = (
            f"found {_tests(suite.count)} in {searched}; the contract asks for at least "
            f"{tests.min_tests}"
        )
        if suite.placeholders:
            message += f" (placeholder tests do not count: {len(suite.placeholders)} found)"
        yield project.contract_finding(
            message,
            "tests",
            "min_tests",
            hint="write test_*.py files with test_* functions that call the project's code "
            "and assert on the result",
        )
    if suite.count and not suite.imports_own_code:
        names = ", ".join(sorted(own)[:5])
        yield Finding(
            "no test imports the project's own code"
            + (f" ({names})" if names else " (the project has no package or module of its own)"),
            path=suite.files_with_tests[0],
            hint=(
                f"import what the project ships, e.g. `from {sorted(own)[0]} import ...`, "
                "and assert on what it returns"
                if own
                else "move the model code from notebooks and scripts into a package "
                "(src/<name>/__init__.py) and test that package"
            ),
        )
    yield Note(summary)


def _tests(count: int) -> str:
    return f"{count} test" + ("s" if count != 1 else "")


def _shown(entry: str) -> str:
    """A tests.paths entry as a person reads it: ``tests/`` for a folder."""
    clean = entry.strip("/").removeprefix("./")
    return clean + "/" if not clean.endswith(".py") else clean


def _test_files(project: Project, entry: str) -> tuple[list[str], str | None]:
    """The test files one tests.paths entry names, or why it names none."""
    relative = PurePosixPath(entry.replace("\\", "/")).as_posix().strip("/")
    if relative in ("", "."):
        return [path for path in project.files if _is_test_file(path)], None
    status = project.status(relative)
    if status in (PathStatus.TRACKED, PathStatus.UNTRACKED):
        return ([relative] if _is_test_file(relative) else []), None
    if status is PathStatus.FOLDER:
        prefix = relative + "/"
        return [p for p in project.files if p.startswith(prefix) and _is_test_file(p)], None
    return [], status.problem(repr(entry))


def _is_test_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def _own_top_level_names(project: Project, test_entries: Iterable[str]) -> set[str]:
    """The importable names the project itself defines: packages and modules at the root
    (flat layout) or under ``src/`` (src layout), excluding the test folders."""
    test_roots = tuple(entry.strip("/").removeprefix("./") + "/" for entry in test_entries)
    names: set[str] = set()
    # String operations, cheapest test first: this runs over every file of the project.
    for path in project.files:
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
        if name not in names and not path.startswith(test_roots) and not _is_test_file(path):
            names.add(name)
    return {name for name in names if name.isidentifier() and name not in _NOT_PROJECT_MODULES}


def _count(found: TestFile, suite: _Suite, entry: str) -> Finding | None:
    """Count the tests of one file into ``suite``; a finding if it cannot be collected."""
    if found.problem is not None:
        hint = None
        if found.problem == "not valid UTF-8":
            hint = "save the test file as UTF-8"
        elif found.problem.startswith("does not parse"):
            hint = "fix the syntax error: pytest cannot collect this file, so none of its tests run"
        return Finding(
            found.problem, path=found.path, line=found.line, column=found.column, hint=hint
        )
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
    return None
