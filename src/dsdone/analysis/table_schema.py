"""Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/): the subset dsdone
reads, and the rows of a CSV or TSV sample checked against it.

The ``frictionless`` library reads the whole specification but brings fourteen packages with it
(pydantic among them); a data contract uses a small part of it, written here:

- ``fields``: ``name``, ``type`` (string, number, integer, boolean, date, datetime, time, year,
  any), ``format`` (string: default, email, uri, uuid; date, datetime, time: default, which is
  ISO 8601, or a ``%``-pattern such as ``%d/%m/%Y``), ``trueValues``/``falseValues``,
  ``decimalChar``, ``groupChar``, ``bareNumber``, ``missingValues`` of the field;
- ``constraints``: required, unique, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
  minLength, maxLength, pattern (the whole value), enum;
- ``missingValues`` (default ``[""]``) and ``primaryKey`` (unique and required).

Anything else that changes what is valid (another type or format, ``foreignKeys``, an unknown
constraint) is collected in ``unsupported``, so the check can say it was not checked, instead of
passing data it never looked at.
"""

from __future__ import annotations

import operator
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from dsdone.analysis.samples import Record

Where = tuple[str | int, ...]  # a place in the descriptor, for its line


class NotTableSchema(Exception):
    """The descriptor is not a Table Schema dsdone can read: the problem and its place."""

    def __init__(self, message: str, where: Where = ()) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


@dataclass(frozen=True)
class Unsupported:
    message: str  # what is not checked, and why
    where: Where


@dataclass(frozen=True)
class Failure:
    line: int
    record: int  # 0 for the header
    message: str


def is_table_schema(data: Any) -> bool:
    """A Table Schema has ``fields``; no JSON Schema keyword is named so."""
    return isinstance(data, Mapping) and "fields" in data


_TYPES = ("string", "number", "integer", "boolean", "date", "datetime", "time", "year", "any")
_CONSTRAINTS = (
    "required",
    "unique",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
)
# Keys of a field that describe it without changing what is valid.
_DESCRIPTIVE = {"name", "title", "description", "example", "rdfType", "type", "format"}
_FIELD_OPTIONS = {
    "number": {"decimalChar", "groupChar", "bareNumber"},
    "integer": {"groupChar", "bareNumber"},
    "boolean": {"trueValues", "falseValues"},
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_TIME = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:?[0-9]{2})?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_YEAR = re.compile(r"-?[0-9]{4}")


class _Invalid(Exception):
    """A value is not of its field's type or format."""


Cast = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    cast: Cast  # the string of a cell as the field's type; raises _Invalid
    constraints: Mapping[str, Any]
    missing_values: frozenset[str]
    index: int


@dataclass(frozen=True)
class TableSchema:
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    unsupported: tuple[Unsupported, ...] = ()

    @property
    def holds_pattern(self) -> bool:
        """Whether a constraint is a regular expression (matched with ``re``, which a pattern
        such as ``(a|aa)+`` keeps busy for ever: the caller runs ``failures`` where it can be
        stopped, ``dsdone.analysis.sample_validation``)."""
        return any("pattern" in column.constraints for column in self.columns)

    def failures(
        self, header: Sequence[str] | None, records: Sequence[Record]
    ) -> Iterator[Failure]:
        """Every problem of the sample: its header (line 1), then each record in order."""
        if header is not None:
            yield from self._header_failures(header)
        present = [c for c in self.columns if header is None or c.name in header]
        seen: dict[str, dict[Any, int]] = {c.name: {} for c in present}
        keys: dict[tuple[Any, ...], int] = {}
        for number, record in enumerate(records, start=1):
            if record.problem is not None:
                yield Failure(record.line, number, record.problem)
                continue
            if header is not None and len(record.value) < len(header):
                short = f"the row has {len(record.value)} values, the header has {len(header)}"
                yield Failure(record.line, number, short)
                continue
            values: dict[str, Any] = {}
            for column in present:
                problem = _cell_problem(column, record.value, values, seen, record.line)
                if problem is not None:
                    yield Failure(record.line, number, f"column '{column.name}': {problem}")
            if self.primary_key and all(name in values for name in self.primary_key):
                key = tuple(values[name] for name in self.primary_key)
                if None not in key:
                    if key in keys:
                        shown = ", ".join(self.primary_key)
                        yield Failure(
                            record.line,
                            number,
                            f"the primary key ({shown}) repeats the record at line {keys[key]}",
                        )
                    else:
                        keys[key] = record.line

    def _header_failures(self, header: Sequence[str]) -> Iterator[Failure]:
        names = {c.name for c in self.columns}
        for column in self.columns:
            if column.name not in header:
                yield Failure(
                    1, 0, f"the header has no column '{column.name}' (a field of the schema)"
                )
        for label in header:
            if label not in names:
                yield Failure(1, 0, f"the header's column '{label}' is not a field of the schema")


def _cell_problem(
    column: Column,
    row: Mapping[str, str],
    values: dict[str, Any],
    seen: dict[str, dict[Any, int]],
    line: int,
) -> str | None:
    if column.name not in row:
        return "the row ends before this column"
    raw = row[column.name]
    constraints = column.constraints
    if raw in column.missing_values:
        values[column.name] = None
        return "a value is required" if constraints.get("required") else None
    try:
        value = column.cast(raw)
    except _Invalid as exc:
        return f"{raw!r} is not {exc}"
    values[column.name] = value
    problem = _constraint_problem(column, raw, value)
    if problem is not None:
        return problem
    if constraints.get("unique"):
        earlier = seen[column.name].setdefault(value, line)
        if earlier != line:
            return f"{raw!r} repeats the value at line {earlier} (the column is unique)"
    return None


_BOUNDS: tuple[tuple[str, Callable[[Any, Any], bool], str], ...] = (
    ("minimum", operator.lt, "below the minimum"),
    ("maximum", operator.gt, "above the maximum"),
    ("exclusiveMinimum", operator.le, "not above the exclusive minimum"),
    ("exclusiveMaximum", operator.ge, "not below the exclusive maximum"),
)


def _constraint_problem(column: Column, raw: str, value: Any) -> str | None:
    c = column.constraints
    if "enum" in c and value not in c["enum"]:
        shown = ", ".join(repr(v) for v in c["enum_raw"])
        return f"{raw!r} is not one of {shown}"
    for key, fails, phrase in _BOUNDS:
        try:
            failed = key in c and fails(value, c[key])
        except TypeError:  # a datetime with a time zone against one without: not comparable
            failed = False
        if failed:
            return f"{raw!r} is {phrase} {c[key + '_raw']!r}"
    if "minLength" in c and len(raw) < c["minLength"]:
        return f"{raw!r} is shorter than {c['minLength']} characters"
    if "maxLength" in c and len(raw) > c["maxLength"]:
        return f"{raw!r} is longer than {c['maxLength']} characters"
    if "pattern" in c and c["pattern"].fullmatch(raw) is None:
        return f"{raw!r} does not match the pattern {c['pattern'].pattern!r}"
    return None


# -- reading the descriptor ---------------------------------------------------------------------


def read_table_schema(data: Any) -> TableSchema:
    """The Table Schema ``data`` describes; ``NotTableSchema`` when it is malformed."""
    if not isinstance(data, Mapping):
        raise NotTableSchema(f"a Table Schema is a mapping, not a {type(data).__name__}")
    fields = data.get("fields")
    if not isinstance(fields, list) or not fields:
        raise NotTableSchema("`fields` must be a non-empty list of fields", ("fields",))
    missing = _string_list(data.get("missingValues", [""]), ("missingValues",))
    unsupported: list[Unsupported] = []
    columns: list[Column] = []
    for index, raw in enumerate(fields):
        columns.append(_column(raw, index, missing, unsupported))
    names = [c.name for c in columns]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise NotTableSchema(f"two fields are named '{name}'", ("fields", index, "name"))
    primary = data.get("primaryKey", [])
    key = (primary,) if isinstance(primary, str) else tuple(_string_list(primary, ("primaryKey",)))
    for name in key:
        if name not in names:
            raise NotTableSchema(
                f"primaryKey names '{name}', which is not a field", ("primaryKey",)
            )
    if "foreignKeys" in data:
        unsupported.append(
            Unsupported(
                "foreignKeys are not checked (they refer to other tables)", ("foreignKeys",)
            )
        )
    by_name = {c.name: c for c in columns}
    for name in key:  # a primary key's values are required (the specification says so)
        column = by_name[name]
        by_name[name] = Column(
            column.name,
            column.type,
            column.cast,
            {**column.constraints, "required": True},
            column.missing_values,
            column.index,
        )
    return TableSchema(tuple(by_name[n] for n in names), key, tuple(unsupported))


def _string_list(value: Any, where: Where) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NotTableSchema(f"`{where[-1]}` must be a list of strings", where)
    return value


def _column(raw: Any, index: int, missing: list[str], unsupported: list[Unsupported]) -> Column:
    at: Where = ("fields", index)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise NotTableSchema("each field is a mapping with a `name`", at)
    name = raw["name"]
    kind = raw.get("type", "string")
    if kind not in _TYPES:
        unsupported.append(
            Unsupported(
                f"field '{name}': type {kind!r} is not checked (its values are read as they are)",
                (*at, "type"),
            )
        )
        kind = "any"
    cast = _cast_for(name, kind, raw, at, unsupported)
    for key in sorted(set(raw) - _DESCRIPTIVE - _FIELD_OPTIONS.get(kind, set())):
        if key in ("constraints", "missingValues"):
            continue
        unsupported.append(Unsupported(f"field '{name}': `{key}` is not checked", (*at, key)))
    own_missing = raw.get("missingValues")
    values = missing if own_missing is None else _string_list(own_missing, (*at, "missingValues"))
    constraints = _constraints(name, kind, cast, raw.get("constraints", {}), at, unsupported)
    return Column(name, kind, cast, constraints, frozenset(values), index)


def _constraints(
    name: str, kind: str, cast: Cast, raw: Any, at: Where, unsupported: list[Unsupported]
) -> dict[str, Any]:
    where: Where = (*at, "constraints")
    if not isinstance(raw, Mapping):
        raise NotTableSchema(f"field '{name}': `constraints` must be a mapping", where)
    result: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _CONSTRAINTS:
            unsupported.append(
                Unsupported(f"field '{name}': the constraint `{key}` is not checked", (*where, key))
            )
        elif key in ("required", "unique"):
            result[key] = value is True
        elif key in ("minLength", "maxLength"):
            if not isinstance(value, int) or isinstance(value, bool):
                raise NotTableSchema(
                    f"field '{name}': `{key}` must be a whole number", (*where, key)
                )
            result[key] = value
        elif key == "pattern":
            if not isinstance(value, str):
                raise NotTableSchema(f"field '{name}': `pattern` must be a string", (*where, key))
            result[key] = _pattern(name, value, (*where, key))
        elif key == "enum":
            if not isinstance(value, list):
                raise NotTableSchema(f"field '{name}': `enum` must be a list", (*where, key))
            result["enum"] = [_bound(name, cast, v, (*where, key)) for v in value]
            result["enum_raw"] = value
        elif kind in ("string", "boolean", "any"):
            unsupported.append(
                Unsupported(
                    f"field '{name}': `{key}` is not checked on a field of type {kind}",
                    (*where, key),
                )
            )
        else:
            result[key] = _bound(name, cast, value, (*where, key))
            result[key + "_raw"] = value
    return result


def _pattern(name: str, value: str, where: Where) -> re.Pattern[str]:
    """The constraint compiled, so that one that is not a regular expression is reported at its
    line (compiling does not backtrack; matching can take for ever, and is done where it can
    be stopped)."""
    try:
        return re.compile(value)
    except (re.error, RecursionError, OverflowError) as exc:
        raise NotTableSchema(
            f"field '{name}': `pattern` is not a regular expression: {exc}", where
        ) from None


def _bound(name: str, cast: Cast, value: Any, where: Where) -> Any:
    """A constraint's value as the field's type: written as a string (``"2020-01-01"``) it is
    read as a cell is; a number or boolean is taken as it is."""
    if isinstance(value, str):
        try:
            return cast(value)
        except _Invalid as exc:
            raise NotTableSchema(f"field '{name}': {value!r} is not {exc}", where) from None
    return value


def _cast_for(
    name: str, kind: str, raw: Mapping[str, Any], at: Where, unsupported: list[Unsupported]
) -> Cast:
    fmt = raw.get("format", "default")
    if not isinstance(fmt, str):
        raise NotTableSchema(f"field '{name}': `format` must be a string", (*at, "format"))
    if kind == "string" and fmt in _STRING_FORMATS:
        return _STRING_FORMATS[fmt]
    if kind in ("date", "datetime", "time") and (fmt == "default" or "%" in fmt):
        return _temporal(kind, fmt)
    if kind == "number" and fmt == "default":
        return _number(
            raw.get("decimalChar", "."), raw.get("groupChar", ""), raw.get("bareNumber", True)
        )
    if kind == "integer" and fmt == "default":
        return _integer(raw.get("groupChar", ""), raw.get("bareNumber", True))
    if kind == "boolean" and fmt == "default":
        true = _string_list(
            raw.get("trueValues", ["true", "True", "TRUE", "1"]), (*at, "trueValues")
        )
        false = _string_list(
            raw.get("falseValues", ["false", "False", "FALSE", "0"]), (*at, "falseValues")
        )
        return _boolean(frozenset(true), frozenset(false))
    if kind == "year" and fmt == "default":
        return _year
    if kind == "any" and fmt == "default":
        return _anything
    unsupported.append(
        Unsupported(
            f"field '{name}': format {fmt!r} of type {kind} is not checked", (*at, "format")
        )
    )
    return _anything


def _anything(value: str) -> str:
    return value


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise _Invalid("an email address")
    return value


def _uri(value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:
        raise _Invalid("a URI") from None
    if not parts.scheme or not (parts.netloc or parts.path):
        raise _Invalid("a URI")
    return value


def _uuid(value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise _Invalid("a UUID") from None
    return value


_STRING_FORMATS: dict[str, Cast] = {
    "default": _anything,
    "email": _email,
    "uri": _uri,
    "uuid": _uuid,
}


def _number(decimal: Any, group: Any, bare: Any) -> Cast:
    def cast(value: str) -> float:
        text = value if bare is not False else _strip_non_numeric(value)
        if group:
            text = text.replace(str(group), "")
        if decimal != ".":
            text = text.replace(str(decimal), ".")
        if text in ("NaN", "INF", "-INF"):
            return float(text.replace("INF", "inf"))
        if not _NUMBER.fullmatch(text):
            raise _Invalid("a number")
        return float(text)

    return cast


def _integer(group: Any, bare: Any) -> Cast:
    def cast(value: str) -> int:
        text = value if bare is not False else _strip_non_numeric(value)
        if group:
            text = text.replace(str(group), "")
        if not _INTEGER.fullmatch(text):
            raise _Invalid("an integer")
        return int(text)

    return cast


def _strip_non_numeric(value: str) -> str:
    """``€95`` or ``95%`` as ``95``: what ``bareNumber: false`` allows around a number."""
    start, end = 0, len(value)
    while start < end and not (value[start].isdigit() or value[start] in "+-."):
        start += 1
    while end > start and not value[end - 1].isdigit():
        end -= 1
    return value[start:end]


def _boolean(true: frozenset[str], false: frozenset[str]) -> Cast:
    def cast(value: str) -> bool:
        if value in true:
            return True
        if value in false:
            return False
        raise _Invalid(f"a boolean ({', '.join(sorted(true | false))})")

    return cast


def _year(value: str) -> int:
    if not _YEAR.fullmatch(value):
        raise _Invalid("a year (YYYY)")
    return int(value)


def _temporal(kind: str, fmt: str) -> Cast:
    wanted = {"date": "a date", "datetime": "a datetime", "time": "a time"}[kind]
    if fmt != "default":
        wanted += f" written {fmt}"

        def parse(value: str) -> Any:
            try:
                parsed = datetime.strptime(value, fmt)
            except ValueError:
                raise _Invalid(wanted) from None
            return parsed.date() if kind == "date" else parsed.time() if kind == "time" else parsed

        return parse

    def parse_iso(value: str) -> Any:
        try:
            if kind == "date" and _ISO_DATE.fullmatch(value):
                return date.fromisoformat(value)
            if kind == "time" and _ISO_TIME.fullmatch(value):
                return time.fromisoformat(value)
            if (
                kind == "datetime"
                and len(value) > 10
                and _ISO_DATE.fullmatch(value[:10])
                and value[10] in "T "
                and _ISO_TIME.fullmatch(value[11:])
            ):
                return datetime.fromisoformat(value)
        except ValueError:
            pass
        raise _Invalid(f"{wanted} (ISO 8601: {_ISO_EXAMPLE[kind]})")

    return parse_iso


_ISO_EXAMPLE = {"date": "2024-01-31", "datetime": "2024-01-31T13:45:00Z", "time": "13:45:00"}
