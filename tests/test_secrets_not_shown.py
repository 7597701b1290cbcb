"""A secret in a file dsdone reads is never shown, in any format, even when the file is broken.

A parser's exception text may quote what it read (PyYAML shows the line, ``int()`` behind a
``!!int`` tag says ``invalid literal ... 'the-value'``, configparser repeats the line). Each case
plants one secret in a file a check parses, then runs every format and reads stdout and stderr.
"""

from __future__ import annotations

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli

SECRET = "S3cr3tValue9f8e7d6c"
FORMATS = ["terminal", "json", "sarif", "junit", "markdown", "github"]


def config(*files: str) -> str:
    return MINIMAL_CONTRACT + "config:\n  files: [" + ", ".join(files) + "]\n"


OUTPUT = MINIMAL_CONTRACT + (
    "outputs:\n  - name: scores\n    format: json\n    schema: schemas/scores.yaml\n"
)
DVC_RETRAIN = MINIMAL_CONTRACT + "retrain:\n  entrypoint: dvc repro train\n"

CASES = {
    # tracked-config: the file parses, the secret is found and masked
    "yaml-secret-found": (config("conf.yaml"), {"conf.yaml": f"db_password: {SECRET}\n"}),
    "dotenv-secret-found": (config(".env"), {".env": f"API_TOKEN={SECRET}\n"}),
    "json-secret-found": (config("c.json"), {"c.json": f'{{"api_key": "{SECRET}"}}\n'}),
    # tracked-config: the file does not parse, and the parser's message would quote it
    "yaml-int-tag": (config("conf.yaml"), {"conf.yaml": f"password: !!int {SECRET}\n"}),
    "yaml-float-tag": (config("conf.yaml"), {"conf.yaml": f"token: !!float {SECRET}\n"}),
    "yaml-unknown-tag": (config("conf.yaml"), {"conf.yaml": f"token: !{SECRET} x\n"}),
    "yaml-undefined-alias": (config("conf.yaml"), {"conf.yaml": f"token: *{SECRET}\n"}),
    "yaml-bad-indent": (config("conf.yaml"), {"conf.yaml": f"a:\n  b: 1\n c: {SECRET}\n"}),
    "ini-no-section": (config("c.ini"), {"c.ini": f"password={SECRET}\n"}),
    "ini-no-equals": (config("c.ini"), {"c.ini": f"[db]\n{SECRET}\n"}),
    "ini-duplicate": (config("c.ini"), {"c.ini": f"[db]\npassword={SECRET}\npassword=x\n"}),
    "toml-bad-value": (config("c.toml"), {"c.toml": f"password = {SECRET}\n"}),
    "json-unterminated": (config("c.json"), {"c.json": f'{{"password": "{SECRET}\n'}),
    # output-schema: the schema file is broken
    "schema-int-tag": (OUTPUT, {"schemas/scores.yaml": f"type: object\nx: !!int {SECRET}\n"}),
    "schema-unknown-tag": (OUTPUT, {"schemas/scores.yaml": f"type: !{SECRET} object\n"}),
    # retrain-entrypoint reads dvc.yaml
    "dvc-int-tag": (DVC_RETRAIN, {"dvc.yaml": f"stages:\n  train:\n    cmd: !!int {SECRET}\n"}),
    "dvc-unknown-tag": (DVC_RETRAIN, {"dvc.yaml": f"stages: !{SECRET}\n  train: {{}}\n"}),
}


@pytest.mark.parametrize(("contract", "files"), list(CASES.values()), ids=list(CASES))
def test_a_secret_in_a_file_is_in_no_format(
    make_repo: MakeRepo, run_cli: RunCli, contract: str, files: dict[str, str]
) -> None:
    root = make_repo(files, contract=contract)
    for output_format in FORMATS:
        result = run_cli(
            "check",
            str(root),
            "--select",
            "tracked-config,output-schema,retrain-entrypoint",
            "-f",
            output_format,
        )
        assert result.exit_code == 1, (output_format, result.stderr)
        assert "crashed" not in result.stdout, result.stdout
        for shown in (result.stdout, result.stderr):
            assert SECRET not in shown, (output_format, shown)
            assert SECRET[2:12] not in shown, (output_format, shown)


def test_a_broken_config_is_located_and_its_problem_named(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    import json

    root = make_repo(
        {"conf.yaml": f"a: 1\npassword: !!int {SECRET}\n"}, contract=config("conf.yaml")
    )
    result = run_cli("check", str(root), "--select", "tracked-config", "-f", "json")
    (finding,) = json.loads(result.stdout)["results"][0]["findings"]
    assert finding["path"] == "conf.yaml"
    assert finding["message"] == "not valid YAML: a value cannot be read (ValueError)"


def test_a_contract_value_that_cannot_be_read_is_not_quoted(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(contract=MINIMAL_CONTRACT + f"description: !!int {SECRET}\n")
    result = run_cli("check", str(root))
    assert result.exit_code == 2
    assert "dsdone.yaml:5:14: the value cannot be read" in result.stderr
    assert SECRET not in result.stderr
