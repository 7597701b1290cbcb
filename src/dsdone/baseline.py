"""The baseline: a previous JSON report whose findings are known, so that only new ones block.

The baseline lists every finding on its own (``--write-baseline`` writes it so), and this run's
findings are matched one by one, before any format groups them: a flood that grows by 100 has
100 new findings, the rest stay known. A report that grouped or left out findings is refused.

A finding is known when the baseline has one with the same project folder, check, path and
message. The line is left out on purpose: an edit above a finding moves it without making it a
new problem. Matching counts: if the baseline had one "TODO left" in a file and the file now
has two, one of them is new.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsdone.errors import DsdoneError
from dsdone.parse_errors import describe
from dsdone.parsed import DataError, load_json
from dsdone.render.escape import valid_text
from dsdone.report import CheckResult, Finding, Status
from dsdone.safe_read import read_regular, too_large

# A JSON report of a large monorepo is a few megabytes; a baseline larger than this is not one.
MAX_BASELINE_BYTES = 256 * 1024 * 1024

Key = tuple[str, str, str, str]  # (project folder, check, path or "", message)


@dataclass(frozen=True)
class Baseline:
    keys: Mapping[Key, int]  # how many findings the baseline has with each key


def load_baseline(path: Path) -> Baseline:
    """Read a JSON report written by ``dsdone check --format json`` (or ``--write-baseline``),
    of one project or of ``--all``."""
    hint = "write one with `dsdone check --write-baseline FILE`"
    try:
        # A regular file (a named pipe would wait forever), of a report's size at most.
        raw = read_regular(str(path), MAX_BASELINE_BYTES + 1)
        if len(raw) > MAX_BASELINE_BYTES:
            raise too_large(MAX_BASELINE_BYTES, "too large to be a baseline", str(path))
        data = load_json(raw.decode("utf-8"))
    except OSError as exc:
        raise DsdoneError(f"--baseline: cannot read {path}: {exc.strerror}", hint=hint) from None
    except UnicodeDecodeError as exc:
        failure = describe(exc)
        raise DsdoneError(f"--baseline: {path} is not JSON: {failure.what}", hint=hint) from None
    except DataError as exc:  # nested 100,000 deep, an integer of 5,000 digits, a syntax error
        at = f" (line {exc.line}, column {exc.column})" if exc.line else ""
        raise DsdoneError(f"--baseline: {path} is not JSON: {exc.message}{at}", hint=hint) from None
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        raise DsdoneError(
            f"--baseline: {path} is not a dsdone JSON report (schema_version 1)", hint=hint
        )
    projects = data["projects"] if isinstance(data.get("projects"), list) else [data]
    keys: Counter[Key] = Counter()
    partial: set[str] = set()
    try:
        for project in projects:
            folder = str(project.get("folder") or "")
            for result in project["results"]:
                if result.get("not_shown"):
                    partial.add(str(result["check"]))
                for finding in result["findings"]:
                    if finding.get("count", 1) != 1:
                        partial.add(str(result["check"]))
                    keys[_key(folder, str(result["check"]), finding)] += 1
    except (KeyError, TypeError, AttributeError):
        raise DsdoneError(
            f"--baseline: {path} does not have the shape of a dsdone JSON report", hint=hint
        ) from None
    if partial:
        # Matching it would make the findings it groups or leaves out look new.
        raise DsdoneError(
            f"--baseline: {path} does not list every finding of {', '.join(sorted(partial))} "
            "(a report shows a flood as one entry and at most max_findings of them)",
            hint=f"write the baseline with `dsdone check --write-baseline {path}`, which lists "
            "every finding",
        )
    return Baseline(dict(keys))


def _key(folder: str, check: str, finding: Mapping[str, Any]) -> Key:
    return (folder, check, str(finding.get("path") or ""), str(finding["message"]))


def finding_key(folder: str, check: str, finding: Finding) -> Key:
    """The key of a finding of this run, spelled as the JSON report spells it (a byte of a
    name that is not UTF-8 as ``\\xNN``), so that it matches the baseline's."""
    return (valid_text(folder), check, valid_text(finding.path or ""), valid_text(finding.message))


def apply_baseline(
    results: Iterable[CheckResult], baseline: Baseline, folder: str
) -> tuple[CheckResult, ...]:
    """``results`` with every finding the baseline already had marked ``known``."""
    remaining = Counter(baseline.keys)
    applied: list[CheckResult] = []
    for result in results:
        findings: list[Finding] = []
        for finding in result.findings:  # sorted, so the same ones match every time
            key = finding_key(folder, result.check, finding)
            if remaining[key] > 0:
                remaining[key] -= 1
                finding = dataclasses.replace(finding, known=True)
            findings.append(finding)
        known = sum(1 for f in findings if f.known)
        if not known:
            applied.append(result)
            continue
        new = sum(1 for f in findings if f.is_new)
        summary = result.summary + (
            f"; {new} new, {known} in the baseline" if new else "; all in the baseline"
        )
        if result.status is Status.WAIVED:
            summary = result.summary  # the waiver already says why it does not block
        applied.append(dataclasses.replace(result, summary=summary, findings=tuple(findings)))
    return tuple(applied)
