"""The report for people at a terminal: one row per check, the findings, then the verdict."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from dsdone.model import CheckResult, Finding, Report, Status

_STATUS_STYLE = {
    Status.PASS: ("✓ pass", "green"),
    Status.FAIL: ("✗ fail", "red"),
    Status.SKIP: ("- skip", "dim"),
    Status.ERROR: ("! error", "magenta"),
}


def render_terminal(report: Report, *, color: bool = False, width: int = 100, quiet: bool = False) -> str:
    """The whole report as text; ANSI colours only when ``color``. ``quiet`` keeps only what
    fails and the verdict."""
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    parts: list[RenderableType] = []
    if not quiet:
        parts += [_header(report), _table(report.results, report), Text("")]
    for result in report.results:
        if result.findings or (quiet and result.blocks(report.fail_on)):
            parts += [_findings(result), Text("")]
    parts.append(verdict_text(report))
    console.print(Group(*parts))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def verdict_text(report: Report) -> Text:
    """The last line of every terminal report, and what ``--output`` leaves on the terminal."""
    counts = report.counts()
    blocking = [r for r in report.results if r.blocks(report.fail_on)]
    tally = ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no checks ran"
    if report.ready:
        return Text.assemble(
            ("✓ Ready", "bold green"), f": nothing blocks at --fail-on {report.fail_on.value} ({tally})"
        )
    names = ", ".join(r.check for r in blocking)
    return Text.assemble(
        ("✗ Not ready", "bold red"),
        f": {len(blocking)} blocking at --fail-on {report.fail_on.value}: {names} ({tally})",
    )


def _header(report: Report) -> Text:
    commit = report.commit[:12] if report.commit else "no commit"
    return Text.assemble(
        ("dsdone ", "bold"),
        f"{report.dsdone_version} · ",
        (report.project.name, "bold"),
        f" (owner {report.project.owner}) · {report.contract} · {commit}",
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
            result.check,
            Text(result.severity.value, style="dim"),
            Text(f"{result.title}: {result.summary}"),
        )
    return table


def _findings(result: CheckResult) -> Group:
    label, style = _STATUS_STYLE[result.status]
    lines: list[RenderableType] = [
        Text.assemble((result.check, f"bold {style}"), f" · {result.title} · {result.severity.value}")
    ]
    if not result.findings:
        lines.append(Text(f"  {result.summary}", style=style))
    for finding in result.findings:
        lines.append(_finding(finding))
    return Group(*lines)


def _finding(finding: Finding) -> Text:
    text = Text("  ")
    location = finding.location()
    if location:
        text.append(location, style="cyan")
        if finding.cell is not None:
            text.append(f" (cell {finding.cell}, line {finding.cell_line})", style="cyan")
        text.append(": ")
    text.append(finding.message)
    if finding.hint:
        text.append(f"\n    hint: {finding.hint}", style="dim")
    return text
