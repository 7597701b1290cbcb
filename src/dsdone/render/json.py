"""The JSON report: a public, versioned interface (``schema_version``), documented in the README.

Byte-identical for the same tree, but for ``duration_ms``. Strings are as the checks gave them
(``json.dumps`` escapes control characters), except that a byte of a file name that is not
UTF-8 reads ``\\xNN`` (see ``escape``), so that the report is always valid UTF-8.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from dsdone.grouping import Shown, shown_findings
from dsdone.render import escape
from dsdone.report import CheckResult, Finding, ProjectInfo, Report, RunRecord, Score
from dsdone.score import FORMULA, combined_overall

SCHEMA_VERSION = 1


@functools.cache
def report_schema() -> dict[str, Any]:
    """The published JSON Schema of the report (``dsdone schema report``), which the catalogue
    validates the reports it reads against."""
    name = f"report-v{SCHEMA_VERSION}.schema.json"
    schema: dict[str, Any] = json.loads(resources.files("dsdone").joinpath(name).read_text("utf-8"))
    return schema


def report_data(report: Report, *, complete: bool = False) -> dict[str, Any]:
    """The report as JSON data. A flood of findings in one file is one entry with its
    ``count``, and a check lists at most its ``max_findings`` entries; ``complete`` lists every
    finding on its own, as a baseline must (see ``render_baseline``)."""
    counts = report.counts()
    return {
        "dsdone": report.dsdone_version,
        "schema_version": SCHEMA_VERSION,
        "project": project_data(report.project),
        "contract": report.contract,
        "commit": report.commit,
        "ready": report.ready,
        "fail_on": report.fail_on.value,
        "summary": {
            "checks": len(report.results),
            **counts,
            "findings": report.finding_count(),
            "new_findings": sum(len(r.new_findings) for r in report.results),
        },
        "results": [_result(result, report, complete) for result in report.results],
        # Added within schema_version 1, hence after the fields that were there first.
        "folder": report.folder,
        "score": score_data(report.score),
        "min_score": report.min_score,
        "baseline": report.baseline,
        "runs": [run_data(record) for record in report.runs],
        "repository": None
        if report.repository is None
        else {"name": report.repository.name, "url": report.repository.url},
        "commit_date": report.commit_date,
    }


def project_data(project: ProjectInfo) -> dict[str, Any]:
    return {
        "name": project.name,
        "owner": project.owner,
        "description": project.description,
        "consumers": list(project.consumers),
        # Added within schema_version 1: what a catalogue of models lists.
        "inputs": [
            {"name": item.name, "format": item.format, "source": item.source}
            for item in project.inputs
        ],
        "outputs": [
            {
                "name": item.name,
                "format": item.format,
                "consumers": None if item.consumers is None else list(item.consumers),
            }
            for item in project.outputs
        ],
        "retrain_schedule": project.retrain_schedule,
    }


def run_data(record: RunRecord) -> dict[str, Any]:
    """One command that --run ran (``runs`` is empty without --run)."""
    return {
        "kind": record.kind,
        "name": record.name,
        "command": list(record.command),
        "interpreter": record.interpreter,
        "exit_code": record.exit_code,
        "timed_out": record.timed_out,
        "duration_s": record.duration_s,
        "outcome": record.outcome,
        "output_tail": record.output_tail,
    }


def render_json(report: Report) -> str:
    return _dump(report_data(report))


def render_json_all(reports: Sequence[Report], *, complete: bool = False) -> str:
    """``--all``: every project's report, under ``projects``, with the combined verdict."""
    data = {
        "dsdone": reports[0].dsdone_version if reports else None,
        "schema_version": SCHEMA_VERSION,
        "ready": all(report.ready for report in reports),
        "score": {
            "overall": combined_overall(report.score for report in reports),
            "formula": FORMULA,
        },
        "projects": [report_data(report, complete=complete) for report in reports],
    }
    return _dump(data)


def render_baseline(reports: Sequence[Report], *, combined: bool) -> str:
    """The JSON report with every finding listed on its own, floods and ``max_findings``
    notwithstanding: what ``--write-baseline`` writes, so that a later run matches each of its
    findings one by one and grouping never makes a known finding look new."""
    if combined:
        return render_json_all(reports, complete=True)
    return _dump(report_data(reports[0], complete=True))


def _dump(data: dict[str, Any]) -> str:
    return dump(data)


def dump(data: dict[str, Any]) -> str:
    """``data`` as JSON text for a report (JSON or SARIF): valid UTF-8, and no ``##[``."""
    text = json.dumps(escape.valid_data(data), indent=2, ensure_ascii=False) + "\n"
    return escape.neutralize_json(text)


def score_data(score: Score) -> dict[str, Any]:
    return {
        "overall": score.overall,
        "areas": {
            area.area.value: {
                "score": area.value,
                "held": area.held,
                "applicable": area.applicable,
                # Added within schema_version 1, with formula 2.
                "points": area.points,
                "possible": area.possible,
                "not_holding": list(area.not_holding),
            }
            for area in score.areas
        },
        "formula": score.formula,
        "weakest": [area.area.value for area in score.weakest],
    }


def _result(result: CheckResult, report: Report, complete: bool) -> dict[str, Any]:
    shown = (
        Shown(result.findings) if complete else shown_findings(result.findings, result.max_findings)
    )
    return {
        "check": result.check,
        "title": result.title,
        "severity": result.severity.value,
        "area": result.area.value,
        "source": result.source,
        "status": result.status.value,
        "blocks": result.blocks(report.fail_on),
        "advisory": result.advisory,
        "summary": result.summary,
        "findings": [_finding(finding) for finding in shown.findings],
        "duration_ms": result.duration_ms,
        # Added within schema_version 1: every finding, counted one by one, and how many of
        # them ``findings`` does not list (past ``max_findings``).
        "finding_count": len(result.findings),
        "not_shown": shown.not_shown,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "cell": finding.cell,
        "cell_line": finding.cell_line,
        "hint": finding.hint,
        "waived": None
        if finding.waived is None
        else {
            "reason": finding.waived.reason,
            "until": finding.waived.until,
            "line": finding.waived.line,
        },
        "known": finding.known,
        "change": finding.change,  # added within schema_version 1
        # Added within schema_version 1: how many findings this entry stands for (a flood in
        # one file is one entry), and where the next few of them are.
        "count": finding.count,
        "also_at": [{"line": place.line, "column": place.column} for place in finding.also_at],
    }
