"""Where checks come from: the built-ins, installed plugin packages, and the project itself.

- built-in: every module of the ``dsdone.checks`` package;
- plugins: the entry point group ``dsdone.checks``; an entry point names a ``Check``, a module
  holding checks, or a list of checks;
- project: the Python files listed under ``plugins:`` in the contract. Loading them runs code
  from the repository under check, so it happens only when the user passes ``--allow-plugins``.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.machinery
import importlib.util
import itertools
import os
import pkgutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from dsdone.api import Check
from dsdone.errors import DsdoneError
from dsdone.safe_read import read_regular

ENTRY_POINT_GROUP = "dsdone.checks"


def builtin_checks() -> list[Check]:
    package = importlib.import_module("dsdone.checks")  # mapped from checks/ by the build
    found: list[Check] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            found.extend(_checks_in(importlib.import_module(f"{package.__name__}.{info.name}")))
    return found


def plugin_checks() -> list[Check]:
    if not _may_declare_plugins():
        return []
    from importlib.metadata import entry_points  # not on the path of `dsdone --version`

    found: list[Check] = []
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        distribution = entry.dist.name if entry.dist is not None else entry.name
        try:
            loaded = entry.load()
        except (Exception, SystemExit) as exc:  # a plugin's sys.exit() must not end dsdone
            raise DsdoneError(
                f"cannot load the check plugin '{entry.name}' ({entry.value}) from the package "
                f"'{distribution}': {type(exc).__name__}: {exc}",
                hint=f"fix or uninstall '{distribution}'; --debug shows the traceback",
            ) from exc
        source = f"plugin {distribution}"
        found.extend(dataclasses.replace(c, source=source) for c in _checks_in(loaded))
    return found


def _may_declare_plugins() -> bool:
    """Whether an installed distribution may declare ``ENTRY_POINT_GROUP``: whether the
    group's name is in one of the ``entry_points.txt`` that ``importlib.metadata`` would read
    (those of the ``*.dist-info`` and ``*.egg-info`` folders on ``sys.path``). Without plugins,
    the usual case, importing ``importlib.metadata`` and parsing every package's entry points
    cost about 20 ms of each run. Where distributions may be found otherwise (a zip file on
    the path, an egg, an import hook that finds distributions), the answer is yes, and
    ``importlib.metadata`` decides."""
    if any(
        getattr(finder, "find_distributions", None) is not None
        and finder is not importlib.machinery.PathFinder
        for finder in sys.meta_path
    ):
        return True
    needle = ENTRY_POINT_GROUP.encode()
    for entry in sys.path:
        if entry.lower().endswith(".egg"):
            return True
        try:
            with os.scandir(entry or ".") as children:
                folders = [c.path for c in children if c.name.lower().endswith(_METADATA)]
        except NotADirectoryError:  # a zip file
            return True
        except OSError:  # not there, not readable: importlib.metadata skips it too
            continue
        for folder in folders:
            try:  # a regular file only: `python -m dsdone` has the current folder on the path
                if needle in read_regular(str(Path(folder, "entry_points.txt"))):
                    return True
            except OSError:
                continue
    return False


_METADATA = (".dist-info", ".egg-info")


def project_checks(root: Path, plugins: Iterable[str]) -> list[Check]:
    found: list[Check] = []
    for relative in plugins:
        try:
            path = (root / relative).resolve()
            inside = root.resolve() in path.parents and path.suffix == ".py" and path.is_file()
        except (OSError, RuntimeError, ValueError):  # a loop, an unreadable folder, a NUL
            inside = False
        if not inside:
            raise DsdoneError(
                f"plugins: {relative!r} is not a Python file inside the project",
                hint="list project check modules as paths such as dsdone_checks/model_card.py",
            )
        module = _import_file(path, relative)
        source = f"project {relative}"
        found.extend(dataclasses.replace(c, source=source) for c in _checks_in(module))
    return found


_loaded = itertools.count()


def _import_file(path: Path, relative: str) -> ModuleType:
    """Load a project's check module as ``import`` would: registered in ``sys.modules`` before
    it runs, because code in it looks itself up there (``@dataclass`` resolves the annotations
    of ``from __future__ import annotations`` through its module, pickling and
    ``typing.get_type_hints`` too). Each load gets a name of its own, so that two projects'
    ``checks.py`` never meet."""
    name = f"dsdone_project_plugin_{next(_loaded)}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        del sys.modules[name]
        # Chained, so that --debug shows where in the plugin it failed.
        raise DsdoneError(
            f"plugins: cannot load {relative}: {type(exc).__name__}: {exc}",
            hint="fix the plugin module, or remove it from the contract's plugins; --debug "
            "shows the traceback",
        ) from exc
    return module


def collect(*sources: Iterable[Check]) -> dict[str, Check]:
    """All checks by id, sorted; two checks with one id is an error naming both sources."""
    checks: dict[str, Check] = {}
    for source in sources:
        for found in source:
            if found.id in checks:
                raise DsdoneError(
                    f"two checks share the id '{found.id}': from {checks[found.id].source} and "
                    f"from {found.source}",
                    hint="uninstall one of the plugins, or rename the project check",
                )
            checks[found.id] = found
    return dict(sorted(checks.items()))


def _checks_in(obj: Any) -> Iterator[Check]:
    if isinstance(obj, Check):
        yield obj
    elif isinstance(obj, ModuleType):
        yield from (value for value in vars(obj).values() if isinstance(value, Check))
    elif isinstance(obj, (list, tuple)):
        yield from (value for value in obj if isinstance(value, Check))
