"""Static resolution of references to the code that implements something.

A contract names code in the forms Python itself uses: a module (``pkg.train``), an object in a
module (``pkg.train:main``), a file (``scripts/train.py``), an object in a file
(``scripts/train.py:main``), a console script declared in ``pyproject.toml``, or a DVC stage.
This module finds the file and the line that each of them means, without importing or running
anything: modules are looked up as files in the ``src/`` layout and the flat layout, objects
are looked up in the module's syntax tree.

Everything is answered from the project's file index, so a file that git ignores does not
count as implementing anything: a fresh clone would not have it.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dsdone.parse_errors import describe
from dsdone.repository import PathStatus
from dsdone.repository import Repository as Repository

# Folders a top-level package may live in: the src layout, then the flat layout.
MODULE_ROOTS = ("src", "")

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_MODULE = re.compile(rf"^{_IDENTIFIER}(\.{_IDENTIFIER})*$")
_QUALNAME = re.compile(rf"^{_IDENTIFIER}(\.{_IDENTIFIER})*$")


@dataclass(frozen=True)
class Located:
    """The code a reference means: a file of the project and, for an object, its line."""

    path: str
    line: int | None = None


@dataclass(frozen=True)
class Unresolved:
    """Why a reference does not resolve; ``path`` and ``line`` locate a syntax error in the file."""

    message: str
    path: str | None = None
    line: int | None = None


Resolution = Located | Unresolved


def is_module_name(text: str) -> bool:
    """Whether ``text`` is a dotted Python module name such as ``pkg.train``."""
    return bool(_MODULE.match(text))


def module_candidates(module: str, *, package_main: bool = False, base: str = "") -> list[str]:
    """The files that may hold ``module``, in the order Python's path would find them.

    With ``package_main`` a package is represented by its ``__main__.py`` (what ``python -m``
    runs) rather than its ``__init__.py``. ``base`` is the folder the command runs in (after a
    ``cd``), relative to the project.
    """
    parts = module.split(".")
    package_file = "__main__.py" if package_main else "__init__.py"
    candidates = []
    for root in _roots(base):
        stem = "/".join([root, *parts]) if root else "/".join(parts)
        candidates += [f"{stem}.py", f"{stem}/{package_file}"]
    return candidates


def _roots(base: str) -> tuple[str, ...]:
    base = base.strip("/")
    return tuple("/".join(p for p in (base, root) if p) for root in MODULE_ROOTS)


def find_module(
    project: Repository, module: str, *, package_main: bool = False, base: str = ""
) -> Resolution:
    """The file of ``module`` (``pkg.mod``) in the src or flat layout (of ``base``)."""
    if not is_module_name(module):
        return Unresolved(f"'{module}' is not a Python module name (such as pkg.train)")
    candidates = module_candidates(module, package_main=package_main, base=base)
    for candidate in candidates:
        if project.is_indexed(candidate):
            return Located(candidate)
    for root in _roots(base):
        folder = "/".join(p for p in (root, *module.split(".")) if p)
        if not package_main and folder in project.folders:
            return Located(folder)  # a namespace package: a folder of modules, no __init__.py
    if package_main:
        for root in _roots(base):
            init = "/".join(p for p in (root, *module.split("."), "__init__.py") if p)
            if project.is_indexed(init):
                return Unresolved(
                    f"'{module}' is a package ({init}) without a __main__.py, so "
                    f"`python -m {module}` cannot run it"
                )
    return Unresolved(
        f"module '{module}' is not in the repository (looked for {', '.join(candidates)})"
    )


def find_object(project: Repository, path: str, qualname: str) -> Resolution:
    """Where ``qualname`` (``main``, or ``Trainer.run``) is defined at the top of ``path``."""
    if not _QUALNAME.match(qualname):
        return Unresolved(f"'{qualname}' is not a Python name", path)
    try:
        tree = project.python_ast(path)
    except SyntaxError as exc:
        failure = describe(exc)
        return Unresolved(f"{path} is not valid Python: {failure.what}", path, failure.line)
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, or a NUL byte (3.10, 3.11)
        return Unresolved(f"{path} cannot be read as Python: {_reason(exc)}", path)
    body: list[ast.stmt] = tree.body
    parts = qualname.split(".")
    line: int | None = None
    for depth, name in enumerate(parts):
        node = _binding(body, name)
        if node is None:
            scope = path if depth == 0 else f"class {'.'.join(parts[:depth])} in {path}"
            return Unresolved(f"'{name}' is not defined at the top level of {scope}", path)
        line = node.lineno
        if depth + 1 < len(parts):
            if not isinstance(node, ast.ClassDef):
                # An attribute of an imported module or of a value is code defined elsewhere,
                # or nothing a static look can find: only classes defined here are looked into.
                return Unresolved(
                    f"'{name}' in {path} is not a class defined there, so '{parts[depth + 1]}' "
                    "cannot be found in it",
                    path,
                )
            body = node.body
    return Located(path, line)


def _binding(body: list[ast.stmt], name: str) -> ast.stmt | None:
    """The statement in ``body`` that binds ``name``: a def, a class, an assignment or an import
    (a package's ``__init__.py`` often re-exports its entry point)."""
    for node in _flatten(body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                return node
        elif isinstance(node, ast.Assign):
            if any(name in _target_names(target) for target in node.targets):
                return node
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            if (
                isinstance(node.target, ast.Name)
                and node.target.id == name
                and (not isinstance(node, ast.AnnAssign) or node.value is not None)
            ):
                return node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound == name:
                    return node
    return None


def _flatten(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Top-level statements, including those inside top-level ``if`` and ``try`` blocks (a
    fallback import or a definition guarded by a version test still binds a module name)."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _flatten(node.body)
            yield from _flatten(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _flatten(block)
            for handler in node.handlers:
                yield from _flatten(handler.body)


def _target_names(target: ast.expr) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_target_names(item) for item in target.elts))
    return set()


def find_file(project: Repository, path: str) -> Resolution:
    """A file of the project, given relative to its root."""
    clean = posixpath.normpath(path.replace("\\", "/"))
    status = project.status(clean)
    if status in (PathStatus.TRACKED, PathStatus.UNTRACKED, PathStatus.FOLDER):
        return Located(clean)
    return Unresolved(status.problem(clean) or f"{clean} cannot be read")


def resolve(project: Repository, reference: str) -> Resolution:
    """Resolve a code reference: ``path.py``, ``path.py:name``, ``pkg.mod`` or ``pkg.mod:name``.

    Any other file (a shell script, a notebook) resolves as a file of the repository.
    """
    reference = reference.strip()
    if not reference:
        return Unresolved("the code reference is empty")
    target, colon, qualname = reference.partition(":")
    if colon and not qualname:
        return Unresolved(f"'{reference}' names no object after the ':'")
    if _looks_like_file(target):
        found = find_file(project, target)
    elif is_module_name(target):
        found = find_module(project, target)
    else:
        return Unresolved(
            f"'{reference}' is neither a file of the repository nor a Python module name"
        )
    if isinstance(found, Unresolved) or not colon:
        return found
    if not found.path.endswith(".py"):
        return Unresolved(f"{found.path} is not a Python file, so it has no '{qualname}'")
    return find_object(project, found.path, qualname)


def _looks_like_file(target: str) -> bool:
    return "/" in target or "\\" in target or target.endswith((".py", ".ipynb", ".sh", ".R"))


def console_scripts(project: Repository) -> dict[str, str]:
    """The console scripts the project declares: name → ``module:function``, from
    ``pyproject.toml`` (``[project.scripts]``, Poetry's ``[tool.poetry.scripts]``),
    ``setup.cfg`` (``[options.entry_points] console_scripts``) and ``setup.py``
    (``entry_points={"console_scripts": [...]}`` written as a literal). Empty when there is
    none; a file that cannot be read declares none (another check reports broken
    configuration)."""
    scripts: dict[str, str] = {}
    scripts.update(_setup_py_scripts(project))
    scripts.update(_setup_cfg_scripts(project))
    data = read_pyproject(project)
    if data is not None:
        poetry = _get(data, "tool", "poetry", "scripts")
        for table in (poetry, _get(data, "project", "scripts")):
            if isinstance(table, dict):
                scripts.update({k: v for k, v in table.items() if isinstance(v, str)})
    return scripts


def _entry_point_lines(lines: list[str]) -> dict[str, str]:
    """``name = module:function`` lines (of setup.cfg, or of setup.py's list)."""
    found = {}
    for line in lines:
        name, eq, target = line.partition("=")
        if eq and name.strip() and target.strip():
            found[name.strip()] = target.strip().split()[0]
    return found


def _setup_cfg_scripts(project: Repository) -> dict[str, str]:
    if not project.is_indexed("setup.cfg"):
        return {}
    from dsdone.analysis.ini import read_ini  # configparser backtracks over a long line

    try:
        ini = read_ini(project.read_text("setup.cfg"))
    except (OSError, UnicodeDecodeError):
        return {}
    if ini.error is not None:
        return {}
    text = next(
        (
            setting.value
            for setting in ini.settings
            if (setting.section, setting.key) == ("options.entry_points", "console_scripts")
        ),
        "",
    )
    return _entry_point_lines(text.splitlines())


def _setup_py_scripts(project: Repository) -> dict[str, str]:
    if not project.is_indexed("setup.py"):
        return {}
    try:
        tree = project.python_ast("setup.py")
    except (OSError, SyntaxError, ValueError, RecursionError):
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "entry_points":
            value = node.value
            if not isinstance(value, ast.Dict):
                continue
            for key, entries in zip(value.keys, value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "console_scripts":
                    texts = entries.elts if isinstance(entries, (ast.List, ast.Tuple)) else []
                    lines = [t.value for t in texts if isinstance(t, ast.Constant)]
                    return _entry_point_lines([line for line in lines if isinstance(line, str)])
    return {}


def read_pyproject(project: Repository) -> dict[str, Any] | None:
    if not project.is_indexed("pyproject.toml"):
        return None
    from dsdone.parsed import DataError, load_toml

    try:
        return load_toml(project.read_text("pyproject.toml"))
    except (OSError, UnicodeDecodeError, DataError):
        return None


def _get(data: Mapping[str, Any], *keys: str) -> Any:
    value: Any = data
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@dataclass(frozen=True)
class DvcStages:
    """The stages of a ``dvc.yaml``, or why it could not be read."""

    path: str
    stages: frozenset[str] = frozenset()
    problem: str | None = None
    line: int | None = None


def dvc_stages(project: Repository, path: str = "dvc.yaml") -> DvcStages:
    """The stage names of the DVC pipeline file ``path`` (safe YAML; never runs DVC)."""
    from dsdone.parsed import DataError, load_yaml

    if not project.is_indexed(path):
        return DvcStages(path, problem=f"{path} is not in the repository")
    try:
        documents, _ = load_yaml(project.read_text(path), plain_tags=False)
    except DataError as exc:
        return DvcStages(path, problem=f"{path} is {exc.describe('YAML')}", line=exc.line)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError, a NUL in a path
        return DvcStages(path, problem=f"{path} cannot be read: {_reason(exc)}")
    data = documents[0] if documents else None
    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, dict):
        return DvcStages(path, problem=f"{path} has no 'stages:' mapping", line=1)
    return DvcStages(path, frozenset(str(name) for name in stages))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(exc, ValueError) and "null byte" in str(exc):
        return "it holds a NUL byte"
    return describe(exc).what  # never the parser's own text: it may quote the file
