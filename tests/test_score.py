"""The readiness score: per area of Google's ML Test Score rubric, the overall the lowest area."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli
from gate_plugin import GATE, gate_repo
from hypothesis import assume, given
from hypothesis import strategies as st

from dsdone.engine import available_checks
from dsdone.render.verdict import area_scores, held_down_by
from dsdone.report import Area, CheckResult, Finding, Severity, Status, Waived
from dsdone.score import holds, score_results

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


def test_each_check_weighs_by_its_severity() -> None:
    # error 4, warning 2, info 1: a failing warning costs half what a failing error does.
    score = score_results(
        [
            result(Area.INFRASTRUCTURE, Status.PASS),
            result(Area.INFRASTRUCTURE, Status.FAIL, Finding("w"), severity=Severity.WARNING),
            result(Area.MODEL, Status.PASS),
            result(Area.MODEL, Status.FAIL, Finding("i"), severity=Severity.INFO),
            result(Area.DATA, Status.PASS, severity=Severity.INFO),
            result(Area.DATA, Status.FAIL, Finding("e")),
        ]
    )
    by_area = {a.area: (a.value, a.points, a.possible, a.held, a.applicable) for a in score.areas}
    assert by_area == {
        Area.DATA: (20, 1, 5, 1, 2),
        Area.MODEL: (80, 4, 5, 1, 2),
        Area.INFRASTRUCTURE: (66, 4, 6, 1, 2),  # 66.7, rounded down
        Area.MONITORING: (None, 0, 0, 0, 0),
    }


def test_the_overall_is_the_mean_of_the_weakest_area_and_the_average() -> None:
    score = score_results(
        [
            result(Area.DATA, Status.FAIL, Finding("a")),
            result(Area.MODEL, Status.PASS),
            result(Area.INFRASTRUCTURE, Status.PASS),
            result(Area.INFRASTRUCTURE, Status.PASS),
            result(Area.INFRASTRUCTURE, Status.FAIL, Finding("b")),
        ]
    )
    assert [a.value for a in score.areas] == [0, 100, 66, None]
    # (0 + (0 + 100 + 66) / 3) / 2 = 27.67, rounded down; monitoring is not measured.
    assert score.overall == 27
    assert [a.area for a in score.weakest] == [Area.DATA]
    assert score.weakest[0].not_holding == ("data-fail-1",)
    assert score.formula == 2


def test_a_ready_project_with_one_failing_warning_keeps_most_of_its_score() -> None:
    # Formula 1 gave 50 here: the area of the warning, halved, was the overall.
    score = score_results(
        [
            result(Area.DATA, Status.PASS),
            result(Area.MODEL, Status.PASS),
            result(Area.INFRASTRUCTURE, Status.PASS),
            result(Area.MONITORING, Status.PASS),
            result(Area.MONITORING, Status.FAIL, Finding("w"), severity=Severity.WARNING),
        ]
    )
    assert [a.value for a in score.areas] == [100, 100, 100, 66]
    assert score.overall == 78  # (66 + 91.5) / 2 = 78.75, rounded down


def test_projects_that_fail_the_same_weakest_area_are_told_apart() -> None:
    # As adopted real repositories are: input-pipelines (data) fails in all of them.
    def real(passing: set[str]) -> int | None:
        checks = {
            "input-pipelines": Area.DATA,
            "tracked-config": Area.MODEL,
            "version-control": Area.INFRASTRUCTURE,
            "unit-tests": Area.INFRASTRUCTURE,
            "personal-paths": Area.INFRASTRUCTURE,
            "output-schema": Area.MONITORING,
            "retrain-entrypoint": Area.MONITORING,
        }
        return score_results(
            [
                CheckResult(
                    check=check_id,
                    title="t",
                    severity=Severity.ERROR,
                    area=area,
                    status=Status.PASS if check_id in passing else Status.FAIL,
                    summary="s",
                    findings=() if check_id in passing else (Finding("x"),),
                )
                for check_id, area in checks.items()
            ]
        ).overall

    five = real(
        {"tracked-config", "version-control", "unit-tests", "personal-paths", "retrain-entrypoint"}
    )
    three = real({"version-control", "personal-paths", "retrain-entrypoint"})
    one = real({"version-control"})
    assert five is not None and three is not None and one is not None
    assert five > three > one > 0


def test_an_area_of_advisory_checks_only_is_not_measured() -> None:
    advisory = CheckResult(
        check="ci-gate",
        title="t",
        severity=Severity.WARNING,
        area=Area.MONITORING,
        status=Status.FAIL,
        summary="s",
        findings=(Finding("x"),),
        advisory="new in dsdone 0.2.0, not blocking",
    )
    score = score_results([advisory, result(Area.DATA, Status.PASS)])
    assert score.areas[3].value is None
    assert score.overall == 100


# -- through the CLI ------------------------------------------------------------------------


@pytest.fixture
def project(make_repo: MakeRepo) -> Path:
    """Scores: data 100, model 100, infrastructure 100 (one skip), monitoring 0 (a warning)."""
    return gate_repo(make_repo, {"src/a.py": "x = 1\n"})


@pytest.mark.parametrize(("min_score", "exit_code"), [("0", 0), ("37", 0), ("38", 1), ("100", 1)])
def test_min_score_makes_a_project_below_it_not_ready(
    project: Path, run_cli: RunCli, min_score: str, exit_code: int
) -> None:
    result = run_cli(
        "check", str(project), "--allow-plugins", "--select", GATE, "--min-score", min_score
    )
    assert result.exit_code == exit_code
    lines = result.stdout.splitlines()
    # (lowest 0 + average 75) / 2; what holds it down is named, then each area, with the check.
    score = lines.index("Readiness score 37/100, held down most by monitoring (0/100)")
    assert lines[score + 1 : score + 5] == [
        "  data            100/100",
        "  model           100/100",
        "  infrastructure  100/100",
        "  monitoring        0/100  failing: gate-readme",
    ]
    if exit_code:
        assert lines[-1].startswith(f"✗ Not ready: score 37/100, below --min-score {min_score}")
    else:
        assert lines[-1].startswith("✓ Ready")


def test_min_score_is_met_at_the_score(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = gate_repo(make_repo, {"src/a.py": "x = 1\n", "README.md": ""})
    args = ("check", str(root), "--allow-plugins", "--select", GATE, "--min-score")
    result = run_cli(*args, "100")
    assert result.exit_code == 0
    assert "Readiness score 100/100: every check that applies holds" in result.stdout.splitlines()
    data = json.loads(run_cli(*args, "100", "-f", "json").stdout)
    assert (data["score"]["overall"], data["score"]["weakest"]) == (100, [])


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
        "overall": 37,
        "areas": {
            "data": area(100, 1, 1, 4, 4),
            "model": area(100, 1, 1, 4, 4),
            "infrastructure": area(100, 1, 1, 4, 4),
            "monitoring": area(0, 0, 1, 0, 2, "gate-readme"),
        },
        "formula": 2,
        "weakest": ["monitoring"],
    }


def area(
    score: int, held: int, applicable: int, points: int, possible: int, *not_holding: str
) -> dict[str, object]:
    return {
        "score": score,
        "held": held,
        "applicable": applicable,
        "points": points,
        "possible": possible,
        "not_holding": list(not_holding),
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


# -- properties -------------------------------------------------------------------------------

STATUSES = [Status.PASS, Status.FAIL, Status.ERROR, Status.WAIVED, Status.SKIP]


@st.composite
def check_results(draw: st.DrawFn) -> CheckResult:
    status = draw(st.sampled_from(STATUSES))
    findings: tuple[Finding, ...] = ()
    if status is Status.FAIL:
        known = draw(st.lists(st.booleans(), min_size=1, max_size=3))
        findings = tuple(Finding(f"f{i}", known=k) for i, k in enumerate(known))
    elif status is Status.WAIVED:
        findings = (Finding("w", waived=WAIVED),)
    return CheckResult(
        check=f"c{draw(st.integers(0, 10_000))}",
        title="t",
        severity=draw(st.sampled_from(list(Severity))),
        area=draw(st.sampled_from(list(Area))),
        status=status,
        summary="s",
        findings=findings,
        advisory=draw(st.sampled_from([None, None, None, "new in dsdone 0.2.0"])),
    )


def came_to_hold(failing: CheckResult, how: str) -> CheckResult:
    """The same check, holding now: it passes, a waiver accepts its findings, or the baseline
    knows them all."""
    if how == "pass":
        return dataclasses.replace(failing, status=Status.PASS, findings=())
    finding = Finding("x", waived=WAIVED) if how == "waived" else Finding("x", known=True)
    status = Status.WAIVED if how == "waived" else Status.FAIL
    return dataclasses.replace(failing, status=status, findings=(finding,))


@given(
    results=st.lists(check_results(), min_size=1, max_size=12),
    data=st.data(),
)
def test_a_check_that_comes_to_hold_never_lowers_any_score(
    results: list[CheckResult], data: st.DataObject
) -> None:
    failing = [i for i, result in enumerate(results) if holds(result) is False]
    assume(failing)
    index = data.draw(st.sampled_from(failing))
    how = data.draw(st.sampled_from(["pass", "waived", "known"]))
    better = [*results[:index], came_to_hold(results[index], how), *results[index + 1 :]]
    before, after = score_results(results), score_results(better)
    for old, new in zip(before.areas, after.areas, strict=True):
        assert old.value is None or (new.value is not None and new.value >= old.value)
    assert before.overall is not None and after.overall is not None
    assert after.overall >= before.overall


@given(results=st.lists(check_results(), max_size=12))
def test_only_an_area_where_a_check_counts_is_measured(results: list[CheckResult]) -> None:
    score = score_results(results)
    for area in score.areas:
        counted = [r for r in results if r.area is area.area and holds(r) is not None]
        assert (area.value is None) == (not counted)
        if counted and any(holds(r) is False for r in counted):
            assert area.value is not None and area.value < 100
    values = [a.value for a in score.areas if a.value is not None]
    if not values:
        assert score.overall is None
    else:
        assert score.overall is not None and min(values) <= score.overall <= max(values)


# -- the README's worked example ---------------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"
_CHECK = re.compile(r"([a-z-]+) \((error|warning|info): (pass|fail|waived|error|skip)\)")


def test_the_readmes_worked_example_is_what_dsdone_computes() -> None:
    text = README.read_text("utf-8")
    section = text[text.index("<!-- score-example -->") :]
    rows = [line for line in section.splitlines()[3:8] if line.startswith("| ")]
    results: list[CheckResult] = []
    stated: dict[str, tuple[int, int, int]] = {}
    for row in rows:
        area, checks, points, value = (cell.strip() for cell in row.strip("|").split("|"))
        held, possible = (int(n) for n in points.split(" of "))
        stated[area] = (int(value), held, possible)
        for check_id, severity, status in _CHECK.findall(checks):
            findings = (Finding("x", waived=WAIVED),) if status == "waived" else ()
            findings += (Finding("x"),) if status == "fail" else ()
            results.append(
                CheckResult(
                    check=check_id,
                    title="t",
                    severity=Severity(severity),
                    area=Area(area),
                    status=Status(status),
                    summary="s",
                    findings=findings,
                )
            )
    assert len(results) == 10
    score = score_results(results)
    assert {a.area.value: (a.value, a.points, a.possible) for a in score.areas} == stated
    overall = re.search(r"rounded\s+down: \*\*(\d+)/100\*\*", section)
    assert overall is not None and score.overall == int(overall.group(1))
    # And the lines every report shows for it, as the README shows them.
    shown = text[text.rindex("```\nScore ", 0, text.index("<!-- score-example -->")) :]
    assert shown.splitlines()[1:3] == [
        f"Score {score.overall}/100, {held_down_by(score)}",
        f"  by area: {area_scores(score)}",
    ]
