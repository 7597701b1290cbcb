"""Folders of scripts: Python files run one by one (``python src/train.py`` in a DVC stage or a
Makefile), not modules of a package that something imports.

Python puts the folder of the script it runs first on ``sys.path``, so scripts import their
neighbours by plain name: ``from util import load_params`` beside ``util.py``. A package's
modules cannot: they import each other as ``from churn.util import ...`` or ``from .util
import ...``, since their folder is not on the path when the package is imported. So a folder
one of whose modules imports a neighbour by its plain name, taking names the neighbour
defines, is a folder of scripts, whatever ``__init__.py`` it has (DVC's example projects have
an empty one beside ``from util import``). A third-party package named like a neighbour
(``import kubernetes`` beside ``kubernetes.py``) takes names the neighbour does not define.
Read from syntax trees: nothing is imported or run.
"""

from __future__ import annotations

import ast
import bisect
import sys
from collections.abc import Iterable, Iterator

from dsdone.repository import OutsideProject, Repository

# A neighbour named like a module of the standard library (``types.py``, ``logging.py``) is not
# what ``import types`` imports in a package: such an import says nothing.
_STANDARD = frozenset(sys.stdlib_module_names)


class ScriptFolders:
    """Which folders of a repository are folders of scripts; each folder is judged once, when
    first asked about."""

    def __init__(self, repository: Repository, files: Iterable[str]) -> None:
        self._repository = repository
        # Sorted, so that the files of one folder are found by bisection: a check asks about
        # the few folders its hits are in, and must not pay for every module of the project.
        self._python = sorted(path for path in files if path.endswith(".py"))
        self._modules: dict[str, dict[str, str | None]] = {}
        self._judged: dict[str, bool] = {}

    def _neighbours(self, folder: str) -> dict[str, str | None]:
        """The names the neighbours in ``folder`` are imported by: its modules (util.py, the
        path) and packages (util/__init__.py, None), those of the standard library left out."""
        found = self._modules.get(folder)
        if found is not None:
            return found
        found = {}
        prefix = f"{folder}/" if folder else ""
        start = bisect.bisect_left(self._python, prefix)
        end = bisect.bisect_left(self._python, prefix[:-1] + "0") if prefix else len(self._python)
        for path in self._python[start:end]:  # "0" sorts right after "/"
            rest = path[len(prefix) :]
            package, slash, name = rest.partition("/")
            if not slash:
                if rest[:-3].isidentifier() and rest[:-3] not in _STANDARD:
                    found[rest[:-3]] = path
            elif name == "__init__.py" and package.isidentifier() and package not in _STANDARD:
                found.setdefault(package, None)
        self._modules[folder] = found
        return found

    def holds_scripts(self, folder: str) -> bool:
        """Whether a module in ``folder`` ("" for the top) imports a neighbour by plain name."""
        judged = self._judged.get(folder)
        if judged is None:
            judged = self._judged[folder] = self._imports_a_neighbour(folder)
        return judged

    def _imports_a_neighbour(self, folder: str) -> bool:
        neighbours = self._neighbours(folder)
        if len(neighbours) < 2:
            return False
        needles = [name.encode() for name in neighbours]
        for own, path in neighbours.items():
            if path is None:
                continue
            try:
                source = self._repository.read_source(path)
            except (OSError, OutsideProject):
                continue
            # Most modules name no neighbour at all: they are not parsed.
            if not any(needle in source for needle in needles):
                continue
            tree = self._tree(path)
            if tree is None:
                continue
            for name, used in _plain_imports(tree):
                if name == own or name not in neighbours:
                    continue
                # `import kubernetes` beside kubernetes.py, in metaflow's kubernetes plugin,
                # is the kubernetes client library: a neighbour is what is imported only when
                # it defines the names taken from it.
                defined = self._defined(folder, name, neighbours[name])
                if used and used <= defined:
                    return True
        return False

    def _tree(self, path: str) -> ast.Module | None:
        try:
            return self._repository.python_ast(path)
        except (SyntaxError, ValueError, OSError, OutsideProject):
            return None

    def _defined(self, folder: str, name: str, path: str | None) -> set[str]:
        """The names a neighbour module (``path``) or package (``path`` None) defines."""
        if path is not None:
            tree = self._tree(path)
            return _top_level_names(tree) if tree is not None else set()
        package = f"{folder}/{name}" if folder else name
        tree = self._tree(f"{package}/__init__.py")
        names = _top_level_names(tree) if tree is not None else set()
        return names | set(self._neighbours(package))


def _plain_imports(tree: ast.Module) -> Iterator[tuple[str, set[str]]]:
    """Each module ``tree`` imports absolutely by a plain name, with the names it takes from
    it: ``from util import a, b`` takes a and b; ``import util`` takes what ``util.NAME``
    reads in the module. Anywhere in it (``try: from .util ... except ImportError: from
    util ...``)."""
    attributes: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            attributes.setdefault(node.value.id, set()).add(node.attr)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if "." not in node.module and all(alias.name != "*" for alias in node.names):
                yield node.module, {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if "." not in alias.name:
                    yield alias.name, attributes.get(alias.asname or alias.name, set())


def _top_level_names(tree: ast.Module) -> set[str]:
    """The names a module binds at its top level, in ``if``/``try`` blocks too."""
    names: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).partition(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(child.id for child in ast.walk(target) if isinstance(child, ast.Name))
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            pending.extend(node.body)
            pending.extend(getattr(node, "orelse", []))
            pending.extend(getattr(node, "finalbody", []))
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)
    return names
