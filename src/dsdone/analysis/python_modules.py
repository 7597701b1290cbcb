"""The project's Python modules as its tests import them: which file an import statement
reaches, whether that file is the project's own code or the tests' own helpers, and the names
a test could import.

Resolved as Python and pytest would resolve them, generously: an absolute import is looked
for in each folder from the importing file's own up to the project's (pytest puts the test's
folder on ``sys.path``; ``python -m pytest`` adds the folder it starts from, so a test in a
monorepo's ``sub/tests/`` imports ``sub/model.py`` as ``model``), then in ``src/`` and in
pytest's ``pythonpath``. A folder of ``.py`` files without ``__init__.py`` is a namespace
package, importable as well. Nothing is imported or run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from dsdone.analysis.pytest_collect import Import, TestFile, collect_file
from dsdone.repository import OutsideProject, Repository

# Folders that hold tests and their helpers, never the code the project ships.
_TEST_FOLDER = re.compile(r"(?:tests?|testing|test_?data|tests?_.*|.*_tests?)", re.IGNORECASE)
# Top-level names that are never the project's code, and folders of .py files that are not
# what a test of the project's code would import (only left out of the names shown).
_NOT_PROJECT_MODULES = frozenset(
    {"conftest", "setup", "noxfile", "__init__", "__main__", "tests", "test"}
)
_NOT_SHOWN = frozenset({"docs", "doc", "examples", "example", "benchmarks", "site", "build"})
# How deep a chain of test helpers (a conftest importing a helper importing the package) is
# followed: deeper chains are not how test suites are written.
_HELPER_DEPTH = 4


def is_test_folder(name: str) -> bool:
    return _TEST_FOLDER.fullmatch(name) is not None


class ProjectModules:
    """The ``.py`` files of a repository, as modules.

    ``is_test_module(path)`` says which files are test modules (pytest's ``python_files``);
    ``test_modules_say_test`` that every test module has "test" in its name (pytest's
    default ``python_files`` do); ``roots`` are the folders, besides each file's own and those
    above it, that imports are resolved from (``src``, pytest's ``pythonpath``);
    ``functions`` is pytest's ``python_functions``, for parsing a module not parsed yet."""

    def __init__(
        self,
        repository: Repository,
        *,
        roots: Iterable[str] = (),
        is_test_module: Callable[[str], bool] = lambda _path: False,
        test_modules_say_test: bool = True,
        functions: tuple[str, ...] = ("test",),
    ) -> None:
        self._repository = repository
        self._py = frozenset(path for path in repository.files if path.endswith(".py"))
        self._roots = tuple(dict.fromkeys(roots))
        self._is_test_module = is_test_module
        self._test_modules_say_test = test_modules_say_test
        self._functions = functions
        self._facts: dict[str, TestFile] = {}
        self._reaches: dict[str, bool] = {}
        self._code_folders: frozenset[str] | None = None
        self._test_area_names: frozenset[str] | None = None

    # -- files ---------------------------------------------------------------------------------

    def remember(self, found: TestFile) -> None:
        """Keep a file already parsed (the test files), so that it is not parsed again."""
        self._facts.setdefault(found.path, found)

    def facts(self, path: str) -> TestFile:
        """The parsed module ``path`` (a ``.py`` file of the project), parsed once."""
        found = self._facts.get(path)
        if found is None:
            try:
                on_disk = self._repository.os_path(path)
            except OutsideProject:
                found = TestFile(path, problem="cannot be read: outside the project")
            else:
                found = collect_file(path, on_disk, self._functions)
            self._facts[path] = found
        return found

    @property
    def code_folders(self) -> frozenset[str]:
        """Every folder that holds a ``.py`` file, at any depth (a namespace package)."""
        if self._code_folders is None:
            folders: set[str] = set()
            for path in self._py:
                folder = path.rpartition("/")[0]
                while folder and folder not in folders:
                    folders.add(folder)
                    folder = folder.rpartition("/")[0]
            self._code_folders = frozenset(folders)
        return self._code_folders

    # -- resolving imports ---------------------------------------------------------------------

    def roots_of(self, importer: str) -> Iterator[str]:
        """The folders an absolute import in ``importer`` is looked for in, in order: its own
        folder and each above it, each followed by its ``src/`` (the src layout, at the top or
        in a subproject), then pytest's ``pythonpath``."""
        folder = importer.rpartition("/")[0]
        seen = []
        while True:
            src = f"{folder}/src" if folder else "src"
            for root in (folder, src):
                if root not in seen and (root == folder or root in self.code_folders):
                    seen.append(root)
                    yield root
            if not folder:
                break
            folder = folder.rpartition("/")[0]
        for root in self._roots:
            if root not in seen:
                yield root

    def find(self, importer: str, level: int, module: str) -> str | None:
        """The file (``a/b.py``, ``a/b/__init__.py``) or namespace folder (``a/b/``) that
        ``module`` names in an import of ``importer``, relative (``level`` dots) or absolute;
        ``None`` when it is not in the project (a library)."""
        if level:
            folder = importer.rpartition("/")[0]
            for _ in range(level - 1):
                if not folder:
                    return None  # beyond the project's top
                folder = folder.rpartition("/")[0]
            return self._in(folder, module) or self._namespace(folder, module)
        if not module:
            return None
        roots = list(self.roots_of(importer))
        for root in roots:
            found = self._in(root, module)
            if found is not None:
                return found
        for root in roots:
            found = self._namespace(root, module)
            if found is not None:
                return found
        return None

    def _in(self, root: str, module: str) -> str | None:
        relative = module.replace(".", "/")
        base = f"{root}/{relative}" if root and relative else root or relative
        package = f"{base}/__init__.py" if base else "__init__.py"
        if package in self._py:
            return package
        if relative and base + ".py" in self._py:
            return base + ".py"
        return None

    def _namespace(self, root: str, module: str) -> str | None:
        relative = module.replace(".", "/")
        base = f"{root}/{relative}" if root and relative else root or relative
        return base + "/" if base and base in self.code_folders else None

    def targets(self, importer: str, found: Import) -> Iterator[str]:
        """The project's file (or namespace folder) that one import of ``importer`` runs: for
        ``from a.b import c`` the submodule ``a/b/c.py`` if there is one, else ``a/b``, else
        ``a`` (whose ``__init__.py`` runs first either way)."""
        module = found.module
        if found.name is not None and found.name != "*":
            module = f"{module}.{found.name}" if module else found.name
        while True:
            target = self.find(importer, found.level, module)
            if target is not None:
                yield target
                return
            if "." not in module:
                return
            module = module.rpartition(".")[0]

    def may_be_a_test_helper(self, module: str) -> bool:
        """Whether the absolute import of ``module`` can reach a module of the tests' own (in a
        tests folder, a test module, a conftest.py): only if its first name is the name of one
        of those or of a folder above one. A cheap answer for the many imports of the
        project's own code, which this rules out without resolving them."""
        if self._test_area_names is None:
            names: set[str] = set()
            for path in self._py:
                # "test" is in the path of every such module (a folder or a file named like
                # tests, a conftest.py) unless python_files names test modules otherwise.
                maybe = "test" in path.lower() or (
                    not self._test_modules_say_test and self._is_test_module(path)
                )
                if maybe and not self.is_project_code(path):
                    parts = path[:-3].split("/")
                    names.update(parts)
            self._test_area_names = frozenset(names)
        return module.partition(".")[0] in self._test_area_names

    # -- own code ------------------------------------------------------------------------------

    def is_project_code(self, path: str) -> bool:
        """Whether the file or namespace folder ``path`` is code the project ships: not in a
        tests folder, not a test module, not a conftest.py."""
        parts = path.rstrip("/").split("/")
        folders = parts if path.endswith("/") else parts[:-1]
        if any(is_test_folder(part) for part in folders):
            return False
        if path.endswith("/"):
            return True
        return parts[-1] != "conftest.py" and not self._is_test_module(path)

    def reaches_own_code(self, path: str) -> bool:
        """Whether running the module ``path`` imports the project's own code: itself, through
        the test helpers it imports, or through a ``conftest.py`` next to it or above it
        (pytest loads those first, and their fixtures hand the project's objects to tests)."""
        if self._imports_own(self.facts(path), 0):
            return True
        return any(self._module_reaches(conftest, 1) for conftest in self._conftests(path))

    def _conftests(self, path: str) -> Iterator[str]:
        folder = path.rpartition("/")[0]
        while True:
            conftest = f"{folder}/conftest.py" if folder else "conftest.py"
            if conftest in self._py and conftest != path:
                yield conftest
            if not folder:
                return
            folder = folder.rpartition("/")[0]

    def _module_reaches(self, path: str, depth: int) -> bool:
        known = self._reaches.get(path)
        if known is not None:
            return known
        self._reaches[path] = False  # while it is looked at: an import cycle ends here
        result = self._imports_own(self.facts(path), depth)
        self._reaches[path] = result
        return result

    def _imports_own(self, found: TestFile, depth: int) -> bool:
        for statement in found.imports:
            for target in self.targets(found.path, statement):
                if self.is_project_code(target):
                    return True
                if (
                    depth < _HELPER_DEPTH
                    and target.endswith(".py")
                    and target != found.path
                    and self._module_reaches(target, depth + 1)
                ):
                    return True
        return False

    # -- the names a test could import ---------------------------------------------------------

    def own_names(self, near: str) -> list[str]:
        """The importable names of the project's code closest to the test file ``near``: those
        of its subproject (the nearest folder above it that holds code) when it is in one
        (none when that subproject has none), else those at the project's top, in ``src/`` and
        in pytest's ``pythonpath``; packages and modules first, then namespace folders."""
        folder = near.rpartition("/")[0]
        in_subproject = False
        while folder:
            if not any(is_test_folder(part) for part in folder.split("/")):
                in_subproject = True
                names = self._names_with_src(folder, ())
                if names:
                    return _ranked(names)
            folder = folder.rpartition("/")[0]
        if in_subproject:
            return []  # the top's names would be a sibling subproject's
        return _ranked(self._names_with_src("", self._roots))

    def _names_with_src(self, folder: str, roots: Iterable[str]) -> dict[str, int]:
        """The names in ``folder``, in its ``src/`` (unless ``src`` is itself a package) and
        in ``roots``."""
        names = self._names_in(folder)
        src = f"{folder}/src" if folder else "src"
        for root in (src, *roots):
            if root and f"{root}/__init__.py" not in self._py:
                names.pop(root.rpartition("/")[2], None)  # a folder on the path: not imported
                names.update(self._names_in(root))
        return names

    def _names_in(self, root: str) -> dict[str, int]:
        """The importable names in ``root``, each with its rank (0 a package holding code,
        1 a module, 2 a namespace folder)."""
        prefix = root + "/" if root else ""
        names: dict[str, int] = {}
        for path in self._py:
            if not path.startswith(prefix) or not self.is_project_code(path):
                continue
            rest = path[len(prefix) :]
            name, slash, below = rest.partition("/")
            if not slash:
                name, rank = name[:-3], 1
            elif f"{prefix}{name}/__init__.py" in self._py:
                if below == "__init__.py" and not self._has_code(path):
                    continue  # an empty __init__.py alone (a folder of configs) is no code
                rank = 0
            else:
                rank = 2
            shown = name.isidentifier() and not is_test_folder(name)
            if shown and name not in _NOT_PROJECT_MODULES and name not in _NOT_SHOWN:
                names[name] = min(rank, names.get(name, rank))
        return names

    def _has_code(self, path: str) -> bool:
        try:
            text = self._repository.read_source(path)
        except (OSError, OutsideProject):
            return False
        return any(
            line.strip() and not line.lstrip().startswith(b"#") for line in text.splitlines()
        )


def _ranked(names: dict[str, int]) -> list[str]:
    return sorted(names, key=lambda name: (names[name], name))
