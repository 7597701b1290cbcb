"""input-schema: an input's JSON Schema or Table Schema, its sample validated record by record
at each record's line, and pandera / Great Expectations expectations resolved statically."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo

from dsdone.checks.input_schema import input_schema
from dsdone.report import CheckResult, Status
from dsdone.testing import run_check

TABLE = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "tenure", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "spend", "type": "number"},
        {"name": "plan", "type": "string", "constraints": {"enum": ["basic", "pro"]}},
        {"name": "joined", "type": "date"},
        {"name": "churned", "type": "boolean"},
    ],
    "missingValues": ["", "NA"],
    "primaryKey": "id",
}
GOOD_CSV = (
    "id,tenure,spend,plan,joined,churned\n"
    "a,2,80.5,basic,2024-01-31,true\n"
    "b,NA,75,pro,2023-12-01,false\n"
)


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, input_schema, **options)


def contract(
    extra: str = "",
    schema: str | None = "schemas/raw.table.json",
    sample: str | None = "data/sample.csv",
) -> str:
    lines = ["inputs:", "  - name: raw", "    source: s3://lake/raw/", "    format: parquet"]
    if schema is not None:
        lines.append(f"    schema: {schema}")
    if sample is not None:
        lines.append(f"    sample: {sample}")
    return MINIMAL_CONTRACT + "\n".join(lines) + "\n" + extra


def located(result: CheckResult) -> list[tuple[str | None, int | None, str]]:
    return [(f.path, f.line, f.message) for f in result.findings]


def table_repo(make_repo: MakeRepo, csv: str, table: Any = TABLE, **kw: Any) -> Path:
    return make_repo(
        {"schemas/raw.table.json": json.dumps(table, indent=2), "data/sample.csv": csv},
        contract=contract(**kw),
    )


def test_a_sample_that_meets_its_table_schema_passes(make_repo: MakeRepo) -> None:
    result = run(table_repo(make_repo, GOOD_CSV))
    assert result.status is Status.PASS, result.findings


def test_no_input_declaring_expectations_is_not_applicable(make_repo: MakeRepo) -> None:
    root = make_repo(contract=MINIMAL_CONTRACT + "inputs:\n  - name: raw\n    source: s3://x/\n")
    result = run(root)
    assert result.status is Status.SKIP
    assert result.summary == "no input declares a schema, a sample or expectations"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "a,2,80.5,basic,2024-01-31,yes",
            "column 'churned': 'yes' is not a boolean "
            "(0, 1, FALSE, False, TRUE, True, false, true)",
        ),
        ("a,-1,80.5,basic,2024-01-31,true", "column 'tenure': '-1' is below the minimum 0"),
        ("a,2,lots,basic,2024-01-31,true", "column 'spend': 'lots' is not a number"),
        ("a,2,80.5,gold,2024-01-31,true", "column 'plan': 'gold' is not one of 'basic', 'pro'"),
        (
            "a,2,80.5,basic,31/01/2024,true",
            "column 'joined': '31/01/2024' is not a date (ISO 8601: 2024-01-31)",
        ),
        ("a,2.5,80.5,basic,2024-01-31,true", "column 'tenure': '2.5' is not an integer"),
        ("NA,2,80.5,basic,2024-01-31,true", "column 'id': a value is required"),
        ("a,2,80.5", "the row has 3 values, the header has 6"),
    ],
)
def test_a_failing_record_is_reported_at_its_line(
    make_repo: MakeRepo, row: str, message: str
) -> None:
    csv = "id,tenure,spend,plan,joined,churned\nz,1,1,pro,2024-01-01,0\n" + row + "\n"
    result = run(table_repo(make_repo, csv))
    assert located(result)[0] == (
        "data/sample.csv",
        3,
        f"inputs[0] (raw): record 2 of the sample fails the schema: {message}",
    )


def test_a_repeated_key_names_the_line_it_repeats(make_repo: MakeRepo) -> None:
    csv = GOOD_CSV + '"a\nb",1,1,pro,2024-01-01,0\na,1,1,pro,2024-01-01,0\n'
    result = run(table_repo(make_repo, csv))
    assert located(result) == [
        ("data/sample.csv", 6, "inputs[0] (raw): record 4 of the sample fails the schema: "
         "column 'id': 'a' repeats the value at line 2 (the column is unique)"),
        ("data/sample.csv", 6, "inputs[0] (raw): record 4 of the sample fails the schema: "
         "the primary key (id) repeats the record at line 2"),
    ]  # fmt: skip


def test_the_header_is_checked_at_line_1(make_repo: MakeRepo) -> None:
    csv = "id,tenure,spend,plan,joined,churn\na,2,80.5,basic,2024-01-31,true\n"
    result = run(table_repo(make_repo, csv))
    assert located(result)[:2] == [
        ("data/sample.csv", 1, "inputs[0] (raw): the header of the sample does not match the "
         "schema: the header has no column 'churned' (a field of the schema)"),
        ("data/sample.csv", 1, "inputs[0] (raw): the header of the sample does not match the "
         "schema: the header's column 'churn' is not a field of the schema"),
    ]  # fmt: skip


def test_what_dsdone_does_not_read_of_table_schema_is_a_finding_not_silence(
    make_repo: MakeRepo,
) -> None:
    table = {
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "where", "type": "geopoint"},
            {"name": "code", "type": "string", "constraints": {"startsWith": "X"}},
        ],
        "foreignKeys": [{"fields": "id", "reference": {"resource": "other", "fields": "id"}}],
    }
    result = run(table_repo(make_repo, 'id,where,code\na,"1,2",Xy\n', table=table))
    assert result.status is Status.FAIL
    messages = {(line, message) for _, line, message in located(result)}
    assert messages == {
        (9, "schemas/raw.table.json: field 'where': type 'geopoint' is not checked (its values "
            "are read as they are): dsdone reads only part of Table Schema"),
        (15, "schemas/raw.table.json: field 'code': the constraint `startsWith` is not checked: "
             "dsdone reads only part of Table Schema"),
        (19, "schemas/raw.table.json: foreignKeys are not checked (they refer to other tables): "
             "dsdone reads only part of Table Schema"),
    }  # fmt: skip


def test_a_malformed_table_schema_is_reported_at_its_place(make_repo: MakeRepo) -> None:
    table = {"fields": [{"name": "id"}, {"type": "integer"}]}
    result = run(table_repo(make_repo, "id\na\n", table=table))
    assert located(result) == [
        ("schemas/raw.table.json", 6, "schemas/raw.table.json is not a valid Table Schema: each "
         "field is a mapping with a `name`"),
    ]  # fmt: skip


def check_in_a_subprocess(root: Path, timeout: int) -> dict[str, Any]:
    """The console script's report of input-schema. A liveness bound: a pattern that
    backtracks for ever in this process would never let the check's timeout end it."""
    command = [sys.executable, "-m", "dsdone", "check", str(root), "--select", "input-schema"]
    done = subprocess.run(
        [*command, "--format", "json", "--timeout", str(timeout)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    [check] = json.loads(done.stdout)["results"]
    return check  # type: ignore[no-any-return]


HOSTILE_CSV = "code,n\n" + "a" * 60 + "!,x\n"  # 2^60 ways for (a|aa)+ to fail


def test_a_hostile_table_pattern_ends_at_the_checks_timeout(make_repo: MakeRepo) -> None:
    table = {
        "fields": [
            {"name": "code", "constraints": {"pattern": "(a|aa)+"}},
            {"name": "n", "type": "integer"},
        ]
    }
    check = check_in_a_subprocess(table_repo(make_repo, HOSTILE_CSV, table=table), timeout=3)
    assert (check["status"], check["summary"]) == (
        "error",
        "did not finish within 3 s (its timeout)",
    )


def test_a_hostile_json_schema_pattern_of_an_input_ends_at_the_checks_timeout(
    make_repo: MakeRepo,
) -> None:
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a|aa)+$"}}}
    root = make_repo(
        {"s.json": json.dumps(schema), "raw.csv": HOSTILE_CSV},
        contract=contract(schema="s.json", sample="raw.csv"),
    )
    check = check_in_a_subprocess(root, timeout=3)
    assert (check["status"], check["summary"]) == (
        "error",
        "did not finish within 3 s (its timeout)",
    )


def test_a_table_pattern_that_is_not_a_regular_expression_is_reported_at_its_line(
    make_repo: MakeRepo,
) -> None:
    table = {"fields": [{"name": "code", "constraints": {"pattern": "([A-Z]"}}]}
    result = run(table_repo(make_repo, "code\nFR\n", table=table))
    assert located(result) == [
        ("schemas/raw.table.json", 6, "schemas/raw.table.json is not a valid Table Schema: field "
         "'code': `pattern` is not a regular expression: missing ), unterminated subpattern at "
         "position 0"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "passes"), [("FR-12", True), ("fr-12", False), ("FR-12x", False)]
)
def test_a_table_pattern_matches_the_whole_value(
    make_repo: MakeRepo, value: str, passes: bool
) -> None:
    table = {"fields": [{"name": "code", "constraints": {"pattern": "[A-Z]{2}-[0-9]+"}}]}
    result = run(table_repo(make_repo, f"code\n{value}\n", table=table))
    assert (result.status is Status.PASS) is passes, result.findings


def test_a_json_schema_input_with_a_jsonl_sample(make_repo: MakeRepo) -> None:
    schema = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
    root = make_repo(
        {"s.json": json.dumps(schema), "raw.jsonl": '{"id": 1}\n\n{"id": "2"}\n'},
        contract=contract(schema="s.json", sample="raw.jsonl"),
    )
    assert located(run(root)) == [
        ("raw.jsonl", 3, "inputs[0] (raw): record 2 of the sample fails the schema: "
         "'2' is not of type 'integer' (at id)"),
    ]  # fmt: skip


def test_a_table_schema_for_a_json_sample_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"t.json": json.dumps(TABLE), "raw.json": "[]"},
        contract=contract(schema="t.json", sample="raw.json"),
    )
    assert located(run(root)) == [
        ("dsdone.yaml", 9, "inputs[0] (raw): a Table Schema describes CSV or TSV, but the "
         "sample raw.json is json"),
    ]  # fmt: skip


def test_a_missing_sample_and_a_sample_without_schema(make_repo: MakeRepo) -> None:
    root = make_repo({}, contract=contract(schema=None, sample="data/none.csv"))
    assert [(line, m) for _, line, m in located(run(root))] == [
        (6, "inputs[0] (raw) has no schema"),
        (9, "inputs[0] (raw): sample data/none.csv does not exist"),
    ]


# -- expectations ---------------------------------------------------------------------------------

PANDERA_MODULE = """\
import pandera.pandas as pa

raw_customers = pa.DataFrameSchema({"id": pa.Column(str, unique=True)})


class Customers(pa.DataFrameModel):
    id: str
"""
SUITE = {
    "name": "raw",
    "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}}],
}


def expectations_contract(expectations: str) -> str:
    return contract(schema=None, sample="data/sample.csv") + "    expectations:\n" + expectations


@pytest.mark.parametrize("reference", ["churn.schemas:raw_customers", "churn.schemas:Customers"])
def test_a_pandera_schema_defined_in_the_package_resolves(
    make_repo: MakeRepo, reference: str
) -> None:
    root = make_repo(
        {
            "src/churn/__init__.py": "",
            "src/churn/schemas.py": PANDERA_MODULE,
            "data/sample.csv": "id\na\n",
        },
        contract=expectations_contract(f"      pandera: {reference}\n"),
    )
    assert run(root).status is Status.PASS


def test_a_pandera_schema_that_is_not_defined_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "src/churn/__init__.py": "",
            "src/churn/schemas.py": PANDERA_MODULE,
            "data/sample.csv": "id\na\n",
        },
        contract=expectations_contract("      pandera: churn.schemas:raw\n"),
    )
    assert located(run(root)) == [
        ("dsdone.yaml", 11, "inputs[0] (raw): the pandera schema 'churn.schemas:raw' does not "
         "resolve: 'raw' is not defined at the top level of src/churn/schemas.py"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "suite",
    [
        SUITE,
        {
            "expectation_suite_name": "raw",
            "expectations": [
                {"expectation_type": "expect_column_to_exist", "kwargs": {"column": "id"}}
            ],
        },
    ],
    ids=["gx-1.x", "ge-0.x"],
)
def test_a_great_expectations_suite_resolves(make_repo: MakeRepo, suite: Any) -> None:
    root = make_repo(
        {"gx/expectations/raw.json": json.dumps(suite), "data/sample.csv": "id\na\n"},
        contract=expectations_contract("      great_expectations: gx/expectations/raw.json\n"),
    )
    assert run(root).status is Status.PASS


@pytest.mark.parametrize(
    ("suite", "line", "message"),
    [
        ({"name": "raw"}, 1, "it has no list of `expectations`"),
        ({"name": "x", "validations": [{"expectation_suite_name": "raw"}]}, 1,
         "it is a checkpoint; name the suite it validates, which dsdone runs on the sample"),
        ({"expectations": [{"type": "a"}, {"kwargs": {}}]}, 6,
         "expectation 1 has no `type` (or `expectation_type`)"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_suite_is_a_finding(
    make_repo: MakeRepo, suite: Any, line: int, message: str
) -> None:
    root = make_repo(
        {"gx/raw.json": json.dumps(suite, indent=2), "data/sample.csv": "id\na\n"},
        contract=expectations_contract("      great_expectations: gx/raw.json\n"),
    )
    assert located(run(root)) == [
        ("gx/raw.json", line, f"gx/raw.json is not a Great Expectations suite: {message}")
    ]


def test_a_missing_suite_is_a_finding_at_its_key(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"data/sample.csv": "id\na\n"},
        contract=expectations_contract("      great_expectations: gx/raw.json\n"),
    )
    assert located(run(root)) == [
        ("dsdone.yaml", 11,
         "inputs[0] (raw): the Great Expectations suite gx/raw.json does not exist"),
    ]  # fmt: skip
