"""GitHub Actions workflow commands: one annotation per finding that counts against the gate,
so that findings show inline in the pull request's diff.

Severity error is ``::error``, warning ``::warning``, info ``::notice``. Paths are relative to the
repository root, as GitHub resolves them. Waived findings and those already in the baseline
are left out (they are in the other formats); a crashed check is an ``::error`` without a file.
The last line is the verdict with the score, as plain text.

GitHub shows at most 10 annotations of each kind (error, warning, notice) per step, and drops
the others without a word: the annotations of checks that block come first, and when some
kind has more than 10, a plain line before the verdict says how many were left out and where
they all are, rather than lose them silently.

The runner takes any line of the log that starts with ``::`` (or holds ``##[``) for a command:
messages and properties are escaped as the Actions toolkit escapes them, and the lines that are
not commands are escaped as for the terminal (``escape``), so that only dsdone's own commands
are commands.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dsdone.grouping import shown_findings
from dsdone.render import escape
from dsdone.render.verdict import combined_verdict_line, project_label, verdict_line
from dsdone.report import CheckResult, Finding, Report, Severity, Status

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


# GitHub's limit: annotations of one kind beyond it, in one step, are not shown.
ANNOTATIONS_PER_KIND = 10


@dataclass(frozen=True)
class _Annotation:
    kind: str  # error, warning or notice
    line: str  # the workflow command
    blocks: bool  # of a check that makes the project not ready
    listed: bool = True  # False: past its check's max_findings, counted but never annotated


def render_github(report: Report) -> str:
    return render_github_all([report], combined=False)


def render_github_all(reports: Sequence[Report], *, combined: bool = True) -> str:
    # Blocking first: in the log as in what GitHub keeps (_shown).
    annotations = [
        sorted(_annotations(report), key=lambda item: not item.blocks) for report in reports
    ]
    shown = _shown(annotations)
    lines: list[str] = []
    for report, listed in zip(reports, annotations, strict=True):
        lines += [item.line for item in listed if id(item) in shown]
        if combined:
            lines.append(_plain(f"{project_label(report)}: {verdict_line(report)}"))
    left_out = _left_out(annotations, shown)
    if left_out:
        lines.append(_plain(left_out))
    final = combined_verdict_line(reports) if combined else verdict_line(reports[0])
    lines.append(_plain(final))
    return "".join(f"{line}\n" for line in lines)


def _shown(annotations: list[list[_Annotation]]) -> set[int]:
    """The annotations GitHub will show: ANNOTATIONS_PER_KIND of each kind, those of blocking
    checks first (of every project), then the others, each in the report's order."""
    everything = [item for listed in annotations for item in listed]
    shown: set[int] = set()
    counts: dict[str, int] = {}
    for item in [a for a in everything if a.blocks] + [a for a in everything if not a.blocks]:
        if item.listed and counts.get(item.kind, 0) < ANNOTATIONS_PER_KIND:
            counts[item.kind] = counts.get(item.kind, 0) + 1
            shown.add(id(item))
    return shown


def _left_out(annotations: list[list[_Annotation]], shown: set[int]) -> str:
    """``dsdone: 3 more errors and 1 more warning not annotated ...``, or "" when none is."""
    missing: dict[str, int] = {}
    past_max = False
    for listed in annotations:
        for item in listed:
            if id(item) not in shown:
                missing[item.kind] = missing.get(item.kind, 0) + 1
                past_max = past_max or not item.listed
    if not missing:
        return ""
    counts = [
        f"{missing[kind]} more {kind}{'' if missing[kind] == 1 else 's'}"
        for kind in ("error", "warning", "notice")
        if kind in missing
    ]
    limits = f"GitHub shows {ANNOTATIONS_PER_KIND} annotations of each kind per step"
    if past_max:
        limits += " and a check lists at most its max_findings"
    return (
        f"dsdone: {' and '.join(counts)} not annotated: {limits} (blocking ones first); "
        "--format json lists every finding"
    )


def _plain(line: str) -> str:
    """A line of text that is not a command, and that no project name can make one."""
    return escape.neutralize_terminal(escape.line(line))


def _annotations(report: Report) -> Iterator[_Annotation]:
    for result in report.results:
        blocks = result.blocks(report.fail_on)
        if result.status is Status.ERROR:
            title = f"dsdone {result.check}: the check did not finish"
            yield _Annotation("error", _command("error", {"title": title}, result.summary), blocks)
        kind = _COMMAND[result.severity]
        shown = shown_findings(result.new_findings, result.max_findings)
        for finding in shown.findings:
            yield _Annotation(kind, _finding(report, result, finding), blocks)
        # Past the check's max_findings: counted in the line that says what is not annotated.
        yield from (_Annotation(kind, "", blocks, listed=False) for _ in range(shown.not_shown))


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
    if finding.count > 1:
        message += f"\n{finding.count_text()}"
    if finding.hint:
        message += f"\nhint: {finding.hint}"
    return _command(_COMMAND[result.severity], properties, message)


def _command(name: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{key}={escape.github_property(value)}" for key, value in properties.items())
    return f"::{name} {props}::{escape.github_data(message)}"
