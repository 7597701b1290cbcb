"""A retrain command as a shell would run it, resolved statically: what it runs must be code
of the repository, and the files it names must be there for a fresh clone. Shared by the
``retrain-entrypoint`` check and by ``init --existing``, which writes only a command this
module accepts.

The grammar is the one people write in READMEs and Makefiles: ``cd DIR && ...`` and ``;``
sequences; environment assignments; runners (``uv run``, ``poetry run``, ``conda run -n X``);
launchers that wrap a script (``torchrun``, ``accelerate launch``, ``deepspeed``,
``python -m torch.distributed.launch``) or a whole command (``mpirun -n 4``, ``srun``,
``horovodrun``); then ``python``, a console script, ``make``, ``just``, ``dvc repro`` / ``dvc
exp run``, ``mlflow run`` / ``mlflow recipes run``, ``kedro run``, ``bash script.sh``, or a
code reference (``pkg.train:main``). Nothing is run.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from dsdone.analysis.code_refs import Located, Unresolved, console_scripts, find_module, resolve
from dsdone.analysis.command_arguments import FileArgument, add_arguments
from dsdone.analysis.scripts import script_facts
from dsdone.analysis.workflow_tools import (
    FORMS,
    Problem,
    dvc_repro_problems,
    join,
    just_problems,
    kedro_run_problems,
    located_problems,
    make_problems,
    mlflow_recipes_problems,
    mlflow_run_problems,
)
from dsdone.repository import OutsideProject, Repository

_PYTHON = re.compile(r"^python(3(\.[0-9]+)?)?$")
_PYTHON_VALUE_OPTIONS = {"-X", "-W", "--check-hash-based-pycs"}
_RUNNERS = {"uv", "poetry", "pipenv", "pdm", "hatch", "rye", "conda", "mamba", "micromamba"}
# Options of the runners that take a value (`uv run --with pandas python ...`).
_RUNNER_VALUE_OPTIONS = {
    "--with", "--with-editable", "--with-requirements", "--python", "-p", "--project",
    "--directory", "--env-file", "--extra", "--group", "--package", "--index", "-C", "-n",
    "--name", "--prefix", "--cwd", "-e", "--env",
}  # fmt: skip
_RUNNER_DIRECTORY_OPTIONS = {"--directory", "-C", "--cwd"}
# Launchers that run a Python script (or, with -m, a module) on several processes.
_SCRIPT_LAUNCHERS = {"torchrun", "deepspeed"}
_LAUNCHER_MODULES = {
    "torch.distributed.launch", "torch.distributed.run", "accelerate.commands.launch",
    "deepspeed.launcher.runner",
}  # fmt: skip
_MODULE_FLAGS = {"-m", "--module"}
_NO_PYTHON_FLAGS = {"--no-python", "--no_python"}
# Launchers that run a whole command (`mpirun -n 4 python train.py`), and plain prefixes.
_COMMAND_LAUNCHERS = {"mpirun", "mpiexec", "horovodrun", "srun", "xvfb-run"}
_PREFIXES = {"nohup", "time", "exec", "command", "env", "caffeinate"}
_SEPARATORS = {"&&", "||", ";", "|", "&", ";;", "|&"}
# Commands that only prepare or report around the training command (`pip install -r
# requirements.txt && python train.py | tee train.log`): not what retrains, nothing to find.
_UTILITIES = frozenset(
    {
        "echo", "printf", "mkdir", "rm", "cp", "mv", "ln", "touch", "tee", "cat", "ls", "export",
        "source", ".", "set", "unset", "true", "false", "sleep", "wait", "wget", "curl", "tar",
        "unzip", "gunzip", "gzip", "pip", "pip3", "git", "test", "[", "date", "head", "tail",
        "grep", "sort", "chmod", "nvidia-smi", "ulimit",
    }
)  # fmt: skip
# Subcommands of the tools above (and the runners, when not `run`) that only set up.
_SETUP_SUBCOMMANDS = {"dvc": {"pull", "fetch", "checkout", "update", "import", "get"}}
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass
class Resolved:
    """What is wrong with a command, and the arguments left to check as files."""

    problems: list[Problem] = field(default_factory=list)
    arguments: list[FileArgument] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)  # the files of code it runs, for init
    targets: int = 0  # simple commands that run something (not `cd`, `echo`, `pip install`)


def split_command(command: str) -> list[list[str]]:
    """The simple commands of ``command`` (split at ``&&``, ``;``, ``|``), each as words;
    redirections (``> log.txt``) are dropped. ``ValueError`` for an unclosed quote."""
    # Only the shell's operators split words: parentheses stay in them (`$(CONFIG)`).
    lexer = shlex.shlex(command, posix=True, punctuation_chars="&|;<>")
    lexer.whitespace_split = True
    lexer.commenters = ""
    segments: list[list[str]] = [[]]
    skip_next = False
    for token in lexer:
        if skip_next:
            skip_next = False
        elif token in _SEPARATORS:
            segments.append([])
        elif token and all(char in "<>&|" for char in token):
            skip_next = True  # a redirection: the next word is the file it writes or reads
        else:
            segments[-1].append(token)
    return [segment for segment in segments if segment] or [[]]


def resolve_command(project: Repository, command: str) -> Resolved:
    """Resolve every simple command of ``command``; ``ValueError`` for an unclosed quote."""
    resolved = Resolved()
    base = ""
    utilities = []
    for words in split_command(command):
        words, base = _peel(words, base)
        if _is_utility(words):
            utilities.append(words[0])
            continue
        resolved.targets += words[:1] not in (["cd"], ["pushd"])
        base = _segment(project, words, base, resolved)
    if not resolved.targets and utilities:
        resolved.problems.append(
            Problem(
                f"the command runs no code of the repository (only {', '.join(utilities)})",
                f"name what retrains the model: {FORMS}",
            )
        )
    return resolved


def _is_utility(words: list[str]) -> bool:
    if not words:
        return False
    head, second = words[0], words[1] if len(words) > 1 else ""
    if head in _UTILITIES:
        return True
    if head in _RUNNERS:
        return second != "run"  # uv sync, poetry install, conda activate
    return second in _SETUP_SUBCOMMANDS.get(head, ())


def _segment(project: Repository, words: list[str], base: str, resolved: Resolved) -> str:
    """Resolve one simple command run in ``base``; returns the folder the next one runs in."""
    words, base = _peel(words, base)
    if words[:1] in (["cd"], ["pushd"]):
        return _cd(words[1:], base, resolved)
    if not words:
        resolved.problems.append(Problem("there is no command", f"write one of: {FORMS}"))
        return base
    head, rest = words[0], words[1:]
    if _PYTHON.match(head):
        _python(project, rest, base, resolved)
    elif head in _SCRIPT_LAUNCHERS or (head == "accelerate" and rest[:1] == ["launch"]):
        _launched(project, rest[1:] if head == "accelerate" else rest, base, resolved)
    elif head == "make":
        problems, variables = make_problems(project, rest, base)
        resolved.problems += problems
        add_arguments(variables, base, resolved.arguments)
    elif head == "just":
        resolved.problems += just_problems(project, rest, base)
    elif head == "dvc" and (rest[:1] == ["repro"] or rest[:2] == ["exp", "run"]):
        targets = rest[1:] if rest[0] == "repro" else rest[2:]
        resolved.problems += dvc_repro_problems(project, targets, base)
    elif head == "mlflow" and rest[:1] == ["run"]:
        problems, parameters = mlflow_run_problems(project, rest[1:], base)
        resolved.problems += problems
        add_arguments(parameters, base, resolved.arguments)
    elif head == "mlflow" and rest[:2] == ["recipes", "run"]:
        resolved.problems += mlflow_recipes_problems(project, rest[2:], base)
    elif head == "kedro" and rest[:1] == ["run"]:
        resolved.problems += kedro_run_problems(project, rest[1:], base)
    elif head in ("bash", "sh") and rest:
        if rest[0].startswith("-"):
            resolved.problems.append(
                Problem(
                    f"`{head} {rest[0]}` runs inline shell code, which cannot be "
                    "found in the repository",
                    "put the commands in a committed script: bash scripts/retrain.sh",
                )
            )
        else:
            _runs_file(project, resolve(project, join(base, rest[0])), rest[0], resolved)
            add_arguments(rest[1:], base, resolved.arguments)
    elif ":" in head or "/" in head or head.endswith((".py", ".sh")):
        reference = join(base, head) if ":" not in head or "/" in head else head
        _runs_file(project, resolve(project, reference), head, resolved, script=True)
        add_arguments(rest, base, resolved.arguments)
    else:
        resolved.problems += _console_script(project, head)
        add_arguments(rest, base, resolved.arguments)
    return base


def _peel(words: list[str], base: str) -> tuple[list[str], str]:
    """Drop what only sets up the command: environment assignments, ``nohup``/``time``/``env``,
    runners (``uv run``, ``conda run -n X``) and launchers of whole commands (``mpirun -n 4``)."""
    while words:
        head = words[0]
        if _ENV_ASSIGNMENT.match(head) or head in _PREFIXES:
            words = words[1:]
        elif head in _RUNNERS and words[1:2] == ["run"]:
            words = words[2:]
            while words and words[0].startswith("-"):
                option, eq, inline = words[0].partition("=")
                takes_value = option in _RUNNER_VALUE_OPTIONS and not eq
                if option in _RUNNER_DIRECTORY_OPTIONS:
                    value = inline if eq else (words[1] if len(words) > 1 else "")
                    base = join(base, value)
                words = words[2:] if takes_value else words[1:]
        elif head in _COMMAND_LAUNCHERS:
            words = _after_options(words[1:])
        else:
            break
    return words, base


def _after_options(words: list[str]) -> list[str]:
    """The command a launcher runs: what follows its options. An option takes the next word
    as its value unless that word starts the command (``python``, a script)."""
    position = 0
    while position < len(words) and words[position].startswith("-"):
        following = words[position + 1] if position + 1 < len(words) else ""
        starts_command = _PYTHON.match(following) or following.endswith((".py", ".sh"))
        takes_value = "=" not in words[position] and not starts_command
        position += 2 if takes_value and not following.startswith("-") else 1
    return words[position:]


def _cd(args: list[str], base: str, resolved: Resolved) -> str:
    target = args[0] if args else "~"
    moved = join(base, target)
    if target.startswith(("/", "~", "-", "$")) or moved.startswith(".."):
        resolved.problems.append(
            Problem(
                f"`cd {target}` does not go to a folder of the repository, so what follows "
                "cannot be found in it",
                "cd into a folder of the repository, relative to its root",
            )
        )
        return base
    return moved


def _python(project: Repository, args: list[str], base: str, resolved: Resolved) -> None:
    position = 0
    while position < len(args):
        token = args[position]
        if token.startswith("-m"):
            if token == "-m" and position + 1 >= len(args):
                resolved.problems.append(
                    Problem("`python -m` names no module", "add the module: python -m pkg.train")
                )
                return
            module = args[position + 1] if token == "-m" else token[2:]
            rest = args[position + (2 if token == "-m" else 1) :]
            if module in _LAUNCHER_MODULES:
                _launched(project, rest, base, resolved)
                return
            found = find_module(project, module, package_main=True, base=base)
            _runs_file(project, found, module, resolved, script=True)
            add_arguments(rest, base, resolved.arguments)
            return
        if token.startswith("-c"):
            resolved.problems.append(
                Problem(
                    "`python -c` runs inline code, which cannot be found in the repository",
                    "move the code into a module and run it with python -m pkg.train",
                )
            )
            return
        if token in _PYTHON_VALUE_OPTIONS:
            position += 2
            continue
        if token.startswith("-"):
            position += 1
            continue
        _python_file(project, token, base, resolved)
        add_arguments(args[position + 1 :], base, resolved.arguments)
        return
    resolved.problems.append(
        Problem(
            "python is given no script or module to run",
            "add the script or the module: python -m pkg.train",
        )
    )


def _python_file(project: Repository, token: str, base: str, resolved: Resolved) -> None:
    found = resolve(project, join(base, token))
    if isinstance(found, Located) and found.path in project.folders:
        # python runs a folder through its __main__.py, as it runs a package with -m.
        main = f"{found.path}/__main__.py"
        found = Located(main) if project.is_indexed(main) else Unresolved(f"{main} is missing")
    _runs_file(project, found, token, resolved, script=True)


def _launched(project: Repository, args: list[str], base: str, resolved: Resolved) -> None:
    """``torchrun [options] script.py ARGS`` (``-m`` for a module, ``--no-python`` for any
    command): the options are skipped, the script resolved as python would."""
    module = no_python = False
    position = 0
    while position < len(args) and args[position].startswith("-"):
        option = args[position].partition("=")[0]
        module |= option in _MODULE_FLAGS
        no_python |= option in _NO_PYTHON_FLAGS
        following = args[position + 1] if position + 1 < len(args) else ""
        flag = (
            "=" in args[position]
            or option in _MODULE_FLAGS
            or option in _NO_PYTHON_FLAGS
            or following.startswith("-")
            or following.endswith(".py")
        )
        position += 1 if flag else 2
    rest = args[position:]
    if not rest:
        resolved.problems.append(
            Problem("the launcher is given no script to run", "add the script: train.py")
        )
    elif no_python:
        _segment(project, rest, base, resolved)
    elif module:
        _python(project, ["-m", *rest], base, resolved)
    else:
        _python_file(project, rest[0], base, resolved)
        add_arguments(rest[1:], base, resolved.arguments)


def _runs_file(
    project: Repository,
    found: Located | Unresolved,
    reference: str,
    resolved: Resolved,
    *,
    script: bool = False,
) -> None:
    """Code the command runs: it resolves, is committed and, run as a script, does something."""
    problems = located_problems(project, found, reference)
    resolved.problems += problems
    if problems or not isinstance(found, Located):
        return
    resolved.runs.append(found.path)
    if script and found.path.endswith(".py") and found.line is None:
        problem = _inert_script(project, found.path)
        if problem is not None:
            resolved.problems.append(problem)


def _inert_script(project: Repository, path: str) -> Problem | None:
    try:
        facts = script_facts(project.python_ast(path))
    except SyntaxError as exc:
        return Problem(
            f"{path} is not valid Python (line {exc.lineno}): {exc.msg}",
            "fix the syntax error, or point the entrypoint at the script that trains",
        )
    except (OSError, OutsideProject, ValueError, RecursionError):
        return None  # unreadable: version-control or another check says why
    if facts.acts:
        return None
    return Problem(
        f"{path} only defines functions and classes: run as a script it does nothing (no "
        '`if __name__ == "__main__":` block, no call at its top level)',
        "name the script or pipeline that calls this code (a run.py, a flow), or add a "
        '`if __name__ == "__main__":` block that trains',
    )


def _console_script(project: Repository, name: str) -> list[Problem]:
    scripts = console_scripts(project)
    if name not in scripts:
        declared = f" (it declares: {', '.join(sorted(scripts))})" if scripts else ""
        return [
            Problem(
                f"'{name}' is not a console script of the project{declared}, nor a command "
                "dsdone understands",
                "declare it under [project.scripts] of pyproject.toml (or setup.py's "
                f"console_scripts), or write one of: {FORMS}",
            )
        ]
    found = resolve(project, scripts[name])
    if isinstance(found, Unresolved):
        return [
            Problem(
                f"the console script '{name}' = '{scripts[name]}' does not resolve: "
                f"{found.message}",
                "correct the script's target where it is declared",
            )
        ]
    return located_problems(project, found, scripts[name])
