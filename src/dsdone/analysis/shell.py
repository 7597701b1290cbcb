"""What a shell script in a CI step runs, read statically: each simple command with its words,
its line, and whether its failure fails the step; and whether a command runs the tests,
``dsdone check`` or ``pre-commit run``, seen through the wrappers that start them (``uv run``,
``poetry run``, ``python -m``, ``coverage run -m``, ``uvx``...).

Words are split as a POSIX shell splits them (``shlex``); nothing is expanded or run.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_SEPARATORS = frozenset(";&|()\n")
# Words that start a compound command or modify the next one, not commands themselves.
_PREFIXES = frozenset(
    {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "exec", "time",
     "command", "sudo", "nohup", "env", "xvfb-run", "timeout", "call"}
)  # fmt: skip
# Tools that run the command that follows them (after their own options).
_RUNNERS = {
    "uv": "run", "poetry": "run", "pdm": "run", "pipenv": "run", "rye": "run", "pixi": "run",
    "conda": "run", "mamba": "run", "micromamba": "run", "pipx": "run", "hatch": "run",
    "coverage": "run",
}  # fmt: skip
_DIRECT_RUNNERS = frozenset({"uvx", "bash", "sh", "zsh", "pwsh", "powershell", "cmd"})
# Options of those tools that take a value (the next word), across them all.
_VALUE_OPTIONS = frozenset(
    {"--with", "--with-requirements", "--with-editable", "--extra", "--group", "--python", "-p",
     "--env-file", "--directory", "--project", "--package", "-n", "--name", "--prefix",
     "-e", "--environment", "--manifest-path", "--spec", "--from", "--source", "--rcfile",
     "--include", "--omit", "-W", "-X", "--data-file", "--context", "--concurrency", "-s"}
)  # fmt: skip
# Programs that run a test suite, whatever their arguments: pytest, unittest (`python -m
# unittest`), behave (BDD features), nose, green and ward.
_TEST_RUNNERS = frozenset(
    {"pytest", "py.test", "unittest", "behave", "nose2", "nosetests", "green", "ward"}
)
_TASK_RUNNERS = frozenset({"make", "just", "task", "invoke", "inv", "poe", "mage", "nmake", "mise"})
_NOT_TEST_ENVIRONMENTS = frozenset(
    {"lint", "linting", "docs", "doc", "format", "fmt", "style", "type", "types", "typing",
     "mypy", "pre-commit", "precommit", "build", "release", "publish", "clean", "check",
     "coverage-report", "report"}
)  # fmt: skip
_TOLERATING = frozenset({"true", ":", "echo"})
# A script longer than this is not a CI step anyone wrote by hand; the rest is not read.
MAX_SCRIPT_CHARS = 100_000


@dataclass(frozen=True)
class Command:
    """One simple command of a script: its words, its line (in the script, 1-based), and
    whether a failure of it fails the step (not so after ``|| true``)."""

    words: tuple[str, ...]
    line: int
    gating: bool = True


def commands(script: str) -> Iterator[Command]:
    """The simple commands of ``script``, in order. A line whose quotes do not close on it
    (a quoted string over several lines) is split at whitespace instead: a few words may be
    wrong, and no line is ever read twice."""
    lines = script[:MAX_SCRIPT_CHARS].split("\n")
    index = 0
    while index < len(lines):
        start, text = index, lines[index]
        while text.endswith("\\") and index + 1 < len(lines):
            index += 1
            text = text[:-1] + " " + lines[index]
        try:
            tokens = _tokens(text)
        except ValueError:
            tokens = text.split()
        yield from _split(tokens, start + 1)
        index += 1


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    return list(lexer)


def _split(tokens: list[str], line: int) -> Iterator[Command]:
    """Simple commands between separators; one followed by ``||`` and a command that
    succeeds anyway (``true``, ``:``, ``echo``, ``exit 0``) does not fail the step."""
    current: list[str] = []
    pending: list[tuple[list[str], str]] = []  # (words, the separator after them)
    for token in tokens:
        if token and all(char in _SEPARATORS for char in token):
            pending.append((current, token))
            current = []
        else:
            current.append(token)
    pending.append((current, ""))
    for position, (words, separator) in enumerate(pending):
        if not words:
            continue
        gating = True
        if separator == "||" and position + 1 < len(pending):
            fallback = _strip_prefixes(pending[position + 1][0])
            gating = not (
                (fallback and fallback[0] in _TOLERATING) or fallback[:2] == ["exit", "0"]
            )
        yield Command(tuple(words), line, gating)


def _strip_prefixes(words: Sequence[str]) -> list[str]:
    """The command proper: without ``VAR=value`` assignments and prefixes such as ``sudo``,
    ``env``, ``time`` or ``timeout 600``."""
    result = list(words)
    while result:
        word = result[0]
        name, eq, _ = word.partition("=")
        if eq and name.isidentifier():
            result.pop(0)
        elif word in _PREFIXES:
            result.pop(0)
            while result and (result[0].startswith("-") or result[0][:1].isdigit()):
                result.pop(0)  # env -i, timeout 600, xvfb-run -a
        else:
            break
    return result


def effective(words: Sequence[str]) -> list[str]:
    """The command that actually runs: ``uv run pytest -q`` is ``pytest -q``, ``python -m
    pytest`` is ``pytest``, ``poetry run dsdone check`` is ``dsdone check``, ``bash -c
    "pytest"`` is ``pytest``, ``python scripts/run_tests.py`` is the script."""
    result = _strip_prefixes(words)
    for _ in range(8):  # wrappers wrap wrappers: `uv run coverage run -m pytest`
        if not result:
            return result
        program, rest = _program(result[0]), result[1:]
        if program in _RUNNERS and rest[:1] == [_RUNNERS[program]]:
            result = _strip_prefixes(_after_options(rest[1:]))
        elif _is_python(program):
            result = _after_options(rest, stop_at_module=True)
        elif program in _DIRECT_RUNNERS:
            inline = _inline_script(rest)
            if inline is not None:
                first = next(commands(inline), None)
                result = _strip_prefixes(first.words) if first is not None else []
            else:
                result = _after_options(rest)
        else:
            return [program, *rest]
    return result


def _is_python(program: str) -> bool:
    """``python``, ``python3``, ``python3.11``, ``py``, ``pypy3``."""
    for name in ("python", "pypy"):
        if program.startswith(name):
            return all(char.isdigit() or char == "." for char in program[len(name) :])
    return program == "py"


def _inline_script(words: Sequence[str]) -> str | None:
    """The script of ``bash -c SCRIPT`` (``-lc``, ``cmd /c``, ``pwsh -Command``)."""
    for position, word in enumerate(words[:-1]):
        lowered = word.lower()
        if lowered in ("/c", "-command", "-c") or (
            lowered.startswith("-") and not lowered.startswith("--") and lowered.endswith("c")
        ):
            return words[position + 1]
        if not word.startswith(("-", "/")):
            return None
    return None


def _after_options(words: Sequence[str], *, stop_at_module: bool = False) -> list[str]:
    """``words`` from the first that is not an option (nor an option's value); with
    ``stop_at_module``, also the module after ``-m`` (python -m MODULE)."""
    position = 0
    while position < len(words):
        word = words[position]
        if stop_at_module and word == "-m":
            return list(words[position + 1 :])
        if stop_at_module and word.startswith("-m") and len(word) > 2:
            return [word[2:], *words[position + 1 :]]
        if not word.startswith("-"):
            return list(words[position:])
        if stop_at_module and word == "-c":
            return []  # python -c CODE: inline code, no command to name
        if word in _VALUE_OPTIONS:
            position += 1
        position += 1
    return []


def _program(word: str) -> str:
    """``.venv/bin/pytest`` as ``pytest``, ``python3.11`` as it is, ``pytest.exe`` as
    ``pytest``."""
    name = word.replace("\\", "/").rpartition("/")[2]
    return name.removesuffix(".exe").lower()


# -- what a command runs -------------------------------------------------------------------------


def runs_tests(words: Sequence[str]) -> bool:
    """Whether the command runs the tests: pytest (directly, ``python -m``, ``coverage run
    -m``, through uv/poetry/pdm/hatch/pixi), unittest, behave, nose2, green, ward, tox or nox
    (unless every environment it selects is for lint, docs or types), ``hatch test``, a task
    named ``test*`` of make, just, task, invoke, poe or mise (``mise run test``; or of ``pdm
    run``/``pixi run``/``hatch run``), ``make check``, or a script named for tests
    (``scripts/run_tests.sh``)."""
    command = _strip_prefixes(words)
    if command and _program(command[0]) in ("test", "["):
        return False  # the shell's own `test -d saved_models`; `hatch run test` is a task
    argv = effective(words)
    if not argv:
        return False
    program, rest = argv[0], argv[1:]
    if program in _TEST_RUNNERS or _is_test_name(program):
        return True
    if program in ("tox", "nox"):
        selected = _selected_environments(rest, "-e" if program == "tox" else "-s")
        return not selected or any(not _is_tooling(name) for name in selected)
    if program == "hatch":
        return rest[:1] == ["test"]
    if program in _TASK_RUNNERS:
        targets = _targets(rest)
        # `make check` is the GNU convention for running a package's test suite.
        return any(_is_test_name(word) for word in targets) or (
            program in ("make", "nmake") and "check" in targets
        )
    if program.endswith((".sh", ".ps1", ".bat", ".cmd", ".py")):
        return _is_test_name(program.rsplit(".", 1)[0], words_only=True)
    return False


def _is_test_name(name: str, *, words_only: bool = False) -> bool:
    """``test``, ``tests``, ``test-unit``, ``test:cov`` (a task); with ``words_only``, also
    a name holding the word (``run_tests``)."""
    lowered = name.lower()
    if not words_only:
        return lowered in ("test", "tests", "pytest") or lowered.startswith(
            ("test-", "test_", "test:", "tests-", "tests_", "tests:", "unit-test", "unittest")
        )
    words = lowered.replace("-", "_").replace(".", "_").split("_")
    return any(word in ("test", "tests", "pytest") for word in words)


def _is_tooling(environment: str) -> bool:
    words = environment.lower().replace("_", "-").split("-")
    return any(word in _NOT_TEST_ENVIRONMENTS for word in words) and not any(
        word.startswith(("py", "test", "unit")) for word in words
    )


def _selected_environments(words: Sequence[str], option: str) -> list[str]:
    long_names = {"-e": ("--env", "-e"), "-s": ("--session", "--sessions", "-s", "-t", "--tags")}
    selected: list[str] = []
    for position, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name in long_names[option]:
            value = value if eq else (words[position + 1] if position + 1 < len(words) else "")
            selected += [part for part in value.split(",") if part]
    return selected


def _targets(words: Sequence[str]) -> list[str]:
    targets = []
    position = 0
    while position < len(words):
        word = words[position]
        if word in ("-C", "-f", "--file", "--directory", "-j", "--justfile", "-d"):
            position += 2
            continue
        if not word.startswith("-") and "=" not in word:
            targets.append(word)
        position += 1
    return targets


_SHELLS = frozenset({"bash", "sh", "zsh", "source", "."})


def shell_script(words: Sequence[str]) -> str | None:
    """The shell script a command runs, as written (``./run_tests.sh``, ``bash
    scripts/test.sh``, ``sh -e ci.sh``, ``uv run bash x.sh``), or ``None``: a script file
    that a reader can follow one level into."""
    result = _strip_prefixes(words)
    for _ in range(8):
        if not result:
            return None
        program, rest = _program(result[0]), result[1:]
        if program in _RUNNERS and rest[:1] == [_RUNNERS[program]]:
            result = _strip_prefixes(_after_options(rest[1:]))
        elif program in _SHELLS:
            if _inline_script(rest) is not None:
                return None  # bash -c "...": the script is inline, read as the step's
            # A shell's options take no value, but -o/+o NAME (bash -o pipefail x.sh).
            position = 0
            while position < len(rest) and rest[position].startswith(("-", "+")):
                position += 2 if rest[position] in ("-o", "+o", "-O", "+O") else 1
            return rest[position] if position < len(rest) else None
        elif result[0].endswith(".sh") or "/" in result[0]:
            return result[0] if not _is_python(program) else None
        else:
            return None
    return None


def runs_dsdone_check(words: Sequence[str]) -> bool:
    """``dsdone check`` (also ``python -m dsdone check``, ``uvx dsdone check``, ``pipx run
    dsdone check``, through uv/poetry/pdm/pixi)."""
    argv = effective(words)
    if not argv or argv[0] != "dsdone":
        return False
    subcommand = next((word for word in argv[1:] if not word.startswith("-")), None)
    return subcommand == "check"


@dataclass(frozen=True)
class PreCommitRun:
    """``pre-commit run [HOOK] [-c CONFIG]``: which hook (``None``: all) from which file."""

    hook: str | None
    config: str | None


def pre_commit_run(words: Sequence[str]) -> PreCommitRun | None:
    argv = effective(words)
    if not argv or argv[0] not in ("pre-commit", "prek") or "run" not in argv[1:2]:
        return None
    hook = None
    config = None
    rest = argv[2:]
    position = 0
    while position < len(rest):
        word = rest[position]
        name, eq, value = word.partition("=")
        if name in ("-c", "--config"):
            config = value if eq else (rest[position + 1] if position + 1 < len(rest) else None)
            position += 1 if eq else 2
            continue
        if name == "--files":
            break  # the rest are file names
        if name in ("--hook-stage", "--from-ref", "--to-ref", "--source", "--origin", "-s", "-o"):
            position += 1 if eq else 2
            continue
        if not word.startswith("-") and hook is None:
            hook = word
        position += 1
    return PreCommitRun(hook, config)
