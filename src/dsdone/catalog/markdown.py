"""The catalogue as Markdown, for a wiki: a table of every model, then a section per model.

Every value from a contract or a report is escaped: a wiki renders Markdown and HTML alike, and
a model named ``<script>`` must read as its name.
"""

from __future__ import annotations

from collections import Counter

from dsdone.catalog.rows import AREAS, Catalog, Row, band
from dsdone.render import escape
from dsdone.report import Dataset

_BAND = {"good": "🟢", "fair": "🟡", "poor": "🔴", "none": "⚪"}
_AREA_HEADS = {
    "data": "Data",
    "model": "Model",
    "infrastructure": "Infra",
    "monitoring": "Monitoring",
}


def render_catalog_markdown(catalog: Catalog) -> str:
    names = Counter(row.name for row in catalog.rows)
    headings = [_heading(row, twice=names[row.name] > 1) for row in catalog.rows]
    lines = ["# Model catalogue", "", summary(catalog), ""]
    if catalog.notes:
        lines += [
            "## Notes",
            "",
            *(f"- {escape.markdown_text(note)}" for note in catalog.notes),
            "",
        ]
    heads = ["Model", "Owner", "Ready", "Score", *(_AREA_HEADS[a] for a in AREAS), "Failing checks"]
    lines += [f"| {' | '.join(heads)} |", f"|{'---|' * len(heads)}"]
    lines += [_table_row(row, heading) for row, heading in zip(catalog.rows, headings, strict=True)]
    lines += [""]
    for row, heading in zip(catalog.rows, headings, strict=True):
        lines += [*_section(row, heading), ""]
    return escape.neutralize_markdown("\n".join(lines).rstrip("\n") + "\n")


def summary(catalog: Catalog) -> str:
    """One line: how many models, how many ready, from how many repositories and reports."""
    rows = catalog.rows
    ready = sum(row.ready for row in rows)
    unchecked = sum(not row.checked for row in rows)
    parts = [
        _count(len(rows), "model"),
        f"{ready} ready",
        f"{len(rows) - ready} not ready",
        *([f"{unchecked} could not be checked"] if unchecked else []),
        f"in {_count(catalog.repositories, 'repository', 'repositories')}",
        f"from {_count(catalog.reports, 'report')}",
    ]
    return " · ".join(parts)


def _count(number: int, word: str, plural: str | None = None) -> str:
    return f"{number} {word if number == 1 else plural or word + 's'}"


def _heading(row: Row, *, twice: bool) -> str:
    """The model's name; with where it is when another model has the same name."""
    if not twice:
        return row.name
    where = " ".join(part for part in (row.repository, row.folder) if part)
    return f"{row.name} ({where})" if where else row.name


def _anchor(heading: str) -> str:
    """The id GitHub and most wikis give the heading."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.strip().replace(" ", "-")


def _table_row(row: Row, heading: str) -> str:
    cells = [
        f"[{escape.markdown_text(row.name)}](#{_anchor(heading)})",
        escape.markdown_text(row.owner) if row.owner else "—",
        ("✅ ready" if row.ready else "❌ not ready") if row.checked else "⚠️ not checked",
        _score(row.overall),
        *(_score(row.areas[area]) for area in AREAS),
        ", ".join(escape.markdown_text(f.check) for f in row.failing) or "—",
    ]
    return f"| {' | '.join(cells)} |"


def _score(score: int | None) -> str:
    return f"{_BAND[band(score)]} {'—' if score is None else score}"


def _section(row: Row, heading: str) -> list[str]:
    lines = [f"## {escape.markdown_text(heading)}", ""]
    if row.description:
        lines += [escape.markdown_text(row.description), ""]
    if row.marks:
        lines += [*(f"> ⚠️ {escape.markdown_text(mark)}" for mark in row.marks), ""]
    lines += [
        f"- **Owner:** {escape.markdown_text(row.owner) if row.owner else '—'}",
        f"- **Consumers:** {', '.join(escape.markdown_text(c) for c in row.consumers) or '—'}",
        f"- **Inputs:** {'; '.join(_dataset(d, d.source) for d in row.inputs) or '—'}",
        f"- **Outputs:** {'; '.join(_dataset(d, _users(d)) for d in row.outputs) or '—'}",
        f"- **Retrained:** {escape.markdown_text(row.schedule) if row.schedule else '—'}",
        f"- **Readiness:** {_score(row.overall)} overall; "
        + ", ".join(f"{area} {_score(row.areas[area])}" for area in AREAS),
        f"- **Failing checks:** {', '.join(_failing(row)) or 'none'}",
        f"- **Checked:** {_checked(row)}",
    ]
    if row.url:
        lines.append(f"- **Repository:** {escape.markdown_text(row.url)}")
    return lines


def _dataset(item: Dataset, detail: str | None) -> str:
    text = escape.markdown_text(item.name or "(unnamed)")
    extra = [escape.markdown_text(part) for part in (item.format, detail) if part]
    return f"{text} ({', '.join(extra)})" if extra else text


def _users(item: Dataset) -> str | None:
    return f"for {', '.join(item.consumers)}" if item.consumers else None


def _failing(row: Row) -> list[str]:
    said = {"error": " (could not run)"}
    return [
        f"{escape.markdown_text(f.check)}{' (blocks)' if f.blocks else ''}{said.get(f.status, '')}"
        for f in row.failing
    ]


def _checked(row: Row) -> str:
    where = escape.markdown_text(row.repository or "outside git")
    if row.folder:
        where += f" / {escape.markdown_text(row.folder)}"
    commit = f"commit {row.commit[:12]}" if row.commit else "no commit"
    when = f" of {escape.markdown_text(row.commit_date)}" if row.commit_date else ""
    return f"{where} at {commit}{when}, by dsdone {escape.markdown_text(row.dsdone)}"
