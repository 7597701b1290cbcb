"""What a Python file holds that pytest would collect, found without running it: the test
functions it defines, its classes (with their bases, test methods and constructors), its
imports, and whether it turns collection off (``__test__ = False``). Which of those pytest
really collects depends on other modules (a class inherits its tests from a base class in
``tests/base.py``): ``dsdone.analysis.pytest_items`` decides that from these facts.

Parsing thousands of test files is the most CPU a check run spends, so a large suite is
parsed in a second process (``collect``), on another core, while dsdone's own process does
the rest. Standard library only: that process imports nothing else of dsdone but
``dsdone.safe_read``, ``dsdone.parse_errors`` and ``dsdone.pysource``, and starts in a few
milliseconds.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsdone.parse_errors import describe
from dsdone.pysource import parse_python
from dsdone.result_cache import ResultCache, blob_key, code_identity, content_key
from dsdone.safe_read import read_python_source

# A file that cannot define a test function or class is not parsed: every test is a `def`
# (`async def` included) or inherited by a `class`; a backslash may continue either line.
_MAY_HOLD_A_TEST = re.compile(rb"\b(?:def|class)[\s\\]")
# Below this many files to parse the second process costs more than it saves: it starts in
# about 50 ms of CPU and hands back each file as JSON that this process decodes. On the
# 20,000-file benchmark (3,000 test files, nothing cached, a quiet 2-core machine: git's search
# leaves the second core free after the first third of the run) the whole check took 0.78-0.84 s
# with it against 0.86-0.90 s without, best of 3, three alternations. With the files in the
# cache (``ResultCache``), none is parsed and no second process starts.
WORKER_FROM_FILES = 1000
# pytest's defaults for ``python_functions`` (prefixes or globs).
DEFAULT_FUNCTIONS = ("test",)
# unittest's loader finds the tests of a TestCase by this prefix, whatever pytest's settings;
# a TestCase without any runs its ``runTest``.
UNITTEST_PREFIX = "test"
UNITTEST_DEFAULT = "runTest"


@dataclass(frozen=True)
class Definition:
    """A function or method that may be a test: its name, where it is, and whether its body is
    a placeholder (``pass``, ``...``, a docstring, ``assert True``)."""

    name: str
    line: int
    placeholder: bool


@dataclass(frozen=True)
class ClassFacts:
    """A class as written: what pytest's decision to collect it, and what it inherits, needs."""

    name: str
    line: int
    bases: tuple[str, ...]  # as written ("unittest.TestCase", "TestBase"); "" for a call
    methods: tuple[Definition, ...]  # those that may be tests (and unittest's runTest)
    constructor: bool = False  # defines __init__ or __new__: pytest will not collect it
    test_flag: bool | None = None  # ``__test__ = True`` / ``False`` in its body
    metaclass: str = ""  # as written, e.g. "ABCMeta"
    nested: tuple[ClassFacts, ...] = ()
    abstract: tuple[str, ...] = ()  # its methods decorated with @abstractmethod
    concrete: tuple[str, ...] = ()  # its other methods (which may implement abstract ones)


@dataclass(frozen=True)
class Import:
    """One name an import statement binds: ``from .base import TestBase as B`` is
    ``Import(1, "base", "TestBase", "B", line)``; ``import a.b`` is ``Import(0, "a.b", None,
    "a", line)``; a star import has the name and alias ``*``."""

    level: int
    module: str
    name: str | None
    alias: str
    line: int
    top: bool = True  # at module level (not inside a function or class)


@dataclass(frozen=True)
class TestFile:
    """One Python file as pytest would see it, or why it cannot be collected."""

    path: str  # as given: relative to the project
    functions: tuple[Definition, ...] = ()  # module-level functions named like tests
    classes: tuple[ClassFacts, ...] = ()  # every module-level class, the last of each name
    imports: tuple[Import, ...] = ()  # every import that runs when the module is imported
    collects: bool = True  # False: ``__test__ = False`` at module level
    problem: str | None = None  # "not valid UTF-8", "cannot be read: ...", "does not parse: ..."
    line: int | None = None  # where it does not parse
    column: int | None = None

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def defines(self) -> dict[str, ClassFacts | Definition | Import]:
        """The module's namespace after it ran: each name bound by its last definition or
        import at module level."""
        bound: list[tuple[int, str, ClassFacts | Definition | Import]] = []
        bound += [(f.line, f.name, f) for f in self.functions]
        bound += [(c.line, c.name, c) for c in self.classes]
        bound += [(i.line, i.alias, i) for i in self.imports if i.top and i.alias != "*"]
        bound.sort(key=lambda entry: entry[0])
        return {name: item for _, name, item in bound}


def matches_name(name: str, options: Iterable[str]) -> bool:
    """pytest's ``python_functions``/``python_classes`` rule: a prefix, or a glob."""
    for option in options:
        if name.startswith(option):
            return True
        if ("*" in option or "?" in option or "[" in option) and fnmatch.fnmatch(name, option):
            return True
    return False


def collect_file(path: str, on_disk: str, functions: Sequence[str] = DEFAULT_FUNCTIONS) -> TestFile:
    """Read and parse the file ``path``, found on disk at ``on_disk``; ``functions`` are
    pytest's ``python_functions``."""
    source = _source(path, on_disk)
    return source if isinstance(source, TestFile) else collect_source(path, source, functions)


def _collect_keyed(
    path: str, on_disk: str, functions: Sequence[str]
) -> tuple[TestFile, str | None]:
    """``collect_file``, with the key of its result in a ``ResultCache``: of the very bytes
    parsed (``None`` when the file could not be read: that is no fact of its content)."""
    source = _source(path, on_disk)
    if isinstance(source, TestFile):
        return source, None
    return collect_source(path, source, functions), content_key(path, functions, source)


def _source(path: str, on_disk: str) -> bytes | TestFile:
    """The file's bytes, or what is collected of a file that cannot be read."""
    try:
        return read_python_source(on_disk, path)
    except OSError as exc:
        return TestFile(path, problem=f"cannot be read: {exc.strerror}")


def collect_source(
    path: str, source: bytes, functions: Sequence[str] = DEFAULT_FUNCTIONS
) -> TestFile:
    if not source.isascii() and not _decodes(source):
        return TestFile(path, problem="not valid UTF-8")
    if not _MAY_HOLD_A_TEST.search(source):
        return TestFile(path, imports=tuple(_cheap_imports(source)))
    try:
        # Parsed from the bytes: decoding first would only have the parser encode them again.
        tree = parse_python(source, path)
    except SyntaxError as exc:
        failure = describe(exc)  # a syntax error's message may quote the file
        return TestFile(
            path,
            problem=f"does not parse: {failure.what}",
            line=failure.line,
            column=failure.column,
        )
    except (RecursionError, MemoryError):  # nested deeper than Python itself can compile
        return TestFile(path, problem="does not parse: too deeply nested")
    return _facts(path, tree, tuple(functions))


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


def _cheap_imports(source: bytes) -> Iterator[Import]:
    """The imports of a file with no ``def`` and no ``class`` (an ``__init__.py`` that only
    re-exports, a conftest of constants): parsed only if it has an import at all."""
    if b"import" not in source:
        return
    try:
        tree = parse_python(source, "<test file>")
    except (SyntaxError, RecursionError, MemoryError):
        return
    yield from _imports(tree.body, top=True)


# -- the facts of one module -----------------------------------------------------------------


def _facts(path: str, tree: ast.Module, functions: tuple[str, ...]) -> TestFile:
    defined: dict[str, Definition] = {}
    classes: dict[str, ClassFacts] = {}
    collects = True
    for node in _executed(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            classes.pop(node.name, None)
            defined.pop(node.name, None)
            if matches_name(node.name, functions) and not _is_fixture(node):
                defined[node.name] = _definition(node)
        elif isinstance(node, ast.ClassDef):
            defined.pop(node.name, None)
            classes.pop(node.name, None)  # re-inserted: the last definition, in its place
            classes[node.name] = _class(node, functions)
        elif _assigns(node, "__test__"):
            collects = _flag(node) is not False
    return TestFile(
        path,
        tuple(defined.values()),
        tuple(classes.values()),
        tuple(_imports(tree.body, top=True)),
        collects,
    )


def _class(node: ast.ClassDef, functions: tuple[str, ...]) -> ClassFacts:
    methods: dict[str, Definition] = {}
    nested: dict[str, ClassFacts] = {}
    kinds: dict[str, bool] = {}  # each method's name: whether it is abstract
    constructor = False
    test_flag: bool | None = None
    for statement in _executed(node.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = statement.name
            methods.pop(name, None)
            kinds[name] = any(
                _dotted(d).rpartition(".")[2] == "abstractmethod" for d in statement.decorator_list
            )
            if name in ("__init__", "__new__"):
                constructor = True
            elif (
                matches_name(name, functions)
                or name.startswith(UNITTEST_PREFIX)
                or name == UNITTEST_DEFAULT
            ) and not _is_fixture(statement):
                methods[name] = _definition(statement)
        elif isinstance(statement, ast.ClassDef):
            nested[statement.name] = _class(statement, functions)
        elif _assigns(statement, "__test__"):
            test_flag = _flag(statement)
        elif _assigns(statement, "__init__") or _assigns(statement, "__new__"):
            constructor = True
    metaclass = next((_dotted(k.value) for k in node.keywords if k.arg == "metaclass"), "")
    return ClassFacts(
        node.name,
        node.lineno,
        tuple(_dotted(base) for base in node.bases),
        tuple(methods.values()),
        constructor,
        test_flag,
        metaclass,
        tuple(nested.values()),
        tuple(name for name, abstract in kinds.items() if abstract),
        tuple(name for name, abstract in kinds.items() if not abstract and name not in methods),
    )


def _definition(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Definition:
    return Definition(node.name, node.lineno, _is_placeholder(node))


def _executed(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a module's or class's body that run when it is imported, in order,
    looking inside ``if``, ``try``, ``with`` and loops (a test defined in ``try:`` exists) but
    not inside ``if __name__ == "__main__":`` or ``if TYPE_CHECKING:``, which do not run."""
    for node in body:
        if isinstance(node, ast.If):
            if not _never_runs(node.test):
                yield from _executed(node.body)
            yield from _executed(node.orelse)
        elif isinstance(node, (ast.Try, ast.TryStar)):
            yield from _executed(node.body)
            for handler in node.handlers:
                yield from _executed(handler.body)
            yield from _executed(node.orelse)
            yield from _executed(node.finalbody)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            yield from _executed(node.body)
            yield from _executed(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            yield from _executed(node.body)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                yield from _executed(case.body)
        else:
            yield node


def _never_runs(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (false when pytest imports the module) or ``TYPE_CHECKING``."""
    if _dotted(test).rpartition(".")[2] == "TYPE_CHECKING":
        return True
    if not (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
    ):
        return False
    sides = {_dotted(side) or _constant(side) for side in (test.left, test.comparators[0])}
    return sides == {"__name__", "__main__"}


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_WITH = (ast.With, ast.AsyncWith)
_TRY = (ast.Try, ast.TryStar)


def _imports(body: list[ast.stmt], *, top: bool) -> list[Import]:
    """The imports that run when the module is imported or its functions are called, as
    ``_executed`` finds statements, but inside functions and classes too. A loop over a stack
    of bodies, by the exact node type: this visits every statement of every test file."""
    found: list[Import] = []
    pending: list[tuple[list[ast.stmt], bool]] = [(body, top)]
    while pending:
        statements, at_top = pending.pop()
        for node in statements:
            kind = type(node)
            if kind is ast.Import:
                assert isinstance(node, ast.Import)
                for alias in node.names:
                    bound = alias.asname or alias.name.partition(".")[0]
                    found.append(Import(0, alias.name, None, bound, node.lineno, at_top))
            elif kind is ast.ImportFrom:
                assert isinstance(node, ast.ImportFrom)
                module = node.module or ""
                for alias in node.names:
                    name = alias.name
                    found.append(
                        Import(node.level, module, name, alias.asname or name, node.lineno, at_top)
                    )
            elif kind in _SCOPES:
                assert isinstance(node, _SCOPES)
                pending.append((node.body, False))
            elif kind is ast.If:
                assert isinstance(node, ast.If)
                if not _never_runs(node.test):
                    pending.append((node.body, at_top))
                pending.append((node.orelse, at_top))
            elif kind in _TRY:
                assert isinstance(node, _TRY)
                pending += [(node.body, at_top), (node.orelse, at_top), (node.finalbody, at_top)]
                pending += [(handler.body, at_top) for handler in node.handlers]
            elif kind in _LOOPS:
                assert isinstance(node, _LOOPS)
                pending += [(node.body, at_top), (node.orelse, at_top)]
            elif kind in _WITH:
                assert isinstance(node, _WITH)
                pending.append((node.body, at_top))
            elif kind is ast.Match:
                assert isinstance(node, ast.Match)
                pending += [(case.body, at_top) for case in node.cases]
    return found


def _dotted(node: ast.expr) -> str:
    """``a.b.C`` for a (dotted) name, the generic's name for ``Base[T]``, else ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        value = _dotted(node.value)
        return f"{value}.{node.attr}" if value else ""
    if isinstance(node, ast.Subscript):
        return _dotted(node.value)
    return ""


def _constant(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _assigns(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    return False


def _flag(node: ast.stmt) -> bool | None:
    """The value of ``__test__ = <bool>``: any truthy or falsy constant, as pytest reads it."""
    value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
    if isinstance(value, ast.Constant):
        return bool(value.value)
    return None


def _is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated with ``@pytest.fixture`` (called or not): pytest never collects a fixture as
    a test, whatever its name (``def test_data()`` is a common fixture name)."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _dotted(target).rpartition(".")[2] in ("fixture", "yield_fixture"):
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


# -- many files, shared with a second process ------------------------------------------------


def collect(
    files: Sequence[tuple[str, str]],
    functions: Sequence[str] = DEFAULT_FUNCTIONS,
    cache: ResultCache | None = None,
    blobs: Mapping[str, str] | None = None,
) -> list[TestFile]:
    """Parse each of ``files`` (its path, and where it is on disk), in order; with ``cache``,
    a file whose content was parsed in an earlier run is not parsed again, and what is parsed
    now is put in it. ``blobs``: the blob git's index holds for each unchanged tracked file
    (``FileIndex.blobs``), by which such a file is looked up without being read."""
    blobs = blobs or {}
    found: list[TestFile | None] = [None] * len(files)
    if cache is not None:
        for index, (path, on_disk) in enumerate(files):
            found[index] = _cached(cache, path, on_disk, functions, blobs.get(path))
    pending = [index for index, result in enumerate(found) if result is None]
    collected = _collect_many([files[index] for index in pending], functions)
    for index, (result, key) in zip(pending, collected, strict=True):
        found[index] = result
        if cache is not None and key is not None:
            path = files[index][0]
            blob = blobs.get(path)
            cache.put(key if blob is None else blob_key(path, functions, blob), to_json(result))
    return [result for result in found if result is not None]


def test_file_cache(folder: Path | None, project: Path) -> ResultCache:
    """The facts of the test files of the project folder ``project`` kept in ``folder`` (the
    user's cache; ``None``: no cache), valid for this module's code only."""
    return ResultCache(folder, "test-files", project, code_identity(__file__))


def _cached(
    cache: ResultCache, path: str, on_disk: str, functions: Sequence[str], blob: str | None
) -> TestFile | None:
    if blob is not None:
        key = blob_key(path, functions, blob)
    else:
        try:
            key = content_key(path, functions, read_python_source(on_disk, path))
        except OSError:
            return None  # said by the collection that follows
    entry = cache.get(key)
    if not isinstance(entry, dict):
        return None
    try:
        return from_json(entry)
    except (TypeError, ValueError, KeyError, AssertionError):
        return None  # written by a dsdone that wrote it otherwise: parsed again


def _collect_many(
    files: Sequence[tuple[str, str]], functions: Sequence[str]
) -> list[tuple[TestFile, str | None]]:
    """``_collect_keyed`` of each of ``files``, in order.

    With many files a second Python process collects them from the first while this one
    collects from the last, until the two meet: the work is shared whatever else either core
    is doing. The second process can only help: whatever it has not done when they meet
    (because it failed to start, crashed or is slow), this one does."""
    found: list[tuple[TestFile, str | None] | None] = [None] * len(files)
    worker = _Worker.start(files, functions) if len(files) >= WORKER_FROM_FILES else None
    try:
        index = len(files) - 1
        while index >= (worker.done if worker is not None else 0):
            found[index] = _collect_keyed(*files[index], functions)
            index -= 1
    finally:
        from_worker = worker.stop() if worker is not None else []
    for index, result in enumerate(from_worker[: len(files)]):
        if found[index] is None and result[0].path == files[index][0]:
            found[index] = result
    return [
        result if result is not None else _collect_keyed(*files[index], functions)
        for index, result in enumerate(found)
    ]


class _Worker:
    """The second process, collecting from the first file on; ``done`` says how far it got."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.results: list[tuple[TestFile, str | None]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    @classmethod
    def start(cls, files: Sequence[tuple[str, str]], functions: Sequence[str]) -> _Worker | None:
        if not sys.executable:
            return None
        # -I -S: no site-packages, no user environment; only dsdone's own folder on the path.
        package_parent = str(Path(__file__).resolve().parents[2])
        code = f"import sys; sys.path.insert(0, {package_parent!r}); "
        code += "from dsdone.analysis import pytest_collect; pytest_collect.serve()"
        request = json.dumps({"files": files, "functions": list(functions)}).encode(
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
                answer = json.loads(line)
                key = answer.get("key")
                self.results.append((from_json(answer), key if isinstance(key, str) else None))
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            pass  # a broken answer ends the help; the rest is done here

    def stop(self) -> list[tuple[TestFile, str | None]]:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.reader.join()
        return self.results


def serve() -> None:
    """The second process: collect the files named on standard input (JSON: "files", a list
    of [path, on disk], and "functions", pytest's ``python_functions``), one JSON line per
    file on standard output, in order, a few at a time, with its ``ResultCache`` key."""
    import gc

    gc.set_threshold(100_000, 10, 10)  # as dsdone's own process (``dsdone.cli``)
    request = json.loads(sys.stdin.buffer.read())
    files = [(str(path), str(on_disk)) for path, on_disk in request["files"]]
    functions = tuple(str(option) for option in request["functions"])
    out = sys.stdout
    for count, (path, on_disk) in enumerate(files, start=1):
        found, key = _collect_keyed(path, on_disk, functions)
        out.write(json.dumps({**to_json(found), "key": key}) + "\n")
        if count % 16 == 0:
            out.flush()
    out.flush()


# -- JSON, between the two processes ---------------------------------------------------------


def to_json(found: TestFile) -> dict[str, Any]:
    return {
        "path": found.path,
        "functions": [_definition_json(d) for d in found.functions],
        "classes": [_class_json(c) for c in found.classes],
        "imports": [[i.level, i.module, i.name, i.alias, i.line, i.top] for i in found.imports],
        "collects": found.collects,
        "problem": found.problem,
        "line": found.line,
        "column": found.column,
    }


def _definition_json(d: Definition) -> list[Any]:
    return [d.name, d.line, d.placeholder]


def _class_json(c: ClassFacts) -> list[Any]:
    return [
        c.name,
        c.line,
        list(c.bases),
        [_definition_json(d) for d in c.methods],
        c.constructor,
        c.test_flag,
        c.metaclass,
        [_class_json(n) for n in c.nested],
        list(c.abstract),
        list(c.concrete),
    ]


def from_json(data: dict[str, Any]) -> TestFile:
    """The ``TestFile`` that ``to_json`` wrote; ``TypeError``, ``ValueError``, ``KeyError``
    or ``AssertionError`` for anything else."""
    problem, line, column = data["problem"], data["line"], data["column"]
    return TestFile(
        path=_str(data["path"]),
        functions=tuple(_definition_from(d) for d in data["functions"]),
        classes=tuple(_class_from(c) for c in data["classes"]),
        imports=tuple(
            Import(int(lv), _str(m), None if n is None else _str(n), _str(a), int(ln), top is True)
            for lv, m, n, a, ln, top in data["imports"]
        ),
        collects=data["collects"] is True,
        problem=problem if isinstance(problem, str) else None,
        line=line if isinstance(line, int) else None,
        column=column if isinstance(column, int) else None,
    )


def _definition_from(data: list[Any]) -> Definition:
    name, line, placeholder = data
    return Definition(_str(name), int(line), placeholder is True)


def _class_from(data: list[Any]) -> ClassFacts:
    name, line, bases, methods, constructor, flag, metaclass, nested, abstract, concrete = data
    return ClassFacts(
        _str(name),
        int(line),
        tuple(_str(b) for b in bases),
        tuple(_definition_from(m) for m in methods),
        constructor is True,
        flag if isinstance(flag, bool) else None,
        _str(metaclass),
        tuple(_class_from(n) for n in nested),
        tuple(_str(n) for n in abstract),
        tuple(_str(n) for n in concrete),
    )


def _str(value: object) -> str:
    assert isinstance(value, str)
    return value
