"""The inferred contract written as YAML: every value ``check`` can verify, and what could not
be inferred as a commented ``TODO`` that says what to write there."""

from __future__ import annotations

from dsdone import __version__
from dsdone.adopt.inference import Inference
from dsdone.render.escape import line as _comment
from dsdone.scaffold import SCHEMA_FILE, yaml_scalar

# Every text a comment quotes from the repository (a candidate command, a file it was found
# in) goes through _comment: a line break in it would end the comment and start YAML.


def render(found: Inference) -> str:
    """The contract as YAML text, with what was not inferred as commented TODOs."""
    q = yaml_scalar
    lines = [
        # Editors' schema, written beside the contract: VS Code's YAML extension reads the
        # first line, JetBrains IDEs the second, each from the contract's folder, offline.
        f"# yaml-language-server: $schema={SCHEMA_FILE}",
        f"# $schema: {SCHEMA_FILE}",
        "# Written by `dsdone init --existing` from what is in this repository. Lines marked",
        "# TODO are what it could not infer: fill them in, then run `dsdone check`.",
    ]
    if found.template:
        lines += [
            f"# This repository is {_comment(found.template)}: nothing was adopted from its",
            "# templated folders. Adopt a project rendered from it to check what the template",
            "# makes.",
        ]
    lines += [
        "version: 1",
        f'written_for: "{__version__}"  # checks added later report but do not block until raised',
        "project:",
        f"  name: {q(found.name)}",
        f"  owner: {q(found.owner)}",
    ]
    if found.description:
        lines.append(f"  description: {q(found.description)}")
    else:
        lines.append("  # TODO description: one or two sentences on what the model does")
    for section in (_inputs, _outputs, _config, _retrain, _tests):
        lines.append("")
        lines += section(found)
    return "\n".join(lines) + "\n"


def _inputs(found: Inference) -> list[str]:
    if not found.inputs:
        lines = [
            "# TODO inputs: no data sources could be inferred (dvc.yaml, .dvc files, MLproject, "
            "a Kedro catalog)",
        ]
        if found.input_candidates:
            lines.append("# Candidates seen (check which the model reads, and where from):")
            lines += [f"#   - {_comment(candidate)}" for candidate in found.input_candidates]
        return [
            *lines,
            "# inputs:",
            "#   - name: training-data",
            "#     source: data/train.csv  # or s3://bucket/key, postgresql://host/db",
            "#     format: csv",
            "#     pipeline: mypackage.pipeline:load",
        ]
    lines = ["inputs:"]
    for item in found.inputs:
        lines += [
            f"  - name: {yaml_scalar(item.name)}  # from {_comment(item.origin)}",
            f"    source: {yaml_scalar(item.source)}",
            _field("format", item.format, "csv, parquet, json, table, ..."),
            _field("pipeline", item.pipeline, "the code that loads it, e.g. mypackage.data:load"),
        ]
    if found.input_candidates:
        lines.append("  # TODO also an input? (not declared: check where each comes from)")
        lines += [f"  #   {_comment(candidate)}" for candidate in found.input_candidates]
    return lines


def _outputs(found: Inference) -> list[str]:
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
            _field("format", item.format, "csv, json, jsonl or parquet"),
            _field("sample", item.sample, "a small file of real output, checked by the schema"),
        ]
    return lines


def _config(found: Inference) -> list[str]:
    if found.config_files:
        return ["config:", "  files:"] + [f"    - {yaml_scalar(p)}" for p in found.config_files]
    return [
        "# TODO config: the files that change a training run, tracked in git",
        "# config:",
        "#   files:",
        "#     - configs/**/*.yaml",
    ]


def _retrain(found: Inference) -> list[str]:
    if found.retrain is not None:
        lines = [f"retrain:  # from {_comment(found.retrain.origin)}"]
        if found.retrain.todo:
            lines.append(f"  # TODO {_comment(found.retrain.todo)}")
        return [
            *lines,
            f"  entrypoint: {yaml_scalar(found.retrain.command)}",
            '  # TODO schedule: how often it is retrained, e.g. "@monthly"',
        ]
    lines = ["# TODO retrain: the one command that retrains the model from scratch"]
    if found.retrain_candidates:
        lines.append("# Candidates seen (none is clearly the project's own; keep the one that is):")
        lines += [f"#   {_comment(candidate)}" for candidate in found.retrain_candidates]
    return [
        *lines,
        "# retrain:",
        "#   entrypoint: python -m mypackage.train --config configs/train.yaml",
    ]


def _tests(found: Inference) -> list[str]:
    if found.test_paths and found.test_count:
        return (
            ["tests:", "  paths:"]
            + [f"    - {yaml_scalar(path)}" for path in found.test_paths]
            + [f"  min_tests: {found.test_count}"]
        )
    if found.test_paths:
        shown = _comment(", ".join(found.test_paths))
        why = (
            f"{found.placeholder_tests} placeholder test(s) (pass, assert True) in {shown}, "
            "which do not count"
            if found.placeholder_tests
            else f"test files in {shown}, but no test function in them"
        )
        return [
            f"# TODO tests: found {why}; write real tests, then declare:",
            "# tests:",
            f"#   paths: [{', '.join(yaml_scalar(path) for path in found.test_paths)}]",
            "#   min_tests: 1",
        ]
    return [
        "# TODO tests: no tests were found; write them under tests/, then declare:",
        "# tests:",
        "#   paths: [tests]",
        "#   min_tests: 1",
    ]


def _field(key: str, value: str | None, todo: str) -> str:
    """One field of a list entry, or a commented TODO saying what to write there."""
    return f"    {key}: {yaml_scalar(value)}" if value else f"    # TODO {key}: {todo}"
