"""Folders of scripts: Python files run one by one (``python src/train.py`` in a DVC stage or a
Makefile), not modules of a package that something imports.

Python puts the folder of the script it runs first on ``sys.path``, so scripts import their
neighbours by plain name: ``from util import load_params`` beside ``util.py``. A package's
modules cannot: they import each other as ``from churn.util import ...`` or ``from .util
import ...``, since their folder is not on the path when the package is imported. So a folder
one of whose modules imports a neighbour by its plain name is a folder of scripts, whatever
``__init__.py`` it has (DVC's example projects have an empty one beside ``from util import``).
Read from syntax trees: nothing is imported or run.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable

from dsdone.repository import OutsideProject, Repository

# A neighbour named like a module of the standard library (``types.py``, ``logging.py``) is not
# what ``import types`` imports in a package: such an import says nothing.
_STANDARD = frozenset(sys.stdlib_module_names)


class ScriptFolders:
    """Which folders of a repository are folders of scripts; each folder is judged once, when
    first asked about."""

    def __init__(self, repository: Repository, files: Iterable[str]) -> None:
        self._repository = repository
        # folder -> the names its neighbours are imported by: modules (util.py) and packages
        # (util/__init__.py), without those of the standard library.
        self._modules: dict[str, dict[str, str | None]] = {}
        for path in files:
            if not path.endswith(".py"):
                continue
            folder, _, name = path.rpartition("/")
            if name == "__init__.py":
                parent, _, package = folder.rpartition("/")
                if package.isidentifier() and package not in _STANDARD:
                    self._modules.setdefault(parent, {}).setdefault(package, None)
            elif name[:-3].isidentifier() and name[:-3] not in _STANDARD:
                self._modules.setdefault(folder, {})[name[:-3]] = path
        self._judged: dict[str, bool] = {}

    def holds_scripts(self, folder: str) -> bool:
        """Whether a module in ``folder`` ("" for the top) imports a neighbour by plain name."""
        judged = self._judged.get(folder)
        if judged is None:
            judged = self._judged[folder] = self._imports_a_neighbour(folder)
        return judged

    def _imports_a_neighbour(self, folder: str) -> bool:
        neighbours = self._modules.get(folder, {})
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
            try:
                tree = self._repository.python_ast(path)
            except (SyntaxError, ValueError, OSError):
                continue
            if any(name != own and name in neighbours for name in _absolute_imports(tree)):
                return True
        return False


def _absolute_imports(tree: ast.Module) -> Iterable[str]:
    """The first names of the modules ``tree`` imports absolutely (``import util``, ``from util
    import x``), anywhere in it (``try: from .util ... except ImportError: from util ...``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.partition(".")[0]
