"""Who a repository's containers run as, read statically from its Dockerfiles and compose files.

A ``/home/NAME`` that the repository's own images create (``useradd -m kedro_docker``), run as
(``USER devel``), name in a build argument (``ARG BENTO_USER=bentoml``, compose's ``args:
[username=devel]``) or use as a container path (``WORKDIR``, ``ENV HOME=``, the target of a
compose volume ``../:/home/devel/work``, ``working_dir:``) is the image's account, not a person's:
every clone builds the same image, so the path exists wherever the code runs in it.

Nothing is built or run: instructions are read as text, ``$VAR``/``${VAR:-default}`` are expanded
from the ``ARG``/``ENV`` defaults and compose's keys, and Jinja templates of Dockerfiles are read
with their ``{% ... %}`` tags dropped (a ``{{ value }}`` stays unknown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from dsdone.analysis.shell import commands

# The folders where a project keeps what builds its image or deploys it (a Dockerfile, the
# image's requirements.txt, a deploy script): part of the project that holds the folder.
DEPLOYMENT_FOLDERS = frozenset({"docker", "deploy", "deployment", ".devcontainer"})

# Files read, and how much of each: a Dockerfile or a compose file is a few kilobytes.
MAX_FILES = 200
MAX_FILE_BYTES = 256 * 1024

# Suffixes of files whose name holds "dockerfile" but are not one (a module that writes
# Dockerfiles, its documentation); a template's suffix (.j2, .in, .template) is read.
_NOT_DOCKERFILE = (
    ".py", ".md", ".rst", ".txt", ".json", ".ipynb", ".yml", ".yaml", ".toml", ".sh",
    ".lock", ".go", ".js", ".ts", ".html", ".cfg", ".ini", ".pyc", ".snap",
)  # fmt: skip
_COMPOSE = re.compile(r"(?:docker-)?compose(?:[._-][\w.-]*)?\.ya?ml")
_NEEDLES = ("dockerfile", "containerfile", "compose", "docker")

_USER_ADDERS = frozenset({"useradd", "adduser"})
# Options of useradd/adduser (shadow, Debian and BusyBox) whose value is a home folder, and
# those whose value is something else (a shell, an id, a group, a comment): skipped.
_HOME_OPTIONS = frozenset({"-d", "--home", "--home-dir", "-h"})
_VALUE_OPTIONS = frozenset(
    {"-c", "--comment", "--gecos", "-s", "--shell", "-u", "--uid", "-g", "--gid", "-G",
     "--groups", "--ingroup", "-k", "--skel", "-K", "--key", "-e", "--expiredate", "-f",
     "--inactive", "-p", "--password", "-R", "--root", "-P", "--prefix", "-b", "--base-dir",
     "-Z", "--selinux-user", "--firstuid", "--lastuid", "--conf", "--add_extra_groups"}
)  # fmt: skip
# A key (ARG, ENV, compose) whose value is a user name: USER, USERNAME, NB_USER, BENTO_USER.
_USER_KEY = re.compile(r"(?:[a-z0-9]+_)*user(?:_?name)?", re.IGNORECASE)
_HOME_KEYS = frozenset({"home", "working_dir", "target"})
_NAME = re.compile(r"[A-Za-z_][\w.-]{0,31}")
_HOME = re.compile(r"/home/([A-Za-z_][\w.-]{0,31})(?![\w.-])")
# ``$NAME``, ``${NAME}``, ``${NAME:-default}``, ``${NAME-default}``: bounded, so linear.
_VARIABLE = re.compile(r"\$(?:\{(\w{1,100})(?::?-([^}]{0,200}))?\}|(\w{1,100}))")
# A compose line ``key: value``, ``- key=value``, ``key=value`` (quotes around either).
_COMPOSE_ENTRY = re.compile(
    r"\s*(?:-\s*)?[\"']?([A-Za-z_][\w.-]{0,100})[\"']?\s*[:=]\s*[\"']?([^\"'\s#]{1,300})[\"']?\s*"
)
# The target of a compose volume ``SOURCE:/home/NAME/...[:ro]``, matched where ``:/home/`` is
# found: a path in the container. What ends the source before it.
_TARGET = re.compile(r"/home/[^\s\"':]{1,300}")
_SOURCE_START = re.compile(r"[\s\"'=:]")
_MAX_VALUES = 8  # values kept per variable, and expansions of one text


def container_files(files: Sequence[str]) -> list[str]:
    """The Dockerfiles (``Dockerfile``, ``Dockerfile.gpu``, ``dev.Dockerfile``,
    ``Containerfile``), compose files (``docker-compose*.yml``, ``compose*.yaml``) and Jinja
    templates of Dockerfiles (``*.j2`` under a folder named for docker) among ``files``, at most
    ``MAX_FILES``. The names are searched all at once, lower-cased and joined by line breaks,
    so that a 20,000-file index costs a few scans in C."""
    text = "\n".join(files).lower()
    starts: set[int] = set()
    for needle in _NEEDLES:
        found = text.find(needle)
        while found >= 0:
            starts.add(text.rfind("\n", 0, found) + 1)
            end = text.find("\n", found)
            found = -1 if end < 0 else text.find(needle, end)
    selected: list[str] = []
    number, counted = 0, 0
    for start in sorted(starts):  # line numbers counted once, front to back: linear
        number += text.count("\n", counted, start)
        counted = start
        if _is_container_file(files[number]):
            selected.append(files[number])
            if len(selected) == MAX_FILES:
                break
    return selected


def _is_container_file(path: str) -> bool:
    lowered = path.lower()
    folder, _, name = lowered.rpartition("/")
    if ("dockerfile" in name or "containerfile" in name) and not name.endswith(_NOT_DOCKERFILE):
        return True
    if _COMPOSE.fullmatch(name):
        return True
    return name.endswith(".j2") and "docker" in folder


def container_users(texts: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The user names (lower-cased) that the containers of these files (path and text) create,
    run as, name in a build argument, or whose home folder they use as a container path."""
    variables: dict[str, list[str]] = {}
    # What names a user or a home, as written: expanded once every variable is known, since a
    # compose file's build arguments feed the Dockerfile's ARGs.
    names: list[str] = []
    homes: list[str] = []
    for path, text in texts:
        lowered = path.lower()
        if _COMPOSE.fullmatch(lowered.rpartition("/")[2]):
            _read_compose(text, variables, names, homes)
        else:
            if lowered.endswith(".j2"):
                text = _without_tags(text)
            _read_dockerfile(text, variables, names, homes)
    users: set[str] = set()
    for written in names:
        users.update(value for value in _expand(written, variables) if _is_user(value))
    for written in homes:
        for value in _expand(written, variables):
            home = _HOME.match(value)
            if home is not None and _is_user(home.group(1)):
                users.add(home.group(1))
    return frozenset(user.lower() for user in users)


def _is_user(name: str) -> bool:
    return _NAME.fullmatch(name) is not None and name != "root"


def _remember(variables: dict[str, list[str]], key: str, value: str) -> None:
    values = variables.setdefault(key, [])
    if value not in values and len(values) < _MAX_VALUES:
        values.append(value)


def _read_dockerfile(
    text: str, variables: dict[str, list[str]], names: list[str], homes: list[str]
) -> None:
    for instruction, arguments in _instructions(text):
        if instruction in ("ARG", "ENV"):
            for key, value in _assignments(instruction, arguments):
                _remember(variables, key, value)
                _keyed(key, value, names, homes)
        elif instruction == "USER":
            names.append(arguments.split(":", 1)[0].strip())
        elif instruction == "WORKDIR":
            homes.append(arguments.strip().strip("\"'"))
        elif instruction == "RUN":
            for command in commands(arguments):
                _read_user_adder(command.words, names, homes)


def _keyed(key: str, value: str, names: list[str], homes: list[str]) -> None:
    """A ``key=value`` of ARG, ENV or compose that names a user or a container path."""
    if _USER_KEY.fullmatch(key):
        names.append(value.split(":", 1)[0])
    elif key.lower() in _HOME_KEYS:
        homes.append(value)


def _instructions(text: str) -> Iterator[tuple[str, str]]:
    """Each instruction of a Dockerfile with its arguments, continuation lines joined and
    comment lines (also those inside a continuation, as Docker allows) dropped."""
    pending: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and pending):
            continue
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        joined = " ".join(pending).strip()
        pending = []
        instruction, _, arguments = joined.partition(" ")
        if instruction:
            yield instruction.upper(), arguments


def _assignments(instruction: str, arguments: str) -> Iterator[tuple[str, str]]:
    """The ``key=value`` pairs of an ARG or ENV (also ENV's old ``ENV key value`` form)."""
    words = _words(arguments)
    if instruction == "ENV" and words and "=" not in words[0]:
        yield words[0], " ".join(words[1:])
        return
    for word in words:
        key, equals, value = word.partition("=")
        if equals and value:
            yield key, value


def _words(text: str) -> list[str]:
    for command in commands(text):
        return list(command.words)
    return []


def _read_user_adder(words: Sequence[str], names: list[str], homes: list[str]) -> None:
    """``useradd``/``adduser`` (after ``sudo``): its user names and ``-d``/``--home`` folder."""
    words = [word for word in words if word != "sudo"]
    if not words or words[0].rpartition("/")[2] not in _USER_ADDERS:
        return
    index = 1
    while index < len(words):
        word = words[index]
        option, equals, value = word.partition("=")
        if word.startswith("-") and equals:
            if option in _HOME_OPTIONS:
                homes.append(value)
        elif word in _HOME_OPTIONS and index + 1 < len(words):
            homes.append(words[index + 1])
            index += 1
        elif word in _VALUE_OPTIONS:
            index += 1
        elif not word.startswith("-"):
            names.append(word)
        index += 1


def _read_compose(
    text: str, variables: dict[str, list[str]], names: list[str], homes: list[str]
) -> None:
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        entry = _COMPOSE_ENTRY.fullmatch(line)
        if entry is not None:
            key, value = entry.group(1), entry.group(2)
            _remember(variables, key, value)
            _keyed(key, value, names, homes)
        found = line.find(":/home/")
        while found >= 0:
            target = _TARGET.match(line, found + 1)
            source = _SOURCE_START.split(line[max(0, found - 300) : found])[-1]
            home = _HOME.match(line, found + 1)
            # ``/home/ana/data:/home/ana/data`` mounts a person's folder where it is: the
            # target names no account of the image.
            if target is not None and home is not None and f"/home/{home.group(1)}" not in source:
                homes.append(target.group(0))
            found = line.find(":/home/", found + 1)


def _without_tags(text: str) -> str:
    """A Jinja template without its ``{% ... %}`` and ``{# ... #}`` tags (found by
    ``str.find``, so linear on any input); its ``{{ value }}`` stay, as unknowns."""
    kept: list[str] = []
    cursor = 0
    while True:
        starts = [
            found for found in (text.find("{%", cursor), text.find("{#", cursor)) if found >= 0
        ]
        if not starts:
            break
        start = min(starts)
        end = text.find("%}" if text.startswith("{%", start) else "#}", start + 2)
        if end < 0:
            break
        kept.append(text[cursor:start])
        cursor = end + 2
    kept.append(text[cursor:])
    return "".join(kept)


def _expand(text: str, variables: dict[str, list[str]], depth: int = 0) -> list[str]:
    """``text`` with its variables replaced by each value they may have (at most
    ``_MAX_VALUES`` results); nothing when one is unknown or a template's ``{{ value }}``."""
    if "{{" in text or depth > 4:
        return []
    match = _VARIABLE.search(text)
    if match is None:
        return [text]
    name = match.group(1) or match.group(3)
    default = match.group(2)
    values = variables.get(name, [])
    if not values and default is not None:
        values = [default]
    results: list[str] = []
    for value in values:
        for expanded in _expand(value, variables, depth + 1):
            whole = text[: match.start()] + expanded + text[match.end() :]
            results.extend(_expand(whole, variables, depth + 1))
            if len(results) >= _MAX_VALUES:
                return results[:_MAX_VALUES]
    return results
