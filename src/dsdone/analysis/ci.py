"""What a repository's CI configuration runs, read statically: for each CI file, the shell
commands of its jobs (each at its line, and whether its failure fails the job), the GitHub
actions it uses, and whether it runs where merges happen.

Understood: GitHub Actions (``.github/workflows/*.yml``), GitLab CI (``.gitlab-ci.yml``),
Azure Pipelines (``azure-pipelines.yml``), CircleCI (``.circleci/config.yml``), Bitbucket
Pipelines (``bitbucket-pipelines.yml``) and Jenkins (``Jenkinsfile``, its ``sh``/``bat``
steps). YAML is composed with PyYAML's safe loader and walked as nodes, never constructed:
keys stay as written (``on`` is not YAML 1.1's ``True``), tags such as GitLab's ``!reference``
are plain data, merge keys (``<<: *defaults``) are merged, and every node is visited once, so
aliases cannot multiply the work. Included or remote configuration (GitLab ``include:``,
templates, reusable workflows of other repositories) is not followed.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dsdone.analysis.shell import Command, commands

GITHUB = "GitHub Actions"
GITLAB = "GitLab CI"
AZURE = "Azure Pipelines"
CIRCLECI = "CircleCI"
BITBUCKET = "Bitbucket Pipelines"
JENKINS = "Jenkins"

# CI files at the top of the repository, by the system that reads them there.
TOP_FILES = (
    (".gitlab-ci.yml", GITLAB),
    ("azure-pipelines.yml", AZURE),
    ("azure-pipelines.yaml", AZURE),
    (".azure-pipelines.yml", AZURE),
    (".circleci/config.yml", CIRCLECI),
    ("bitbucket-pipelines.yml", BITBUCKET),
    ("Jenkinsfile", JENKINS),
)
WORKFLOWS = ".github/workflows"
# GitHub events that run a workflow on the way to a merge (a push to a branch included: a
# required status check can come from it).
_MERGE_EVENTS = frozenset({"push", "pull_request", "pull_request_target", "merge_group",
                           "workflow_call"})  # fmt: skip
_GITLAB_RESERVED = frozenset(
    {"stages", "variables", "default", "include", "workflow", "image", "services", "cache",
     "before_script", "after_script", "types"}
)  # fmt: skip
_MAX_NODES = 200_000


@dataclass(frozen=True)
class Step:
    """Something a CI job runs: a shell command, or a GitHub action (``uses``)."""

    line: int  # in the CI file
    command: Command | None = None
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)  # the action's inputs
    gating: bool = True  # its failure fails the job (no continue-on-error, allow_failure)
    # The folder the command runs in, from the repository's top ("" the top): the step's
    # working-directory and the script's `cd` before it; None where no file can say (`cd $X`).
    folder: str | None = ""


@dataclass(frozen=True)
class CiFile:
    """One CI configuration file and what its jobs run."""

    path: str  # from the repository's top
    system: str
    steps: tuple[Step, ...] = ()
    gates_merges: bool = True  # GitHub: triggered by pull requests or pushes
    anchor: int | None = None  # the line where a step belongs (the first job's steps)
    problem: str | None = None  # why it cannot be read
    problem_line: int | None = None


def ci_system(path: str) -> str | None:
    """The CI system that reads ``path`` (from the repository's top), if any."""
    if path.startswith(WORKFLOWS + "/") and path.endswith((".yml", ".yaml")):
        return GITHUB if "/" not in path[len(WORKFLOWS) + 1 :] else None
    return next((system for name, system in TOP_FILES if name == path), None)


# Each project of a monorepo reads the CI files at its top: they are parsed once. What they give
# is shared, so it is never changed.
@functools.lru_cache(maxsize=64)
def read_ci_file(path: str, system: str, text: str) -> CiFile:
    if system == JENKINS:
        return CiFile(path, system, tuple(_jenkins_steps(text)), anchor=None)
    import yaml

    try:
        documents = [_Converter().convert(node) for node in yaml.compose_all(text, yaml.SafeLoader)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return CiFile(
            path,
            system,
            problem=f"not valid YAML: {exc.problem or exc.context}",
            problem_line=mark.line + 1 if mark else None,
        )
    except (yaml.YAMLError, RecursionError, _TooLarge) as exc:
        return CiFile(path, system, problem=f"cannot be read: {exc or 'too large'}")
    data = next((document for document in documents if isinstance(document, dict)), {})
    if system == GITHUB:
        return _github(path, data)
    if system == GITLAB:
        return _gitlab(path, data)
    keys = {
        AZURE: ("script", "bash", "pwsh", "powershell", "inlineScript"),
        CIRCLECI: ("run", "command"),
        BITBUCKET: ("script",),
    }[system]
    steps = list(_scripts(data, frozenset(keys), tolerated=False, seen=set()))
    return CiFile(path, system, tuple(steps), anchor=steps[0].line if steps else None)


# -- YAML as positioned data ---------------------------------------------------------------------


class Text(str):
    """A YAML scalar, as written, with its 1-based line."""

    line: int

    def __new__(cls, value: str, line: int) -> Text:
        text = super().__new__(cls, value)
        text.line = line
        return text


class Map(dict[str, Any]):
    """A YAML mapping, keys as written, with the line where it starts and those of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class _TooLarge(Exception):
    def __str__(self) -> str:
        return "too large"


class _Converter:
    """Nodes to ``Map``/list/``Text``; each node converted once (an alias is the same object)."""

    def __init__(self) -> None:
        self.done: dict[int, Any] = {}

    def convert(self, node: Any) -> Any:
        import yaml

        known = self.done.get(id(node))
        if known is not None:
            return known
        if len(self.done) > _MAX_NODES:
            raise _TooLarge
        line = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            # A block scalar (`run: |`) starts on the line after its indicator.
            result: Any = Text(str(node.value), line + (node.style in ("|", ">")))
        elif isinstance(node, yaml.SequenceNode):
            result = []
            self.done[id(node)] = result
            result.extend(self.convert(item) for item in node.value)
        else:
            result = Map()
            result.line = line
            result.key_lines = {}
            self.done[id(node)] = result
            merged: list[Any] = []
            for key_node, value_node in node.value:
                value = self.convert(value_node)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged += value if isinstance(value, list) else [value]
                elif isinstance(key_node, yaml.ScalarNode):
                    result.setdefault(str(key_node.value), value)
                    result.key_lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
            for source in merged:
                if isinstance(source, dict):
                    for key, value in source.items():
                        result.setdefault(key, value)
        self.done[id(node)] = result
        return result


def _is_true(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in ("true", "yes", "on")


def _line(value: Any, default: int = 1) -> int:
    line = getattr(value, "line", None)
    return line if isinstance(line, int) and line > 0 else default


def _key_line(mapping: dict[str, Any], key: str) -> int | None:
    lines = getattr(mapping, "key_lines", None)
    return lines.get(key) if isinstance(lines, dict) else None


def _script_steps(value: Any, tolerated: bool, folder: str | None = "") -> Iterator[Step]:
    """The commands of a script value: a string, or a list of strings (nested lists, as
    GitLab allows), run by one shell from ``folder``: a ``cd`` moves the commands after it."""
    pending = [value]
    seen: set[int] = set()  # a list may hold itself, through an alias
    pushed: list[str | None] = []
    while pending:
        item = pending.pop(0)
        if isinstance(item, list):
            if id(item) not in seen:
                seen.add(id(item))
                pending[:0] = item
        elif isinstance(item, Text):
            for command in commands(str(item)):
                yield Step(
                    item.line + command.line - 1,
                    command,
                    gating=command.gating and not tolerated,
                    folder=folder,
                )
                folder = moved_folder(command.words, folder, pushed)


def moved_folder(
    words: tuple[str, ...], folder: str | None, pushed: list[str | None]
) -> str | None:
    """The folder a shell is in after ``words`` (``cd``, ``pushd``, ``popd``; any other command
    leaves it), from ``folder``; None when no file can say where (a variable, a path outside
    the repository, ``cd`` alone: the home folder)."""
    if not words or words[0] not in ("cd", "pushd", "popd"):
        return folder
    if words[0] == "popd":
        return pushed.pop() if pushed else None
    if words[0] == "pushd":
        pushed.append(folder)
    return _join(folder, words[1] if len(words) > 1 else None)


def _join(folder: str | None, path: str | None) -> str | None:
    if (
        folder is None
        or path is None
        or path.startswith(("/", "~", "$", "-", "\\"))
        or "${{" in path
    ):
        return None
    joined = posixpath.normpath(posixpath.join(folder, path))
    if joined == ".." or joined.startswith("../"):
        return None
    return "" if joined == "." else joined


def _working_directory(*mappings: Any) -> str | None:
    """GitHub's ``working-directory`` of a step, else of the job's or the workflow's
    ``defaults: run:`` (the first of ``mappings`` that has one); "" when none does."""
    for mapping in mappings:
        if not isinstance(mapping, dict):
            continue
        value = mapping.get("working-directory")
        if value is None:
            defaults = mapping.get("defaults")
            run = defaults.get("run") if isinstance(defaults, dict) else None
            value = run.get("working-directory") if isinstance(run, dict) else None
        if value is not None:
            return _join("", str(value)) if isinstance(value, str) else None
    return ""


def _scripts(
    value: Any, keys: frozenset[str], *, tolerated: bool, seen: set[int]
) -> Iterator[Step]:
    """Every script under one of ``keys`` anywhere below ``value``; a mapping with
    ``continueOnError: true`` (Azure) tolerates the failures of what is under it."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, dict):
        tolerated = tolerated or _is_true(value.get("continueOnError"))
        for key, item in value.items():
            if key in keys and not isinstance(item, dict):
                yield from _script_steps(item, tolerated)
            else:
                yield from _scripts(item, keys, tolerated=tolerated, seen=seen)
    elif isinstance(value, list):
        for item in value:
            yield from _scripts(item, keys, tolerated=tolerated, seen=seen)


# -- GitHub Actions ------------------------------------------------------------------------------


def _github(path: str, data: dict[str, Any]) -> CiFile:
    jobs = data.get("jobs")
    steps: list[Step] = []
    anchor = None
    if isinstance(jobs, dict):
        for job in jobs.values():
            if not isinstance(job, dict) or not isinstance(job.get("steps"), list):
                continue
            tolerated = _is_true(job.get("continue-on-error"))
            if anchor is None:
                anchor = _key_line(job, "steps")
            for step in job["steps"]:
                if not isinstance(step, dict):
                    continue
                step_tolerated = tolerated or _is_true(step.get("continue-on-error"))
                if isinstance(step.get("run"), str):
                    folder = _working_directory(step, job, data)
                    steps += _script_steps(step["run"], step_tolerated, folder)
                elif isinstance(step.get("uses"), str):
                    inputs = step.get("with")
                    steps.append(
                        Step(
                            _line(step["uses"]),
                            uses=str(step["uses"]),
                            with_={
                                str(k): str(v)
                                for k, v in (inputs.items() if isinstance(inputs, dict) else ())
                                if isinstance(v, str)
                            },
                            gating=not step_tolerated,
                        )
                    )
    return CiFile(path, GITHUB, tuple(steps), _github_gates(data.get("on")), anchor)


def _github_gates(on: Any) -> bool:
    """Whether the workflow's triggers include a pull request, a merge queue, a push to a
    branch (not only tags) or a call from another workflow."""
    if isinstance(on, str):
        return on in _MERGE_EVENTS
    if isinstance(on, list):
        return any(isinstance(event, str) and event in _MERGE_EVENTS for event in on)
    if isinstance(on, dict):
        for event, settings in on.items():
            if event not in _MERGE_EVENTS:
                continue
            if event == "push" and isinstance(settings, dict):
                only_tags = ("tags" in settings or "tags-ignore" in settings) and not any(
                    key in settings for key in ("branches", "branches-ignore", "paths")
                )
                if only_tags:
                    continue
            return True
    return False


# -- GitLab CI -----------------------------------------------------------------------------------


def _gitlab(path: str, data: dict[str, Any]) -> CiFile:
    steps: list[Step] = []
    anchor = None
    default = data.get("default")
    shared = [data.get("before_script")]
    if isinstance(default, dict):
        shared.append(default.get("before_script"))
    for script in shared:
        steps += _script_steps(script, tolerated=False)
    for name, job in data.items():
        if name in _GITLAB_RESERVED or not isinstance(job, dict):
            continue
        if anchor is None and not name.startswith("."):
            anchor = _key_line(data, name)  # jobs are added beside the first one
        tolerated = _is_true(job.get("allow_failure")) or job.get("when") == "manual"
        for key in ("before_script", "script"):
            if key in job:
                steps += _script_steps(job[key], tolerated)
    return CiFile(path, GITLAB, tuple(steps), anchor=anchor)


# -- Jenkins -------------------------------------------------------------------------------------

_JENKINS_STEPS = frozenset({"sh", "bat", "powershell", "pwsh"})


def _jenkins_steps(text: str) -> Iterator[Step]:
    """The scripts of ``sh``, ``bat``, ``powershell`` and ``pwsh`` steps: ``sh 'pytest'``,
    ``sh(script: "pytest", returnStatus: true)``, ``sh '''...'''``. A step with
    ``returnStatus: true`` does not fail the build."""
    tokens = list(_groovy_tokens(text))
    for position, (kind, value, _) in enumerate(tokens):
        if kind != "word" or value not in _JENKINS_STEPS:
            continue
        window = tokens[position + 1 : position + 12]
        script = None
        tolerated = False
        depth = 0
        for next_kind, next_value, next_line in window:
            if next_kind == "punct" and next_value == "(":
                depth += 1
                continue
            if next_kind == "string" and script is None:
                script = (next_value, next_line)
                if depth == 0:
                    break
                continue
            if next_kind == "word" and next_value == "returnStatus":
                tolerated = True
            if next_kind == "punct" and next_value in (")", "}", "{"):
                break
        if script is not None:
            for command in commands(script[0]):
                yield Step(
                    script[1] + command.line - 1, command, gating=command.gating and not tolerated
                )


def _groovy_tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """Words, strings (single, double, triple quoted; their text without interpolation) and
    punctuation of Groovy source, comments skipped, each with its line."""
    position, line, length = 0, 1, len(text)
    while position < length:
        char = text[position]
        if char == "\n":
            line += 1
            position += 1
        elif char.isspace():
            position += 1
        elif text.startswith("//", position):
            end = text.find("\n", position)
            position = length if end < 0 else end
        elif text.startswith("/*", position):
            end = text.find("*/", position + 2)
            end = length if end < 0 else end + 2
            line += text.count("\n", position, end)
            position = end
        elif char in "'\"":
            quote = char * 3 if text.startswith(char * 3, position) else char
            start = position + len(quote)
            end = start
            while True:
                end = text.find(quote, end)
                if end < 0:
                    end = length
                    break
                if text[end - 1] != "\\":
                    break
                end += 1
            value = text[start:end]
            yield "string", value, line
            line += text.count("\n", position, end)
            position = end + len(quote)
        elif char.isalnum() or char == "_":
            end = position
            while end < length and (text[end].isalnum() or text[end] == "_"):
                end += 1
            yield "word", text[position:end], line
            position = end
        else:
            yield "punct", char, line
            position += 1


# -- pre-commit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hook:
    id: str
    entry: str | None


@functools.lru_cache(maxsize=16)  # read by every project of a monorepo; see read_ci_file
def pre_commit_hooks(text: str) -> tuple[Hook, ...] | None:
    """The hooks of a ``.pre-commit-config.yaml``; ``None`` if it cannot be read."""
    import yaml

    try:
        documents = [_Converter().convert(node) for node in yaml.compose_all(text, yaml.SafeLoader)]
    except (yaml.YAMLError, RecursionError, _TooLarge):
        return None
    data = next((document for document in documents if isinstance(document, dict)), {})
    hooks: list[Hook] = []
    repos = data.get("repos")
    for repo in repos if isinstance(repos, list) else ():
        listed = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in listed if isinstance(listed, list) else ():
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                entry = hook.get("entry")
                hooks.append(Hook(str(hook["id"]), str(entry) if isinstance(entry, str) else None))
    return tuple(hooks)
