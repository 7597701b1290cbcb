"""output-schema: outputs with a known format, a valid JSON Schema, and a sample validated
record by record with the line of each failing record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

from dsdone.checks.output_schema import output_schema
from dsdone.report import CheckResult, Finding, Status
from dsdone.testing import run_check

SCHEMA = {
    "type": "object",
    "required": ["id", "score"],
    "properties": {
        "id": {"type": "integer"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "label": {"type": ["string", "null"]},
        "flagged": {"type": "boolean"},
    },
    "additionalProperties": False,
}
SCHEMA_FILE = json.dumps(SCHEMA, indent=2) + "\n"


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, output_schema, **options)


def output(
    fmt: str | None = "csv",
    schema: str | None = "schemas/scores.json",
    sample: str | None = None,
    extra: str = "",
) -> str:
    lines = ["outputs:", "  - name: scores"]
    if fmt is not None:
        lines.append(f"    format: {fmt}")
    if schema is not None:
        lines.append(f"    schema: {schema}")
    if sample is not None:
        lines.append(f"    sample: {sample}")
    return MINIMAL_CONTRACT + "\n".join(lines) + "\n" + extra


def only_finding(result: CheckResult) -> Finding:
    assert result.status is Status.FAIL, result.summary
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


def located(result: CheckResult) -> list[tuple[str | None, int | None, str]]:
    return [(f.path, f.line, f.message) for f in result.findings]


# -- passing outputs ---------------------------------------------------------------------------


CSV_SAMPLE = """\
id,score,label,flagged
1,0.25,churn,true
2,1,,False
3,0.5,"two
lines",false
"""


@pytest.mark.parametrize(
    ("fmt", "sample_name", "sample"),
    [
        ("csv", "scores.csv", CSV_SAMPLE),
        ("tsv", "scores.tsv", "id\tscore\n1\t0.5\n"),
        ("json", "scores.json", '[\n  {"id": 1, "score": 0.5},\n  {"id": 2, "score": 0.1}\n]\n'),
        ("json", "one.json", '{"id": 1, "score": 0.5, "label": null}\n'),
        ("jsonl", "scores.jsonl", '{"id": 1, "score": 0.5}\n\n{"id": 2, "score": 0}\n'),
        ("ndjson", "scores.ndjson", '{"id": 1, "score": 0.5}\n'),
        ("JSONL", "scores.jsonl", '{"id": 1, "score": 0.5}\n'),
    ],
)
def test_valid_samples_pass(make_repo: MakeRepo, fmt: str, sample_name: str, sample: str) -> None:
    root = make_repo(
        {"schemas/scores.json": SCHEMA_FILE, f"samples/{sample_name}": sample},
        contract=output(fmt=fmt, sample=f"samples/{sample_name}"),
    )
    result = run(root)
    assert result.status is Status.PASS, result.findings


@pytest.mark.parametrize(
    ("schema", "sample"),
    [("./schemas/scores.json", "./out.jsonl"), ("schemas//scores.json", "samples/../out.jsonl")],
)
def test_paths_are_taken_as_the_repository_spells_them(
    make_repo: MakeRepo, schema: str, sample: str
) -> None:
    root = make_repo(
        {"schemas/scores.json": SCHEMA_FILE, "out.jsonl": '{"id": 1, "score": 0.5}\n'},
        contract=output(fmt="jsonl", schema=schema, sample=sample),
    )
    assert run(root).status is Status.PASS


def test_a_yaml_schema_file_and_an_inline_schema_are_accepted(make_repo: MakeRepo) -> None:
    yaml_schema = "type: object\nproperties:\n  id: {type: integer}\nrequired: [id]\n"
    contract = MINIMAL_CONTRACT + (
        "outputs:\n"
        "  - {name: a, format: jsonl, schema: schemas/a.yaml, sample: a.jsonl}\n"
        "  - name: b\n"
        "    format: json\n"
        "    schema:\n"
        "      type: object\n"
        "      properties:\n"
        "        id: {type: integer}\n"
    )
    files = {"schemas/a.yaml": yaml_schema, "a.jsonl": '{"id": 3}\n'}
    assert run(make_repo(files, contract=contract)).status is Status.PASS


def test_a_parquet_sample_is_not_read_and_the_summary_says_why(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"schemas/scores.json": SCHEMA_FILE, "scores.parquet": b"PAR1\x00\x00PAR1"},
        contract=output(fmt="parquet", sample="scores.parquet"),
    )
    result = run(root)
    assert result.status is Status.PASS
    assert result.summary == (
        "outputs[0] (scores): the parquet sample scores.parquet was not validated (reading "
        "parquet needs pyarrow, which dsdone does not depend on)"
    )


# -- the contract ------------------------------------------------------------------------------


def test_no_outputs_section_fails_with_a_minimal_example(make_repo: MakeRepo) -> None:
    finding = only_finding(run(make_repo()))
    assert (finding.path, finding.message) == ("dsdone.yaml", "the contract declares no outputs")
    assert finding.hint is not None and "schema: schemas/scores.schema.json" in finding.hint


def test_an_empty_outputs_list_fails_at_its_line(make_repo: MakeRepo) -> None:
    finding = only_finding(run(make_repo(contract=MINIMAL_CONTRACT + "outputs: []\n")))
    assert (finding.line, finding.message) == (5, "outputs: is empty")


def test_missing_name_format_and_schema_are_each_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(contract=MINIMAL_CONTRACT + "outputs:\n  - description: scores\n")
    assert located(run(root)) == [
        ("dsdone.yaml", 6, "outputs[0] has no format"),
        ("dsdone.yaml", 6, "outputs[0] has no name"),
        ("dsdone.yaml", 6, "outputs[0] has no schema"),
    ]


def test_a_duplicate_output_name_is_a_finding(make_repo: MakeRepo) -> None:
    entry = "  - {name: scores, format: csv, schema: {type: object}}\n"
    root = make_repo(contract=MINIMAL_CONTRACT + "outputs:\n" + entry + entry)
    finding = only_finding(run(root))
    assert finding.message == (
        "outputs[1] (scores): the name 'scores' is also used by outputs[0] (line 6)"
    )
    assert finding.line == 7


@pytest.mark.parametrize(
    ("fmt", "extra", "passes"),
    [
        ("xlsx", "", False),
        ("avro", "", False),
        ("avro", "checks:\n  output-schema:\n    extra_formats: [avro]\n", True),
        ("Parquet", "", True),
    ],
)
def test_the_format_must_be_in_the_documented_set(
    make_repo: MakeRepo, fmt: str, extra: str, passes: bool
) -> None:
    root = make_repo({"schemas/scores.json": SCHEMA_FILE}, contract=output(fmt=fmt, extra=extra))
    result = run(root)
    if passes:
        assert result.status is Status.PASS
    else:
        finding = only_finding(result)
        assert finding.message == (
            f"outputs[0] (scores): format '{fmt}' is not one of csv, json, jsonl, ndjson, "
            "parquet, tsv"
        )
        assert finding.line == 7


# -- the schema --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "schema", "message"),
    [
        ({}, "schemas/scores.json", "schema schemas/scores.json does not exist"),
        ({".gitignore": "schemas/\n", "schemas/scores.json": SCHEMA_FILE}, "schemas/scores.json",
         "schema schemas/scores.json is ignored by git, so a fresh clone does not have it"),
        ({}, "../scores.json", "schema ../scores.json points outside the project folder"),
        ({}, "/etc/scores.json", "schema /etc/scores.json points outside the project folder"),
    ],
)  # fmt: skip
def test_a_schema_file_that_cannot_be_had_is_a_finding_at_the_contract(
    make_repo: MakeRepo, files: dict[str, str], schema: str, message: str
) -> None:
    root = make_repo(files, contract=output(schema=schema))
    finding = only_finding(run(root))
    assert (finding.path, finding.line) == ("dsdone.yaml", 8)
    assert finding.message == f"outputs[0] (scores): {message}"


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("s.json", '{\n  "type": "object",\n  "properties": {,}\n}\n', 3,
         "schema s.json is not valid JSON: Expecting property name enclosed in double quotes"),
        ("s.yaml", "type: object\nproperties:\n  id: [integer\n", 4,
         "schema s.yaml is not valid YAML: expected ',' or ']', but got '<stream end>'"),
        ("s.json", '{\n  "type": "strnig"\n}\n', 2,
         "s.json is not a valid JSON Schema (draft 2020-12): 'strnig' is not valid under any of "
         "the given schemas (at type)"),
        ("s.yaml", "type: object\nproperties:\n  id:\n    minimum: low\n", 4,
         "s.yaml is not a valid JSON Schema (draft 2020-12): 'low' is not of type 'number' "
         "(at properties/id/minimum)"),
        ("s.json", '[{"type": "object"}]\n', 1,
         "s.json is not a JSON Schema: it is a list, not a mapping"),
        ("s.json", '{\n  "$schema": "https://example.com/my-draft",\n  "type": "object"\n}\n', 2,
         "s.json declares $schema 'https://example.com/my-draft', which is not a JSON Schema "
         "draft dsdone knows"),
    ],
)  # fmt: skip
def test_a_schema_that_does_not_parse_or_is_invalid_is_located_in_its_file(
    make_repo: MakeRepo, name: str, text: str, line: int, message: str
) -> None:
    root = make_repo({name: text}, contract=output(schema=name))
    finding = only_finding(run(root))
    assert (finding.path, finding.line, finding.message) == (name, line, message)


def test_an_invalid_inline_schema_is_located_in_the_contract(make_repo: MakeRepo) -> None:
    contract = output(schema=None) + (
        "    schema:\n      type: object\n      properties:\n        id: {type: strnig}\n"
    )
    finding = only_finding(run(make_repo(contract=contract)))
    assert finding.path == "dsdone.yaml"
    assert finding.line == 11
    assert finding.message == (
        "the inline schema of outputs[0] (scores) is not a valid JSON Schema (draft 2020-12): "
        "'strnig' is not valid under any of the given schemas (at properties/id/type)"
    )


@pytest.mark.parametrize(
    ("draft", "valid"),
    [("http://json-schema.org/draft-04/schema#", True),
     ("http://json-schema.org/draft-07/schema#", False)],
)  # fmt: skip
def test_the_schema_is_checked_against_the_draft_it_declares(
    make_repo: MakeRepo, draft: str, valid: bool
) -> None:
    # A boolean exclusiveMinimum is draft 4; from draft 6 on it must be a number.
    schema = {"$schema": draft, "properties": {"score": {"minimum": 0, "exclusiveMinimum": True}}}
    root = make_repo({"s.json": json.dumps(schema)}, contract=output(schema="s.json"))
    result = run(root)
    if valid:
        assert result.status is Status.PASS
    else:
        assert only_finding(result).message == (
            "s.json is not a valid JSON Schema (draft 07): True is not of type 'number' "
            "(at properties/score/exclusiveMinimum)"
        )


# -- the sample --------------------------------------------------------------------------------


def sample_result(
    make_repo: MakeRepo, name: str, sample: str, fmt: str, extra: str = ""
) -> CheckResult:
    root = make_repo(
        {"schemas/scores.json": SCHEMA_FILE, name: sample},
        contract=output(fmt=fmt, sample=name, extra=extra),
    )
    return run(root)


def test_failing_json_array_records_are_reported_at_the_line_they_start(
    make_repo: MakeRepo,
) -> None:
    sample = (
        "[\n"
        '  {"id": 1, "score": 0.5},\n'
        '  {"id": 2,\n'
        '   "score": 1.5},\n'
        '  {"id": "3", "score": 0.1}, {"id": 4}\n'
        "]\n"
    )
    result = sample_result(make_repo, "out.json", sample, "json")
    assert located(result) == [
        ("out.json", 3, "outputs[0] (scores): record 2 of the sample fails the schema: "
         "1.5 is greater than the maximum of 1 (at score)"),
        ("out.json", 5, "outputs[0] (scores): record 3 of the sample fails the schema: "
         "'3' is not of type 'integer' (at id)"),
        ("out.json", 5, "outputs[0] (scores): record 4 of the sample fails the schema: "
         "'score' is a required property"),
    ]  # fmt: skip


def test_csv_rows_are_reported_at_their_physical_line(make_repo: MakeRepo) -> None:
    sample = (
        'id,score,label\n1,0.5,"a label\nover two lines"\n2,high,x\n\n3,0.5,x,extra\nfour,0.5,\n'
    )
    result = sample_result(make_repo, "out.csv", sample, "csv")
    assert located(result) == [
        ("out.csv", 4, "outputs[0] (scores): record 2 of the sample fails the schema: "
         "'high' is not of type 'number' (at score)"),
        ("out.csv", 6, "outputs[0] (scores): record 3 of the sample fails the schema: "
         "the row has 4 values, the header has 3"),
        ("out.csv", 7, "outputs[0] (scores): record 4 of the sample fails the schema: "
         "'four' is not of type 'integer' (at id)"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("column", "value", "passes"),
    [
        ("id", "7", True),
        ("id", "-7", True),
        ("id", "7.5", False),
        ("id", "", False),  # not nullable: an empty id is a string, not an integer
        ("score", "0.25", True),
        ("score", "1", True),
        ("score", "1e-3", True),
        ("score", "0,5", None),  # a comma splits the row: 4 values for 3 columns
        ("label", "", True),  # nullable: empty is null
        ("label", "null", True),  # a string is a string
        ("flagged", "true", True),
        ("flagged", "FALSE", True),
        ("flagged", "yes", False),
        ("flagged", "1", False),
    ],
)
def test_csv_values_are_coerced_by_the_property_type(
    make_repo: MakeRepo, column: str, value: str, passes: bool | None
) -> None:
    values = {"id": "1", "score": "0.5", "label": "x", "flagged": "true", column: value}
    sample = "id,score,label,flagged\n" + ",".join(values.values()) + "\n"
    result = sample_result(make_repo, "out.csv", sample, "csv")
    if passes:
        assert result.status is Status.PASS, result.findings
    else:
        finding = only_finding(result)
        assert (finding.path, finding.line) == ("out.csv", 2)
        assert finding.message.startswith("outputs[0] (scores): record 1 of the sample fails")


def test_a_jsonl_line_that_is_not_json_is_a_failing_record(make_repo: MakeRepo) -> None:
    sample = '{"id": 1, "score": 0.5}\n{"id": 2, "score": 0.5\n\n{"id": 3, "score": -1}\n'
    result = sample_result(make_repo, "out.jsonl", sample, "jsonl")
    assert located(result) == [
        ("out.jsonl", 2, "outputs[0] (scores): record 2 of the sample fails the schema: "
         "not valid JSON: Expecting ',' delimiter"),
        ("out.jsonl", 4, "outputs[0] (scores): record 3 of the sample fails the schema: "
         "-1 is less than the minimum of 0 (at score)"),
    ]  # fmt: skip


@pytest.mark.parametrize(("limit", "listed"), [(None, 5), (2, 2), (0, 0)])
def test_at_most_max_failures_records_are_listed_and_the_rest_counted(
    make_repo: MakeRepo, limit: int | None, listed: int
) -> None:
    sample = "".join(f'{{"id": {i}, "score": 2}}\n' for i in range(1, 8))
    extra = f"checks:\n  output-schema:\n    max_failures: {limit}\n" if limit is not None else ""
    result = sample_result(make_repo, "out.jsonl", sample, "jsonl", extra)
    assert [f.line for f in result.findings[1:]] == list(range(1, listed + 1))
    rest = result.findings[0]
    assert (rest.path, rest.line) == ("out.jsonl", None)
    assert rest.message == (
        f"outputs[0] (scores): {7 - listed} more records of out.jsonl fail the schema (not listed)"
    )


@pytest.mark.parametrize(
    ("name", "fmt", "sample", "line", "message"),
    [
        ("out.json", "json", '[{"id": 1, "score": 0.5},\n {"id": 2 "score": 1}]\n', 2,
         "sample out.json is not valid json: Expecting ',' delimiter"),
        ("out.json", "json", '[{"id": 1, "score": 0.5}]\n[]\n', 2,
         "sample out.json is not valid json: extra data after the JSON array"),
        ("out.json", "json", '\n"scores"\n', 2,
         "sample out.json is not valid json: a JSON sample is an array of records or one record "
         "(an object), not a str"),
        ("out.json", "json", "[]\n", None, "sample out.json holds no records"),
        ("out.csv", "csv", "id,score\n", None, "sample out.csv holds no records"),
        ("out.jsonl", "jsonl", "\n", None, "sample out.jsonl holds no records"),
    ],
)  # fmt: skip
def test_a_sample_that_cannot_be_read_as_its_format_is_one_finding(
    make_repo: MakeRepo, name: str, fmt: str, sample: str, line: int | None, message: str
) -> None:
    finding = only_finding(sample_result(make_repo, name, sample, fmt))
    assert (finding.path, finding.line, finding.message) == (
        name, line, f"outputs[0] (scores): {message}"
    )  # fmt: skip


def test_a_missing_sample_is_a_finding_at_the_contract(make_repo: MakeRepo) -> None:
    root = make_repo({"schemas/scores.json": SCHEMA_FILE}, contract=output(sample="out.csv"))
    finding = only_finding(run(root))
    assert (finding.path, finding.line) == ("dsdone.yaml", 9)
    assert finding.message == "outputs[0] (scores): sample out.csv does not exist"


def test_a_sample_that_is_not_utf8_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"schemas/scores.json": SCHEMA_FILE, "out.csv": b"id,score\n1,\xe9\n"},
        contract=output(sample="out.csv"),
    )
    finding = only_finding(run(root))
    assert (
        finding.message
        == "outputs[0] (scores): sample out.csv cannot be read: it is not UTF-8 text"
    )


def test_an_unresolvable_ref_is_a_finding_not_a_crash(make_repo: MakeRepo) -> None:
    schema = {"type": "object", "properties": {"id": {"$ref": "#/$defs/missing"}}}
    root = make_repo(
        {"s.json": json.dumps(schema), "out.jsonl": '{"id": 1}\n'},
        contract=output(fmt="jsonl", schema="s.json", sample="out.jsonl"),
    )
    finding = only_finding(run(root))
    assert finding.line == 8
    assert finding.message.startswith(
        "outputs[0] (scores): the schema cannot be applied to the sample:"
    )


def test_through_the_cli_the_report_gives_area_and_located_findings(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(
        {"schemas/scores.json": SCHEMA_FILE, "out.csv": "id,score\n1,7\n"},
        contract=output(sample="out.csv"),
    )
    result = run_cli("check", str(root), "--select", "output-schema", "--format", "json")
    assert result.exit_code == 1
    [check] = json.loads(result.stdout)["results"]
    assert (check["check"], check["area"], check["status"]) == (
        "output-schema",
        "data",
        "fail",
    )
    assert (check["findings"][0]["path"], check["findings"][0]["line"]) == ("out.csv", 2)


@pytest.mark.parametrize(("day", "passes"), [("2024-02-29", True), ("2023-02-29", False)])
def test_string_formats_such_as_date_are_checked(
    make_repo: MakeRepo, day: str, passes: bool
) -> None:
    schema = {"type": "object", "properties": {"day": {"type": "string", "format": "date"}}}
    root = make_repo(
        {"s.json": json.dumps(schema), "out.csv": f"day\n{day}\n"},
        contract=output(schema="s.json", sample="out.csv"),
    )
    result = run(root)
    if passes:
        assert result.status is Status.PASS
    else:
        assert only_finding(result).message == (
            "outputs[0] (scores): record 1 of the sample fails the schema: "
            "'2023-02-29' is not a 'date' (at day)"
        )


def check_in_a_subprocess(root: Path) -> dict[str, Any]:
    # A liveness bound: a pattern that backtracks for ever in dsdone's own process holds the
    # interpreter, and the check's timeout could never end it.
    command = [sys.executable, "-m", "dsdone", "check", str(root), "--select", "output-schema"]
    done = subprocess.run(
        [*command, "--format", "json", "--timeout", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    [check] = json.loads(done.stdout)["results"]
    return check  # type: ignore[no-any-return]


def hostile_repo(make_repo: MakeRepo, pattern: str) -> Path:
    schema = {
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": pattern}, "n": {"type": "integer"}},
    }
    return make_repo(
        {"s.json": json.dumps(schema), "out.csv": "code,n\n" + "a" * 60 + "!,x\n"},
        contract=output(schema="s.json", sample="out.csv"),
    )


@pytest.mark.parametrize("pattern", ["^(a|aa)+$", "^(([a-z])+.)+[A-Z]([a-z])+$"])
def test_a_pattern_that_backtracks_for_ever_ends_at_the_checks_timeout(
    make_repo: MakeRepo, pattern: str
) -> None:
    check = check_in_a_subprocess(hostile_repo(make_repo, pattern))
    assert (check["status"], check["summary"]) == (
        "error",
        "did not finish within 3 s (its timeout)",
    )


@pytest.mark.parametrize(
    ("pattern", "value", "passes"),
    [
        ("^[A-Z]{2}[0-9]+$", "FR123", True),
        ("^[A-Z]{2}[0-9]+$", "fr123", False),
        ("[0-9]", "a1", True),
    ],
)
def test_a_pattern_still_checks_values(
    make_repo: MakeRepo, pattern: str, value: str, passes: bool
) -> None:
    schema = {
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": pattern}},
        "patternProperties": {"^x_": {"type": "integer"}},
        "additionalProperties": False,
    }
    root = make_repo(
        {"s.json": json.dumps(schema), "out.jsonl": json.dumps({"code": value, "x_1": 2}) + "\n"},
        contract=output(fmt="jsonl", schema="s.json", sample="out.jsonl"),
    )
    result = run(root)
    if passes:
        assert result.status is Status.PASS, result.findings
    else:
        assert only_finding(result).message == (
            "outputs[0] (scores): record 1 of the sample fails the schema: "
            f"{value!r} does not match {pattern!r} (at code)"
        )


def test_a_property_matching_no_pattern_is_still_additional(make_repo: MakeRepo) -> None:
    schema = {"type": "object", "patternProperties": {"^x_": {}}, "additionalProperties": False}
    root = make_repo(
        {"s.json": json.dumps(schema), "out.jsonl": '{"x_1": 1, "y": 2}\n'},
        contract=output(fmt="jsonl", schema="s.json", sample="out.jsonl"),
    )
    assert only_finding(run(root)).message == (
        "outputs[0] (scores): record 1 of the sample fails the schema: "
        "'y' does not match any of the regexes: '^x_'"
    )
