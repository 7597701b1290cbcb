"""Waivers: known failures the contract accepts for a while, with a reason and an expiry date.

A waiver accepts the findings of its check (only those under its ``paths`` globs, when it has
some, a finding without a path is then not covered; and with ``change:``, only the findings
about that change, for a check that reports changes since another revision). It holds up to
and including its ``until`` day. An accepted finding stays in the report, marked waived; a
check all of whose findings are accepted gets the status ``waived`` and does not block. After
the date the findings block again and the check's summary says "waiver expired on ...".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from dsdone.contract import Waiver
from dsdone.globs import compile_globs
from dsdone.report import CheckResult, Finding, Status, Waived


def apply_waivers(
    results: Iterable[CheckResult],
    waivers: Iterable[Waiver],
    today: date,
    line_of: dict[int, int | None] | None = None,
) -> tuple[CheckResult, ...]:
    """``results`` with the waivers applied as of ``today``. ``line_of`` maps a waiver's index
    to its line in the contract, so that the report can point at it."""
    by_check: dict[str, list[Waiver]] = {}
    for waiver in waivers:
        by_check.setdefault(waiver.check, []).append(waiver)
    return tuple(
        _apply(result, by_check.get(result.check, []), today, line_of or {}) for result in results
    )


def _covers(waiver: Waiver, finding: Finding) -> bool:
    if waiver.change is not None and not change_covers(waiver.change, finding.change):
        return False
    if not waiver.paths:
        return True
    return finding.path is not None and compile_globs(waiver.paths).match_file(finding.path)


def change_covers(accepted: str, change: str | None) -> bool:
    """Whether a waiver's ``change:`` names ``change`` (``scores#/properties/score/type``) or a
    part of the schema that holds it: ``scores`` (every change of that entry),
    ``scores#/properties/score``, or a path alone, ``/properties/score``, in any entry."""
    if change is None:
        return False
    name, _, pointer = change.partition("#")
    if accepted.startswith("/"):
        return _below(pointer, accepted)
    accepted_name, hash_sign, accepted_pointer = accepted.partition("#")
    return accepted_name == name and (not hash_sign or _below(pointer, accepted_pointer))


def _below(pointer: str, prefix: str) -> bool:
    """Whether the JSON pointer ``pointer`` is ``prefix`` or below it."""
    prefix = prefix.rstrip("/")
    return pointer == prefix or pointer.startswith(prefix + "/")


def _apply(
    result: CheckResult, waivers: list[Waiver], today: date, line_of: dict[int, int | None]
) -> CheckResult:
    if result.status is not Status.FAIL or not waivers:
        return result
    findings: list[Finding] = []
    expired: dict[int, Waiver] = {}
    for finding in result.findings:
        covering = [w for w in waivers if _covers(w, finding)]
        active = next((w for w in covering if w.until is None or today <= w.until), None)
        if active is not None:
            until = active.until.isoformat() if active.until else None
            finding = dataclasses.replace(
                finding, waived=Waived(active.reason, until, line_of.get(active.index))
            )
        else:
            expired.update((w.index, w) for w in covering)
        findings.append(finding)
    waived = [f for f in findings if f.waived is not None]
    notes = [result.summary]
    status: Status = result.status
    if waived and len(waived) == len(findings):
        status = Status.WAIVED
        reasons = sorted({f.waived.reason for f in waived if f.waived is not None})
        notes.append("waived: " + "; ".join(reasons))
    elif waived:
        notes.append(f"{len(waived)} waived")
    for waiver in sorted(expired.values(), key=lambda w: w.index):
        assert waiver.until is not None  # only a dated waiver expires
        notes.append(f"waiver expired on {waiver.until.isoformat()} ({waiver.reason})")
    return dataclasses.replace(
        result, status=status, summary="; ".join(notes), findings=tuple(findings)
    )
