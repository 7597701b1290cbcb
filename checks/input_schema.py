"""input-schema: what an input's records must look like is written down (a JSON Schema, a
Frictionless Table Schema, pandera or Great Expectations), and its committed sample matches it."""

from __future__ import annotations

import posixpath
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dsdone.analysis.code_refs import Located, resolve
from dsdone.analysis.samples import Record, csv_header
from dsdone.analysis.table_schema import (
    NotTableSchema,
    TableSchema,
    is_table_schema,
    read_table_schema,
)
from dsdone.api import Note, Skip, check, option
from dsdone.contract import Input
from dsdone.parsed import unparsed_finding
from dsdone.project import Project
from dsdone.report import Area, Finding

from ._entries import entry_label
from ._samples import (
    READABLE,
    Failure,
    SchemaDocument,
    Validate,
    check_sample,
    failed,
    file_problem,
    json_schema,
    json_schema_failures,
    read_schema,
    relative,
    validated,
)

_BY_EXTENSION = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "ndjson",
}


@dataclass(frozen=True)
class InputSchemaOptions:
    max_failures: int = option(
        5, help="How many failing sample records to list per input; the rest are counted."
    )


@check(
    id="input-schema",
    title="Inputs declare what their data must look like, and their samples match it",
    severity="error",
    area=Area.DATA,
    ml_test_score=("D1",),
    since="0.2.0",
    fix="Give each input under `inputs:` a `schema` (a JSON Schema, or a Table Schema for "
    "CSV), a small committed `sample` that matches it, and optionally `expectations` written "
    "for pandera or Great Expectations.",
    options=InputSchemaOptions,
)
def input_schema(project: Project, options: InputSchemaOptions) -> Iterator[Finding | Note]:
    """Real-world data is dirty: a column arrives renamed, a score as text, an id repeated, a
    date in another format, and the model goes on predicting from it without a word. The
    expectations a team has of its inputs belong in the contract, where they are reviewed, and
    a committed sample that meets them proves they are the ones the code was written for.

    For each input that declares them: `schema` is a repository path (JSON or YAML) or an inline
    mapping, either a JSON Schema for one record, or for CSV/TSV a Frictionless Table Schema
    (recognised by its `fields`); `sample` is a committed file, read as its extension says
    (.csv, .tsv, .json, .jsonl, .ndjson) or else as the input's `format`, and every record is
    checked against the schema exactly as output-schema checks an output's sample, each failure
    at its line (in CSV the header is the first line). Of Table Schema, dsdone reads the field
    types string, number, integer, boolean, date, datetime, time, year and any; all of v1's
    constraints; missingValues and primaryKey: anything else (another type or format,
    foreignKeys) is a finding saying it was not checked. A schema that holds regular
    expressions (`pattern`, `patternProperties`) is applied in a child process, which the
    check's timeout ends: a pattern built to backtrack for ever cannot hang dsdone.

    `expectations` names a pandera schema (`pandera: module:object`, which must be defined at
    the top of a module of the repository) or a Great Expectations suite
    (`great_expectations: path`, a committed JSON file with a list of `expectations`, each with
    an `expectation_type` or `type`): resolved here, without importing anything; `dsdone check
    --run verify` runs them against the sample with the project's Python.

    The check does not apply (skip) when no input declares a schema, a sample or expectations.
    """
    inputs = project.contract.inputs or ()
    declared = [i for i in inputs if i.schema is not None or i.sample or i.expectations]
    if not declared:
        raise Skip("no input declares a schema, a sample or expectations")
    for item in declared:
        yield from _check_input(project, item, options.max_failures)


def _label(item: Input) -> str:
    return entry_label("inputs", item)


def _check_input(project: Project, item: Input, max_failures: int) -> Iterator[Finding | Note]:
    document: SchemaDocument | None = None
    if item.schema is not None or not item.expectations:
        document = yield from read_schema(project, "inputs", item)
    if item.expectations is not None:
        yield from _check_expectations(project, item)
    sample = yield from _sample(project, item)
    if document is None:
        return
    if is_table_schema(document.data):
        table = yield from _table_schema(project, document)
        if table is not None and sample is not None:
            path, fmt = sample
            if fmt not in ("csv", "tsv"):
                yield project.contract_finding(
                    f"{_label(item)}: a Table Schema describes CSV or TSV, but the sample "
                    f"{path} is {fmt}",
                    "inputs",
                    item.index,
                    "schema",
                    hint="describe JSON records with a JSON Schema, or commit a CSV sample",
                )
            else:
                validate = _table_failures(document.data, table, fmt)
                yield from check_sample(project, "inputs", item, fmt, {}, validate, max_failures)
    else:
        loaded = yield from json_schema(project, document)
        if loaded is not None and sample is not None:
            path, fmt = sample
            validate = json_schema_failures(loaded)
            yield from check_sample(
                project, "inputs", item, fmt, loaded.schema, validate, max_failures
            )


def _sample(
    project: Project, item: Input
) -> Generator[Finding | Note, None, tuple[str, str] | None]:
    """The sample's path and the format it is read as, if it can be read."""
    if not item.sample or not item.sample.strip():
        return None
    path = relative(item.sample)
    problem = file_problem(project, path)
    if problem is not None:
        yield project.contract_finding(
            f"{_label(item)}: sample {problem}",
            "inputs",
            item.index,
            "sample",
            hint="commit a small sample of the input (a few dozen real records), or correct "
            "its path",
        )
        return None
    suffix = posixpath.splitext(path)[1].lower()
    declared = (item.format or "").strip().lower()
    fmt = _BY_EXTENSION.get(suffix) or (declared if declared in READABLE else None)
    if fmt is None:
        yield Note(
            f"{_label(item)}: the sample {path} was not validated: dsdone reads samples in "
            f"{', '.join(READABLE)}"
        )
        return None
    return path, fmt


def _table_schema(
    project: Project, document: SchemaDocument
) -> Generator[Finding, None, TableSchema | None]:
    try:
        table = read_table_schema(document.data)
    except NotTableSchema as exc:
        yield document.locate(
            project,
            f"{document.shown} is not a valid Table Schema: {exc.message}",
            exc.where,
            "see https://specs.frictionlessdata.io/table-schema/ for the shape of `fields`",
        )
        return None
    for unsupported in table.unsupported:
        yield document.locate(
            project,
            f"{document.shown}: {unsupported.message}: dsdone reads only part of Table Schema",
            unsupported.where,
            "remove it, or check it with pandera or Great Expectations under `expectations:` "
            "(the README lists what dsdone reads)",
        )
    return table


def _table_failures(descriptor: Any, table: TableSchema, fmt: str) -> Validate:
    """Each row against the Table Schema (``sample_validation.validate_table``), in a child
    process when a constraint is a ``pattern``, exactly as a JSON Schema's patterns are."""

    def validate(text: str, records: list[Record]) -> list[Failure]:
        found = csv_header(text, fmt)
        request = {
            "descriptor": descriptor,
            "header": found[1] if found else None,
            "records": [[record.line, record.value, record.problem] for record in records],
        }
        answer = validated("validate_table", request, isolated=table.holds_pattern)
        failures = []
        for line, number, message in answer["failures"]:
            if number == 0:
                message = f"the header of the sample does not match the schema: {message}"
                line = found[0] if found else line
            else:
                message = failed(number, message)
            failures.append(Failure(line, message))
        return failures

    return validate


# -- expectations -------------------------------------------------------------------------------


def _check_expectations(project: Project, item: Input) -> Iterator[Finding]:
    assert item.expectations is not None
    if item.expectations.pandera:
        yield from _check_pandera(project, item, item.expectations.pandera)
    if item.expectations.great_expectations:
        yield from _check_suite(project, item, item.expectations.great_expectations)


def _check_pandera(project: Project, item: Input, reference: str) -> Iterator[Finding]:
    found = resolve(project, reference.strip())
    if isinstance(found, Located):
        return
    yield project.contract_finding(
        f"{_label(item)}: the pandera schema '{reference}' does not resolve: {found.message}",
        "inputs",
        item.index,
        "expectations",
        "pandera",
        hint="name the module and the schema defined at its top: churn.schemas:raw_customers",
    )


def _check_suite(project: Project, item: Input, suite: str) -> Iterator[Finding]:
    path = relative(suite)
    at = ("inputs", item.index, "expectations", "great_expectations")
    problem = file_problem(project, path)
    if problem is not None:
        yield project.contract_finding(
            f"{_label(item)}: the Great Expectations suite {problem}",
            *at,
            hint="commit the suite (gx/expectations/NAME.json), or correct its path",
        )
        return
    parsed = project.parsed(path)
    if parsed.problem is not None:
        yield unparsed_finding(parsed, f"the Great Expectations suite {path}")
        return
    why, place = suite_problem(parsed.data)
    if why is not None:
        yield Finding(
            f"{path} is not a Great Expectations suite: {why}",
            path=path,
            line=parsed.line_of(*place) or 1,
            hint="name a suite: a JSON file with `expectations: [{type: ..., kwargs: ...}]` "
            "(gx/expectations/NAME.json)",
        )


def suite_problem(data: Any) -> tuple[str | None, tuple[str | int, ...]]:
    """Why ``data`` is not an expectation suite (0.x: ``expectation_type``; 1.x: ``type``)."""
    if not isinstance(data, Mapping):
        return f"it is a {type(data).__name__}, not a mapping", ()
    if "validations" in data or "validation_definitions" in data:
        return (
            "it is a checkpoint; name the suite it validates, which dsdone runs on the sample",
            (),
        )
    expectations = data.get("expectations")
    if not isinstance(expectations, list):
        return "it has no list of `expectations`", ()
    for index, expectation in enumerate(expectations):
        kind = (
            expectation.get("type") or expectation.get("expectation_type")
            if isinstance(expectation, Mapping)
            else None
        )
        if not isinstance(kind, str):
            return (
                f"expectation {index} has no `type` (or `expectation_type`)",
                ("expectations", index),
            )
    return None, ()
