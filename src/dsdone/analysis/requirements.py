"""The requirements a Python environment is built from, where each is written, and whether it
pins one version: read from pip requirements files, ``pyproject.toml`` and conda environment
files, without running pip, conda or anything of the project.

Requirements files are read by pip's documented grammar
(https://pip.pypa.io/en/stable/reference/requirements-file-format/): a backslash at the end of
a line continues it, ``#`` at the start of a line or after whitespace starts a comment, the
words up to the first option are the requirement and the rest are options (``--hash``), a
line of options alone sets them for the file (``-r``, ``-c``, ``-e``, ``--index-url``...).
The requirement itself is a PEP 508 string read by ``packaging`` (pip's own parser), a URL or
a local path. ``-r`` and ``-c`` are followed inside the project only, each file once; nothing
is ever fetched (a URL is a name, not a place to go).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dsdone.repository import Repository

# Lock files: each pins every package of the environment, and the Python it was resolved for.
LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "pixi.lock", "conda-lock.yml", "Pipfile.lock")
CONDA_FILES = ("environment.yml", "environment.yaml")
# Files that say which Python the project runs on, besides pyproject.toml and conda files.
PYTHON_VERSION_FILES = (".python-version", "runtime.txt", ".tool-versions")

# Words in the name of a requirements file for development tools, not for what runs the
# model: requirements-dev.txt, requirements/test.txt, requirements_docs.txt.
DEVELOPMENT_WORDS = frozenset(
    {"dev", "develop", "development", "test", "tests", "testing", "lint", "linting", "docs",
     "doc", "typing", "style"}
)  # fmt: skip

_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")
_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
# Options whose value is the next word (or follows '='); the others are flags.
_VALUE_OPTIONS = frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
     "--extra-index-url", "-f", "--find-links", "--hash", "--trusted-host", "--only-binary",
     "--no-binary", "--use-feature", "--config-settings", "--global-option", "--install-option"}
)  # fmt: skip
_MAX_INCLUDE_DEPTH = 20


@dataclass(frozen=True)
class Requirement:
    """One requirement as written, and whether it pins a single version.

    ``reason`` says why it does not ("it accepts any version", ...); it is ``None`` for a
    pinned requirement and for the project's own code (``local``), which needs no pin.
    """

    path: str  # the file, relative to the project
    line: int  # 1-based; the first line of a continued line
    text: str  # the requirement as written, without its options
    name: str | None  # the normalized distribution name, when one is written
    reason: str | None = None
    local: bool = False  # a folder of the project itself (`-e .`, `./libs/features`)

    @property
    def pinned(self) -> bool:
        return self.reason is None and not self.local


@dataclass(frozen=True)
class Problem:
    """A line that pip (or conda) would refuse, or an include that cannot be followed."""

    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class Requirements:
    """What one environment file (with the files it includes) asks for."""

    path: str
    requirements: tuple[Requirement, ...] = ()
    problems: tuple[Problem, ...] = ()
    python: str | None = None  # the Python version it declares (conda files), as written
    files: tuple[str, ...] = ()  # every file read: this one and those it includes

    @property
    def unpinned(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.reason is not None)

    @property
    def pins(self) -> bool:
        """Whether it pins something and leaves nothing unpinned: a lock of the environment."""
        return any(r.pinned for r in self.requirements) and not self.unpinned


# -- requirement strings -------------------------------------------------------------------------


def judge(text: str, path: str, line: int, *, hashed: bool = False) -> Requirement | Problem:
    """One requirement as pip would read it from a requirements file: a PEP 508 string
    (``pandas==2.2.2``, ``name @ URL``), a URL or a local path."""
    if text.startswith(("./", "../", ".", "/", "file:")) and not _is_archive(text):
        return Requirement(path, line, text, None, local=True)
    if _is_archive(text) and "://" not in text and not text.startswith(_VCS_SCHEMES):
        return Requirement(path, line, text, None)  # a wheel or sdist in the repository
    if "://" in text.partition("#")[0] and "@" not in text.partition("://")[0]:
        return _judge_url(text, text, path, line, _egg_name(text), hashed=hashed)
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508
    from packaging.utils import canonicalize_name

    try:
        parsed = Pep508(text)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else "not a requirement"
        return Problem(path, line, f"'{text}' is not a requirement pip can read: {first}")
    name = canonicalize_name(parsed.name)
    if parsed.url is not None:
        return _judge_url(text, parsed.url, path, line, name, hashed=hashed)
    if hashed:
        return Requirement(path, line, text, name)
    return Requirement(path, line, text, name, _specifier_reason(parsed.specifier))


def _specifier_reason(specifier: Any) -> str | None:
    """Why a ``packaging`` ``SpecifierSet`` does not pin one version; None if it does."""
    specifiers = list(specifier)
    if not specifiers:
        return "it accepts any version"
    for one in specifiers:
        if one.operator == "===" or (one.operator == "==" and not one.version.endswith("*")):
            return None
    wildcard = next((s for s in specifiers if s.version.endswith("*")), None)
    if wildcard is not None:
        return f"{wildcard} accepts every matching release"
    return f"it accepts a range of versions ({specifier})"


def _judge_url(
    text: str, url: str, path: str, line: int, name: str | None, *, hashed: bool
) -> Requirement:
    """A direct reference pins when it names one immutable thing: an archive (a file at a
    URL), or a version-control commit, not a branch or a tag, which can move."""
    if not url.startswith(_VCS_SCHEMES):
        if url.startswith("file:") and not _is_archive(url):
            return Requirement(path, line, text, name, local=True)
        return Requirement(path, line, text, name)
    if hashed:
        return Requirement(path, line, text, name)
    location = url.partition("#")[0]
    after_host = location.partition("://")[2]
    _, at, revision = after_host.rpartition("@")
    if not at or "/" in revision:
        return Requirement(path, line, text, name, "it installs whatever the default branch holds")
    if _is_commit(url, revision):
        return Requirement(path, line, text, name)
    return Requirement(path, line, text, name, f"@{revision} is a branch or tag, which can move")


def _is_commit(url: str, revision: str) -> bool:
    if url.startswith("svn+"):
        return revision.isdigit()
    return 7 <= len(revision) <= 64 and all(c in "0123456789abcdef" for c in revision.lower())


def _is_archive(text: str) -> bool:
    return text.partition("#")[0].lower().endswith(_ARCHIVE_SUFFIXES)


def _egg_name(url: str) -> str | None:
    """The project name in a URL's ``#egg=NAME`` fragment (pip's legacy spelling)."""
    for part in url.partition("#")[2].split("&"):
        key, _, value = part.partition("=")
        if key == "egg" and value:
            from packaging.utils import canonicalize_name

            return canonicalize_name(value.partition("[")[0])
    return None


# -- pip requirements files ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One logical line of a requirements file: its requirement part and its options."""

    number: int
    requirement: str
    options: list[tuple[str, str | None]]


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """pip's preprocessing: continued lines joined (numbered by their first line), comments
    removed, blank lines dropped."""
    pending: list[str] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        comment = _is_comment_line(raw)
        if raw.endswith("\\") and not comment:
            if not pending:
                first = number
            pending.append(raw[:-1])
            continue
        if pending:
            pending.append(" " + raw if comment else raw)
            joined, number = "".join(pending), first
            pending = []
        else:
            joined = raw
        stripped = _strip_comment(joined).strip()
        if stripped:
            yield number, stripped
    if pending:
        stripped = _strip_comment("".join(pending)).strip()
        if stripped:
            yield first, stripped


def _is_comment_line(line: str) -> bool:
    return line.lstrip().startswith("#")


def _strip_comment(line: str) -> str:
    """The line up to a ``#`` at its start or after whitespace (a URL's ``#egg=`` stays)."""
    position = line.find("#")
    while position > 0 and not line[position - 1].isspace():
        position = line.find("#", position + 1)
    return line if position < 0 else line[:position]


def _split_line(number: int, line: str) -> _Line:
    """pip's ``break_args_options``: the words before the first that starts with '-' are the
    requirement; the rest are options, split as a shell would."""
    words = line.split(" ")
    cut = next((i for i, word in enumerate(words) if word.startswith("-")), len(words))
    requirement = " ".join(words[:cut]).strip()
    tokens = shlex.split(" ".join(words[cut:]), comments=False, posix=True)
    options: list[tuple[str, str | None]] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        name, eq, value = token.partition("=")
        if eq and name.startswith("--"):
            options.append((name, value))
        elif name in _VALUE_OPTIONS:
            following = tokens[position + 1] if position + 1 < len(tokens) else None
            options.append((name, following))
            position += 1
        elif len(token) > 2 and token[:2] in ("-r", "-c", "-e", "-i", "-f"):
            options.append((token[:2], token[2:]))  # -rbase.txt, as optparse allows
        else:
            options.append((token, None))
        position += 1
    return _Line(number, requirement, options)


def read_requirements_file(project: Repository, path: str) -> Requirements:
    """The requirements of the pip requirements file ``path``, with the files it includes
    (``-r``) and the constraints it applies (``-c``: a requirement that a constraints file
    pins is pinned)."""
    reader = _FileReader(project)
    reader.read(path, depth=0, constraint=False)
    requirements = [
        r
        if r.reason is None or r.name is None or r.name not in reader.constrained
        else Requirement(r.path, r.line, r.text, r.name)
        for r in reader.requirements
    ]
    return Requirements(path, tuple(requirements), tuple(reader.problems), files=tuple(reader.seen))


@dataclass
class _FileReader:
    project: Repository
    requirements: list[Requirement] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    constrained: set[str] = field(default_factory=set)  # names a constraints file pins
    seen: dict[str, None] = field(default_factory=dict)  # in the order read: guards cycles

    def read(self, path: str, *, depth: int, constraint: bool) -> None:
        if path in self.seen:
            return
        self.seen[path] = None
        try:
            text = self.project.read_text(path)
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(path, None, f"{path} cannot be read: {_reason(exc)}"))
            return
        for number, line in logical_lines(text):
            try:
                parsed = _split_line(number, line)
            except ValueError as exc:  # an unclosed quote in the options
                self.problems.append(Problem(path, number, f"pip cannot read this line: {exc}"))
                continue
            self._line(path, parsed, depth=depth, constraint=constraint)

    def _line(self, path: str, line: _Line, *, depth: int, constraint: bool) -> None:
        hashed = any(name == "--hash" for name, _ in line.options)
        texts = [line.requirement] if line.requirement else []
        for name, value in line.options:
            if name in ("-e", "--editable") and value:
                texts.append(value)
            elif name in ("-r", "--requirement", "-c", "--constraint") and value:
                self._include(path, line.number, value, name, depth=depth)
        for text in texts:
            judged = judge(text, path, line.number, hashed=hashed)
            if isinstance(judged, Problem):
                self.problems.append(judged)
            elif constraint:
                if judged.pinned and judged.name is not None:
                    self.constrained.add(judged.name)
            else:
                self.requirements.append(judged)

    def _include(self, path: str, number: int, target: str, option: str, *, depth: int) -> None:
        if "://" in target:
            return  # a file on a server: pip would fetch it; dsdone never does
        folder = path.rpartition("/")[0]
        joined = _normalize(f"{folder}/{target}" if folder else target)
        if joined is None or joined.startswith("/"):
            self.problems.append(
                Problem(path, number, f"{option} {target} names a file outside the project")
            )
            return
        if not self.project.is_indexed(joined):
            self.problems.append(
                Problem(path, number, f"{option} {target}: {joined} is not in the repository")
            )
            return
        if depth >= _MAX_INCLUDE_DEPTH:
            self.problems.append(Problem(path, number, f"{option} {target}: nested too deeply"))
            return
        is_constraint = option in ("-c", "--constraint")
        self.read(joined, depth=depth + 1, constraint=is_constraint)


def _normalize(path: str) -> str | None:
    """``a/./b/../c`` as ``a/c``; ``None`` when it climbs above the project."""
    parts: list[str] = []
    if path.startswith("/"):
        return path
    for part in path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def is_requirements_file(path: str) -> bool:
    """``requirements*.txt`` at the project root, or any ``requirements/*.txt``."""
    folder, _, name = path.rpartition("/")
    if not name.endswith(".txt"):
        return False
    return (folder == "" and name.startswith("requirements")) or folder == "requirements"


def is_for_development(path: str) -> bool:
    """Whether a requirements file is for development tools by its name:
    requirements-dev.txt, requirements/test.txt, requirements_docs.txt."""
    name = path.rpartition("/")[2].removesuffix(".txt").lower()
    words = name.replace("_", "-").replace(".", "-").split("-")
    return any(word in DEVELOPMENT_WORDS for word in words)


# -- pyproject.toml ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pyproject:
    """What ``pyproject.toml`` declares about the environment."""

    dependencies: Requirements | None  # [project] dependencies; None: not declared statically
    python: str | None  # requires-python, or Poetry's python dependency
    poetry_line: int | None  # the line of [tool.poetry.dependencies], if Poetry declares any
    project_line: int | None  # the line of [project]
    problem: Problem | None = None


def read_pyproject(project: Repository, path: str = "pyproject.toml") -> Pyproject | None:
    """``[project] dependencies`` (each at its line), ``requires-python`` and Poetry's
    dependencies; ``None`` without a ``pyproject.toml``. Optional dependencies (extras) are
    not read: they are opt-in, and often ranges by design."""
    if not project.is_indexed(path):
        return None
    from dsdone.parsed import DataError, load_toml

    try:
        text = project.read_text(path)
        data = load_toml(text)
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(path, None, f"{path} cannot be read: {_reason(exc)}")
        return Pyproject(None, None, None, None, problem)
    except DataError as exc:
        message = exc.describe("TOML")
        return Pyproject(None, None, None, None, Problem(path, exc.line, f"{path}: {message}"))
    table = data.get("project")
    table = table if isinstance(table, dict) else {}
    lines = text.splitlines()
    project_line = _table_line(lines, "project")
    python = table.get("requires-python")
    poetry = _table(data, "tool", "poetry", "dependencies")
    if python is None and isinstance(poetry.get("python"), str):
        python = poetry["python"]
    poetry_line = (
        _table_line(lines, "tool.poetry.dependencies")
        if any(name != "python" for name in poetry)
        else None
    )
    dynamic = table.get("dynamic")
    raw = table.get("dependencies")
    dependencies = None
    if not (isinstance(dynamic, list) and "dependencies" in dynamic) and isinstance(raw, list):
        dependencies = _pyproject_dependencies(path, lines, project_line, raw)
    return Pyproject(
        dependencies, python if isinstance(python, str) else None, poetry_line, project_line
    )


def _pyproject_dependencies(
    path: str, lines: list[str], project_line: int | None, raw: list[Any]
) -> Requirements:
    """Each dependency at its line: found in order in the text after ``dependencies =`` in
    the ``[project]`` table (tomllib keeps no positions); the key's line if not found."""
    start = (project_line or 1) - 1
    key_line = next(
        (
            i
            for i in range(start, len(lines))
            if lines[i].lstrip().startswith("dependencies")
            and lines[i].lstrip()[len("dependencies") :].lstrip().startswith("=")
        ),
        start,
    )
    found: list[Requirement] = []
    problems: list[Problem] = []
    cursor = key_line
    for item in raw:
        if not isinstance(item, str):
            problems.append(Problem(path, key_line + 1, f"{item!r} is not a requirement string"))
            continue
        at = next(
            (
                i
                for i in range(cursor, len(lines))
                if f'"{item}"' in lines[i] or f"'{item}'" in lines[i]
            ),
            None,
        )
        if at is not None:
            cursor = at
        judged = judge(item, path, (at if at is not None else key_line) + 1)
        if isinstance(judged, Problem):
            problems.append(judged)
        else:
            found.append(judged)
    return Requirements(path, tuple(found), tuple(problems), files=(path,))


def _table(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    value: Any = data
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, dict) else {}


def _table_line(lines: list[str], name: str) -> int | None:
    """The 1-based line of the header ``[name]``."""
    header = f"[{name}]"
    for number, line in enumerate(lines, start=1):
        if line.strip().replace(" ", "") == header:
            return number
    return None


# -- conda environment files ---------------------------------------------------------------------


def read_conda_environment(project: Repository, path: str) -> Requirements:
    """The dependencies of a conda ``environment.yml``: conda specs (``numpy=1.26.4=build``,
    ``numpy==1.26.4``, ``numpy=1.26.4``) and the ``pip:`` sub-list, each at its line; the
    ``python`` entry is the Python version it declares, not a requirement to pin, and ``pip``
    the installer."""
    from dsdone.errors import DsdoneError
    from dsdone.yamlsource import load_yaml

    try:
        document = load_yaml(project.read_text(path), path)
    except (OSError, UnicodeDecodeError) as exc:
        return Requirements(
            path, problems=(Problem(path, None, f"cannot be read: {_reason(exc)}"),)
        )
    except DsdoneError as exc:
        message = exc.message.removeprefix(f"{path}:")
        line_text, _, rest = message.partition(":")
        line = int(line_text) if line_text.isdigit() else None
        shown = rest.partition(": ")[2] if line is not None else message
        return Requirements(path, problems=(Problem(path, line, shown.strip() or message),))
    data = document.data if isinstance(document.data, dict) else {}
    dependencies = data.get("dependencies")
    if not isinstance(dependencies, list):
        return Requirements(path, files=(path,))

    def line_of(*at: str | int) -> int:
        mark = document.locate(at)
        return mark.line if mark is not None else 1

    found: list[Requirement] = []
    problems: list[Problem] = []
    python: str | None = None
    for index, item in enumerate(dependencies):
        if isinstance(item, str):
            name, version, reason = conda_spec(item)
            if name == "python":
                python = version or python
            elif name != "pip":
                found.append(Requirement(path, line_of("dependencies", index), item, name, reason))
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            for position, entry in enumerate(item["pip"]):
                line = line_of("dependencies", index, "pip", position)
                if not isinstance(entry, str):
                    continue
                if entry.startswith("-"):
                    parsed = _split_line(line, entry)
                    texts = [v for n, v in parsed.options if n in ("-e", "--editable") and v]
                else:
                    texts = [entry]
                for text in texts:
                    judged = judge(text, path, line)
                    if isinstance(judged, Problem):
                        problems.append(judged)
                    else:
                        found.append(judged)
    return Requirements(path, tuple(found), tuple(problems), python, files=(path,))


def conda_spec(spec: str) -> tuple[str, str | None, str | None]:
    """A conda match spec's package name, its version and why it does not pin one (``None``
    if it does): ``numpy=1.26.4=py311h``, ``numpy==1.26.4`` and ``numpy 1.26.4`` pin;
    ``numpy``, ``numpy>=1.26``, ``numpy=1.*`` do not."""
    text = spec.strip()
    text = text.rpartition("::")[2]  # conda-forge::numpy
    cut = next((i for i, c in enumerate(text) if c in "=<>!~[ \t"), len(text))
    name = text[:cut].strip().lower()
    rest = text[cut:].strip()
    if not rest:
        return name, None, "it accepts any version"
    if rest.startswith("["):
        return name, rest, f"{rest} is not one exact version"
    if rest.startswith("=="):
        version = rest[2:].partition("=")[0].strip()
    elif rest.startswith("=") and not rest.startswith("=="):
        version = rest[1:].partition("=")[0].strip()
    elif rest[0] in "<>!~":
        return name, rest, f"it accepts a range of versions ({rest})"
    else:  # "numpy 1.26.4 py311h": the version is the second word
        version = rest.split()[0]
    if not version or any(c in version for c in "*<>!|,"):
        return name, version or None, f"{rest} accepts every matching release"
    return name, version, None


# -- MLflow's python_env.yaml ----------------------------------------------------------------------


def read_python_env(project: Repository, path: str) -> Requirements:
    """MLflow's ``python_env.yaml``: ``python`` (the version), ``build_dependencies`` (the
    installer's own tools, not read) and ``dependencies``, pip requirement lines, each at its
    line (``-r requirements.txt`` is followed like pip follows it)."""
    parsed = project.parsed(path)
    if parsed.problem is not None:
        where = parsed.problem.location
        return Requirements(
            path, problems=(Problem(path, where.line if where else None, parsed.problem.message),)
        )
    data = parsed.data if isinstance(parsed.data, dict) else {}
    python = data.get("python")
    reader = _FileReader(project)
    reader.seen[path] = None
    dependencies = data.get("dependencies")
    for index, entry in enumerate(dependencies if isinstance(dependencies, list) else []):
        if isinstance(entry, str) and entry.strip():
            number = parsed.line_of("dependencies", index) or 1
            try:
                line = _split_line(number, entry.strip())
            except ValueError as exc:
                reader.problems.append(Problem(path, number, f"pip cannot read this line: {exc}"))
                continue
            reader._line(path, line, depth=0, constraint=False)
    return Requirements(
        path,
        tuple(reader.requirements),
        tuple(reader.problems),
        str(python) if isinstance(python, (str, int, float)) else None,
        files=tuple(reader.seen),
    )


# -- the Python version --------------------------------------------------------------------------


def python_version_file(project: Repository) -> str | None:
    """The first file (``.python-version``, ``runtime.txt``, asdf's ``.tool-versions``) that
    declares a Python version, as ``path: version``."""
    for path in PYTHON_VERSION_FILES:
        if not project.is_indexed(path):
            continue
        try:
            text = project.read_text(path)
        except (OSError, UnicodeDecodeError):
            continue
        for line in text.splitlines():
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if path == ".tool-versions":
                if words[0] == "python" and len(words) > 1:
                    return f"{path}: {words[1]}"
            elif path == "runtime.txt":
                if words[0].startswith("python-"):
                    return f"{path}: {words[0].removeprefix('python-')}"
            else:
                return f"{path}: {words[0]}"
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return str(exc)
