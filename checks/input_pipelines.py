"""input-pipelines: every input is declared with a name, a format, a shareable source and the
code that loads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from dsdone.analysis.code_refs import Located, dvc_stages, resolve
from dsdone.api import check
from dsdone.contract import Input
from dsdone.project import PathStatus, Project
from dsdone.report import Finding

from ._entries import entry_label, missing_finding, name_findings

MINIMAL_INPUT = (
    "declare each input under `inputs:`, for example:\n"
    "inputs:\n"
    "  - name: transactions\n"
    "    source: s3://bucket/transactions/\n"
    "    format: parquet\n"
    "    pipeline: src/demo/ingest.py:load_transactions"
)

# A URI scheme (RFC 3986) of two letters or more: one letter before ':' is a Windows drive.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:([\\/]|$)")


@check(
    id="input-pipelines",
    title="Inputs are declared with a source and the code that loads them",
    severity="error",
    area="data",
    ml_test_score=("D1", "D7"),
    fix="Give each input under `inputs:` a unique name, a format, a source URI or repository "
    "path, and the pipeline code (a file, pkg.module, module:function or dvc:STAGE) that loads it.",
)
def input_pipelines(project: Project) -> Iterator[Finding]:
    """A model is only as reproducible as its data: when nobody wrote down where the training
    data comes from and which code turns it into features, the model cannot be retrained, audited
    or debugged once its author has moved on, and a path on someone's laptop is no source at all.

    Checks that the contract declares at least one input, and that each has a unique `name`, a
    `format`, a `source` that is a URI with a scheme (s3://, gs://, abfss://, hdfs://,
    postgresql://, https://, ...) or a path relative to the repository (an absolute local path,
    such as /home/ana/x.csv, C:\\data\\x.csv or file:///Users/ana/x.csv, or a path that leaves
    the repository is a finding), and a `pipeline` that resolves to code in the repository: a
    file, a module (pkg.mod, in src/ or flat layout), module:function or path.py:function where
    the function is defined at the top level, or dvc:STAGE for a stage of dvc.yaml.

    A source that is a repository path need not exist: data is usually kept out of git (ignored,
    in DVC or in object storage) and fetched before a run, so its absence in a checkout says
    nothing. The source is never read.
    """
    inputs = project.contract.inputs
    if not inputs:
        yield missing_finding(project, "inputs", inputs, MINIMAL_INPUT)
        return
    yield from name_findings(project, "inputs", inputs, example="transactions")
    for item in inputs:
        yield from _check_format(project, item)
        yield from _check_source(project, item)
        yield from _check_pipeline(project, item)


def _label(item: Input) -> str:
    return entry_label("inputs", item)


def _check_format(project: Project, item: Input) -> Iterator[Finding]:
    if not item.format:
        yield project.contract_finding(
            f"{_label(item)} has no format",
            "inputs",
            item.index,
            hint="add `format:`, such as csv, parquet, jsonl or table",
        )


def _check_source(project: Project, item: Input) -> Iterator[Finding]:
    at = ("inputs", item.index, "source")
    if not item.source:
        yield project.contract_finding(
            f"{_label(item)} has no source",
            "inputs",
            item.index,
            hint="add `source:` with a URI (s3://bucket/path, postgresql://host/db) or a path "
            "relative to the repository",
        )
        return
    problem = _source_problem(project, item.source)
    if problem is not None:
        yield project.contract_finding(
            f"{_label(item)}: source '{item.source}' {problem}",
            *at,
            hint="point to shared storage with a URI (s3://, gs://, abfss://, a database URL) or "
            "to a path inside the repository, relative to its root",
        )


def _source_problem(project: Project, source: str) -> str | None:
    """Why ``source`` is not a shareable place for data, or ``None`` if it is one."""
    source = source.strip()
    if _WINDOWS_DRIVE.match(source) or source.startswith("\\\\"):
        return "is an absolute local path: it exists only on one machine"
    scheme = _SCHEME.match(source)
    if scheme:
        if scheme.group(1).lower() == "file":
            return "is a file: URI, an absolute local path: it exists only on one machine"
        return None
    if source.startswith("~"):
        return "is in a home folder: it exists only on one machine"
    if PurePosixPath(source).is_absolute():
        return "is an absolute local path: it exists only on one machine"
    # Resolving the name only; the data itself is never read (and need not be committed).
    if project.status(source.replace("\\", "/")) is PathStatus.OUTSIDE:
        return PathStatus.OUTSIDE.phrase
    return None


def _check_pipeline(project: Project, item: Input) -> Iterator[Finding]:
    at = ("inputs", item.index, "pipeline")
    if not item.pipeline:
        yield project.contract_finding(
            f"{_label(item)} does not say which code loads it",
            "inputs",
            item.index,
            hint="add `pipeline:` naming the code: src/demo/ingest.py, demo.ingest, "
            "demo.ingest:load or dvc:STAGE",
        )
        return
    reference = item.pipeline.strip()
    if reference.startswith("dvc:"):
        yield from _check_dvc_stage(project, item, reference[len("dvc:") :])
        return
    found = resolve(project, reference)
    if isinstance(found, Located):
        if (
            project.index.in_git
            and not project.is_tracked(found.path)
            and (found.path not in project.folders)
        ):
            yield project.contract_finding(
                f"{_label(item)}: pipeline {found.path} is not committed",
                *at,
                hint=f"git add {found.path} and commit it",
            )
        return
    yield project.contract_finding(
        f"{_label(item)}: pipeline '{reference}' does not resolve: {found.message}",
        *at,
        hint="name a file (src/demo/ingest.py), a module (demo.ingest), a function defined at "
        "the top of a module (demo.ingest:load) or a DVC stage (dvc:STAGE)",
    )
    if found.path is not None and found.line is not None:
        yield Finding(
            f"{found.message} (named by {_label(item)}.pipeline)",
            path=found.path,
            line=found.line,
            hint="fix the syntax error",
        )


def _check_dvc_stage(project: Project, item: Input, stage: str) -> Iterator[Finding]:
    at = ("inputs", item.index, "pipeline")
    file, colon, name = stage.rpartition(":")
    dvc_file = file if colon else "dvc.yaml"
    stage = name.strip()
    stages = dvc_stages(project, dvc_file)
    if stages.problem is not None:
        yield project.contract_finding(
            f"{_label(item)}: pipeline 'dvc:{stage}' does not resolve: {stages.problem}",
            *at,
            hint=f"define the stage in {dvc_file}, or name the code that loads the input",
        )
    elif stage not in stages.stages:
        known = ", ".join(sorted(stages.stages)) or "none"
        yield project.contract_finding(
            f"{_label(item)}: pipeline 'dvc:{stage}' is not a stage of {dvc_file} "
            f"(its stages: {known})",
            *at,
            hint=f"use one of the stages of {dvc_file}, or add the stage",
        )
