"""Markdown, for a pull-request comment or ``$GITHUB_STEP_SUMMARY``: the verdict, the score,
a table of checks, and the findings of each check folded in a ``<details>`` block.

A comment is rendered as HTML by the code host: every string from the repository goes through
``escape`` (text escaped, code in spans its backticks cannot close, no raw line breaks), so
that a file name cannot close a code span and add live HTML or break a table row.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from dsdone.render import escape
from dsdone.render.verdict import (
    combined_verdict,
    held_down_by,
    score_text,
    tally,
    verdict,
)
from dsdone.report import CheckResult, Finding, Report, RunRecord, Status

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
        f"**Readiness score: {score_text(score.overall)}**, {_escape(held_down_by(score))}",
        "",
        "| Area | Score | Checks that hold | Severity points | Does not hold |",
        "|---|---|---|---|---|",
    ]
    for area in score.areas:
        value = "not measured" if area.value is None else str(area.value)
        failing = ", ".join(f"`{check}`" for check in area.not_holding)
        lines.append(
            f"| {area.area.value} | {value} | {area.held} of {area.applicable} "
            f"| {area.points} of {area.possible} | {failing} |"
        )
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
    for record in report.runs:
        lines += ["", *_run_details(record)]
    lines += ["", f"<sub>{_escape(tally(report))} · dsdone {report.dsdone_version}</sub>"]
    return lines


def _run_details(record: RunRecord) -> list[str]:
    """What --run ran, its outcome, and the end of its output, folded."""
    html = escape.markdown_html
    output = escape.block(record.output_tail.rstrip())
    fence = "`" * max(3, _longest_backtick_run(output) + 1)
    lines = [
        "<details>",
        f"<summary>--run {html(record.kind)} ({html(record.name)}): {html(record.outcome)} "
        f"in {record.duration_s:g} s</summary>",
        "",
        f"Ran <code>{html(shlex.join(record.command))}</code> with {html(record.interpreter)}.",
    ]
    if output.strip():
        lines += ["", fence, output, fence]
    return [*lines, "</details>"]


def _longest_backtick_run(text: str) -> int:
    longest = current = 0
    for char in text:
        current = current + 1 if char == "`" else 0
        longest = max(longest, current)
    return longest


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
