"""--baseline and --write-baseline: only findings the previous report did not have block."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo, RunCli, git
from gate_plugin import GATE, gate_repo

TRAIN = "def fit():\n    return 1  # FIXME tune\n"


@pytest.fixture
def project(make_repo: MakeRepo) -> Path:
    return gate_repo(make_repo, {"src/train.py": TRAIN, "README.md": ""})


def check(run_cli: RunCli, root: Path, *args: str) -> Any:
    return run_cli("check", str(root), "--allow-plugins", "--select", GATE, *args)


def write_baseline(run_cli: RunCli, root: Path, target: Path) -> None:
    result = check(run_cli, root, "--write-baseline", str(target))
    assert result.exit_code == 1, "the baseline is written whatever the verdict"
    assert target.is_file()


def markers(output: str) -> dict[str, Any]:
    results = {r["check"]: r for r in json.loads(output)["results"]}
    found: dict[str, Any] = results["gate-markers"]
    return found


def test_an_unchanged_tree_passes_against_its_own_baseline(
    project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    write_baseline(run_cli, project, baseline)
    result = check(run_cli, project, "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 0
    found = markers(result.stdout)
    assert (found["status"], found["blocks"]) == ("fail", False)
    assert found["summary"] == "1 finding; all in the baseline"
    assert [f["known"] for f in found["findings"]] == [True]
    data = json.loads(result.stdout)
    assert data["baseline"] is True
    assert data["summary"]["new_findings"] == 0


def test_a_new_finding_fails_and_only_it_blocks(
    project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    write_baseline(run_cli, project, baseline)
    (project / "src" / "predict.py").write_text("y = 2  # FIXME batch it\n", encoding="utf-8")
    result = check(run_cli, project, "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1
    found = markers(result.stdout)
    assert found["summary"] == "2 findings; 1 new, 1 in the baseline"
    assert [(f["path"], f["known"]) for f in found["findings"]] == [
        ("src/predict.py", False),
        ("src/train.py", True),
    ]
    annotations = check(run_cli, project, "--baseline", str(baseline), "--format", "github")
    assert [
        line.split("::")[1] for line in annotations.stdout.splitlines() if line.startswith("::")
    ] == ["error file=src/predict.py,line=1,title=dsdone gate-markers%3A No FIXME left"]


def test_a_finding_moved_by_unrelated_edits_is_not_new(
    project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    write_baseline(run_cli, project, baseline)
    moved = '"""Training."""\n\nimport os\n\n\n' + TRAIN
    (project / "src" / "train.py").write_text(moved, encoding="utf-8")
    git(project, "commit", "-qam", "document the module")
    result = check(run_cli, project, "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 0, result.stdout
    (finding,) = markers(result.stdout)["findings"]
    assert (finding["line"], finding["known"]) == (7, True)


def test_a_second_identical_finding_is_new(project: Path, run_cli: RunCli, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    write_baseline(run_cli, project, baseline)
    (project / "src" / "train.py").write_text(
        TRAIN + "def tune():\n    return 2  # FIXME tune\n", encoding="utf-8"
    )
    result = check(run_cli, project, "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1
    assert [f["known"] for f in markers(result.stdout)["findings"]] == [True, False]


def test_the_same_message_in_another_file_is_new(
    project: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    write_baseline(run_cli, project, baseline)
    (project / "src" / "train.py").rename(project / "src" / "fit.py")
    result = check(run_cli, project, "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1
    assert [(f["path"], f["known"]) for f in markers(result.stdout)["findings"]] == [
        ("src/fit.py", False)
    ]


def test_sarif_says_which_results_are_new(project: Path, run_cli: RunCli, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    write_baseline(run_cli, project, baseline)
    (project / "src" / "predict.py").write_text("y = 2  # FIXME batch it\n", encoding="utf-8")
    result = check(run_cli, project, "--baseline", str(baseline), "--format", "sarif")
    states = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["baselineState"]
        for r in json.loads(result.stdout)["runs"][0]["results"]
    }
    assert states == {"src/predict.py": "new", "src/train.py": "unchanged"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "--baseline: cannot read"),
        ("not json", "is not JSON"),
        ('{"schema_version": 2, "results": []}', "is not a dsdone JSON report"),
        ('{"schema_version": 1, "results": [{"check": "x"}]}', "does not have the shape"),
    ],
)
def test_a_baseline_that_is_not_a_report_is_a_usage_error(
    project: Path, run_cli: RunCli, tmp_path: Path, content: str | None, message: str
) -> None:
    baseline = tmp_path / "baseline.json"
    if content is not None:
        baseline.write_text(content, encoding="utf-8")
    result = check(run_cli, project, "--baseline", str(baseline))
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes")
def test_a_baseline_that_is_a_named_pipe_is_exit_2_not_a_hang(
    project: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    pipe = tmp_path / "baseline.json"
    os.mkfifo(pipe)

    completed = subprocess.run(
        [sys.executable, "-m", "dsdone", "check", str(project), "--baseline", str(pipe)],
        capture_output=True,
        text=True,
        timeout=60,  # liveness: the bug is a read that waits forever for a writer
        check=False,
    )

    assert completed.returncode == 2, completed.stderr
    assert "--baseline: cannot read" in completed.stderr
