"""monitoring: metrics with thresholds and an implementation that resolves, alerts that reach
someone, responders, and what happens automatically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo

from dsdone.checks.monitoring import monitoring
from dsdone.report import Status
from dsdone.testing import run_check

CODE = {"src/churn/__init__.py": "", "src/churn/watch.py": "def score_drift(a, b):\n    return 0\n"}


def contract(metrics: str, rest: str = "") -> str:
    defaults = "  alerts: ['#ml-alerts']\n  responders: '@acme/ml-oncall'\n  automation: none\n"
    return MINIMAL_CONTRACT + "monitoring:\n  metrics:\n" + metrics + (rest or defaults)


DRIFT = (
    "    - name: score-drift\n      kind: prediction-distribution\n      threshold: 0.1\n"
    "      implementation: churn.watch:score_drift\n"
)


def messages(root: Path) -> list[str]:
    return [f.message for f in run_check(root, monitoring).findings]


def test_declared_monitoring_that_resolves_passes(make_repo: MakeRepo) -> None:
    root = make_repo(CODE, contract=contract(DRIFT))

    result = run_check(root, monitoring)

    assert result.status is Status.PASS
    assert result.summary == "1 watched, alerts to #ml-alerts"


def test_no_monitoring_at_all_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(CODE)

    assert messages(root) == ["the contract declares no monitoring"]


@pytest.mark.parametrize(
    ("metric", "words"),
    [
        ("    - name: drift\n      implementation: churn.watch:score_drift\n",
         "monitoring.metrics[0] (drift) has neither a threshold nor a comparison"),
        ("    - name: gap\n      kind: bias\n      threshold: 0.1\n"
         "      implementation: churn.watch:score_drift\n",
         "monitoring.metrics[0] (gap) watches bias but names no segment"),
        ("    - name: drift\n      threshold: 0.1\n",
         "monitoring.metrics[0] (drift) says nothing about what computes it"),
        ("    - name: drift\n      threshold: 0.1\n      implementation: churn.watch:psi\n",
         "monitoring.metrics[0] (drift): churn.watch:psi does not resolve"),
    ],
)  # fmt: skip
def test_a_metric_that_cannot_alert_is_a_finding_at_its_entry(
    make_repo: MakeRepo, metric: str, words: str
) -> None:
    root = make_repo(CODE, contract=contract(metric))

    (finding,) = run_check(root, monitoring).findings
    assert finding.message.startswith(words)
    assert finding.path == "dsdone.yaml"
    assert finding.line is not None and finding.line >= 7


def test_a_comparison_stands_for_a_threshold(make_repo: MakeRepo) -> None:
    metric = DRIFT.replace(
        "      threshold: 0.1\n", "      comparison: PSI against training > 0.2\n"
    )
    root = make_repo(CODE, contract=contract(metric))

    assert messages(root) == []


@pytest.mark.parametrize(
    ("rest", "words"),
    [
        ("  responders: '@acme/ml'\n  automation: none\n", "monitoring.alerts: no alert goes"),
        ("  alerts: [the team]\n  responders: '@acme/ml'\n  automation: none\n",
         "monitoring.alerts[0]: 'the team' is not a destination an alert can reach"),
        ("  alerts: ['#ml']\n  automation: none\n", "monitoring.responders: nobody"),
        ("  alerts: ['#ml']\n  responders: '@acme/ml'\n",
         "monitoring.automation: it does not say what happens on an alert"),
    ],
)  # fmt: skip
def test_alerts_responders_and_automation_are_declared(
    make_repo: MakeRepo, rest: str, words: str
) -> None:
    root = make_repo(CODE, contract=contract(DRIFT, rest))

    assert [m for m in messages(root) if m.startswith(words)] != [], messages(root)


PROMETHEUS = (
    "groups:\n  - name: churn\n    rules:\n      - alert: ScoreDrift\n        expr: x > 1\n"
)
GRAFANA = (
    "apiVersion: 1\ngroups:\n  - orgId: 1\n    name: churn\n    folder: ml\n    interval: 1m\n"
    "    rules:\n      - uid: drift\n        title: Score drift\n        condition: A\n"
)
GE_SUITE = json.dumps({"expectation_suite_name": "scores", "expectations": [{"type": "x"}]})
SAGEMAKER = json.dumps({"MonitoringScheduleConfig": {"ScheduleConfig": {}}})


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("monitoring/rules.yml", PROMETHEUS),
        ("monitoring/grafana.yaml", GRAFANA),
        ("gx/suite.json", GE_SUITE),
        ("monitoring/schedule.json", SAGEMAKER),
    ],
)
def test_a_tool_configured_by_files_counts_when_it_declares_a_rule(
    make_repo: MakeRepo, path: str, text: str
) -> None:
    metric = DRIFT.replace("churn.watch:score_drift", path)
    root = make_repo({**CODE, path: text}, contract=contract(metric))

    assert messages(root) == []


def test_a_tool_configuration_without_rules_never_alerts(make_repo: MakeRepo) -> None:
    metric = DRIFT.replace("churn.watch:score_drift", "monitoring/rules.yml")
    root = make_repo({**CODE, "monitoring/rules.yml": "groups:\n  - name: churn\n    rules: []\n"},
                     contract=contract(metric))  # fmt: skip

    (finding,) = run_check(root, monitoring).findings
    assert finding.message.endswith(
        "(Prometheus alerting rules) declares no rule, so it never alerts"
    )
    assert finding.path == "monitoring/rules.yml"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: [1\n", "is not valid YAML"),
        ("dashboards: []\n", "is not a monitoring configuration dsdone recognises"),
    ],
)
def test_a_tool_configuration_that_is_not_one_is_a_finding_in_it(
    make_repo: MakeRepo, text: str, words: str
) -> None:
    metric = DRIFT.replace("churn.watch:score_drift", "monitoring/rules.yml")
    root = make_repo({**CODE, "monitoring/rules.yml": text}, contract=contract(metric))

    (finding,) = run_check(root, monitoring).findings
    assert words in finding.message
    assert finding.path == "monitoring/rules.yml"


def test_an_untracked_tool_configuration_is_a_finding(make_repo: MakeRepo) -> None:
    metric = DRIFT.replace("churn.watch:score_drift", "monitoring/rules.yml")
    root = make_repo(CODE, contract=contract(metric))
    (root / "monitoring").mkdir()
    (root / "monitoring" / "rules.yml").write_text(PROMETHEUS)

    assert messages(root) == [
        "monitoring.metrics[0] (score-drift): monitoring/rules.yml is not tracked by git"
    ]


def test_a_verification_function_must_resolve(make_repo: MakeRepo) -> None:
    rest = (
        "  alerts: ['#ml']\n  responders: '@acme/ml'\n  automation: retrain\n"
        "  verification:\n    - name: drift\n      function: churn.watch:nothing_here\n"
    )
    root = make_repo(CODE, contract=contract(DRIFT, rest))

    (message,) = messages(root)
    assert message.startswith(
        "monitoring.verification[0] (drift): churn.watch:nothing_here does not resolve"
    )
