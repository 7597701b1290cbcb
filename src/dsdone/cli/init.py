"""``dsdone init``: parse, prompt when a person is there, call scaffold or adopt, print."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from dsdone.cli import guard
from dsdone.cli.options import Debug
from dsdone.cli.streams import write_stderr, write_stdout
from dsdone.errors import DsdoneError

# What init needs (the scaffolding, the escapes, git's setup) is imported when it runs, not
# when the command line is built: every `dsdone check` builds it.

_MARKS = {
    "created": "created    ",
    "overwritten": "overwritten",
    "unchanged": "unchanged  ",
    "skipped": "skipped    ",
}


def init_command(
    path: Annotated[
        Optional[Path],  # noqa: UP045 - typer reads the annotation at run time, also on 3.10
        typer.Argument(
            metavar="PATH",
            help="The project folder (created if needed). Default: the current folder.",
        ),
    ] = None,
    name: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="NAME",
            help="The project's name, e.g. 'Churn Model'. Default: the folder's name.",
        ),
    ] = None,
    owner: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="EMAIL",
            help="Who answers for the project (an e-mail). Default: git's user.email.",
        ),
    ] = None,
    template: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            metavar="NAME",
            help="What to render: 'standard' (a complete model project) or 'minimal' "
            "(only dsdone.yaml). Default: standard.",
            show_default=False,
        ),
    ] = None,
    existing: Annotated[
        bool,
        typer.Option(
            "--existing",
            help="Adopt an existing repository: write only dsdone.yaml, inferred from its files.",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that already exist.")
    ] = False,
    debug: Debug = False,
) -> None:
    """Start a project that passes `dsdone check` from its first commit, or adopt one.

    Never overwrites a file unless --force. Asks for missing values only when run in a
    terminal; in scripts and CI it uses the defaults.
    """
    with guard(debug):
        from dsdone.git.init import check_git_access
        from dsdone.render import escape
        from dsdone.scaffold import DEFAULT_TEMPLATE, TEMPLATES

        target = Path.cwd() if path is None else path
        _check_target(target)
        if template is not None and template not in TEMPLATES:
            raise DsdoneError(
                f"unknown template '{template}'", hint=f"choose one of: {', '.join(TEMPLATES)}"
            )
        if existing and template is not None:
            raise DsdoneError(
                "--existing writes only a contract inferred from the repository; it takes no "
                "--template",
                hint="drop --template, or drop --existing to scaffold a new project",
            )
        # Before anything is asked or written: a repository git refuses for its owner (or
        # whose configuration cannot be read safely) is said plainly, with the way out.
        check_git_access(target)
        interactive = sys.stdin.isatty()
        # A contract already there keeps its name and owner (and so the package it names).
        from dsdone.adopt import contract_identity

        known_name, known_owner = contract_identity(target) if target.is_dir() else (None, None)
        project_name = name or known_name
        project_name = project_name or _ask(
            "Project name", _default_name(target, existing), interactive
        )
        project_owner = (
            owner or known_owner or _ask("Owner (e-mail)", _git_email(target), interactive)
        )
        # A folder or argument whose bytes are not UTF-8 gives a name a contract cannot hold:
        # the bytes are written as \xNN, as reports show them (see render.escape).
        project_name, project_owner = (
            escape.valid_text(project_name).strip(),
            escape.valid_text(project_owner).strip(),
        )
        if not project_name:  # the contract would not be valid: a name must have a letter
            raise DsdoneError("no name for the project", hint="pass --name with the project's name")
        if not project_owner:
            raise DsdoneError(
                "no owner for the project",
                hint="pass --owner with the e-mail of who answers for it (or set git's user.email)",
            )
        if existing:
            _adopt(target, project_name, project_owner, force)
        else:
            _scaffold(target, template or DEFAULT_TEMPLATE, project_name, project_owner, force)


def _check_target(target: Path) -> None:
    """The folder a user named can be a project folder: not a file, not a name the file system
    refuses (too long), not behind a folder that cannot be entered."""
    from dsdone.writing import shown

    try:
        if target.exists() and not target.is_dir():
            raise DsdoneError(
                f"{shown(target)}: is a file, not a folder", hint="give the folder of the project"
            )
        target.resolve()
    except OSError as exc:
        raise DsdoneError(
            f"{shown(target)}: cannot be used as the project folder: {exc.strerror or exc}",
            hint="give a shorter path, or a folder you can enter",
        ) from None


def _say(text: str) -> None:
    """One line for the person running init. Names of files found in an existing repository,
    and the name and owner given, are escaped as in a report: a file name must not be able to
    rewrite the terminal."""
    from dsdone.render import escape

    write_stdout(escape.block(text) + "\n")


def _scaffold(target: Path, template: str, name: str, owner: str, force: bool) -> None:
    from dsdone.adopt.inference import count
    from dsdone.render import escape
    from dsdone.scaffold import scaffold, template_values
    from dsdone.writing import Outcome

    result = scaffold(target, template, template_values(name, owner), force=force)
    for item in result.files:
        suffix = " (exists; --force overwrites it)" if item.outcome is Outcome.SKIPPED else ""
        _say(f"{_MARKS[item.outcome.value]}  {escape.line(str(item.path))}{suffix}")
    if result.git_initialized:
        _say(f"Initialized a git repository in {escape.line(str(target))}.")
    elif result.git_problem:
        write_stderr(f"dsdone: warning: {escape.block(result.git_problem)}\n")
    if result.subfolder and result.not_written:
        _print_root_setup(result.subfolder, result.not_written)
    created, kept = len(result.paths(Outcome.CREATED)), len(result.paths(Outcome.SKIPPED))
    _say(
        f"\n{escape.line(name)}: {count(created, 'file')} created, "
        f"{kept} kept as {'it was' if kept == 1 else 'they were'}."
    )
    here = target.resolve() == Path.cwd().resolve()
    enter = "" if here else f"cd {shlex.quote(str(target))} && "
    commit = f"git commit -m {shlex.quote(f'Start {name}')}"
    _say(f"Next: {escape.line(enter)}git add -A && {escape.line(commit)} && dsdone check")


def _adopt(target: Path, name: str, owner: str, force: bool) -> None:
    from dsdone.adopt import adopt
    from dsdone.render import escape
    from dsdone.scaffold import SCHEMA_FILE
    from dsdone.writing import Outcome

    result = adopt(target, name, owner, force=force)
    # What was found quotes the repository's own files (an MLproject's entry point): shown
    # with escapes, never sent to the terminal as they are.
    for line in result.found:
        _say(f"{'found':11}  {escape.line(line)}")
    for line in result.todo:
        _say(f"{'todo':11}  {escape.line(line)}")
    for path, outcome in ((result.path, result.outcome), (SCHEMA_FILE, result.schema_outcome)):
        kept = " (exists; --force overwrites it)" if outcome is Outcome.SKIPPED else ""
        _say(f"{_MARKS[outcome.value]}  {escape.line(str(path))}{kept}")
    if result.outcome is Outcome.SKIPPED:
        return
    enter = "" if target.resolve() == Path.cwd().resolve() else f"cd {shlex.quote(str(target))} && "
    _say(
        "Next: fill in the TODOs in dsdone.yaml, then commit it (version-control fails until "
        f"it is tracked):\n  {escape.line(enter)}git add dsdone.yaml {SCHEMA_FILE} && "
        'git commit -m "Adopt dsdone" && dsdone check'
    )


def _print_root_setup(subfolder: str, not_written: tuple[str, ...]) -> None:
    """What to add at the top of the repository, where GitHub and pre-commit look."""
    from dsdone import release

    shown = ", ".join(sorted({path.split("/")[0] for path in not_written}))
    _say(
        f"\nnot written  {shown}: this folder is {subfolder}/ of a git repository, and GitHub "
        "and pre-commit read them only at the repository's top. Add there:"
    )
    if any(path.startswith(".github/") for path in not_written):
        _say(
            "  # .github/workflows/dsdone.yml, a step of a job\n"
            f"  - uses: {release.action_reference()}\n"
            "    with:\n"
            f"      path: {subfolder}"
        )
    if ".pre-commit-config.yaml" in not_written:
        _say(
            "  # .pre-commit-config.yaml\n"
            "  - repo: local\n"
            "    hooks:\n"
            "      - id: dsdone\n"
            "        name: dsdone (definition of done)\n"
            "        entry: dsdone check\n"
            "        language: system\n"
            "        pass_filenames: false\n"
            "        always_run: true\n"
            f"        args: [--ignore, version-control, {subfolder}]"
        )


def _ask(label: str, default: str | None, interactive: bool) -> str:
    if not interactive:  # scripts and CI must never wait for an answer that will not come
        return default or ""
    # On standard error: `dsdone init > log` keeps the questions on the terminal, out of the log.
    answer: str = typer.prompt(label, default=default or None, show_default=bool(default), err=True)
    return answer.strip()


def _default_name(target: Path, existing: bool) -> str:
    if existing:
        from dsdone.adopt import declared_name

        declared = declared_name(target)
        if declared:
            return declared
    return target.resolve().name or "model"


def _git_email(target: Path) -> str | None:
    from dsdone.git.init import user_email

    return user_email(target if target.is_dir() else Path.cwd())
