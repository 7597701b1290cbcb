"""``dsdone check --run tests|retrain|verify``: run what the contract declares, and turn how
each run ended into findings of the check it proves (``unit-tests``, ``retrain-entrypoint``,
``monitoring``).

Nothing here runs unless the user passed ``--run``. A run starts in the project folder with the
project's interpreter, ends at its timeout with everything it started, and must leave the
project as it found it: a run that changes the project's files is a finding.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dsdone.analysis.samples import Record, SampleError, read_records
from dsdone.contract import Input
from dsdone.git.worktree import work_tree_snapshot
from dsdone.project import Project
from dsdone.report import Finding, RunRecord
from dsdone.runs.expectations import (
    GREAT_EXPECTATIONS,
    PANDERA,
    Expectation,
    read_result,
    result_findings,
)
from dsdone.runs.interpreter import Interpreter, find_interpreter
from dsdone.runs.junit import TestOutcome, UnreadableReport, read_junit
from dsdone.runs.outputs import check_output
from dsdone.runs.process import Completed, mask_secrets, run_command, run_environment

KINDS = ("tests", "retrain", "verify")
DEFAULT_TIMEOUT_SECONDS = 600.0
# What each kind of run proves: its findings join that check's result.
CHECK_OF = {"tests": "unit-tests", "retrain": "retrain-entrypoint", "verify": "monitoring"}
# Options that make pytest write what dsdone reads and nothing into the project.
_PYTEST_OPTIONS = ("-p", "no:cacheprovider", "-o", "junit_family=xunit1")


@dataclass(frozen=True)
class RunOptions:
    kinds: frozenset[str]  # of KINDS
    python: str | None = None  # --python
    timeout: float | None = None  # --run-timeout: overrides the contract's


@dataclass(frozen=True)
class RunOutcome:
    """One run and what it means for the check it proves."""

    record: RunRecord
    check_id: str
    findings: tuple[Finding, ...]


def execute(project: Project, options: RunOptions) -> list[RunOutcome]:
    """Run every kind asked for, in the order tests, retrain, verify."""
    interpreter = find_interpreter(project.root, options.python)
    outcomes: list[RunOutcome] = []
    for kind in KINDS:
        if kind in options.kinds:
            runner = _RUNNERS[kind]
            outcomes.extend(runner(project, interpreter, options))
    return outcomes


# -- tests --------------------------------------------------------------------------------------


def _run_tests(
    project: Project, interpreter: Interpreter, options: RunOptions
) -> Iterator[RunOutcome]:
    tests = project.contract.tests
    with tempfile.TemporaryDirectory(prefix="dsdone-tests-") as scratch:
        report = Path(scratch) / "junit.xml"
        junit = f"--junitxml={report}"
        command = _with_python(
            tests.command or ("python", "-m", "pytest", *tests.paths), interpreter
        )
        extra: dict[str, str] = {}
        if _is_pytest(command):
            command = (*command, *_PYTEST_OPTIONS, junit)
        else:  # make test, tox, nox...: pytest reads its options from the environment
            existing = os.environ.get("PYTEST_ADDOPTS", "")
            extra["PYTEST_ADDOPTS"] = " ".join((existing, *_PYTEST_OPTIONS, junit)).strip()
        completed, changed = _run(project, command, options, tests.timeout, extra)
        findings = list(_changes_finding("test run", changed))
        outcome: TestOutcome | None = None
        if completed.start_error is None and not completed.timed_out:
            try:
                outcome = read_junit(report)
            except UnreadableReport as exc:
                if completed.exit_code != 0:
                    findings.append(_failed_to_run("test run", completed, str(exc)))
        if outcome is not None:
            findings.extend(_test_failures(project, outcome))
            if completed.exit_code == 5 or outcome.total == 0:
                findings.append(
                    Finding(
                        "the test run collected no tests",
                        hint=f"run `{_shown(command)}` in {project.root} to see what pytest saw",
                    )
                )
        elif completed.start_error is not None or completed.timed_out:
            findings.append(_failed_to_run("test run", completed, None))
    summary = outcome.summary() if outcome is not None else _how_it_ended(completed)
    yield _outcome("tests", "tests", completed, interpreter, summary, findings)


def _is_pytest(command: Sequence[str]) -> bool:
    words = [Path(word).name for word in command[:3]]
    return words[:1] == ["pytest"] or words[1:3] == ["-m", "pytest"]


def _test_failures(project: Project, outcome: TestOutcome) -> Iterator[Finding]:
    for failure in outcome.failures:
        path = failure.path if failure.path and project.is_indexed(failure.path) else None
        verb = "failed" if failure.kind == "failed" else "errored"
        # What a test prints of the environment is the project's; a secret value is not.
        message = mask_secrets(failure.message, os.environ)
        yield Finding(
            f"{failure.test} {verb}" + (f": {message}" if message else ""),
            path=path,
            line=failure.line if path else None,
            hint=f"run `python -m pytest {failure.test}` to see the whole failure",
        )


# -- retrain --------------------------------------------------------------------------------------


def _run_retrain(
    project: Project, interpreter: Interpreter, options: RunOptions
) -> Iterator[RunOutcome]:
    retrain = project.contract.retrain
    smoke = retrain.smoke if retrain is not None else None
    if smoke is None:
        finding = project.contract_finding(
            "--run retrain: the contract declares no retrain.smoke, a fast dry run of the "
            "retrain entrypoint on a small sample",
            "retrain",
            hint="add under retrain:\n"
            "  smoke:\n"
            "    command: python -m mypackage.train --config configs/smoke.yaml\n"
            "    outputs: {predictions: predictions.json}  # written into $DSDONE_OUTPUT_DIR",
        )
        yield _not_declared("retrain", "smoke", interpreter, finding)
        return
    with tempfile.TemporaryDirectory(prefix="dsdone-smoke-") as scratch:
        command = _with_python(smoke.command, interpreter)
        completed, changed = _run(
            project, command, options, smoke.timeout, {"DSDONE_OUTPUT_DIR": scratch}
        )
        findings = list(_changes_finding("smoke run", changed))
        if not completed.ok:
            findings.append(_failed_to_run("smoke run", completed, None))
        else:
            outputs = {item.name: item for item in project.contract.outputs or ()}
            for name, relative in sorted(smoke.outputs.items()):
                findings.extend(check_output(project, outputs[name], Path(scratch), relative))
    yield _outcome("retrain", "smoke", completed, interpreter, _how_it_ended(completed), findings)


# -- verify -----------------------------------------------------------------------------------


def _run_verify(
    project: Project, interpreter: Interpreter, options: RunOptions
) -> Iterator[RunOutcome]:
    monitoring = project.contract.monitoring
    scripts = monitoring.verification if monitoring is not None else ()
    expecting = [i for i in project.contract.inputs or () if i.expectations is not None]
    yield from _run_expectations(project, interpreter, options, expecting)
    if not scripts and not expecting:
        finding = project.contract_finding(
            "--run verify: the contract declares no monitoring.verification scripts and no "
            "input expectations",
            "monitoring",
            hint="add under monitoring:\n"
            "  verification:\n"
            "    - name: drift\n"
            "      function: mypackage.monitoring:check_drift",
        )
        yield _not_declared("verify", "verification", interpreter, finding)
        return
    for script in scripts:
        if script.command is not None:
            command = _with_python(script.command, interpreter)
        else:
            assert script.function is not None  # the contract requires one of the two
            module, _, function = script.function.partition(":")
            command = (interpreter.path, "-c", _CALL, module, function)
        completed, changed = _run(project, command, options, script.timeout, {})
        findings = list(_changes_finding(f"verification '{script.name}'", changed))
        if not completed.ok:
            findings.append(_failed_to_run(f"verification '{script.name}'", completed, None))
        yield _outcome(
            "verify", script.name, completed, interpreter, _how_it_ended(completed), findings
        )


def _run_expectations(
    project: Project, interpreter: Interpreter, options: RunOptions, inputs: list[Input]
) -> Iterator[RunOutcome]:
    """Each input's pandera schema and Great Expectations suite, on its committed sample."""
    for item in inputs:
        assert item.expectations is not None
        label = f"inputs[{item.index}]" + (f" ({item.name})" if item.name else "")
        declared = (
            ("pandera", item.expectations.pandera),
            ("great_expectations", item.expectations.great_expectations),
        )
        for tool, reference in declared:
            if not reference:
                continue
            name = f"{item.name or item.index} {tool}"
            sample = _readable_sample(project, item)
            if sample is None:
                finding = project.contract_finding(
                    f"--run verify: {label} declares {tool} expectations but no sample in csv, "
                    "tsv, json, jsonl or ndjson to run them on",
                    "inputs",
                    item.index,
                    hint="add `sample:` with a small committed extract of the input",
                )
                yield dataclasses.replace(
                    _not_declared("verify", name, interpreter, finding), check_id="input-schema"
                )
                continue
            path, fmt, records = sample
            expectation = Expectation(tool, label, path, records)
            with tempfile.TemporaryDirectory(prefix="dsdone-expect-") as scratch:
                out = Path(scratch) / "result.json"
                if tool == "pandera":
                    module, _, obj = reference.partition(":")
                    args: tuple[str, ...] = (PANDERA, str(out), path, fmt, module, obj)
                else:
                    args = (GREAT_EXPECTATIONS, str(out), path, fmt, str(project.root / reference))
                command = (interpreter.path, "-c", *args)
                completed, changed = _run(project, command, options, None, {})
                result = read_result(out)
            findings = list(_changes_finding(f"{tool} run", changed))
            if result is not None:
                findings.extend(result_findings(expectation, result))
            if result is None or (not completed.ok and not findings):
                findings.append(_failed_to_run(f"{tool} run of {label}", completed, None))
            summary = (
                _how_it_ended(completed)
                if result is None
                else ("expectations met" if not findings else f"{len(findings)} finding(s)")
            )
            outcome = _outcome("verify", name, completed, interpreter, summary, findings)
            yield dataclasses.replace(outcome, check_id="input-schema")


def _readable_sample(project: Project, item: Input) -> tuple[str, str, list[Record]] | None:
    if not item.sample:
        return None
    path = posixpath.normpath(item.sample.strip())
    fmt = _SAMPLE_FORMATS.get(posixpath.splitext(path)[1].lower()) or (item.format or "").lower()
    if fmt not in _SAMPLE_FORMATS.values() or not project.is_indexed(path):
        return None
    try:
        records = read_records(project.read_text(path), fmt, {})
    except (OSError, UnicodeDecodeError, SampleError):
        return None
    return path, fmt, records


_SAMPLE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "ndjson",
}


# Calls module:function with no arguments; it fails by raising (or by returning False).
_CALL = (
    "import importlib, sys; "
    "result = getattr(importlib.import_module(sys.argv[1]), sys.argv[2])(); "
    "sys.exit(1 if result is False else 0)"
)


def _import_path(project: Project) -> dict[str, str]:
    """The project's code importable by ``module:function``: its folder and ``src/``."""
    paths = [str(project.root)] + ([str(project.root / "src")] if "src" in project.folders else [])
    existing = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join([*paths, *([existing] if existing else [])])}


_RUNNERS = {"tests": _run_tests, "retrain": _run_retrain, "verify": _run_verify}


# -- shared ---------------------------------------------------------------------------------------


def _run(
    project: Project,
    command: Sequence[str],
    options: RunOptions,
    declared_timeout: float | None,
    extra: dict[str, str],
) -> tuple[Completed, frozenset[str]]:
    """Run ``command`` in the project folder; also what it changed there."""
    timeout = options.timeout or declared_timeout or DEFAULT_TIMEOUT_SECONDS
    before = work_tree_snapshot(project.root)
    # The project's code importable from its checkout (as pytest's `pythonpath = src` makes
    # it), whether or not it is installed in the interpreter's environment.
    environment = run_environment({**_import_path(project), **extra})
    command = _expand(command, environment)
    completed = run_command(command, project.root, timeout=timeout, environment=environment)
    after = work_tree_snapshot(project.root)
    changed = after - before if before is not None and after is not None else frozenset()
    return completed, changed


def _with_python(command: Sequence[str], interpreter: Interpreter) -> tuple[str, ...]:
    """``python ...`` runs with the chosen interpreter, not whichever is first on PATH."""
    if command and command[0] in ("python", "python3"):
        return (interpreter.path, *command[1:])
    return tuple(command)


def _expand(command: Sequence[str], environment: Mapping[str, str]) -> tuple[str, ...]:
    """``$DSDONE_OUTPUT_DIR`` and other ``$VARIABLES`` in the words of a command, expanded as a
    shell would expand them, with no shell to run it (an unknown one is left as it is)."""
    return tuple(
        _VARIABLE.sub(lambda m: environment.get(m[1] or m[2], m[0]), word) for word in command
    )


_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def _changes_finding(what: str, changed: frozenset[str]) -> Iterator[Finding]:
    if changed:
        names = sorted(entry[3:] for entry in changed)
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        yield Finding(
            f"the {what} changed files of the project: {shown}",
            path=names[0],
            hint="write outputs to a temporary folder ($DSDONE_OUTPUT_DIR under --run retrain), "
            "or ignore them in .gitignore",
        )


def _failed_to_run(what: str, completed: Completed, detail: str | None) -> Finding:
    last = completed.output_tail.strip().splitlines()[-1:] if completed.output_tail else []
    message = f"the {what} {_how_it_ended(completed)}"
    if detail:
        message += f" ({detail})"
    if last:
        message += f": {last[0][:300]}"
    hint = f"run `{_shown(completed.command)}` in {completed.cwd} to see why"
    if completed.start_error is not None:
        hint = "pass --python with the project's interpreter, or create the project's .venv"
    elif "No module named pytest" in completed.output_tail:
        hint = "install pytest in the project's environment, or pass --python with one that has it"
    return Finding(message, hint=hint)


def _how_it_ended(completed: Completed) -> str:
    if completed.start_error is not None:
        return f"could not start: {completed.start_error}"
    if completed.timed_out:
        return f"did not finish in {completed.duration_s:g} s and was stopped"
    if completed.signal is not None:
        return f"was killed by signal {completed.signal}"
    if completed.exit_code == 0:
        return "succeeded"
    return f"failed with exit code {completed.exit_code}"


def _outcome(
    kind: str,
    name: str,
    completed: Completed,
    interpreter: Interpreter,
    summary: str,
    findings: list[Finding],
) -> RunOutcome:
    record = RunRecord(
        kind=kind,
        name=name,
        command=completed.command,
        interpreter=f"{interpreter.path} ({interpreter.why})",
        exit_code=completed.exit_code,
        duration_s=completed.duration_s,
        timed_out=completed.timed_out,
        output_tail=completed.output_tail,
        outcome=summary,
    )
    return RunOutcome(record, CHECK_OF[kind], tuple(findings))


def _not_declared(kind: str, name: str, interpreter: Interpreter, finding: Finding) -> RunOutcome:
    record = RunRecord(kind, name, (), interpreter.path, None, 0.0, outcome="not declared")
    return RunOutcome(record, CHECK_OF[kind], (finding,))


def _shown(command: Sequence[str]) -> str:
    import shlex

    return shlex.join(command)
