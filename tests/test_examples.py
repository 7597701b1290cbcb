"""The examples the README's quickstart runs: one project that is ready, one that is not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli, git

from dsdone.scaffold import SCHEMA_FILE, rendered_files, schema_text, template_values

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def committed_copy(example: str, tmp_path: Path) -> Path:
    """The example as its own freshly cloned repository: copied, git init, everything committed."""
    target = tmp_path / example
    shutil.copytree(
        EXAMPLES / example, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "example")
    return target


def check_json(run_cli: RunCli, root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", str(root), "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


# The checks that compare with another revision: without --base they are skipped.
NEED_BASE = ("breaking-changes", "contract-changes")


def test_the_ready_example_is_ready(tmp_path: Path, run_cli: RunCli) -> None:
    # Compared with its own commit, so that the checks that need a base revision run too.
    code, report = check_json(run_cli, committed_copy("ready", tmp_path), "--base", "HEAD")
    failing = {r["check"]: r["findings"] for r in report["results"] if r["status"] != "pass"}
    assert failing == {}
    assert code == 0
    assert report["ready"] is True


def test_the_ready_example_is_the_standard_template_rendered() -> None:
    # The README calls the ready example "what `dsdone init` gives you": keep them identical.
    # To refresh it: rm -r examples/ready && dsdone init examples/ready --name "Churn Model"
    #   --owner ds-team@example.com
    expected = {
        **rendered_files("standard", template_values("Churn Model", "ds-team@example.com")),
        SCHEMA_FILE: schema_text(),  # written by init beside the template's files
    }
    root = EXAMPLES / "ready"
    actual = {
        path.relative_to(root).as_posix(): path.read_text("utf-8")
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert sorted(actual) == sorted(expected)
    for relative, text in expected.items():
        assert actual[relative] == text, f"examples/ready/{relative} differs from the template"


# What a reader of the not-ready report must see: (check, path, line, words of the message).
NOT_READY_FINDINGS = [
    ("ci-gate", ".github/workflows/tests.yml", 10, "no CI job runs dsdone check"),
    ("copy-versioning", "src/fraud_score/features_old.py", None, "a copy of "
     "src/fraud_score/features.py ('_old' in its name)"),
    ("environment", "requirements.txt", 3, "'scikit-learn>=1.3' is not pinned"),
    ("input-pipelines", "dsdone.yaml", 15, "'build_features' is not defined at the top level of "
     "src/fraud_score/features.py"),
    ("input-schema", "schemas/transactions.sample.jsonl", 3, "record 3 of the sample fails the "
     "schema: '12,50' is not of type 'number' (at amount)"),
    ("logging", "src/fraud_score/score.py", 13, "print() in package code"),
    ("model-card", "MODEL_CARD.md", 21, "the model card's 'limitations' section holds only a"),
    ("model-tracking", "dsdone.yaml", 33, "nothing records each training run's hyperparameters"),
    ("monitoring", "dsdone.yaml", 51, "monitoring.alerts[0]: 'the fraud team' is not a"),
    ("notebook-hygiene", "notebooks/explore.ipynb", 43, "saved with an error: KeyError"),
    ("output-schema", "schemas/scores.sample.json", 3, "'0.97' is not of type 'number'"),
    ("ownership", "dsdone.yaml", 7, "the owner 'Fraud Data Science' is not an address anyone"),
    ("personal-paths", "notebooks/explore.ipynb", 31,
     "'/Users/maria/Downloads/transactions_2024.csv'"),
    ("retrain-entrypoint", "dsdone.yaml", 31, "'fraud_score.train' does not resolve"),
    ("secrets", "src/fraud_score/warehouse.py", 5, "a password in a connection string: "
     "postgresql://maria:…(11 chars)@warehouse.internal"),
    ("tracked-config", "dsdone.yaml", 28, "'configs/thresholds.yaml' does not exist"),
    ("unit-tests", "dsdone.yaml", 39, "found 1 test in tests/; the contract asks for at least 3 "
     "(placeholder tests do not count: 1 found)"),
    ("version-control", "models/fraud_model.pkl", None, "a file of 1.4 MB is committed to git "
     "(the limit is 1 MB)"),
]  # fmt: skip


@pytest.fixture
def not_ready_report(tmp_path: Path, run_cli: RunCli) -> tuple[int, dict[str, Any]]:
    return check_json(run_cli, committed_copy("not-ready", tmp_path))


def test_the_not_ready_example_is_not_ready(not_ready_report: tuple[int, dict[str, Any]]) -> None:
    code, report = not_ready_report
    assert code == 1
    assert report["ready"] is False
    statuses = {r["check"]: r["status"] for r in report["results"]}
    # Every built-in check fails on it, each for one realistic reason, but those that compare
    # with a base revision (--base), which the quickstart does not give.
    assert statuses == {
        **{finding[0]: "fail" for finding in NOT_READY_FINDINGS},
        **dict.fromkeys(NEED_BASE, "skip"),
    }


@pytest.mark.parametrize(
    ("check", "path", "line", "words"), NOT_READY_FINDINGS, ids=[f[0] for f in NOT_READY_FINDINGS]
)
def test_the_not_ready_example_says_what_is_wrong_and_where(
    not_ready_report: tuple[int, dict[str, Any]],
    check: str,
    path: str,
    line: int | None,
    words: str,
) -> None:
    _, report = not_ready_report
    (result,) = [r for r in report["results"] if r["check"] == check]
    assert len(result["findings"]) == 1
    (finding,) = result["findings"]
    assert (finding["path"], finding["line"]) == (path, line)
    assert words in finding["message"]
    assert finding["hint"]


def test_the_personal_path_is_located_in_its_notebook_cell(
    not_ready_report: tuple[int, dict[str, Any]],
) -> None:
    _, report = not_ready_report
    (result,) = [r for r in report["results"] if r["check"] == "personal-paths"]
    assert (result["findings"][0]["cell"], result["findings"][0]["cell_line"]) == (2, 1)


def test_the_not_ready_examples_secret_is_never_shown(
    not_ready_report: tuple[int, dict[str, Any]],
) -> None:
    _, report = not_ready_report
    assert "Fr4ud-2024!" not in json.dumps(report)
