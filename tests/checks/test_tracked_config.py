"""tracked-config: config files exist, are tracked, parse for their kind and hold no secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git

from dsdone.checks.tracked_config import tracked_config
from dsdone.report import CheckResult, Status
from dsdone.testing import run_check


def run(root: Path, **options: Any) -> CheckResult:
    return run_check(root, tracked_config, **options)


def messages(result: CheckResult) -> list[str]:
    return [finding.message for finding in result.findings]


def config(*files: str) -> str:
    """The minimal contract plus ``config.files``; the first file is on line 7."""
    return MINIMAL_CONTRACT + "config:\n  files:\n" + "".join(f"    - '{f}'\n" for f in files)


PARSEABLE = {
    "params.yaml": "model:\n  max_depth: 6\n  learning_rate: 0.1\n",
    "features.json": '{"features": ["age", "tenure"]}\n',
    "pyproject.toml": '[tool.train]\nseed = 42\ntokenizer = "bert-base-uncased"\n',
    "setup.cfg": "[train]\nepochs = 3\n",
    "serving.ini": "[server]\nport = 8080\n",
}


def test_tracked_parseable_configs_pass(make_repo: MakeRepo) -> None:
    root = make_repo(PARSEABLE, contract=config(*PARSEABLE))

    result = run(root)

    assert result.status is Status.PASS
    assert result.summary == "5 config files: params.yaml, features.json, pyproject.toml, …"


def test_contract_without_config_section_fails_with_hint(make_repo: MakeRepo) -> None:
    root = make_repo({"params.yaml": "a: 1\n"})

    result = run(root)

    assert result.status is Status.FAIL
    assert messages(result) == ["the contract declares no config files"]
    finding = result.findings[0]
    assert finding.path == "dsdone.yaml"
    assert "hyperparameters" in (finding.hint or "")
    assert "config: {files: [params.yaml]}" in (finding.hint or "")


def test_empty_config_files_fails(make_repo: MakeRepo) -> None:
    root = make_repo(contract=MINIMAL_CONTRACT + "config:\n  files: []\n")

    result = run(root)

    assert messages(result) == ["config.files is empty"]
    assert result.findings[0].line == 6


def test_missing_file_is_a_finding_at_its_line_in_the_contract(make_repo: MakeRepo) -> None:
    root = make_repo({"params.yaml": "a: 1\n"}, contract=config("params.yaml", "conf/train.yaml"))

    result = run(root)

    assert messages(result) == ["config.files[1]: 'conf/train.yaml' does not exist"]
    assert (result.findings[0].path, result.findings[0].line) == ("dsdone.yaml", 8)


def test_glob_matching_nothing_is_a_finding_at_its_line(make_repo: MakeRepo) -> None:
    root = make_repo({"params.yaml": "a: 1\n"}, contract=config("params.yaml", "conf/*.yml"))

    result = run(root)

    assert messages(result) == [
        "config.files[1]: the glob 'conf/*.yml' matches no file of the project"
    ]
    assert result.findings[0].line == 8


@pytest.mark.parametrize(
    ("glob", "matched"),
    [
        ("conf/*.yaml", ["conf/a.yaml", "conf/b.yaml"]),
        ("conf/**/*.yaml", ["conf/a.yaml", "conf/b.yaml", "conf/sub/c.yaml"]),
        ("*.toml", ["train.toml"]),  # anchored at the project root, not at any depth
        ("conf/[ab].yaml", ["conf/a.yaml", "conf/b.yaml"]),
        ("./conf/*.yaml", ["conf/a.yaml", "conf/b.yaml"]),
    ],
)
def test_globs_are_relative_to_the_project_root(
    make_repo: MakeRepo, glob: str, matched: list[str]
) -> None:
    files = {
        "conf/a.yaml": "a: 1\n",
        "conf/b.yaml": "b: 2\n",
        "conf/sub/c.yaml": "c: 3\n",
        "train.toml": "x = 1\n",
        "conf/other.toml": "y = 2\n",
    }
    root = make_repo(files, contract=config(glob))

    result = run(root)

    assert result.status is Status.PASS
    plural = "s" if len(matched) > 1 else ""
    assert result.summary == f"{len(matched)} config file{plural}: {', '.join(matched)}"


def test_folder_entry_checks_every_file_in_it(make_repo: MakeRepo) -> None:
    root = make_repo({"conf/a.yaml": "a: 1\n", "conf/b.json": "{"}, contract=config("conf/"))

    result = run(root)

    assert [f.path for f in result.findings] == ["conf/b.json"]
    assert result.summary.endswith("2 config files: conf/a.yaml, conf/b.json")


def test_file_listed_twice_is_checked_once(make_repo: MakeRepo) -> None:
    root = make_repo({"params.yaml": "a: [\n"}, contract=config("params.yaml", "*.yaml"))

    result = run(root)

    assert [f.path for f in result.findings] == ["params.yaml"]


def test_entry_outside_the_project_is_a_finding(make_repo: MakeRepo) -> None:
    root = make_repo(contract=config("../shared/params.yaml"))

    result = run(root)

    assert messages(result) == [
        "config.files[0]: '../shared/params.yaml' points outside the project folder"
    ]


def test_untracked_config_is_told_to_git_add(make_repo: MakeRepo) -> None:
    root = make_repo(contract=config("params.yaml"))
    (root / "params.yaml").write_text("a: 1\n", encoding="utf-8")

    result = run(root)

    assert messages(result) == ["the config file is not tracked by git"]
    assert result.findings[0].path == "params.yaml"
    assert "`git add params.yaml`" in (result.findings[0].hint or "")


def test_ignored_config_is_told_to_fix_gitignore(make_repo: MakeRepo) -> None:
    root = make_repo({".gitignore": "params.yaml\n"}, contract=config("params.yaml"))
    (root / "params.yaml").write_text("a: 1\n", encoding="utf-8")

    result = run(root)

    assert messages(result) == [
        "the config file is ignored by git, so a fresh clone does not have it"
    ]
    hint = result.findings[0].hint or ""
    assert "git check-ignore -v params.yaml" in hint
    assert "`git add params.yaml`" not in hint.split(";")[0]


def test_outside_git_every_config_is_not_tracked(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"params.yaml": "a: 1\n", "b.json": "{}"},
        contract=config("params.yaml", "b.json"),
        git_init=False,
    )

    result = run(root)

    assert [(f.path, f.message) for f in result.findings] == [
        ("b.json", "not tracked: the project is not in a git repository"),
        ("params.yaml", "not tracked: the project is not in a git repository"),
    ]
    assert "version-control" in (result.findings[0].hint or "")


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        (
            "params.yaml",
            "model:\n  depth: 6\n  rate: [0.1\n",
            "not valid YAML: expected ',' or ']', but got '<stream end>'",
            4,
        ),
        (
            "params.yaml",
            "a: 1\n b: 2\n",
            "not valid YAML: mapping values are not allowed here",
            2,
        ),
        (
            "params.json",
            '{\n  "a": 1\n  "b": 2\n}\n',
            "not valid JSON: Expecting ',' delimiter",
            3,
        ),
        ("params.toml", "[train]\nseed = \n", "not valid TOML: Invalid value", 2),
        (
            "params.cfg",
            "[train]\nseed = 1\nseed = 2\n",
            "not valid INI: option 'seed' in section 'train' already exists",
            3,
        ),
        (
            "params.ini",
            "seed = 1\n",
            "not valid INI: File contains no section headers.",
            1,
        ),
    ],
    ids=[
        "yaml-unclosed",
        "yaml-indent",
        "json-missing-comma",
        "toml-no-value",
        "ini-duplicate",
        "ini-no-section",
    ],
)
def test_config_that_does_not_parse_is_a_finding_at_its_line(
    make_repo: MakeRepo, name: str, content: str, message: str, line: int
) -> None:
    root = make_repo({name: content}, contract=config(name))

    result = run(root)

    assert messages(result) == [message]
    assert (result.findings[0].path, result.findings[0].line) == (name, line)


def test_yaml_is_loaded_safely_and_a_code_tag_is_a_finding(make_repo: MakeRepo) -> None:
    payload = "cmd: !!python/object/apply:os.mkdir ['pwned']\n"
    root = make_repo({"params.yaml": payload}, contract=config("params.yaml"))

    result = run(root)

    assert not (root / "pwned").exists()
    assert not Path("pwned").exists()
    assert messages(result) == [
        "not valid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.mkdir'"
    ]


def test_multi_document_yaml_is_parsed_whole(make_repo: MakeRepo) -> None:
    content = "a: 1\n---\npassword: hunter2\n"
    root = make_repo({"params.yaml": content}, contract=config("params.yaml"))

    result = run(root)

    assert [(f.path, f.line) for f in result.findings] == [("params.yaml", 3)]


def test_yaml_alias_bomb_is_scanned_quickly(make_repo: MakeRepo) -> None:
    lines = ['a0: &a0 ["x", "y"]'] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 40)]
    root = make_repo({"params.yaml": "\n".join(lines) + "\n"}, contract=config("params.yaml"))

    assert run(root).status is Status.PASS


SECRET = "hunter2xyz"


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("params.yaml", f"db:\n  password: {SECRET}\n", 2),
        ("params.yaml", f'db_password: "{SECRET}"\n', 1),
        ("params.yaml", f"hfToken: {SECRET}\n", 1),
        ("params.yaml", f"x-api-key: {SECRET}\n", 1),
        ("params.yaml", f"AWS_SECRET_ACCESS_KEY: {SECRET}\n", 1),
        ("params.yaml", "password: 12345678\n", 1),
        ("params.ini", "[db]\npassword = 12345678\n", 2),
        ("params.yaml", f"services:\n  - name: db\n    client_secret: {SECRET}\n", 3),
        ("params.json", f'{{\n  "name": "x",\n  "api_key": "{SECRET}"\n}}\n', 3),
        ("params.toml", f'[hub]\nrepo = "x"\ntoken = "{SECRET}"\n', 3),
        ("params.ini", f"[db]\nhost = x\npassword = {SECRET}\n", 3),
        (".env", f"HOST=x\nexport DB_PASSWORD={SECRET}\n", 2),
        ("params.yaml", "# aws: AKIA0123456789ABCDEF\nregion: eu-west-1\n", 1),  # in a comment
        ("params.yaml", "creds:\n  id: AKIA0123456789ABCDEF\n", 2),
        ("notes.txt", "key id AKIA0123456789ABCDEF\n", 1),
        ("params.json", '{"sa": "-----BEGIN PRIVATE KEY-----\\nMIIE"}\n', 1),
        ("params.yaml", "db:\n  url: postgresql://etl:hunter2xyz@db.internal/churn\n", 2),
        ("params.ini", "[db]\nurl = mysql+pymysql://etl:hunter2xyz@db/churn\n", 2),
        ("params.json", '{"broker": "amqp://celery:hunter2xyz@rabbit:5672//"}\n', 1),
    ],
)
def test_literal_secret_is_a_finding_without_its_value(
    make_repo: MakeRepo, name: str, content: str, line: int
) -> None:
    root = make_repo({name: content}, contract=config(name))

    result = run(root)

    assert result.status is Status.FAIL
    assert [(f.path, f.line) for f in result.findings] == [(name, line)]
    shown = " ".join([result.summary, *(f"{f.message} {f.hint}" for f in result.findings)])
    for value in (SECRET, "12345678", "AKIA0123456789ABCDEF", "AKIAIOSFODNN7EXAMPLE", "MIIE"):
        assert value not in shown


@pytest.mark.parametrize(
    "content",
    [
        "password: ${DB_PASSWORD}",
        "password: $DB_PASSWORD",
        "password: ''",
        'password: ""',
        "password: null",
        "password: ~",
        "password:",
        "token: <your-token>",
        'api_key: "{{ vault }}"',
        "api_key: '{{ vault_api_key }}'",
        'password: "%(db_password)s"',
        "password: '%DB_PASSWORD%'",
        "password: env:DB_PASSWORD",
        "password: 'postgres://${USER}:${PASSWORD}@db'",
        "api_key: your-api-key-here",
        "token: YOUR_TOKEN",
        "password: '********'",
        "password: xxxxxxxx",
        "password: changeme",
        "secret: REDACTED",
        # zenml-projects huggingface-sagemaker/configs/deploying_config.yaml:37-39
        'AWS_SECRET_ACCESS_KEY: "Randomstr"',
        'AWS_SESSION_TOKEN: "Randomstr"',
        "api_token: random_token_123",
        "password: foobar",
        "token: xxx",
        "api_key: YOUR_API_KEY",
        "password: ${DB_PASSWORD}",
        "password_file: /run/secrets/db",
        "secret_name: prod/db",
        "tokenizer: bert-base-uncased",
        "max_tokens: 512",
        "use_token: true",
        "token_ttl: 3.5",
        "key: abcdef123",
        "monkey: banana-split",
        "aws_region: AKIA1234",  # too short to be an access key id
        "max_token: 512",
        "pad_token: 0",
        'eos_token: "</s>"',
        'mask_token: "[MASK]"',
        "secret: /run/secrets/db_password",
        "token: ~/.cache/hf/token",
        "aws_access_key_id: AKIAIOSFODNN7EXAMPLE  # the example of AWS's documentation",
        "password: dummy_pw",
        "db_url: postgresql://postgres:postgres@localhost:5432/test",
        "db_url: postgresql://${PGUSER}:${PGPASSWORD}@db:5432/churn",
        "hashed_secret: d808db46d15adec18918b6b204cc63b9616e7e0d",
        "dvc_md5: 22a1a2931c8370d3aeedd7183606fd7f",
    ],
)
def test_references_placeholders_and_harmless_keys_are_not_secrets(
    make_repo: MakeRepo, content: str
) -> None:
    root = make_repo({"params.yaml": content + "\n"}, contract=config("params.yaml"))

    result = run(root)

    assert result.status is Status.PASS, messages(result)


def test_cli_reports_untracked_config_with_exit_code(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(contract=config("params.yaml"))
    (root / "params.yaml").write_text("a: 1\n", encoding="utf-8")

    cli = run_cli("check", str(root), "--select", "tracked-config", "--format", "json")

    assert cli.exit_code == 1
    (result,) = json.loads(cli.stdout)["results"]
    assert result["status"] == "fail"
    assert result["findings"][0]["path"] == "params.yaml"


def test_without_git_the_finding_says_why_nothing_is_tracked(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = make_repo({"params.yaml": "a: 1\n"}, contract=config("params.yaml"))
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    result = run(root)

    assert messages(result) == ["not tracked: the git executable was not found"]


def test_every_secret_of_a_file_is_found_at_its_own_line(make_repo: MakeRepo) -> None:
    content = (
        '{\n  "db": {"password": "a1b2c3d4"},\n  "seed": 7,\n  "hub": {"token": "q9w8e7r6"}\n}\n'
    )
    root = make_repo({"params.json": content}, contract=config("params.json"))

    result = run(root)

    assert [(f.line, f.message) for f in result.findings] == [
        (2, "'password' holds a literal secret (not shown)"),
        (4, "'token' holds a literal secret (not shown)"),
    ]


def test_a_committed_secret_must_be_rotated_and_an_uncommitted_one_removed(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {"committed.yaml": "password: hunter2xyz\n"},
        contract=config("committed.yaml", "staged.yaml"),
    )
    (root / "staged.yaml").write_text("db_url: postgresql://etl:hunter2xyz@db/churn\n")
    git(root, "add", "staged.yaml")

    result = run(root)

    hints = {f.path: f.hint or "" for f in result.findings}
    assert "rotate it: it is in the git history" in hints["committed.yaml"]
    assert "remove it before you commit" in hints["staged.yaml"]
    assert "rotate" not in hints["staged.yaml"]


# -- a secret the secrets check reports is reported once ----------------------------------------

# zenml-projects magic-photobooth/configs/k8s_run_refactored_multi_video.yaml:45 (the token is
# made up, in the shape of a Hugging Face token), beside a key-only secret that the secrets
# check does not judge a credential (a lower-case word).
LEAKING_CONFIG = (
    "settings:\n  environment:\n    HF_TOKEN: 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\n"
    "db:\n  password: mywarehouse\n"
)


def _check_json(run_cli: RunCli, root: Path, *args: str) -> dict[str, dict[str, Any]]:
    cli = run_cli("check", str(root), "--format", "json", *args)
    assert cli.exit_code == 1, cli.stderr
    return {result["check"]: result for result in json.loads(cli.stdout)["results"]}


def _located(result: dict[str, Any]) -> list[tuple[str, int]]:
    return [(finding["path"], finding["line"]) for finding in result["findings"]]


def test_a_secret_the_secrets_check_reports_is_not_reported_again(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    contract = config("configs/k8s.yaml").replace(
        "version: 1\n", 'version: 1\nwritten_for: "0.2.0"\n'
    )
    root = make_repo({"configs/k8s.yaml": LEAKING_CONFIG}, contract=contract)

    results = _check_json(run_cli, root)

    assert _located(results["secrets"]) == [("configs/k8s.yaml", 3)]
    assert results["secrets"]["advisory"] is None
    cfg = results["tracked-config"]
    assert [(f["line"], f["message"]) for f in cfg["findings"]] == [
        (5, "'password' holds a literal secret (not shown)")
    ]
    assert "1 secret is left to the secrets check, which reports it" in cfg["summary"]


@pytest.mark.parametrize(
    ("written_for", "args"),
    [
        pytest.param("", (), id="secrets-advisory-for-a-0.1.0-contract"),
        pytest.param('written_for: "0.2.0"\n', ("--select", "tracked-config"), id="not-run"),
        pytest.param(
            'written_for: "0.2.0"\nchecks:\n  secrets:\n    severity: warning\n',
            (),
            id="secrets-only-a-warning",
        ),
        pytest.param(
            'written_for: "0.2.0"\nchecks:\n  secrets:\n    exclude: ["configs/**"]\n',
            (),
            id="excluded-from-secrets",
        ),
    ],
)
def test_tracked_config_keeps_the_secret_where_the_secrets_check_would_not_block_on_it(
    make_repo: MakeRepo, run_cli: RunCli, written_for: str, args: tuple[str, ...]
) -> None:
    contract = config("configs/k8s.yaml").replace("version: 1\n", "version: 1\n" + written_for)
    root = make_repo({"configs/k8s.yaml": LEAKING_CONFIG}, contract=contract)

    results = _check_json(run_cli, root, *args)

    cfg = results["tracked-config"]
    assert cfg["advisory"] is None
    assert _located(cfg) == [("configs/k8s.yaml", 3), ("configs/k8s.yaml", 5)]
    assert "left to the secrets check" not in cfg["summary"]
