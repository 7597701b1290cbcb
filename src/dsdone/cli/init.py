"""``dsdone init``: parse, prompt when a person is there, call scaffold or adopt, print."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from dsdone.cli import guard
from dsdone.errors import DsdoneError
from dsdone.scaffold import DEFAULT_TEMPLATE, TEMPLATES, git_user_email
from dsdone.writing import printable, shown

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
        str,
        typer.Option(
            metavar="NAME",
            help="What to render: 'standard' (a complete model project) or 'minimal' "
            "(only dsdone.yaml).",
        ),
    ] = DEFAULT_TEMPLATE,
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
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Start a project that passes `dsdone check` from its first commit, or adopt one.

    Never overwrites a file unless --force. Asks for missing values only when run in a
    terminal; in scripts and CI it uses the defaults.
    """
    with guard(debug):
        target = Path.cwd() if path is None else path
        _check_target(target)
        if template not in TEMPLATES:
            raise DsdoneError(
                f"unknown template '{template}'", hint=f"choose one of: {', '.join(TEMPLATES)}"
            )
        if existing and template != DEFAULT_TEMPLATE:
            raise DsdoneError(
                "--existing writes only a contract inferred from the repository; it takes no "
                "--template",
                hint="drop --template, or drop --existing to scaffold a new project",
            )
        interactive = sys.stdin.isatty()
        project_name = name or _ask("Project name", _default_name(target, existing), interactive)
        project_owner = owner or _ask("Owner (e-mail)", _git_email(target), interactive)
        if not project_owner:
            raise DsdoneError(
                "no owner for the project",
                hint="pass --owner with the e-mail of who answers for it (or set git's user.email)",
            )
        if existing:
            _adopt(target, project_name, project_owner, force)
        else:
            _scaffold(target, template, project_name, project_owner, force)


def _check_target(target: Path) -> None:
    """The folder a user named can be a project folder: not a file, not a name the file system
    refuses (too long), not behind a folder that cannot be entered."""
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


def _scaffold(target: Path, template: str, name: str, owner: str, force: bool) -> None:
    from dsdone.scaffold import scaffold, template_values
    from dsdone.writing import Outcome

    result = scaffold(target, template, template_values(name, owner), force=force)
    for item in result.files:
        suffix = " (exists; --force overwrites it)" if item.outcome is Outcome.SKIPPED else ""
        print(f"{_MARKS[item.outcome.value]}  {item.path}{suffix}")
    if result.git_initialized:
        print(f"Initialized a git repository in {shown(target)}.")
    elif result.git_problem:
        print(f"dsdone: warning: {result.git_problem}", file=sys.stderr)
    print(
        f"\n{name}: {len(result.paths(Outcome.CREATED))} files created, "
        f"{len(result.paths(Outcome.SKIPPED))} kept as they were."
    )
    here = target.resolve() == Path.cwd().resolve()
    enter = "" if here else f"cd {shlex.quote(shown(target))} && "
    commit = f"git commit -m {shlex.quote('Start ' + name)}"
    print(f"Next: {enter}git add -A && {commit} && dsdone check")


def _adopt(target: Path, name: str, owner: str, force: bool) -> None:
    from dsdone.adopt import adopt
    from dsdone.writing import Outcome

    result = adopt(target, name, owner, force=force)
    # What was found quotes the repository's own files (an MLproject's entry point): shown
    # with escapes, never sent to the terminal as they are.
    for line in result.found:
        print(f"{'found':11}  {printable(line)}")
    for line in result.todo:
        print(f"{'todo':11}  {printable(line)}")
    if result.outcome is Outcome.SKIPPED:
        print(f"{_MARKS['skipped']}  {result.path} (exists; --force overwrites it)")
        return
    print(f"{_MARKS[result.outcome.value]}  {result.path}")
    print("Next: fill in the TODOs in dsdone.yaml, then run `dsdone check`.")


def _ask(label: str, default: str | None, interactive: bool) -> str:
    if not interactive:  # scripts and CI must never wait for an answer that will not come
        return default or ""
    answer: str = typer.prompt(label, default=default or None, show_default=bool(default))
    return answer.strip()


def _default_name(target: Path, existing: bool) -> str:
    if existing:
        from dsdone.adopt import declared_name

        declared = declared_name(target)
        if declared:
            return declared
    return target.resolve().name or "model"


def _git_email(target: Path) -> str | None:
    return git_user_email(target if target.is_dir() else Path.cwd())
