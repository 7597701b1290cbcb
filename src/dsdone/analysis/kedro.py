"""A Kedro project as Kedro itself finds it, read statically: the package named by
``[tool.kedro]`` in ``pyproject.toml``, the pipelines its ``register_pipelines()`` returns, and
the catalog files its config loader reads. Nothing is imported or run.

The pipeline names are those Kedro would really register: the keys of the dict the registry
returns (``{"__default__": ..., "data_science": ...}``), the keys assigned to it
(``pipelines["reporting"] = ...``), and, where it calls ``find_pipelines()``, the folders under
``pipelines/``. A registry built some other way (a loop, a helper in another module) cannot be
read: then any name may be registered, and nothing is claimed either way.
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass

from dsdone.analysis.code_refs import read_pyproject
from dsdone.repository import OutsideProject, Repository

DEFAULT = "__default__"
# Where Kedro's OmegaConfigLoader looks for the catalog in each environment (its default
# config_patterns["catalog"]: "catalog*", "catalog*/**", "**/catalog*").
CATALOG_PATTERNS = ("catalog*", "catalog*/**", "**/catalog*")


@dataclass(frozen=True)
class KedroProject:
    """A Kedro project: its package and the folder that holds it."""

    package: str
    package_folder: str  # src/<package> (the default source_dir) or <package>

    @property
    def registry(self) -> str:
        return f"{self.package_folder}/pipeline_registry.py"


@dataclass(frozen=True)
class Pipelines:
    """The pipelines a project's registry returns."""

    names: frozenset[str]  # __default__ included when it is registered
    complete: bool  # False: the registry is built in a way not read here; any name may exist
    # The pipelines __default__ is made of; None when it is all of them or cannot be told.
    default_parts: frozenset[str] | None = None


def kedro_project(repository: Repository) -> KedroProject | None:
    """The Kedro project in the repository (``[tool.kedro] package_name``), if it is one."""
    data = read_pyproject(repository) or {}
    tool = data.get("tool")
    settings = tool.get("kedro") if isinstance(tool, dict) else None
    package = settings.get("package_name") if isinstance(settings, dict) else None
    if not isinstance(package, str) or not package.isidentifier():
        return None
    source = settings.get("source_dir", "src") if isinstance(settings, dict) else "src"
    source = source.strip("/") if isinstance(source, str) else "src"
    folder = f"{source}/{package}" if source else package
    if folder not in repository.folders and package in repository.folders:
        folder = package
    return KedroProject(package, folder)


def registered_pipelines(repository: Repository, project: KedroProject) -> Pipelines | None:
    """The pipelines the project registers; None when there is no readable registry."""
    try:
        tree = repository.python_ast(project.registry)
    except (OSError, OutsideProject, SyntaxError, ValueError):
        return None
    function = next(
        (
            node
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name == "register_pipelines"
        ),
        None,
    )
    if function is None:
        return Pipelines(frozenset(), complete=False)
    return _read_registry(function, _pipeline_folders(repository, project))


def _pipeline_folders(repository: Repository, project: KedroProject) -> set[str]:
    """The pipelines ``find_pipelines()`` discovers: each folder of ``pipelines/`` with code."""
    prefix = f"{project.package_folder}/pipelines/"
    found = set()
    for path in repository.files:
        if path.startswith(prefix) and path.endswith(".py"):
            name = path[len(prefix) :].partition("/")[0]
            if "/" in path[len(prefix) :] and not name.startswith(("_", ".")):
                found.add(name)
    return found


def _read_registry(function: ast.FunctionDef, folders: set[str]) -> Pipelines:
    returned = {
        node.value.id
        for node in ast.walk(function)
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name)
    }
    names: set[str] = set()
    values: dict[str, ast.expr] = {}  # what each name is made of, where it can be read
    complete = True
    understood = False
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
            understood = True
            complete &= _dict_keys(node.value, names, values)
        elif isinstance(node, ast.Return) and node.value and _calls(node.value, "find_pipelines"):
            understood = True
            names.update(folders)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in returned:
                understood = True
                if isinstance(node.value, ast.Dict):
                    complete &= _dict_keys(node.value, names, values)
                elif _calls(node.value, "find_pipelines"):
                    names.update(folders)
                else:
                    complete = False
            elif (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in returned
            ):
                key = target.slice
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    names.add(key.value)
                    values[key.value] = node.value
                else:
                    complete = False
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
        ):
            complete = False  # pipelines.update(...): more names than are read here
    if not understood:
        return Pipelines(frozenset(names), complete=False)
    return Pipelines(frozenset(names), complete, _default_parts(values))


def _dict_keys(node: ast.Dict, names: set[str], values: dict[str, ast.expr]) -> bool:
    """Add the dict's string keys; False when some key is not a string literal (``**x``)."""
    complete = True
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
            values[key.value] = value
        else:
            complete = False
    return complete


def _calls(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == name)
        or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
    )


def _default_parts(values: dict[str, ast.expr]) -> frozenset[str] | None:
    """The registered pipelines that ``__default__`` adds up (``a + b``, ``sum([a, b])``), by
    the variables both are built from; None for ``sum(pipelines.values())`` (all of them) or
    anything not read here."""
    default = values.get(DEFAULT)
    if default is None or (_calls(default, "sum") and _mentions_values(default)):
        return None
    used = _variables(default)
    if not used:
        return None
    parts = set()
    for name, value in values.items():
        if name == DEFAULT:
            continue
        variables = _variables(value)
        if variables and variables <= used:
            parts.add(name)
    return frozenset(parts)


def _mentions_values(node: ast.expr) -> bool:
    return any(
        isinstance(child, ast.Attribute) and child.attr == "values" for child in ast.walk(node)
    )


def _variables(node: ast.expr) -> set[str]:
    return {child.id for child in ast.walk(node) if isinstance(child, ast.Name)} - {"sum"}


def catalog_files(repository: Repository, environment: str = "conf/base") -> list[str]:
    """The catalog files of a configuration environment, as Kedro's config loader finds them:
    ``catalog.yml``, ``catalog_01_raw.yml``, ``catalog/*.yml``, ``pipelines/x/catalog.yml``."""
    prefix = environment.rstrip("/") + "/"
    found = []
    for path in repository.files:
        if not path.startswith(prefix) or not path.endswith((".yml", ".yaml")):
            continue
        relative = path[len(prefix) :]
        if any(fnmatch.fnmatchcase(relative, pattern) for pattern in CATALOG_PATTERNS):
            found.append(path)
    return found


@dataclass(frozen=True)
class Node:
    """A ``node(func, inputs, outputs)`` of a pipeline: the datasets it reads and writes."""

    path: str  # the file that builds it (a pipeline.py)
    inputs: frozenset[str]
    outputs: frozenset[str]


def pipeline_nodes(repository: Repository, project: KedroProject) -> list[Node]:
    """The nodes the project's pipeline files build, read from their syntax trees: each
    ``node(...)`` / ``Node(...)`` call with literal dataset names."""
    prefix = project.package_folder + "/"
    nodes = []
    for path in repository.files:
        if not (path.startswith(prefix) and path.endswith(".py")):
            continue
        try:
            tree = repository.python_ast(path)
        except (OSError, OutsideProject, SyntaxError, ValueError, RecursionError):
            continue
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _called_name(call) in ("node", "Node"):
                inputs = _argument(call, "inputs", 1)
                outputs = _argument(call, "outputs", 2)
                nodes.append(Node(path, _dataset_names(inputs), _dataset_names(outputs)))
    return nodes


def _called_name(call: ast.Call) -> str:
    func = call.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


def _argument(call: ast.Call, keyword: str, position: int) -> ast.expr | None:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return call.args[position] if len(call.args) > position else None


def _dataset_names(node: ast.expr | None) -> frozenset[str]:
    """``"x"``, ``["x", "params:y"]``, ``{"a": "x"}``: the dataset names (parameters left out)."""
    if node is None:
        return frozenset()
    if isinstance(node, ast.Dict):
        items: list[ast.expr] = [value for value in node.values if value is not None]
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = list(node.elts)
    else:
        items = [node]
    # `x@pandas`: dataset x, loaded through one of its transcoded types.
    return frozenset(
        item.value.partition("@")[0]
        for item in items
        if isinstance(item, ast.Constant)
        and isinstance(item.value, str)
        and not item.value.startswith("params:")
        and item.value != "parameters"
    )
