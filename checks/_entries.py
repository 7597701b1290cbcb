"""Findings about the lists a contract declares (``inputs``, ``outputs``), shared by the checks
of both, so that the two report a missing or repeated name in the same words."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dsdone.contract import Input, Output
from dsdone.project import Project
from dsdone.report import Finding


def entry_label(section: str, item: Input | Output) -> str:
    """``inputs[2] (transactions)``: how a finding names one entry of the contract."""
    return f"{section}[{item.index}]" + (f" ({item.name})" if item.name else "")


def missing_finding(
    project: Project, section: str, entries: Sequence[Input | Output] | None, example: str
) -> Finding:
    """The finding for a list the contract leaves out (``None``) or leaves empty, with
    ``example`` (a minimal entry) as the hint."""
    if entries is None:
        return project.contract_finding(f"the contract declares no {section}", hint=example)
    return project.contract_finding(f"{section}: is empty", section, hint=example)


def name_findings(
    project: Project, section: str, entries: Sequence[Input | Output], example: str
) -> Iterator[Finding]:
    """A finding for each entry without a name, and for each that repeats an earlier name:
    consumers and the report refer to an input or an output by its name."""
    singular = section.removesuffix("s")
    first_seen: dict[str, int] = {}
    for item in entries:
        if not item.name:
            yield project.contract_finding(
                f"{section}[{item.index}] has no name",
                section,
                item.index,
                hint=f"add `name:` with a short unique name, such as {example}",
            )
        elif item.name in first_seen:
            other = first_seen[item.name]
            yield project.contract_finding(
                f"{entry_label(section, item)}: the name '{item.name}' is also used by "
                f"{section}[{other}] (line {project.contract.line_of(section, other, 'name')})",
                section,
                item.index,
                "name",
                hint=f"give each {singular} a name of its own",
            )
        else:
            first_seen[item.name] = item.index
