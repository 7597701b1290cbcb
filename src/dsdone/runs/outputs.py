"""What a smoke run wrote, held to the contract: each declared output exists and its records
fit that output's JSON Schema, as the output-schema check holds the committed sample to it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dsdone.analysis.samples import SampleError, read_records
from dsdone.contract import Output
from dsdone.project import Project
from dsdone.report import Finding
from dsdone.safe_read import read_regular

_SHOWN_FAILURES = 3
_FORMAT_OF_SUFFIX = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
}
MAX_OUTPUT_BYTES = 64 * 1024 * 1024


def check_output(
    project: Project, output: Output, folder: Path, relative: str
) -> Iterator[Finding]:
    """Findings about ``relative`` (in ``folder``), the file the smoke run wrote as ``output``."""
    label = f"the smoke run's output '{output.name}'"
    at: tuple[str, ...] = ("retrain", "smoke", "outputs", output.name or "")
    produced = (folder / relative).resolve()
    if folder.resolve() not in produced.parents or not produced.is_file():
        yield project.contract_finding(
            f"{label} was not written: no file {relative} in $DSDONE_OUTPUT_DIR",
            *at,
            hint=f"make the smoke command write {relative} into the folder $DSDONE_OUTPUT_DIR",
        )
        return
    fmt = output.format or _FORMAT_OF_SUFFIX.get(produced.suffix.lower())
    schema = _schema(project, output)
    if schema is None or fmt not in ("json", "jsonl", "csv", "tsv"):
        return  # output-schema says what is wrong with the schema or the format
    if produced.stat().st_size > MAX_OUTPUT_BYTES:
        yield project.contract_finding(
            f"{label} is larger than {MAX_OUTPUT_BYTES >> 20} MB: a smoke run writes a sample",
            *at,
            hint="run the smoke command on a small sample of the data",
        )
        return
    try:
        # A regular file only (a named pipe would wait forever), at most its cap: the size
        # above was the file's a moment ago.
        raw = read_regular(str(produced), MAX_OUTPUT_BYTES)
        records = read_records(raw.decode("utf-8"), fmt, schema)
    except (OSError, UnicodeDecodeError):
        yield project.contract_finding(f"{label} is not UTF-8 text", *at, hint="write it as UTF-8")
        return
    except SampleError as exc:
        yield project.contract_finding(
            f"{label} is not valid {fmt} (line {exc.line}): {exc.message}",
            *at,
            hint=f"write {fmt} as the output declares",
        )
        return
    failures = list(_failures(schema, records))
    for number, message in failures[:_SHOWN_FAILURES]:
        yield project.contract_finding(
            f"{label}: record {number} fails the schema: {message}",
            *at,
            hint="fix the code that writes this output, or the schema if it is the one wrong",
        )
    if len(failures) > _SHOWN_FAILURES:
        more = len(failures) - _SHOWN_FAILURES
        yield project.contract_finding(
            f"{label}: {more} more record{'s' if more != 1 else ''} "
            f"fail{'' if more != 1 else 's'} the schema",
            *at,
        )


def _schema(project: Project, output: Output) -> Mapping[str, Any] | None:
    if isinstance(output.schema, Mapping):
        return output.schema
    if not isinstance(output.schema, str):
        return None
    parsed = project.parsed(output.schema.strip())
    return parsed.data if parsed.problem is None and isinstance(parsed.data, dict) else None


def _failures(schema: Mapping[str, Any], records: list[Any]) -> Iterator[tuple[int, str]]:
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    try:
        validator_class = validator_for(schema)
        validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
        for number, record in enumerate(records, start=1):
            if record.problem is not None:
                yield number, record.problem
                continue
            error = best_match(validator.iter_errors(record.value))
            if error is not None:
                place = "/".join(str(p) for p in error.absolute_path)
                yield number, error.message + (f" (at {place})" if place else "")
    except Exception:
        return
