"""pytest's own configuration of a project, read the way pytest reads it, without pytest.

pytest looks for its configuration file in the folder it starts from, then in each folder
above, and in each folder in this order: ``pytest.toml``, ``.pytest.toml``, ``pytest.ini``,
``.pytest.ini`` (these four always win, even without a pytest section), ``pyproject.toml``
with a ``[tool.pytest]`` or ``[tool.pytest.ini_options]`` table, ``tox.ini`` with a
``[pytest]`` section, ``setup.cfg`` with a ``[tool:pytest]`` section. The first one found is
the configuration, whole: files are never merged. Its folder is pytest's rootdir, and
``testpaths`` applies only when pytest starts there. (pytest's ``_pytest/config/findpaths.py``;
https://docs.pytest.org/en/stable/reference/customize.html.)

Only files of the repository are read (tracked, or new and not ignored: what a fresh clone
and CI see), from the project folder up to the top of its git work tree.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dsdone.analysis.ini import read_ini
from dsdone.analysis.pytest_collect import DEFAULT_FUNCTIONS
from dsdone.parsed import load_toml
from dsdone.repository import OutsideProject, Repository

DEFAULT_FILES = ("test_*.py", "*_test.py")
DEFAULT_CLASSES = ("Test",)
DEFAULT_NORECURSE = (
    "*.egg",
    ".*",
    "_darcs",
    "build",
    "CVS",
    "dist",
    "node_modules",
    "venv",
    "{arch}",
)


@dataclass(frozen=True)
class PytestConfig:
    """The settings of pytest that decide what it collects; pytest's defaults without a file."""

    file: str | None = None  # the configuration file, as shown (relative to the project)
    at_root: bool = False  # the file is in the project folder: pytest's rootdir is the project
    testpaths: tuple[str, ...] = ()
    python_files: tuple[str, ...] = DEFAULT_FILES
    python_classes: tuple[str, ...] = DEFAULT_CLASSES
    python_functions: tuple[str, ...] = DEFAULT_FUNCTIONS
    pythonpath: tuple[str, ...] = ()  # folders of the project ("" is the project folder)
    norecursedirs: tuple[str, ...] = DEFAULT_NORECURSE
    collect_imported_tests: bool = True


# What pytest takes from a section: the names of "args" options (split like a shell line).
_ARGS = ("testpaths", "python_files", "python_classes", "python_functions", "norecursedirs")


def read_pytest_config(repository: Repository, folder: str = "") -> PytestConfig:
    """The configuration pytest uses when it starts in ``folder`` (relative to the project)."""
    project_parts = [part for part in folder.strip("/").split("/") if part]
    for depth in range(len(project_parts), -1, -1):
        here = "/".join(project_parts[:depth])
        for name, loader in _LOADERS:
            relative = f"{here}/{name}" if here else name
            if not repository.is_indexed(relative):
                continue
            found = _load(repository, relative, loader, from_repository=False)
            if found is not None:
                return _config(found, relative, here, at_root=not here)
    return _above_the_project(repository)


def _above_the_project(repository: Repository) -> PytestConfig:
    """A configuration file in a folder above the project, inside its git work tree."""
    top_relative = repository.repository_folder  # the project, from the work tree's top
    if not top_relative:
        return PytestConfig()
    parts = top_relative.split("/")
    for depth in range(len(parts) - 1, -1, -1):
        here = "/".join(parts[:depth])
        for name, loader in _LOADERS:
            relative = f"{here}/{name}" if here else name
            if not repository.repository_has_file(relative):
                continue
            found = _load(repository, relative, loader, from_repository=True)
            if found is not None:
                # Paths in it are relative to its folder; the project's are relative to ours.
                up = "../" * (len(parts) - depth)
                return _config(found, up + name, None, at_root=False, above=(here, top_relative))
    return PytestConfig()


Section = dict[str, Any]
Loader = Callable[[str, str], "Section | None"]


def _load(
    repository: Repository, relative: str, loader: Loader, *, from_repository: bool
) -> Section | None:
    """The pytest section of the file, ``None`` if it has none; a file that cannot be read or
    parsed (pytest stops with an error there) counts as a configuration without settings."""
    try:
        if from_repository:
            text = repository.read_repository_text(relative)
        else:
            text = repository.read_text(relative)
    except (OSError, UnicodeDecodeError, OutsideProject):
        return None
    try:
        return loader(relative, text)
    except (ValueError, TypeError, AttributeError):  # DataError and _IniError are ValueErrors
        return {}


def _pytest_ini(_path: str, text: str) -> Section:
    return _ini(text).get("pytest", {})


def _tox_ini(_path: str, text: str) -> Section | None:
    return _ini(text).get("pytest")


def _setup_cfg(_path: str, text: str) -> Section | None:
    return _ini(text).get("tool:pytest")


def _pytest_toml(_path: str, text: str) -> Section:
    table = load_toml(text).get("pytest", {})
    return dict(table) if isinstance(table, dict) else {}


def _pyproject(_path: str, text: str) -> Section | None:
    tool = load_toml(text).get("tool", {})
    pytest = tool.get("pytest") if isinstance(tool, dict) else None
    if not isinstance(pytest, dict):
        return None
    native = {key: value for key, value in pytest.items() if key != "ini_options"}
    ini_options = pytest.get("ini_options")
    if native and ini_options is not None:
        return {}  # pytest refuses both at once
    if native:
        return native
    if isinstance(ini_options, dict):
        # INI mode: a list stays a list, anything else is read as the string an .ini holds.
        return {k: v if isinstance(v, list) else str(v) for k, v in ini_options.items()}
    return None


_LOADERS: tuple[tuple[str, Loader], ...] = (
    ("pytest.toml", _pytest_toml),
    (".pytest.toml", _pytest_toml),
    ("pytest.ini", _pytest_ini),
    (".pytest.ini", _pytest_ini),
    ("pyproject.toml", _pyproject),
    ("tox.ini", _tox_ini),
    ("setup.cfg", _setup_cfg),
)


class _IniError(ValueError):
    """An INI file pytest would stop at (a line that is no option, a repeated key)."""


def _ini(text: str) -> dict[str, Section]:
    """The sections of an INI file as pytest's parser (iniconfig) reads them: keys as written,
    no interpolation, no DEFAULT section, comments only on lines of their own. Read by
    ``dsdone.analysis.ini``: configparser's option pattern backtracks over a long line."""
    ini = read_ini(text, keep_case=True)
    if ini.error is not None:
        raise _IniError(ini.error.message)
    sections: dict[str, Section] = {name: {} for name in ini.sections}
    for setting in ini.settings:
        sections.setdefault(setting.section, {})[setting.key] = setting.value
    return sections


def _args(value: object) -> tuple[str, ...] | None:
    """An "args" option: a string is split as a shell line, a list of strings stays."""
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError:  # an unclosed quote: pytest would stop there
            return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _config(
    section: Section,
    shown: str,
    here: str | None,
    *,
    at_root: bool,
    above: tuple[str, str] | None = None,
) -> PytestConfig:
    values: dict[str, Any] = {}
    for key in _ARGS:
        if key in section:
            parsed = _args(section[key])
            if parsed is not None:
                values[key] = parsed
    if "pythonpath" in section:
        entries = _args(section["pythonpath"]) or ()
        values["pythonpath"] = tuple(
            p for p in (_project_folder(e, here, above) for e in entries) if p is not None
        )
    imported = section.get("collect_imported_tests")
    if isinstance(imported, bool):
        values["collect_imported_tests"] = imported
    elif isinstance(imported, str):
        values["collect_imported_tests"] = imported.strip().lower() not in _FALSE
    return PytestConfig(file=shown, at_root=at_root, **values)


_FALSE = frozenset({"n", "no", "f", "false", "off", "0"})


def _project_folder(entry: str, here: str | None, above: tuple[str, str] | None) -> str | None:
    """A ``pythonpath`` entry (relative to the configuration file's folder) as a folder of the
    project, or ``None`` when it is outside the project."""
    if posixpath.isabs(entry):
        return None
    if above is not None:  # the file is in the work tree's folder ``above[0]``
        folder, project = above
        path = posixpath.normpath(posixpath.join(folder, entry))
        if path == project:
            return ""
        return path[len(project) + 1 :] if path.startswith(project + "/") else None
    path = posixpath.normpath(posixpath.join(here or "", entry))
    if path == ".":
        return ""
    return None if path == ".." or path.startswith("../") else path
