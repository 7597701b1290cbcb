"""The JSON report: a public, versioned interface (``schema_version``), documented in the README.

Byte-identical for the same tree, but for ``duration_ms``. Strings are as the checks gave them
(``json.dumps`` escapes control characters), except that a byte of a file name that is not
UTF-8 reads ``\\xNN`` (see ``escape``), so that the report is always valid UTF-8.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dsdone.render import escape
from dsdone.report import CheckResult, Finding, Report, RunRecord, Score
from dsdone.score import FORMULA, combined_overall

SCHEMA_VERSION = 1


def report_data(report: Report) -> dict[str, Any]:
    counts = report.counts()
    return {
        "dsdone": report.dsdone_version,
        "schema_version": SCHEMA_VERSION,
        "project": {
            "name": report.project.name,
            "owner": report.project.owner,
            "description": report.project.description,
            "consumers": list(report.project.consumers),
        },
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
        "results": [_result(result, report) for result in report.results],
        # Added within schema_version 1, hence after the fields that were there first.
        "folder": report.folder,
        "score": score_data(report.score),
        "min_score": report.min_score,
        "baseline": report.baseline,
        "runs": [run_data(record) for record in report.runs],
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


def render_json_all(reports: Sequence[Report]) -> str:
    """``--all``: every project's report, under ``projects``, with the combined verdict."""
    data = {
        "dsdone": reports[0].dsdone_version if reports else None,
        "schema_version": SCHEMA_VERSION,
        "ready": all(report.ready for report in reports),
        "score": {
            "overall": combined_overall(report.score for report in reports),
            "formula": FORMULA,
        },
        "projects": [report_data(report) for report in reports],
    }
    return _dump(data)


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


def _result(result: CheckResult, report: Report) -> dict[str, Any]:
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
        "findings": [_finding(finding) for finding in result.findings],
        "duration_ms": result.duration_ms,
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
    }
