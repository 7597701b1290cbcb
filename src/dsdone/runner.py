"""Run checks against a project and turn whatever they do into results.

A check that raises (anything: ``SystemExit`` and ``KeyboardInterrupt`` too), yields something
that is not a ``Finding`` or a ``Note``, or runs past its timeout ends with status ``error``
and the reason; the run goes on with the next check. What a check prints is kept apart from
dsdone's own output (``capture``) and given with its result.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from dsdone import capture, release
from dsdone.api import Check, CheckError, Note, Skip
from dsdone.contract import CheckSettings
from dsdone.globs import compile_globs
from dsdone.grouping import DEFAULT_MAX_FINDINGS
from dsdone.isolation import set_deadline
from dsdone.project import Project
from dsdone.report import CHECK_FIELDS, CheckResult, Finding, Status, malformed

# A check that hangs must not hang CI: this bounds every check unless the contract or
# --timeout says otherwise.
DEFAULT_TIMEOUT_SECONDS = 600.0

# The README has a section per built-in check with this anchor; a plugin's docs are unknown.
BUILTIN_HELP_URI = release.REPOSITORY + "#check-{id}"


@dataclass(frozen=True)
class PreparedCheck:
    """A check with this project's settings applied: its options built, its severity chosen."""

    check: Check
    settings: CheckSettings
    options: Any
    advisory: str | None = None  # why its result cannot block (see ``CheckResult.advisory``)


def run_checks(
    project: Project, prepared: Mapping[str, PreparedCheck], default_timeout: float | None = None
) -> tuple[CheckResult, ...]:
    """Run every check, in lanes (``_Lanes``), and collect the results by check id.

    The facts checks share are computed once, whoever asks first (see ``project.fact``); each
    check's timeout counts from the start of the run, as if all started at once."""
    with capture.running_checks():
        runs = [_Run(project, item, default_timeout) for _, item in sorted(prepared.items())]
        lanes = _Lanes(runs)
        return tuple(lanes.result(run) for run in runs)


def check_timeout(settings: CheckSettings, default_timeout: float | None) -> float:
    """The seconds a check may run: its own timeout in the contract, else the run's
    (``--timeout``), else ``DEFAULT_TIMEOUT_SECONDS``."""
    return next(
        (t for t in (settings.timeout, default_timeout) if t is not None), DEFAULT_TIMEOUT_SECONDS
    )


def longest_timeout(
    prepared: Mapping[str, PreparedCheck], default_timeout: float | None = None
) -> float:
    """The longest any of the checks may run: no one waits for git longer than that."""
    return max(
        (check_timeout(item.settings, default_timeout) for item in prepared.values()),
        default=check_timeout(CheckSettings(), default_timeout),
    )


def run_one(
    project: Project, prepared: PreparedCheck, default_timeout: float | None = None
) -> CheckResult:
    with capture.running_checks():
        run = _Run(project, prepared, default_timeout)
        return _Lanes([run]).result(run)


class Outcome(NamedTuple):
    status: Status
    summary: str
    findings: list[Finding]
    traceback: str | None = None  # of a check that raised, for --debug


class _Threads:
    """Daemon threads that run lanes of checks (``_Lanes``), each kept for another lane once
    its lane is done.

    A check that never returns cannot be killed, but it must not keep the report waiting, nor
    keep dsdone alive when it exits: so checks run on daemon threads, and one that overruns
    keeps its thread. Starting a thread for every lane would cost ``--all`` more than most
    checks do (a new thread must wait for the GIL to say that it has started, and a hundred
    projects run some 1,600 checks), so a thread that is done takes the next lane; a new one
    is started only when none is idle. (``concurrent.futures`` threads are not daemon
    threads: a check that hangs would keep dsdone from exiting.)"""

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)  # how many threads wait for a task

    def start(self, task: Callable[[], None]) -> None:
        self._tasks.put(task)
        if not self._idle.acquire(blocking=False):
            threading.Thread(target=self._serve, name="dsdone-check", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self._tasks.get()()
            self._idle.release()


_THREADS = _Threads()


# How often the lanes are looked at, and what they are told from: the process used less than
# this share of a core since the last look (its checks wait: for git, for a second process,
# for the disk), or every lane's check has run this long (it is slow, or hangs busy).
LOOK_SECONDS = 0.01
IDLE_SHARE = 0.5
SPILL_SECONDS = 1.0


class _Lanes:
    """The checks of a run, taken one after another by "lanes": daemon threads (``_THREADS``)
    that each run one check at a time.

    One lane runs them all while they keep the processor busy: Python runs one thread at a
    time (the GIL), so checks that all run at once only take turns, and on the 20,000-file
    benchmark the turns cost more than they let overlap (about 30 ms of 0.5 s). When the
    process leaves the processor idle (the lanes' checks wait for git, a second process or
    the disk), or every lane's check has run for ``SPILL_SECONDS`` (it is slow, or it hangs),
    or a check not yet started has less time left than that, the checks not yet started go on
    on a new lane: waiting overlaps with work as when every check had a thread of its own, a
    check that never returns holds the others up for a second at most, not for its timeout,
    and none runs out of time before it starts."""

    def __init__(self, runs: list[_Run]) -> None:
        self._pending = list(reversed(runs))  # popped from the end: in the given order
        self._lock = threading.Lock()
        self._since: dict[int, float] = {}  # when the check of each busy lane began, by lane
        self._lanes = 0
        self._looked = (time.perf_counter(), time.process_time())
        self._open_lane()

    def _open_lane(self) -> None:
        """Start a lane; called with the lock held, or before any lane runs."""
        self._lanes += 1
        _THREADS.start(functools.partial(self._serve, self._lanes))

    def _serve(self, lane: int) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._since.pop(lane, None)
                    return
                run = self._pending.pop()
                self._since[lane] = time.perf_counter()
            run.work()

    def result(self, run: _Run) -> CheckResult:
        """The result of ``run``, once it ends or its time is up; lanes are opened meanwhile
        as the checks before it need."""
        while True:
            left = run.deadline - time.perf_counter()
            if run.done.wait(max(0.0, min(left, LOOK_SECONDS))):
                return run.result()
            if left <= 0:
                with self._lock:
                    if run in self._pending:  # never taken: it must not start after the run
                        self._pending.remove(run)
                return run.result()
            self._look()

    def _look(self) -> None:
        """Open a lane if the checks not yet started would otherwise wait for nothing."""
        now, cpu = time.perf_counter(), time.process_time()
        (then, cpu_then), self._looked = self._looked, (now, cpu)
        idle = cpu - cpu_then < IDLE_SHARE * (now - then)
        with self._lock:
            if not self._pending:
                return
            slow = all(now - began >= SPILL_SECONDS for began in self._since.values())
            # A check must not run out of time before a lane takes it.
            urgent = min(run.deadline for run in self._pending) - now < SPILL_SECONDS
            if idle or slow or urgent:
                self._open_lane()


class _Run:
    """One check, run by a lane (``_Lanes``)."""

    def __init__(
        self, project: Project, prepared: PreparedCheck, default_timeout: float | None
    ) -> None:
        self.prepared = prepared
        self.timeout = check_timeout(prepared.settings, default_timeout)
        self.outcome: list[Outcome] = []
        self.printed = capture.Printed()
        # The check's time counts from the start of the run, whenever its lane takes it.
        self.deadline = time.perf_counter() + self.timeout
        self.started: float | None = None  # when its lane took it
        self.finished: float | None = None
        self.done = threading.Event()
        self.project = project

    def work(self) -> None:
        self.started = time.perf_counter()
        try:
            # What the check hands to a child process gets the time it has left
            # (dsdone.isolation); the thread is a pooled one, so it is set for every check.
            left = self.deadline - self.started
            set_deadline(time.monotonic() + left)
            with capture.into(self.printed):
                try:
                    outcome = _call(self.project, self.prepared)
                except BaseException as exc:
                    summary = f"the check crashed: {_describe(exc)}"
                    outcome = Outcome(Status.ERROR, summary, [], traceback.format_exc())
            self.outcome.append(outcome)
            self.finished = time.perf_counter()
        finally:
            set_deadline(None)
            self.done.set()

    def _wait(self) -> Outcome:
        finished = self.done.is_set()
        if self.outcome:
            return self.outcome[0]
        if not finished:
            return Outcome(
                Status.ERROR, f"did not finish within {self.timeout:g} s (its timeout)", []
            )
        return Outcome(Status.ERROR, "the check ended without a result", [])

    def result(self) -> CheckResult:
        check, settings = self.prepared.check, self.prepared.settings
        status, summary, findings, crash = self._wait()
        if self.prepared.advisory is not None and status in (Status.FAIL, Status.ERROR):
            summary = f"{summary} ({self.prepared.advisory})"
        ended = self.finished if self.finished is not None else time.perf_counter()
        started = self.started if self.started is not None else ended
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
            duration_ms=round((ended - started) * 1000, 1),
            source=check.source,
            description=check.description,
            fix=check.fix,
            help_uri=check.url or (BUILTIN_HELP_URI.format(id=check.id) if check.builtin else None),
            advisory=self.prepared.advisory,
            max_findings=settings.max_findings or DEFAULT_MAX_FINDINGS,
            traceback=crash,
            printed=self.printed.text(),
        )


def _call(project: Project, prepared: PreparedCheck) -> Outcome:
    check = prepared.check
    findings: list[Finding] = []
    # A check (a plugin's too) that yields the same finding twice would show the user one
    # problem as two; the second is dropped, so counts and gates count each problem once.
    seen: set[tuple[object, ...]] = set()
    notes: list[str] = []
    try:
        for item in check.call(project, prepared.options):
            if isinstance(item, Finding):
                problem = malformed(item)
                if problem:
                    return Outcome(
                        Status.ERROR, f"the check yielded a malformed Finding: {problem}", []
                    )
                key = _identity(item)
                if key not in seen:
                    seen.add(key)
                    findings.append(item)
            elif isinstance(item, Note):
                notes.append(item.text)
            else:
                return Outcome(
                    Status.ERROR,
                    f"the check yielded {type(item).__name__} {item!r:.60}, "
                    "not a Finding or a Note",
                    [],
                )
    except Skip as skip:
        return Outcome(Status.SKIP, _text(skip.reason), [])
    except CheckError as exc:
        return Outcome(Status.ERROR, _text(exc), [])
    except BaseException as exc:
        # Anything: a plugin calling sys.exit() or raising KeyboardInterrupt in its thread must
        # not end the run, nor leave a thread's traceback on the terminal. (A real Ctrl-C goes
        # to the main thread, never to a check's.) The traceback is kept for --debug.
        summary = f"the check crashed: {_describe(exc)}"
        return Outcome(Status.ERROR, summary, [], traceback.format_exc())
    if findings:
        count = f"{len(findings)} finding" + ("s" if len(findings) != 1 else "")
        return Outcome(Status.FAIL, "; ".join([count, *notes]), findings)
    return Outcome(Status.PASS, "; ".join(notes) or "ok", [])


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_text(exc)}" if _text(exc) else type(exc).__name__


def _text(value: object) -> str:
    """``str(value)``, or a stand-in when a plugin's object cannot even say that."""
    try:
        return str(value)
    except Exception:
        return "(its message cannot be shown)"


def _identity(finding: Finding) -> tuple[object, ...]:
    """What makes two findings the same one: what they say, where, and how to fix it (fields
    ``malformed`` has checked to be hashable)."""
    return tuple(getattr(finding, name) for name in CHECK_FIELDS)
