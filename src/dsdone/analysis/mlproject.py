"""An MLflow project's ``MLproject`` file, read as MLflow reads it: its entry points, their
commands and their parameters, and which parameters have no default (``mlflow run`` refuses
to start without ``-P name=value`` for each of them). Safe YAML; MLflow is never imported."""

from __future__ import annotations

from dataclasses import dataclass

from dsdone.parsed import as_phrase
from dsdone.repository import Repository


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # float, string, path, uri, ... ("string" when not given)
    default: str | None  # None: the parameter is required

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class EntryPoint:
    name: str
    command: str
    parameters: tuple[Parameter, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        """The parameters ``mlflow run`` needs a ``-P`` for."""
        return tuple(p.name for p in self.parameters if p.required)


@dataclass(frozen=True)
class MLProject:
    """The entry points of one MLproject file, or why it cannot be read."""

    path: str
    entry_points: dict[str, EntryPoint]
    problem: str | None = None


def read_mlproject(repository: Repository, path: str = "MLproject") -> MLProject:
    """The MLproject at ``path`` (relative to the repository)."""
    parsed = repository.parsed(path)
    if parsed.problem is not None:
        where = parsed.problem.location
        line = f":{where.line}" if where is not None and where.line else ""
        phrase = as_phrase(parsed.problem.message)
        return MLProject(path, {}, f"{path}{line}{'' if phrase[0] == ':' else ' '}{phrase}")
    data = parsed.data
    entries = data.get("entry_points") if isinstance(data, dict) else None
    found: dict[str, EntryPoint] = {}
    for name, spec in (entries if isinstance(entries, dict) else {}).items():
        spec = spec if isinstance(spec, dict) else {}
        found[str(name)] = EntryPoint(
            str(name), str(spec.get("command", "")), _parameters(spec.get("parameters"))
        )
    return MLProject(path, found)


def _parameters(raw: object) -> tuple[Parameter, ...]:
    """``alpha: float`` (type only: required), ``alpha: {type: float, default: 0.1}``."""
    found = []
    for name, spec in (raw if isinstance(raw, dict) else {}).items():
        if isinstance(spec, dict):
            default = spec.get("default")
            kind = str(spec.get("type", "string"))
            found.append(Parameter(str(name), kind, None if default is None else str(default)))
        else:
            found.append(Parameter(str(name), str(spec or "string"), None))
    return tuple(found)
