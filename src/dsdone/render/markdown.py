"""Markdown, for a pull-request comment or ``$GITHUB_STEP_SUMMARY``: the verdict, the score,
a table of checks, and the findings of each check folded in a ``<details>`` block.

A comment is rendered as HTML by the code host: every string from the repository goes through
``escape`` (text escaped, code in spans its backticks cannot close, no raw line breaks), so
that a file name cannot close a code span and add live HTML or break a table row.
"""

from __future__ import annotations

from collections.abc import Sequence

from dsdone.render import escape
from dsdone.render.verdict import (
    combined_verdict,
    score_text,
    tally,
    verdict,
)
from dsdone.report import CheckResult, Finding, Report, Status

_STATUS = {
    Status.PASS: "✅ pass",
    Status.FAIL: "❌ fail",
    Status.SKIP: "➖ skip",
    Status.ERROR: "💥 error",
    Status.WAIVED: "⏳ waived",
}


def render_markdown(report: Report) -> str:
    return escape.neutralize_markdown("\n".join(_project(report, level=2)) + "\n")


def render_markdown_all(reports: Sequence[Report]) -> str:
    head, rest = combined_verdict(reports)
    lines = [f"## dsdone: {head}{_escape(rest)}", ""]
    for report in reports:
        lines += [*_project(report, level=3), ""]
    return escape.neutralize_markdown("\n".join(lines).rstrip("\n") + "\n")


def _project(report: Report, level: int) -> list[str]:
    head, rest = verdict(report)
    score = report.score
    folder = f" ({escape.markdown_code(report.folder)})" if report.folder else ""
    lines = [
        f"{'#' * level} dsdone: {_escape(report.project.name)}{folder} · {head}",
        "",
        _escape(f"{head}{rest}"),
        "",
        f"**Readiness score: {score_text(score.overall)}** (the lowest of its areas)",
        "",
        "| Area | Score | Checks that hold |",
        "|---|---|---|",
    ]
    for area in score.areas:
        value = "not measured" if area.value is None else str(area.value)
        lines.append(f"| {area.area.value} | {value} | {area.held} of {area.applicable} |")
    lines += [
        "",
        "| Status | Check | Severity | Area | Result |",
        "|---|---|---|---|---|",
    ]
    for result in report.results:
        lines.append(
            f"| {_STATUS[result.status]} | {escape.markdown_code(result.check, in_table=True)} "
            f"| {result.severity.value} "
            f"| {result.area.value} | {_escape(result.title)}: {_escape(result.summary)} |"
        )
    for result in report.results:
        if result.findings:
            lines += ["", *_details(report, result)]
    lines += ["", f"<sub>{_escape(tally(report))} · dsdone {report.dsdone_version}</sub>"]
    return lines


def _details(report: Report, result: CheckResult) -> list[str]:
    count = f"{len(result.findings)} finding" + ("s" if len(result.findings) != 1 else "")
    lines = [
        "<details>",
        f"<summary><code>{escape.markdown_html(result.check)}</code> · "
        f"{escape.markdown_html(result.title)} · {count}</summary>",
        "",
    ]
    lines += [_finding(report, finding) for finding in result.findings]
    if result.fix:
        lines += ["", f"How to fix: {_escape(result.fix)}"]
    lines += ["", "</details>"]
    return lines


def _finding(report: Report, finding: Finding) -> str:
    where = report.repo_path(finding.location() if finding.path else report.contract)
    text = f"- {escape.markdown_code(where)}"
    if finding.cell is not None:
        text += f" ({finding.cell_location()})"
    text += f": {_escape(finding.message)}"
    if finding.waived is not None:
        until = f" until {finding.waived.until}" if finding.waived.until else ""
        text += f" *(waived{until}: {_escape(finding.waived.reason)})*"
    elif finding.known:
        text += " *(in the baseline)*"
    if finding.hint:
        text += f"  \n  hint: {_escape(finding.hint)}"
    return text


def _escape(text: str) -> str:
    """Text shown literally: Markdown and HTML characters escaped, one line."""
    return escape.markdown_text(text)
