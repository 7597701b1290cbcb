"""The dependencies and Python version a setuptools package declares in ``setup.py`` or
``setup.cfg``, read statically.

``setup.py`` is a program: it is parsed with ``ast``, never run. What is read is the
``setup(...)`` call's ``install_requires=`` and ``python_requires=`` when they are literals
(``["torch", "numpy>=1.2"]``), or a name bound once at the module's top to such a literal.
Anything computed (read from a file, built in a loop) is left unread: a guess would put
findings at lines that do not hold them. ``setup.cfg`` is read as setuptools reads it: the
``[options]`` section's ``install_requires`` (one requirement per continuation line) and
``python_requires``.
"""

from __future__ import annotations

import ast

from dsdone.analysis.requirements import Problem, Requirement, Requirements, judge
from dsdone.repository import OutsideProject, Repository


def read_setup_files(project: Repository) -> Requirements | None:
    """What ``setup.py`` declares, else what ``setup.cfg`` does; ``None`` when neither holds
    dependencies that can be read without running anything."""
    for found in (_setup_py(project), _setup_cfg(project)):
        if found is not None:
            return found
    return None


def _setup_py(project: Repository, path: str = "setup.py") -> Requirements | None:
    if not project.is_indexed(path):
        return None
    try:
        tree = project.python_ast(path)
    except (OSError, OutsideProject, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    bound = _literal_bindings(tree)
    call = next((node for node in ast.walk(tree) if _is_setup_call(node)), None)
    if not isinstance(call, ast.Call):
        return None
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    python_node = keywords.get("python_requires")
    python = (
        python_node.value
        if isinstance(python_node, ast.Constant) and isinstance(python_node.value, str)
        else None
    )
    value = keywords.get("install_requires")
    if isinstance(value, ast.Name):
        value = bound.get(value.id)
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None  # computed or absent: nothing here says what to install
    found: list[Requirement] = []
    problems: list[Problem] = []
    for item in value.elts:
        if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
            continue  # computed ("metaflow-stubs==%s" % version): not readable statically
        judged = judge(item.value.strip(), path, item.lineno)
        if isinstance(judged, Problem):
            problems.append(judged)
        else:
            found.append(judged)
    return Requirements(path, tuple(found), tuple(problems), python=python, files=(path,))


def _is_setup_call(node: ast.AST) -> bool:
    """``setup(...)``, ``setuptools.setup(...)``."""
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    return name == "setup"


def _literal_bindings(tree: ast.Module) -> dict[str, ast.expr]:
    """Names bound exactly once at the module's top to a list or tuple literal."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    counts[target.id] = counts.get(target.id, 0) + 1
                    values[target.id] = node.value
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name):
            counts[node.target.id] = counts.get(node.target.id, 0) + 2  # changed: not a literal
    return {
        name: value
        for name, value in values.items()
        if counts[name] == 1 and isinstance(value, (ast.List, ast.Tuple))
    }


def _setup_cfg(project: Repository, path: str = "setup.cfg") -> Requirements | None:
    """``[options]``'s ``install_requires`` and ``python_requires``, each requirement at its
    line. An INI value continues on the indented lines below its key."""
    if not project.is_indexed(path):
        return None
    try:
        text = project.read_text(path)
    except (OSError, OutsideProject, UnicodeDecodeError):
        return None
    section = ""
    key: str | None = None
    values: dict[str, list[tuple[int, str]]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if raw[:1] in (" ", "\t"):
            if key is not None:
                values[key].append((number, stripped))
            continue
        if stripped.startswith("["):
            section, key = stripped.strip("[]").strip(), None
            continue
        name, separator, value = stripped.partition("=")
        if not separator:
            name, separator, value = stripped.partition(":")
        key = None
        if section == "options" and separator:
            key = name.strip().lower().replace("-", "_")
            values[key] = [(number, value.strip())] if value.strip() else []
    if "install_requires" not in values:
        return None
    python = " ".join(v for _, v in values.get("python_requires", [])) or None
    found: list[Requirement] = []
    problems: list[Problem] = []
    for number, line in values.get("install_requires", []):
        requirement = line.split(" #", 1)[0].strip()
        if not requirement:
            continue
        judged = judge(requirement, path, number)
        if isinstance(judged, Problem):
            problems.append(judged)
        else:
            found.append(judged)
    return Requirements(path, tuple(found), tuple(problems), python=python, files=(path,))
