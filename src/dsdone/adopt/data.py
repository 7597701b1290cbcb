"""Inputs and outputs that a repository's workflow files declare: DVC stages and ``.dvc``
files, MLproject path parameters, a Kedro catalog, JSON Schemas with their samples.

An input is data the project reads and nobody in it produces: a DVC dependency that a stage
writes, or a Kedro dataset that a node outputs, is an intermediate result; a code folder
(``src``) is code; a database table (``table_name: COMPANIES``) is not a repository path; a
``${...}`` value is not known until run time. What cannot be declared with confidence is
listed as a commented candidate.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from dsdone.adopt.inference import Inference, OutputGuess, RetrainGuess, count, format_of
from dsdone.adopt.retrain import kedro_retrain
from dsdone.analysis.kedro import catalog_files, kedro_project, pipeline_nodes
from dsdone.analysis.mlproject import read_mlproject
from dsdone.analysis.templates import has_placeholder, is_templated_path
from dsdone.repository import Repository

CODE_SUFFIXES = (".py", ".ipynb", ".sh", ".r", ".sql", ".scala", ".jl", ".toml", ".cfg")
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
    "gbqquery": "table",
    "snowparktable": "table",
    "deltatable": "delta",
    "spark": "spark",
    "image": "image",
    "yaml": "yaml",
}
_TABLE_KEYS = ("table_name", "sql", "query", "table")


def infer_dvc(repository: Repository, files: list[str], found: Inference) -> None:
    stages = _dvc_stages(repository, files, found)
    if stages:
        produced = {out for stage in stages.values() for out in _dvc_paths(stage, "outs")}
        for stage_name, stage in stages.items():
            for dep in _dvc_paths(stage, "deps"):
                if dep in produced or _is_code(dep, files):
                    continue  # an intermediate result or code, not a source of data
                found.add_input(dep, f"dvc:{stage_name}", "dvc.yaml")
        if found.retrain is None:
            found.retrain = RetrainGuess("dvc repro", "dvc.yaml")
        found.found.append(
            f"DVC pipeline with {count(len(stages), 'stage')}: retrain with `dvc repro`"
        )
    for path in files:
        if path.endswith(".dvc") and PurePosixPath(path).name != ".dvc":
            if is_templated_path(path):
                continue
            source = path[: -len(".dvc")]
            stage = _stage_reading(stages, source)
            found.add_input(source, f"dvc:{stage}" if stage else None, path)
    _drop_enclosing_inputs(found)


def _dvc_stages(repository: Repository, files: list[str], found: Inference) -> dict[Any, Any]:
    if "dvc.yaml" not in files:
        return {}
    parsed = repository.parsed("dvc.yaml")
    if parsed.problem is not None:
        found.todo.append(f"{parsed.problem}, so nothing was inferred from it")
    stages = parsed.data.get("stages") if isinstance(parsed.data, dict) else None
    return stages if isinstance(stages, dict) else {}


def _dvc_paths(stage: Any, key: str) -> list[str]:
    entries = stage.get(key) if isinstance(stage, dict) else None
    paths: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            paths.append(entry.rstrip("/"))
        elif isinstance(entry, dict):  # `- path: {cache: false}`
            paths.extend(str(key).rstrip("/") for key in entry)
    return [path.removeprefix("./") for path in paths if not has_placeholder(path)]


def _is_code(dep: str, files: list[str]) -> bool:
    """A code file, or a folder that holds code (``src``): DVC re-runs on a change of code
    too, but code is not data."""
    if dep.lower().endswith(CODE_SUFFIXES):
        return True
    prefix = dep + "/"
    return any(path.startswith(prefix) and path.lower().endswith(CODE_SUFFIXES) for path in files)


def _stage_reading(stages: dict[Any, Any], source: str) -> str | None:
    """The stage whose dependencies hold ``source`` (itself, or a folder it is in)."""
    for stage_name, stage in stages.items():
        for dep in _dvc_paths(stage, "deps"):
            if source == dep or source.startswith(dep + "/"):
                return str(stage_name)
    return None


def _drop_enclosing_inputs(found: Inference) -> None:
    """A folder that holds another input (DVC's ``deps: [data]`` around data/images.tar.gz)
    is not a second input: the file inside says more."""
    kept = []
    for item in found.inputs:
        inner = [
            other
            for other in found.inputs
            if other is not item and other.source.startswith(item.source.rstrip("/") + "/")
        ]
        if not inner:
            kept.append(item)
        for other in inner:
            other.pipeline = other.pipeline or item.pipeline
    found.inputs = kept


def infer_mlproject(repository: Repository, files: list[str], found: Inference) -> None:
    if "MLproject" not in files:
        return
    project = read_mlproject(repository)
    if project.problem is not None:
        found.todo.append(f"{project.problem}, so nothing was inferred from it")
        return
    if not project.entry_points:
        found.todo.append("MLproject has no entry_points")
        return
    entries = project.entry_points
    ready = [e for e in entries.values() if not e.required]
    entry = (
        entries.get("main") if "main" in entries and not entries["main"].required else None
    ) or next((e for e in ready if "train" in e.name), None)
    if entry is None:
        entry = entries.get("main") or next(iter(entries.values()))
    command = f"mlflow run . -e {entry.name}"
    todo = None
    if entry.required:
        command += "".join(f" -P {name}=TODO" for name in entry.required)
        todo = (
            f"give a value to {', '.join(entry.required)} (no default in MLproject: mlflow "
            "refuses to run without it)"
        )
        found.todo.append(f"MLproject entry point '{entry.name}': {todo}")
    if found.retrain is None:
        found.retrain = RetrainGuess(command, "MLproject", todo)
    found.found.append(f"MLflow project, entry point '{entry.name}'")
    script = next((w for w in entry.command.split() if w.endswith(".py") and w in files), None)
    for parameter in entry.parameters:
        if parameter.type in ("path", "uri") and parameter.default:
            found.add_input(parameter.default, script, "MLproject", name=parameter.name)


def infer_kedro(repository: Repository, found: Inference) -> None:
    kedro = kedro_project(repository)
    catalogs = catalog_files(repository)
    if kedro is None and not catalogs:
        return
    documents: list[dict[Any, Any]] = []
    for path in catalogs:
        parsed = repository.parsed(path)
        if parsed.problem is not None:
            found.todo.append(f"{parsed.problem}, so nothing was inferred from it")
        elif isinstance(parsed.data, dict):
            documents.append(parsed.data)
    # `_base: data/` (in any catalog file of the environment), then `filepath: ${_base}/x.csv`.
    variables = {str(k): v for data in documents for k, v in data.items() if str(k).startswith("_")}
    datasets: dict[str, dict[str, Any]] = {}
    for data in documents:
        for name, spec in data.items():
            # `_csv: &csv` anchors, and dataset factories (`"{name}_csv"`) are not datasets;
            # `x@pandas` and `x@spark` are one dataset, x, loaded two ways (transcoding).
            if isinstance(spec, dict) and not str(name).startswith("_") and "{" not in str(name):
                datasets.setdefault(str(name).partition("@")[0], _interpolated(spec, variables))
    nodes = pipeline_nodes(repository, kedro) if kedro is not None else []
    produced = {name for node in nodes for name in node.outputs}
    readers: dict[str, str] = {}
    for node in nodes:
        for name in node.inputs:
            readers.setdefault(name, node.path)
    sources = {name: spec for name, spec in datasets.items() if name not in produced}
    raw = {name: spec for name, spec in sources.items() if _kedro_is_raw(spec)}
    # Without a raw layer, only the datasets that the nodes read and none writes are inputs;
    # without readable nodes, nothing is claimed.
    chosen = raw or {name: spec for name, spec in sources.items() if name in readers}
    for name, spec in chosen.items():
        kind = str(spec.get("type", "")).rsplit(".", 1)[-1].lower()
        for suffix in ("dataset", "data_set"):
            kind = kind.removesuffix(suffix)
        source = _kedro_source(spec)
        if source is None:
            table = next((str(spec[k]) for k in _TABLE_KEYS if k in spec), None)
            what = f"a database table ({table})" if table else "a path known only at run time"
            found.input_candidates.append(
                f"{name}: {what} of {_where(catalogs)}; give its URI or path as source"
            )
            continue
        fmt = KEDRO_FORMATS.get(kind) or format_of(source)
        found.add_input(source, readers.get(name), _where(catalogs), name=name, fmt=fmt)
    # An input declared from a .dvc file that is a dataset of the catalog: its reader loads it.
    by_path = {_kedro_source(spec): name for name, spec in datasets.items()}
    for item in found.inputs:
        if item.pipeline is None and item.source in by_path:
            item.pipeline = readers.get(by_path[item.source])
    if datasets:
        found.found.append(f"Kedro catalog with {count(len(datasets), 'dataset')}")
    if not chosen:
        found.input_candidates += [
            f"{name} ({_kedro_source(spec) or 'no file path'})"
            for name, spec in sources.items()
            if name not in chosen
        ][:10]
    if kedro is not None:
        kedro_retrain(repository, kedro, found)


def _interpolated(spec: dict[str, Any], variables: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with ``${_name}`` replaced where the catalog defines ``_name`` as text; other
    interpolations (``${globals:x}``, resolvers) are left for ``has_placeholder`` to refuse."""
    result = dict(spec)
    for key in ("filepath", "path"):
        value = result.get(key)
        if isinstance(value, str):
            for variable, text in variables.items():
                if isinstance(text, str) and not has_placeholder(text):
                    value = value.replace("${" + variable + "}", text.rstrip("/"))
            result[key] = value.replace("//", "/") if "://" not in value else value
    return result


def _where(catalogs: list[str]) -> str:
    return catalogs[0] if len(catalogs) == 1 else "conf/base/catalog*"


def _kedro_source(spec: dict[str, Any]) -> str | None:
    """The file path of a dataset, or the URI of its database; None when neither is literal."""
    for key in ("filepath", "path"):
        value = spec.get(key)
        if isinstance(value, str) and value and not has_placeholder(value):
            return value
    for key in ("con", "uri", "connection"):
        value = spec.get(key)
        if isinstance(value, str) and "://" in value and not has_placeholder(value):
            return value
    return None


def _kedro_is_raw(spec: dict[str, Any]) -> bool:
    path = str(spec.get("filepath", ""))
    layer = str(spec.get("layer", ""))
    metadata = spec.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("kedro-viz"), dict):
        layer = str(metadata["kedro-viz"].get("layer", layer))
    return "01_raw" in path or layer == "raw"


def infer_schemas(files: list[str], found: Inference) -> None:
    present = set(files)
    for path in files:
        if is_templated_path(path):
            continue
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
        sample = next((c for c in _sample_candidates(pure.parent, stem) if c in present), None)
        fmt = format_of(sample) if sample else None
        found.outputs.append(OutputGuess(name=stem, schema=path, format=fmt, sample=sample))
    if found.outputs:
        found.found.append(f"{count(len(found.outputs), 'JSON Schema')}, declared as outputs")
    else:
        found.todo.append("no JSON Schema found: describe each output in schemas/NAME.schema.json")


def _sample_candidates(folder: PurePosixPath, stem: str) -> list[str]:
    names = [f"{stem}.sample{suffix}" for suffix in (".json", ".jsonl", ".csv")]
    places = [folder, folder / "samples", PurePosixPath("samples")]
    found = [str(place / name) for place in places for name in names]
    found += [str(PurePosixPath("samples") / f"{stem}{s}") for s in (".json", ".jsonl", ".csv")]
    return [path[2:] if path.startswith("./") else path for path in found]
