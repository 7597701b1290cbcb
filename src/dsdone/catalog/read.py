"""The reports a catalogue is built from: JSON files that CI runners wrote, or the reports of a
check run now (``dsdone check --all`` of a folder).

A file is read only if it is a dsdone JSON report this release understands: valid JSON, with
``schema_version`` 1, that keeps the published schema (``dsdone schema report``). Anything else
(a truncated upload, a report of a newer dsdone, a SARIF file next to it) becomes a note that
says why, and the other reports are still read.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsdone.render.json import SCHEMA_VERSION, report_data, report_schema
from dsdone.report import Report

if TYPE_CHECKING:
    from dsdone.engine import Selection

# A report lists every finding: large for a large repository, but not this large.
MAX_REPORT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One project's report (its JSON data, as ``dsdone check --format json`` writes it) and
    where it came from."""

    report: Mapping[str, Any]
    origin: str  # the file it was read from, or the folder checked
    order: int  # the order in which it was given: of two equal reports, the later wins


@dataclass(frozen=True)
class Reading:
    """What could be read, and a note for each file or project that could not."""

    sources: list[Source]
    notes: list[str]


def from_reports(reports: Sequence[Report], origin: str) -> Reading:
    """The reports of a check run now: as their JSON reports say them."""
    return Reading([Source(report_data(report), origin, i) for i, report in enumerate(reports)], [])


def report_files(folder: Path) -> list[Path]:
    """The ``.json`` files below ``folder``, sorted (a folder of CI artefacts)."""
    return sorted(path for path in folder.rglob("*.json") if path.is_file())


def read_files(paths: Sequence[Path]) -> Reading:
    """The reports in ``paths`` (of one project each, or of ``--all``), in order."""
    reading = Reading([], [])
    for path in paths:
        found = _read_file(path)
        if isinstance(found, str):
            reading.notes.append(f"{path}: {found}")
            continue
        for where, report, problem in found:
            shown = f"{path}{where}"
            if problem is not None:
                reading.notes.append(f"{shown}: {problem}")
            else:
                reading.sources.append(Source(report, shown, len(reading.sources)))
    return reading


def _read_file(path: Path) -> str | list[tuple[str, Mapping[str, Any], str | None]]:
    """The projects of the report in ``path`` (where in the file, the report, what is wrong
    with it), or what keeps the whole file from being read."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if len(raw) > MAX_REPORT_BYTES:
        return f"is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MB: not a dsdone report"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text (byte {exc.start})"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        ends = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        cut = ": the file ends too early (truncated?)" if ends else ""
        return f"is not valid JSON ({exc.msg}: line {exc.lineno}, column {exc.colno}){cut}"
    except RecursionError:
        return "is not valid JSON: nested too deeply"
    if not isinstance(data, dict) or "schema_version" not in data:
        return "is not a dsdone JSON report (it has no schema_version)"
    version = data["schema_version"]
    if version != SCHEMA_VERSION or isinstance(version, bool):
        return _other_version(data, version)
    if isinstance(data.get("projects"), list):
        return [
            (f" (project {i + 1}{_named(project)})", project, _problem(project))
            for i, project in enumerate(data["projects"])
        ]
    return [("", data, _problem(data))]


def _other_version(data: Mapping[str, Any], version: object) -> str:
    writer = f"dsdone {data['dsdone']}" if isinstance(data.get("dsdone"), str) else "a dsdone"
    if isinstance(version, int) and version > SCHEMA_VERSION:
        return (
            f"was written by {writer} with report schema_version {version}; this dsdone reads "
            f"schema_version {SCHEMA_VERSION}: upgrade dsdone (pip install -U dsdone)"
        )
    return (
        f"was written by {writer} with report schema_version {version!r}; this dsdone reads "
        f"schema_version {SCHEMA_VERSION}: check the project again with this dsdone"
    )


def _named(project: object) -> str:
    name = project.get("folder") if isinstance(project, dict) else None
    return f", {name}" if isinstance(name, str) and name else ""


def _problem(report: object) -> str | None:
    """What keeps ``report`` (one project's) from the published schema: the error that says
    most, shortened (a message quotes the value, which can be long)."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(report))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path)
    message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"does not keep the report schema{f' at {where}' if where else ''}: {message}"


@functools.cache
def _validator() -> Any:
    """The report schema's validator for one project's report."""
    from jsonschema import Draft202012Validator

    schema = report_schema()
    return Draft202012Validator({"$ref": "#/$defs/report", "$defs": schema["$defs"]})


def gather(paths: Sequence[Path], selection: Selection) -> Reading:
    """The reports of ``paths``, in order: a file is a JSON report; a folder that holds
    contracts is checked now (as ``dsdone check --all`` checks it, with ``selection``); a folder
    without any holds JSON reports (CI artefacts), read from every ``.json`` file below it."""
    from dsdone.monorepo import NoProjects, check_all

    reading = Reading([], [])
    for path in paths:
        if path.is_dir():
            try:
                found = from_reports(check_all(path, selection), f"{path} (checked now)")
            except NoProjects:
                files = report_files(path)
                if not files:
                    reading.notes.append(f"{path}: no dsdone.yaml and no JSON report in it")
                    continue
                found = read_files(files)
        elif path.exists():
            found = read_files([path])
        else:
            reading.notes.append(f"{path}: no such file or folder")
            continue
        first = len(reading.sources)
        reading.sources.extend(
            Source(source.report, source.origin, first + source.order) for source in found.sources
        )
        reading.notes.extend(found.notes)
    return reading
