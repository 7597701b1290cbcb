"""unit-tests: enough real tests, and tests that exercise the project's own code."""

from __future__ import annotations

from collections.abc import Iterator

from dsdone.analysis.pytest_collect import TestFile
from dsdone.analysis.test_suite import read_test_suite, shown_test_path
from dsdone.api import Note, check
from dsdone.project import Project
from dsdone.report import Area, Finding, Severity

_SHOWN_PLACEHOLDERS = 3


@check(
    id="unit-tests",
    title="Unit tests exercise the project's code",
    severity=Severity.ERROR,
    area=Area.INFRASTRUCTURE,
    ml_test_score=("I2", "D7"),
    fix="Write pytest tests under tests/ that import the project's package and assert on what "
    "its functions return.",
)
def unit_tests(project: Project) -> Iterator[Finding | Note]:
    """Engineering takes over a model by changing its code; without tests that call that code,
    every refactor, dependency upgrade or retrain risks silently changing predictions, and
    nobody finds out until a consumer does. A test suite that imports nothing of the model, or
    consists of the placeholder tests project templates generate, gives that same false comfort.

    Counts, without running anything, the tests pytest would collect, by pytest's rules and
    its own configuration (`python_files`, `python_classes`, `python_functions`,
    `norecursedirs`, `pythonpath`; `testpaths` when `tests.paths` is not given, else `tests/`):
    `test*` functions, and `test*` methods of `Test*` classes and of unittest `TestCase`
    subclasses at any depth, inherited ones included, followed across the project's modules.
    A test whose body is only `pass`, `...`, a docstring, `assert True` or `assert False` does
    not count.

    Fails below `tests.min_tests` (default 1), when no test file with a real test reaches the
    project's own code (directly, through a test helper or a `conftest.py`; the code is found
    where pytest would import it from: the test's folder and those above it, `src/`, a
    namespace package, pytest's `pythonpath`), when a `tests.paths` entry does not exist, at
    each test file that does not parse or is over 1 MB (a file with no `def` or `class` is not
    parsed), and at each file or folder under the test paths that cannot be read.
    """
    tests = project.contract.tests
    suite = read_test_suite(project, tests.paths if tests.paths_declared else None)
    for index, problem in suite.path_problems:
        yield project.contract_finding(
            f"tests.paths[{index}]: {problem}",
            "tests",
            "paths",
            index,
            hint="point tests.paths at the folder that holds your test_*.py files",
        )
    for found in suite.uncollectable:
        yield _uncollectable(found)
    for path, why in suite.unread:
        yield Finding(
            f"tests here were not counted: {why}",
            path=path,
            hint="make it readable by the user who runs dsdone (and rename a file whose name "
            "holds control characters)",
        )

    places = [f"{count} in {entry}" for entry, count in suite.tests_by_path.items()]
    if len(places) == 1:
        summary = f"{_tests(suite.count)} in {next(iter(suite.tests_by_path))}"
    else:
        summary = f"{_tests(suite.count)}: {', '.join(places)}"
    if suite.origin is not None:
        summary += f" ({suite.origin})"
    if suite.placeholders:
        shown = ", ".join(suite.placeholders[:_SHOWN_PLACEHOLDERS])
        more = ", …" if len(suite.placeholders) > _SHOWN_PLACEHOLDERS else ""
        summary += f"; placeholders not counted: {shown}{more}"

    if suite.count < tests.min_tests:
        searched = ", ".join(shown_test_path(entry) for entry in suite.entries) or "no test path"
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
        own = suite.own
        names = ", ".join(own[:5])
        yield Finding(
            "no test imports the project's own code"
            + (f" ({names})" if names else " (the project has no package or module of its own)"),
            path=suite.files_with_tests[0],
            hint=(
                f"import what the project ships, e.g. `from {own[0]} import ...`, "
                "and assert on what it returns"
                if own
                else "move the model code from notebooks and scripts into a package "
                "(src/<name>/__init__.py) and test that package"
            ),
        )
    yield Note(summary)


def _tests(count: int) -> str:
    return f"{count} test" + ("s" if count != 1 else "")


def _uncollectable(found: TestFile) -> Finding:
    """The finding for a test file pytest cannot collect."""
    hint = None
    if found.problem == "not valid UTF-8":
        hint = "save the test file as UTF-8"
    elif (found.problem or "").startswith("does not parse"):
        hint = "fix the syntax error: pytest cannot collect this file, so none of its tests run"
    return Finding(
        found.problem or "cannot be collected",
        path=found.path,
        line=found.line,
        column=found.column,
        hint=hint,
    )
