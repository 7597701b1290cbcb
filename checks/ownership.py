"""ownership: someone answers for the model, and someone is known to use what it produces."""

from __future__ import annotations

from collections.abc import Iterator

from dsdone.analysis.contacts import HOW_TO_REACH, is_reachable
from dsdone.api import Note, check
from dsdone.globs import compile_globs
from dsdone.project import OutsideProject, Project
from dsdone.report import Area, Finding, Severity

# Where GitHub (first three, in its order) and GitLab look for code owners.
CODEOWNERS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


@check(
    id="ownership",
    title="The model has a reachable owner and declared consumers",
    severity=Severity.WARNING,
    area=Area.MONITORING,
    ml_test_score=("Mon1",),
    fix="Set project.owner to an e-mail or team handle, declare who consumes each output, and "
    "cover the project folder in CODEOWNERS.",
    since="0.2.0",
)
def ownership(project: Project) -> Iterator[Finding | Note]:
    """A model in production needs someone to page when it misbehaves and someone to tell
    before it changes. An owner nobody can reach, or a data product without a declared
    customer, is how models rot unnoticed and how a change breaks a team nobody knew about.

    The owner (`project.owner`) must be reachable: an e-mail address, a team handle
    (`@org/team`), a chat channel (`#ml-oncall`) or a URL. Each output must have consumers,
    its own (`outputs[].consumers`) or the project's (`project.consumers`). When the repository
    has a CODEOWNERS file (GitHub's or GitLab's places), its last rule that matches the
    contract's path must name an owner, as GitHub reads it.
    """
    info = project.contract.project
    owner = info.owner.strip()
    if not is_reachable(owner):
        yield project.contract_finding(
            f"the owner {owner!r} is not an address anyone can reach",
            "project",
            "owner",
            hint=f"name {HOW_TO_REACH}",
        )
    for output in project.contract.outputs or ():
        consumers = output.consumers if output.consumers is not None else info.consumers
        if not consumers:
            label = f"outputs[{output.index}]" + (f" ({output.name})" if output.name else "")
            yield project.contract_finding(
                f"{label}: nobody is declared to consume it",
                "outputs",
                output.index,
                hint="list the teams or systems that read it under project.consumers (or this "
                "output's consumers:); a data product without a customer is one nobody notices "
                "breaking",
            )
    yield from _codeowners(project)


def _codeowners(project: Project) -> Iterator[Finding | Note]:
    found = next((path for path in CODEOWNERS if project.repository_has_file(path)), None)
    if found is None:
        yield Note(f"owner {project.contract.project.owner}")
        return
    folder = project.repository_folder or ""
    target = f"{folder}/{project.contract_path}" if folder else project.contract_path
    try:
        text = project.read_repository_text(found)
    except (OSError, OutsideProject, UnicodeDecodeError):
        yield Finding(f"{found} cannot be read", hint="save CODEOWNERS as UTF-8 text")
        return
    rule: tuple[int, str, list[str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words or line.lstrip().startswith(("[", "^[")):  # GitLab's [Section] headers
            continue
        try:
            matches = compile_globs((words[0],)).match_file(target)
        except ValueError:  # a pattern git would not accept: GitHub ignores the line
            continue
        if matches:
            rule = (number, words[0], words[1:])
    shown = target if not folder else f"the project folder {folder}/"
    at = project.from_repository_top(found)
    if rule is None:
        yield Finding(
            f"no rule of {found} covers {shown}",
            path=at,
            hint=f"add `/{folder + '/' if folder else ''} @org/team` to {found} so that "
            "changes to the model are reviewed by its owners",
        )
    elif not rule[2]:
        yield Finding(
            f"the rule of {found} that covers {shown} ({rule[1]}, line {rule[0]}) names no owner",
            path=at,
            line=rule[0],
            hint="name the owning team after the pattern, e.g. `@org/ml-team`",
        )
    else:
        yield Note(f"{found} line {rule[0]}: {' '.join(rule[2])}")
