"""The contract: ``dsdone.yaml``, read, validated against the published schema, made typed.

Validation here is about shape (types, known keys, the version). Whether the project keeps
its promises (an input has a format, the schema file exists) is what the checks report, as
findings with a line in the contract, so that a half-written contract still gets a report.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from dsdone import CONTRACT_NAMES
from dsdone.errors import DsdoneError, Location, Problem
from dsdone.globs import glob_problem
from dsdone.report import ProjectInfo, Severity
from dsdone.yamlsource import YamlDocument, YamlPath, format_path, load_yaml

SUPPORTED_VERSIONS = (1,)
# A contract is a page of YAML; thousands of lines are a mistake or an attack. The pure-Python
# parser reads about 100 KB a second, so this also bounds the time a hostile contract costs.
MAX_CONTRACT_BYTES = 256 * 1024
SCHEMA_COMMENT = "# yaml-language-server: $schema="


@dataclass(frozen=True)
class Input:
    name: str | None
    source: str | None
    format: str | None
    pipeline: str | None
    index: int  # position in the contract's list, for locating it


@dataclass(frozen=True)
class Output:
    name: str | None
    format: str | None
    schema: str | Mapping[str, Any] | None
    sample: str | None
    index: int


@dataclass(frozen=True)
class Retrain:
    entrypoint: str | None
    schedule: str | None


@dataclass(frozen=True)
class Tests:
    paths: tuple[str, ...] = ("tests",)
    min_tests: int = 1


@dataclass(frozen=True)
class CheckSettings:
    enabled: bool = True
    severity: Severity | None = None
    exclude: tuple[str, ...] = ()
    timeout: float | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    until: date | None
    paths: tuple[str, ...]
    index: int


@dataclass(frozen=True)
class Contract:
    """A valid contract. A section that is ``None`` was not declared at all."""

    path: Path  # absolute path of the contract file
    version: int
    project: ProjectInfo
    inputs: tuple[Input, ...] | None
    outputs: tuple[Output, ...] | None
    config_files: tuple[str, ...] | None
    retrain: Retrain | None
    tests: Tests
    checks: Mapping[str, CheckSettings]
    plugins: tuple[str, ...]
    waivers: tuple[Waiver, ...]
    document: YamlDocument = field(repr=False, compare=False)

    @property
    def root(self) -> Path:
        return self.path.parent

    def line_of(self, *path: str | int) -> int | None:
        """The line in the contract where the value at ``path`` (or its closest parent) is."""
        mark = self.document.locate_key(path)
        return mark.line if mark else None

    def location_of(self, *path: str | int) -> Location:
        """Where the key holding the value at ``path`` is, for an error about it."""
        return Location(self.path.name, self.line_of(*path))

    def settings(self, check_id: str) -> CheckSettings:
        return self.checks.get(check_id, CheckSettings())


def find_contract(path: Path) -> Path:
    """The contract file for ``path``: the file itself, or ``dsdone.yaml`` in the folder.

    The result is absolute and its parent is the project folder the user named. A contract that
    is a symbolic link is followed only to a file inside that folder: a link out of it would
    otherwise make a stranger's repository choose which folder dsdone reads.
    """
    try:
        if not path.exists():
            raise DsdoneError(
                f"{path}: no such file or folder", hint="give a project folder or its dsdone.yaml"
            )
        if path.is_dir():
            folder = path.resolve()
            candidates = [folder / name for name in CONTRACT_NAMES]
            found = next((c for c in candidates if c.is_file() or c.is_symlink()), None)
            if found is None:
                raise DsdoneError(
                    f"{path}: no dsdone.yaml in this folder",
                    hint="run `dsdone init` to start a project, or `dsdone init --existing` to "
                    "write a contract for this one",
                )
        else:
            found = path.absolute().parent.resolve() / path.name
        target = found.resolve()
    except OSError as exc:
        raise DsdoneError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except RuntimeError:  # a symbolic link loop, on Python < 3.13
        raise DsdoneError(f"{path}: the contract is a symbolic link that loops") from None
    if found.parent not in target.parents:
        raise DsdoneError(
            f"{found.name}: the contract is a symbolic link to {target}, "
            "outside the project folder",
            hint="keep dsdone.yaml as a file of the project, not a link out of it",
        )
    if not target.is_file():
        raise DsdoneError(
            f"{found.name}: the contract is not a regular file",
            hint="dsdone.yaml must be a file of YAML text",
        )
    return found


@functools.cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of contract version 1."""
    text = resources.files("dsdone").joinpath("contract-v1.schema.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def load_contract(path: Path) -> Contract:
    """Read and validate the contract at ``path`` (a file, or a folder holding ``dsdone.yaml``)."""
    contract_path = find_contract(path)
    return parse_contract(_read_text(contract_path, contract_path.name), contract_path)


def parse_contract(text: str, contract_path: Path) -> Contract:
    """Validate ``text`` as the contract at ``contract_path`` (what ``init`` checks before it
    writes one: ``dsdone check`` must accept every contract dsdone writes)."""
    shown = contract_path.name
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CONTRACT_BYTES:
        raise DsdoneError(
            at=Location(shown),
            message=f"the contract is larger than {MAX_CONTRACT_BYTES // 1024} KB; "
            "a contract is a page of YAML",
            hint="keep data, schemas and samples in files of their own and point to them",
        )
    document = load_yaml(text, shown)
    data = document.data
    if data is None:
        raise DsdoneError(
            "the contract is empty",
            at=Location(shown),
            hint="a contract needs at least: version: 1, and project: with name and owner",
        )
    if not isinstance(data, dict):
        raise DsdoneError(
            "the contract must be a mapping of keys (version, project, ...), "
            f"not a {_json_type(data)}",
            at=_where(document, (), shown),
        )
    _check_version(data, document, shown)
    problems = _schema_problems(data, document, shown)
    if not problems:
        problems = _value_problems(data, document, shown)
    if problems:
        raise DsdoneError.of(problems, hint="see `dsdone schema` for every key and its type")
    return _build(contract_path, data, document, shown)


def _read_text(path: Path, shown: str) -> str:
    try:
        # Read one byte past the cap rather than trust the size stat() gives: the file may grow.
        with path.open("rb") as stream:
            raw = stream.read(MAX_CONTRACT_BYTES + 1)
    except OSError as exc:
        raise DsdoneError(
            f"cannot read the contract: {exc.strerror or exc}", at=Location(shown)
        ) from None
    if len(raw) > MAX_CONTRACT_BYTES:
        raise DsdoneError(
            at=Location(shown),
            message=f"the contract is larger than {MAX_CONTRACT_BYTES // 1024} KB; "
            "a contract is a page of YAML",
            hint="keep data, schemas and samples in files of their own and point to them",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DsdoneError(
            at=Location(shown, line, column),
            message=f"the contract is not valid UTF-8 (byte {raw[exc.start]:#04x})",
            hint="save the file as UTF-8",
        ) from None


def _check_version(data: dict[str, Any], document: YamlDocument, shown: str) -> None:
    supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
    if "version" not in data:
        raise DsdoneError(
            "the contract has no 'version'",
            at=Location(shown, 1, 1),
            hint=f"add `version: 1` at the top (this dsdone reads version {supported})",
        )
    version = data["version"]
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        raise DsdoneError(
            at=_where(document, ("version",), shown),
            message=f"unsupported contract version {version!r}; "
            f"this dsdone reads version {supported}",
            hint="set `version: 1`, or upgrade dsdone if the contract was written for a newer one",
        )


def _schema_problems(data: dict[str, Any], document: YamlDocument, shown: str) -> list[Problem]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    problems: list[tuple[int, int, str]] = []  # line, column, message
    for error in validator.iter_errors(data):
        for path, message in _explain(error):
            mark = (
                document.locate_key(path)
                if error.validator == "additionalProperties"
                else (document.locate(path))
            )
            line, column = (mark.line, mark.column) if mark else (1, 1)
            problems.append((line, column, message))
    return [
        Problem(message, Location(shown, line, column))
        for line, column, message in sorted(set(problems))
    ]


# The longest timeout a contract or --timeout may set: a week is more than any check needs, and
# a longer or infinite one would make the runner fail, not the contract.
MAX_TIMEOUT_SECONDS = 7 * 24 * 3600.0


def _value_problems(data: dict[str, Any], document: YamlDocument, shown: str) -> list[Problem]:
    """What the schema cannot say: a timeout must be finite, a glob must be one git accepts."""
    problems: list[Problem] = []
    for check_id, settings in (data.get("checks") or {}).items():
        timeout = (settings or {}).get("timeout")
        if timeout is not None and not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            problems.append(
                Problem(
                    f"checks.{check_id}.timeout must be a number of seconds up to "
                    f"{MAX_TIMEOUT_SECONDS:g}; got {timeout!r}",
                    _where(document, ("checks", check_id, "timeout"), shown),
                )
            )
    globs: list[YamlPath] = [
        ("checks", check_id, "exclude", i)
        for check_id, settings in (data.get("checks") or {}).items()
        for i in range(len((settings or {}).get("exclude", ())))
    ]
    globs += [
        ("config", "files", i) for i in range(len((data.get("config") or {}).get("files", ())))
    ]
    globs += [
        ("waivers", w, "paths", i)
        for w, waiver in enumerate(data.get("waivers", ()))
        for i in range(len(waiver.get("paths", ())))
    ]
    for at in globs:
        value: Any = data
        for part in at:
            value = value[part]
        problem = glob_problem(value)
        if problem is not None:
            problems.append(
                Problem(
                    f"{format_path(at)} is not a valid glob: {problem}",
                    _where(document, at, shown),
                )
            )
    return problems


# JSON Schema's names for types, as a person writing YAML calls them.
_YAML_TYPE_NAMES = {
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def _explain(error: Any) -> list[tuple[YamlPath, str]]:
    """Turn one jsonschema error into messages a person can act on, each with its place."""
    path: YamlPath = tuple(error.absolute_path)
    where = format_path(path)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        return [
            ((*path, key), f"unknown key '{key}' in {where}{_did_you_mean(key, allowed)}")
            for key in unknown
        ]
    if kind == "required":
        return [(path, f"{where} is missing the required key {error.message.split(' ')[0]}")]
    if kind == "type":
        expected = error.validator_value
        types = expected if isinstance(expected, list) else [expected]
        names = [_YAML_TYPE_NAMES.get(str(t), str(t)) for t in types]
        return [(path, f"{where} must be {' or '.join(names)}, not {_describe(error.instance)}")]
    if kind == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return [(path, f"{where} must be one of {choices}; got {error.instance!r}")]
    if kind == "pattern" and path and path[-1] == "until":
        return [(path, f"{where} must be a date written YYYY-MM-DD; got {error.instance!r}")]
    if kind in ("minimum", "exclusiveMinimum"):
        bound = "greater than" if kind == "exclusiveMinimum" else "at least"
        return [(path, f"{where} must be {bound} {error.validator_value}; got {error.instance!r}")]
    if kind == "minLength":
        return [(path, f"{where} must not be empty")]
    return [(path, f"{where}: {error.message}")]


def _did_you_mean(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (expected one of: {', '.join(allowed)})" if allowed else ""


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return "string"


def _describe(value: Any) -> str:
    kind = _json_type(value)
    if kind in ("mapping", "list", "null"):
        return f"a {kind}" if kind != "null" else "empty"
    return f"the {kind} {value!r}"


def _where(document: YamlDocument, path: YamlPath, shown: str) -> Location:
    mark = document.locate(path)
    return Location(shown, mark.line, mark.column) if mark else Location(shown)


def _build(path: Path, data: dict[str, Any], document: YamlDocument, shown: str) -> Contract:
    project = data["project"]
    inputs = data.get("inputs")
    outputs = data.get("outputs")
    config = data.get("config")
    retrain = data.get("retrain")
    tests = data.get("tests") or {}
    return Contract(
        path=path,
        version=int(data["version"]),  # `version: 1.0` is version 1
        project=ProjectInfo(
            name=project["name"],
            owner=project["owner"],
            description=project.get("description"),
            consumers=tuple(project.get("consumers", ())),
        ),
        inputs=None
        if inputs is None
        else tuple(
            Input(
                name=item.get("name"),
                source=item.get("source"),
                format=item.get("format"),
                pipeline=item.get("pipeline"),
                index=i,
            )
            for i, item in enumerate(inputs)
        ),
        outputs=None
        if outputs is None
        else tuple(
            Output(
                name=item.get("name"),
                format=item.get("format"),
                schema=item.get("schema"),
                sample=item.get("sample"),
                index=i,
            )
            for i, item in enumerate(outputs)
        ),
        config_files=None if config is None else tuple(config.get("files", ())),
        retrain=None
        if retrain is None
        else Retrain(retrain.get("entrypoint"), retrain.get("schedule")),
        tests=Tests(
            paths=tuple(tests.get("paths", ("tests",))), min_tests=tests.get("min_tests", 1)
        ),
        checks={
            check_id: _check_settings(settings or {})
            for check_id, settings in sorted((data.get("checks") or {}).items())
        },
        plugins=tuple(data.get("plugins", ())),
        waivers=tuple(
            _waiver(item, i, document, shown) for i, item in enumerate(data.get("waivers", ()))
        ),
        document=document,
    )


_SETTINGS_KEYS = {"enabled", "severity", "exclude", "timeout"}


def _check_settings(raw: dict[str, Any]) -> CheckSettings:
    return CheckSettings(
        enabled=raw.get("enabled", True),
        severity=Severity(raw["severity"]) if "severity" in raw else None,
        exclude=tuple(raw.get("exclude", ())),
        timeout=raw.get("timeout"),
        options={key: value for key, value in raw.items() if key not in _SETTINGS_KEYS},
    )


def _waiver(raw: dict[str, Any], index: int, document: YamlDocument, shown: str) -> Waiver:
    until = raw.get("until")
    parsed: date | None = None
    if until is not None:
        try:
            parsed = date.fromisoformat(until)
        except ValueError:
            raise DsdoneError(
                f"waivers[{index}].until is not a real date: {until!r}",
                at=_where(document, ("waivers", index, "until"), shown),
                hint="write the last day the waiver holds as YYYY-MM-DD",
            ) from None
    return Waiver(
        check=raw["check"],
        reason=raw["reason"],
        until=parsed,
        paths=tuple(raw.get("paths", ())),
        index=index,
    )
