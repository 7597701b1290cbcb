"""The contract's JSON Schema for editors: `dsdone schema`, the copy `init` writes beside the
contract, and the copy in this repository that SchemaStore serves."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo, git
from jsonschema import Draft7Validator, Draft202012Validator
from plugin_fixture import install_plugin

from dsdone.registry import builtin_checks
from dsdone.yamlsource import load_yaml

REPOSITORY = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ".dsdone/contract-schema.json"


def dsdone(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "dsdone", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def printed_schema() -> dict[str, Any]:
    completed = dsdone("schema")
    assert completed.returncode == 0, completed.stderr
    schema: dict[str, Any] = json.loads(completed.stdout)
    return schema


def test_the_schema_is_a_valid_json_schema_with_a_stable_id_and_no_dead_domain() -> None:
    schema = printed_schema()
    # Draft 7, the newest VS Code's YAML extension reads; and no keyword whose meaning changed
    # since, so that dsdone check's draft 2020-12 validation and the editors agree.
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)
    Draft202012Validator.check_schema(schema)
    used = set(re.findall(r'"(\$?[A-Za-z]+)":', json.dumps(schema)))
    assert not used & {"$defs", "prefixItems", "dependentRequired", "unevaluatedProperties"}
    assert schema["$id"] == "https://json.schemastore.org/dsdone.json"
    assert schema["title"] and schema["description"]
    assert "dsdone.dev" not in json.dumps(schema)


# What each type of a check option is in JSON Schema, written out here rather than read back
# from the generator.
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def test_every_builtin_option_is_listed_with_its_type_default_and_description() -> None:
    checks = printed_schema()["properties"]["checks"]["properties"]
    listed = 0
    for check in builtin_checks():
        assert check.id in checks, f"{check.id} is not under checks:"
        entry = checks[check.id]
        assert entry["additionalProperties"] is False
        assert {"enabled", "severity", "exclude", "timeout"} <= set(entry["properties"])
        assert entry["properties"]["severity"]["default"] == check.severity.value
        if check.options is None:
            continue
        hints = typing.get_type_hints(check.options)
        for field in dataclasses.fields(check.options):
            option = entry["properties"][field.name]
            hint = hints[field.name]
            if typing.get_origin(hint) is tuple:
                assert option["type"] == "array"
                assert option["items"] == {"type": _JSON_TYPES[typing.get_args(hint)[0]]}
                assert option["default"] == list(field.default)
            else:
                assert option["type"] == _JSON_TYPES[hint]
                assert option["default"] == field.default
            assert option["description"] == field.metadata["help"] != ""
            listed += 1
    assert listed >= 10  # personal-paths, version-control, output-schema, ... have options


def test_the_schema_is_the_same_whatever_plugins_are_installed(tmp_path: Path) -> None:
    site = install_plugin(tmp_path / "site")
    with_plugins = dsdone("schema", env={**os.environ, "PYTHONPATH": str(site)})
    assert with_plugins.returncode == 0, with_plugins.stderr
    assert "acme" not in with_plugins.stdout
    assert with_plugins.stdout == dsdone("schema").stdout


CONTRACT_WITH_OPTIONS = """\
version: 1
project:
  name: demo
  owner: ds@example.com
checks:
  personal-paths:
    severity: warning
    allow_users: bob
    include_docs: true
  acme.plugin-check:
    whatever_the_plugin_takes: 3
"""


def _problems(text: str, schema: dict[str, Any]) -> list[tuple[int, str]]:
    """Each error the schema finds in the YAML ``text``, at its line, as an editor shows it."""
    document = load_yaml(text, "dsdone.yaml")
    found = []
    for error in Draft7Validator(schema).iter_errors(document.data):
        mark = document.locate(tuple(error.absolute_path))
        assert mark is not None
        found.append((mark.line, error.message))
    return found


def test_a_wrong_option_type_is_rejected_at_its_line_and_a_plugins_check_is_accepted() -> None:
    problems = _problems(CONTRACT_WITH_OPTIONS, printed_schema())
    assert problems == [(8, "'bob' is not of type 'array'")]


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        ("  personal-paths:\n    allow_user: [bob]\n", 7),  # a misspelt option
        ("  personal-paths:\n    max_file_mb: ten\n", 7),
        ("  version-control:\n    fail_on_dirty: 'yes'\n", 7),
        ("  Not A Check:\n    enabled: true\n", 6),  # not an id a check can have
    ],
)
def test_mistakes_under_checks_are_rejected(settings: str, line: int) -> None:
    text = CONTRACT_WITH_OPTIONS.split("checks:\n")[0] + "checks:\n" + settings
    problems = _problems(text, printed_schema())
    assert [found_line for found_line, _ in problems] == [line], problems


def test_the_dashed_spelling_of_an_option_is_accepted_as_dsdone_check_accepts_it() -> None:
    text = CONTRACT_WITH_OPTIONS.replace("allow_users: bob", "allow-users: [bob]")
    assert _problems(text, printed_schema()) == []


def test_schema_output_writes_the_file_and_dash_is_standard_output(tmp_path: Path) -> None:
    target = tmp_path / "contract.json"
    written = dsdone("schema", "contract", "--output", str(target))
    assert (written.returncode, written.stdout, written.stderr) == (0, "", "")
    assert target.read_text(encoding="utf-8") == dsdone("schema", "-o", "-").stdout


def _schema_named_by(contract: Path) -> Path:
    """The file the contract's editor comments name, relative to the contract's folder."""
    lines = contract.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"  # VS Code's YAML
    assert lines[1] == f"# $schema: {SCHEMA_FILE}"  # JetBrains IDEs
    return contract.parent / SCHEMA_FILE


@pytest.mark.parametrize("template", ["standard", "minimal"])
def test_init_writes_the_schema_its_contract_names_and_the_contract_fits_it(
    tmp_path: Path, template: str
) -> None:
    target = tmp_path / "proj"
    done = dsdone("init", str(target), "--template", template, "--name", "P", "--owner", "a@b.c")
    assert done.returncode == 0, done.stderr
    schema_path = _schema_named_by(target / "dsdone.yaml")
    assert schema_path.read_text(encoding="utf-8") == dsdone("schema").stdout
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert _problems((target / "dsdone.yaml").read_text(encoding="utf-8"), schema) == []


def test_init_existing_writes_the_schema_too(make_repo: MakeRepo) -> None:
    root = make_repo({"src/demo/__init__.py": ""}, contract=None)
    done = dsdone("init", "--existing", str(root), "--name", "Demo", "--owner", "a@b.c")
    assert done.returncode == 0, done.stderr
    assert f"created      {SCHEMA_FILE}" in done.stdout
    schema_path = _schema_named_by(root / "dsdone.yaml")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert _problems((root / "dsdone.yaml").read_text(encoding="utf-8"), schema) == []
    # The schema file is not mistaken for a schema of the project's outputs.
    below_the_comments = (root / "dsdone.yaml").read_text(encoding="utf-8").split("\n", 2)[2]
    assert "contract-schema" not in below_the_comments


def test_the_written_schema_raises_no_finding_of_its_own(tmp_path: Path) -> None:
    target = tmp_path / "proj"
    dsdone("init", str(target), "--name", "P", "--owner", "a@b.c")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "start")
    checked = dsdone("check", str(target), "--format", "json")
    assert checked.returncode == 0, checked.stdout
    report = json.loads(checked.stdout)
    paths = {f.get("path") for r in report["results"] for f in r["findings"]}
    assert SCHEMA_FILE not in paths


@pytest.mark.parametrize("example", ["ready", "not-ready"])
def test_the_examples_name_a_schema_that_is_there_and_current(example: str) -> None:
    schema_path = _schema_named_by(REPOSITORY / "examples" / example / "dsdone.yaml")
    assert schema_path.read_text(encoding="utf-8") == dsdone("schema").stdout
