"""The JSON report's published schema (``dsdone schema report``), which every report dsdone writes
keeps, and what the report says about the repository and the model for a catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo, RunCli, git
from jsonschema import Draft202012Validator

from dsdone.render.json import report_schema

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def errors(document: Any) -> list[str]:
    validator = Draft202012Validator(report_schema())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_dsdone_schema_report_prints_a_valid_json_schema(run_cli: RunCli) -> None:
    result = run_cli("schema", "report")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    Draft202012Validator.check_schema(printed)
    assert (
        printed["$id"]
        == "https://raw.githubusercontent.com/dsdone/dsdone/main/src/dsdone/report-v1.schema.json"
    )
    assert json.loads(run_cli("schema").stdout)["title"] != printed["title"]  # the contract's


@pytest.mark.parametrize("example", ["ready", "not-ready"])
def test_the_report_of_each_example_keeps_the_schema(
    make_repo: MakeRepo, run_cli: RunCli, example: str
) -> None:
    import shutil

    root = make_repo(contract=None)
    shutil.copytree(EXAMPLES / example, root, dirs_exist_ok=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "example")
    data = json.loads(run_cli("check", str(root), "-f", "json").stdout)
    assert errors(data) == []


def strict(schema: Any) -> Any:
    """The schema with no field left undescribed: every object that lists its properties
    accepts only those (the published one accepts fields it does not know, for later versions)."""
    if isinstance(schema, dict):
        tightened = {key: strict(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            tightened["additionalProperties"] = False
        return tightened
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


def test_every_field_of_a_report_is_described_by_the_schema(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    import shutil

    root = make_repo(contract=None)
    shutil.copytree(EXAMPLES / "not-ready", root, dirs_exist_ok=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "example")
    data = json.loads(run_cli("check", str(root), "-f", "json").stdout)
    validator = Draft202012Validator(strict(report_schema()))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)] == []


def test_the_report_of_all_keeps_the_schema_with_a_project_that_cannot_be_checked(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(
        {
            "a/dsdone.yaml": "version: 1\nproject: {name: a, owner: ana@example.com}\n",
            "b/dsdone.yaml": "version: 1\nproject: {name: b}\n",  # no owner: cannot be checked
        },
        contract=None,
    )
    data = json.loads(run_cli("check", "--all", str(root), "-f", "json").stdout)
    assert [p["results"][0]["check"] for p in data["projects"]][1] == "contract"
    assert errors(data) == []


def test_a_report_of_the_first_schema_version_1_still_keeps_it() -> None:
    # What dsdone wrote when schema_version 1 began: the fields added since are not required.
    first = {
        "dsdone": "0.1.0",
        "schema_version": 1,
        "project": {"name": "churn", "owner": "ana@example.com", "consumers": []},
        "contract": "dsdone.yaml",
        "commit": "a" * 40,
        "ready": True,
        "fail_on": "error",
        "summary": {"checks": 1, "pass": 1, "fail": 0, "skip": 0, "error": 0, "findings": 0},
        "results": [
            {
                "check": "unit-tests",
                "title": "Tests",
                "severity": "error",
                "area": "infrastructure",
                "source": "built-in",
                "status": "pass",
                "summary": "ok",
                "findings": [],
                "duration_ms": 1.0,
            }
        ],
    }
    assert errors(first) == []
    assert errors({**first, "schema_version": 2}) != []
    assert errors({**first, "project": {"name": "churn"}}) != []


def test_the_report_names_the_repository_without_the_credentials_of_its_url(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo()
    remote = "https://gitlab-ci-token:glcbt-SECRET@gitlab.example.com/ml/churn-model.git"
    git(root, "remote", "add", "origin", remote)
    output = run_cli("check", str(root), "-f", "json").stdout
    data = json.loads(output)
    assert data["repository"] == {
        "name": "ml/churn-model",
        "url": "https://gitlab.example.com/ml/churn-model.git",
    }
    assert "SECRET" not in output
    assert data["commit_date"] == "2026-01-01T00:00:00+00:00"  # GIT_COMMITTER_DATE of the tests


def test_a_repository_whose_remote_is_a_folder_is_named_after_its_own_folder(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    root = make_repo(name="churn")
    git(root, "remote", "add", "origin", str(tmp_path / "home" / "ana" / "bare.git"))
    data = json.loads(run_cli("check", str(root), "-f", "json").stdout)
    assert data["repository"] == {"name": "churn", "url": None}


def test_outside_git_there_is_no_repository_and_no_date(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    data = json.loads(run_cli("check", str(make_repo(git_init=False)), "-f", "json").stdout)
    assert (data["repository"], data["commit"], data["commit_date"]) == (None, None, None)
    assert errors(data) == []


def test_the_report_lists_what_the_model_reads_and_writes_and_when_it_is_retrained(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    import shutil

    root = make_repo(contract=None)
    shutil.copytree(EXAMPLES / "ready", root, dirs_exist_ok=True)
    project = json.loads(run_cli("check", str(root), "-f", "json").stdout)["project"]
    assert project["inputs"] == [
        {"name": "training-data", "format": "csv", "source": "data/train.csv"}
    ]
    assert project["outputs"] == [{"name": "predictions", "format": "json", "consumers": None}]
    assert project["retrain_schedule"] == "@monthly"
