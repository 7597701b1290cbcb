"""output-schema: every output has an agreed format and a valid JSON Schema, and its sample
matches the schema, record by record."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass

from dsdone.api import Note, check, option
from dsdone.contract import Output
from dsdone.project import Project
from dsdone.report import Area, Finding

from ._entries import entry_label, missing_finding, name_findings
from ._samples import (
    JsonSchema,
    check_sample,
    file_problem,
    json_schema,
    json_schema_failures,
    read_schema,
    relative,
)

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
        document = yield from read_schema(project, "outputs", item)
        loaded = None if document is None else (yield from json_schema(project, document))
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


# -- the sample --------------------------------------------------------------------------------


def _check_sample(
    project: Project,
    item: Output,
    fmt: str | None,
    loaded: JsonSchema | None,
    max_failures: int,
) -> Iterator[Finding | Note]:
    assert item.sample is not None
    path = relative(item.sample)
    problem = file_problem(project, path)
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
    validate = json_schema_failures(loaded)
    yield from check_sample(project, "outputs", item, fmt, loaded.schema, validate, max_failures)
