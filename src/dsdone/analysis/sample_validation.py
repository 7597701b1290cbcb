"""Records of a sample validated against a JSON Schema (or a Frictionless Table Schema): which
fail, and why.

A JSON value in and out (``validate``, ``validate_table``), so that the same function runs in
dsdone's process or, when the schema holds regular expressions that a stranger wrote
(``pattern``, ``patternProperties``; a Table Schema's ``pattern`` constraint), in a child process
that the check's timeout can end (``dsdone.isolation``): Python runs a regular expression in C,
holding the lock every other thread needs, and ``^(a+)+$`` against forty ``a`` and a ``!`` takes
longer than anyone waits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The keywords whose values jsonschema runs as regular expressions against the sample.
REGEX_KEYWORDS = frozenset({"pattern", "patternProperties"})


def holds_regex(schema: Any) -> bool:
    """Whether ``schema`` (or a schema inside it) has a keyword that runs a regular expression."""
    pending = [schema]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            if REGEX_KEYWORDS & item.keys():
                return True
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def validate(request: dict[str, Any]) -> dict[str, Any]:
    """``{"schema": ..., "records": [[line, value, problem], ...]}`` → ``{"failures": [[index,
    message], ...]}`` (index into the records, in order), or ``{"unusable": why}`` when the
    schema itself fails while validating (an unresolvable ``$ref``)."""
    from jsonschema.exceptions import best_match
    from jsonschema.validators import Draft202012Validator, validator_for

    schema = request["schema"]
    cls = validator_for(schema, default=Draft202012Validator)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    failures: list[list[Any]] = []
    for index, (_line, value, problem) in enumerate(request["records"]):
        if problem is not None:
            failures.append([index, problem])
            continue
        try:
            error = best_match(validator.iter_errors(value))
        except RecursionError:
            return {"unusable": "it refers to itself too deeply for this record"}
        except Exception as exc:  # an unresolvable $ref surfaces only while validating
            return {"unusable": f"{type(exc).__name__}: {exc}"}
        if error is not None:
            place = "/".join(str(p) for p in error.absolute_path)
            failures.append([index, error.message + (f" (at {place})" if place else "")])
    return {"failures": failures}


def validate_table(request: dict[str, Any]) -> dict[str, Any]:
    """``{"descriptor": ..., "header": [...] or None, "records": [[line, value, problem], ...]}``
    (a Frictionless Table Schema and the rows of a CSV sample) → ``{"failures": [[line, record,
    message], ...]}`` (record 0 is the header), or ``{"unusable": why}``. The same in a child
    process as here: a ``pattern`` constraint is a regular expression a stranger wrote."""
    from dsdone.analysis.samples import Record
    from dsdone.analysis.table_schema import NotTableSchema, read_table_schema

    try:
        table = read_table_schema(request["descriptor"])
    except NotTableSchema as exc:  # the parent read it; only a value sent as text differs
        return {"unusable": exc.message}
    records = [Record(line, value, problem) for line, value, problem in request["records"]]
    return {
        "failures": [
            [failure.line, failure.record, failure.message]
            for failure in table.failures(request["header"], records)
        ]
    }
