"""Rendering the templates of ``dsdone init`` into a folder: never overwriting, always atomic.

A template is a folder under the ``dsdone.templates`` package. Its files are rendered by
replacing ``{{ key }}`` with a value (in file contents and in path segments; each value written
so that it reads back as given), then written by ``dsdone.writing``: every file is checked
before the first is written, and each is written next to its final name and moved into place,
so that an interrupted ``init`` never leaves a half-written file. Two naming rules keep the
templates safe to ship and to keep in this repository:

- ``dot-NAME`` becomes ``.NAME``: dotfiles (``.gitignore``, ``.github/``) are easy to lose in
  a wheel, and a live ``.gitignore`` inside ``templates/`` would hide template files from git;
- ``NAME.tmpl`` becomes ``NAME``: template Python files must not be linted, type-checked or
  collected by pytest as part of dsdone itself.
"""

from __future__ import annotations

import json
import keyword
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from dsdone import __version__, release
from dsdone.errors import DsdoneError
from dsdone.git.init import init_repository, inside_work_tree, work_tree_top
from dsdone.writing import Outcome, plan, shown, write

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

TEMPLATES = ("standard", "minimal")
DEFAULT_TEMPLATE = "standard"
CONTRACT = "dsdone.yaml"
# A project name becomes a folder and a Python package: longer than this is a mistake.
MAX_NAME_CHARACTERS = 100
# The contract's JSON Schema, written beside it for editors (see ``dsdone.editor_schema``).
SCHEMA_FILE = ".dsdone/contract-schema.json"

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_SKIPPED_NAMES = {"__init__.py", "__pycache__"}  # package plumbing of dsdone.templates itself
# A plain YAML scalar of these characters means itself, when YAML's resolver does not make it a
# number, a boolean, null or a date (checked by reading it back: 0x1F, 1e3, yes, 2026-01-01);
# no trailing space (YAML drops it), no ': ' or ' #' (they end a plain scalar).
_PLAIN_YAML = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 ._@+/-]*[A-Za-z0-9._@+/-])?$")
# The characters YAML's reader takes raw inside double quotes (code point ranges); any other is
# written as an escape (\x85, \u2028 and \u2029 too: YAML reads them as line breaks and folds
# them into spaces). Ranges, not a regular expression: compiling one of these ranges costs 7 ms
# at import, and every dsdone command imports this module.
_YAML_RAW = (
    (0x09, 0x09),
    (0x20, 0x7E),
    (0xA0, 0x2027),
    (0x202A, 0xD7FF),
    (0xE000, 0xFEFE),
    (0xFF00, 0xFFFD),
    (0x10000, 0x10FFFF),
)
_YAML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r"}


@dataclass(frozen=True)
class WrittenFile:
    path: str  # relative to the target folder, forward slashes
    outcome: Outcome


# Files that their tools read only at the top of a git work tree: GitHub's workflows and
# pre-commit's configuration. In a sub-folder of a repository they would never run.
ROOT_ONLY = (".github/", ".pre-commit-config.yaml")


@dataclass(frozen=True)
class ScaffoldResult:
    target: Path
    files: tuple[WrittenFile, ...]
    git_initialized: bool
    git_problem: str | None = None  # why git init could not run; the files are written anyway
    # When the target is a sub-folder of a repository: its path from the repository's top,
    # and the files not written there because their tools read them only at the top.
    subfolder: str | None = None
    not_written: tuple[str, ...] = ()

    def paths(self, outcome: Outcome) -> list[str]:
        return [item.path for item in self.files if item.outcome is outcome]


def package_name(project_name: str) -> str:
    """A lowercase Python identifier from a project name: ``Churn Model`` → ``churn_model``."""
    # "Prévision" → "prevision": drop accents rather than split words at them.
    ascii_name = unicodedata.normalize("NFKD", project_name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    name = "_".join(words)
    if not name:
        raise DsdoneError(
            f"cannot make a Python package name from the project name {project_name!r}",
            hint="give a name with letters or digits, e.g. --name 'Churn Model'",
        )
    if name[0].isdigit():
        name = f"model_{name}"
    if keyword.iskeyword(name):
        name = f"{name}_model"
    return name


def unwritable(value: str) -> str | None:
    """Why ``value`` cannot be written into a contract, or None: a contract is UTF-8 text that
    refuses control characters (``dsdone check`` would reject the file ``init`` wrote), and a
    lone surrogate (an argument that was not UTF-8) is not text at all."""
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return "it is not valid UTF-8 text"
        if (code < 0x20 and char not in "\t\n\r") or 0x7F <= code <= 0x9F:
            return f"it holds the control character U+{code:04X}"
    return None


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as exactly ``value``: plain when that is safe,
    else double-quoted with escapes. ``ValueError`` if it cannot be written (``unwritable``)."""
    problem = unwritable(value)
    if problem is not None:
        raise ValueError(problem)
    if _PLAIN_YAML.match(value) and _reads_back(value):
        return value
    return '"' + "".join(_escaped(char) for char in value) + '"'


def _reads_back(plain: str) -> bool:
    import yaml

    try:
        return bool(yaml.safe_load(plain) == plain)
    except (yaml.YAMLError, ValueError):  # 2026-02-30: "a date" that does not exist
        return False


def _escaped(char: str) -> str:
    if char in _YAML_ESCAPES:
        return _YAML_ESCAPES[char]
    code = ord(char)
    if any(low <= code <= high for low, high in _YAML_RAW):
        return char
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def template_values(name: str, owner: str, description: str | None = None) -> dict[str, str]:
    """Everything a template may refer to as ``{{ key }}``, escaped for where it is used;
    ``DsdoneError`` for a value no contract can hold (see ``check_value``)."""
    text = description or f"{name}: a model project with an executable definition of done."
    for option, value in (("--name", name), ("--owner", owner), ("the description", text)):
        check_value(option, value)
    if len(name) > MAX_NAME_CHARACTERS:
        raise DsdoneError(
            f"--name: the project name has {len(name)} characters; keep it under "
            f"{MAX_NAME_CHARACTERS}",
            hint="the name becomes a folder and a package: give a short one",
        )
    values = {
        "name": name,
        "name_yaml": yaml_scalar(name),
        "name_json": _json(name),
        "owner": owner,
        "owner_yaml": yaml_scalar(owner),
        "owner_json": _json(owner),
        "description": text,
        "description_yaml": yaml_scalar(text),
        "description_json": _json(text),  # also a valid TOML basic string
        "dsdone_version": __version__,
        "schema_file": SCHEMA_FILE,
        # Where the project gets dsdone from (``dsdone.release``): the release once there is one.
        "dsdone_requirement": release.pip_requirement(),
        "dsdone_requirement_json": json.dumps(release.pip_requirement()),
        "dsdone_action": release.action_reference(),
    }
    try:
        package = package_name(name)
    except DsdoneError:  # "😀": fine for a contract; a template with a package says so
        return values
    return {**values, "package": package, "distribution": package.replace("_", "-")}


def check_value(option: str, value: str) -> None:
    """``DsdoneError`` (exit 2) if ``value`` cannot be written into a contract."""
    problem = unwritable(value) if value else "it is empty"
    if problem is not None:
        raise DsdoneError(
            f"{option}: {_shown_value(value)} cannot be written into dsdone.yaml: {problem}",
            hint="give it as plain UTF-8 text, without control characters",
        )


def _shown_value(value: str) -> str:
    return repr(value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


def _json(value: str) -> str:
    # Characters as they are, not as \u escapes: an emoji escaped is a pair of surrogates,
    # which JSON joins again but TOML (pyproject.toml's description) refuses.
    return json.dumps(value, ensure_ascii=False)


def render(text: str, values: Mapping[str, str], where: str = "template") -> str:
    """Replace every ``{{ key }}``; an unknown key is a bug in the template, so it raises."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"{where}: unknown template value {{{{ {key} }}}}")
        return values[key]

    return _PLACEHOLDER.sub(replace, text)


def render_path(relative: str, values: Mapping[str, str]) -> str:
    parts = []
    for part in PurePosixPath(relative).parts:
        if part.startswith("dot-"):
            part = "." + part[len("dot-") :]
        if part.endswith(".tmpl"):
            part = part[: -len(".tmpl")]
        parts.append(render(part, values, relative))
    return "/".join(parts)


def template_files(template: str) -> dict[str, str]:
    """The template's files, by their path relative to the template folder, as text."""
    if template not in TEMPLATES:
        raise DsdoneError(
            f"unknown template '{template}'",
            hint=f"choose one of: {', '.join(TEMPLATES)}",
        )
    root = resources.files("dsdone.templates").joinpath(template)
    files = dict(_walk(root, ""))
    if not files:  # a broken install, not a user mistake
        raise RuntimeError(f"the template '{template}' has no files in this installation of dsdone")
    return files


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, str]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name in _SKIPPED_NAMES or entry.name.endswith(".pyc"):
            continue
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, f"{relative}/")
        else:
            yield relative, entry.read_text(encoding="utf-8")


def rendered_files(template: str, values: Mapping[str, str]) -> dict[str, str]:
    """The template rendered: final relative path → final content."""
    files = template_files(template)
    if "package" not in values and any(
        "package" in _PLACEHOLDER.findall(f"{relative}\n{text}") for relative, text in files.items()
    ):
        package_name(values["name"])  # raises: this template needs a package name
    return {
        render_path(relative, values): render(text, values, relative)
        for relative, text in files.items()
    }


def scaffold(
    target: Path, template: str, values: Mapping[str, str], *, force: bool = False
) -> ScaffoldResult:
    """Render ``template`` into ``target`` (created if needed); ``git init`` it when it is not
    inside a repository. Existing files are kept unless ``force``. Every conflict is found
    before the first file is written (``dsdone.writing``), and the contract is read back as
    ``dsdone check`` reads it."""
    files = {**rendered_files(template, values), SCHEMA_FILE: schema_text()}
    _refuse_a_second_package(target, values.get("package", ""), files)
    subfolder = _subfolder_of_repository(target)
    not_written: tuple[str, ...] = ()
    if subfolder:
        not_written = tuple(sorted(path for path in files if path.startswith(ROOT_ONLY)))
        files = {path: text for path, text in files.items() if path not in not_written}
    if CONTRACT in files:
        check_contract_text(files[CONTRACT], target)
    planned = plan(target, files, force=force)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DsdoneError(f"{target}: cannot create the folder: {exc.strerror}") from None
    done = write(target, planned)
    initialized, problem = git_init_if_needed(target)
    return ScaffoldResult(
        target=target,
        files=tuple(WrittenFile(item.path, item.outcome) for item in done),
        git_initialized=initialized,
        git_problem=problem,
        subfolder=subfolder,
        not_written=not_written,
    )


def schema_text() -> str:
    """The contract's JSON Schema as ``dsdone schema`` prints it: what ``init`` writes to
    ``SCHEMA_FILE``, so that editors complete and check dsdone.yaml without the network."""
    from dsdone.editor_schema import editor_schema_text  # imports the built-in checks

    return editor_schema_text()


def _subfolder_of_repository(target: Path) -> str | None:
    """``target``'s path from the top of the git work tree it will be in, when that is not
    ``target`` itself; None at the top of a repository or outside any."""
    existing = target.resolve()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    top = work_tree_top(existing)
    if top is None:
        return None
    try:
        relative = target.resolve().relative_to(top).as_posix()
    except ValueError:
        return None
    return None if relative == "." else relative


def existing_packages(target: Path) -> list[str]:
    """The Python packages already in ``target``: ``src/<name>/`` and ``<name>/`` folders with
    an ``__init__.py`` (tests left out)."""
    if not target.is_dir():
        return []
    found = [
        init.parent.relative_to(target).as_posix()
        for pattern in ("src/*/__init__.py", "*/__init__.py")
        for init in sorted(target.glob(pattern))
    ]
    return [path for path in found if path.rpartition("/")[2] not in ("tests", "test")]


def _refuse_a_second_package(target: Path, package: str, files: Mapping[str, str]) -> None:
    """A folder that already holds a package gets no second one next to it: the contract,
    tests and retrain command the template writes would be about the wrong code."""
    ours = f"src/{package}"
    if not package or not any(path.startswith(ours + "/") for path in files):
        return  # the template writes no package (minimal)
    others = [path for path in existing_packages(target) if path != ours]
    if others and not (target / ours).exists():
        raise DsdoneError(
            f"{shown(target)} already holds the package {others[0]}: `dsdone init` would add a "
            f"second one next to it ({ours})",
            hint="run `dsdone init --existing` to write only dsdone.yaml for the code that is "
            "there, or give --name so that the package is the one that exists",
        )


def check_contract_text(text: str, target: Path) -> None:
    """Fail, as a bug, if ``dsdone check`` would reject the contract dsdone is about to write:
    values are quoted so that they read back as given (``yaml_scalar``), and this makes sure."""
    from dsdone.contract import contract_from_text

    try:
        contract_from_text(text, target / CONTRACT)
    except DsdoneError as exc:
        raise RuntimeError(f"dsdone wrote a contract that it cannot read: {exc.message}") from None


def git_init_if_needed(folder: Path) -> tuple[bool, str | None]:
    """``git init`` the folder unless it is already inside a work tree.

    Returns whether it did, and why it could not. The files are already written by then, so a
    missing git is reported, not raised: the project is still usable.
    """
    if inside_work_tree(folder):
        return False, None
    problem = init_repository(folder)
    return problem is None, problem
