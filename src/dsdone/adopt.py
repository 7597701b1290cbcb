"""Adopting an existing repository: a ``dsdone.yaml`` inferred from what is already there.

Inference only reads files (nothing is imported or run): the tests folder, config files
(``configs/``, ``config/``, ``conf/``, ``params.yaml``), DVC stages and ``.dvc`` files, an
``MLproject``, a Kedro catalog, JSON Schemas with their samples, and the usual places of a
training script. What cannot be inferred is written as a commented ``TODO`` so that the
contract is valid as written and honest about what it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from dsdone.analysis.test_suite import read_test_suite
from dsdone.analysis.workflow_tools import makefile_targets
from dsdone.errors import DsdoneError
from dsdone.repository import OutsideProject, Repository
from dsdone.scaffold import (
    SCHEMA_URL,
    check_contract_text,
    check_value,
    unwritable,
    yaml_scalar,
)
from dsdone.writing import Outcome, write_file

CONTRACT = "dsdone.yaml"
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".ini", ".cfg")
CONFIG_FOLDERS = ("configs/", "config/", "conf/")
CODE_SUFFIXES = (".py", ".ipynb", ".sh", ".r", ".sql", ".scala", ".jl")
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
    ".xls": "xlsx",
    ".feather": "feather",
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".txt": "text",
    ".avro": "avro",
    ".orc": "orc",
}
# Kedro dataset types, by the last part of their class name (CSVDataset, CSVDataSet, ...).
KEDRO_FORMATS = {
    "csv": "csv",
    "parquet": "parquet",
    "json": "json",
    "excel": "xlsx",
    "feather": "feather",
    "pickle": "pickle",
    "text": "text",
    "sqltable": "table",
    "sqlquery": "table",
    "gbqtable": "table",
}


@dataclass
class _Input:
    name: str
    source: str
    format: str | None
    pipeline: str | None
    origin: str  # where it was inferred from, for the comment


@dataclass
class _Output:
    name: str
    schema: str
    format: str | None
    sample: str | None


@dataclass
class Inference:
    """What was learned about the repository; ``render`` turns it into the contract."""

    name: str
    owner: str
    description: str | None = None
    inputs: list[_Input] = field(default_factory=list)
    inputs_origin: str = ""
    outputs: list[_Output] = field(default_factory=list)
    config_files: list[str] = field(default_factory=list)
    retrain: str | None = None
    retrain_origin: str = ""
    test_paths: list[str] = field(default_factory=list)
    test_count: int = 0
    found: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    # What was found but cannot be written into the contract, by kind ("input", ...): a value
    # with control characters (a dvc.yaml can hold any), or more entries than a contract holds.
    left_out: dict[str, int] = field(default_factory=dict)
    _sources: set[str] = field(default_factory=set, repr=False)  # of the inputs, to dedupe

    def admits(self, kind: str, *values: str | None) -> bool:
        """Whether an entry with ``values`` can be written; if not, it is counted as left out."""
        if all(value is None or writable(value) for value in values):
            return True
        self.left_out[kind] = self.left_out.get(kind, 0) + 1
        return False


# A contract is a page: the first this many entries of a list are written, the rest counted.
MAX_ENTRIES = 100
# Longer than this, a path or a name is not one a person wrote: it is left out, and counted.
MAX_VALUE_CHARACTERS = 1000


def writable(value: str) -> bool:
    """Whether ``value`` can be written into the contract as it is (see ``yaml_scalar``)."""
    return len(value) <= MAX_VALUE_CHARACTERS and unwritable(value) is None


# config.files entries are globs: a path with one of these would mean another pattern.
_GLOB_SPECIAL = frozenset("*?[]\\")


@dataclass(frozen=True)
class AdoptResult:
    path: str
    outcome: Outcome
    text: str
    found: tuple[str, ...]
    todo: tuple[str, ...]


def adopt(root: Path, name: str, owner: str, *, force: bool = False) -> AdoptResult:
    """Infer the contract of the repository at ``root`` and write it as ``dsdone.yaml``."""
    check_value("--name", name)
    check_value("--owner", owner)
    if not root.is_dir():
        raise DsdoneError(f"{root}: no such folder", hint="give the folder of the repository")
    with Repository(root) as repository:
        inference = infer(repository, name, owner)
    text = render(inference)
    check_contract_text(text, root)
    outcome = write_file(root, CONTRACT, text, force=force)
    return AdoptResult(CONTRACT, outcome, text, tuple(inference.found), tuple(inference.todo))


def declared_name(root: Path) -> str | None:
    """The name in ``pyproject.toml``'s ``[project]`` table, when there is one."""
    with Repository(root) as repository:
        data = _toml(repository, "pyproject.toml")
    project = data.get("project")
    value = project.get("name") if isinstance(project, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def infer(repository: Repository, name: str, owner: str) -> Inference:
    """What the repository's files say, read through the same ``Repository`` as ``check``
    reads them: the same files (what git would see: tracked, or new and not ignored), the same
    refusals (no link out of the repository, no named pipe), the same test count."""
    files = list(repository.files)
    found = Inference(name=name, owner=owner)
    project = _toml(repository, "pyproject.toml", found).get("project")
    if isinstance(project, dict) and isinstance(project.get("description"), str):
        description = project["description"] or None
        found.description = description if found.admits("description", description) else None
    _tests(repository, files, found)
    _config(files, found)
    _dvc(repository, files, found)
    _mlproject(repository, files, found)
    _kedro(repository, files, found)
    _schemas(files, found)
    _training_script(repository, files, found)
    for kind, count in sorted(found.left_out.items()):
        found.todo.append(
            f"{count} {kind}{'' if count == 1 else 's'} found but not written into dsdone.yaml "
            f"(past the first {MAX_ENTRIES}, or holding control characters or more than "
            f"{MAX_VALUE_CHARACTERS} characters): add what matters by hand"
        )
    unread = repository.index.unsearched
    if unread:
        shown = ", ".join(path for path, _ in unread[:3]) + (", …" if len(unread) > 3 else "")
        found.todo.append(
            f"{len(unread)} of its files or folders could not be read, so nothing was "
            f"inferred from them: {shown}"
        )
    return found


# -- what each kind of project tells ------------------------------------------------------------


def _tests(repository: Repository, files: Iterable[str], found: Inference) -> None:
    folders: set[str] = set()
    for path in files:
        pure = PurePosixPath(path)
        if pure.suffix != ".py" or not (
            pure.name.startswith("test_") or pure.name.endswith("_test.py")
        ):
            continue
        parts = pure.parts[:-1]
        top = next((i for i, part in enumerate(parts) if part in ("tests", "test")), None)
        if top is None:
            continue
        folders.add("/".join(parts[: top + 1]))
    # A tests folder inside another one is already covered by it.
    kept = sorted(f for f in folders if not any(f.startswith(f"{other}/") for other in folders))
    # Counted as the unit-tests check counts them, so that min_tests is what check reaches.
    count = read_test_suite(repository, kept).count if kept else 0
    found.test_paths = [path for path in kept if found.admits("test path", path)][:MAX_ENTRIES]
    found.test_count = count
    if kept:
        found.found.append(f"{_count(count, 'test')} in {', '.join(kept)}")
    else:
        found.todo.append("no tests found: write some under tests/")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _config(files: Iterable[str], found: Inference) -> None:
    for path in files:
        in_folder = path.startswith(CONFIG_FOLDERS) and not path.startswith("conf/local/")
        if (in_folder and PurePosixPath(path).suffix in CONFIG_SUFFIXES) or path in (
            "params.yaml",
            "params.yml",
        ):
            literal = not (_GLOB_SPECIAL & set(path)) and not path.startswith(("!", "#"))
            if not literal:
                found.left_out["config file"] = found.left_out.get("config file", 0) + 1
            elif len(found.config_files) < MAX_ENTRIES and found.admits("config file", path):
                found.config_files.append(path)
            elif len(found.config_files) >= MAX_ENTRIES:
                found.left_out["config file"] = found.left_out.get("config file", 0) + 1
    if found.config_files:
        found.found.append(_count(len(found.config_files), "config file"))
    else:
        found.todo.append("no config files found (configs/, conf/, params.yaml)")


def _dvc(repository: Repository, files: list[str], found: Inference) -> None:
    if "dvc.yaml" in files:
        data = _yaml(repository, "dvc.yaml", found)
        stages = data.get("stages") if isinstance(data, dict) else None
        if isinstance(stages, dict) and stages:
            produced = {out for stage in stages.values() for out in _dvc_paths(stage, "outs")}
            for stage_name, stage in stages.items():
                for dep in _dvc_paths(stage, "deps"):
                    if dep in produced or dep.lower().endswith(CODE_SUFFIXES):
                        continue  # an intermediate result or code, not a source of data
                    _add_input(found, dep, f"dvc:{stage_name}", "dvc.yaml")
            found.retrain, found.retrain_origin = "dvc repro", "dvc.yaml"
            found.found.append(f"DVC pipeline with {len(stages)} stages: retrain with `dvc repro`")
    for path in files:
        if path.endswith(".dvc") and PurePosixPath(path).name != ".dvc":
            _add_input(found, path[: -len(".dvc")], None, f"{path}")


def _dvc_paths(stage: Any, key: str) -> list[str]:
    entries = stage.get(key) if isinstance(stage, dict) else None
    paths: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            paths.append(entry.rstrip("/"))
        elif isinstance(entry, dict):  # `- path: {cache: false}`
            paths.extend(str(key).rstrip("/") for key in entry)
    return paths


def _mlproject(repository: Repository, files: list[str], found: Inference) -> None:
    if "MLproject" not in files:
        return
    data = _yaml(repository, "MLproject", found)
    entry_points = data.get("entry_points") if isinstance(data, dict) else None
    if not isinstance(entry_points, dict) or not entry_points:
        found.todo.append("MLproject has no entry_points")
        return
    entry = "main" if "main" in entry_points else str(next(iter(entry_points)))
    if found.retrain is None and found.admits("retrain entrypoint", entry):
        found.retrain, found.retrain_origin = f"mlflow run . -e {entry}", "MLproject"
    found.found.append(f"MLflow project, entry point '{entry}'")
    spec = entry_points[entry] if isinstance(entry_points[entry], dict) else {}
    command = str(spec.get("command", ""))
    script = next((w for w in command.split() if w.endswith(".py") and w in files), None)
    parameters = spec.get("parameters")
    for parameter, value in (parameters if isinstance(parameters, dict) else {}).items():
        if isinstance(value, dict) and value.get("type") in ("path", "uri"):
            default = value.get("default")
            if isinstance(default, str) and default:
                _add_input(found, default, script, "MLproject", name=str(parameter))


def _kedro(repository: Repository, files: list[str], found: Inference) -> None:
    catalog_path = next(
        (p for p in ("conf/base/catalog.yml", "conf/base/catalog.yaml") if p in files), None
    )
    if catalog_path is None:
        return
    catalog = _yaml(repository, catalog_path, found)
    if not isinstance(catalog, dict):
        return
    datasets = {
        str(name): spec
        for name, spec in catalog.items()
        if isinstance(spec, dict) and not str(name).startswith("_")  # `_csv: &csv` anchors
    }
    raw = {name: spec for name, spec in datasets.items() if _kedro_is_raw(spec)}
    chosen = raw or datasets
    for dataset, spec in chosen.items():
        source = spec.get("filepath") or spec.get("table_name") or spec.get("path")
        if not isinstance(source, str):
            continue
        kind = str(spec.get("type", "")).rsplit(".", 1)[-1].lower()
        kind = re.sub(r"data_?set$", "", kind)
        _add_input(found, source, None, catalog_path, name=dataset, fmt=KEDRO_FORMATS.get(kind))
    found.found.append(f"Kedro catalog with {len(datasets)} datasets")
    if not raw and chosen:
        found.todo.append(f"{catalog_path}: keep only the datasets the project reads as inputs")
    if found.retrain is None:
        found.retrain, found.retrain_origin = "kedro run", "the Kedro project"


def _kedro_is_raw(spec: Mapping[str, Any]) -> bool:
    path = str(spec.get("filepath", ""))
    layer = str(spec.get("layer", ""))
    metadata = spec.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("kedro-viz"), dict):
        layer = str(metadata["kedro-viz"].get("layer", layer))
    return "01_raw" in path or layer == "raw"


def _schemas(files: list[str], found: Inference) -> None:
    present = set(files)
    for path in files:
        pure = PurePosixPath(path)
        if pure.name.endswith(".schema.json"):
            stem = pure.name[: -len(".schema.json")]
        elif (
            pure.parts[0] in ("schemas", "schema")
            and pure.suffix == ".json"
            and (".sample" not in pure.name and not pure.name.startswith("sample"))
        ):
            stem = pure.stem
        else:
            continue
        sample = None
        for candidate in _sample_candidates(pure.parent, stem):
            if candidate in present:
                sample = candidate
                break
        fmt = FORMATS.get(PurePosixPath(sample).suffix) if sample else None
        if len(found.outputs) >= MAX_ENTRIES:
            found.left_out["output"] = found.left_out.get("output", 0) + 1
        elif found.admits("output", stem, path, sample):
            found.outputs.append(_Output(name=stem, schema=path, format=fmt, sample=sample))
    if found.outputs:
        found.found.append(f"{_count(len(found.outputs), 'JSON Schema')}, declared as outputs")
    else:
        found.todo.append("no JSON Schema found: describe each output in schemas/NAME.schema.json")


def _sample_candidates(folder: PurePosixPath, stem: str) -> list[str]:
    names = [f"{stem}.sample{suffix}" for suffix in (".json", ".jsonl", ".csv")]
    places = [folder, folder / "samples", PurePosixPath("samples")]
    found = [str(place / name) for place in places for name in names]
    found += [str(PurePosixPath("samples") / f"{stem}{s}") for s in (".json", ".jsonl", ".csv")]
    return [path[2:] if path.startswith("./") else path for path in found]


def _training_script(repository: Repository, files: list[str], found: Inference) -> None:
    if found.retrain is None:
        makefile = next((p for p in ("Makefile", "makefile", "GNUmakefile") if p in files), None)
        if makefile and "train" in makefile_targets(_text(repository, makefile, found)):
            found.retrain, found.retrain_origin = "make train", makefile
    if found.retrain is None:
        for path in files:
            pure = PurePosixPath(path)
            if pure.name != "train.py":
                continue
            module = _module_of(pure, set(files))
            found.retrain = f"python -m {module}" if module else f"python {path}"
            found.retrain_origin = path
            break
    if found.retrain is None:
        found.todo.append("no retrain entrypoint found: say how to retrain the model")
    elif found.retrain_origin and not found.retrain.startswith(("dvc", "mlflow")):
        found.found.append(f"retrain entrypoint `{found.retrain}` (from {found.retrain_origin})")


def _module_of(path: PurePosixPath, files: set[str]) -> str | None:
    """``src/pkg/train.py`` → ``pkg.train`` when ``pkg`` is a package; else None."""
    parts = list(path.with_suffix("").parts)
    if parts and parts[0] == "src":
        parts = parts[1:]
        base = "src/"
    else:
        base = ""
    if len(parts) < 2:
        return None
    for depth in range(1, len(parts)):
        if f"{base}{'/'.join(parts[:depth])}/__init__.py" not in files:
            return None
    return ".".join(parts)


def _add_input(
    found: Inference,
    source: str,
    pipeline: str | None,
    origin: str,
    *,
    name: str | None = None,
    fmt: str | None = None,
) -> None:
    if source in found._sources:
        return
    if len(found.inputs) >= MAX_ENTRIES:
        found.left_out["input"] = found.left_out.get("input", 0) + 1
        return
    base = name or PurePosixPath(source.rstrip("/")).name.split(".")[0] or "input"
    if not found.admits("input", base, source, pipeline):
        return
    taken = {item.name for item in found.inputs}  # at most MAX_ENTRIES: not quadratic
    unique, n = base, 2
    while unique in taken:
        unique, n = f"{base}-{n}", n + 1
    fmt = fmt or FORMATS.get(PurePosixPath(source).suffix.lower())
    found._sources.add(source)
    found.inputs.append(_Input(unique, source, fmt, pipeline, origin))


# -- reading, without ever failing on a broken file --------------------------------------------


def _text(repository: Repository, path: str, found: Inference) -> str:
    try:
        return repository.read_text(path)
    except (OSError, OutsideProject, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        if isinstance(exc, OutsideProject):
            why = "it points outside the repository"
        found.todo.append(f"{path}: cannot be read ({why}), so nothing was inferred from it")
        return ""


def _yaml(repository: Repository, path: str, found: Inference) -> Any:
    parsed = repository.parsed(path)
    if parsed.problem is not None:
        found.todo.append(f"{parsed.problem}, so nothing was inferred from it")
    return parsed.data


def _toml(repository: Repository, path: str, found: Inference | None = None) -> dict[str, Any]:
    if not repository.is_indexed(path) and not repository.exists(path):
        return {}
    parsed = repository.parsed(path)
    if parsed.problem is not None and found is not None:
        found.todo.append(f"{parsed.problem}, so nothing was inferred from it")
    return parsed.data if isinstance(parsed.data, dict) else {}


# -- writing the contract ----------------------------------------------------------------------


def render(found: Inference) -> str:
    """The contract as YAML text, with what was not inferred as commented TODOs."""
    q = yaml_scalar
    lines = [
        f"# yaml-language-server: $schema={SCHEMA_URL}",
        "# Written by `dsdone init --existing` from what is in this repository. Lines marked",
        "# TODO are what it could not infer: fill them in, then run `dsdone check`.",
        "version: 1",
        "project:",
        f"  name: {q(found.name)}",
        f"  owner: {q(found.owner)}",
    ]
    if found.description:
        lines.append(f"  description: {q(found.description)}")
    else:
        lines.append("  # TODO description: one or two sentences on what the model does")
    lines.append("")
    lines += _render_inputs(found)
    lines.append("")
    lines += _render_outputs(found)
    lines.append("")
    if found.config_files:
        lines += ["config:", "  files:"] + [f"    - {q(path)}" for path in found.config_files]
    else:
        lines += [
            "# TODO config: the files that change a training run, tracked in git",
            "# config:",
            "#   files:",
            "#     - configs/train.yaml",
        ]
    lines.append("")
    if found.retrain:
        lines += [
            f"retrain:  # from {found.retrain_origin}",
            f"  entrypoint: {q(found.retrain)}",
            '  # TODO schedule: how often it is retrained, e.g. "@monthly"',
        ]
    else:
        lines += [
            "# TODO retrain: the one command that retrains the model from scratch",
            "# retrain:",
            "#   entrypoint: python -m mypackage.train --config configs/train.yaml",
        ]
    lines.append("")
    if found.test_paths:
        lines += (
            ["tests:", "  paths:"]
            + [f"    - {q(path)}" for path in found.test_paths]
            + [f"  min_tests: {max(1, found.test_count)}"]
        )
    else:
        lines += [
            "# TODO tests: no tests were found; write them under tests/, then declare:",
            "# tests:",
            "#   paths: [tests]",
            "#   min_tests: 1",
        ]
    return "\n".join(lines) + "\n"


def _render_inputs(found: Inference) -> list[str]:
    if not found.inputs:
        return [
            "# TODO inputs: no data sources could be inferred (dvc.yaml, .dvc files, MLproject, "
            "a Kedro catalog)",
            "# inputs:",
            "#   - name: training-data",
            "#     source: data/train.csv  # or s3://bucket/key, postgresql://host/db",
            "#     format: csv",
            "#     pipeline: mypackage.pipeline:load",
        ]
    lines = ["inputs:"]
    for item in found.inputs:
        lines += [
            f"  - name: {yaml_scalar(item.name)}  # from {item.origin}",
            f"    source: {yaml_scalar(item.source)}",
        ]
        lines.append(_field("format", item.format, "csv, parquet, json, table, ..."))
        lines.append(
            _field("pipeline", item.pipeline, "the code that loads it, e.g. mypackage.data:load")
        )
    return lines


def _render_outputs(found: Inference) -> list[str]:
    if not found.outputs:
        return [
            "# TODO outputs: what the project produces, with a JSON Schema for one record",
            "# outputs:",
            "#   - name: predictions",
            "#     format: json",
            "#     schema: schemas/predictions.schema.json",
            "#     sample: schemas/predictions.sample.json",
        ]
    lines = ["outputs:  # from the JSON Schemas found: remove any that is not an output"]
    for item in found.outputs:
        lines += [
            f"  - name: {yaml_scalar(item.name)}",
            f"    schema: {yaml_scalar(item.schema)}",
        ]
        lines.append(_field("format", item.format, "csv, json, jsonl or parquet"))
        lines.append(
            _field("sample", item.sample, "a small file of real output, checked by the schema")
        )
    return lines


def _field(key: str, value: str | None, todo: str) -> str:
    """One field of a list entry, or a commented TODO saying what to write there."""
    return f"    {key}: {yaml_scalar(value)}" if value else f"    # TODO {key}: {todo}"
