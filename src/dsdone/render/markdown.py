"""Markdown, for a pull-request comment or ``$GITHUB_STEP_SUMMARY``: the verdict, the score,
a table of checks, and the findings of each check folded in a ``<details>`` block.

A comment is rendered as HTML by the code host: every string from the repository goes through
``escape`` (text escaped, code in spans its backticks cannot close, no raw line breaks), so
that a file name cannot close a code span and add live HTML or break a table row.

GitHub shows at most 1 MiB of a step summary (and nothing of a larger one): the findings of
checks that block come first, and when the findings do not all fit in that size, those that do
not are left out and counted at the end, rather than lost without a word.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from dsdone.grouping import Shown, shown_findings
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


# The most of a step summary ($GITHUB_STEP_SUMMARY) GitHub shows, in bytes.
SUMMARY_LIMIT = 1024 * 1024
_RESERVE = 4096  # closing tags and the count of what is left out, measured loosely

# How many entries of each check are shown (a flood is one entry, dsdone.grouping):
# (report's index, result's index) -> count.
_Shown = dict[tuple[int, int], int]


def render_markdown(report: Report, limit: int = SUMMARY_LIMIT) -> str:
    return _render([report], combined=False, limit=limit)


def render_markdown_all(reports: Sequence[Report], limit: int = SUMMARY_LIMIT) -> str:
    return _render(reports, combined=True, limit=limit)


def _render(reports: Sequence[Report], *, combined: bool, limit: int) -> str:
    frame = _layout(reports, combined, {})  # everything but the findings
    room = limit - len(frame.encode("utf-8")) - _RESERVE
    return _layout(reports, combined, _allocate(reports, room))


def _layout(reports: Sequence[Report], combined: bool, shown: _Shown) -> str:
    lines: list[str] = []
    if combined:
        head, rest = combined_verdict(reports)
        lines += [f"## dsdone: {head}{_escape(rest)}", ""]
    for number, report in enumerate(reports):
        counts = {result: n for (index, result), n in shown.items() if index == number}
        lines += [*_project(report, level=3 if combined else 2, shown=counts), ""]
    # The findings that did not fit (those past a check's max_findings are said in its list).
    left_out = sum(
        entry.count
        for number, report in enumerate(reports)
        for index, result in enumerate(report.results)
        for entry in _entries(result).findings[shown.get((number, index), 0) :]
    )
    if left_out:
        lines += [
            f"**{left_out} more finding{'' if left_out == 1 else 's'} not shown here**: GitHub "
            "shows the first 1 MiB of a step summary, the findings of blocking checks first. "
            "`dsdone check --format json` lists them all.",
            "",
        ]
    return escape.neutralize_markdown("\n".join(lines).rstrip("\n") + "\n")


def _in_order(report: Report) -> list[tuple[int, CheckResult]]:
    """The report's results with findings, those that block first, by index."""
    indexed = [(index, result) for index, result in enumerate(report.results) if result.findings]
    return sorted(indexed, key=lambda pair: not pair[1].blocks(report.fail_on))


def _allocate(reports: Sequence[Report], room: int) -> _Shown:
    """How many findings of each check fit in ``room`` bytes: the blocking checks of every
    project first, then the others; once one does not fit, none after it is shown, so that
    what is shown is always what comes first."""
    order = [
        (number, index, result)
        for blocking in (True, False)
        for number, report in enumerate(reports)
        for index, result in _in_order(report)
        if result.blocks(report.fail_on) is blocking
    ]
    shown: _Shown = {}
    for number, index, result in order:
        report = reports[number]
        frame = sum(_size(line) for line in _details(report, result, 0))
        count = 0
        if frame <= room:
            room -= frame
            entries = _entries(result).findings
            for finding in entries:
                cost = _size(_finding(report, finding))
                if cost > room:
                    break
                room -= cost
                count += 1
        if count < len(_entries(result).findings):
            room = 0
        shown[(number, index)] = count
    return shown


def _size(line: str) -> int:
    return len(escape.neutralize_markdown(line).encode("utf-8")) + 1


def _project(report: Report, level: int, shown: dict[int, int]) -> list[str]:
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
            f"| {result.area.value} | {_cell(result.title)}: {_cell(result.summary)} |"
        )
    for index, result in _in_order(report):
        if shown.get(index, 0):
            lines += ["", *_details(report, result, shown[index])]
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


def _details(report: Report, result: CheckResult, shown: int) -> list[str]:
    """The check's findings folded, the first ``shown`` of them."""
    count = f"{len(result.findings)} finding" + ("s" if len(result.findings) != 1 else "")
    lines = [
        "<details>",
        f"<summary><code>{escape.markdown_html(result.check)}</code> · "
        f"{escape.markdown_html(result.title)} · {count}</summary>",
        "",
    ]
    entries = _entries(result)
    lines += [_finding(report, finding) for finding in entries.findings[:shown]]
    cut = sum(entry.count for entry in entries.findings[shown:])
    if cut:
        lines.append(f"- and {cut} more, not shown here")
    if entries.not_shown:
        lines.append(f"- … and {_more_findings(entries.not_shown)} (`max_findings`)")
    if result.fix:
        lines += ["", f"How to fix: {_prose(result.fix)}"]
    lines += ["", "</details>"]
    return lines


def _entries(result: CheckResult) -> Shown:
    """What the summary may list of a check's findings: a flood as one entry, at most the
    check's max_findings entries (``dsdone.grouping``)."""
    return shown_findings(result.findings, result.max_findings)


def _more_findings(count: int) -> str:
    return f"{count} more finding" + ("" if count == 1 else "s")


def _finding(report: Report, finding: Finding) -> str:
    where = report.repo_path(finding.location() if finding.path else report.contract)
    text = f"- {escape.markdown_code(where)}"
    if finding.cell is not None:
        text += f" ({finding.cell_location()})"
    text += f": {_prose(finding.message)}"
    if finding.waived is not None:
        until = f" until {finding.waived.until}" if finding.waived.until else ""
        text += f" *(waived{until}: {_prose(finding.waived.reason)})*"
    elif finding.known:
        text += " *(in the baseline)*"
    if finding.count > 1:
        text += f" **({_escape(finding.count_text())})**"
    if finding.hint:
        text += f"  \n  hint: {_prose(finding.hint)}"
    return text


def _prose(text: str) -> str:
    """A message, hint or fix: what it quotes in backticks is shown as code, the rest as text."""
    return escape.markdown_inline(text)


def _cell(text: str) -> str:
    """``_prose`` in a table cell."""
    return escape.markdown_inline(text, in_table=True)


def _escape(text: str) -> str:
    """Text shown literally: Markdown and HTML characters escaped, one line."""
    return escape.markdown_text(text)
