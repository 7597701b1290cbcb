"""The outcome of a test run, read from the JUnit XML report pytest writes.

pytest's default JUnit flavour (xunit2) names neither file nor line; dsdone asks for xunit1,
whose ``<testcase file=... line=...>`` gives both (``line`` is 0-based and points at the
``def``). The file is written by the project's own test run, so it is read with a size bound
and without resolving entities.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

MAX_REPORT_BYTES = 64 * 1024 * 1024
_MESSAGE_CHARS = 500  # of a failure's message, in the report


@dataclass(frozen=True)
class Failure:
    test: str  # tests/test_train.py::test_fit
    kind: str  # "failed" or "error"
    message: str
    path: str | None  # as pytest names it, relative to where it ran
    line: int | None  # 1-based


@dataclass
class TestOutcome:
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    def summary(self) -> str:
        parts = [f"{self.passed} passed"]
        parts += [f"{n} {word}" for n, word in ((self.failed, "failed"), (self.errors, "errors"))]
        parts.append(f"{self.skipped} skipped")
        return ", ".join(parts)


class UnreadableReport(Exception):
    """The JUnit report is missing, too large or not XML."""


def read_junit(path: Path) -> TestOutcome:
    try:
        size = path.stat().st_size
    except OSError:
        raise UnreadableReport("the test run wrote no JUnit report") from None
    if size > MAX_REPORT_BYTES:
        raise UnreadableReport(f"the JUnit report is larger than {MAX_REPORT_BYTES >> 20} MB")
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        raise UnreadableReport(f"the JUnit report is not XML ({exc})") from None
    outcome = TestOutcome()
    for case in root.iter("testcase"):
        _count(case, outcome)
    return outcome


def _count(case: Element, outcome: TestOutcome) -> None:
    failure = case.find("failure")
    error = case.find("error")
    if case.find("skipped") is not None:
        outcome.skipped += 1
    elif failure is None and error is None:
        outcome.passed += 1
    else:
        problem = failure if failure is not None else error
        assert problem is not None  # one of the two, by the branch above
        kind = "failed" if failure is not None else "error"
        if kind == "failed":
            outcome.failed += 1
        else:
            outcome.errors += 1
        outcome.failures.append(
            Failure(
                test=_test_id(case),
                kind=kind,
                message=(problem.get("message") or problem.text or "").strip()[:_MESSAGE_CHARS],
                path=case.get("file"),
                line=_line(case.get("line")),
            )
        )


def _test_id(case: Element) -> str:
    name = case.get("name", "?")
    file = case.get("file")
    if file:
        classname = case.get("classname", "")
        module = file.removesuffix(".py").replace("/", ".")
        inner = classname.removeprefix(module).lstrip(".")
        return "::".join(part for part in (file, inner, name) if part)
    return f"{case.get('classname', '')}::{name}".strip(":")


def _line(value: str | None) -> int | None:
    if value is None or not value.isascii() or not value.isdigit():
        return None
    return int(value) + 1  # xunit1 counts from 0
