"""GitHub Actions workflow commands: one annotation per finding that counts against the gate,
so that findings show inline in the pull request's diff.

Severity error is ``::error``, warning ``::warning``, info ``::notice``. Paths are relative to the
repository root, as GitHub resolves them. Waived findings and those already in the baseline
are left out (they are in the other formats); a crashed check is an ``::error`` without a file.
The last line is the verdict with the score, as plain text.

The runner takes any line of the log that starts with ``::`` (or holds ``##[``) for a command:
messages and properties are escaped as the Actions toolkit escapes them, and the lines that are
not commands are escaped as for the terminal (``escape``), so that only dsdone's own commands
are commands.
"""

from __future__ import annotations

from collections.abc import Sequence

from dsdone.render import escape
from dsdone.render.verdict import combined_verdict_line, project_label, verdict_line
from dsdone.report import CheckResult, Finding, Report, Severity, Status

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(report: Report) -> str:
    return "".join(f"{line}\n" for line in [*_annotations(report), _plain(verdict_line(report))])


def render_github_all(reports: Sequence[Report]) -> str:
    lines: list[str] = []
    for report in reports:
        lines += _annotations(report)
        lines.append(_plain(f"{project_label(report)}: {verdict_line(report)}"))
    lines.append(_plain(combined_verdict_line(reports)))
    return "".join(f"{line}\n" for line in lines)


def _plain(line: str) -> str:
    """A line of text that is not a command, and that no project name can make one."""
    return escape.neutralize_terminal(escape.line(line))


def _annotations(report: Report) -> list[str]:
    lines: list[str] = []
    for result in report.results:
        if result.status is Status.ERROR:
            title = f"dsdone {result.check}: the check did not finish"
            lines.append(_command("error", {"title": title}, result.summary))
        for finding in result.new_findings:
            lines.append(_finding(report, result, finding))
    return lines


def _finding(report: Report, result: CheckResult, finding: Finding) -> str:
    properties = {"file": report.repo_path(finding.path or report.contract)}
    if finding.line is not None:
        properties["line"] = str(finding.line)
        if finding.column is not None:
            properties["col"] = str(finding.column)
    properties["title"] = f"dsdone {result.check}: {result.title}"
    message = finding.message
    if finding.cell is not None:
        message += f" ({finding.cell_location()})"
    if finding.hint:
        message += f"\nhint: {finding.hint}"
    return _command(_COMMAND[result.severity], properties, message)


def _command(name: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{key}={escape.github_property(value)}" for key, value in properties.items())
    return f"::{name} {props}::{escape.github_data(message)}"
