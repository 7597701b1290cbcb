"""Records of a data file with the line each starts at: a JSON array (or one object), JSON
lines, CSV or TSV rows (values converted by a JSON Schema's property types). What the
output-schema check validates a sample with, one record at a time, so that a failing record is
reported at its line in the file."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_JSON_WHITESPACE = " \t\n\r"


class SampleError(Exception):
    """The sample as a whole cannot be read: the problem and the line it is at."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Record:
    line: int
    value: Any = None
    problem: str | None = None  # the record itself could not be read


# A sample is a few dozen records; a million tiny ones (a whole output dumped as the sample)
# would take hundreds of megabytes as Python objects. Beyond this many, the rest are not read.
MAX_RECORDS = 10_000


def read_records(
    text: str, fmt: str, schema: Mapping[str, Any], limit: int = MAX_RECORDS
) -> list[Record]:
    """The sample's records, at most ``limit`` + 1: one more than the limit says there are
    more, unread."""
    if fmt == "json":
        return _json_records(text, limit)
    if fmt in ("jsonl", "ndjson"):
        return _json_lines(text, limit)
    return _csv_records(text, "\t" if fmt == "tsv" else ",", schema, limit)


def csv_header(text: str, fmt: str) -> tuple[int, list[str]] | None:
    """The header of a CSV or TSV sample (its first row that is not blank) and its line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ",")
    try:
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return None
            if row:
                return start, row
    except csv.Error:
        return None  # read_records says what is wrong


def _json_records(text: str, limit: int) -> list[Record]:
    """The records of a JSON array (each at the line where it starts), or the one object."""
    decoder = json.JSONDecoder()
    lines = _LineCounter(text)

    def decode(at: int) -> tuple[Any, int]:
        try:
            return decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise SampleError(exc.msg, exc.lineno) from None
        except (RecursionError, ValueError) as exc:
            raise SampleError(_unreadable_json(exc), lines.at(at)) from None

    position = _skip(text, 0)
    if position == len(text):
        return []
    if text[position] != "[":
        value, end = decode(position)
        if _skip(text, end) != len(text):
            raise SampleError("extra data after the JSON value", lines.at(_skip(text, end)))
        if not isinstance(value, dict):
            raise SampleError(
                "a JSON sample is an array of records or one record (an object), "
                f"not a {type(value).__name__}",
                lines.at(position),
            )
        return [Record(lines.at(position), value)]
    records: list[Record] = []
    position = _skip(text, position + 1)
    if text.startswith("]", position):
        position += 1
    else:
        while True:
            value, end = decode(position)
            records.append(Record(lines.at(position), value))
            if len(records) > limit:
                return records
            position = _skip(text, end)
            if text.startswith(",", position):
                position = _skip(text, position + 1)
            elif text.startswith("]", position):
                position += 1
                break
            else:
                raise SampleError("expected ',' or ']' after a record", lines.at(position))
    if _skip(text, position) != len(text):
        raise SampleError("extra data after the JSON array", lines.at(_skip(text, position)))
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


def _json_lines(text: str, limit: int) -> list[Record]:
    records: list[Record] = []
    for number, line in enumerate(_lines(text), start=1):
        if len(records) > limit:
            break
        if not line.strip():
            continue
        try:
            records.append(Record(number, json.loads(line)))
        except json.JSONDecodeError as exc:
            records.append(Record(number, problem=f"not valid JSON: {exc.msg}"))
        except (RecursionError, ValueError) as exc:
            records.append(Record(number, problem=_unreadable_json(exc)))
    return records


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time (a sample of a million lines is not split into a
    million strings to read its first ten thousand), split on "\\n" only: a JSON string may
    hold U+2028, which ``str.splitlines`` would split on."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _unreadable_json(exc: RecursionError | ValueError) -> str:
    """Valid JSON that Python cannot read: nested too deeply, or an integer too long."""
    if isinstance(exc, RecursionError):
        return "the record is nested too deeply to be read"
    return f"the record holds an integer of more than {_MAX_DIGITS} digits"


def _csv_records(text: str, delimiter: str, schema: Mapping[str, Any], limit: int) -> list[Record]:
    """The rows after the header as records, each at the physical line where the row starts
    (a quoted value may span lines), with values converted by the schema's property types."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    properties = schema.get("properties")
    types = properties if isinstance(properties, Mapping) else {}
    header: list[str] | None = None
    records: list[Record] = []
    while len(records) <= limit:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise SampleError(str(exc), start) from None
        if not row:
            continue  # a blank line
        if header is None:
            header = row
            continue
        if len(row) > len(header):
            problem = f"the row has {len(row)} values, the header has {len(header)}"
            records.append(Record(start, problem=problem))
            continue
        records.append(
            Record(
                start,
                {
                    name: _coerce(value, types.get(name))
                    for name, value in zip(header, row, strict=False)
                },
            )
        )
    return records


_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_MAX_DIGITS = 4300  # Python's limit on reading integers (sys.get_int_max_str_digits)


def _coerce(value: str, prop: Any) -> Any:
    """A CSV string as the type the property declares; left a string when it is none of them,
    so that the schema reports it (``'abc' is not of type 'number'``)."""
    declared = prop.get("type") if isinstance(prop, Mapping) else None
    types = (declared,) if isinstance(declared, str) else tuple(declared or ())
    if value == "" and "null" in types:
        return None
    # An integer longer than Python reads stays a string, which the schema then reports.
    integer = _INTEGER.match(value.strip()) is not None and len(value) <= _MAX_DIGITS
    if "integer" in types and integer:
        return int(value)
    if "number" in types:
        try:
            return int(value) if integer else float(value)
        except ValueError:
            pass
    if "boolean" in types and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value
