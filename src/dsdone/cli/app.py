"""The typer application: one function per command, each thin over the engine."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dsdone import __version__
from dsdone.cli import guard, project_argument
from dsdone.cli.streams import (
    Kind,
    stdout_is_terminal,
    stray_output_to_stderr,
    write_stderr,
    write_stdout,
)
from dsdone.errors import DsdoneError, ExitCode
from dsdone.report import Severity

if TYPE_CHECKING:
    from dsdone.engine import Selection
    from dsdone.report import Report
    from dsdone.runs.execute import RunOptions

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
        write_stdout(f"dsdone {__version__}\n")
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


class RunKind(str, Enum):
    tests = "tests"
    retrain = "retrain"
    verify = "verify"
    all = "all"


class ColorMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _ids(values: Sequence[str] | None) -> frozenset[str] | None:
    """The check ids of a repeatable option, each value a comma-separated list; None when the
    option was not given (an empty value is given, and names no check)."""
    if values is None:
        return None
    return frozenset(part.strip() for value in values for part in value.split(",") if part.strip())


def _use_color(mode: ColorMode) -> bool:
    if mode is not ColorMode.auto:
        return mode is ColorMode.always
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stdout_is_terminal() and os.environ.get("TERM") != "dumb"


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
        Optional[list[str]],  # noqa: UP045
        typer.Option(help="Run only these checks (ids, comma-separated or repeated)."),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(help="Skip these checks (ids, comma-separated or repeated)."),
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
    base: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="A git revision to compare with, such as origin/main (a pull request's base): "
            "breaking changes to the schemas of outputs and inputs, and contract changes that "
            "lower the bar.",
            metavar="REF",
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
    run_kinds: Annotated[
        Optional[list[RunKind]],  # noqa: UP045
        typer.Option(
            "--run",
            help="Also run the project's code (repeatable): its test suite, the retrain smoke "
            "run, the verification scripts, or all three. Never without this flag.",
        ),
    ] = None,
    python: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--python",
            metavar="PATH",
            help="The interpreter --run uses (default: the project's .venv or venv, an active "
            "virtual or conda environment, else python on PATH).",
        ),
    ] = None,
    run_timeout: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(
            "--run-timeout",
            metavar="SECONDS",
            help="Stop each --run after this many seconds (default: the contract's, else 600).",
            min=0.001,
            max=604800,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    """Check a project against its contract and print a readiness report.

    The project is the one PATH is in: the nearest contract upwards, up to the git top.

    Exit codes: 0 ready, 1 not ready, 2 bad input (arguments, contract), 3 dsdone itself failed.

    With --all: 0 when every project is ready, else 1 (a project that cannot be checked fails).
    """
    from datetime import date

    from dsdone.engine import Selection, run
    from dsdone.git.prefetch import Prefetch

    with guard(debug):
        selection = Selection(
            select=_ids(select),
            ignore=_ids(ignore) or frozenset(),
            fail_on=fail_on,
            allow_plugins=allow_plugins,
            timeout=timeout,
            min_score=min_score,
            runs=_run_options(run_kinds, python, run_timeout),
            base=base,
        )
        where = project_argument(path)
        try:
            known = None
            if baseline is not None:
                from dsdone.baseline import load_baseline

                known = load_baseline(baseline)
            today = date.today()
            with stray_output_to_stderr():
                if all_projects:
                    from dsdone.monorepo import check_all

                    reports = check_all(where, selection, today=today, baseline=known)
                else:
                    early = ctx.obj if isinstance(ctx.obj, Prefetch) else None
                    reports = (run(where, selection, today=today, baseline=known, prefetch=early),)
        except DsdoneError as error:
            if output_format is not OutputFormat.terminal:
                _write_unchecked(where, error, selection, output_format, output, all_projects)
            raise  # the message on stderr and exit 2, as for the terminal
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
            write_stdout(_verdict(reports, combined=all_projects, color=_use_color(color)))
        else:
            write_stdout(text, _KINDS[output_format])
        if write_baseline is not None:
            _write(
                write_baseline,
                _render(reports, OutputFormat.json, combined=all_projects),
                "--write-baseline",
            )
        if debug:
            _print_tracebacks(reports)
        _show_printed(reports)
        ready = all(report.ready for report in reports)
        raise typer.Exit(ExitCode.READY if ready else ExitCode.NOT_READY)


def _run_options(
    kinds: Sequence[RunKind] | None, python: str | None, timeout: float | None
) -> RunOptions | None:
    if not kinds:
        if python is not None or timeout is not None:
            raise DsdoneError(
                "--python and --run-timeout apply to --run", hint="add --run tests (or all)"
            )
        return None
    from dsdone.runs.execute import KINDS, RunOptions  # only when asked to run anything

    wanted = {kind.value for kind in kinds}
    chosen = frozenset(KINDS) if "all" in wanted else frozenset(wanted)
    return RunOptions(kinds=chosen, python=python, timeout=timeout)


def _print_tracebacks(reports: Sequence[Report]) -> None:
    """--debug: where each check that raised (a plugin's, most often) raised, on stderr."""
    for report in reports:
        for result in report.results:
            if result.traceback:
                where = f" in {report.folder}" if report.folder else ""
                write_stderr(f"dsdone: the check {result.check}{where} raised:\n")
                write_stderr(result.traceback)


def _write_unchecked(
    where: Path,
    error: DsdoneError,
    selection: Selection,
    output_format: OutputFormat,
    output: Path | None,
    combined: bool,
) -> None:
    """A project that could not be checked still gets a well-formed report in the format asked
    for, where it was asked for: a CI job that uploads the file then shows the error, not "file
    not found". The same report ``--all`` gives such a project among the others."""
    from dsdone.unchecked import unchecked_report

    text = _render((unchecked_report(where, error, selection),), output_format, combined=combined)
    if output is not None:
        _write(output, text, "--output")
    else:
        write_stdout(text, _KINDS[output_format])


# How each format is written to a stream that cannot encode every character (see streams).
_KINDS = {
    OutputFormat.terminal: Kind.TEXT,
    OutputFormat.json: Kind.JSON,
    OutputFormat.sarif: Kind.JSON,
    OutputFormat.junit: Kind.MARKUP,
    OutputFormat.markdown: Kind.MARKUP,
    OutputFormat.github: Kind.ANNOTATIONS,
}


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

        width = shutil.get_terminal_size((100, 24)).columns if stdout_is_terminal() else 100
        if combined:
            return render_terminal_all(reports, color=color, width=width, quiet=quiet)
        return render_terminal(reports[0], color=color, width=width, quiet=quiet)
    from dsdone.render import combined_renderer, renderer

    if combined:
        return combined_renderer(output_format.value)(reports)
    return renderer(output_format.value)(reports[0])


def _show_printed(reports: Sequence[Report]) -> None:
    """What checks printed while they ran, on standard error, apart from the report."""
    from dsdone.render import escape

    for report in reports:
        where = f" of {escape.line(report.folder)}" if report.folder else ""
        for result in report.results:
            if result.printed:
                lines = escape.block(result.printed.rstrip("\n")).split("\n")
                write_stderr(
                    f"dsdone: the check {result.check}{where} printed this while it ran "
                    "(checks should not print; it is not part of the report):\n"
                    + "".join(f"  | {line}\n" for line in lines)
                )


def _verdict(reports: Sequence[Report], *, combined: bool, color: bool) -> str:
    """What stays on the terminal when the report goes to a file: the verdict line."""
    from dsdone.render.terminal import render_terminal_verdict

    return render_terminal_verdict(reports, combined=combined, color=color)


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
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from dsdone.engine import available_checks
    from dsdone.render import escape

    with guard(debug):
        checks = available_checks()
        table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
        for column in ("id", "severity", "area", "source", "title"):
            table.add_column(column, no_wrap=column != "title")
        for item in checks.values():
            # Plugins name and title their checks: Text, so that `[bold]` in a title is shown.
            table.add_row(
                *(
                    Text(escape.line(value))
                    for value in (item.id, item.severity.value, item.area.value, item.source)
                ),
                Text(escape.line(item.title)),
            )
        width = shutil.get_terminal_size((80, 24)).columns  # COLUMNS, the terminal, or 80
        console = Console(file=io.StringIO(), width=width, highlight=False, soft_wrap=True)
        console.print(table)
        write_stdout(console.file.getvalue())  # type: ignore[attr-defined]


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
    from dsdone.render import escape

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
        if found.ml_test_score:
            lines += ["", f"ML Test Score: {', '.join(found.ml_test_score)}"]
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
        # A plugin wrote the title, docstring, fix and help: shown, never obeyed.
        write_stdout(escape.block("\n".join(lines)) + "\n")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the contract (for editors and other tools)."""
    from dsdone.contract import schema as contract_schema

    with guard():
        write_stdout(json.dumps(contract_schema(), indent=2) + "\n", Kind.JSON)


from dsdone.cli.init import init_command  # noqa: E402 - registered last, after the core commands

app.command("init")(init_command)
