"""monitoring: what is watched in production, against what, who hears of it, what happens."""

from __future__ import annotations

from collections.abc import Iterator

from dsdone.analysis.code_refs import Located, resolve
from dsdone.analysis.contacts import HOW_TO_REACH, is_reachable
from dsdone.analysis.monitoring_tools import recognise
from dsdone.api import Note, check
from dsdone.contract import WatchedMetric
from dsdone.parsed import unparsed_finding
from dsdone.project import PathStatus, Project
from dsdone.report import Area, Finding, Severity

_CONFIG_SUFFIXES = (".yaml", ".yml", ".json")
EXAMPLE = """add to dsdone.yaml:
monitoring:
  metrics:
    - name: score-drift
      kind: prediction-distribution
      threshold: 0.1
      implementation: mypackage.monitoring:score_drift
  alerts: ["#ml-alerts"]
  responders: "@acme/ml-oncall"
  automation: none"""


@check(
    id="monitoring",
    title="The model is monitored in production",
    severity=Severity.ERROR,
    area=Area.MONITORING,
    ml_test_score=("Mon2", "Mon4", "Mon6", "Mon7"),
    fix="Declare under monitoring: the metrics watched with their thresholds and the code or "
    "tool configuration that computes them, where alerts go, who responds, what happens.",
    since="0.2.0",
)
def monitoring(project: Project) -> Iterator[Finding | Note]:
    """Models decay: the world drifts away from the training data, upstream tables change
    shape, and a model that was right at launch is quietly wrong months later. Without
    declared monitoring, nobody notices until a consumer does.

    `monitoring.metrics` names what is watched (prediction distribution, input drift, bias
    across a segment, latency, freshness, quality), each with a `threshold` or a `comparison`
    and an `implementation` that resolves statically: a function or file of the repository
    (`pkg.monitoring:check_drift`, as Evidently or whylogs checks are written), or the tracked
    configuration file of a tool configured by files (Prometheus alerting rules, Grafana alert
    provisioning, a Great Expectations checkpoint or suite, SageMaker Model Monitor, Vertex AI
    monitoring), which must parse and declare at least one rule. `alerts` say where alerts go,
    `responders` who acts, `automation` what happens by itself (`retrain`, `rollback`,
    `fallback`, or `none`). Verification functions under `monitoring.verification` must
    resolve too; `dsdone check --run verify` runs them.
    """
    declared = project.contract.monitoring
    if declared is None:
        yield project.contract_finding("the contract declares no monitoring", hint=EXAMPLE)
        return
    if not declared.metrics:
        yield project.contract_finding(
            "monitoring.metrics: nothing is watched in production",
            "monitoring",
            hint=EXAMPLE,
        )
    for metric in declared.metrics:
        yield from _metric(project, metric)
    if not declared.alerts:
        yield project.contract_finding(
            "monitoring.alerts: no alert goes anywhere",
            "monitoring",
            hint=f"list where alerts go: {HOW_TO_REACH}",
        )
    for index, destination in enumerate(declared.alerts):
        if not is_reachable(destination):
            yield project.contract_finding(
                f"monitoring.alerts[{index}]: {destination!r} is not a destination an alert "
                "can reach",
                "monitoring",
                "alerts",
                index,
                hint=f"name {HOW_TO_REACH}",
            )
    if declared.responders is None or not is_reachable(declared.responders):
        shown = "nobody" if declared.responders is None else repr(declared.responders)
        yield project.contract_finding(
            f"monitoring.responders: {shown} is not someone who can be reached",
            "monitoring",
            *(("responders",) if declared.responders is not None else ()),
            hint=f"name who acts on an alert: {HOW_TO_REACH}",
        )
    if declared.automation is None:
        yield project.contract_finding(
            "monitoring.automation: it does not say what happens on an alert",
            "monitoring",
            hint="write automation: retrain, rollback or fallback, or none when a person decides",
        )
    for script in declared.verification:
        if script.function is not None:
            found = resolve(project, script.function)
            if not isinstance(found, Located):
                yield project.contract_finding(
                    f"monitoring.verification[{script.index}] ({script.name}): "
                    f"{script.function} does not resolve: {found.message}",
                    "monitoring",
                    "verification",
                    script.index,
                    "function",
                    hint="name a function defined at the top level of a module of the project",
                )
    yield Note(
        f"{len(declared.metrics)} watched, alerts to {', '.join(declared.alerts) or 'nobody'}"
    )


def _metric(project: Project, metric: WatchedMetric) -> Iterator[Finding]:
    at = ("monitoring", "metrics", metric.index)
    label = f"monitoring.metrics[{metric.index}] ({metric.name})"
    if metric.threshold is None and metric.comparison is None:
        yield project.contract_finding(
            f"{label} has neither a threshold nor a comparison, so nothing says when it alerts",
            *at,
            hint="add threshold: (the value that alerts) or comparison: (what it is compared "
            "with, e.g. 'PSI against the training data')",
        )
    if metric.kind == "bias" and metric.segment is None:
        yield project.contract_finding(
            f"{label} watches bias but names no segment to compare across",
            *at,
            hint="add segment: the column whose groups must be treated alike (region, age_band)",
        )
    if metric.implementation is None:
        yield project.contract_finding(
            f"{label} says nothing about what computes it",
            *at,
            hint="add implementation: a function (pkg.monitoring:check_drift) or the tool "
            "configuration file that watches it",
        )
        return
    reference = metric.implementation.strip()
    where = (*at, "implementation")
    if reference.lower().endswith(_CONFIG_SUFFIXES):
        yield from _tool_config(project, reference, label, where)
        return
    found = resolve(project, reference)
    if not isinstance(found, Located):
        yield project.contract_finding(
            f"{label}: {reference} does not resolve: {found.message}",
            *where,
            hint="point it at a function of the project (pkg.module:function) or a file of it",
        )


def _tool_config(
    project: Project, path: str, label: str, where: tuple[str | int, ...]
) -> Iterator[Finding]:
    status = project.status(path)
    if status is not PathStatus.TRACKED and not (
        status is PathStatus.UNTRACKED and not project.index.in_git
    ):
        yield project.contract_finding(
            f"{label}: {status.problem(path) or f'{path} is not a file'}",
            *where,
            hint=status.fix(path) or "point it at the tool's configuration file",
        )
        return
    parsed = project.parsed(path)
    if parsed.problem is not None:
        yield unparsed_finding(parsed, f"{label}: {path}")
        return
    tool = next((t for t in map(recognise, parsed.documents) if t is not None), None)
    if tool is None:
        yield Finding(
            f"{label}: {path} is not a monitoring configuration dsdone recognises",
            path=path,
            hint="Prometheus alerting rules (groups[].rules[].alert), Grafana alert "
            "provisioning, a Great Expectations checkpoint or suite, SageMaker Model Monitor or "
            "Vertex AI monitoring; or point implementation at code",
        )
    elif tool.rules == 0:
        yield Finding(
            f"{label}: {path} ({tool.tool}) declares no rule, so it never alerts",
            path=path,
            hint="add the alerting rule for this metric",
        )
