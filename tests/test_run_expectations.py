"""`dsdone check --run verify` runs each input's pandera schema on its committed sample, in the
project's Python; a failing row is a finding at its line in the sample. pandas and pandera are
stand-ins here (small packages on PYTHONPATH): the real ones need not be installed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

# A pandas that reads a CSV into a list of rows, and a pandera whose DataFrameSchema checks that
# the named columns hold no negative number, failing lazily with pandera's failure_cases shape.
FAKE_PANDAS = """\
import csv

def read_csv(path, sep=","):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter=sep))

def read_json(path, lines=False):
    raise NotImplementedError
"""
FAKE_PANDERA = """\
from . import errors

class _Cases:
    def __init__(self, rows):
        self.rows = rows
    def head(self, n):
        return _Cases(self.rows[:n])
    def to_dict(self, orient):
        return self.rows
    def __len__(self):
        return len(self.rows)

class DataFrameSchema:
    def __init__(self, non_negative):
        self.non_negative = non_negative
    def validate(self, frame, lazy=False):
        cases = [
            {"column": column, "check": "greater_than_or_equal_to(0)", "index": index,
             "failure_case": float(row[column])}
            for index, row in enumerate(frame)
            for column in self.non_negative
            if float(row[column]) < 0
        ]
        if cases:
            raise errors.SchemaErrors(_Cases(cases))
        return frame
"""
FAKE_ERRORS = """\
class SchemaErrors(Exception):
    def __init__(self, failure_cases):
        super().__init__("schema errors")
        self.failure_cases = failure_cases
"""
PROJECT = {
    "src/churn/__init__.py": "",
    "src/churn/schemas.py": (
        "import pandera\n\nraw_customers = pandera.DataFrameSchema(['tenure', 'spend'])\n"
    ),
}
CONTRACT = MINIMAL_CONTRACT + (
    "inputs:\n"
    "  - name: raw\n"
    "    source: s3://lake/raw/\n"
    "    sample: data/raw.csv\n"
    "    expectations:\n"
    "      pandera: churn.schemas:raw_customers\n"
)


@pytest.fixture
def fake_libraries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    stubs = tmp_path / "stubs"
    (stubs / "pandera").mkdir(parents=True)
    (stubs / "pandas.py").write_text(FAKE_PANDAS)
    (stubs / "pandera" / "__init__.py").write_text(FAKE_PANDERA)
    (stubs / "pandera" / "errors.py").write_text(FAKE_ERRORS)
    monkeypatch.setenv("PYTHONPATH", str(stubs))
    return stubs


def verify(run_cli: RunCli, root: Path) -> tuple[int, dict[str, Any]]:
    result = run_cli(
        "check", str(root), "--python", sys.executable, "--run", "verify",
        "--select", "version-control", "--format", "json",
    )  # fmt: skip
    return result.exit_code, json.loads(result.stdout)


def input_schema_result(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in data["results"] if r["check"] == "input-schema")
    return found


def test_a_failing_row_is_a_finding_at_its_line_in_the_sample(
    make_repo: MakeRepo, run_cli: RunCli, fake_libraries: Path
) -> None:
    sample = 'id,tenure,spend\na,3,10.5\n"b\nc",-2,4\nd,5,-1\n'
    root = make_repo({**PROJECT, "data/raw.csv": sample}, contract=CONTRACT)

    code, data = verify(run_cli, root)

    assert code == 1
    result = input_schema_result(data)
    assert result["status"] == "fail"
    assert [(f["path"], f["line"], f["message"]) for f in result["findings"]] == [
        ("data/raw.csv", 3, "inputs[0] (raw): column 'tenure' fails the pandera check "
         "greater_than_or_equal_to(0) (value -2.0)"),
        ("data/raw.csv", 5, "inputs[0] (raw): column 'spend' fails the pandera check "
         "greater_than_or_equal_to(0) (value -1.0)"),
    ]  # fmt: skip
    assert [(r["kind"], r["name"], r["exit_code"]) for r in data["runs"]] == [
        ("verify", "raw pandera", 1)
    ]


def test_a_sample_that_meets_the_schema_passes(
    make_repo: MakeRepo, run_cli: RunCli, fake_libraries: Path
) -> None:
    root = make_repo({**PROJECT, "data/raw.csv": "id,tenure,spend\na,3,10.5\n"}, contract=CONTRACT)
    code, data = verify(run_cli, root)
    assert code == 0, data
    assert input_schema_result(data)["status"] == "pass"


def test_a_python_without_pandera_is_one_clear_finding(
    make_repo: MakeRepo, run_cli: RunCli, fake_libraries: Path
) -> None:
    (fake_libraries / "pandera" / "__init__.py").write_text("raise ImportError(name='pandera')\n")
    root = make_repo({**PROJECT, "data/raw.csv": "id,tenure,spend\na,3,10.5\n"}, contract=CONTRACT)
    code, data = verify(run_cli, root)
    assert code == 1
    assert [f["message"] for f in input_schema_result(data)["findings"]] == [
        "inputs[0] (raw): the pandera expectations were not run: the project's Python has no "
        "pandera"
    ]


def test_expectations_without_a_sample_are_a_finding(
    make_repo: MakeRepo, run_cli: RunCli, fake_libraries: Path
) -> None:
    contract = CONTRACT.replace("    sample: data/raw.csv\n", "")
    root = make_repo(PROJECT, contract=contract)
    code, data = verify(run_cli, root)
    assert code == 1
    [finding] = input_schema_result(data)["findings"]
    assert (finding["path"], finding["line"]) == ("dsdone.yaml", 6)
    assert finding["message"].startswith(
        "--run verify: inputs[0] (raw) declares pandera expectations but no sample"
    )


def test_without_run_the_schema_module_is_never_imported(
    make_repo: MakeRepo, run_cli: RunCli, fake_libraries: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "imported"
    schemas = f"open({str(marker)!r}, 'w').close()\nraw_customers = None\n"
    files = {**PROJECT, "src/churn/schemas.py": schemas, "data/raw.csv": "id,tenure,spend\n"}
    root = make_repo(files, contract=CONTRACT)
    run_cli("check", str(root), "--format", "json")
    assert not marker.exists()
