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
from dsdone.cli.options import Debug
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
    from dsdone.catalog.rows import Catalog
    from dsdone.engine import Selection
    from dsdone.render.paths import ShownPaths
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
            metavar="PATH",
            help="A project folder or its contract file; with --all, the folder to search. "
            "Default: the current folder.",
        ),
    ] = None,
    select: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            metavar="ID", help="Run only these checks (ids, comma-separated or repeated)."
        ),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(metavar="ID", help="Skip these checks (ids, comma-separated or repeated)."),
    ] = None,
    fail_on: Annotated[
        Severity,
        typer.Option(
            metavar="SEVERITY",
            help="The lowest severity of a failing check that makes the project not ready: "
            "error, warning or info.",
        ),
    ] = Severity.ERROR,
    min_score: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            metavar="SCORE",
            help="Below this readiness score (0-100) the project is not ready.",
            min=0,
            max=100,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="How to print the report: terminal, json, sarif, junit, markdown or github.",
        ),
    ] = OutputFormat.terminal,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write the report to this file (- for standard output); the terminal still "
            "gets the verdict.",
            dir_okay=False,
        ),
    ] = None,
    baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            metavar="PATH",
            help="A previous JSON report: only findings it does not have block.",
            dir_okay=False,
        ),
    ] = None,
    write_baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            metavar="PATH",
            help="Also write the JSON report to this file (- for standard output), to use as "
            "--baseline.",
            dir_okay=False,
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
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics",
            help="Count the findings per check and per file instead of listing them.",
        ),
    ] = False,
    color: Annotated[
        ColorMode,
        typer.Option(metavar="WHEN", help="Colour the terminal report: auto, always or never."),
    ] = ColorMode.auto,
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
            metavar="SECONDS",
            help="Stop a check that runs longer than this many seconds.",
            callback=_valid_timeout,
        ),
    ] = None,
    run_kinds: Annotated[
        Optional[list[RunKind]],  # noqa: UP045
        typer.Option(
            "--run",
            metavar="KIND",
            help="Also run the project's code (repeatable): tests (its test suite), retrain "
            "(the retrain smoke run), verify (the verification scripts) or all. Never without "
            "this flag.",
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
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read, search and parse every file again: keep nothing in the user's cache "
            "folder ($DSDONE_CACHE_DIR, else ~/.cache/dsdone on Linux).",
        ),
    ] = False,
    debug: Debug = False,
) -> None:
    """Check a project against its contract and print a readiness report.

    The project is the one PATH is in: the nearest contract upwards, up to the git top.

    Exit codes: 0 ready, 1 not ready, 2 bad input (arguments, contract), 3 dsdone itself failed.

    With --all: 0 when every project is ready, else 1 (a project that cannot be checked fails).
    """
    from datetime import date

    from dsdone.engine import Selection, run
    from dsdone.git.prefetch import Prefetch
    from dsdone.result_cache import default_cache_folder

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
            report_files=tuple(
                file.absolute() for file in (baseline, write_baseline, output) if file is not None
            ),
            cache_folder=None if no_cache else default_cache_folder(),
        )
        where = project_argument(path)
        output = None if _is_stdout(output) else output
        baseline_to_stdout = _is_stdout(write_baseline)
        if baseline_to_stdout and output is None:
            raise DsdoneError(
                "--write-baseline -: the report already goes to standard output",
                hint="give --output FILE for the report, or --write-baseline a file",
            )
        early = ctx.obj if isinstance(ctx.obj, Prefetch) else None
        try:
            known = None
            if baseline is not None:
                from dsdone.baseline import load_baseline

                known = load_baseline(baseline)
            today = date.today()
            with stray_output_to_stderr():
                if all_projects:
                    from dsdone.monorepo import check_all

                    reports = check_all(
                        where, selection, today=today, baseline=known, prefetch=early
                    )
                else:
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
            statistics=statistics,
        )
        if output is not None:
            _write(output, text, "--output")
            verdict = _verdict(reports, combined=all_projects, color=_use_color(color))
            # With the baseline on standard output, the verdict must not be inside its JSON.
            (write_stderr if baseline_to_stdout else write_stdout)(verdict)
        else:
            write_stdout(text, _KINDS[output_format])
        if write_baseline is not None:
            from dsdone.render.json import render_baseline

            _write(
                write_baseline,
                render_baseline(reports, combined=all_projects),
                "--write-baseline",
                Kind.JSON,
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
    statistics: bool = False,
) -> str:
    if output_format is OutputFormat.terminal:
        from dsdone.render.terminal import render_terminal, render_terminal_all

        # COLUMNS, else the terminal's width, else 80 (piped): only summaries wrap at it; a
        # finding is one line whatever the width.
        width = shutil.get_terminal_size((80, 24)).columns
        paths = [_shown_paths(report) for report in reports]
        if combined:
            return render_terminal_all(
                reports, color=color, width=width, quiet=quiet, statistics=statistics, paths=paths
            )
        return render_terminal(
            reports[0], color=color, width=width, quiet=quiet, statistics=statistics, paths=paths[0]
        )
    from dsdone.render import combined_renderer, renderer

    if combined:
        return combined_renderer(output_format.value)(reports)
    return renderer(output_format.value)(reports[0])


def _shown_paths(report: Report) -> ShownPaths:
    """Paths from the current folder to the files of ``report``'s project (see ShownPaths)."""
    from dsdone.contract import find_contract
    from dsdone.render.paths import ShownPaths

    given = Path(report.root)
    try:
        project = find_contract(given).parent
    except DsdoneError:  # a project that could not be checked: the folder given, or the file's
        project = given.absolute() if given.is_dir() else given.absolute().parent
    return ShownPaths(project=str(project), cwd=str(Path.cwd()))


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


def _is_stdout(path: Path | None) -> bool:
    """``-`` names standard output, for every option that writes a file."""
    return path is not None and str(path) == "-"


def _write(path: Path, text: str, option: str, kind: Kind = Kind.TEXT) -> None:
    """Write ``text`` to the file ``path`` names; ``-`` is standard output (where ``kind``
    says how a character it cannot encode is spelled)."""
    if _is_stdout(path):
        write_stdout(text, kind)
        return
    try:
        # As pytest's --junitxml and ruff's --output-file: the folders on the way are made.
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DsdoneError(
            f"{option}: cannot write {path}: {exc.strerror}",
            hint="give a file in a folder you can write to",
        ) from None


class ListFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("list")
def list_checks(
    list_format: Annotated[
        ListFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text: a table for people; json: for tools (with options).",
        ),
    ] = ListFormat.text,
    debug: Debug = False,
) -> None:
    """List every available check: built-in and from installed plugins."""
    from dsdone.engine import available_checks
    from dsdone.render.listing import list_json, list_text

    with guard(debug):
        checks = available_checks()
        if list_format is ListFormat.json:
            write_stdout(list_json(checks), Kind.JSON)
        else:
            write_stdout(list_text(checks))


@app.command()
def explain(
    check_id: Annotated[
        str, typer.Argument(metavar="ID", help="A check id, as `dsdone list` shows.")
    ],
    debug: Debug = False,
) -> None:
    """Explain a check: why it matters, how to fix what it finds, and its options."""
    import difflib

    from dsdone.engine import available_checks
    from dsdone.render import escape

    with guard(debug):
        from dsdone.unchecked import PSEUDO_CHECKS

        pseudo = PSEUDO_CHECKS.get(check_id)
        if pseudo is not None:
            write_stdout(
                f"{pseudo.id}: {pseudo.title}\n"
                "reported by dsdone itself: not a check to select, configure or waive\n\n"
                f"{pseudo.description}\n\nHow to fix: {pseudo.fix}\n"
            )
            return
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


class CatalogFormat(str, Enum):
    markdown = "markdown"
    json = "json"
    html = "html"


_CATALOG_SUFFIXES = {
    ".md": CatalogFormat.markdown,
    ".markdown": CatalogFormat.markdown,
    ".json": CatalogFormat.json,
    ".html": CatalogFormat.html,
    ".htm": CatalogFormat.html,
}


@app.command()
def catalog(
    sources: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Argument(
            metavar="[PATH | REPORT.json]...",
            help="A folder whose projects to check now (as check --all does), a JSON report "
            "(of one project or of --all), or a folder of JSON reports (CI artefacts). "
            "Default: the current folder.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        Optional[CatalogFormat],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="markdown (a wiki), json (other tools) or html (one page with a sortable, "
            "filterable table). Default: from --output's extension, else markdown.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write the catalogue to this file (- for standard output, the default).",
            dir_okay=False,
        ),
    ] = None,
    allow_plugins: Annotated[
        bool,
        typer.Option(
            "--allow-plugins",
            help="Load the project-local check modules of the projects checked now.",
        ),
    ] = False,
    debug: Debug = False,
) -> None:
    """Build a catalogue of every model: name, owner, consumers, inputs and outputs, retrain
    schedule, readiness per area, failing checks, and the commit each was checked at.

    From a monorepo (its projects are checked now) or from the JSON reports the CI of many
    repositories wrote (dsdone check --format json --output dsdone.json): a report that cannot
    be used (truncated, of another schema_version) is a note, and the rest is still built; of
    two reports of one project the newest commit's is used.

    Exit codes: 0 a catalogue was built (its notes say what was left out), 2 nothing could be
    read, 3 dsdone itself failed.
    """
    from dsdone.catalog.read import gather
    from dsdone.catalog.rows import build_catalog
    from dsdone.engine import Selection
    from dsdone.render import escape

    with guard(debug):
        output = None if _is_stdout(output) else output
        chosen = output_format or _CATALOG_SUFFIXES.get(
            output.suffix.lower() if output else "", CatalogFormat.markdown
        )
        reading = gather(sources or [Path.cwd()], Selection(allow_plugins=allow_plugins))
        built = build_catalog(reading.sources, reading.notes)
        for note in built.notes:  # in the catalogue too; here for a CI job's log
            write_stderr(f"dsdone: note: {escape.line(note)}\n")
        if not built.rows:
            raise DsdoneError(
                "nothing to catalogue: no report could be read",
                hint="give folders with dsdone.yaml files, or the JSON reports of "
                "`dsdone check --format json`",
            )
        text = _render_catalog(built, chosen)
        if output is None:
            write_stdout(text, Kind.JSON if chosen is CatalogFormat.json else Kind.MARKUP)
            return
        _write(output, text, "--output")
        rows = len(built.rows)
        notes = f" ({len(built.notes)} note{'s' if len(built.notes) != 1 else ''})"
        write_stdout(
            f"Catalogue of {rows} model{'s' if rows != 1 else ''} written to "
            f"{escape.line(str(output))}" + (notes if built.notes else "") + "\n"
        )


def _render_catalog(built: Catalog, chosen: CatalogFormat) -> str:
    if chosen is CatalogFormat.html:
        from dsdone.catalog.html import render_catalog_html  # jinja2: only for this

        return render_catalog_html(built)
    if chosen is CatalogFormat.json:
        from dsdone.catalog.data import render_catalog_json

        return render_catalog_json(built)
    from dsdone.catalog.markdown import render_catalog_markdown

    return render_catalog_markdown(built)


class SchemaKind(str, Enum):
    contract = "contract"
    report = "report"


@app.command()
def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(
            metavar="KIND",
            help="contract: dsdone.yaml, for editors; report: what --format json prints.",
        ),
    ] = SchemaKind.contract,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write the schema to this file (- for standard output, the default).",
            dir_okay=False,
        ),
    ] = None,
    debug: Debug = False,
) -> None:
    """Print a JSON Schema: of the contract, for editors, or of the JSON report, for tools that
    read reports (as `dsdone catalog` does).

    The contract's lists every built-in check under checks: with its options (types,
    defaults, descriptions). `dsdone init` writes it to .dsdone/contract-schema.json; run
    `dsdone schema -o .dsdone/contract-schema.json` after upgrading dsdone to refresh it.
    """
    with guard(debug):
        if kind is SchemaKind.report:
            from dsdone.render.json import report_schema

            text = json.dumps(report_schema(), indent=2) + "\n"
        else:
            from dsdone.editor_schema import editor_schema_text

            text = editor_schema_text()
        if output is None:
            write_stdout(text, Kind.JSON)
        else:
            _write(output, text, "--output", Kind.JSON)


from dsdone.cli.init import init_command  # noqa: E402 - registered last, after the core commands

app.command("init")(init_command)
