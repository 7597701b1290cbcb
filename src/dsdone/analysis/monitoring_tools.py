"""The configuration files of monitoring tools that are configured by files, recognised by their
shape: what each declares that would raise an alert. Parsed data in, a verdict out; nothing is
contacted and nothing runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The top-level keys of SageMaker Model Monitor's and Vertex AI's monitoring definitions.
_SAGEMAKER = (
    "MonitoringScheduleConfig",
    "DataQualityJobDefinition",
    "ModelQualityJobDefinition",
    "ModelBiasJobDefinition",
    "ModelExplainabilityJobDefinition",
)
_VERTEX = (
    "modelDeploymentMonitoringObjectiveConfigs",
    "objectiveConfig",
    "modelMonitoringAlertConfig",
)


@dataclass(frozen=True)
class ToolConfig:
    tool: str  # as a person names it: "Prometheus alerting rules", ...
    rules: int  # what it would alert or validate on; 0: it watches nothing


def recognise(data: Any) -> ToolConfig | None:
    """The tool ``data`` configures, or None when it is no monitoring configuration dsdone
    knows (Prometheus alerting rules, Grafana alert provisioning, a Great Expectations
    checkpoint or suite, SageMaker Model Monitor, Vertex AI model monitoring)."""
    if not isinstance(data, Mapping):
        return None
    groups = data.get("groups")
    if isinstance(groups, list):
        rules = [
            rule for group in groups if isinstance(group, Mapping) for rule in _list(group, "rules")
        ]
        if "apiVersion" in data:  # Grafana's alerting provisioning file
            return ToolConfig("Grafana alert rules", sum(1 for r in rules if _has(r, "title")))
        return ToolConfig("Prometheus alerting rules", sum(1 for r in rules if _has(r, "alert")))
    if data.get("class_name") in ("Checkpoint", "SimpleCheckpoint") or "validations" in data:
        return ToolConfig("Great Expectations checkpoint", max(1, len(_list(data, "validations"))))
    if "expectation_suite_name" in data or ("expectations" in data and "name" in data):
        return ToolConfig("Great Expectations suite", len(_list(data, "expectations")))
    if any(key in data for key in _SAGEMAKER):
        return ToolConfig("SageMaker Model Monitor", 1)
    if any(key in data for key in _VERTEX):
        return ToolConfig("Vertex AI model monitoring", 1)
    return None


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _has(rule: Any, key: str) -> bool:
    return isinstance(rule, Mapping) and isinstance(rule.get(key), str) and bool(rule[key].strip())
