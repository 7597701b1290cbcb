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
from dsdone.globs import compile_globs
from dsdone.isolation import set_deadline
from dsdone.project import Project
from dsdone.report import CheckResult, Finding, Status

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
    """Run every check at once, each in its own thread, and collect the results by check id.

    Checks spend much of their time waiting for git (``ls-files``, ``grep``, ``status``) and
    the disk; running them together lets that overlap with the others' Python work, and the
    facts they share are computed once whoever asks first (see ``project.fact``)."""
    runs = [_Run(project, item, default_timeout) for _, item in sorted(prepared.items())]
    return tuple(run.result() for run in runs)


def run_one(
    project: Project, prepared: PreparedCheck, default_timeout: float | None = None
) -> CheckResult:
    return _Run(project, prepared, default_timeout).result()


Outcome = tuple[Status, str, list[Finding]]


class _Run:
    """One check running in its own daemon thread: a check that never returns cannot be
    killed, but it must not keep the report waiting, nor keep dsdone alive when it exits."""

    def __init__(
        self, project: Project, prepared: PreparedCheck, default_timeout: float | None
    ) -> None:
        self.prepared = prepared
        settings = prepared.settings
        self.timeout = next(
            (t for t in (settings.timeout, default_timeout) if t is not None),
            DEFAULT_TIMEOUT_SECONDS,
        )
        self.outcome: list[Outcome] = []
        self.started = time.perf_counter()
        self.finished: float | None = None
        self.thread = threading.Thread(
            target=self._work, args=(project,), name=f"dsdone-{prepared.check.id}", daemon=True
        )
        self.thread.start()

    def _work(self, project: Project) -> None:
        # What the check hands to a child process gets the time it has left (dsdone.isolation).
        left = self.started + self.timeout - time.perf_counter()
        set_deadline(time.monotonic() + left)
        self.outcome.append(_call(project, self.prepared))
        self.finished = time.perf_counter()

    def _wait(self) -> Outcome:
        remaining = self.started + self.timeout - time.perf_counter()
        self.thread.join(max(0.0, min(remaining, threading.TIMEOUT_MAX)))
        if self.outcome:
            return self.outcome[0]
        if self.thread.is_alive():
            return Status.ERROR, f"did not finish within {self.timeout:g} s (its timeout)", []
        return Status.ERROR, "the check ended without a result", []

    def result(self) -> CheckResult:
        check, settings = self.prepared.check, self.prepared.settings
        status, summary, findings = self._wait()
        ended = self.finished if self.finished is not None else time.perf_counter()
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
            duration_ms=round((ended - self.started) * 1000, 1),
            source=check.source,
            description=check.description,
            fix=check.fix,
            help_uri=check.url or (BUILTIN_HELP_URI.format(id=check.id) if check.builtin else None),
        )


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
