"""The readiness score: per area of Google's ML Test Score rubric, the overall the lowest area."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli
from gate_plugin import GATE, gate_repo

from dsdone.engine import available_checks
from dsdone.report import Area, CheckResult, Finding, Severity, Status, Waived
from dsdone.score import score_results

WAIVED = Waived("later", None, None)


def result(
    area: Area, status: Status, *findings: Finding, severity: Severity = Severity.ERROR
) -> CheckResult:
    return CheckResult(
        check=f"{area.value}-{status.value}-{len(findings)}",
        title="t",
        severity=severity,
        area=area,
        status=status,
        summary="s",
        findings=findings,
    )


@pytest.mark.parametrize(
    ("outcome", "holds"),
    [
        (result(Area.DATA, Status.PASS), True),
        (result(Area.DATA, Status.FAIL, Finding("x")), False),
        (result(Area.DATA, Status.FAIL, Finding("x"), severity=Severity.INFO), False),
        (result(Area.DATA, Status.ERROR), False),
        (result(Area.DATA, Status.WAIVED, Finding("x", waived=WAIVED)), True),
        (result(Area.DATA, Status.FAIL, Finding("x", known=True)), True),
        (result(Area.DATA, Status.FAIL, Finding("x", known=True), Finding("y")), False),
    ],
)
def test_what_counts_as_a_check_that_holds(outcome: CheckResult, holds: bool) -> None:
    data = score_results([outcome]).areas[0]
    assert (data.area, data.held, data.applicable) == (Area.DATA, int(holds), 1)
    assert data.value == (100 if holds else 0)


def test_skipped_checks_are_left_out_and_an_empty_area_is_not_measured() -> None:
    score = score_results([result(Area.MODEL, Status.SKIP), result(Area.DATA, Status.PASS)])
    values = {a.area: a.value for a in score.areas}
    assert values == {
        Area.DATA: 100,
        Area.MODEL: None,
        Area.INFRASTRUCTURE: None,
        Area.MONITORING: None,
    }
    assert score.overall == 100


def test_the_overall_score_is_the_lowest_area_and_rounds_down() -> None:
    score = score_results(
        [
            result(Area.DATA, Status.PASS),
            result(Area.INFRASTRUCTURE, Status.PASS),
            result(Area.INFRASTRUCTURE, Status.PASS),
            result(Area.INFRASTRUCTURE, Status.FAIL, Finding("b")),
        ]
    )
    assert [a.value for a in score.areas] == [100, None, 66, None]
    assert score.overall == 66
    assert score.weakest == (Area.INFRASTRUCTURE,)


def test_no_applicable_check_means_no_score() -> None:
    assert score_results([result(Area.DATA, Status.SKIP)]).overall is None


# -- through the CLI ------------------------------------------------------------------------


@pytest.fixture
def project(make_repo: MakeRepo) -> Path:
    """Scores: data 100, model 100, infrastructure 100 (one skip), monitoring 0 (a warning)."""
    return gate_repo(make_repo, {"src/a.py": "x = 1\n"})


@pytest.mark.parametrize(("min_score", "exit_code"), [("0", 0), ("1", 1), ("100", 1)])
def test_min_score_makes_a_project_below_it_not_ready(
    project: Path, run_cli: RunCli, min_score: str, exit_code: int
) -> None:
    result = run_cli(
        "check", str(project), "--allow-plugins", "--select", GATE, "--min-score", min_score
    )
    assert result.exit_code == exit_code
    last = result.stdout.splitlines()[-1]
    if exit_code:
        assert last.startswith(f"✗ Not ready: score 0/100, below --min-score {min_score}")
    else:
        assert last.startswith("✓ Ready")


def test_min_score_is_met_at_the_score(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = gate_repo(make_repo, {"src/a.py": "x = 1\n", "README.md": ""})
    args = ("check", str(root), "--allow-plugins", "--select", GATE, "--min-score")
    assert run_cli(*args, "100").exit_code == 0


def test_min_score_out_of_range_is_a_usage_error(project: Path, run_cli: RunCli) -> None:
    assert run_cli("check", str(project), "--min-score", "101").exit_code == 2


def test_the_json_report_has_the_score_per_area(project: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "check",
        str(project),
        "--allow-plugins",
        "--select",
        GATE,
        "-f",
        "json",
        "--min-score",
        "50",
    )
    data = json.loads(result.stdout)
    assert data["min_score"] == 50
    assert data["score"] == {
        "overall": 0,
        "areas": {
            "data": {"score": 100, "held": 1, "applicable": 1},
            "model": {"score": 100, "held": 1, "applicable": 1},
            "infrastructure": {"score": 100, "held": 1, "applicable": 1},
            "monitoring": {"score": 0, "held": 0, "applicable": 1},
        },
    }


# The areas the built-in checks belong to, as the README documents them.
BUILT_IN_AREAS = {
    "input-pipelines": "data",
    "tracked-config": "model",
    "version-control": "infrastructure",
    "unit-tests": "infrastructure",
    "personal-paths": "infrastructure",
    "output-schema": "data",
    "retrain-entrypoint": "infrastructure",
}


@pytest.mark.parametrize(("check_id", "area"), sorted(BUILT_IN_AREAS.items()))
def test_each_built_in_check_counts_in_its_documented_area(check_id: str, area: str) -> None:
    checks = available_checks()
    assert check_id in checks, f"the built-in check {check_id} is missing"
    assert checks[check_id].area.value == area
