"""What pytest would collect from test files, found without running them: each test function
(and whether it is a placeholder) and the modules each file imports.

Parsing thousands of test files is the most CPU a check run spends, so a large suite is
collected in a second process (``collect``), on another core, while dsdone's own process does
the rest. Standard library only: that process imports nothing else of dsdone but
``dsdone.safe_read`` and ``dsdone.pysource``, and starts in a few milliseconds.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dsdone.pysource import parse_python
from dsdone.safe_read import read_python_source

# A file that cannot hold a test function is not parsed. This is exact for counting: every
# test is a `def test...` (`async def test...` included); a backslash continues a `def` line.
_MAY_HOLD_A_TEST = re.compile(rb"\bdef[\s\\]+test")
# Below this many files the second process would cost more than it saves.
WORKER_FROM_FILES = 200


@dataclass(frozen=True)
class TestFile:
    """One test file as pytest would collect it, or why it cannot be collected."""

    path: str  # as given: relative to the project
    tests: tuple[tuple[int, bool], ...] = ()  # (line, is a placeholder) of each test function
    # Whether it has a real test and imports one of the names asked for (once one file does,
    # the files after it are not looked at for this, and say False).
    imports_own: bool = False
    problem: str | None = None  # "not valid UTF-8", "cannot be read: ...", "does not parse: ..."
    line: int | None = None  # where it does not parse
    column: int | None = None

    __test__ = False  # not a test class, whatever pytest thinks of its name


def collect_file(path: str, on_disk: str, own: frozenset[str] = frozenset()) -> TestFile:
    """Read and collect the test file ``path``, found on disk at ``on_disk``; ``imports_own``
    says whether it imports one of the modules ``own``."""
    try:
        source = read_python_source(on_disk, path)
    except OSError as exc:
        return TestFile(path, problem=f"cannot be read: {exc.strerror}")
    return collect_source(path, source, own)


def collect_source(path: str, source: bytes, own: frozenset[str] = frozenset()) -> TestFile:
    if not source.isascii() and not _decodes(source):
        return TestFile(path, problem="not valid UTF-8")
    if not _MAY_HOLD_A_TEST.search(source):
        return TestFile(path)
    try:
        # Parsed from the bytes: decoding first would only have the parser encode them again.
        tree = parse_python(source, path)
    except SyntaxError as exc:
        return TestFile(
            path, problem=f"does not parse: {exc.msg}", line=exc.lineno, column=exc.offset
        )
    tests = tuple((f.lineno, _is_placeholder(f)) for f in _test_functions(tree.body))
    real = any(not placeholder for _, placeholder in tests)
    return TestFile(path, tests, real and _imports_any(tree, own))


def _decodes(source: bytes) -> bool:
    """Whether Python can read ``source`` as it would import it: UTF-8, or the encoding a
    ``# -*- coding: ... -*-`` line declares (PEP 263)."""
    try:
        source.decode("utf-8-sig")
        return True
    except UnicodeDecodeError:
        pass
    import io
    import tokenize  # only here: its import compiles a large regular expression

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return False
    return True


def collect(files: Sequence[tuple[str, str]], own: frozenset[str]) -> list[TestFile]:
    """Collect each of ``files`` (its path, and where it is on disk), in order, and whether
    it imports one of the modules ``own`` (until one does).

    With many files a second Python process collects them from the first while this one
    collects from the last, until the two meet: the work is shared whatever else either core
    is doing. The second process can only help: whatever it has not done when they meet
    (because it failed to start, crashed or is slow), this one does."""
    found: list[TestFile | None] = [None] * len(files)
    worker = _Worker.start(files, own) if len(files) >= WORKER_FROM_FILES else None
    try:
        index = len(files) - 1
        while index >= (worker.done if worker is not None else 0):
            result = found[index] = collect_file(*files[index], own)
            if result.imports_own:
                own = frozenset()  # found: the rest need not be walked for imports
            index -= 1
    finally:
        from_worker = worker.stop() if worker is not None else []
    for index, result in enumerate(from_worker[: len(files)]):
        if found[index] is None and result.path == files[index][0]:
            found[index] = result
    return [
        result if result is not None else collect_file(*files[index], own)
        for index, result in enumerate(found)
    ]


def _collect_here(files: Sequence[tuple[str, str]], own: frozenset[str]) -> Iterator[TestFile]:
    for path, on_disk in files:
        found = collect_file(path, on_disk, own)
        if found.imports_own:
            own = frozenset()  # found: the rest need not be walked for imports
        yield found


class _Worker:
    """The second process, collecting from the first file on; ``done`` says how far it got."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.results: list[TestFile] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    @classmethod
    def start(cls, files: Sequence[tuple[str, str]], own: frozenset[str]) -> _Worker | None:
        if not sys.executable:
            return None
        # -I -S: no site-packages, no user environment; only dsdone's own folder on the path.
        package_parent = str(Path(__file__).resolve().parents[2])
        code = f"import sys; sys.path.insert(0, {package_parent!r}); "
        code += "from dsdone.analysis import pytest_collect; pytest_collect.serve()"
        request = json.dumps({"files": files, "own": sorted(own)}).encode(
            "utf-8", "surrogateescape"
        )
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", code],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        worker = cls(process)
        threading.Thread(target=worker._write, args=(request,), daemon=True).start()
        return worker

    @property
    def done(self) -> int:
        return len(self.results)

    def _write(self, request: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(request)
            self.process.stdin.close()
        except OSError:  # it ended early: what it did not do is done here
            pass

    def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            for line in self.process.stdout:
                self.results.append(_from_json(json.loads(line)))
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            pass  # a broken answer ends the help; the rest is done here

    def stop(self) -> list[TestFile]:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.reader.join()
        return self.results


def serve() -> None:
    """The second process: collect the files named on standard input (JSON: "files", a list
    of [path, on disk], and "own", the module names), one JSON line per file on standard
    output, in order, a few at a time."""
    request = json.loads(sys.stdin.buffer.read())
    files = [(str(path), str(on_disk)) for path, on_disk in request["files"]]
    out = sys.stdout
    for count, found in enumerate(_collect_here(files, frozenset(request["own"])), start=1):
        out.write(json.dumps(_to_json(found)) + "\n")
        if count % 16 == 0:
            out.flush()
    out.flush()


def _to_json(found: TestFile) -> dict[str, object]:
    return {
        "path": found.path,
        "tests": found.tests,
        "imports_own": found.imports_own,
        "problem": found.problem,
        "line": found.line,
        "column": found.column,
    }


def _from_json(data: dict[str, object]) -> TestFile:
    tests = data["tests"]
    assert isinstance(tests, list)
    return TestFile(
        path=str(data["path"]),
        tests=tuple((int(line), bool(placeholder)) for line, placeholder in tests),
        imports_own=data["imports_own"] is True,
        problem=data["problem"] if isinstance(data["problem"], str) else None,
        line=data["line"] if isinstance(data["line"], int) else None,
        column=data["column"] if isinstance(data["column"], int) else None,
    )


def _test_functions(body: list[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """pytest's rule: ``test*`` functions, and ``test*`` methods of ``Test*`` classes (nested
    ones included) and of unittest ``TestCase`` subclasses."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("test"):
                yield node
        elif isinstance(node, ast.ClassDef) and (
            node.name.startswith("Test") or _is_testcase(node)
        ):
            yield from _test_functions(node.body)


def _is_testcase(node: ast.ClassDef) -> bool:
    """A unittest ``TestCase`` subclass, which pytest collects whatever its name."""
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name in ("TestCase", "IsolatedAsyncioTestCase"):
            return True
    return False


def _is_placeholder(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of nothing but ``pass``, ``...``, a docstring, ``assert True`` or ``assert False``."""
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            continue
        if (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and (statement.value.value is Ellipsis or isinstance(statement.value.value, str))
        ):
            continue
        if (
            isinstance(statement, ast.Assert)
            and isinstance(statement.test, ast.Constant)
            and isinstance(statement.test.value, bool)
        ):
            continue
        return False
    return True


def _imports_any(tree: ast.Module, names: frozenset[str]) -> bool:
    """Whether the module imports (anywhere, even inside a test) one of ``names``; relative
    imports are of the test folder itself. ``ast.walk`` goes breadth first: the imports at the
    top of a file are seen first."""
    if not names:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name.split(".")[0] in names for alias in node.names):
                return True
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module is not None
            and node.module.split(".")[0] in names
        ):
            return True
    return False
