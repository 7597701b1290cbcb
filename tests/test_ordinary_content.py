"""Content that looks ordinary to a person but chokes a parser is a finding at its file, never a
crashed check or exit 3.

YAML reads ``2026-02-30`` as a date that does not exist; Python refuses integers of more than
4,300 digits (``int()`` and ``json.loads`` raise ``ValueError``); every parser has a nesting
depth past which it raises ``RecursionError`` or ``MemoryError``; ``str.isdigit`` says yes to
``²``. One table, across the checks: each row a repository, the check that reads the file, and
the finding the user gets.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

BIG = "9" * 5000
DEEP_JSON = "[" * 100_000 + "]" * 100_000
DEEP_PYTHON = "x = " + "-" * 100_000 + "1\n"


def deep_schema(depth: int) -> str:
    schema: dict[str, Any] = {}
    for _ in range(depth):
        schema = {"type": "array", "items": schema}
    return json.dumps(schema)


def config(name: str) -> str:
    return MINIMAL_CONTRACT + f"config:\n  files: ['{name}']\n"


def output(schema: str, sample: str | None = None, fmt: str = "json") -> str:
    lines = ["outputs:", "  - name: scores", f"    format: {fmt}", f"    schema: {schema}"]
    if sample is not None:
        lines.append(f"    sample: {sample}")
    return MINIMAL_CONTRACT + "\n".join(lines) + "\n"


def retrain(entrypoint: str, schedule: str | None = None) -> str:
    text = MINIMAL_CONTRACT + f"retrain:\n  entrypoint: {entrypoint}\n"
    return text + (f"  schedule: '{schedule}'\n" if schedule is not None else "")


def pipeline(reference: str) -> str:
    return MINIMAL_CONTRACT + (
        f"inputs:\n  - name: raw\n    source: s3://bucket/raw/\n    format: csv\n"
        f"    pipeline: {reference}\n"
    )


PROJECT = {"src/demo/__init__.py": "", "src/demo/train.py": "print(1)\n"}

# (check, files, contract, (path, line, words in the message) of the finding expected)
CASES = {
    "config-yaml-date-that-does-not-exist": (
        "tracked-config",
        {"params.yaml": "seed: 1\nstart: 2026-02-30\n"},
        config("params.yaml"),
        ("params.yaml", 2, "a date or time that does not exist"),
    ),
    "config-yaml-integer-of-5000-digits": (
        "tracked-config",
        {"params.yaml": f"seed: {BIG}\n"},
        config("params.yaml"),
        ("params.yaml", 1, "an integer of more than 4300 digits"),
    ),
    "config-json-integer-of-5000-digits": (
        "tracked-config",
        {"params.json": f'{{"seed": {BIG}}}\n'},
        config("params.json"),
        ("params.json", None, "an integer of more than 4300 digits"),
    ),
    "config-json-nested-100000-deep": (
        "tracked-config",
        {"params.json": DEEP_JSON},
        config("params.json"),
        ("params.json", None, "nested too deeply"),
    ),
    "config-toml-nested-10000-deep": (
        "tracked-config",
        {"params.toml": "a = " + "[" * 10_000 + "]" * 10_000 + "\n"},
        config("params.toml"),
        ("params.toml", None, "nested too deeply"),
    ),
    "config-toml-integer-of-5000-digits": (
        "tracked-config",
        {"params.toml": f"seed = {BIG}\n"},
        config("params.toml"),
        ("params.toml", None, "an integer of more than 4300 digits"),
    ),
    "sample-json-nested-100000-deep": (
        "output-schema",
        {"s.json": '{"type": "array"}', "sample.json": DEEP_JSON},
        output("s.json", "sample.json"),
        ("sample.json", 1, "nested too deeply"),
    ),
    "sample-jsonl-integer-of-5000-digits": (
        "output-schema",
        {"s.json": '{"type": "object"}', "sample.jsonl": f'{{"id": 1}}\n{{"id": {BIG}}}\n'},
        output("s.json", "sample.jsonl", "jsonl"),
        ("sample.jsonl", 2, "an integer of more than 4300 digits"),
    ),
    "sample-csv-integer-of-5000-digits": (
        "output-schema",
        {
            "s.json": '{"type": "object", "properties": {"id": {"type": "integer"}}}',
            "sample.csv": f"id\n1\n{BIG}\n",
        },
        output("s.json", "sample.csv", "csv"),
        ("sample.csv", 3, "is not of type 'integer'"),
    ),
    "schema-yaml-date-that-does-not-exist": (
        "output-schema",
        {"s.yaml": "type: object\nexamples: [2026-02-30]\n"},
        output("s.yaml"),
        ("s.yaml", 2, "a date or time that does not exist"),
    ),
    "schema-nested-300-deep": (
        "output-schema",
        {"s.json": deep_schema(300)},
        output("s.json"),
        ("s.json", None, "nested too deeply"),
    ),
    "dvc-yaml-date-for-a-pipeline": (
        "input-pipelines",
        {"dvc.yaml": "stages:\n  load:\n    cmd: x\n    frozen: 2026-02-30\n"},
        pipeline("dvc:load"),
        ("dsdone.yaml", None, "a date or time that does not exist"),
    ),
    "dvc-yaml-integer-for-retrain": (
        "retrain-entrypoint",
        {"dvc.yaml": f"stages:\n  train:\n    cmd: x\n    seed: {BIG}\n"},
        retrain("dvc repro train"),
        ("dsdone.yaml", None, "an integer of more than 4300 digits"),
    ),
    "mlproject-date-for-retrain": (
        "retrain-entrypoint",
        {"MLproject": "name: x\nentry_points:\n  main:\n    command: x\n    at: 2026-02-30\n"},
        retrain("mlflow run . -e main"),
        ("dsdone.yaml", None, "a date or time that does not exist"),
    ),
    "pyproject-nested-for-retrain": (
        "retrain-entrypoint",
        {**PROJECT, "pyproject.toml": "a = " + "[" * 10_000 + "]" * 10_000 + "\n"},
        retrain("demo-train"),
        ("dsdone.yaml", None, "is not a console script of the project"),
    ),
    "cron-superscript-two": (
        "retrain-entrypoint",
        PROJECT,
        retrain("python -m demo.train", "² * * * *"),
        ("dsdone.yaml", None, "field 1 (minute) is '²'"),
    ),
    "cron-arabic-indic-digit-step": (
        "retrain-entrypoint",
        PROJECT,
        retrain("python -m demo.train", "*/٣ * * * *"),
        ("dsdone.yaml", None, "the step after '/' must be a whole number"),
    ),
    "cron-number-of-5000-digits": (
        "retrain-entrypoint",
        PROJECT,
        retrain("python -m demo.train", f"{BIG} * * * *"),
        ("dsdone.yaml", None, "field 1 (minute) is"),
    ),
    "python-expression-nested-100000-deep-for-a-pipeline": (
        "input-pipelines",
        {"src/demo/__init__.py": "", "src/demo/load.py": DEEP_PYTHON + "def load():\n    pass\n"},
        pipeline("demo.load:load"),
        ("dsdone.yaml", None, "nests expressions too deeply"),
    ),
    "python-expression-nested-100000-deep-in-a-test": (
        "unit-tests",
        {
            **PROJECT,
            "tests/test_x.py": "import demo\n\n" + DEEP_PYTHON + "def test_a():\n    pass\n",
        },
        MINIMAL_CONTRACT,
        ("tests/test_x.py", None, "nests expressions too deeply"),
    ),
    "python-nul-byte-in-a-test": (
        "unit-tests",
        {**PROJECT, "tests/test_x.py": b"import demo\n\ndef test_a():\n    x = '\0'\n"},
        MINIMAL_CONTRACT,
        ("tests/test_x.py", None, "null bytes"),
    ),
    "notebook-nested-100000-deep": (
        "personal-paths",
        {"nb.ipynb": '{"cells": ' + DEEP_JSON + ', "x": "/home/ana/data.csv"}'},
        MINIMAL_CONTRACT,
        ("nb.ipynb", 1, "personal path '/home/ana/data.csv'"),
    ),
}


@pytest.mark.parametrize(("check", "files", "contract", "expected"), CASES.values(), ids=CASES)
def test_ordinary_content_that_chokes_a_parser_is_a_finding(
    make_repo: MakeRepo,
    run_cli: RunCli,
    check: str,
    files: dict[str, str | bytes],
    contract: str,
    expected: tuple[str, int | None, str],
) -> None:
    root = make_repo(files, contract=contract)

    result = run_cli("check", str(root), "--format", "json", "--select", check)

    assert result.exit_code == 1, result.stderr
    [found] = json.loads(result.stdout)["results"]
    assert found["status"] == "fail", found["summary"]
    path, line, words = expected
    matching = [
        f
        for f in found["findings"]
        if f["path"] == path and words in f["message"] and (line is None or f["line"] == line)
    ]
    assert matching, found["findings"]


@pytest.mark.parametrize(
    ("check", "option", "value"),
    [
        ("personal-paths", "max_file_mb", ".nan"),
        ("personal-paths", "max_file_mb", ".inf"),
        ("version-control", "max_file_mb", "-.inf"),
    ],
)
def test_a_number_option_that_is_not_finite_is_a_contract_error(
    make_repo: MakeRepo, run_cli: RunCli, check: str, option: str, value: str
) -> None:
    contract = MINIMAL_CONTRACT + f"checks:\n  {check}:\n    {option}: {value}\n"
    root = make_repo(contract=contract, commit=False)

    result = run_cli("check", str(root))

    assert result.exit_code == 2, result.stdout
    assert f"dsdone.yaml:7:5: option '{option}' of check '{check}' must be a finite number" in (
        result.stderr
    )
