"""breaking-changes: since the revision ``--base`` names, no output changed its schema in a way
that breaks its consumers, and no input in a way that breaks its producers, unless the contract
says so (a new major ``version``, or a waiver with ``change:``)."""

from __future__ import annotations

from collections.abc import Iterator

from dsdone.analysis.schema_diff import Change, Direction, Kind, Verdict
from dsdone.api import Note, check
from dsdone.project import Project
from dsdone.report import Finding

from ._at_base import EntryChanges, locate, major, open_base, schema_changes


@check(
    id="breaking-changes",
    title="Outputs and inputs keep the schemas promised at the base revision",
    severity="error",
    area="monitoring",
    ml_test_score=("D1", "Mon1"),
    fix="Keep the old shape (add, don't change), or raise the output's `version` to a new major "
    "version when its consumers are ready, or waive the change (`change:`) until they are.",
    since="0.2.0",
)
def breaking_changes(project: Project) -> Iterator[Finding | Note]:
    """Once consumers build on an output, the worst regression is a silent one: a column
    removed or renamed, a field that was always there made optional, a score that turns into a
    string, a category no consumer has seen. With `--base REF` (in CI, the pull request's base)
    this check reads the contract and each schema as they were at REF, straight from git, and
    compares them with the ones under review.

    Outputs are read by consumers: a change breaks them when the new schema admits what the old
    one did not (a type widened, null allowed, an enum value added, a bound, format or pattern
    loosened, a required property made optional, a new property in a closed record), and when
    an output, its schema or a property is removed. Inputs are written by upstream producers:
    a change breaks them when the project now demands more (a new required property, a type or
    enum narrowed, tighter bounds, a record closed). `$ref`s are followed within REF's tree.
    Compatible changes are listed as notes; what cannot be decided statically (oneOf, not,
    if/then) is left to contract-changes, for a person to review.

    A breaking change is accepted when the contract raises the output's (or input's) `version`
    to a new major version, or by a waiver naming it: `change: scores#/properties/score/type`.
    Without `--base` the check is skipped.
    """
    base = open_base(project)
    notes: list[str] = []
    compared = 0
    for entry in schema_changes(project, base):
        compared += 1
        yield from _entry_findings(project, entry, notes)
    if not notes:
        notes.append(f"{compared} inputs and outputs compared with {base.name}")
    for note in notes:
        yield Note(note)


def _entry_findings(project: Project, entry: EntryChanges, notes: list[str]) -> Iterator[Finding]:
    output = entry.direction is Direction.OUTPUT
    if entry.new is None:
        if output:
            yield Finding(
                f"{entry.label} was removed from the contract (or renamed): its consumers lose it",
                path=project.contract_path,
                line=project.contract.line_of("outputs"),
                hint="keep the output (say it is deprecated in its description first), or waive "
                f'this with `change: "{entry.name}"` until its consumers have moved',
                change=entry.name,
            )
        return
    breaking = [c for c in entry.changes if c.verdict(entry.direction) is Verdict.BREAKING]
    compatible = [c for c in entry.changes if c.verdict(entry.direction) is Verdict.COMPATIBLE]
    breaking_count = 1 if entry.schema_removed and output else len(breaking)
    if entry.bumped is not None and breaking_count:
        notes.append(
            f"{entry.label}: {breaking_count} breaking change"
            f"{'s' if breaking_count != 1 else ''} accepted by its new major version "
            f"{entry.bumped}"
        )
        return
    if entry.schema_removed and output:
        yield Finding(
            f"{entry.label}: its schema was removed; consumers lose the promise of its shape",
            path=project.contract_path,
            line=project.contract.line_of(entry.section, entry.new.index),
            hint=_hint(project, entry, ""),
            change=entry.name,
        )
        return
    for change in breaking:
        path, line = locate(project, change.place)
        yield Finding(
            f"{entry.label}: {change.pointer or '/'}: {_consequence(change, entry.direction)}",
            path=path,
            line=line,
            hint=_hint(project, entry, change.pointer),
            change=f"{entry.name}#{change.pointer}",
        )
    if compatible:
        what = "consumers may now rely on" if output else "the project now accepts"
        listed = "; ".join(c.summary for c in compatible[:5])
        more = f" and {len(compatible) - 5} more" if len(compatible) > 5 else ""
        notes.append(f"{entry.label}: compatible changes ({what}): {listed}{more}")


def _consequence(change: Change, direction: Direction) -> str:
    if direction is Direction.INPUT:
        return (
            f"{change.summary}; the project now rejects {change.rejects}, which its producers "
            "may still send"
        )
    if change.kind is Kind.PROPERTY_REMOVED:
        return f"{change.summary} (or renamed); a consumer that reads it breaks"
    return f"{change.summary}; a consumer may now receive {change.admits}"


def _hint(project: Project, entry: EntryChanges, pointer: str) -> str:
    assert entry.new is not None
    who = "its consumers" if entry.direction is Direction.OUTPUT else "its producers"
    consumers = project.contract.project.consumers
    if consumers and entry.direction is Direction.OUTPUT:
        who += f" ({', '.join(consumers)})"
    bump = major(entry.new.version) + 1
    singular = entry.section.removesuffix("s")
    return (
        f"if {who} are ready for it, raise the {singular}'s `version` to {bump}; or accept it "
        f'for a while with a waiver: `change: "{entry.name}#{pointer}"`, a reason and `until:`'
    )
