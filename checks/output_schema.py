"""output-schema: every output has an agreed format and a valid JSON Schema, and its sample
matches the schema, record by record."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dsdone.analysis.samples import MAX_RECORDS, Record, SampleError, read_records
from dsdone.api import Note, check, option
from dsdone.contract import Output
from dsdone.parse_errors import describe
from dsdone.project import PathStatus, Project
from dsdone.report import Area, Finding

from ._entries import entry_label, missing_finding, name_findings

# The formats dsdone knows; a sample in one of them is read, except parquet (see below).
FORMATS = ("csv", "json", "jsonl", "ndjson", "parquet", "tsv")
_BY_EXTENSION = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "ndjson",
    ".parquet": "parquet",
}

MINIMAL_OUTPUT = (
    "declare each output under `outputs:`, for example:\n"
    "outputs:\n"
    "  - name: scores\n"
    "    format: csv\n"
    "    schema: schemas/scores.schema.json\n"
    "    sample: samples/scores.csv"
)


@dataclass(frozen=True)
class OutputSchemaOptions:
    max_failures: int = option(
        5, help="How many failing sample records to list per output; the rest are counted."
    )
    extra_formats: tuple[str, ...] = option(
        (),
        help="Formats the team accepts besides csv, tsv, json, jsonl, ndjson and parquet "
        "(samples in them are not read).",
    )


@check(
    id="output-schema",
    title="Outputs have a valid JSON Schema and a sample that matches it",
    severity="error",
    area=Area.DATA,
    ml_test_score=("D1", "Mon3"),
    fix="Give each output under `outputs:` a format, a JSON Schema for one record (a file or "
    "inline) and a small sample that validates against it.",
    options=OutputSchemaOptions,
)
def output_schema(project: Project, options: OutputSchemaOptions) -> Iterator[Finding | Note]:
    """The teams that consume a model's predictions build on their shape: when a column is
    renamed or a score turns into a string, dashboards and downstream jobs break silently. A
    schema that is written down, valid and checked against a real sample is the contract they
    can rely on, and what monitoring compares production output with.

    Checks that the contract declares at least one output, each with a unique `name`, a
    `format` (csv, tsv, json, jsonl, ndjson or parquet, plus the `extra_formats` option), and a
    `schema`: a repository path to a JSON or YAML file, or an inline mapping, that parses and is
    a valid JSON Schema for the draft its `$schema` declares (2020-12 when it declares none).
    With `sample`, each record of the sample is validated: a JSON array (or one object), JSON
    lines, or CSV/TSV rows whose strings are converted by the type the schema gives each
    property (integer, number, boolean; an empty string is null where null is allowed), and
    formats such as date and email are checked. The first failing records are reported with
    their line numbers. Parquet samples are not read:
    that needs pyarrow, which dsdone does not depend on.
    """
    outputs = project.contract.outputs
    if not outputs:
        yield missing_finding(project, "outputs", outputs, MINIMAL_OUTPUT)
        return
    allowed = (*FORMATS, *(f.lower() for f in options.extra_formats))
    yield from name_findings(project, "outputs", outputs, example="scores")
    for item in outputs:
        fmt = yield from _check_format(project, item, allowed)
        loaded = yield from _load_schema(project, item)
        if item.sample and item.sample.strip():
            yield from _check_sample(project, item, fmt, loaded, options.max_failures)


def _label(item: Output) -> str:
    return entry_label("outputs", item)


def _check_format(
    project: Project, item: Output, allowed: tuple[str, ...]
) -> Generator[Finding, None, str | None]:
    """Report a missing or unknown format; return the format the sample is read as (or None)."""
    if not item.format:
        yield project.contract_finding(
            f"{_label(item)} has no format",
            "outputs",
            item.index,
            hint=f"add `format:`, one of {', '.join(FORMATS)}",
        )
        # The sample can still be read when its extension says what it is.
        suffix = "." + item.sample.rsplit(".", 1)[-1].lower() if item.sample else ""
        return _BY_EXTENSION.get(suffix)
    fmt = item.format.strip().lower()
    if fmt not in allowed:
        yield project.contract_finding(
            f"{_label(item)}: format '{item.format}' is not one of {', '.join(allowed)}",
            "outputs",
            item.index,
            "format",
            hint="use one of those formats, or add it to the check's `extra_formats` option",
        )
        return None
    return fmt


# -- the schema --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Schema:
    schema: dict[str, Any]
    validator: type[Any]  # a jsonschema Validator class


def _load_schema(project: Project, item: Output) -> Generator[Finding, None, _Schema | None]:
    """Report every problem with the output's schema; return the schema if it is usable."""
    at = ("outputs", item.index, "schema")
    if item.schema is None or (isinstance(item.schema, str) and not item.schema.strip()):
        yield project.contract_finding(
            f"{_label(item)} has no schema",
            "outputs",
            item.index,
            hint="add `schema:` with the path of a JSON Schema file for one record, or the "
            "schema inline",
        )
        return None
    if isinstance(item.schema, Mapping):
        schema: Any = dict(item.schema)
        parsed, shown = None, f"the inline schema of {_label(item)}"
    else:
        path = _relative(item.schema)
        shown = path
        problem = _file_problem(project, path)
        if problem is not None:
            yield project.contract_finding(
                f"{_label(item)}: schema {problem}",
                *at,
                hint="commit the schema file, or correct its path (relative to the repository)",
            )
            return None
        parsed = project.parsed(path)
        if parsed.problem is not None:
            where = parsed.problem.location
            yield Finding(
                f"schema {path} {_as_phrase(parsed.problem.message)}",
                path=path,
                line=where.line if where else None,
                column=where.column if where else None,
                hint="fix the syntax at that place"
                if where is not None and where.line is not None
                else "save the schema as UTF-8 text",
            )
            return None
        schema = parsed.data

    def locate(message: str, where: tuple[str | int, ...], hint: str) -> Finding:
        if parsed is None:
            return project.contract_finding(message, *at, *where, hint=hint)
        return Finding(message, path=shown, line=parsed.line_of(*where), hint=hint)

    if not isinstance(schema, dict):
        yield locate(
            f"{shown} is not a JSON Schema: it is a {type(schema).__name__}, not a mapping",
            (),
            "write the schema of one record as a mapping, such as {type: object, properties: ...}",
        )
        return None
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import Draft202012Validator, validator_for

    declared = schema.get("$schema")
    validator: type[Any] | None = None
    if declared is None:
        validator = Draft202012Validator
    elif isinstance(declared, str):
        unknown = object()
        found = validator_for(schema, default=unknown)
        validator = None if found is unknown else found
    if validator is None:
        yield locate(
            f"{shown} declares $schema {declared!r}, which is not a JSON Schema draft dsdone knows",
            ("$schema",),
            "use https://json-schema.org/draft/2020-12/schema (or draft-07, 2019-09), or remove "
            "$schema to mean 2020-12",
        )
        return None
    try:
        validator.check_schema(schema)
    except RecursionError:
        yield locate(
            f"{shown} is nested too deeply to be checked as a JSON Schema",
            (),
            "a schema for one record is a few levels deep; flatten it, or use $defs and $ref",
        )
        return None
    except SchemaError as exc:
        place = "/".join(str(p) for p in exc.absolute_path)
        yield locate(
            f"{shown} is not a valid JSON Schema ({_draft(validator)}): {exc.message}"
            + (f" (at {place})" if place else ""),
            tuple(exc.absolute_path),
            "fix the schema at that place; `type` takes string, number, integer, boolean, "
            "object, array or null",
        )
        return None
    return _Schema(schema, validator)


def _relative(path: str) -> str:
    """The path as the file index spells it: ``./schemas//a.json`` is ``schemas/a.json``."""
    return posixpath.normpath(path.strip().replace("\\", "/"))


def _file_problem(project: Project, path: str) -> str | None:
    status = project.status(path)
    if status is PathStatus.FOLDER:
        return f"{path} is a folder, not a file"
    if status is PathStatus.UNTRACKED:
        return None  # a file of the project: version-control says when it is not committed
    return status.problem(path)


def _as_phrase(problem: str) -> str:
    """``not valid JSON: ...`` as it follows a file's name: ``is not valid JSON: ...``."""
    return f"is {problem}" if problem.startswith("not ") else problem


def _draft(validator: type[Any]) -> str:
    found = re.search(r"draft[/-]([0-9-]+)", str(validator.META_SCHEMA.get("$schema", "")))
    return f"draft {found.group(1)}" if found else validator.__name__


# -- the sample --------------------------------------------------------------------------------


class _SchemaUnusable(Exception):
    """The schema fails while validating (an unresolvable ``$ref``): its problem, not the
    sample's."""


class _NotValidated(Exception):
    """The sample could not be validated at all (the child process that ran the schema's
    regular expressions failed)."""


def _check_sample(
    project: Project, item: Output, fmt: str | None, loaded: _Schema | None, max_failures: int
) -> Iterator[Finding | Note]:
    assert item.sample is not None
    path = _relative(item.sample)
    problem = _file_problem(project, path)
    if problem is not None:
        yield project.contract_finding(
            f"{_label(item)}: sample {problem}",
            "outputs",
            item.index,
            "sample",
            hint="commit a small sample of the output (a few dozen records), or correct its path",
        )
        return
    if fmt == "parquet":
        yield Note(
            f"{_label(item)}: the parquet sample {path} was not validated (reading parquet "
            "needs pyarrow, which dsdone does not depend on)"
        )
        return
    if loaded is None or fmt not in FORMATS:
        return  # the schema or format finding already says what to fix first
    try:
        records = read_records(project.read_text(path), fmt, loaded.schema)
    except (OSError, UnicodeDecodeError) as exc:
        yield Finding(
            f"{_label(item)}: sample {path} cannot be read: {_reason(exc)}",
            path=path,
            hint="save the sample as UTF-8 text",
        )
        return
    except SampleError as exc:
        yield Finding(
            f"{_label(item)}: sample {path} is not valid {fmt}: {exc.message}",
            path=path,
            line=exc.line,
            hint=f"write the sample as {fmt}",
        )
        return
    if not records:
        yield Finding(
            f"{_label(item)}: sample {path} holds no records",
            path=path,
            hint="put a few real records of the output in the sample",
        )
        return
    if len(records) > MAX_RECORDS:
        records = records[:MAX_RECORDS]
        yield Note(f"{_label(item)}: only the first {MAX_RECORDS:,} records of {path} validated")
    try:
        failures = _failing_records(records, loaded)
    except _SchemaUnusable as exc:
        yield project.contract_finding(
            f"{_label(item)}: the schema cannot be applied to the sample: {exc}",
            "outputs",
            item.index,
            "schema",
            hint="make every $ref of the schema point inside the schema itself",
        )
        return
    except _NotValidated as exc:
        yield Finding(
            f"{_label(item)}: sample {path} could not be validated: {exc}",
            path=path,
            hint="simplify the schema's regular expressions (pattern, patternProperties)",
        )
        return
    for number, record, message in failures[: max(max_failures, 0)]:
        yield Finding(
            f"{_label(item)}: record {number} of the sample fails the schema: {message}",
            path=path,
            line=record.line,
            hint="fix the code that writes this output, or the schema if it is the one wrong",
        )
    rest = len(failures) - max(max_failures, 0)
    if rest > 0:
        yield Finding(
            f"{_label(item)}: {rest} more record{'s' if rest != 1 else ''} of {path} fail the "
            "schema (not listed)",
            path=path,
            hint="raise the check's `max_failures` option to list them",
        )


def _failing_records(records: list[Record], loaded: _Schema) -> list[tuple[int, Record, str]]:
    """(number, record, why) of each failing record. Where the schema holds regular
    expressions, in a child process that the check's timeout ends (``dsdone.isolation``)."""
    from dsdone.analysis.sample_validation import holds_regex, validate
    from dsdone.isolation import IsolatedFailure, run_isolated

    request = {
        "schema": loaded.schema,
        "records": [[record.line, record.value, record.problem] for record in records],
    }
    if holds_regex(loaded.schema):
        try:
            answer = run_isolated("dsdone.analysis.sample_validation:validate", request)
        except IsolatedFailure as exc:
            raise _NotValidated(str(exc)) from None
    else:
        answer = validate(request)
    if "unusable" in answer:
        raise _SchemaUnusable(answer["unusable"])
    return [(index + 1, records[index], message) for index, message in answer["failures"]]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return describe(exc).what
