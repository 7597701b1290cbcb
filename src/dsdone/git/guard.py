"""The environment every git command of dsdone runs with, so that a repository dsdone did not
write cannot make git start a program of its choosing.

A repository's own configuration (``.git/config`` and the files it includes) can name programs
that git starts by itself: ``core.fsmonitor`` on every read of the index (``ls-files``,
``grep``, ``diff-index``), a clean filter when a file whose time changed is hashed again, a hook
from ``.git/hooks`` when the index is written, a pager, a textconv, and so on (the list and how
it was derived: ``dsdone.git.keys``). The guard reads that configuration once, the way git will
(``git config`` only parses files and runs nothing; includes are followed, because every later
command follows them too), and writes a harmless value over each such key through
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``. git reads those after the
system, global, local and worktree files, and for these keys the last value wins.

What is trusted: the user's own filter definitions (``filter.lfs.process`` of git-lfs in the
global configuration) are kept, so that a Git LFS file does not show as changed; a filter
defined by the repository, or by a file inside it, never is. See the README's Security section.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from dsdone.errors import DsdoneError
from dsdone.git.keys import GUARDED_KEYS, GuardedKey

# Where the repository is (its git folder, then its top folder); it also fails, loudly, where
# git refuses the repository for its owner, which ``git config`` does silently.
WHERE_ARGUMENTS = ("rev-parse", "--absolute-git-dir", "--show-toplevel")
# Every entry of every file git reads, in the order it reads them, includes followed.
CONFIG_ARGUMENTS = ("config", "--show-scope", "--show-origin", "-z", "--get-regexp", ".")

SAFE_ENVIRONMENT: dict[str, str] = {
    # No prompt, pager, editor or password program.
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_EDITOR": ":",
    "GIT_SEQUENCE_EDITOR": ":",
    "GIT_ASKPASS": "",  # empty, not unset: unset falls through to core.askPass
    "SSH_ASKPASS": "",
    # core.gitProxy is the one key whose FIRST value wins; this variable beats all of them.
    "GIT_PROXY_COMMAND": "",
    # Commands that only look must not write the index: no post-index-change hook, and no
    # change to the user's repository (not even .git/index's time).
    "GIT_OPTIONAL_LOCKS": "0",
    # refs/replace/* could make git show other objects than those committed.
    "GIT_NO_REPLACE_OBJECTS": "1",
    # git's messages in English: they are how a refusal for the owner is recognised.
    "LANGUAGE": "C",
}
# Variables of the caller's environment that name a program git would run.
REMOVED_VARIABLES = ("GIT_EXTERNAL_DIFF",)
# More overrides than this and the repository is refused: every override costs every git
# command time (git parses them at each read of the configuration: 2,000 made git status take
# 76 ms instead of 2.5), and a process's environment is limited (about 2 MB).
MAX_OVERRIDES = 500
# Where the user's own filter definitions come from; never the repository's own scopes.
TRUSTED_SCOPES = frozenset({"system", "global"})


class GitRefused(DsdoneError):
    """git cannot be run safely in this folder, or refuses to: exit 2, no git command runs."""


class DubiousOwnership(GitRefused):
    """git refuses the repository because another user owns it (``safe.directory``)."""

    def __init__(self, path: str) -> None:
        import shlex  # only here: the early start imports this module

        self.path = path
        self.command = f"git config --global --add safe.directory {shlex.quote(path)}"
        super().__init__(
            f"git refuses to read the repository at {path}: it belongs to another user "
            "(git's safe.directory protection, common in CI containers)",
            hint=f"if you trust it, allow it with: {self.command}",
        )


# NamedTuples, not dataclasses: the early start imports this module, and making a frozen
# dataclass costs about as much as the rest of the module.
class ConfigEntry(NamedTuple):
    """One entry of ``git config --show-scope --show-origin -z --get-regexp``."""

    scope: str  # system, global, local, worktree, command
    origin: str  # "file:.git/config", "file:/home/ana/.gitconfig", "command line:"
    key: str  # section and name in lower case, the subsection as written
    value: str | None  # None for a key written without "="


class Place(NamedTuple):
    """Where git found the repository for ``folder``: its git folder and top folder (real
    paths), either ``None`` outside a repository (or for a bare one, without a top)."""

    folder: Path
    git_dir: Path | None = None
    top: Path | None = None

    def holds(self, path: Path) -> bool:
        """Whether ``path`` is inside the repository (its work tree or its git folder)."""
        real = Path(os.path.realpath(path))
        return any(
            base is not None and (real == base or base in real.parents)
            for base in (self.folder, self.git_dir, self.top)
        )

    def file_of(self, origin: str) -> Path | None:
        """The file an entry comes from; git names the repository's own files relative to
        the folder it works in (the top folder, or the git folder of a bare repository)."""
        if not origin.startswith("file:"):
            return None
        path = Path(origin.removeprefix("file:"))
        return path if path.is_absolute() else (self.top or self.git_dir or self.folder) / path


def parse_place(folder: Path, stdout: bytes) -> Place:
    """The ``Place`` from the output of ``git WHERE_ARGUMENTS`` (complete or not)."""
    lines = stdout.decode("utf-8", "surrogateescape").splitlines()
    git_dir, top = (Path(os.path.realpath(line)) if line else None for line in [*lines, "", ""][:2])
    return Place(Path(os.path.realpath(folder)), git_dir, top)


def parse_config(stdout: bytes) -> list[ConfigEntry]:
    """The entries of the output of ``git CONFIG_ARGUMENTS``: ``scope\\0origin\\0key\\nvalue\\0``
    (no ``\\n`` for a key without a value)."""
    fields = stdout.decode("utf-8", "surrogateescape").split("\0")
    if fields[-1] == "":
        fields.pop()
    if len(fields) % 3:
        raise GitRefused(
            "git config answered in a form dsdone does not know",
            hint="upgrade git, or report this with the output of `git --version`",
        )
    entries = []
    for scope, origin, entry in zip(fields[::3], fields[1::3], fields[2::3], strict=True):
        key, newline, value = entry.partition("\n")
        entries.append(ConfigEntry(scope, origin, key, value if newline else None))
    return entries


_DUBIOUS = (
    re.compile(r"detected dubious ownership in repository at '(.*)'"),  # git 2.36 and later
    re.compile(r"unsafe repository \('(.*)' is owned by someone else\)"),  # git 2.35.2 to .3
)


def refusal(stderr: bytes) -> DubiousOwnership | None:
    """The refusal git printed when another user owns the repository, else None."""
    text = stderr.decode("utf-8", "replace")
    for pattern in _DUBIOUS:
        found = pattern.search(text)
        if found:
            return DubiousOwnership(found.group(1))
    return None


def scan_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment of the guard's own two commands: safe, and every ``always`` key
    written over (``git config`` and ``rev-parse`` run no program, this is belt and braces)."""
    return _with_overrides(_safe(base), _always())


def guarded_environment(
    base: Mapping[str, str], entries: Sequence[ConfigEntry], place: Place
) -> dict[str, str]:
    """The environment in which git, run in ``place.folder``, starts no program that the
    configuration ``entries`` names. Raises ``GitRefused`` when the configuration makes git
    read something that is not a regular file (it would block git, or read dsdone's input),
    or sets more programs than ``MAX_OVERRIDES``."""
    _refuse_special_files(entries, place)
    environment = _safe(base)
    if "GIT_PROXY_COMMAND" in base:  # the user's own proxy beats the configuration anyway
        environment["GIT_PROXY_COMMAND"] = base["GIT_PROXY_COMMAND"]
    pairs = overrides(entries, place)
    allowed = base.get("GIT_ALLOW_PROTOCOL")
    if allowed is not None:  # the variable beats protocol.<name>.allow: refuse there too
        refused = {"ext"} | {
            key.split(".")[1]
            for key, value in pairs
            if key.startswith("protocol.") and value == "never"
        }
        environment["GIT_ALLOW_PROTOCOL"] = ":".join(
            name for name in allowed.split(":") if name not in refused
        )
    if _moves_work_tree(entries) and not {"GIT_DIR", "GIT_WORK_TREE"} & base.keys():
        top = _folder_holding_dot_git(place.folder)
        if top is not None:
            environment["GIT_WORK_TREE"] = str(top)
    return _with_overrides(environment, pairs)


def overrides(entries: Sequence[ConfigEntry], place: Place) -> list[tuple[str, str]]:
    """The ``(key, harmless value)`` pairs for ``entries``, after the ``always`` ones.

    A key is written back as git printed it: the section and name are case-insensitive, the
    subsection is not (``filter.EvIl.clean`` is another driver than ``filter.evil.clean``)."""
    pairs = _always()
    seen = {_normal(key) for key, _ in pairs}

    def add(key: str, value: str) -> None:
        if _normal(key) not in seen:
            seen.add(_normal(key))
            pairs.append((key, value))

    for entry in entries:
        if _trusted(entry, place):
            continue
        guarded = _guarded(entry.key)
        if guarded is not None:
            if guarded.value is not None:
                add(entry.key, guarded.value)
            for key, value in guarded.also:
                add(key, value)
        driver = _filter_driver(entry.key)
        if driver is not None:  # an emptied filter must not be required, or git would stop
            add(f"filter.{driver}.required", "false")
    if len(pairs) > MAX_OVERRIDES:
        raise GitRefused(
            f"the git configuration of {place.folder} names {len(pairs)} programs; "
            f"dsdone refuses more than {MAX_OVERRIDES}",
            hint="remove the filter, diff and other driver definitions the repository "
            "does not need from .git/config",
        )
    return pairs


def _trusted(entry: ConfigEntry, place: Place) -> bool:
    """Whether the entry is the user's own filter definition: from the system or global
    configuration (a repository's includes report the scope of the file that includes them,
    local), and from a file outside the repository (a HOME inside it would make its
    ``.gitconfig`` global)."""
    if entry.scope not in TRUSTED_SCOPES or _filter_driver(entry.key) is None:
        return False
    source = place.file_of(entry.origin)
    return source is not None and not place.holds(source)


def _refuse_special_files(entries: Sequence[ConfigEntry], place: Place) -> None:
    """Refuse an include or a file setting whose target is not a regular file: git would read
    its configuration from dsdone's input (``/dev/stdin``), or block on a named pipe."""
    for entry in entries:
        guarded = _guarded(entry.key)
        if guarded is None or guarded.kind == "program" or not entry.value:
            continue
        if entry.key.lower() == "core.worktree":
            continue  # a folder, set back by GIT_WORK_TREE
        target = Path(entry.value).expanduser()
        if not target.is_absolute():
            including = place.file_of(entry.origin)
            if guarded.kind == "include" and including is not None:
                target = including.parent / target
            else:
                target = (place.top or place.folder) / target
        try:
            mode = target.stat().st_mode
        except (OSError, ValueError):
            continue  # git ignores a file that is not there
        if not stat.S_ISREG(mode):
            raise GitRefused(
                f"the git configuration sets {entry.key} to {entry.value!r}, which is not a "
                f"regular file ({entry.origin.removeprefix('file:')}): git would block on it "
                "or read dsdone's input",
                hint="remove that setting, or point it at a regular file",
            )


def _moves_work_tree(entries: Sequence[ConfigEntry]) -> bool:
    return any(
        e.key.lower() == "core.worktree" and e.scope in ("local", "worktree") for e in entries
    )


def _folder_holding_dot_git(folder: Path) -> Path | None:
    """The top folder git would take without ``core.worktree``."""
    here = Path(os.path.realpath(folder))
    return next((f for f in (here, *here.parents) if os.path.lexists(f / ".git")), None)


def _safe(base: Mapping[str, str]) -> dict[str, str]:
    environment = {k: v for k, v in base.items() if k not in REMOVED_VARIABLES}
    environment.update(SAFE_ENVIRONMENT)
    return environment


def _always() -> list[tuple[str, str]]:
    return [(g.pattern, g.value) for g in GUARDED_KEYS if g.always and g.value is not None]


def _with_overrides(
    environment: dict[str, str], pairs: Sequence[tuple[str, str]]
) -> dict[str, str]:
    """``environment`` with ``pairs`` after its own ``GIT_CONFIG_COUNT`` entries (the caller's
    are kept). git reads ``GIT_CONFIG_PARAMETERS`` (``git -c``, also left by a parent git)
    after them, so when there is one the pairs go at its end too, to stay last."""
    raw = environment.get("GIT_CONFIG_COUNT", "").strip() or "0"
    if not raw.isdigit():
        raise GitRefused(
            f"GIT_CONFIG_COUNT={raw!r} in the environment is not a number",
            hint="unset GIT_CONFIG_COUNT, or fix it",
        )
    start = int(raw)
    for number, (key, value) in enumerate(pairs, start):
        environment[f"GIT_CONFIG_KEY_{number}"] = key
        environment[f"GIT_CONFIG_VALUE_{number}"] = value
    environment["GIT_CONFIG_COUNT"] = str(start + len(pairs))
    parameters = environment.get("GIT_CONFIG_PARAMETERS", "").strip()
    if parameters:
        quoted = " ".join(f"{_quoted(key)}={_quoted(value)}" for key, value in pairs)
        environment["GIT_CONFIG_PARAMETERS"] = f"{parameters} {quoted}"
    return environment


def _quoted(text: str) -> str:
    """Quoted as git's sq_quote does: '...', with ' written '\\''."""
    return "'" + text.replace("'", "'\\''") + "'"


def _normal(key: str) -> str:
    """The key as git compares it: section and name in lower case, subsection as it is."""
    section, subsection, name = _parts(key)
    return f"{section}.{name}" if subsection is None else f"{section}.{subsection}.{name}"


def _parts(key: str) -> tuple[str, str | None, str]:
    """Section, subsection (None without one) and name; the subsection may hold dots
    (``credential.https://example.com.helper``), so the key is split at its first and last."""
    section, _, rest = key.partition(".")
    subsection, dot, name = rest.rpartition(".")
    return section.lower(), subsection if dot else None, name.lower()


_Index = tuple[dict[str, GuardedKey], dict[tuple[str, str], GuardedKey], dict[str, GuardedKey]]


def _index() -> _Index:
    """The guarded keys by the whole key, by section and name for a chosen subsection
    (``filter.<driver>.clean``), and by section for a chosen name (``alias.*``): looked up in
    dictionaries, because compiling a pattern for each would cost the start of every run."""
    exact: dict[str, GuardedKey] = {}
    by_name: dict[tuple[str, str], GuardedKey] = {}
    by_section: dict[str, GuardedKey] = {}
    for guarded in GUARDED_KEYS:
        section, subsection, name = _parts(guarded.pattern)
        if subsection is not None and subsection.startswith("<"):
            by_name[section, name] = guarded
        elif name.startswith("<") or name == "*":
            by_section[section] = guarded
        else:
            exact[guarded.pattern.lower()] = guarded
    return exact, by_name, by_section


_EXACT, _BY_NAME, _BY_SECTION = _index()
_FILTER_NAMES = frozenset({"clean", "smudge", "process", "required"})


def _guarded(key: str) -> GuardedKey | None:
    """The guarded key (or pattern) ``key`` is an instance of, if any."""
    found = _EXACT.get(key.lower())
    if found is not None:
        return found
    section, subsection, name = _parts(key)
    if subsection:
        found = _BY_NAME.get((section, name))
        if found is not None:
            return found
    # git finds an alias or a pager by what follows "alias." or "pager.", dots and all.
    return _BY_SECTION.get(section)


def _filter_driver(key: str) -> str | None:
    """The driver of a ``filter.<driver>.clean/smudge/process/required`` key, else None."""
    section, subsection, name = _parts(key)
    return subsection if section == "filter" and subsection and name in _FILTER_NAMES else None
