"""A schema declared in the contract (a file or inline) and a committed sample checked against
it, record by record: shared by output-schema and input-schema, so that an input's sample is
validated exactly as an output's is, and reported in the same words."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dsdone.analysis.samples import MAX_RECORDS, Record, SampleError, read_records
from dsdone.api import Note
from dsdone.contract import Input, Output
from dsdone.parse_errors import describe
from dsdone.parsed import Parsed, unparsed_finding
from dsdone.project import PathStatus, Project
from dsdone.report import Finding

from ._entries import entry_label

Entry = Input | Output
# The formats whose samples are read (parquet is known, but not read: it needs pyarrow).
READABLE = ("csv", "json", "jsonl", "ndjson", "tsv")


def relative(path: str) -> str:
    """The path as the file index spells it: ``./schemas//a.json`` is ``schemas/a.json``."""
    return posixpath.normpath(path.strip().replace("\\", "/"))


def file_problem(project: Project, path: str) -> str | None:
    status = project.status(path)
    if status is PathStatus.FOLDER:
        return f"{path} is a folder, not a file"
    if status is PathStatus.UNTRACKED:
        return None  # a file of the project: version-control says when it is not committed
    return status.problem(path)


# -- the schema document ------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaDocument:
    """A declared schema, read: its data, and how to place a finding about a part of it."""

    data: Any
    shown: str  # its path, or "the inline schema of outputs[0] (scores)"
    parsed: Parsed | None  # None: written inline in the contract
    section: str
    index: int

    def locate(
        self, project: Project, message: str, where: tuple[str | int, ...], hint: str
    ) -> Finding:
        if self.parsed is None:
            return project.contract_finding(
                message, self.section, self.index, "schema", *where, hint=hint
            )
        return Finding(message, path=self.shown, line=self.parsed.line_of(*where), hint=hint)


def read_schema(
    project: Project, section: str, item: Entry
) -> Generator[Finding, None, SchemaDocument | None]:
    """Report a schema that is missing, not committed or does not parse; return it read."""
    label = entry_label(section, item)
    at = (section, item.index, "schema")
    if item.schema is None or (isinstance(item.schema, str) and not item.schema.strip()):
        yield project.contract_finding(
            f"{label} has no schema",
            section,
            item.index,
            hint="add `schema:` with the path of a JSON Schema file for one record, or the "
            "schema inline",
        )
        return None
    if isinstance(item.schema, Mapping):
        return SchemaDocument(
            dict(item.schema), f"the inline schema of {label}", None, section, item.index
        )
    path = relative(item.schema)
    problem = file_problem(project, path)
    if problem is not None:
        yield project.contract_finding(
            f"{label}: schema {problem}",
            *at,
            hint="commit the schema file, or correct its path (relative to the repository)",
        )
        return None
    parsed = project.parsed(path)
    if parsed.problem is not None:
        finding = unparsed_finding(parsed, f"schema {path}")
        yield dataclasses.replace(finding, hint=finding.hint or "save the schema as UTF-8 text")
        return None
    return SchemaDocument(parsed.data, path, parsed, section, item.index)


# -- a JSON Schema --------------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonSchema:
    schema: dict[str, Any]
    validator: type[Any]  # a jsonschema Validator class


def json_schema(
    project: Project, document: SchemaDocument
) -> Generator[Finding, None, JsonSchema | None]:
    """Report a document that is not a valid JSON Schema; return it usable."""
    schema, shown = document.data, document.shown
    if not isinstance(schema, dict):
        yield document.locate(
            project,
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
        yield document.locate(
            project,
            f"{shown} declares $schema {declared!r}, which is not a JSON Schema draft dsdone knows",
            ("$schema",),
            "use https://json-schema.org/draft/2020-12/schema (or draft-07, 2019-09), or remove "
            "$schema to mean 2020-12",
        )
        return None
    try:
        validator.check_schema(schema)
    except RecursionError:
        yield document.locate(
            project,
            f"{shown} is nested too deeply to be checked as a JSON Schema",
            (),
            "a schema for one record is a few levels deep; flatten it, or use $defs and $ref",
        )
        return None
    except SchemaError as exc:
        place = "/".join(str(p) for p in exc.absolute_path)
        yield document.locate(
            project,
            f"{shown} is not a valid JSON Schema ({_draft(validator)}): {exc.message}"
            + (f" (at {place})" if place else ""),
            tuple(exc.absolute_path),
            "fix the schema at that place; `type` takes string, number, integer, boolean, "
            "object, array or null",
        )
        return None
    return JsonSchema(schema, validator)


def _draft(validator: type[Any]) -> str:
    found = re.search(r"draft[/-]([0-9-]+)", str(validator.META_SCHEMA.get("$schema", "")))
    return f"draft {found.group(1)}" if found else validator.__name__


# -- the sample -----------------------------------------------------------------------------------


class SchemaUnusable(Exception):
    """The schema fails while validating (an unresolvable ``$ref``): its problem, not the
    sample's."""


class NotValidated(Exception):
    """The sample could not be validated at all (the child process that ran the schema's
    regular expressions failed, or ran out of time)."""


@dataclass(frozen=True)
class Failure:
    line: int
    message: str  # what follows the entry's label: "record 3 of the sample fails the schema: ..."


# What validates the records read from a sample (given its text): every failure, in order.
Validate = Callable[[str, list[Record]], list[Failure]]


def check_sample(
    project: Project,
    section: str,
    item: Entry,
    fmt: str,
    reading_schema: Mapping[str, Any],
    validate: Validate,
    max_failures: int,
) -> Iterator[Finding | Note]:
    """Read the entry's sample as ``fmt`` (CSV values typed by ``reading_schema``) and report
    the first ``max_failures`` failures ``validate`` finds, each at its line."""
    assert item.sample is not None
    label = entry_label(section, item)
    path = relative(item.sample)
    try:
        text = project.read_text(path)
        records = read_records(text, fmt, reading_schema)
    except (OSError, UnicodeDecodeError) as exc:
        yield Finding(
            f"{label}: sample {path} cannot be read: {_reason(exc)}",
            path=path,
            hint="save the sample as UTF-8 text",
        )
        return
    except SampleError as exc:
        yield Finding(
            f"{label}: sample {path} is not valid {fmt}: {exc.message}",
            path=path,
            line=exc.line,
            hint=f"write the sample as {fmt}",
        )
        return
    if not records:
        singular = section.removesuffix("s")
        yield Finding(
            f"{label}: sample {path} holds no records",
            path=path,
            hint=f"put a few real records of the {singular} in the sample",
        )
        return
    if len(records) > MAX_RECORDS:
        records = records[:MAX_RECORDS]
        yield Note(f"{label}: only the first {MAX_RECORDS:,} records of {path} validated")
    try:
        failures = validate(text, records)
    except SchemaUnusable as exc:
        yield project.contract_finding(
            f"{label}: the schema cannot be applied to the sample: {exc}",
            section,
            item.index,
            "schema",
            hint="make every $ref of the schema point inside the schema itself",
        )
        return
    except NotValidated as exc:
        yield Finding(
            f"{label}: sample {path} could not be validated: {exc}",
            path=path,
            hint="simplify the schema's regular expressions (pattern, patternProperties)",
        )
        return
    fixer = "the code that writes this output" if section == "outputs" else "the data or its source"
    for failure in failures[: max(max_failures, 0)]:
        yield Finding(
            f"{label}: {failure.message}",
            path=path,
            line=failure.line,
            hint=f"fix {fixer}, or the schema if it is the one wrong",
        )
    rest = len(failures) - max(max_failures, 0)
    if rest > 0:
        yield Finding(
            f"{label}: {rest} more record{'s' if rest != 1 else ''} of {path} fail the "
            "schema (not listed)",
            path=path,
            hint="raise the check's `max_failures` option to list them",
        )


def failed(number: int, message: str) -> str:
    """What a failing record is reported as, after the entry's label."""
    return f"record {number} of the sample fails the schema: {message}"


def validated(function: str, request: dict[str, Any], *, isolated: bool) -> dict[str, Any]:
    """``dsdone.analysis.sample_validation``'s ``function`` on ``request``: in a child process
    that the check's timeout ends (``dsdone.isolation``) when the schema holds regular
    expressions, which a stranger wrote and Python runs in C, holding the lock every other
    thread needs; in this process otherwise. ``SchemaUnusable`` when the schema fails while
    validating, ``NotValidated`` when the child does not answer."""
    from dsdone.analysis import sample_validation
    from dsdone.isolation import IsolatedFailure, run_isolated

    if isolated:
        try:
            answer: dict[str, Any] = run_isolated(
                f"dsdone.analysis.sample_validation:{function}", request
            )
        except IsolatedFailure as exc:
            raise NotValidated(str(exc)) from None
    else:
        answer = getattr(sample_validation, function)(request)
    if "unusable" in answer:
        raise SchemaUnusable(answer["unusable"])
    return answer


def json_schema_failures(loaded: JsonSchema) -> Validate:
    """Each record against the JSON Schema (``sample_validation.validate``)."""
    from dsdone.analysis.sample_validation import holds_regex

    def validate(text: str, records: list[Record]) -> list[Failure]:
        request = {
            "schema": loaded.schema,
            "records": [[record.line, record.value, record.problem] for record in records],
        }
        answer = validated("validate", request, isolated=holds_regex(loaded.schema))
        return [
            Failure(records[index].line, failed(index + 1, message))
            for index, message in answer["failures"]
        ]

    return validate


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return describe(exc).what
