"""SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).

One rule per check that ran, one result per finding; a flood in one file is one
result with its ``count`` in its properties and the next few places as related locations, and a
check gives at most its ``max_findings`` results (the run's properties count them all).
Locations are relative to the repository root (the project's ``folder`` is put in front), as
code hosts resolve them; a finding about the whole project is located at the contract. A
notebook finding points at its line in the .ipynb file, with the cell in the message. Waived
findings carry an accepted suppression; with ``--baseline``, every result says whether it is new
or unchanged. Crashed checks are reported as tool execution notifications. The readiness score
is in the run's properties.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from dsdone import release
from dsdone.grouping import shown_findings
from dsdone.render import escape
from dsdone.render.json import dump, score_data
from dsdone.render.verdict import project_label
from dsdone.report import CheckResult, Finding, Report, RunRecord, Severity, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = release.REPOSITORY
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(report: Report) -> str:
    return _dump(sarif_log([report]))


def render_sarif_all(reports: Sequence[Report]) -> str:
    return _dump(sarif_log(reports))


def sarif_log(reports: Sequence[Report]) -> dict[str, Any]:
    """One run for all the projects: code scanning wants one run per tool and category."""
    rules: dict[str, dict[str, Any]] = {}
    for report in reports:
        for result in report.results:
            rules.setdefault(result.check, _rule(result))
    order = sorted(rules)
    index = {check: number for number, check in enumerate(order)}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for report in reports:
        seen: Counter[str] = Counter()
        for check_result in report.results:
            if check_result.status is Status.ERROR:
                notifications.append(_notification(report, check_result, index))
            shown = shown_findings(check_result.findings, check_result.max_findings)
            for finding in shown.findings:
                fingerprint = _fingerprint(report, check_result, finding)
                seen[fingerprint] += 1
                entry = _result(report, check_result, finding, index)
                # Two equal findings in one file get different fingerprints, in file order.
                entry["partialFingerprints"] = {
                    "dsdoneFinding/v1": f"{fingerprint}:{seen[fingerprint]}"
                }
                results.append(entry)
        notifications += [_run_notification(report, record) for record in report.runs]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dsdone",
                "version": reports[0].dsdone_version if reports else "unknown",
                "informationUri": INFORMATION_URI,
                "rules": [rules[check] for check in order],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
        "properties": {
            "ready": all(report.ready for report in reports),
            "projects": [
                {
                    "name": project_label(report),
                    "folder": report.folder,
                    "ready": report.ready,
                    "score": score_data(report.score),
                    # Every finding, counted one by one, and those that are not results:
                    # past a check's max_findings (a flood is one result, with its count).
                    "findings": report.finding_count(),
                    "findingsNotShown": sum(
                        shown_findings(r.findings, r.max_findings).not_shown for r in report.results
                    ),
                }
                for report in reports
            ],
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _dump(data: dict[str, Any]) -> str:
    return dump(data)


def _uri(path: str) -> str:
    """A path as SARIF's ``uri`` (a URI reference): a space, ``#``, ``%`` or a byte of a name
    that is not UTF-8 percent-encoded, as code hosts decode it."""
    try:
        raw = path.encode("utf-8", "surrogateescape")  # the name's own bytes
    except UnicodeEncodeError:  # a surrogate no file name has (a plugin's own path)
        raw = escape.valid_text(path).encode("utf-8")
    return quote(raw, safe="/")


def _rule(result: CheckResult) -> dict[str, Any]:
    description = result.description or result.title
    rule: dict[str, Any] = {
        "id": result.check,
        "name": _pascal(result.check),
        "shortDescription": {"text": result.title},
        "fullDescription": {"text": description},
        "help": {"text": result.fix or description},
        "defaultConfiguration": {"level": _LEVEL[result.severity]},
        "properties": {
            "area": result.area.value,
            "source": result.source,
            "tags": [result.area.value],
        },
    }
    if result.help_uri:
        rule["helpUri"] = result.help_uri
    return rule


def _pascal(check_id: str) -> str:
    """SARIF's rule ``name`` is an identifier: ``personal-paths`` -> ``PersonalPaths``."""
    words = check_id.replace("/", "-").replace(".", "-").replace("_", "-").split("-")
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def _result(
    report: Report, check: CheckResult, finding: Finding, index: dict[str, int]
) -> dict[str, Any]:
    path = finding.path if finding.path is not None else report.contract
    region = _region(finding.line, finding.column)
    text = finding.message
    if finding.cell is not None:
        text += f" (notebook {finding.cell_location()})"
    if finding.path is None:
        text += " (about the whole project)"
    if finding.hint:
        text += f"\nHow to fix: {finding.hint}"
    result: dict[str, Any] = {
        "ruleId": check.check,
        "ruleIndex": index[check.check],
        "level": _LEVEL[check.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": _uri(report.repo_path(path)),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": region,
                }
            }
        ],
    }
    if finding.waived is not None:
        until = f" (until {finding.waived.until})" if finding.waived.until else ""
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"waived in {report.repo_path(report.contract)}{until}: "
                f"{finding.waived.reason}",
            }
        ]
    if report.baseline:
        result["baselineState"] = "unchanged" if finding.known else "new"
    if finding.count > 1:  # a flood: one result for all of them, at the first
        result["properties"] = {"count": finding.count}
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": _uri(report.repo_path(path)),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": _region(place.line, place.column),
                },
            }
            for number, place in enumerate(finding.also_at, start=1)
        ]
    return result


def _region(line: int | None, column: int | None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": line or 1}
    if line is not None and column is not None:
        region["startColumn"] = column
    return region


def _fingerprint(report: Report, check: CheckResult, finding: Finding) -> str:
    # What the baseline matches on, without the line: a finding keeps its identity when edits
    # above it move it.
    key = "\0".join((report.folder, check.check, finding.path or "", finding.message))
    return hashlib.sha256(escape.valid_text(key).encode("utf-8")).hexdigest()[:32]


def _run_notification(report: Report, record: RunRecord) -> dict[str, Any]:
    """What --run ran, how long it took and how it ended, as SARIF's tool notifications say."""
    return {
        "level": "note" if record.ok else "error",
        "message": {
            "text": f"{project_label(report)}: --run {record.kind} ({record.name}): "
            f"{record.outcome}, in {record.duration_s:g} s with {record.interpreter}"
        },
        "properties": {
            "command": list(record.command),
            "exitCode": record.exit_code,
            "durationSeconds": record.duration_s,
            "timedOut": record.timed_out,
        },
    }


def _notification(report: Report, result: CheckResult, index: dict[str, int]) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {
            "text": f"{project_label(report)}: check {result.check} did not finish: "
            f"{result.summary}"
        },
        "associatedRule": {"id": result.check, "index": index[result.check]},
    }
