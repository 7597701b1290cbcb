"""A flood of findings (hundreds in one notebook's saved output or one log file) is shown as one
entry with its count in every format; ``max_findings`` bounds what each format lists; totals,
the gate and the baseline still count every finding."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, git
from nbformat.v4 import new_code_cell, new_notebook, new_output

PATHS = "personal-paths"


def dsdone(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``dsdone check --select personal-paths ARGS`` by the console script, in ``root``."""
    return subprocess.run(
        [sys.executable, "-m", "dsdone", "check", "--select", PATHS, *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def json_result(root: Path, *args: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """The exit code, the personal-paths result and the summary of the JSON report."""
    completed = dsdone(root, "--format", "json", *args)
    assert completed.returncode in (0, 1), completed.stderr
    data = json.loads(completed.stdout)
    (result,) = [r for r in data["results"] if r["check"] == PATHS]
    return completed.returncode, result, data["summary"]


def traceback_notebook(hits: range) -> str:
    """A notebook whose first cell reads a personal path in its code, and whose second cell's
    saved output printed one personal path per line, ``len(hits)`` lines."""
    log = "".join(f"loaded /home/ana/churn/part_{i:04}.parquet\n" for i in hits)
    notebook = new_notebook()
    notebook.cells = [
        new_code_cell("df = load('/home/ana/churn/raw.csv')"),
        new_code_cell("for part in parts: load(part)", outputs=[new_output("stream", text=log)]),
    ]
    return nbformat.writes(notebook)


@pytest.fixture
def flooded(make_repo: MakeRepo) -> Path:
    return make_repo({"notebooks/etl.ipynb": traceback_notebook(range(400))})


def test_json_shows_a_flood_as_one_entry_with_its_count_and_exact_totals(flooded: Path) -> None:
    code, result, summary = json_result(flooded)

    assert code == 1
    assert summary["findings"] == 401 and summary["new_findings"] == 401
    assert result["finding_count"] == 401 and result["not_shown"] == 0
    code_cell, flood = result["findings"]
    assert (code_cell["cell"], code_cell["count"], code_cell["also_at"]) == (0, 1, [])
    assert (flood["cell"], flood["count"]) == (1, 400)
    assert flood["message"] == (
        "personal path '/home/ana/churn/part_0000.parquet' in the saved output of cell 1: "
        "it is in the Linux home folder of 'ana'"
    )  # the count is in its own field, never in the message
    first = flood["line"]
    assert flood["also_at"] == [
        {"line": first + n, "column": flood["column"]} for n in (1, 2, 3, 4)
    ]
    lines = (flooded / "notebooks/etl.ipynb").read_text("utf-8").splitlines()
    assert "part_0001.parquet" in lines[first]  # also_at[0] is where the second one is


def test_every_format_shows_the_count_once_not_400_hints(flooded: Path) -> None:
    sarif = json.loads(dsdone(flooded, "--format", "sarif").stdout)
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == PATHS]
    assert [r.get("properties", {}).get("count") for r in results] == [None, 400]
    assert len(results[1]["relatedLocations"]) == 4
    assert "400" not in results[1]["message"]["text"]
    assert sarif["runs"][0]["properties"]["projects"][0]["findings"] == 401

    junit = ET.fromstring(dsdone(flooded, "--format", "junit").stdout)
    failure = junit.find(".//testcase/failure")
    assert failure is not None and failure.text is not None
    assert failure.text.count("400 like this in this file, also at ") == 1
    assert failure.text.count("hint: clear the notebook's outputs") == 1

    markdown = dsdone(flooded, "--format", "markdown").stdout
    assert markdown.count("400 like this in this file") == 1
    assert "401 findings" in markdown

    github = dsdone(flooded, "--format", "github").stdout
    annotations = [line for line in github.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 2
    assert "400 like this in this file" in annotations[1]

    terminal = dsdone(flooded).stdout
    assert terminal.count("400 like this in this file, also at ") == 1
    assert terminal.count("clear the notebook's outputs") == 1
    assert "401 findings" in terminal


def test_a_flood_in_a_log_file_is_one_entry_for_the_file(make_repo: MakeRepo) -> None:
    log = "".join(f"INFO reading /Users/ana/runs/{i}/metrics.json\n" for i in range(300))
    root = make_repo({"logs/train.log": log, "train.py": "x = '/Users/ana/x.csv'\n"})

    _, result, _ = json_result(root)

    assert [(f["path"], f["line"], f["count"]) for f in result["findings"]] == [
        ("logs/train.log", 1, 300),
        ("train.py", 1, 1),
    ]
    assert "300 like this in this file" in dsdone(root).stdout


@pytest.mark.parametrize(("hits", "entries"), [(10, 10), (11, 1)])
def test_up_to_ten_findings_in_a_file_are_each_listed(
    make_repo: MakeRepo, hits: int, entries: int
) -> None:
    config = "".join(f"path_{i}: /home/ana/data/{i}.csv\n" for i in range(hits))
    root = make_repo({"configs/paths.yaml": config})

    _, result, _ = json_result(root)

    assert len(result["findings"]) == entries
    assert sum(f["count"] for f in result["findings"]) == hits


def test_max_findings_bounds_every_format_and_the_totals_stay_exact(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + f"checks:\n  {PATHS}:\n    max_findings: 3\n"
    files = {f"src/step_{i}.py": f"DATA = '/Users/ana/{i}.csv'\n" for i in range(5)}
    root = make_repo(files, contract=contract)

    code, result, summary = json_result(root)

    assert code == 1
    assert [f["path"] for f in result["findings"]] == [f"src/step_{i}.py" for i in range(3)]
    assert (result["finding_count"], result["not_shown"], summary["findings"]) == (5, 2, 5)
    assert "… and 2 more findings of personal-paths (max_findings)" in dsdone(root).stdout
    assert "… and 2 more findings" in dsdone(root, "--format", "markdown").stdout
    junit = dsdone(root, "--format", "junit").stdout
    assert "and 2 more findings (max_findings)" in junit
    github = dsdone(root, "--format", "github").stdout
    assert github.count("::error ") == 3
    assert "2 more errors not annotated" in github
    assert "max_findings" in github
    sarif = json.loads(dsdone(root, "--format", "sarif").stdout)
    assert len(sarif["runs"][0]["results"]) == 3
    assert sarif["runs"][0]["properties"]["projects"][0]["findingsNotShown"] == 2


@pytest.mark.parametrize(("value", "code"), [("1", 1), ("0", 2), ("-3", 2), ("2.5", 2)])
def test_max_findings_is_a_setting_of_every_check_a_positive_integer(
    make_repo: MakeRepo, value: str, code: int
) -> None:
    contract = MINIMAL_CONTRACT + f"checks:\n  {PATHS}:\n    max_findings: {value}\n"
    root = make_repo({"x.py": "x = '/home/ana/x'\n"}, contract=contract)

    completed = dsdone(root)

    assert completed.returncode == code, completed.stderr
    assert ("max_findings" in completed.stderr) == (code == 2)


def test_a_baseline_written_before_a_flood_grows_knows_the_old_findings(
    make_repo: MakeRepo,
) -> None:
    root = make_repo({"notebooks/etl.ipynb": traceback_notebook(range(300))})
    assert dsdone(root, "--write-baseline", "dsdone-baseline.json").returncode == 1
    written = json.loads((root / "dsdone-baseline.json").read_text("utf-8"))
    (result,) = [r for r in written["results"] if r["check"] == PATHS]
    assert len(result["findings"]) == 301  # every finding, one by one
    assert {f["count"] for f in result["findings"]} == {1}
    git(root, "add", "dsdone-baseline.json")
    git(root, "commit", "-qm", "baseline")

    code, result, _ = json_result(root, "--baseline", "dsdone-baseline.json")
    assert code == 0
    assert result["summary"].endswith("; all in the baseline")

    (root / "notebooks/etl.ipynb").write_text(traceback_notebook(range(400)), "utf-8")
    code, result, summary = json_result(root, "--baseline", "dsdone-baseline.json")

    assert code == 1
    assert (summary["findings"], summary["new_findings"]) == (401, 100)
    assert result["summary"].endswith("; 100 new, 301 in the baseline")
    assert [(f["count"], f["known"]) for f in result["findings"]] == [
        (1, True),  # the code cell
        (300, True),  # the output lines the baseline had
        (100, False),  # the output lines added since
    ]
    github = dsdone(root, "--baseline", "dsdone-baseline.json", "--format", "github").stdout
    [annotation] = [line for line in github.splitlines() if line.startswith("::error ")]
    assert "100 like this in this file" in annotation


def test_a_report_that_groups_findings_is_refused_as_a_baseline(flooded: Path) -> None:
    (flooded / "report.json").write_text(dsdone(flooded, "--format", "json").stdout, "utf-8")

    completed = dsdone(flooded, "--baseline", "report.json")

    assert completed.returncode == 2
    assert "does not list every finding of personal-paths" in completed.stderr
    assert "--write-baseline report.json" in completed.stderr
