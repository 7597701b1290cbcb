"""The report for people at a terminal: one row per check, the findings, then the verdict."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from dsdone.render import escape
from dsdone.render.verdict import (
    area_scores,
    combined_verdict,
    held_down_by,
    project_label,
    score_text,
    verdict,
)
from dsdone.report import CheckResult, Finding, Report, Status

_STATUS_STYLE = {
    Status.PASS: ("✓ pass", "green"),
    Status.FAIL: ("✗ fail", "red"),
    Status.SKIP: ("- skip", "dim"),
    Status.ERROR: ("! error", "magenta"),
    Status.WAIVED: ("~ waived", "yellow"),
}


def render_terminal(
    report: Report, *, color: bool = False, width: int = 100, quiet: bool = False
) -> str:
    """The whole report as text; ANSI colours only when ``color``. ``quiet`` keeps only what
    fails and the verdict."""
    return _print(_parts(report, quiet), color=color, width=width)


def render_terminal_all(
    reports: Sequence[Report], *, color: bool = False, width: int = 100, quiet: bool = False
) -> str:
    """The report of every project of ``--all``, one after the other, then the combined verdict."""
    parts: list[RenderableType] = []
    for report in reports:
        label = escape.line(project_label(report))
        parts += [Text(f"── {label} ──", style="bold"), *_parts(report, quiet)]
        parts.append(Text(""))
    parts.append(_colored(*combined_verdict(reports)))
    return _print(parts, color=color, width=width)


def render_terminal_verdict(reports: Sequence[Report], *, combined: bool, color: bool) -> str:
    """The verdict line alone: what stays on the terminal when ``--output`` takes the report."""
    line = _colored(*combined_verdict(reports)) if combined else verdict_text(reports[0])
    return _print([line], color=color, width=None)


def _print(parts: list[RenderableType], *, color: bool, width: int | None) -> str:
    """Every part printed as the reader's terminal would get it. Each string from the
    repository was escaped where the part was built; what wrapping and joining make of them is
    checked once more here, line by line (see ``escape.neutralize_terminal``)."""
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        soft_wrap=width is None,
    )
    console.print(Group(*parts))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return escape.neutralize_terminal(output)


def _parts(report: Report, quiet: bool) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if not quiet:
        parts += [_header(report), _table(report.results, report), _score(report), Text("")]
    for result in report.results:
        if result.findings or (quiet and result.blocks(report.fail_on)):
            parts += [_findings(result), Text("")]
    parts.append(verdict_text(report))
    return parts


def verdict_text(report: Report) -> Text:
    """The last line of every terminal report, and what ``--output`` leaves on the terminal."""
    return _colored(*verdict(report))


def _colored(head: str, rest: str) -> Text:
    # The rest of a verdict names checks (ids are plain words) and, with --all, projects.
    style = "bold green" if head.startswith("✓") else "bold red"
    return Text.assemble((head, style), escape.line(rest))


def _score(report: Report) -> Text:
    """``Score 37/100, held down by monitoring 0 (gate-readme)`` and, below it, every area with
    the checks that keep it under 100."""
    score = report.score
    return Text.assemble(
        ("Score ", "bold"),
        (score_text(score.overall), "bold"),
        f", {held_down_by(score)}\n  by area: {area_scores(score)}",
    )


def _header(report: Report) -> Text:
    commit = report.commit[:12] if report.commit else "no commit"
    return Text.assemble(
        ("dsdone ", "bold"),
        f"{report.dsdone_version} · ",
        (escape.line(report.project.name), "bold"),
        f" (owner {escape.line(report.project.owner)}) · "
        f"{escape.line(report.repo_path(report.contract))} · {commit}",
    )


def _table(results: tuple[CheckResult, ...], report: Report) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("status", no_wrap=True)
    table.add_column("check", no_wrap=True, style="bold")
    table.add_column("severity", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for result in results:
        label, style = _STATUS_STYLE[result.status]
        table.add_row(
            Text(label, style=style),
            Text(escape.line(result.check)),  # a Text, never markup: no [bold] from a plugin
            Text(result.severity.value, style="dim"),
            Text(escape.line(f"{result.title}: {result.summary}")),
        )
    return table


def _findings(result: CheckResult) -> Group:
    _, style = _STATUS_STYLE[result.status]
    lines: list[RenderableType] = [
        Text.assemble(
            (escape.line(result.check), f"bold {style}"),
            f" · {escape.line(result.title)} · {result.severity.value}",
        )
    ]
    if not result.findings:
        lines.append(Text(f"  {escape.line(result.summary)}", style=style))
    for finding in result.findings:
        lines.append(_finding(finding))
    return Group(*lines)


def _finding(finding: Finding) -> Text:
    """``  path:line: message`` and ``    hint: ...``: findings come from plugins and from the
    files of the project under check, so every part is escaped (``escape``), and a message or
    hint of several lines continues indented under its own start."""
    text = Text("  ")
    location = finding.location()
    if location:
        text.append(escape.line(location), style="cyan")
        if finding.cell is not None:
            text.append(f" ({finding.cell_location()})", style="cyan")
        text.append(": ")
    text.append(escape.indented(finding.message, "    "))
    if finding.waived is not None:
        until = f" until {finding.waived.until}" if finding.waived.until else ""
        text.append(f" (waived{until}: {escape.line(finding.waived.reason)})", style="yellow")
    elif finding.known:
        text.append(" (in the baseline)", style="dim")
    if finding.hint:
        text.append(f"\n    hint: {escape.indented(finding.hint, '      ')}", style="dim")
    return text
