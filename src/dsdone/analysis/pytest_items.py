"""The tests pytest would collect from one test module, decided from the facts
``pytest_collect`` read, by pytest's rules (``_pytest/python.py``, ``_pytest/unittest.py``):

- a module-level function whose name matches ``python_functions`` (a prefix or glob, default
  ``test``), unless it is a fixture; the last definition of a name wins, as in the module's
  namespace, and one defined inside ``if``/``try`` counts like any other;
- a class whose name matches ``python_classes`` (default ``Test``): each method matching
  ``python_functions``, its own and those it inherits, unless the class or one of its bases
  defines ``__init__``/``__new__`` (pytest warns and collects nothing);
- any subclass of unittest's ``TestCase``, at any depth and whatever its name: each method
  named ``test*``, its own and inherited;
- none of a class with ``__test__ = False`` (inherited too), or abstract, or of a module with
  ``__test__ = False``;
- by default (``collect_imported_tests``), the test classes and functions a module imports
  are collected in it as well.

Base classes are followed across the project's modules (``from tests.base import TestBase``,
``from .base import TestBase``); a base from a library is known only by its name, and one
whose name ends in ``TestCase`` is taken for unittest's (``tf.test.TestCase``,
``absltest.TestCase``, Django's ``SimpleTestCase``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dsdone.analysis.pytest_collect import (
    UNITTEST_DEFAULT,
    UNITTEST_PREFIX,
    ClassFacts,
    Definition,
    Import,
    TestFile,
    matches_name,
)
from dsdone.analysis.python_modules import ProjectModules

# How far a chain of base classes or re-exports is followed.
_MAX_DEPTH = 20

Bound = ClassFacts | Definition | Import


@dataclass(frozen=True)
class TestItem:
    """One test pytest would run: where its function is defined, and whether it is a
    placeholder."""

    path: str
    line: int
    placeholder: bool

    __test__ = False


@dataclass(frozen=True)
class Naming:
    """pytest's ``python_classes``, ``python_functions`` and ``collect_imported_tests``."""

    classes: tuple[str, ...] = ("Test",)
    functions: tuple[str, ...] = ("test",)
    collect_imported: bool = True


@dataclass(frozen=True)
class _Lineage:
    """A class and what it inherits: its classes in method resolution order, each with its
    module, and what is known of the bases outside the project."""

    classes: tuple[tuple[ClassFacts, TestFile], ...]
    testcase: bool  # a unittest TestCase
    abc: bool  # derives from abc.ABC


class TestItems:
    """The tests of test modules, with the project's other modules at hand for what they
    inherit or import."""

    __test__ = False

    def __init__(self, modules: ProjectModules) -> None:
        self._modules = modules
        self._namespaces: dict[str, dict[str, Bound]] = {}

    def of(self, found: TestFile, naming: Naming) -> list[TestItem]:
        """The tests pytest would collect from the module ``found``."""
        if not found.collects:
            return []
        items: list[TestItem] = []
        for name, bound in self._namespace(found).items():
            if isinstance(bound, Definition):
                items.append(TestItem(found.path, bound.line, bound.placeholder))
            elif isinstance(bound, ClassFacts):
                items += self._class_items(name, bound, found, naming, 0)
            elif naming.collect_imported and self._may_be_a_test(name, bound, found, naming):
                items += self._imported(name, found, naming)
        if naming.collect_imported:
            items += self._star_imported(found, naming)
        return items

    def _star_imported(self, found: TestFile, naming: Naming) -> list[TestItem]:
        """The tests ``from .base import *`` brings: the public names of that module."""
        items: list[TestItem] = []
        own = self._namespace(found)
        for star in found.imports:
            if not star.top or star.alias != "*":
                continue
            path = self._modules.find(found.path, star.level, star.module)
            if path is None or not path.endswith(".py") or path == found.path:
                continue
            for name in self._namespace(self._modules.facts(path)):
                if (
                    name not in own
                    and not name.startswith("_")
                    and _named_like_a_test(name, naming)
                ):
                    items += self._imported(name, found, naming)
        return items

    def _may_be_a_test(self, name: str, bound: Import, found: TestFile, naming: Naming) -> bool:
        """Whether an imported name is worth looking up as a test: it is named like a test
        class or function, or like a TestCase (``BaseTestCase``, ``ModelTests``), or comes
        from the tests' own helpers (a TestCase base of any name). The project's functions
        under test, imported from its package, are not followed: that would parse its
        modules, and they hold no tests."""
        if _named_like_a_test(name, naming):
            return True
        if bound.name is None or bound.name == "*":
            return False  # a module
        if not bound.level and not self._modules.may_be_a_test_helper(bound.module):
            return False
        target = self._modules.find(found.path, bound.level, bound.module)
        return target is not None and not self._modules.is_project_code(target)

    def _imported(self, name: str, found: TestFile, naming: Naming) -> list[TestItem]:
        resolved = self._resolve(name, found, 0)
        if isinstance(resolved, str):
            return []  # from a library, or not a class or function
        bound, module = resolved
        if isinstance(bound, ClassFacts):
            return self._class_items(name, bound, module, naming, 0)
        if isinstance(bound, Definition) and matches_name(name, naming.functions):
            return [TestItem(module.path, bound.line, bound.placeholder)]
        return []

    def _class_items(
        self, name: str, cls: ClassFacts, module: TestFile, naming: Naming, depth: int
    ) -> list[TestItem]:
        lineage = self._lineage(cls, module)
        methods: dict[str, tuple[Definition, str]] = {}
        for each, where in lineage.classes:
            for method in each.methods:
                methods.setdefault(method.name, (method, where.path))
        flag = next((c.test_flag for c, _ in lineage.classes if c.test_flag is not None), None)
        if flag is False or _is_abstract(lineage):
            return []
        if lineage.testcase:
            names = [n for n in methods if n.startswith(UNITTEST_PREFIX)]
            if not names and UNITTEST_DEFAULT in methods:
                names = [UNITTEST_DEFAULT]
            return [_item(*methods[n]) for n in names]
        if not (flag is True or matches_name(name, naming.classes)):
            return []
        if any(c.constructor for c, _ in lineage.classes):
            return []  # "cannot collect test class because it has a __init__ constructor"
        items = [_item(*methods[n]) for n in methods if matches_name(n, naming.functions)]
        if depth < _MAX_DEPTH:
            for nested in cls.nested:
                items += self._class_items(nested.name, nested, module, naming, depth + 1)
        return items

    def _lineage(self, cls: ClassFacts, module: TestFile) -> _Lineage:
        classes: list[tuple[ClassFacts, TestFile]] = []
        seen: set[tuple[str, int, str]] = set()
        testcase = abc = False

        def visit(each: ClassFacts, where: TestFile, depth: int) -> None:
            nonlocal testcase, abc
            key = (where.path, each.line, each.name)
            if key in seen or depth > _MAX_DEPTH:
                return
            seen.add(key)
            classes.append((each, where))
            for base in each.bases:
                resolved = self._resolve(base, where, 0)
                if isinstance(resolved, str):
                    testcase |= resolved.endswith("TestCase")
                    abc |= resolved == "ABC"
                elif isinstance(resolved[0], ClassFacts):
                    visit(resolved[0], resolved[1], depth + 1)

        visit(cls, module, 0)
        return _Lineage(tuple(classes), testcase, abc)

    # -- names, followed across modules --------------------------------------------------------

    def _namespace(self, module: TestFile) -> dict[str, Bound]:
        namespace = self._namespaces.get(module.path)
        if namespace is None:
            namespace = self._namespaces[module.path] = module.defines()
        return namespace

    def _resolve(
        self, dotted: str, module: TestFile, depth: int
    ) -> tuple[ClassFacts | Definition, TestFile] | str:
        """What the (dotted) name means in ``module``: a class or function of the project
        with its module, or, for anything from outside the project, its last name."""
        last = dotted.rpartition(".")[2]
        if not dotted or depth > _MAX_DEPTH:
            return last
        head, _, rest = dotted.partition(".")
        bound = self._namespace(module).get(head)
        if bound is None:
            return self._from_star_imports(dotted, module, depth) or last
        if isinstance(bound, (ClassFacts, Definition)):
            return (bound, module) if not rest else last
        if bound.name is None:  # import a.b.c (binds a), import a.b.c as x (binds x)
            top = bound.module.partition(".")[0]
            package = top if bound.alias == top else bound.module
            if not rest:
                return last  # a module, not a class
            inner, _, name = f"{package}.{rest}".rpartition(".")
            return self._in_module(module.path, 0, inner, name, depth)
        if not rest:  # from a import name
            return self._in_module(module.path, bound.level, bound.module, bound.name, depth)
        # from a import b; b.c.Name: b is a module
        inner, _, name = f"{bound.name}.{rest}".rpartition(".")
        package = f"{bound.module}.{inner}" if bound.module else inner
        return self._in_module(module.path, bound.level, package, name, depth)

    def _in_module(
        self, importer: str, level: int, module: str, name: str, depth: int
    ) -> tuple[ClassFacts | Definition, TestFile] | str:
        path = self._modules.find(importer, level, module)
        if path is None or not path.endswith(".py"):
            return name
        return self._resolve(name, self._modules.facts(path), depth + 1)

    def _from_star_imports(
        self, dotted: str, module: TestFile, depth: int
    ) -> tuple[ClassFacts | Definition, TestFile] | None:
        for star in module.imports:
            if not star.top or star.alias != "*":
                continue
            path = self._modules.find(module.path, star.level, star.module)
            if path is not None and path.endswith(".py"):
                resolved = self._resolve(dotted, self._modules.facts(path), depth + 1)
                if not isinstance(resolved, str):
                    return resolved
        return None


def _is_abstract(lineage: _Lineage) -> bool:
    """``inspect.isabstract``: an ``abc.ABC`` (or ``ABCMeta``) class with a method still
    abstract, the first class in the lineage that defines it marking it ``@abstractmethod``."""
    classes = [c for c, _ in lineage.classes]
    if not (lineage.abc or any(c.metaclass.endswith("ABCMeta") for c in classes)):
        return False
    decided: set[str] = set()
    for each in classes:
        for name in each.abstract:
            if name not in decided:
                return True
        decided.update(each.concrete, (m.name for m in each.methods))
    return False


def _item(definition: Definition, path: str) -> TestItem:
    return TestItem(path, definition.line, definition.placeholder)


def _named_like_a_test(name: str, naming: Naming) -> bool:
    return (
        matches_name(name, naming.classes)
        or matches_name(name, naming.functions)
        or "test" in name.lower()
    )
