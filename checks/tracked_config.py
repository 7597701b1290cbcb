"""tracked-config: the configuration a model was trained with is in git, parses, holds no secret."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from dsdone.analysis.secrets import (
    bare_values_in,
    find_secrets,
    holds_literal,
    secret_key_kind,
    secret_value,
)
from dsdone.api import Note, check
from dsdone.parse_errors import ParseFailure, describe
from dsdone.parsed import DataError
from dsdone.project import OutsideProject, PathStatus, Project, compile_globs
from dsdone.report import Area, Finding, Severity

CHECK_ID = "tracked-config"
SECRETS_CHECK = "secrets"
MAX_CONFIG_BYTES = 10 * 1024 * 1024  # a config file is read whole; more than this is data

_KINDS = {
    ".yaml": "YAML",
    ".yml": "YAML",
    ".json": "JSON",
    ".toml": "TOML",
    ".ini": "INI",
    ".cfg": "INI",
    ".conf": "INI",
    ".env": "dotenv",
}

HINT_RUNTIME = (
    "read it at run time instead (for example `password: ${DB_PASSWORD}` or a secret manager)"
)
HINT_COMMITTED = HINT_RUNTIME + ", and rotate it: it is in the git history"
HINT_UNCOMMITTED = HINT_RUNTIME + "; remove it before you commit"


@dataclass(frozen=True)
class _Setting:
    """A key with a literal scalar value, where it is in the file."""

    key: str
    value: str
    line: int | None


@dataclass(frozen=True)
class _Secret:
    """A secret found in a config file; its value is kept only to tell whether the last
    commit holds it too, and is never shown."""

    path: str
    line: int | None
    column: int | None
    message: str
    value: str = field(repr=False)
    text: str = field(repr=False, default="")  # the line it is on


@check(
    id=CHECK_ID,
    title="Configuration is tracked, parses and holds no secret",
    severity=Severity.ERROR,
    area=Area.MODEL,
    ml_test_score=("M1", "M3"),
    fix="List the hyperparameter and feature files under config.files, commit them, and read "
    "secrets from the environment.",
)
def tracked_config(project: Project) -> Iterator[Finding | Note]:
    """A model can only be reproduced, compared or retrained by engineering if the
    hyperparameters and feature lists it was trained with are in version control next to the
    code, in a file that still parses. A credential written into that file leaks to everyone
    with the repository, forever, through its history.

    Each file or glob in the contract's `config.files` must exist, be tracked by git (not
    untracked, not ignored) and parse for its kind (YAML, JSON, TOML, INI/CFG, by extension).
    A key such as password, secret, token or api_key with a literal value is a finding, and so
    is a credential that the `secrets` check recognises anywhere in the file (an AWS access
    key ID, a private key, a GitHub or Hugging Face token, a password in a connection string
    such as `postgresql://user:PASSWORD@host/db`, also in a comment); references such as
    `${DB_PASSWORD}`, placeholders such as `<your-token>`, documentation examples and values
    that say they are fake are not. The hint says to rotate a secret that the last commit
    holds. A secret that the `secrets` check reports at the same line, in a run where it
    blocks at this check's severity or higher, is left to it (one finding, not two); the
    summary says how many. A contract without a `config` section fails.
    """
    declared = project.contract.config_files
    if declared is None:
        yield project.contract_finding(
            "the contract declares no config files",
            "config",
            hint="keep hyperparameters and feature lists in a tracked file such as params.yaml "
            "and declare it in dsdone.yaml: `config: {files: [params.yaml]}`",
        )
        return
    if not declared:
        yield project.contract_finding(
            "config.files is empty",
            "config",
            "files",
            hint="list the files that hold hyperparameters and feature lists, e.g. params.yaml",
        )
        return

    checked: dict[str, None] = {}  # ordered as declared; each file once
    secrets: list[_Secret] = []
    for index, entry in enumerate(declared):
        files, problem = _resolve(project, entry)
        if problem is not None:
            yield project.contract_finding(
                f"config.files[{index}]: {problem}",
                "config",
                "files",
                index,
                hint="fix the path or glob (relative to the folder of dsdone.yaml) or add the file",
            )
        for path in files:
            if path not in checked:
                checked[path] = None
                yield from _tracking(project, path)
                yield from _contents(project, path, secrets)
    reported_by_secrets = _reported_by_secrets_check(project)
    left = [secret for secret in secrets if reported_by_secrets(secret)]
    yield from _secret_findings(project, [s for s in secrets if s not in left])
    if checked:
        shown = ", ".join(list(checked)[:3]) + (", …" if len(checked) > 3 else "")
        yield Note(
            f"{len(checked)} config file" + ("s" if len(checked) != 1 else "") + f": {shown}"
        )
    if left:
        yield Note(
            f"{len(left)} secret" + (" is" if len(left) == 1 else "s are")
            + " left to the secrets check, which reports "
            + ("it" if len(left) == 1 else "them")
        )  # fmt: skip


def _reported_by_secrets_check(project: Project) -> Callable[[_Secret], bool]:
    """Whether the secrets check reports a secret of a config file in this run, at least as
    loudly as this check would: then it is reported once, there. It must run and block (not
    be advisory for a contract written for 0.1.0, whose gate this check still holds alone), at
    a severity no lower than this check's, search the file (in git or untracked, not ignored,
    not excluded from it), and find a secret on the same line with the same detector."""
    if SECRETS_CHECK not in project.blocking:
        return lambda secret: False

    def severity(check_id: str) -> Severity:
        chosen = project.contract.settings(check_id).severity
        return chosen or project.severities.get(check_id, Severity.ERROR)

    if severity(SECRETS_CHECK) < severity(CHECK_ID):
        return lambda secret: False
    excluded = project.contract.settings(SECRETS_CHECK).exclude
    skip = compile_globs(excluded).match_file if excluded else None

    def reported(secret: _Secret) -> bool:
        if secret.line is None or (skip is not None and skip(secret.path)):
            return False
        if project.status(secret.path) not in (PathStatus.TRACKED, PathStatus.UNTRACKED):
            return False  # an ignored file: the secrets check does not search it
        return bool(find_secrets(secret.text, bare_values=bare_values_in(secret.path)))

    return reported


def _resolve(project: Project, entry: str) -> tuple[list[str], str | None]:
    """The files a config.files entry names, or why it names none."""
    if any(char in entry for char in "*?["):
        # Anchored at the project root, as the contract documents, unlike a bare .gitignore line.
        pattern = entry.removeprefix("./")
        matches = project.glob([pattern if pattern.startswith("/") else f"/{pattern}"])
        if not matches:
            return [], f"the glob {entry!r} matches no file of the project"
        return matches, None
    relative = PurePosixPath(entry).as_posix().strip("/")
    status = project.status(relative)
    if status is PathStatus.FOLDER:
        prefix = relative + "/"
        return [path for path in project.files if path.startswith(prefix)], None
    if status in (PathStatus.OUTSIDE, PathStatus.MISSING):
        return [], status.problem(repr(entry))
    return [relative], None  # tracked, or what _tracking says is wrong with it


def _tracking(project: Project, path: str) -> Iterator[Finding]:
    if not project.index.in_git:
        why = project.index.git_problem or "the project is not in a git repository"
        yield Finding(
            f"not tracked: {why}",
            path=path,
            hint="the version-control check says why; commit the project, config included",
        )
        return
    status = project.status(path)
    if status.phrase is not None:
        yield Finding(
            f"the config file {status.phrase}",
            path=path,
            hint=f"{status.fix(path)}, so that each run's configuration is kept",
        )


def _contents(project: Project, path: str, secrets: list[_Secret]) -> Iterator[Finding]:
    kind = _KINDS.get(PurePosixPath(path).suffix.lower())
    if PurePosixPath(path).name.startswith(".env"):
        kind = "dotenv"
    try:
        size = project.path(path).stat().st_size
        if size > MAX_CONFIG_BYTES:
            yield Finding(
                f"{size / 1024 / 1024:.0f} MB: too large to be a config file",
                path=path,
                hint="list configuration under config.files, not data",
            )
            return
        text = project.read_text(path)
    except UnicodeDecodeError:
        yield Finding("not UTF-8 text", path=path, hint="save the file as UTF-8")
        return
    except OutsideProject as exc:
        yield Finding(f"cannot be read: {exc}", path=path)
        return
    except OSError as exc:
        yield Finding(f"cannot be read: {describe(exc).what}", path=path)
        return
    settings: list[_Setting] = []
    if kind is not None:
        parsed = _PARSERS[kind](text, path)
        if isinstance(parsed, Finding):
            yield parsed
        else:
            settings = parsed
    lines = text.splitlines()
    lines_found: set[int] = set()  # one finding a line: the key's, else the pattern's
    finder = _LineFinder(text)
    for setting in settings:
        kind = secret_key_kind(setting.key)
        if kind is None or not secret_value(kind, setting.value, strict=False):
            continue
        line = (
            setting.line if setting.line is not None else finder.line_of(setting.key, setting.value)
        )
        if line is None or line not in lines_found:
            message = f"'{setting.key}' holds a literal secret (not shown)"
            on = lines[line - 1] if line is not None and line <= len(lines) else ""
            secrets.append(_Secret(path, line, None, message, setting.value, on))
            if line is not None:
                lines_found.add(line)
    # The shapes of credentials, and keys the parser cannot see (in a comment, in a file of
    # no known kind), by the same detector as the secrets check.
    for number, text_line in enumerate(lines, start=1):
        if number in lines_found or not holds_literal(text_line):
            continue
        for hit in find_secrets(text_line, bare_values=True)[:1]:
            lines_found.add(number)
            message = f"{hit.kind} is written in the file: {hit.masked}"
            secrets.append(_Secret(path, number, hit.column, message, hit.value, text_line))


def _secret_findings(project: Project, secrets: list[_Secret]) -> Iterator[Finding]:
    """Each secret, with a hint to rotate it when the last commit holds it (it is in the
    history then), and to remove it before committing when not."""
    if not secrets:
        return
    committed = project.committed_contents({secret.path for secret in secrets})
    for secret in secrets:
        content = committed.get(secret.path)
        in_history = content is not None and secret.value.encode("utf-8", "replace") in content
        yield Finding(
            secret.message,
            path=secret.path,
            line=secret.line,
            column=secret.column,
            hint=HINT_COMMITTED if in_history else HINT_UNCOMMITTED,
        )


# -- parsers: each returns the scalar settings of a file, or a finding at its first error -----


def _parse_yaml(text: str, path: str) -> list[_Setting] | Finding:
    import yaml

    from dsdone.parsed import load_yaml

    try:
        # Safe, and strict: only plain types; a tag that would construct code is an error.
        _, documents = load_yaml(text, plain_tags=False)
    except DataError as exc:
        return _parse_error(path, "YAML", exc)
    settings: list[_Setting] = []
    seen: set[int] = set()  # aliases share nodes: visit each once, whatever "billion laughs" do
    stack: list[yaml.Node] = list(documents)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if (
                    isinstance(key_node, yaml.ScalarNode)
                    and isinstance(value_node, yaml.ScalarNode)
                    and value_node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int")
                ):
                    line = value_node.start_mark.line + 1
                    settings.append(_Setting(str(key_node.value), str(value_node.value), line))
                else:
                    stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return settings


def _parse_json(text: str, path: str) -> list[_Setting] | Finding:
    from dsdone.parsed import load_json

    try:
        return _settings_in(load_json(text))
    except DataError as exc:
        return _parse_error(path, "JSON", exc)


def _parse_toml(text: str, path: str) -> list[_Setting] | Finding:
    from dsdone.parsed import load_toml

    try:
        return _settings_in(load_toml(text))
    except DataError as exc:
        return _parse_error(path, "TOML", exc)


def _parse_ini(text: str, path: str) -> list[_Setting] | Finding:
    from dsdone.analysis.ini import read_ini

    ini = read_ini(text)
    if ini.error is not None:
        # Worded as configparser words it, without the line it quotes: it may hold a secret.
        return _parse_error(path, "INI", ParseFailure(ini.error.message, ini.error.line))
    return [_Setting(setting.key, setting.value, setting.line) for setting in ini.settings]


_DOTENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _parse_dotenv(text: str, path: str) -> list[_Setting] | Finding:
    settings = []
    for number, line in enumerate(text.splitlines(), start=1):
        setting = _dotenv_setting(line.strip())
        if setting is not None:
            settings.append(_Setting(*setting, number))
    return settings


def _dotenv_setting(line: str) -> tuple[str, str] | None:
    """``NAME=value`` or ``export NAME=value`` (spaces around ``=`` allowed), else None. Split
    with string operations: a lazy pattern for the value, followed by optional spaces, would
    try every split of a long run of spaces."""
    if line.startswith("#"):
        return None
    name, equals, value = line.partition("=")
    if not equals:
        return None
    words = name.split(maxsplit=1)
    if len(words) == 2 and words[0] == "export":
        name = words[1]
    name = name.rstrip()
    if not _DOTENV_NAME.fullmatch(name):
        return None
    return name, value.strip()


_PARSERS = {
    "YAML": _parse_yaml,
    "JSON": _parse_json,
    "TOML": _parse_toml,
    "INI": _parse_ini,
    "dotenv": _parse_dotenv,
}


def _parse_error(path: str, kind: str, problem: ParseFailure | DataError) -> Finding:
    if isinstance(problem, DataError):
        message = problem.describe(kind)
        line, column = problem.line, problem.column
    else:
        message = f"not valid {kind}: {problem.what}"
        line, column = problem.line, problem.column
    return Finding(
        message,
        path=path,
        line=line,
        column=column,
        hint=f"fix the {kind} syntax at that place; a config that does not parse cannot be "
        "used to retrain the model",
    )


def _settings_in(data: Any) -> list[_Setting]:
    """Scalar settings of parsed JSON, TOML or INI data, in the order they are written, without
    their lines: these parsers keep no positions, and only a secret's line is looked for
    (``_LineFinder``), so that a 50,000-key vocabulary costs one walk, not a search per key."""
    settings: list[_Setting] = []
    # Depth first, in order, with a stack of iterators: no recursion, whatever the nesting.
    stack: list[Iterator[tuple[Any, Any]]] = [iter([(None, data)])]
    while stack:
        for key, value in stack[-1]:
            if isinstance(value, dict):
                stack.append(iter(value.items()))
                break
            if isinstance(value, list):
                stack.append(iter([(None, item) for item in value]))
                break
            if key is not None and isinstance(value, (str, int)) and not isinstance(value, bool):
                settings.append(_Setting(str(key), str(value), None))
        else:
            stack.pop()
    return settings


class _LineFinder:
    """The line where a key is written with its value just after it (``"key": "value"``,
    ``key = "value"``), looked for from where the last one was found: the secrets of a file come
    in the order they are written, so one pass over the text finds them all, however many are
    on one line (a minified file). A setting that is not ahead (a key repeated out of order) is
    looked for from the start, a bounded number of times; past that its line is unknown."""

    _REWINDS = 16
    _BETWEEN = 64  # the most characters between a key and its value: quotes, colon, spaces

    def __init__(self, text: str) -> None:
        self.text = text
        self.cursor = 0  # where the last setting was found
        self.line = 1  # the line the cursor is on
        self.rewinds = self._REWINDS

    def line_of(self, key: str, value: str) -> int | None:
        found = self._find(key, value, self.cursor, len(self.text))
        if found is None and self.cursor and self.rewinds:
            self.rewinds -= 1
            self.cursor, self.line = 0, 1
            found = self._find(key, value, 0, len(self.text))
        if found is None:
            return None
        # Counted from the cursor on, not from the start: linear in all the settings found.
        self.line += self.text.count("\n", self.cursor, found)
        self.cursor = found
        return self.line

    def _find(self, key: str, value: str, start: int, end: int) -> int | None:
        """Where ``key`` is, in [start, end), with ``value`` after it on the same line."""
        text = self.text
        position = text.find(key, start, end)
        while position >= 0:
            after = position + len(key)
            near = after + len(value) + self._BETWEEN
            found = text.find(value, after, near)
            if found >= 0 and text.find("\n", after, found) < 0:
                return position
            position = text.find(key, after, end)
        return None
