"""The report for people at a terminal: one row per check, the findings, then the verdict."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

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
        parts += [Text(f"── {project_label(report)} ──", style="bold"), *_parts(report, quiet)]
        parts.append(Text(""))
    parts.append(_colored(*combined_verdict(reports)))
    return _print(parts, color=color, width=width)


def _print(parts: list[RenderableType], *, color: bool, width: int) -> str:
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
    console.print(Group(*parts))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


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
    return Text.assemble((head, "bold green" if head.startswith("✓") else "bold red"), rest)


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
        (report.project.name, "bold"),
        f" (owner {report.project.owner}) · {report.repo_path(report.contract)} · {commit}",
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
            Text(_printable(f"{result.title}: {result.summary}")),
        )
    return table


def _findings(result: CheckResult) -> Group:
    _, style = _STATUS_STYLE[result.status]
    lines: list[RenderableType] = [
        Text.assemble(
            (result.check, f"bold {style}"), f" · {result.title} · {result.severity.value}"
        )
    ]
    if not result.findings:
        lines.append(Text(f"  {_printable(result.summary)}", style=style))
    for finding in result.findings:
        lines.append(_finding(finding))
    return Group(*lines)


# Findings come from plugins and from the files of the project under check: an escape
# sequence in either must be shown, not obeyed by the reader's terminal.
_CONTROL = {
    code: f"\\x{code:02x}"
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))
    if code not in (9, 10)
}


def _printable(text: str) -> str:
    return text.translate(_CONTROL)


def _finding(finding: Finding) -> Text:
    text = Text("  ")
    location = finding.location()
    if location:
        text.append(_printable(location), style="cyan")
        if finding.cell is not None:
            text.append(f" ({finding.cell_location()})", style="cyan")
        text.append(": ")
    text.append(_printable(finding.message))
    if finding.waived is not None:
        until = f" until {finding.waived.until}" if finding.waived.until else ""
        text.append(f" (waived{until}: {_printable(finding.waived.reason)})", style="yellow")
    elif finding.known:
        text.append(" (in the baseline)", style="dim")
    if finding.hint:
        text.append(f"\n    hint: {_printable(finding.hint)}", style="dim")
    return text
