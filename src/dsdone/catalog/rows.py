"""The catalogue: one row per model, from the reports read.

A model is a project of a repository: its repository's name and its folder in it (outside git,
its folder and name). When two reports are of the same model, the one of the newest commit is
the row, and a note says which was left out. A row is marked for what a reader must not miss:
a model nobody owns, a project that could not be checked, a report too old to say everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dsdone.catalog.read import Source
from dsdone.report import Area, Dataset

AREAS = tuple(area.value for area in Area)
# What the catalogue shows that a report of an early dsdone 0.x did not have yet.
_LATER_FIELDS = {
    "repository": "repository",
    "commit_date": "commit date",
    "score": "readiness score",
}
_LATER_PROJECT_FIELDS = {"inputs": "inputs", "outputs": "outputs", "retrain_schedule": "schedule"}
_UNCHECKED = "contract"  # the one check of a project that could not be checked


def band(score: int | None) -> str:
    """How a score reads at a glance, one word every format colours alike: ``good`` from 80,
    ``fair`` from 50, ``poor`` below, ``none`` when nothing was measured."""
    if score is None:
        return "none"
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


@dataclass(frozen=True)
class Failing:
    """A check that does not hold: failed, or could not run (``error``)."""

    check: str
    title: str
    status: str
    blocks: bool | None  # None: the report does not say


@dataclass(frozen=True)
class Row:
    """A model as the catalogue lists it."""

    name: str
    description: str | None
    owner: str | None  # None: unknown (the contract could not be read) or nobody named
    consumers: tuple[str, ...]
    inputs: tuple[Dataset, ...]
    outputs: tuple[Dataset, ...]
    schedule: str | None  # when it is retrained (retrain.schedule)
    ready: bool
    checked: bool  # False: its contract could not be read, so no check ran
    overall: int | None  # the readiness score; None: not measured
    areas: Mapping[str, int | None]  # the score of each area of the ML Test Score
    failing: tuple[Failing, ...]
    repository: str | None  # its name (acme/models); None outside git
    url: str | None
    folder: str  # in the repository; "" at its top
    commit: str | None
    commit_date: str | None
    dsdone: str  # the release that wrote the report
    source: str  # the file or folder it came from
    marks: tuple[str, ...]  # what a reader must not miss, in words

    @property
    def key(self) -> tuple[str, ...]:
        """Which model this is: the same project of the same repository, whatever checked it."""
        if self.repository is not None:
            return ("repository", self.repository, self.folder)
        return ("folder", self.folder, self.name)


@dataclass(frozen=True)
class Catalog:
    rows: tuple[Row, ...]  # sorted by name, repository and folder
    notes: tuple[str, ...]  # what could not be used, and which report of a model won
    reports: int  # how many reports were read

    @property
    def repositories(self) -> int:
        return len({row.repository for row in self.rows if row.repository is not None})


def build_catalog(sources: Sequence[Source], notes: Sequence[str] = ()) -> Catalog:
    """The catalogue of the reports in ``sources``, with the ``notes`` of reading them."""
    rows = [row_of(source) for source in sources]
    kept, left_out = _newest_of_each(rows, [source.order for source in sources])
    ordered = sorted(kept, key=lambda r: (r.name.casefold(), r.repository or "", r.folder))
    return Catalog(tuple(ordered), (*notes, *left_out), len(sources))


def row_of(source: Source) -> Row:
    report = source.report
    project: Mapping[str, Any] = report["project"]
    results: Sequence[Mapping[str, Any]] = report["results"]
    checked = not (len(results) == 1 and results[0]["check"] == _UNCHECKED)
    # A project that could not be checked has no owner that anyone read: unknown, not none.
    owner = project["owner"].strip() if checked else None
    repository = report.get("repository")
    areas = (report.get("score") or {}).get("areas") or {}
    marks = []
    if owner == "":
        marks.append("no owner")
    if not checked:
        finding = next(iter(results[0]["findings"]), None)
        why = f": {finding['message']}" if finding is not None else ""
        marks.append(f"could not be checked{why}")
    missing = _missing_fields(report)
    if missing:
        marks.append(f"written by dsdone {report['dsdone']}, which did not report {missing}")
    return Row(
        name=project["name"],
        description=project.get("description"),
        owner=owner or None,
        consumers=tuple(project.get("consumers") or ()),
        inputs=tuple(
            Dataset(item.get("name"), item.get("format"), source=item.get("source"))
            for item in project.get("inputs") or ()
        ),
        outputs=tuple(
            Dataset(
                item.get("name"),
                item.get("format"),
                consumers=None if item.get("consumers") is None else tuple(item["consumers"]),
            )
            for item in project.get("outputs") or ()
        ),
        schedule=project.get("retrain_schedule"),
        ready=bool(report["ready"]),
        checked=checked,
        overall=(report.get("score") or {}).get("overall"),
        areas={area: (areas.get(area) or {}).get("score") for area in AREAS},
        failing=tuple(
            Failing(result["check"], result["title"], result["status"], result.get("blocks"))
            for result in results
            if result["status"] in ("fail", "error")
        ),
        repository=repository["name"] if repository else None,
        url=repository.get("url") if repository else None,
        folder=report.get("folder") or "",
        commit=report["commit"],
        commit_date=report.get("commit_date"),
        dsdone=report["dsdone"],
        source=source.origin,
        marks=tuple(marks),
    )


def _missing_fields(report: Mapping[str, Any]) -> str:
    """What the catalogue shows that this report, of an older release, does not say."""
    missing = [words for field, words in _LATER_FIELDS.items() if field not in report]
    project = report["project"]
    missing += [words for field, words in _LATER_PROJECT_FIELDS.items() if field not in project]
    return ", ".join(missing)


def _newest_of_each(rows: list[Row], orders: list[int]) -> tuple[list[Row], list[str]]:
    """One row per model: that of the newest commit (of two reports of one commit, or without
    dates, the one given last); and a note for each row left out."""
    best: dict[tuple[str, ...], tuple[Row, int]] = {}
    left_out: list[str] = []
    for row, order in zip(rows, orders, strict=True):
        kept = best.get(row.key)
        if kept is None:
            best[row.key] = (row, order)
            continue
        newer, older = (row, kept[0]) if _newer(row, order, *kept) else (kept[0], row)
        best[row.key] = (newer, order if newer is row else kept[1])
        left_out.append(
            f"{_where(newer)}: two reports; the one of {_commit(newer)} ({newer.source}) is "
            f"used, not the one of {_commit(older)} ({older.source})"
        )
    return [row for row, _ in best.values()], left_out


def _newer(row: Row, order: int, other: Row, other_order: int) -> bool:
    """Whether ``row`` is of a newer commit than ``other``; given later when it cannot tell."""
    mine, theirs = _when(row.commit_date), _when(other.commit_date)
    if mine is not None and theirs is not None and mine != theirs:
        return mine > theirs
    if (mine is None) != (theirs is None):
        return theirs is None
    return order > other_order


def _when(date: str | None) -> datetime | None:
    if date is None:
        return None
    try:
        parsed = datetime.fromisoformat(date)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None  # naive dates cannot be compared


def _where(row: Row) -> str:
    place = row.repository or row.name
    return f"{place} {row.folder}" if row.folder else place


def _commit(row: Row) -> str:
    commit = f"commit {row.commit[:12]}" if row.commit else "no commit"
    return f"{commit} of {row.commit_date}" if row.commit_date else commit
