"""What a report format lists of a check's findings: a flood in one file as one entry with its
count, and no more than the check's ``max_findings`` entries.

A notebook's saved output or a log file can hold the same problem hundreds of times; 400 lines
with 400 identical hints hide the other findings and say nothing more than one line with "400
like this here". This is only what is shown: the report keeps every finding, and the totals,
the gate and the baseline count them one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from dsdone.report import Finding, Place

# More findings than this of one check in one file, with the same hint (so the same fix) and
# the same standing (new, in the baseline, waived), are a flood: shown as one entry. Fewer are
# listed one by one, since each may need its own fix. In a notebook the saved outputs of all
# its cells are one flood (one fix clears them all), apart from the paths in its code.
FLOOD = 10
# Where the next findings of a flood are, after the first: enough to find them, not a list.
PLACES_SHOWN = 4
# The default of a check's ``max_findings``: entries listed per check in every format.
DEFAULT_MAX_FINDINGS = 50


@dataclass(frozen=True)
class Shown:
    """The entries a format lists, in the report's order, and how many findings (counted one
    by one) are not listed because of ``max_findings``."""

    findings: tuple[Finding, ...]
    not_shown: int = 0


def shown_findings(findings: Iterable[Finding], max_findings: int | None) -> Shown:
    """``findings`` (sorted, as a result holds them) as a format lists them."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for finding in findings:
        if finding.path is None:  # about the whole project: never part of a flood
            groups[(id(finding),)] = [finding]
            continue
        key = (finding.path, finding.hint, finding.known, finding.waived)
        groups.setdefault(key, []).append(finding)
    entries: list[Finding] = []
    for members in groups.values():
        if len(members) > FLOOD:
            entries.append(_flood(members))
        else:
            entries.extend(members)
    entries.sort(key=Finding.sort_key)  # a flood where its first finding is
    if max_findings is None or len(entries) <= max_findings:
        return Shown(tuple(entries))
    listed = entries[:max_findings]
    return Shown(tuple(listed), sum(entry.count for entry in entries[max_findings:]))


def _flood(members: list[Finding]) -> Finding:
    places = tuple(Place(f.line, f.column) for f in members[1 : 1 + PLACES_SHOWN])
    return replace(members[0], count=len(members), also_at=places)
