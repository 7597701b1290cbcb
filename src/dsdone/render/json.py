"""The JSON report: a public, versioned interface (``schema_version``), documented in the README.

Byte-identical for the same tree, but for ``duration_ms``.
"""

from __future__ import annotations

import json
from typing import Any

from dsdone.model import CheckResult, Finding, Report

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
        "summary": {"checks": len(report.results), **counts, "findings": report.finding_count()},
        "results": [_result(result) for result in report.results],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"


def _result(result: CheckResult) -> dict[str, Any]:
    return {
        "check": result.check,
        "title": result.title,
        "severity": result.severity.value,
        "area": result.area.value,
        "source": result.source,
        "status": result.status.value,
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
    }
