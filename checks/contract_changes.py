"""contract-changes: since the revision ``--base`` names, the contract did not lower the bar
unnoticed, and no schema changed in a way only a person can judge."""

from __future__ import annotations

from collections.abc import Iterator

from dsdone.analysis.schema_diff import Verdict
from dsdone.api import Note, check
from dsdone.contract import Contract, Waiver, release
from dsdone.project import Project
from dsdone.report import Finding

from ._at_base import SECTIONS, Base, entries_by_name, locate, open_base, schema_changes


@check(
    id="contract-changes",
    title="A change to the contract does not lower the bar unnoticed",
    severity="warning",
    area="infrastructure",
    ml_test_score=("M1",),
    fix="Say in the pull request why the bar is lowered, so that a reviewer agrees to it; or "
    "keep the contract as it was.",
    since="0.2.0",
)
def contract_changes(project: Project) -> Iterator[Finding | Note]:
    """A pull request that turns a check off, lowers its severity, adds or extends a waiver,
    lowers `min_tests` or `written_for`, drops an input or output from the contract, or excludes
    paths from a check makes the gate weaker, and the diff of dsdone.yaml is easy to miss among
    the code. With `--base REF` this check compares the contract with the one at REF and names
    each such change at its line, as a warning by default: the reviewer sees it, and decides.

    It also lists the schema changes breaking-changes cannot decide statically (oneOf, not,
    if/then/else, patternProperties, a keyword dsdone does not compare, a `$ref` that cannot
    be resolved): a person must judge whether they break consumers or producers. Waive one with
    `change:` as for breaking-changes. Without `--base` the check is skipped.
    """
    base = open_base(project)
    findings = [*_weakened(project, base), *_to_review(project, base)]
    yield from findings
    if not findings:
        yield Note(f"nothing lowers the bar since {base.name}")


def _weakened(project: Project, base: Base) -> Iterator[Finding]:
    old, new = base.contract, project.contract
    yield from _checks(project, old, new)
    yield from _waivers(project, old, new, base.name)
    if new.tests.min_tests < old.tests.min_tests:
        yield project.contract_finding(
            f"tests.min_tests was lowered from {old.tests.min_tests} to {new.tests.min_tests}",
            "tests",
            "min_tests",
        )
    for section, _ in SECTIONS:
        now = entries_by_name(getattr(new, section))
        for name in entries_by_name(getattr(old, section)):
            if name not in now:
                singular = section.removesuffix("s")
                yield project.contract_finding(
                    f"{singular} '{name}' was removed from the contract: no check looks at it "
                    "any more",
                    section,
                )
    if release(new.written_for) < release(old.written_for):
        yield project.contract_finding(
            f"written_for was lowered from {old.written_for} to {new.written_for}: checks "
            "added since no longer block",
            "written_for",
        )


def _checks(project: Project, old: Contract, new: Contract) -> Iterator[Finding]:
    for check_id in sorted(set(old.checks) | set(new.checks)):
        before, after = old.settings(check_id), new.settings(check_id)
        if before.enabled and not after.enabled:
            yield project.contract_finding(
                f"check '{check_id}' was turned off", "checks", check_id, "enabled"
            )
            continue
        default = project.severities.get(check_id)
        was, now = before.severity or default, after.severity or default
        if was is not None and now is not None and now < was:
            yield project.contract_finding(
                f"check '{check_id}': severity lowered from {was.value} to {now.value}",
                "checks",
                check_id,
                "severity",
            )
        added = [glob for glob in after.exclude if glob not in before.exclude]
        if added:
            yield project.contract_finding(
                f"check '{check_id}' now drops its findings in {', '.join(added)} (exclude)",
                "checks",
                check_id,
                "exclude",
            )


def _waivers(project: Project, old: Contract, new: Contract, base: str) -> Iterator[Finding]:
    def key(waiver: Waiver) -> tuple[str, str | None, tuple[str, ...]]:
        return waiver.check, waiver.change, waiver.paths

    before = {key(waiver): waiver for waiver in old.waivers}
    for waiver in new.waivers:
        earlier = before.get(key(waiver))
        what = f"waiver of '{waiver.check}'" + (f" ({waiver.change})" if waiver.change else "")
        until = waiver.until.isoformat() if waiver.until else "no end date"
        if earlier is None:
            message = f"a {what} was added since {base} (until {until}): {waiver.reason}"
        elif earlier.until is not None and (waiver.until is None or waiver.until > earlier.until):
            message = f"the {what} was extended from {earlier.until.isoformat()} to {until}"
        else:
            continue
        yield project.contract_finding(message, "waivers", waiver.index)


def _to_review(project: Project, base: Base) -> Iterator[Finding]:
    for entry in schema_changes(project, base):
        if entry.bumped is not None:
            continue
        for change in entry.changes:
            if change.verdict(entry.direction) is not Verdict.REVIEW:
                continue
            path, line = locate(project, change.place)
            who = "consumers" if entry.section == "outputs" else "producers"
            yield Finding(
                f"{entry.label}: {change.pointer or '/'}: {change.summary}; a person must judge "
                f"whether it breaks its {who}",
                path=path,
                line=line,
                hint="review the change; accept it with a waiver "
                f'(`change: "{entry.name}#{change.pointer}"`) or a new major `version`',
                change=f"{entry.name}#{change.pointer}",
            )
