"""How the runs join the report: each run's findings become part of the result of the check it
proves, so a failing test fails ``unit-tests`` as a missing test does."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from dsdone.report import Area, CheckResult, Finding, Severity, Status
from dsdone.runs.execute import RunOutcome

# A run whose check did not run (ignored, or not a check of this dsdone): its own result.
_TITLES = {
    "unit-tests": ("The test suite passes", Area.INFRASTRUCTURE),
    "retrain-entrypoint": ("A retrain smoke run succeeds", Area.INFRASTRUCTURE),
    "monitoring": ("The verification scripts pass", Area.MONITORING),
    "input-schema": ("The inputs' samples meet their expectations", Area.DATA),
}


def join_runs(
    results: Sequence[CheckResult], outcomes: Sequence[RunOutcome]
) -> tuple[CheckResult, ...]:
    by_check = {result.check: result for result in results}
    for outcome in outcomes:
        current = by_check.get(outcome.check_id) or _result_of_run(outcome.check_id)
        ran = f"{outcome.record.kind} run: {outcome.record.outcome}"
        findings = tuple(sorted((*current.findings, *outcome.findings), key=Finding.sort_key))
        status = current.status
        if outcome.findings and status in (Status.PASS, Status.SKIP, Status.WAIVED):
            status = Status.FAIL
        summary = f"{current.summary}; {ran}" if current.summary else ran
        by_check[outcome.check_id] = dataclasses.replace(
            current, status=status, findings=findings, summary=summary
        )
    return tuple(by_check[check_id] for check_id in sorted(by_check))


def _result_of_run(check_id: str) -> CheckResult:
    title, area = _TITLES[check_id]
    return CheckResult(
        check=check_id,
        title=title,
        severity=Severity.ERROR,
        area=area,
        status=Status.PASS,
        summary="",
        source="dsdone --run",
    )
