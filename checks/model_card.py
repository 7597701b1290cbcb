"""model-card: the model is described for the people who take it over."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dsdone.api import Note, check
from dsdone.project import Project
from dsdone.report import Area, Finding, Severity

# Where a model card is, when the contract does not say (model.card).
CARD_NAMES = ("MODEL_CARD.md", "model_card.md", "MODELCARD.md", "docs/model_card.md")
README = "README.md"


@dataclass(frozen=True)
class Section:
    name: str  # as the finding names it
    headings: tuple[str, ...]  # words a heading of this section starts with or holds
    front_matter: tuple[str, ...] = ()  # Hugging Face metadata keys that answer it


# What the people who take a model over must read before they rely on it (Mitchell et al.,
# "Model Cards for Model Reporting", 2019; the Hugging Face model card template).
SECTIONS = (
    Section("intended use", ("intended use", "uses", "direct use", "use case", "purpose")),
    Section("out-of-scope use", ("out-of-scope", "out of scope", "misuse", "not intended")),
    Section("training data", ("training data", "training details", "data"), ("datasets",)),
    Section("evaluation", ("evaluation", "metrics", "results", "performance"), ("model-index",)),
    Section("limitations", ("limitations", "bias, risks", "risks", "caveats")),
    Section("ethical considerations", ("ethical", "ethics", "fairness")),
    Section("owner and contact", ("owner", "contact", "maintainer", "authors")),
)
# Text that holds a place for content, as card templates write it.
_PLACEHOLDERS = frozenset({"[more information needed]", "n/a", "na", "...", "-", "tbd", "todo"})
_HEADING = re.compile(r"(#{1,6})[ \t]+(.{1,200}?)[ \t#]*")
_LONGEST_HEADING = 300  # a longer line is prose, not a heading (and no regex sees it)
_OWNER_LINE = re.compile(r"^[ \t]{0,8}(?:owner|contact)[ \t]{0,8}:", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    line: int  # 1-based


@check(
    id="model-card",
    title="A model card describes the model for those who take it over",
    severity=Severity.WARNING,
    area=Area.MODEL,
    ml_test_score=("M1", "M6", "M7"),
    fix="Write MODEL_CARD.md with: intended use, out-of-scope use, training data, evaluation, "
    "limitations, ethical considerations, owner and contact.",
    since="0.2.0",
)
def model_card(project: Project) -> Iterator[Finding | Note]:
    """Engineering and the model's consumers inherit its limits along with its code: what it is
    for, what it must not be used for, what data it learnt from, how well it does and on whom
    it fails. Without a model card that knowledge leaves with the data scientist.

    Looks for the card at `model.card`, else `MODEL_CARD.md` (or `model_card.md`,
    `docs/model_card.md`), else a "Model card" section of README.md. Each section is a Markdown
    heading (any level) with content that is not a template placeholder such as `[More
    Information Needed]` or `TODO`; Hugging Face metadata (`datasets:`, `model-index:`) in the
    front matter counts for training data and evaluation. When the contract declares
    `model.metrics`, the evaluation section names each of them.
    """
    card = _find_card(project)
    if card is None:
        at = ("model", "card") if project.contract.model and project.contract.model.card else ()
        declared = project.contract.model.card if project.contract.model else None
        yield project.contract_finding(
            f"no model card: {declared} does not exist"
            if declared
            else "no model card (MODEL_CARD.md, or a 'Model card' section of README.md)",
            *at,
            hint="write MODEL_CARD.md with these sections: "
            + ", ".join(section.name for section in SECTIONS),
        )
        return
    path, text, start = card
    lines = text.splitlines()
    headings = _headings(lines, start)
    front = _front_matter_keys(lines)  # Hugging Face metadata, at the top of the file
    present: dict[str, Heading] = {}
    for section in SECTIONS:
        found, placeholder = _section(section, headings, lines)
        if found is not None:
            present[section.name] = found
        elif placeholder is not None:
            yield Finding(
                f"the model card's '{section.name}' section holds only a placeholder",
                path=path,
                line=placeholder.line,
                hint="write what a person taking the model over must know there",
            )
        elif not front.intersection(section.front_matter) and not _answered_elsewhere(
            section, project, text
        ):
            # Where it belongs: after the last section before it that the card has.
            previous = [present[s.name].line for s in SECTIONS if s.name in present]
            yield Finding(
                f"the model card has no '{section.name}' section",
                path=path,
                line=previous[-1] if previous else (headings[0].line if headings else 1),
                hint=f"add a '## {section.name.capitalize()}' section",
            )
    evaluation = present.get("evaluation")
    metrics = project.contract.model.metrics if project.contract.model else ()
    if evaluation is not None:
        body = "\n".join(_body(evaluation, headings, lines)).lower()
        for metric in metrics:
            if metric.name.lower() not in body:
                yield Finding(
                    f"the model card's evaluation does not name the metric '{metric.name}'",
                    path=path,
                    line=evaluation.line,
                    hint=f"give {metric.name}'s value on the evaluation data, or where each "
                    "run records it",
                )
    yield Note(f"model card {path}: {len(present)} of {len(SECTIONS)} sections")


def _find_card(project: Project) -> tuple[str, str, int] | None:
    """The card's path, text, and the index of its first line (a README's section starts
    inside the file)."""
    model = project.contract.model
    candidates = (model.card,) if model is not None and model.card else CARD_NAMES
    for path in candidates:
        if project.is_indexed(path):
            text = _text(project, path)
            if text is not None:
                return path, text, 0
    if model is not None and model.card:
        return None
    readme = _text(project, README) if project.is_indexed(README) else None
    if readme is None:
        return None
    lines = readme.splitlines()
    for heading in _headings(lines, 0):
        if "model card" in heading.title.lower():
            return README, readme, heading.line - 1
    if readme.startswith("---\n") and _front_matter_keys(lines) & {"model-index", "datasets"}:
        return README, readme, 0  # a Hugging Face model repository: its README is the card
    return None


def _text(project: Project, path: str) -> str | None:
    try:
        return project.read_text(path)
    except (OSError, UnicodeDecodeError):
        return None


def _headings(lines: list[str], start: int) -> list[Heading]:
    found: list[Heading] = []
    fenced = False
    for index in range(start, len(lines)):
        line = lines[index]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        match = None if fenced or len(line) > _LONGEST_HEADING else _HEADING.fullmatch(line)
        if match:
            heading = Heading(len(match[1]), match[2].strip(), index + 1)
            if found and index > start and heading.level <= found[0].level and start > 0:
                break  # a README's model card section ends at the next heading of its level
            found.append(heading)
    return found


def _section(
    section: Section, headings: list[Heading], lines: list[str]
) -> tuple[Heading | None, Heading | None]:
    """The heading of ``section`` with real content, else one that holds only a placeholder."""
    placeholder = None
    for heading in headings:
        title = heading.title.lower()
        if not any(title.startswith(word) or f" {word}" in title for word in section.headings):
            continue
        if all(_is_placeholder(line) for line in _body(heading, headings, lines)):
            placeholder = placeholder or heading
        else:
            return heading, None
    return None, placeholder


def _body(heading: Heading, headings: list[Heading], lines: list[str]) -> list[str]:
    """The lines under ``heading`` up to the next heading of its level or higher (its
    subsections belong to it)."""
    end = len(lines)
    for other in headings:
        if other.line > heading.line and other.level <= heading.level:
            end = other.line - 1
            break
    return [
        line for line in lines[heading.line : end] if not line.lstrip().startswith(("#", "<!--"))
    ]


def _is_placeholder(line: str) -> bool:
    text = line.strip().lower()
    return (
        not text
        or text in _PLACEHOLDERS
        or text.startswith(("todo", "tbd"))
        or (text.startswith("<") and text.endswith(">"))
        or (text.startswith("{{") and text.endswith("}}"))
    )


def _front_matter_keys(lines: list[str]) -> set[str]:
    """The top-level keys of a YAML front matter (``---`` ... ``---``), read as text."""
    if not lines or lines[0].strip() != "---":
        return set()
    keys: set[str] = set()
    for line in lines[1:200]:
        if line.strip() == "---":
            return keys
        key, colon, _ = line.partition(":")
        if colon and key and not key.startswith((" ", "-", "#")):
            keys.add(key.strip())
    return set()


def _answered_elsewhere(section: Section, project: Project, text: str) -> bool:
    """The owner may be named in the card's text rather than under a heading of its own."""
    if section.name != "owner and contact":
        return False
    owner = project.contract.project.owner.strip().lower()
    return (bool(owner) and owner in text.lower()) or _OWNER_LINE.search(text) is not None
