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

from dsdone.api import Check, CheckError, Note, Skip
from dsdone.contract import CheckSettings
from dsdone.model import CheckResult, Finding, Status
from dsdone.project import Project, compile_globs

# A check that hangs must not hang CI: this bounds every check unless the contract or
# --timeout says otherwise.
DEFAULT_TIMEOUT_SECONDS = 600.0

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
    timeout = next(
        (t for t in (settings.timeout, default_timeout) if t is not None), DEFAULT_TIMEOUT_SECONDS
    )
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


def _call_with_timeout(project: Project, prepared: PreparedCheck, timeout: float) -> Outcome:
    outcome: list[Outcome] = []
    # A daemon thread: a check that never returns cannot be killed, but it must not keep the
    # report waiting, nor keep dsdone alive when it exits.
    worker = threading.Thread(
        target=lambda: outcome.append(_call(project, prepared)),
        name=f"dsdone-check-{prepared.check.id}",
        daemon=True,
    )
    worker.start()
    worker.join(min(timeout, threading.TIMEOUT_MAX))
    if outcome:
        return outcome[0]
    if worker.is_alive():
        return Status.ERROR, f"did not finish within {timeout:g} s (its timeout)", []
    return Status.ERROR, "the check ended without a result", []


def _call(project: Project, prepared: PreparedCheck) -> Outcome:
    check = prepared.check
    findings: list[Finding] = []
    notes: list[str] = []
    try:
        for item in check.call(project, prepared.options):
            if isinstance(item, Finding):
                problem = _malformed(item)
                if problem:
                    return Status.ERROR, f"the check yielded a malformed Finding: {problem}", []
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
    except CheckError as exc:
        return Status.ERROR, str(exc), []
    except (Exception, SystemExit) as exc:  # a plugin calling sys.exit() must not end the run
        return Status.ERROR, f"the check crashed: {type(exc).__name__}: {exc}", []
    if findings:
        count = f"{len(findings)} finding" + ("s" if len(findings) != 1 else "")
        return Status.FAIL, "; ".join([count, *notes]), findings
    return Status.PASS, "; ".join(notes) or "ok", []


def _malformed(finding: Finding) -> str | None:
    """What is wrong with a finding a check built by hand, so that a plugin's mistake is its
    own error and not a crash of the report."""
    if not isinstance(finding.message, str) or not finding.message:
        return f"message must be a non-empty string, not {finding.message!r:.40}"
    for name in ("path", "hint"):
        value = getattr(finding, name)
        if value is not None and not isinstance(value, str):
            return f"{name} must be a string or None, not {value!r:.40}"
    for name in ("line", "column", "cell", "cell_line"):
        value = getattr(finding, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return f"{name} must be a whole number or None, not {value!r:.40}"
    return None
