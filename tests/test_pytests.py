"""dsdone.analysis.pytest_collect and pytest_items: what pytest would collect, found without
running anything, and the second process that shares the work on a large suite without
changing a single result."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest
from conftest import MakeRepo, RunCli

from dsdone.analysis import pytest_collect as pytests
from dsdone.analysis.pytest_collect import (
    DEFAULT_FUNCTIONS,
    Import,
    TestFile,
    collect,
    collect_file,
    collect_source,
    from_json,
    to_json,
)
from dsdone.analysis.pytest_items import Naming, TestItems
from dsdone.analysis.python_modules import ProjectModules
from dsdone.repository import Repository

Files = list[tuple[str, str]]
Lines = tuple[tuple[int, bool], ...]


class _NoOtherFiles:
    """A repository of no other module: what one test module holds on its own."""

    files: tuple[str, ...] = ()


def collected_from(found: TestFile, naming: Naming | None = None) -> Lines:
    """(line, is a placeholder) of each test pytest would collect from the module ``found``."""
    items = TestItems(ProjectModules(cast(Repository, _NoOtherFiles())))
    return tuple((item.line, item.placeholder) for item in items.of(found, naming or Naming()))


def collected_in(source: str, naming: Naming | None = None) -> Lines:
    return collected_from(collect_source("tests/test_fit.py", source.encode()), naming)


# -- what one file holds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "tests"),
    [
        ("def test_a():\n    assert fit() == 1\n", ((1, False),)),
        ("async def test_a():\n    assert await fit() == 1\n", ((1, False),)),
        ("def testing_fit():\n    assert fit()\n", ((1, False),)),  # pytest's prefix is "test"
        ("def helper():\n    assert fit()\n", ()),
        ("def check_test():\n    assert fit()\n", ()),
        (
            "class TestFit:\n    def helper(self):\n        assert fit()\n\n"
            "    def test_a(self):\n        assert fit()\n",
            ((5, False),),
        ),
        (
            "class TestOuter:\n    class TestInner:\n        def test_a(self):\n"
            "            assert fit()\n",
            ((3, False),),
        ),
        (
            "class TestOuter:\n    class Helper:\n        def test_a(self):\n"
            "            assert fit()\n",
            (),
        ),
        ("class Helper:\n    def test_a(self):\n        assert fit()\n", ()),
        (
            "import unittest\n\nclass FitChecks(unittest.TestCase):\n"
            "    def test_a(self):\n        self.assertTrue(fit())\n",
            ((4, False),),
        ),
        (
            "from unittest import TestCase\n\nclass FitChecks(TestCase):\n"
            "    def test_a(self):\n        self.assertTrue(fit())\n",
            ((4, False),),
        ),
        (
            "from unittest import IsolatedAsyncioTestCase\n\n"
            "class FitChecks(IsolatedAsyncioTestCase):\n"
            "    async def test_a(self):\n        self.assertTrue(await fit())\n",
            ((4, False),),
        ),
        (
            "def test_outer():\n    def test_inner():\n        pass\n    assert fit()\n",
            ((1, False),),  # a function inside a test is not collected
        ),
    ],
    ids=[
        "function",
        "async-function",
        "test-prefix-only",
        "not-test-name",
        "test-suffix",
        "method-of-Test-class",
        "nested-Test-class",
        "Helper-inside-Test-class",
        "method-of-other-class",
        "unittest-TestCase",
        "imported-TestCase",
        "IsolatedAsyncioTestCase",
        "function-inside-test",
    ],
)
def test_test_functions_are_those_pytest_collects(source: str, tests: Lines) -> None:
    assert collected_in(source) == tests


# Near-misses from real test modules: each was counted wrong before dsdone read a module as
# pytest's collector does (its namespace after the import, not every `def test` in the file).
@pytest.mark.parametrize(
    ("source", "tests"),
    [
        (  # defined in both branches: the module holds one test_new
            "import sys\nif sys.version_info >= (3, 8):\n"
            "    def test_new():\n        assert fit()\n"
            "else:\n    def test_new():\n        assert fit(0)\n",
            ((6, False),),
        ),
        (  # defined in a try: it exists like any other
            "try:\n    import torch\n\n    def test_gpu():\n        assert fit()\n"
            "except ImportError:\n    pass\n",
            ((4, False),),
        ),
        (  # a class inside `with` or a loop runs as well
            "import warnings\nwith warnings.catch_warnings():\n    class TestFit:\n"
            "        def test_a(self):\n            assert fit()\n",
            ((4, False),),
        ),
        (  # `if __name__ == "__main__":` does not run when pytest imports the module
            "def test_a():\n    assert fit()\n\nif __name__ == '__main__':\n"
            "    def test_by_hand():\n        assert fit()\n",
            ((1, False),),
        ),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    def test_typed():\n"
            "        assert fit()\n",
            (),
        ),
        (  # a fixture named like a test is a fixture
            "import pytest\n\n@pytest.fixture\ndef test_data():\n    return fit()\n\n"
            "@pytest.fixture(scope='module')\ndef test_model():\n    return fit()\n\n"
            "def test_a(test_data):\n    assert test_data\n",
            ((11, False),),
        ),
        (  # the same name twice: the second definition replaces the first
            "def test_a():\n    assert fit(1)\n\n\ndef test_a():\n    assert fit(2)\n",
            ((5, False),),
        ),
        (  # pytest warns "cannot collect test class ... because it has a __init__ constructor"
            "class TestFit:\n    def __init__(self):\n        self.x = 1\n\n"
            "    def test_a(self):\n        assert fit()\n",
            (),
        ),
        (
            "class TestFit:\n    __new__ = object.__new__\n\n"
            "    def test_a(self):\n        assert 1\n",
            (),
        ),
        (  # unittest does not care about __init__
            "import unittest\nclass FitChecks(unittest.TestCase):\n"
            "    def __init__(self, *args):\n        super().__init__(*args)\n\n"
            "    def test_a(self):\n        assert fit()\n",
            ((6, False),),
        ),
        ("class TestFit:\n    __test__ = False\n\n    def test_a(self):\n        assert 1\n", ()),
        ("__test__ = False\n\ndef test_a():\n    assert fit()\n", ()),
        (  # unittest runs runTest when a TestCase has no test* method
            "import unittest\nclass FitCheck(unittest.TestCase):\n    def runTest(self):\n"
            "        assert fit()\n",
            ((3, False),),
        ),
        (  # an abstract Test class is not collected, its concrete subclass is
            "from abc import ABC, abstractmethod\n\nclass TestBase(ABC):\n    @abstractmethod\n"
            "    def make(self): ...\n\n    def test_fit(self):\n        assert self.make()\n\n"
            "class TestConcrete(TestBase):\n    def make(self):\n        return fit()\n",
            ((7, False),),
        ),
        (  # a base class in the same module: its tests are collected in each subclass
            "import unittest\nclass Base(unittest.TestCase):\n    def test_fit(self):\n"
            "        assert fit()\n\nclass CheckA(Base):\n    pass\n\nclass CheckB(Base):\n"
            "    def test_b(self):\n        assert fit()\n",
            ((3, False), (3, False), (3, False), (10, False)),
        ),
        (  # a Test class inheriting a plain helper class's test methods
            "class Mixin:\n    def test_shared(self):\n        assert fit()\n\n"
            "class TestFit(Mixin):\n    def test_own(self):\n        assert fit()\n",
            ((6, False), (2, False)),
        ),
        (  # a helper base with __init__ makes its Test subclass uncollectable
            "class Helper:\n    def __init__(self):\n        pass\n\n"
            "class TestFit(Helper):\n    def test_a(self):\n        assert fit()\n",
            (),
        ),
        (  # __test__ = False on a base is inherited; a subclass may turn it on again
            "class Base:\n    __test__ = False\n\n    def test_a(self):\n        assert fit()\n\n"
            "class TestOff(Base):\n    pass\n\nclass TestOn(Base):\n    __test__ = True\n",
            ((4, False),),
        ),
        (  # a library's TestCase, known by its name
            "import tensorflow as tf\nclass FitTest(tf.test.TestCase):\n    def test_a(self):\n"
            "        assert fit()\n",
            ((3, False),),
        ),
    ],
    ids=[
        "if-else",
        "try",
        "with",
        "main-guard",
        "type-checking",
        "fixture-named-test",
        "redefined",
        "Test-class-with-init",
        "Test-class-with-new",
        "TestCase-with-init",
        "class-test-off",
        "module-test-off",
        "runTest",
        "abstract-base",
        "inherited-in-module",
        "plain-mixin",
        "base-with-init",
        "test-flag-inherited",
        "library-TestCase",
    ],
)
def test_a_module_holds_the_tests_its_namespace_holds(source: str, tests: Lines) -> None:
    assert sorted(collected_in(source)) == sorted(tests)


@pytest.mark.parametrize(
    ("naming", "source", "tests"),
    [
        (
            Naming(functions=("check",)),
            "def check_fit():\n    assert 1\n\ndef test_a():\n    assert 1\n",
            ((1, False),),
        ),
        (
            Naming(functions=("*_should_*",)),
            "def fit_should_converge():\n    assert 1\n",
            ((1, False),),
        ),
        (
            Naming(classes=("*Suite",)),
            "class FitSuite:\n    def test_a(self):\n        assert 1\n\n"
            "class TestFit:\n    def test_b(self):\n        assert 1\n",
            ((2, False),),
        ),
        (  # unittest's loader finds test* methods whatever python_functions says
            Naming(functions=("check",)),
            "import unittest\nclass Fit(unittest.TestCase):\n"
            "    def test_a(self):\n        assert 1\n",
            ((3, False),),
        ),
    ],
    ids=["functions-prefix", "functions-glob", "classes-glob", "unittest-ignores-functions"],
)
def test_pytest_naming_options_are_followed(naming: Naming, source: str, tests: Lines) -> None:
    found = collect_source("tests/test_fit.py", source.encode(), naming.functions)

    assert collected_from(found, naming) == tests


@pytest.mark.parametrize(
    ("body", "placeholder"),
    [
        ("pass", True),
        ("...", True),
        ('"""Check the fit later."""', True),
        ('"""Check the fit later."""\n    pass\n    ...', True),
        ("assert True", True),
        ("assert False", True),
        ("assert fit()", False),
        ("assert True\n    assert fit() == 1", False),
        ('"""Fits."""\n    fit()', False),
    ],
)
def test_placeholder_bodies_are_flagged_per_test(body: str, placeholder: bool) -> None:
    source = f"def test_real():\n    assert fit() == 2\n\n\ndef test_it():\n    {body}\n"

    # Flagged per function, at its own line: the real test beside it stays real.
    assert collected_in(source) == ((1, False), (5, placeholder))


def test_a_file_without_def_or_class_is_not_parsed() -> None:
    # pytest would fail on the syntax error, but such a file holds no test to count either.
    found = collect_source("tests/test_helpers.py", b"rows = (\n# helpers for the tests\n")

    assert found == TestFile("tests/test_helpers.py")


def test_a_syntax_error_in_a_file_with_a_test_is_reported_at_its_line() -> None:
    source = b"import churn\n\n\ndef test_a(:\n    assert churn\n"

    found = collect_source("tests/test_a.py", source)

    assert found.problem is not None and found.problem.startswith("does not parse: ")
    assert (found.line, found.column) == (4, 12)
    assert (found.functions, found.imports) == ((), ())


@pytest.mark.parametrize(
    ("source", "problem", "tests"),
    [
        ("# caf\xe9\ndef test_a():\n    assert 1\n".encode("latin-1"), "not valid UTF-8", ()),
        ("# caf\xe9\ndef test_a():\n    assert 1\n".encode(), None, ((2, False),)),
        ("def test_a():\n    assert 1\n".encode("utf-8-sig"), None, ((1, False),)),
    ],
    ids=["latin-1", "utf-8", "utf-8-with-bom"],
)
def test_only_a_file_that_is_not_utf8_is_said_to_be(
    source: bytes, problem: str | None, tests: Lines
) -> None:
    found = collect_source("tests/test_a.py", source)

    assert (found.problem, collected_from(found)) == (problem, tests)


def test_a_file_declaring_its_encoding_is_collected_as_pytest_does() -> None:
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\ndef test_a():\n    assert 1\n"

    found = collect_source("tests/test_a.py", source.encode("latin-1"))

    assert (found.problem, collected_from(found)) == (None, ((3, False),))


def test_imports_are_read_wherever_they_run() -> None:
    source = (
        "import os, churn.model as cm\n"
        "from .helpers import make_frame as mf\n"
        "from .. import fixtures\n"
        "from tests.base import *\n"
        "\n"
        "def test_a():\n"
        "    from churn import fit\n"
        "    assert fit()\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    import never_imported_by_pytest\n"
    )

    found = collect_source("tests/test_a.py", source.encode())

    assert found.imports == (
        Import(0, "os", None, "os", 1),
        Import(0, "churn.model", None, "cm", 1),
        Import(1, "helpers", "make_frame", "mf", 2),
        Import(2, "", "fixtures", "fixtures", 3),
        Import(0, "tests.base", "*", "*", 4),
        Import(0, "churn", "fit", "fit", 7, top=False),
    )


def test_the_facts_survive_the_trip_between_processes() -> None:
    source = (
        "import unittest\nfrom .base import Base as B\n\n\nclass TestFit(B, metaclass=M):\n"
        "    __test__ = True\n\n    def __init__(self):\n        pass\n\n"
        "    def test_a(self):\n        pass\n\n    class TestInner:\n"
        "        def test_b(self):\n            assert 1\n\n\ndef test_c():\n    assert 1\n"
    )
    found = collect_source("tests/test_fit.py", source.encode())

    assert from_json(json.loads(json.dumps(to_json(found)))) == found


# -- a large suite, collected by two processes --------------------------------------------------

SUITE_SIZE = 250
REAL = (
    "\n\ndef test_{i}_a():\n    assert fit({i}) == {i}\n\n\ndef test_{i}_b():\n    assert fit(0)\n"
)


def write_suite(root: Path, importers: Sequence[int] = ()) -> Files:
    """``SUITE_SIZE`` test files of every kind collect meets, in order; the files at
    ``importers`` import the package ``churn``'s model in a real test."""
    files: Files = []
    (root / "tests").mkdir(parents=True)
    for i in range(SUITE_SIZE):
        name = f"tests/test_{i:03d}.py"
        if i == 48:  # real tests
            name = f"tests/test_café_{i:03d}.py"
        elif i == 50:  # a syntax error, in a file whose name is not UTF-8
            name = os.fsdecode(f"tests/test_{i:03d}_".encode() + b"\xff.py")
        files.append((name, str(root / name)))
        target = root / name
        kind = -1 if i in importers else i % 12
        if kind == -1:
            target.write_text(("from churn.model import fit\n" + REAL).format(i=i))
        elif kind == 0:
            target.write_text(("from .churn import fit\n" + REAL).format(i=i))  # relative
        elif kind == 1:
            target.write_text("import churn\n\n\ndef test_todo():\n    pass\n")  # placeholder
        elif kind == 2:
            target.write_text("import churn\n" + "# pad\n" * i + "def test_a(:\n    assert 1\n")
        elif kind == 3:
            target.write_bytes(b"# caf\xe9\ndef test_a():\n    assert 1\n")
        elif kind == 4:
            target.mkdir()  # a folder named like a test file
        elif kind == 5 and hasattr(os, "mkfifo"):
            os.mkfifo(target)  # would block a plain open() forever
        elif kind in (5, 6):
            pass  # listed but gone from the disk
        elif kind == 7:
            target.write_text(
                "import unittest\nimport churned\n\n\nclass FitChecks(unittest.TestCase):\n"
                f"    def test_fit(self):\n        self.assertEqual(churned.fit({i}), {i})\n"
            )
        elif kind == 8:
            target.write_text("rows = [\n")  # no test, and would not parse: not looked at
        elif kind == 9:
            target.write_text(
                "class TestOuter:\n    class TestInner:\n        def test_a(self):\n"
                "            ...\n\n        def test_b(self):\n            assert fit(1)\n"
            )
        elif kind == 10:
            target.write_text("x = 1\n" * i + "def test_x():\n    assert x\n")
        else:
            target.write_text("")
    return files


def collected_one_by_one(files: Files) -> list[TestFile]:
    """Each file collected on its own in this process: what the two processes must agree with."""
    return [collect_file(path, on_disk) for path, on_disk in files]


def assert_same_results(found: list[TestFile], expected: list[TestFile]) -> None:
    """Equal in everything, in order."""
    assert [f.path for f in found] == [e.path for e in expected]
    for got, want in zip(found, expected, strict=True):
        assert got == want, got.path


@dataclass
class Sharing:
    """How ``collect`` shared the work: the worker it started (if it tried), and the files
    it collected in this process, in the order it did."""

    workers: list[pytests._Worker | None] = field(default_factory=list)
    here: list[str] = field(default_factory=list)
    patience: float = 60.0  # seconds this process waits for the worker before its first file


@pytest.fixture
def sharing(monkeypatch: pytest.MonkeyPatch) -> Sharing:
    """``collect`` observed, and made to wait, before the first file it collects itself, for
    the worker's first answer or its end. Otherwise this process may well collect all 250
    files before the worker has started, and a comparison of their results would compare
    nothing; and a worker slow to start on a busy machine still does its share. Only the
    patience is a time: a worker that never answers ends the wait instead of hanging."""
    seen = Sharing()
    start = pytests._Worker.start

    def start_and_keep(files: Files, functions: Sequence[str]) -> pytests._Worker | None:
        seen.workers.append(start(files, functions))
        return seen.workers[-1]

    def collect_file_here(
        path: str, on_disk: str, functions: Sequence[str] = DEFAULT_FUNCTIONS
    ) -> tuple[TestFile, str | None]:
        worker = seen.workers[0] if seen.workers else None
        deadline = time.monotonic() + seen.patience
        while not seen.here and worker is not None and worker.done == 0:
            if not worker.reader.is_alive() or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        seen.here.append(path)
        return collect_keyed(path, on_disk, functions)

    collect_keyed = pytests._collect_keyed
    monkeypatch.setattr(pytests._Worker, "start", staticmethod(start_and_keep))
    monkeypatch.setattr(pytests, "_collect_keyed", collect_file_here)
    # A suite of 10,000 files would make these tests slow: the worker starts from this one's.
    monkeypatch.setattr(pytests, "WORKER_FROM_FILES", SUITE_SIZE)
    return seen


def test_the_suite_is_large_enough_for_the_second_process(sharing: Sharing) -> None:
    # The tests below prove nothing about the worker if it is never started.
    assert SUITE_SIZE >= pytests.WORKER_FROM_FILES


def test_a_small_suite_is_collected_in_this_process_alone(tmp_path: Path) -> None:
    # Starting a second Python costs more than collecting a few hundred files here.
    files = write_suite(tmp_path, importers=())
    started: list[Files] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pytests._Worker, "start", staticmethod(lambda f, _: started.append(f)))
        found = collect(files * 3)

    assert started == []
    assert len(found) == len(files) * 3 < pytests.WORKER_FROM_FILES


@pytest.mark.parametrize(
    "importers",
    [(), (0,), (130,), (SUITE_SIZE - 1,), tuple(range(5, SUITE_SIZE, 7))],
    ids=["none", "first", "middle", "last", "many"],
)
def test_two_processes_collect_what_one_would(
    tmp_path: Path, sharing: Sharing, importers: tuple[int, ...]
) -> None:
    files = write_suite(tmp_path, importers)
    expected = collected_one_by_one(files)

    found = collect(files)

    assert len(sharing.here) < len(files), "the second process collected nothing to compare"
    assert_same_results(found, expected)
    # The suite is as varied as it claims, or the comparison above would be a weak one.
    problems = {(f.problem or "").split(":")[0] for f in expected}
    assert problems == {"", "not valid UTF-8", "cannot be read", "does not parse"}
    unreadable = {f.problem for f in expected if (f.problem or "").startswith("cannot be read")}
    assert unreadable == {
        "cannot be read: not a regular file",  # a folder, a named pipe
        "cannot be read: No such file or directory",
    }
    importing = [
        i for i, e in enumerate(expected) if any(m.module == "churn.model" for m in e.imports)
    ]
    assert importing == list(importers)


def test_the_second_process_collects_from_the_first_file_while_this_one_takes_the_last(
    tmp_path: Path, sharing: Sharing
) -> None:
    files = write_suite(tmp_path, importers=(7,))
    expected = collected_one_by_one(files)

    found = collect(files)

    (worker,) = sharing.workers
    assert worker is not None, "the second process was not started"
    assert 0 < len(sharing.here) < len(files), "the second process did none of the work"
    # This process went from the last file backwards, and did only those.
    assert sharing.here == [path for path, _ in reversed(files)][: len(sharing.here)]
    assert_same_results(found, expected)
    assert worker.process.poll() is not None, "the second process is left running"


HANGS = "exec sleep 600\n"
ANSWERS_GARBAGE = "echo 'not JSON'\nexec cat >/dev/null\n"
OTHER_FILE = (
    '{"path": "tests/elsewhere.py", "functions": [["test_a", 1, false]], "classes": [], '
    '"imports": [], "collects": true, "problem": null, "line": null, "column": null}'
)
ANSWERS_ABOUT_OTHER_FILES = (
    f"i=0\nwhile [ $i -lt {SUITE_SIZE} ]; do echo '{OTHER_FILE}'; i=$((i+1)); done\n"
    "exec cat >/dev/null\n"
)


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in workers are shell scripts")
@pytest.mark.parametrize(
    ("executable", "script"),
    [
        ("", None),  # an embedded Python that does not know its own executable
        ("/nonexistent/bin/python", None),
        ("worker", "exit 1\n"),  # crashes at once
        ("worker", HANGS),
        ("worker", ANSWERS_GARBAGE),
        ("worker", ANSWERS_ABOUT_OTHER_FILES),
    ],
    ids=["no-executable", "missing", "crashes", "hangs", "garbage", "other-files"],
)
def test_whatever_the_second_process_does_every_file_is_collected(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sharing: Sharing,
    executable: str,
    script: str | None,
) -> None:
    files = write_suite(tmp_path / "project", importers=(200,))
    expected = collected_one_by_one(files)
    if script == HANGS:
        sharing.patience = 0  # it will never answer
    if script is not None:
        worker = tmp_path / executable
        worker.write_text("#!/bin/sh\n" + script)
        worker.chmod(0o755)
        executable = str(worker)
    monkeypatch.setattr(sys, "executable", executable)  # the one pytest_collect starts

    found = collect(files)

    assert_same_results(found, expected)


# -- through the check and the command line ----------------------------------------------------

CLI_FILES = 260
BROKEN = 137  # the one file that does not parse
PACKAGE = {"src/churn/__init__.py": "", "src/churn/model.py": "def fit(x):\n    return x\n"}


def three_tests(i: int, placeholders: int) -> str:
    """A test file importing the package: three tests, the first ``placeholders`` of them
    placeholders (each one line 4 + 4 * its position)."""
    source = "from churn.model import fit\n"
    for n in range(3):
        body = "pass" if n < placeholders else f"assert fit({i}) == {i}"
        source += f"\n\ndef test_{n}():\n    {body}\n"
    return source


def test_a_large_suite_is_counted_through_the_cli(make_repo: MakeRepo, run_cli: RunCli) -> None:
    files = dict(PACKAGE)
    for i in range(CLI_FILES):
        files[f"tests/test_{i:03d}.py"] = three_tests(i, 2 if i % 10 == 0 else 0)
    files[f"tests/test_{BROKEN}.py"] = "from churn.model import fit\n\n\ndef test_0(:\n    pass\n"
    root = make_repo(files)

    cli = run_cli("check", "--select", "unit-tests", "--format", "json", cwd=root)

    # 26 files (0, 10, ..., 250) hold 1 real test and 2 placeholders; of the other 234, all
    # but the broken one hold 3 real tests: 26 + 233 * 3 = 725 tests, 52 placeholders.
    assert cli.exit_code == 1
    report = json.loads(cli.stdout)
    assert report["summary"]["findings"] == 1
    (result,) = report["results"]
    assert result["status"] == "fail"
    assert result["summary"] == (
        "1 finding; 725 tests in tests/; placeholders not counted: "
        "tests/test_000.py:4, tests/test_000.py:8, tests/test_010.py:4, …"
    )
    (finding,) = result["findings"]
    assert finding["message"].startswith("does not parse: ")
    assert (finding["path"], finding["line"]) == (f"tests/test_{BROKEN}.py", 4)


def test_a_module_nested_deeper_than_python_compiles_is_said_not_to_parse() -> None:
    source = b"def test_a():\n    x = " + b"-" * 200_000 + b"1\n"

    found = collect_source("tests/test_a.py", source)

    assert found.problem == "does not parse: it nests expressions too deeply to be parsed"
