"""input-pipelines: inputs declared with a unique name, a format, a shareable source and
pipeline code that resolves statically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

from dsdone.checks.input_pipelines import input_pipelines
from dsdone.report import CheckResult, Finding, Status
from dsdone.testing import run_check

CODE = {
    "src/demo/__init__.py": "",
    "src/demo/ingest.py": "import pandas\n\n\ndef load_transactions():\n    pass\n",
    "pipelines/users.py": "def load():\n    pass\n",
}


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, input_pipelines, **options)


LOCAL = "is an absolute local path: it exists only on one machine"


def one_input(source: str = "s3://bucket/tx/", pipeline: str = "demo.ingest") -> str:
    return MINIMAL_CONTRACT + (
        "inputs:\n"
        "  - name: transactions\n"
        "    format: parquet\n"
        f"    source: '{source}'\n"
        f"    pipeline: '{pipeline}'\n"
    )


def only_finding(result: CheckResult) -> Finding:
    assert result.status is Status.FAIL
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


@pytest.mark.parametrize(
    "source",
    [
        "s3://bucket/transactions/",
        "gs://bucket/tx.parquet",
        "abfss://container@account.dfs.core.windows.net/tx",
        "hdfs://namenode/data/tx",
        "postgresql://analytics.db.internal/warehouse",
        "postgresql+psycopg2://user@host:5432/db",
        "https://example.com/tx.csv",
        "bigquery:project.dataset.table",
        "data/raw/transactions.csv",  # need not exist: data is usually kept out of git
        "./data/raw/",
        "data\\raw\\tx.csv",
    ],
)
def test_shareable_sources_pass(make_repo: MakeRepo, source: str) -> None:
    root = make_repo(CODE, contract=one_input(source=source))
    assert run(root).status is Status.PASS


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("/home/ana/data/tx.csv", LOCAL),
        ("C:\\data\\x.csv", LOCAL),
        ("D:/data/x.csv", LOCAL),
        ("\\\\fileserver\\share\\x.csv", LOCAL),
        ("file:///Users/ana/tx.csv", "is a file: URI, " + LOCAL[3:]),
        ("FILE:/tmp/tx.csv", "is a file: URI, " + LOCAL[3:]),
        ("~/data/tx.csv", "is in a home folder: it exists only on one machine"),
        ("../../etc/passwd", "points outside the project folder"),
        ("data/../../secret.csv", "points outside the project folder"),
    ],
)  # fmt: skip
def test_local_or_escaping_sources_are_findings_at_their_contract_line(
    make_repo: MakeRepo, source: str, problem: str
) -> None:
    root = make_repo(CODE, contract=one_input(source=source))
    finding = only_finding(run(root))
    assert finding.message == f"inputs[0] (transactions): source '{source}' {problem}"
    assert (finding.path, finding.line) == ("dsdone.yaml", 8)
    assert finding.hint is not None and "s3://" in finding.hint


def test_a_source_that_escapes_is_never_read(make_repo: MakeRepo, tmp_path: Path) -> None:
    # A file that does exist outside the project: the finding is the same, and says nothing of it.
    (tmp_path / "secret.csv").write_text("password\nhunter2\n", encoding="utf-8")
    root = make_repo(CODE, contract=one_input(source="../secret.csv"))
    finding = only_finding(run(root))
    assert finding.message.endswith("points outside the project folder")
    assert "hunter2" not in finding.message


@pytest.mark.parametrize(
    "pipeline",
    [
        "src/demo/ingest.py",
        "demo.ingest",
        "demo",
        "demo.ingest:load_transactions",
        "src/demo/ingest.py:load_transactions",
        "pipelines/users.py:load",
        "dvc:prepare",
        "dvc:pipelines/dvc.yaml:features",
    ],
)
def test_pipelines_that_resolve_pass(make_repo: MakeRepo, pipeline: str) -> None:
    files = {
        **CODE,
        "dvc.yaml": "stages:\n  prepare:\n    cmd: python -m demo.ingest\n",
        "pipelines/dvc.yaml": "stages:\n  features:\n    cmd: python users.py\n",
    }
    root = make_repo(files, contract=one_input(pipeline=pipeline))
    assert run(root).status is Status.PASS


@pytest.mark.parametrize(
    ("pipeline", "reason"),
    [
        ("src/demo/ingst.py", "src/demo/ingst.py does not exist"),
        ("demo.ingst", "module 'demo.ingst' is not in the repository (looked for "
         "src/demo/ingst.py, src/demo/ingst/__init__.py, demo/ingst.py, demo/ingst/__init__.py)"),
        ("demo.ingest:load_users", "'load_users' is not defined at the top level of "
         "src/demo/ingest.py"),
        ("demo.ingest:pandas.read_csv", "'pandas' in src/demo/ingest.py is not a class defined "
         "there, so 'read_csv' cannot be found in it"),  # imported, so not code of the project
        ("pipelines/users.py:lod", "'lod' is not defined at the top level of pipelines/users.py"),
        ("load transactions", "'load transactions' is neither a file of the repository nor a "
         "Python module name"),
    ],
)  # fmt: skip
def test_pipelines_that_do_not_resolve_are_findings(
    make_repo: MakeRepo, pipeline: str, reason: str
) -> None:
    root = make_repo(CODE, contract=one_input(pipeline=pipeline))
    finding = only_finding(run(root))
    assert finding.message == (
        f"inputs[0] (transactions): pipeline '{pipeline}' does not resolve: {reason}"
    )
    assert (finding.path, finding.line) == ("dsdone.yaml", 9)


@pytest.mark.parametrize(
    ("dvc_yaml", "message"),
    [
        (None, "pipeline 'dvc:prepare' does not resolve: dvc.yaml is not in the repository"),
        ("stages:\n  train:\n    cmd: x\n",
         "pipeline 'dvc:prepare' is not a stage of dvc.yaml (its stages: train)"),
    ],
)  # fmt: skip
def test_a_dvc_stage_must_exist_in_dvc_yaml(
    make_repo: MakeRepo, dvc_yaml: str | None, message: str
) -> None:
    files = {**CODE, **({"dvc.yaml": dvc_yaml} if dvc_yaml else {})}
    root = make_repo(files, contract=one_input(pipeline="dvc:prepare"))
    finding = only_finding(run(root))
    assert finding.message == f"inputs[0] (transactions): {message}"
    assert finding.line == 9


def test_a_pipeline_file_that_is_not_committed_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(CODE, contract=one_input(pipeline="pipelines/new.py"))
    (root / "pipelines" / "new.py").write_text("def load():\n    pass\n", encoding="utf-8")
    finding = only_finding(run(root))
    assert finding.message == "inputs[0] (transactions): pipeline pipelines/new.py is not committed"
    assert finding.hint == "git add pipelines/new.py and commit it"


def test_a_syntax_error_in_the_pipeline_is_located_in_its_file(make_repo: MakeRepo) -> None:
    files = {**CODE, "pipelines/users.py": "def load(:\n    pass\n"}
    root = make_repo(files, contract=one_input(pipeline="pipelines/users.py:load"))
    result = run(root)
    assert [(f.path, f.line) for f in result.findings] == [
        ("dsdone.yaml", 9),
        ("pipelines/users.py", 1),
    ]


def test_no_inputs_section_fails_with_a_minimal_example(make_repo: MakeRepo) -> None:
    root = make_repo(CODE)
    finding = only_finding(run(root))
    assert finding.message == "the contract declares no inputs"
    assert finding.path == "dsdone.yaml"
    assert finding.hint is not None
    assert "inputs:\n  - name: transactions\n    source: s3://" in finding.hint


def test_an_empty_inputs_list_fails_at_its_line(make_repo: MakeRepo) -> None:
    root = make_repo(CODE, contract=MINIMAL_CONTRACT + "inputs: []\n")
    finding = only_finding(run(root))
    assert (finding.message, finding.line) == ("inputs: is empty", 5)


def test_missing_fields_are_each_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(CODE, contract=MINIMAL_CONTRACT + "inputs:\n  - description: raw data\n")
    result = run(root)
    assert [f.message for f in result.findings] == [
        "inputs[0] does not say which code loads it",
        "inputs[0] has no format",
        "inputs[0] has no name",
        "inputs[0] has no source",
    ]
    assert {f.line for f in result.findings} == {6}


def test_a_duplicate_name_points_at_both_inputs(make_repo: MakeRepo) -> None:
    entry = "  - name: {name}\n    format: csv\n    source: s3://b/{name}\n    pipeline: demo\n"
    contract = MINIMAL_CONTRACT + "inputs:\n" + entry.format(name="tx") + entry.format(name="tx")
    root = make_repo(CODE, contract=contract)
    finding = only_finding(run(root))
    assert finding.message == "inputs[1] (tx): the name 'tx' is also used by inputs[0] (line 6)"
    assert finding.line == 10


@pytest.mark.parametrize("names", [("tx", "users"), ("tx", "TX")], ids=["distinct", "case"])
def test_distinct_names_pass(make_repo: MakeRepo, names: tuple[str, str]) -> None:
    entry = "  - name: {name}\n    format: csv\n    source: s3://b/{name}\n    pipeline: demo\n"
    contract = MINIMAL_CONTRACT + "inputs:\n" + "".join(entry.format(name=n) for n in names)
    assert run(make_repo(CODE, contract=contract)).status is Status.PASS


def test_through_the_cli_the_report_gives_area_and_findings(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(CODE, contract=one_input(source="/Users/ana/tx.csv"))
    result = run_cli("check", str(root), "--select", "input-pipelines", "--format", "json")
    assert result.exit_code == 1
    [check] = json.loads(result.stdout)["results"]
    assert (check["check"], check["area"], check["status"]) == ("input-pipelines", "data", "fail")
    assert check["findings"][0]["line"] == 8
