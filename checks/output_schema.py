"""output-schema: every output has an agreed format and a valid JSON Schema, and its sample
matches the schema, record by record."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dsdone.api import Note, check, option
from dsdone.contract import Output
from dsdone.entries import entry_label, name_findings
from dsdone.model import Finding
from dsdone.project import OutsideProject, Project

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
_JSON_WHITESPACE = " \t\n\r"

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
    area="monitoring",
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
    if outputs is None:
        yield project.contract_finding("the contract declares no outputs", hint=MINIMAL_OUTPUT)
        return
    if not outputs:
        yield project.contract_finding("outputs: is empty", "outputs", hint=MINIMAL_OUTPUT)
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
        text, shown = None, f"the inline schema of {_label(item)}"
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
        try:
            text = project.read_text(path)
        except (OSError, UnicodeDecodeError) as exc:
            yield Finding(
                f"schema {path} cannot be read: {_reason(exc)}",
                path=path,
                hint="save the schema as UTF-8 text",
            )
            return None
        parsed = _parse_schema_text(path, text)
        if isinstance(parsed, Finding):
            yield parsed
            return None
        schema = parsed

    def locate(message: str, where: tuple[str | int, ...], hint: str) -> Finding:
        if text is None:
            return project.contract_finding(message, *at, *where, hint=hint)
        return Finding(message, path=shown, line=_yaml_line(text, where), hint=hint)

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
    try:
        project.path(path)
    except OutsideProject:
        return f"'{path}' is not a path inside the repository"
    if project.is_indexed(path):
        return None
    if project.exists(path):
        return f"{path} is ignored by git, so a fresh clone does not have it"
    return f"{path} does not exist"


def _parse_schema_text(path: str, text: str) -> Any:
    """The parsed schema file (JSON, or YAML for any other extension), or a located Finding."""
    hint = "fix the syntax at that place"
    if path.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            return Finding(
                f"schema {path} is not valid JSON: {exc.msg}",
                path=path,
                line=exc.lineno,
                column=exc.colno,
                hint=hint,
            )
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return Finding(
            f"schema {path} is not valid YAML: {exc.problem or exc.context}",
            path=path,
            line=mark.line + 1 if mark else None,
            hint=hint,
        )
    except yaml.YAMLError as exc:
        return Finding(f"schema {path} is not valid YAML: {exc}", path=path, hint=hint)


def _yaml_line(text: str, where: tuple[str | int, ...]) -> int | None:
    """The line of the value at ``where`` in a JSON or YAML text (its closest parent's line)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in where:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if str(k.value) == str(part)), None)
            key = next((k for k, _ in node.value if str(k.value) == str(part)), None)
            line = key.start_mark.line + 1 if key is not None else line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
            line = child.start_mark.line + 1 if child is not None else line
        if child is None:
            break
        node = child
    return line


def _draft(validator: type[Any]) -> str:
    found = re.search(r"draft[/-]([0-9-]+)", str(validator.META_SCHEMA.get("$schema", "")))
    return f"draft {found.group(1)}" if found else validator.__name__


# -- the sample --------------------------------------------------------------------------------


class _SampleError(Exception):
    """The sample as a whole cannot be read: the problem and the line it is at."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class _Record:
    line: int
    value: Any = None
    problem: str | None = None  # the record itself could not be read


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
        records = _read_records(project.read_text(path), fmt, loaded.schema)
    except (OSError, UnicodeDecodeError) as exc:
        yield Finding(
            f"{_label(item)}: sample {path} cannot be read: {_reason(exc)}",
            path=path,
            hint="save the sample as UTF-8 text",
        )
        return
    except _SampleError as exc:
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
    try:
        failures = list(_failing_records(records, loaded))
    except _SampleError as exc:
        yield project.contract_finding(
            f"{_label(item)}: the schema cannot be applied to the sample: {exc.message}",
            "outputs",
            item.index,
            "schema",
            hint="make every $ref of the schema point inside the schema itself",
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


def _failing_records(records: list[_Record], loaded: _Schema) -> Iterator[tuple[int, _Record, str]]:
    from jsonschema.exceptions import best_match

    validator = loaded.validator(loaded.schema, format_checker=loaded.validator.FORMAT_CHECKER)
    for number, record in enumerate(records, start=1):
        if record.problem is not None:
            yield number, record, record.problem
            continue
        try:
            error = best_match(validator.iter_errors(record.value))
        except Exception as exc:  # an unresolvable $ref surfaces only while validating
            raise _SampleError(f"{type(exc).__name__}: {exc}") from None
        if error is not None:
            place = "/".join(str(p) for p in error.absolute_path)
            yield number, record, error.message + (f" (at {place})" if place else "")


def _read_records(text: str, fmt: str, schema: Mapping[str, Any]) -> list[_Record]:
    if fmt == "json":
        return _json_records(text)
    if fmt in ("jsonl", "ndjson"):
        return _json_lines(text)
    return _csv_records(text, "\t" if fmt == "tsv" else ",", schema)


def _json_records(text: str) -> list[_Record]:
    """The records of a JSON array (each at the line where it starts), or the one object."""
    decoder = json.JSONDecoder()
    lines = _LineCounter(text)

    def decode(at: int) -> tuple[Any, int]:
        try:
            return decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise _SampleError(exc.msg, exc.lineno) from None

    position = _skip(text, 0)
    if position == len(text):
        return []
    if text[position] != "[":
        value, end = decode(position)
        if _skip(text, end) != len(text):
            raise _SampleError("extra data after the JSON value", lines.at(_skip(text, end)))
        if not isinstance(value, dict):
            raise _SampleError(
                "a JSON sample is an array of records or one record (an object), "
                f"not a {type(value).__name__}",
                lines.at(position),
            )
        return [_Record(lines.at(position), value)]
    records: list[_Record] = []
    position = _skip(text, position + 1)
    if text.startswith("]", position):
        position += 1
    else:
        while True:
            value, end = decode(position)
            records.append(_Record(lines.at(position), value))
            position = _skip(text, end)
            if text.startswith(",", position):
                position = _skip(text, position + 1)
            elif text.startswith("]", position):
                position += 1
                break
            else:
                raise _SampleError("expected ',' or ']' after a record", lines.at(position))
    if _skip(text, position) != len(text):
        raise _SampleError("extra data after the JSON array", lines.at(_skip(text, position)))
    return records


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _JSON_WHITESPACE:
        position += 1
    return position


class _LineCounter:
    """Line numbers of increasing positions in a text, counted once (records come in order)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.line = 1

    def at(self, position: int) -> int:
        if position < self.position:
            return self.text.count("\n", 0, position) + 1
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line


def _json_lines(text: str) -> list[_Record]:
    records = []
    # Split on "\n" only: a JSON string may hold U+2028, which str.splitlines() would split on.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append(_Record(number, json.loads(line)))
        except json.JSONDecodeError as exc:
            records.append(_Record(number, problem=f"not valid JSON: {exc.msg}"))
    return records


def _csv_records(text: str, delimiter: str, schema: Mapping[str, Any]) -> list[_Record]:
    """The rows after the header as records, each at the physical line where the row starts
    (a quoted value may span lines), with values converted by the schema's property types."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    properties = schema.get("properties")
    types = properties if isinstance(properties, Mapping) else {}
    header: list[str] | None = None
    records: list[_Record] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _SampleError(str(exc), start) from None
        if not row:
            continue  # a blank line
        if header is None:
            header = row
            continue
        if len(row) > len(header):
            problem = f"the row has {len(row)} values, the header has {len(header)}"
            records.append(_Record(start, problem=problem))
            continue
        records.append(
            _Record(
                start,
                {
                    name: _coerce(value, types.get(name))
                    for name, value in zip(header, row, strict=False)
                },
            )
        )
    return records


_INTEGER = re.compile(r"^[+-]?[0-9]+$")


def _coerce(value: str, prop: Any) -> Any:
    """A CSV string as the type the property declares; left a string when it is none of them,
    so that the schema reports it (``'abc' is not of type 'number'``)."""
    declared = prop.get("type") if isinstance(prop, Mapping) else None
    types = (declared,) if isinstance(declared, str) else tuple(declared or ())
    if value == "" and "null" in types:
        return None
    if "integer" in types and _INTEGER.match(value.strip()):
        return int(value)
    if "number" in types:
        try:
            return float(value) if not _INTEGER.match(value.strip()) else int(value)
        except ValueError:
            pass
    if "boolean" in types and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
