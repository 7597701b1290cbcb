"""Run checks against a project and turn whatever they do into results.

A check that raises, yields something that is not a ``Finding`` or a ``Note``, or runs past
its timeout ends with status ``error`` and the reason; the run goes on with the next check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsdone.api import Check, Note, Skip
from dsdone.contract import CheckSettings
from dsdone.model import CheckResult, Finding, Status
from dsdone.project import Project, compile_globs

# The README has a section per built-in check with this anchor; a plugin's docs are unknown.
BUILTIN_HELP_URI = "https://github.com/dsdone/dsdone#check-{id}"


@dataclass(frozen=True)
class PreparedCheck:
    """A check with this project's settings applied: its options built, its severity chosen."""

    check: Check
    settings: CheckSettings
    options: Any


def run_checks(
    project: Project, prepared: Mapping[str, PreparedCheck], default_timeout: float | None = None
) -> tuple[CheckResult, ...]:
    return tuple(run_one(project, item, default_timeout) for _, item in sorted(prepared.items()))


def run_one(
    project: Project, prepared: PreparedCheck, default_timeout: float | None = None
) -> CheckResult:
    check, settings = prepared.check, prepared.settings
    timeout = settings.timeout if settings.timeout is not None else default_timeout
    started = time.perf_counter()
    outcome = _call_with_timeout(project, prepared, timeout)
    duration_ms = (time.perf_counter() - started) * 1000
    status, summary, findings = outcome
    if settings.exclude and findings:
        spec = compile_globs(settings.exclude)
        findings = [f for f in findings if f.path is None or not spec.match_file(f.path)]
        if status is Status.FAIL and not findings:
            status, summary = Status.PASS, "every finding is in an excluded path"
    return CheckResult(
        check=check.id,
        title=check.title,
        severity=settings.severity or check.severity,
        area=check.area,
        status=status,
        summary=summary,
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        duration_ms=round(duration_ms, 1),
        source=check.source,
        description=check.description,
        fix=check.fix,
        help_uri=BUILTIN_HELP_URI.format(id=check.id) if check.source == "built-in" else None,
    )


Outcome = tuple[Status, str, list[Finding]]


def _call_with_timeout(project: Project, prepared: PreparedCheck, timeout: float | None) -> Outcome:
    outcome: list[Outcome] = []
    # A daemon thread: a check that never returns cannot be killed, but it must not keep the
    # report waiting, nor keep dsdone alive when it exits.
    worker = threading.Thread(
        target=lambda: outcome.append(_call(project, prepared)),
        name=f"dsdone-check-{prepared.check.id}",
        daemon=True,
    )
    worker.start()
    worker.join(timeout)
    if not outcome:
        return Status.ERROR, f"did not finish within {timeout:g} s (its timeout)", []
    return outcome[0]


def _call(project: Project, prepared: PreparedCheck) -> Outcome:
    check = prepared.check
    findings: list[Finding] = []
    notes: list[str] = []
    try:
        for item in check.call(project, prepared.options):
            if isinstance(item, Finding):
                findings.append(item)
            elif isinstance(item, Note):
                notes.append(item.text)
            else:
                return (
                    Status.ERROR,
                    f"the check yielded {type(item).__name__} {item!r:.60}, "
                    "not a Finding or a Note",
                    [],
                )
    except Skip as skip:
        return Status.SKIP, skip.reason, []
    except Exception as exc:
        return Status.ERROR, f"the check crashed: {type(exc).__name__}: {exc}", []
    if findings:
        count = f"{len(findings)} finding" + ("s" if len(findings) != 1 else "")
        return Status.FAIL, "; ".join([count, *notes]), findings
    return Status.PASS, "; ".join(notes) or "ok", []
