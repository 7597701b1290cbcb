"""The contract: ``dsdone.yaml``, read, validated against the published schema, made typed.

Validation here is about shape (types, known keys, the version). Whether the project keeps
its promises (an input has a format, the schema file exists) is what the checks report, as
findings with a line in the contract, so that a half-written contract still gets a report.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from dsdone.discovery import (
    contracts_below,
    is_contract,
    is_work_tree_top,
    nearest_contract,
    non_contracts_in,
)
from dsdone.errors import DsdoneError, Location, Problem
from dsdone.globs import glob_problem
from dsdone.report import Dataset, ProjectInfo, Severity
from dsdone.yamlsource import YamlDocument, YamlPath, format_path, load_yaml

SUPPORTED_VERSIONS = (1,)
# A contract is a page of YAML; thousands of lines are a mistake or an attack. The pure-Python
# parser reads about 100 KB a second, so this also bounds the time a hostile contract costs.
MAX_CONTRACT_BYTES = 256 * 1024
SCHEMA_COMMENT = "# yaml-language-server: $schema="


# The release whose checks a contract without ``written_for`` opts into: the checks it had.
FIRST_RELEASE = "0.1.0"
_RELEASE = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,4}){0,2}")


# A JSON Schema: the path of a file in the repository, or written inline.
SchemaSpec = str | Mapping[str, Any]


@dataclass(frozen=True)
class Input:
    name: str | None
    source: str | None
    format: str | None
    pipeline: str | None
    index: int  # position in the contract's list, for locating it
    schema: SchemaSpec | None = None  # what the project expects of one record
    version: int | str | None = None  # of that schema: a whole number or semver
    sample: str | None = None  # a small committed sample of the input
    expectations: Expectations | None = None  # written for pandera or Great Expectations


@dataclass(frozen=True)
class Expectations:
    """Data expectations written for a validation tool: resolved by the input-schema check,
    run against the input's sample only under ``dsdone check --run verify``."""

    pandera: str | None = None  # module:object, a DataFrameSchema or a DataFrameModel
    great_expectations: str | None = None  # the path of an expectation suite (JSON)


@dataclass(frozen=True)
class Output:
    name: str | None
    format: str | None
    schema: SchemaSpec | None
    sample: str | None
    index: int
    version: int | str | None = None  # of the schema, for consumers: a whole number or semver
    consumers: tuple[str, ...] | None = None  # None: not declared for this output


Command = tuple[str, ...]  # the words of a command line, as a POSIX shell splits them


@dataclass(frozen=True)
class SmokeRun:
    """A fast dry run of the retrain entrypoint, for ``--run retrain``."""

    command: Command
    timeout: float | None = None
    outputs: Mapping[str, str] = field(default_factory=dict)  # output name: file it writes


@dataclass(frozen=True)
class Retrain:
    entrypoint: str | None
    schedule: str | None
    smoke: SmokeRun | None = None


@dataclass(frozen=True)
class Verification:
    """A verification script declared under ``monitoring.verification``."""

    name: str
    command: Command | None  # or
    function: str | None  # module:function
    timeout: float | None
    index: int


@dataclass(frozen=True)
class Metric:
    name: str
    goal: str | None  # "maximize" or "minimize"
    threshold: float | None
    index: int


@dataclass(frozen=True)
class Tracking:
    tool: str | None  # mlflow, wandb, dvc, file
    metrics_file: str | None


@dataclass(frozen=True)
class Model:
    card: str | None = None
    metrics: tuple[Metric, ...] = ()
    tracking: Tracking | None = None


@dataclass(frozen=True)
class WatchedMetric:
    """A metric watched in production, under ``monitoring.metrics``."""

    name: str
    kind: str | None
    threshold: float | None
    comparison: str | None
    segment: str | None
    implementation: str | None
    index: int


@dataclass(frozen=True)
class Monitoring:
    metrics: tuple[WatchedMetric, ...] = ()
    alerts: tuple[str, ...] = ()
    responders: str | None = None
    automation: str | None = None
    verification: tuple[Verification, ...] = ()


@dataclass(frozen=True)
class Tests:
    paths: tuple[str, ...] = ("tests",)
    min_tests: int = 1
    command: Command | None = None  # what --run tests runs; None: python -m pytest PATHS
    timeout: float | None = None
    # False when the contract leaves ``paths`` out: unit-tests then takes pytest's own
    # ``testpaths`` when the project configures them, else ``tests``.
    paths_declared: bool = True


@dataclass(frozen=True)
class CheckSettings:
    enabled: bool = True
    severity: Severity | None = None
    exclude: tuple[str, ...] = ()
    timeout: float | None = None
    # How many entries each report format lists of the check's findings; None: the default.
    max_findings: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    until: date | None
    paths: tuple[str, ...]
    index: int
    # What change it accepts (the breaking-changes check): an output or input's name, a path
    # in its schema, or both: ``scores``, ``/properties/score/type``,
    # ``scores#/properties/score/type``.
    change: str | None = None


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
    monitoring: Monitoring | None
    model: Model | None
    checks: Mapping[str, CheckSettings]
    plugins: tuple[str, ...]
    waivers: tuple[Waiver, ...]
    document: YamlDocument = field(repr=False, compare=False)
    # The dsdone release the contract was written for: checks added later do not block.
    written_for: str = FIRST_RELEASE

    @property
    def root(self) -> Path:
        return self.path.parent

    def line_of(self, *path: str | int) -> int | None:
        """The line in the contract where the value at ``path`` (or its closest parent) is."""
        mark = self.document.locate_key(path)
        return mark.line if mark else None

    def location_of(self, *path: str | int) -> Location:
        """Where the key holding the value at ``path`` is (``file:line:column``), for an error
        about it."""
        mark = self.document.locate_key(path)
        if mark is None:
            return Location(self.path.name)
        return Location(self.path.name, mark.line, mark.column)

    def settings(self, check_id: str) -> CheckSettings:
        return self.checks.get(check_id, CheckSettings())


def find_contract(path: Path) -> Path:
    """The contract file for ``path``: the file itself, or the contract of the folder, found in
    it or in the nearest parent up to the top of its git work tree (see ``dsdone.discovery``).

    The result is absolute and its parent is the project folder. A contract that is a symbolic
    link is followed only to a file inside its folder: a link out of it would otherwise make a
    stranger's repository choose which folder dsdone reads.
    """
    shown = Location(str(path))
    try:
        if not path.exists():
            raise DsdoneError(
                "no such file or folder", at=shown, hint="give a project folder or its dsdone.yaml"
            )
        if path.is_dir():
            folder = path.resolve()
            found = nearest_contract(folder)
            if found is None:
                raise _no_contract(folder, shown)
        else:
            found = path.absolute().parent.resolve() / path.name
            if not is_contract(found):
                raise DsdoneError(
                    "not a dsdone contract (a contract is named dsdone.yaml, or is a YAML file "
                    "with the top-level keys version and project)",
                    at=shown,
                    hint="give the project's folder or its dsdone.yaml",
                )
        target = found.resolve()
    except OSError as exc:
        raise DsdoneError(f"cannot read: {exc.strerror or exc}", at=shown) from None
    except RuntimeError:  # a symbolic link loop, on Python < 3.13
        raise DsdoneError("the contract is a symbolic link that loops", at=shown) from None
    if found.parent not in target.parents:
        raise DsdoneError(
            f"the contract is a symbolic link to {target}, outside the project folder",
            at=Location(found.name),
            hint="keep dsdone.yaml as a file of the project, not a link out of it",
        )
    if not target.is_file():
        raise DsdoneError(
            "the contract is not a regular file",
            at=Location(found.name),
            hint="dsdone.yaml must be a file of YAML text",
        )
    return found


def _no_contract(folder: Path, shown: Location) -> DsdoneError:
    """No contract in ``folder`` or above it: say how far dsdone looked, and which files by a
    contract's name it passed over."""
    top = next((f for f in (folder, *folder.parents) if is_work_tree_top(f)), None)
    where = (
        "in this folder"
        if top == folder
        else "in this folder or above it, up to the top of its git repository"
        if top is not None
        else "in this folder or above it"
    )
    skipped = "".join(
        f" ({name} there is not a contract: it has no top-level version and project keys)"
        for name in non_contracts_in(folder)
    )
    below = contracts_below(folder)
    hint = (
        f"the folders below hold projects ({', '.join(f'{name}/' for name in below)}): "
        f"`dsdone check --all` checks every one, `dsdone check {below[0]}` one of them"
        if below
        else "run `dsdone init` to start a project, or `dsdone init --existing` to write a "
        "contract for this one"
    )
    return DsdoneError(f"no dsdone.yaml {where}{skipped}", at=shown, hint=hint)


_SCHEMA_FILE = "contract-v1.schema.json"


@functools.cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of contract version 1."""
    text = resources.files("dsdone").joinpath(_SCHEMA_FILE).read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


@functools.cache
def _validation_code() -> str:
    """The identity of what decides whether a contract passes the schema: the schema and the
    code that reads the YAML and asks the validator."""
    from dsdone import yamlsource
    from dsdone.result_cache import code_identity

    here = Path(__file__)
    return code_identity(str(here), str(here.with_name(_SCHEMA_FILE)), str(yamlsource.__file__))


def load_contract(path: Path, cache_folder: Path | None = None) -> Contract:
    """Read and validate the contract at ``path`` (a file, or a folder holding ``dsdone.yaml``).
    ``cache_folder``: where the user's cache keeps that a contract passed the JSON Schema
    (``dsdone.result_cache``), so that the same text is not validated again: the validator is
    the largest import of a check run."""
    contract_path = find_contract(path)
    text = _read_text(contract_path, contract_path.name)
    if cache_folder is None:
        return contract_from_text(text, contract_path)
    from dsdone.result_cache import ResultCache, content_key

    validated = ResultCache(cache_folder, "contract", contract_path.parent, _validation_code())
    key = content_key(contract_path.name, (), text.encode("utf-8", "surrogatepass"))
    contract = contract_from_text(text, contract_path, schema_valid=validated.get(key) is True)
    validated.put(key, True)
    validated.save()
    return contract


def contract_from_text(text: str, path: Path, *, schema_valid: bool = False) -> Contract:
    """Validate ``text`` as the contract that lives at ``path`` (an absolute path; errors name
    its file name): ``load_contract`` for a contract that is not read from the work tree, such
    as the one at the revision ``dsdone check --base`` compares with, and what ``init`` checks
    before it writes one (``dsdone check`` must accept every contract dsdone writes).
    ``schema_valid``: the same text was found valid against the JSON Schema before, by this
    code; the schema is not asked again (every other rule is)."""
    shown = path.name
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
    _check_written_for(data, document, shown)
    problems = [] if schema_valid else _schema_problems(data, document, shown)
    if not problems:
        problems = _value_problems(data, document, shown)
    if problems:
        raise DsdoneError.of(problems, hint="see `dsdone schema` for every key and its type")
    return _build(path, data, document, shown)


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


def release(version: str) -> tuple[int, ...]:
    """``"0.2"`` as ``(0, 2, 0)``: releases compared as numbers, ``0.10`` after ``0.9``."""
    parts = tuple(int(part) for part in version.split("."))
    return parts + (0,) * (3 - len(parts))


def _check_written_for(data: dict[str, Any], document: YamlDocument, shown: str) -> None:
    """A contract written for a newer dsdone may use what this one does not know of."""
    from dsdone import __version__

    written_for = data.get("written_for")
    newer = (
        isinstance(written_for, str)
        and _RELEASE.fullmatch(written_for) is not None
        and release(written_for) > release(__version__)
    )
    if newer:
        raise DsdoneError(
            f"the contract is written for dsdone {written_for}; this is dsdone {__version__}",
            at=_where(document, ("written_for",), shown),
            hint=f"upgrade dsdone to {written_for} or later (pip install -U dsdone)",
        )


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
    problems: list[Problem] = _run_problems(data, document, shown)
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


def _run_problems(data: dict[str, Any], document: YamlDocument, shown: str) -> list[Problem]:
    """The commands of ``--run``: words a shell would split, a finite timeout, a verification
    script that is a command or a function, smoke outputs that the contract declares."""
    problems: list[Problem] = []

    def problem(message: str, *at: str | int) -> None:
        problems.append(Problem(message, _where(document, at, shown)))

    tests = data.get("tests") or {}
    retrain = data.get("retrain") or {}
    smoke = retrain.get("smoke") or {}
    verification = (data.get("monitoring") or {}).get("verification") or []
    commands: list[tuple[Any, tuple[str | int, ...]]] = [
        (tests.get("command"), ("tests", "command")),
        (smoke.get("command"), ("retrain", "smoke", "command")),
    ]
    timeouts: list[tuple[Any, tuple[str | int, ...]]] = [
        (tests.get("timeout"), ("tests", "timeout")),
        (smoke.get("timeout"), ("retrain", "smoke", "timeout")),
    ]
    for i, item in enumerate(verification):
        entry: tuple[str | int, ...] = ("monitoring", "verification", i)
        if ("command" in item) == ("function" in item):
            problem(f"{format_path(entry)} needs either a command or a function", *entry)
        commands.append((item.get("command"), (*entry, "command")))
        timeouts.append((item.get("timeout"), (*entry, "timeout")))
    for command, at in commands:
        if isinstance(command, str):
            try:
                shlex.split(command)
            except ValueError as exc:  # "No closing quotation"
                problem(f"{format_path(at)} cannot be split into words: {exc}", *at)
    for timeout, at in timeouts:
        if timeout is not None and not 0 < timeout <= MAX_TIMEOUT_SECONDS:
            problem(
                f"{format_path(at)} must be a number of seconds up to {MAX_TIMEOUT_SECONDS:g}; "
                f"got {timeout!r}",
                *at,
            )
    declared = {item.get("name") for item in data.get("outputs") or [] if isinstance(item, dict)}
    for name in smoke.get("outputs") or {}:
        if name not in declared:
            problem(
                f"retrain.smoke.outputs: '{name}' is not an output the contract declares",
                "retrain",
                "smoke",
                "outputs",
                name,
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
    if kind == "pattern" and path and path[-1] == "version":
        wanted = "a whole number or a version such as 2.1.0"
        return [(path, f"{where} must be {wanted}; got {error.instance!r}")]
    if kind == "pattern" and path and path[-1] == "pandera":
        wanted = "module:object, such as churn.schemas:raw_customers"
        return [(path, f"{where} must be {wanted}; got {error.instance!r}")]
    if kind == "pattern" and error.validator_value == "\\S":
        return [(path, f"{where} must not be blank: it holds only white space")]
    if kind in ("minimum", "exclusiveMinimum"):
        bound = "greater than" if kind == "exclusiveMinimum" else "at least"
        return [(path, f"{where} must be {bound} {error.validator_value}; got {error.instance!r}")]
    if kind in ("minLength", "minProperties"):
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
        written_for=data.get("written_for", FIRST_RELEASE),
        project=ProjectInfo(
            name=project["name"],
            owner=project["owner"],
            description=project.get("description"),
            consumers=tuple(project.get("consumers", ())),
            inputs=tuple(
                Dataset(item.get("name"), item.get("format"), source=item.get("source"))
                for item in inputs or ()
            ),
            outputs=tuple(
                Dataset(
                    item.get("name"),
                    item.get("format"),
                    consumers=None if item.get("consumers") is None else tuple(item["consumers"]),
                )
                for item in outputs or ()
            ),
            retrain_schedule=(retrain or {}).get("schedule"),
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
                schema=item.get("schema"),
                version=item.get("version"),
                sample=item.get("sample"),
                expectations=_expectations(item.get("expectations")),
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
                version=item.get("version"),
                consumers=None if item.get("consumers") is None else tuple(item["consumers"]),
            )
            for i, item in enumerate(outputs)
        ),
        config_files=None if config is None else tuple(config.get("files", ())),
        retrain=None
        if retrain is None
        else Retrain(retrain.get("entrypoint"), retrain.get("schedule"), _smoke(retrain)),
        tests=Tests(
            paths=tuple(tests.get("paths", ("tests",))),
            min_tests=tests.get("min_tests", 1),
            command=_command(tests.get("command")),
            timeout=tests.get("timeout"),
            paths_declared="paths" in tests,
        ),
        monitoring=_monitoring(data.get("monitoring")),
        model=_model(data.get("model")),
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


_SETTINGS_KEYS = {"enabled", "severity", "exclude", "timeout", "max_findings"}


def _command(raw: str | list[str] | None) -> Command | None:
    """A command as the words to run: a string is split as a POSIX shell splits it."""
    if raw is None:
        return None
    return tuple(shlex.split(raw)) if isinstance(raw, str) else tuple(raw)


def _expectations(raw: dict[str, Any] | None) -> Expectations | None:
    if raw is None:
        return None
    return Expectations(raw.get("pandera"), raw.get("great_expectations"))


def _smoke(retrain: dict[str, Any]) -> SmokeRun | None:
    raw = retrain.get("smoke")
    if raw is None:
        return None
    command = _command(raw["command"])
    assert command is not None  # required by the schema
    return SmokeRun(command, raw.get("timeout"), dict(raw.get("outputs") or {}))


def _monitoring(raw: dict[str, Any] | None) -> Monitoring | None:
    if raw is None:
        return None
    return Monitoring(
        metrics=tuple(
            WatchedMetric(
                name=item["name"],
                kind=item.get("kind"),
                threshold=item.get("threshold"),
                comparison=item.get("comparison"),
                segment=item.get("segment"),
                implementation=item.get("implementation"),
                index=i,
            )
            for i, item in enumerate(raw.get("metrics") or ())
        ),
        alerts=tuple(raw.get("alerts") or ()),
        responders=raw.get("responders"),
        automation=raw.get("automation"),
        verification=tuple(
            Verification(
                name=item["name"],
                command=_command(item.get("command")),
                function=item.get("function"),
                timeout=item.get("timeout"),
                index=i,
            )
            for i, item in enumerate(raw.get("verification") or ())
        ),
    )


def _model(raw: dict[str, Any] | None) -> Model | None:
    if raw is None:
        return None
    tracking = raw.get("tracking")
    return Model(
        card=raw.get("card"),
        metrics=tuple(
            Metric(item["name"], item.get("goal"), item.get("threshold"), i)
            for i, item in enumerate(raw.get("metrics") or ())
        ),
        tracking=None
        if tracking is None
        else Tracking(tracking.get("tool"), tracking.get("metrics_file")),
    )


def _check_settings(raw: dict[str, Any]) -> CheckSettings:
    return CheckSettings(
        enabled=raw.get("enabled", True),
        severity=Severity(raw["severity"]) if "severity" in raw else None,
        exclude=tuple(raw.get("exclude", ())),
        timeout=raw.get("timeout"),
        max_findings=raw.get("max_findings"),
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
        change=raw.get("change"),
    )
