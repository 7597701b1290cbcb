"""Rendering the templates of ``dsdone init`` into a folder: never overwriting, always atomic.

A template is a folder under the ``dsdone.templates`` package. Its files are rendered by
replacing ``{{ key }}`` with a value (in file contents and in path segments), then written
next to their final name and moved into place, so that an interrupted ``init`` never leaves
a half-written file. Two naming rules keep the templates safe to ship and to keep in this
repository:

- ``dot-NAME`` becomes ``.NAME``: dotfiles (``.gitignore``, ``.github/``) are easy to lose in
  a wheel, and a live ``.gitignore`` inside ``templates/`` would hide template files from git;
- ``NAME.tmpl`` becomes ``NAME``: template Python files must not be linted, type-checked or
  collected by pytest as part of dsdone itself.
"""

from __future__ import annotations

import enum
import json
import keyword
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import TYPE_CHECKING

from dsdone import __version__
from dsdone.errors import DsdoneError
from dsdone.safe_read import read_regular

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

TEMPLATES = ("standard", "minimal")
DEFAULT_TEMPLATE = "standard"
SCHEMA_URL = "https://dsdone.dev/schema/contract-v1.json"

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_SKIPPED_NAMES = {"__init__.py", "__pycache__"}  # package plumbing of dsdone.templates itself
# YAML reads these plain words as booleans or null, so a project named "yes" must be quoted.
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}
_PLAIN_YAML = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@+/-]*$")


class Outcome(str, enum.Enum):
    """What happened to one file of the template."""

    CREATED = "created"
    SKIPPED = "skipped"  # it existed and --force was not given
    OVERWRITTEN = "overwritten"
    UNCHANGED = "unchanged"  # it existed with exactly the rendered content


@dataclass(frozen=True)
class WrittenFile:
    path: str  # relative to the target folder, forward slashes
    outcome: Outcome


@dataclass(frozen=True)
class ScaffoldResult:
    target: Path
    files: tuple[WrittenFile, ...]
    git_initialized: bool
    git_problem: str | None = None  # why git init could not run; the files are written anyway

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


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when that reads back as the same string, else quoted."""
    if _PLAIN_YAML.match(value) and value.lower() not in _YAML_WORDS and not _looks_numeric(value):
        return value
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value)


def _looks_numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def template_values(name: str, owner: str, description: str | None = None) -> dict[str, str]:
    """Everything a template may refer to as ``{{ key }}``, escaped for where it is used."""
    package = package_name(name)
    text = description or f"{name}: a model project with an executable definition of done."
    return {
        "name": name,
        "name_yaml": yaml_scalar(name),
        "name_json": json.dumps(name),
        "owner": owner,
        "owner_yaml": yaml_scalar(owner),
        "owner_json": json.dumps(owner),
        "description": text,
        "description_yaml": yaml_scalar(text),
        "description_json": json.dumps(text),  # also a valid TOML basic string
        "package": package,
        "distribution": package.replace("_", "-"),
        "dsdone_version": __version__,
        "schema_url": SCHEMA_URL,
    }


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
    return {
        render_path(relative, values): render(text, values, relative)
        for relative, text in template_files(template).items()
    }


def scaffold(
    target: Path, template: str, values: Mapping[str, str], *, force: bool = False
) -> ScaffoldResult:
    """Render ``template`` into ``target`` (created if needed); ``git init`` it when it is not
    inside a repository. Existing files are kept unless ``force``."""
    files = rendered_files(template, values)
    prepare_target(target)
    written = write_files(target, files, force=force)
    initialized, problem = git_init_if_needed(target)
    return ScaffoldResult(
        target=target, files=tuple(written), git_initialized=initialized, git_problem=problem
    )


def prepare_target(target: Path) -> None:
    """Make sure ``target`` is a folder we can write into; a file there is the user's mistake."""
    if target.exists() and not target.is_dir():
        raise DsdoneError(
            f"{target}: is a file, not a folder",
            hint="give the folder to create the project in",
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DsdoneError(f"{target}: cannot create the folder: {exc.strerror}") from None


def write_files(
    target: Path, files: Mapping[str, str], *, force: bool = False
) -> list[WrittenFile]:
    written = []
    for relative, content in sorted(files.items()):
        written.append(WrittenFile(relative, write_file(target, relative, content, force=force)))
    return written


def write_file(target: Path, relative: str, content: str, *, force: bool = False) -> Outcome:
    """Write one file atomically: to a temporary file beside it, then moved into place."""
    path = target / relative
    data = content.encode("utf-8")
    if path.is_dir():
        raise DsdoneError(
            f"{path}: is a folder, but the template has a file there",
            hint="move the folder away, or scaffold into another folder",
        )
    if os.path.lexists(path):
        if _holds(path, data):
            return Outcome.UNCHANGED
        if not force:
            return Outcome.SKIPPED
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise DsdoneError(
            f"{path.parent}: is a file, but the template needs a folder there",
            hint="move the file away, or scaffold into another folder",
        ) from None
    existed = os.path.lexists(path)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(0o644)  # mkstemp makes it private; a project file is not
        if force:
            temporary.replace(path)
        elif not _place_without_overwriting(temporary, path):
            return Outcome.SKIPPED
    finally:
        temporary.unlink(missing_ok=True)
    if force and existed:
        return Outcome.OVERWRITTEN
    return Outcome.CREATED


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file with exactly ``data``: read only if its size says it
    may be, and never a named pipe (which would wait forever), a device or a link."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        return read_regular(str(path), len(data) + 1) == data
    except OSError:
        return False


def _place_without_overwriting(temporary: Path, path: Path) -> bool:
    # A hard link fails if the name exists, so a file created meanwhile by someone else is
    # never replaced. Where links are not supported, fall back to a check-then-rename.
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError:
        if os.path.lexists(path):
            return False
        temporary.replace(path)
    return True


def _gitpython() -> ModuleType:
    """GitPython, imported quietly: a missing git executable is reported where git is used,
    not as an ImportError (forced, not defaulted: a user's GIT_PYTHON_REFRESH=error would
    otherwise make the import itself fail)."""
    os.environ["GIT_PYTHON_REFRESH"] = "quiet"
    import git

    return git


def inside_git_repository(folder: Path) -> bool:
    """Whether ``folder`` is in the work tree of a git repository."""
    git = _gitpython()
    try:
        repository = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return False
    with repository:
        return not repository.bare


def git_init_if_needed(folder: Path) -> tuple[bool, str | None]:
    """``git init`` the folder unless it is already inside a work tree.

    Returns whether it did, and why it could not. The files are already written by then, so a
    missing git is reported, not raised: the project is still usable.
    """
    if inside_git_repository(folder):
        return False, None
    git = _gitpython()
    try:
        git.Repo.init(folder).close()
    except git.GitCommandNotFound:
        return False, "git could not be run (the git executable was not found)"
    except (git.GitCommandError, OSError) as exc:
        detail = exc.stderr if isinstance(exc, git.GitCommandError) else exc
        return False, f"git init failed: {' '.join(str(detail).split())}"
    return True, None


def git_user_email(folder: Path) -> str | None:
    """The ``user.email`` git would commit with in ``folder``, if one is set."""
    git = _gitpython()
    try:
        email: str = git.Git(folder).config("--get", "user.email")
    except (git.GitCommandError, git.GitCommandNotFound, OSError):
        return None
    return email.strip() or None
