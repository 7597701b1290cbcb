"""JUnit XML, for CI systems that show test reports (GitLab merge requests, Jenkins, Azure).

One ``testsuite`` per project (one in all without ``--all``), one ``testcase`` per check. A
failing check carries a ``failure`` listing its findings (whether it blocks at ``--fail-on`` is
said in its message); a crashed check an ``error``; a skipped one ``skipped`` with the reason;
a waived one ``skipped`` with the waiver. The score is in the suite's properties. No ``time``
attributes: the same tree gives the same bytes. Every text and attribute is made valid XML 1.0
(``escape.xml``) after the tree is built, so that no string can be missed.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from dsdone.grouping import shown_findings
from dsdone.render import escape
from dsdone.render.verdict import (
    area_scores,
    held_down_by,
    project_label,
    score_text,
    verdict_line,
)
from dsdone.report import CheckResult, Finding, Report, Status


def render_junit(report: Report) -> str:
    return _document([report])


def render_junit_all(reports: Sequence[Report]) -> str:
    return _document(reports)


def _document(reports: Sequence[Report]) -> str:
    root = ET.Element("testsuites", name="dsdone")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for report in reports:
        suite = _suite(report)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    _valid_xml(root)
    ET.indent(root)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
    return escape.neutralize_xml(text)


def _valid_xml(root: ET.Element) -> None:
    """Every text and attribute of the tree with the characters XML 1.0 forbids escaped."""
    for element in root.iter():
        if element.text:
            element.text = escape.xml(element.text)
        for name, value in element.attrib.items():
            element.set(name, escape.xml(value))


def _suite(report: Report) -> ET.Element:
    results = report.results
    suite = ET.Element(
        "testsuite",
        name=f"dsdone: {project_label(report)}",
        tests=str(len(results)),
        failures=str(sum(r.status is Status.FAIL for r in results)),
        errors=str(sum(r.status is Status.ERROR for r in results)),
        skipped=str(sum(r.status in (Status.SKIP, Status.WAIVED) for r in results)),
    )
    properties = ET.SubElement(suite, "properties")
    score = report.score
    for name, value in (
        ("ready", str(report.ready).lower()),
        ("verdict", verdict_line(report)),
        ("score", score_text(score.overall)),
        ("area scores", area_scores(score)),
        ("score held down by", held_down_by(score)),
        ("score formula", str(score.formula)),
        ("fail-on", report.fail_on.value),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    for result in results:
        suite.append(_case(report, result))
    if report.runs:  # what --run ran, for the CI's test-report view
        ET.SubElement(suite, "system-out").text = "\n\n".join(
            f"--run {record.kind} ({record.name}): {shlex.join(record.command)}\n"
            f"with {record.interpreter}, {record.duration_s:g} s: {record.outcome}\n"
            f"{record.output_tail}"
            for record in report.runs
        )
    return suite


def _case(report: Report, result: CheckResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=f"dsdone.{result.area.value}",
        name=f"{result.check}: {result.title}",
        file=report.repo_path(report.contract),
    )
    if result.status is Status.FAIL:
        bar = "blocks" if result.blocks(report.fail_on) else "does not block"
        message = f"{result.summary} ({bar} at --fail-on {report.fail_on.value})"
        failure = ET.SubElement(case, "failure", message=message, type=result.severity.value)
        failure.text = _findings(report, result)
    elif result.status is Status.ERROR:
        ET.SubElement(case, "error", message=result.summary, type="crash")
    elif result.status is Status.SKIP:
        ET.SubElement(case, "skipped", message=result.summary)
    elif result.status is Status.WAIVED:
        skipped = ET.SubElement(case, "skipped", message=result.summary)
        skipped.text = _findings(report, result)
    elif result.summary != "ok":
        ET.SubElement(case, "system-out").text = result.summary
    return case


def _findings(report: Report, result: CheckResult) -> str:
    shown = shown_findings(result.findings, result.max_findings)
    lines = [_finding(report, finding) for finding in shown.findings]
    if shown.not_shown:
        lines.append(_not_shown(shown.not_shown))
    return "\n".join(lines)


def _not_shown(count: int) -> str:
    return f"... and {count} more finding{'s' if count != 1 else ''} (max_findings)"


def _finding(report: Report, finding: Finding) -> str:
    where = report.repo_path(finding.location() if finding.path else report.contract)
    text = f"{where}: {finding.message}"
    if finding.cell is not None:
        text += f" ({finding.cell_location()})"
    if finding.waived is not None:
        text += f" [waived: {finding.waived.reason}]"
    elif finding.known:
        text += " [in the baseline]"
    if finding.count > 1:
        text += f" [{finding.count_text()}]"
    if finding.hint:
        text += f"\n  hint: {finding.hint}"
    return text
