"""The typer application: one function per command, each thin over the engine."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dsdone import __version__
from dsdone.cli import guard, project_argument
from dsdone.errors import DsdoneError, ExitCode
from dsdone.report import Severity

if TYPE_CHECKING:
    from dsdone.report import Report

app = typer.Typer(
    name="dsdone",
    help="An executable definition of done for data-science projects.\n\n"
    "A project declares its promises in dsdone.yaml; `dsdone check` verifies them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"dsdone {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """An executable definition of done for data-science projects."""


class OutputFormat(str, Enum):
    terminal = "terminal"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"
    github = "github"


class ColorMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _ids(value: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (value or "").split(",") if part.strip())


def _use_color(mode: ColorMode) -> bool:
    if mode is not ColorMode.auto:
        return mode is ColorMode.always
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _valid_timeout(value: float | None) -> float | None:
    """A number of seconds a check may run: more than 0, at most a week; not nan or inf, which
    a float option accepts as words."""
    from dsdone.contract import MAX_TIMEOUT_SECONDS

    if value is not None and not 0 < value <= MAX_TIMEOUT_SECONDS:  # False for nan
        raise typer.BadParameter(
            f"must be a number of seconds, more than 0 and at most {MAX_TIMEOUT_SECONDS:g} "
            f"(a week); got {value:g}"
        )
    return value


@app.command()
def check(
    ctx: typer.Context,
    path: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            help="A project folder or its contract file; with --all, the folder to search. "
            "Default: the current folder."
        ),
    ] = None,
    select: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Run only these checks (comma-separated ids)."),
    ] = None,
    ignore: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Skip these checks (comma-separated ids)."),
    ] = None,
    fail_on: Annotated[
        Severity,
        typer.Option(
            help="The lowest severity of a failing check that makes the project not ready."
        ),
    ] = Severity.ERROR,
    min_score: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            help="Below this readiness score (0-100) the project is not ready.", min=0, max=100
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="How to print the report.")
    ] = OutputFormat.terminal,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file; the terminal still gets the verdict.",
            dir_okay=False,
        ),
    ] = None,
    baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="A previous JSON report: only findings it does not have block.", dir_okay=False
        ),
    ] = None,
    write_baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="Also write the JSON report to this file, to use as --baseline.", dir_okay=False
        ),
    ] = None,
    all_projects: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Check every project (every dsdone.yaml) under the folder, skipping ignored "
            "folders; one combined report and exit code.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only what blocks, and the verdict.")
    ] = False,
    color: Annotated[ColorMode, typer.Option(help="Colour the terminal report.")] = ColorMode.auto,
    allow_plugins: Annotated[
        bool,
        typer.Option(
            "--allow-plugins",
            help="Load the project-local check modules the contract lists (runs their code).",
        ),
    ] = False,
    timeout: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(
            help="Stop a check that runs longer than this many seconds.",
            callback=_valid_timeout,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    """Check a project against its contract and print a readiness report.

    Exit codes: 0 ready, 1 not ready, 2 bad input (arguments, contract), 3 dsdone itself failed.

    With --all: 0 when every project is ready, else 1 (a project that cannot be checked fails).
    """
    from datetime import date

    from dsdone.engine import Selection, run
    from dsdone.git.prefetch import Prefetch

    with guard(debug):
        selection = Selection(
            select=_ids(select),
            ignore=_ids(ignore),
            fail_on=fail_on,
            allow_plugins=allow_plugins,
            timeout=timeout,
            min_score=min_score,
        )
        known = None
        if baseline is not None:
            from dsdone.baseline import load_baseline

            known = load_baseline(baseline)
        today = date.today()
        where = project_argument(path)
        if all_projects:
            from dsdone.monorepo import check_all

            reports = check_all(where, selection, today=today, baseline=known)
        else:
            early = ctx.obj if isinstance(ctx.obj, Prefetch) else None
            reports = (run(where, selection, today=today, baseline=known, prefetch=early),)
        to_file = output is not None
        text = _render(
            reports,
            output_format,
            combined=all_projects,
            color=False if to_file else _use_color(color),
            quiet=quiet,
        )
        if output is not None:
            _write(output, text, "--output")
            sys.stdout.write(_verdict(reports, combined=all_projects, color=_use_color(color)))
        else:
            sys.stdout.write(text)
        if write_baseline is not None:
            _write(
                write_baseline,
                _render(reports, OutputFormat.json, combined=all_projects),
                "--write-baseline",
            )
        ready = all(report.ready for report in reports)
        raise typer.Exit(ExitCode.READY if ready else ExitCode.NOT_READY)


def _render(
    reports: Sequence[Report],
    output_format: OutputFormat,
    *,
    combined: bool,
    color: bool = False,
    quiet: bool = False,
) -> str:
    if output_format is OutputFormat.terminal:
        from dsdone.render.terminal import render_terminal, render_terminal_all

        width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
        if combined:
            return render_terminal_all(reports, color=color, width=width, quiet=quiet)
        return render_terminal(reports[0], color=color, width=width, quiet=quiet)
    from dsdone.render import combined_renderer, renderer

    if combined:
        return combined_renderer(output_format.value)(reports)
    return renderer(output_format.value)(reports[0])


def _verdict(reports: Sequence[Report], *, combined: bool, color: bool) -> str:
    """What stays on the terminal when the report goes to a file: the verdict line."""
    from rich.console import Console
    from rich.text import Text

    from dsdone.render.terminal import verdict_text
    from dsdone.render.verdict import combined_verdict

    if combined:
        head, rest = combined_verdict(reports)
        line = Text.assemble((head, "bold green" if head.startswith("✓") else "bold red"), rest)
    else:
        line = verdict_text(reports[0])
    console = Console(
        file=io.StringIO(),
        force_terminal=color,
        no_color=not color,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        color_system="standard" if color else None,
    )
    console.print(line)
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(rendered, str)
    return rendered


def _write(path: Path, text: str, option: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DsdoneError(
            f"{option}: cannot write {path}: {exc.strerror}",
            hint="give a file in a folder that exists and that you can write to",
        ) from None


@app.command("list")
def list_checks(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    """List every available check: built-in and from installed plugins."""
    from rich.console import Console
    from rich.table import Table

    from dsdone.engine import available_checks

    with guard(debug):
        checks = available_checks()
        table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
        for column in ("id", "severity", "area", "source", "title"):
            table.add_column(column, no_wrap=column != "title")
        for item in checks.values():
            table.add_row(item.id, item.severity.value, item.area.value, item.source, item.title)
        Console(highlight=False, soft_wrap=True).print(table)


@app.command()
def explain(
    check_id: Annotated[
        str, typer.Argument(metavar="ID", help="A check id, as `dsdone list` shows.")
    ],
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    """Explain a check: why it matters, how to fix what it finds, and its options."""
    import difflib

    from dsdone.engine import available_checks

    with guard(debug):
        checks = available_checks()
        found = checks.get(check_id)
        if found is None:
            close = difflib.get_close_matches(check_id, list(checks), n=1)
            raise DsdoneError(
                f"unknown check '{check_id}'" + (f" (did you mean '{close[0]}'?)" if close else ""),
                hint="`dsdone list` shows every check",
            )
        lines = [
            f"{found.id}: {found.title}",
            f"severity {found.severity.value} · area {found.area.value} · {found.source}",
            "",
            found.description,
            "",
            f"How to fix: {found.fix}",
        ]
        if found.url:
            lines += ["", f"More: {found.url}"]
        options = found.option_info()
        if options:
            lines += ["", f"Options (under checks: {found.id}: in dsdone.yaml):"]
            for info in options:
                default = json.dumps(
                    list(info.default) if isinstance(info.default, tuple) else info.default
                )
                lines.append(f"  {info.name} ({info.type}, default {default})")
                if info.help:
                    lines.append(f"      {info.help}")
        lines += [
            "",
            "Every check also takes: enabled (true or false), severity (error, warning, info),",
            "exclude (globs of paths whose findings are dropped), timeout (seconds).",
        ]
        print("\n".join(lines))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the contract (for editors and other tools)."""
    from dsdone.contract import schema as contract_schema

    print(json.dumps(contract_schema(), indent=2))


from dsdone.cli.init import init_command  # noqa: E402 - registered last, after the core commands

app.command("init")(init_command)
