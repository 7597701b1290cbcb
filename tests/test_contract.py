"""The contract loader: a valid dsdone.yaml becomes a typed Contract; anything else ends in
exit 2 with ``dsdone.yaml:LINE:COLUMN`` and what to change, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dsdone.contract import MAX_CONTRACT_BYTES, load_contract
from dsdone.report import Severity

HEAD = "version: 1\nproject:\n  name: demo\n  owner: ana@example.com\n"


def assert_user_error(result: object, *expected: str) -> None:
    """Exit 2, each expected text in stderr, nothing on stdout, and no traceback."""
    exit_code, stdout, stderr = result.exit_code, result.stdout, result.stderr  # type: ignore[attr-defined]
    assert exit_code == 2, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    assert "internal error" not in stderr
    for text in expected:
        assert text in stderr


# (contract text, the exact message with its place, a piece of the hint or None).
# Every line:column was counted by hand from the text, not copied from the output.
BAD_CONTRACTS = [
    pytest.param(
        HEAD + "inptus: []\n",
        "dsdone.yaml:5:1: unknown key 'inptus' in the contract (did you mean 'inputs'?)",
        "dsdone schema",
        id="unknown-top-level-key-did-you-mean",
    ),
    pytest.param(
        "version: 1\nproject:\n  name: demo\n  ower: ana\n",
        "dsdone.yaml:4:3: unknown key 'ower' in project (did you mean 'owner'?)",
        None,
        id="unknown-nested-key-did-you-mean",
    ),
    pytest.param(
        HEAD + "retrain:\n  entrypoint: python train.py\n  cron: '@daily'\n",
        "dsdone.yaml:7:3: unknown key 'cron' in retrain "
        "(expected one of: entrypoint, schedule, smoke)",
        None,
        id="unknown-key-without-a-close-match-lists-the-keys",
    ),
    pytest.param(
        HEAD + "inputs: data.csv\n",
        "dsdone.yaml:5:9: inputs must be a list, not the string 'data.csv'",
        "dsdone schema",
        id="wrong-type-string-for-list",
    ),
    pytest.param(
        "version: 1\nproject:\n  name: demo\n  owner: ana\n  consumers: billing\n",
        "dsdone.yaml:5:14: project.consumers must be a list, not the string 'billing'",
        None,
        id="wrong-type-nested",
    ),
    pytest.param(
        HEAD + "tests:\n  min_tests: many\n",
        "dsdone.yaml:6:14: tests.min_tests must be a whole number, not the string 'many'",
        None,
        id="wrong-type-number",
    ),
    pytest.param(
        "version: 1\nproject:\n",
        "dsdone.yaml:2:9: project must be a mapping (key: value lines), not empty",
        None,
        id="empty-section",
    ),
    pytest.param(
        HEAD + "tests:\n  min_tests: -1\n",
        "dsdone.yaml:6:14: tests.min_tests must be at least 0; got -1",
        None,
        id="below-minimum",
    ),
    pytest.param(
        HEAD + "checks:\n  personal-paths:\n    severity: fatal\n",
        "dsdone.yaml:7:15: checks.personal-paths.severity must be one of error, warning, info; "
        "got 'fatal'",
        None,
        id="severity-not-in-enum",
    ),
    pytest.param(
        HEAD + "waivers:\n  - check: personal-paths\n    reason: legacy\n    until: 31/01/2026\n",
        "dsdone.yaml:8:12: waivers[0].until must be a date written YYYY-MM-DD; got '31/01/2026'",
        None,
        id="waiver-date-format",
    ),
    pytest.param(
        HEAD + "waivers:\n  - check: personal-paths\n    reason: legacy\n    until: 2026-02-30\n",
        "dsdone.yaml:8:12: waivers[0].until is not a real date: '2026-02-30'",
        "YYYY-MM-DD",
        id="waiver-date-that-does-not-exist",
    ),
    pytest.param(
        "version: 1\nproject:\n  name: demo\n",
        "dsdone.yaml:3:3: project is missing the required key 'owner'",
        None,
        id="missing-required-nested-key",
    ),
    pytest.param(
        "version: 1\n",
        "dsdone.yaml:1:1: the contract is missing the required key 'project'",
        None,
        id="missing-required-top-level-key",
    ),
    pytest.param(
        HEAD + "waivers:\n  - check: personal-paths\n",
        "dsdone.yaml:6:5: waivers[0] is missing the required key 'reason'",
        None,
        id="waiver-without-reason",
    ),
    pytest.param(
        "version: 2\nproject:\n  name: demo\n  owner: ana\n",
        "dsdone.yaml:1:10: unsupported contract version 2; this dsdone reads version 1",
        "upgrade dsdone",
        id="unsupported-version-says-which-exist",
    ),
    pytest.param(
        "version: '1'\nproject:\n  name: demo\n  owner: ana\n",
        "dsdone.yaml:1:10: unsupported contract version '1'; this dsdone reads version 1",
        None,
        id="version-as-a-string",
    ),
    pytest.param(
        "project:\n  name: demo\n  owner: ana\n",
        "dsdone.yaml:1:1: the contract has no 'version'",
        "version: 1",
        id="no-version",
    ),
    pytest.param(
        "version: 1\nproject:\n  name: demo\n  owner: ana\n  name: other\n",
        "dsdone.yaml:5:3: duplicate key 'name' in project (first given on line 3)",
        "YAML would silently use the last",
        id="duplicate-nested-key",
    ),
    pytest.param(
        HEAD + "version: 1\n",
        "dsdone.yaml:5:1: duplicate key 'version' in the contract (first given on line 1)",
        None,
        id="duplicate-top-level-key",
    ),
    pytest.param(
        "version: 1\nproject:\n  name: demo\n   owner: ana\n",
        "dsdone.yaml:4:9: YAML syntax error: mapping values are not allowed here",
        "indentation",
        id="syntax-bad-indentation",
    ),
    # A construct left open is reported where it began (the line to fix), and where the parser
    # gave up, which can be far below it.
    pytest.param(
        "version: 1\nproject:\n  name: [demo\n  owner: ana\n",
        "dsdone.yaml:3:9: YAML syntax error: the list opened with '[' here is not closed; the "
        "parser gave up at line 4, column 8: expected ',' or ']', but got ':'",
        "close it with ']'",
        id="syntax-unclosed-bracket",
    ),
    pytest.param(
        "version: 1\nproject: {name: demo, owner: ana\nplugins: []\n",
        "dsdone.yaml:2:10: YAML syntax error: the mapping opened with '{' here is not closed; "
        "the parser gave up at line 3, column 8",
        "close it with '}'",
        id="syntax-unclosed-brace",
    ),
    pytest.param(
        'version: 1\nproject:\n  name: "demo\n  owner: ana\n',
        "dsdone.yaml:3:9: YAML syntax error: the text quoted here is not closed; the parser "
        "gave up at line 5, column 1: found unexpected end of the file",
        "end the text with the quote",
        id="syntax-unclosed-quote",
    ),
    pytest.param(
        "version: 1\nproject:\n  name: 'demo\n",
        "dsdone.yaml:3:9: YAML syntax error: the text quoted here is not closed; the parser "
        "gave up at line 4, column 1",
        None,
        id="syntax-unclosed-single-quote",
    ),
    pytest.param(
        "version: 1\nproject:\n  name: demo\n  owner\nplugins: []\n",
        "dsdone.yaml:4:3: YAML syntax error: the key here has no ':' after it; the parser gave "
        "up at line 5, column 1: could not find expected ':'",
        "key: value",
        id="syntax-key-without-colon",
    ),
    # Near-misses: the enclosing block is not a construct left open, so the error stays where
    # the parser gave up, naming the block for orientation.
    pytest.param(
        "version: 1\nproject:\n  name: demo\n owner: ana\n",
        "dsdone.yaml:4:2: YAML syntax error: expected the end of an indented block, but found a "
        "key at another indentation (in a block mapping that begins at line 1, column 1)",
        "indentation",
        id="syntax-dedented-key",
    ),
    pytest.param(
        "version: 1\nproject:\n\tname: demo\n",
        "dsdone.yaml:3:1: YAML syntax error: found character '\\t' that cannot start any token",
        None,
        id="syntax-tab-indentation",
    ),
    pytest.param(
        "version: 1\n---\nversion: 1\n",
        "dsdone.yaml:2:1: YAML syntax error: expected a single document in the stream, but "
        "found another document",
        None,
        id="two-documents",
    ),
    pytest.param(
        HEAD + "checks:\n  personal-paths:\n    exclude: ['!']\n",
        "dsdone.yaml:7:15: checks.personal-paths.exclude[0] is not a valid glob",
        None,
        id="invalid-exclude-glob",
    ),
    pytest.param(
        HEAD + "checks:\n  personal-paths:\n    exclude: ['data/[z-a]*']\n",
        "dsdone.yaml:7:15: checks.personal-paths.exclude[0] is not a valid glob: "
        "bad character range z-a",
        None,
        id="glob-with-a-backwards-range",
    ),
    pytest.param(
        HEAD + "checks:\n  personal-paths:\n    timeout: .inf\n",
        "dsdone.yaml:7:14: checks.personal-paths.timeout must be a number of seconds up to 604800; "
        "got inf",
        None,
        id="infinite-timeout",
    ),
    pytest.param(
        HEAD + "checks:\n  personal-paths:\n    timeout: 0\n",
        "dsdone.yaml:7:14: checks.personal-paths.timeout must be greater than 0; got 0",
        None,
        id="zero-timeout",
    ),
    pytest.param(
        "- version: 1\n- project: demo\n",
        "dsdone.yaml:1:1: the contract must be a mapping of keys (version, project, ...), "
        "not a list",
        None,
        id="a-list-not-a-mapping",
    ),
    pytest.param(
        "just some words\n",
        "dsdone.yaml:1:1: the contract must be a mapping of keys (version, project, ...), "
        "not a string",
        None,
        id="a-scalar-not-a-mapping",
    ),
    pytest.param(
        "? [version]\n: 1\n",
        "dsdone.yaml:1:3: a key must be a plain word, not a list or a mapping",
        None,
        id="complex-key",
    ),
    pytest.param(
        HEAD + "checks:\n  personal-paths:\n    max_file_mbb: 3\n",
        "dsdone.yaml:7:5: check 'personal-paths' has no option 'max_file_mbb' (its options: "
        "allow_users, include_docs, max_file_mb)",
        "dsdone explain personal-paths",
        id="unknown-check-option",
    ),
    pytest.param(
        HEAD + "checks:\n  personal-paths:\n    max_file_mb: ten\n",
        "dsdone.yaml:7:5: option 'max_file_mb' of check 'personal-paths' must be a number, "
        "not 'ten'",
        None,
        id="check-option-of-the-wrong-type",
    ),
    pytest.param(
        "version: 1\nproject:\n  name: '   '\n  owner: ana\n",
        "dsdone.yaml:3:9: project.name must not be blank: it holds only white space",
        None,
        id="blank-name",
    ),
    pytest.param(
        'version: 1\nproject:\n  name: demo\n  owner: "\\t \\n"\n',
        "dsdone.yaml:4:10: project.owner must not be blank: it holds only white space",
        None,
        id="blank-owner",
    ),
    pytest.param(
        "defaults: &d {name: demo}\nversion: 1\nproject:\n  <<: *d\n  owner: ana\n",
        "dsdone.yaml:4:3: merge keys ('<<') are not supported in a contract",
        "write the keys out",
        id="merge-key",
    ),
    pytest.param(
        HEAD + "inputs:\n  - name: raw\n    expectations:\n      pandera: churn/schemas.py\n",
        "dsdone.yaml:8:16: inputs[0].expectations.pandera must be module:object, such as "
        "churn.schemas:raw_customers; got 'churn/schemas.py'",
        None,
        id="pandera-not-module-object",
    ),
    pytest.param(
        HEAD + "inputs:\n  - name: raw\n    expectations:\n      pandra: a.b:c\n",
        "dsdone.yaml:8:7: unknown key 'pandra' in inputs[0].expectations (did you mean 'pandera'?)",
        None,
        id="expectations-unknown-tool",
    ),
    pytest.param(
        HEAD + "inputs:\n  - name: raw\n    expectations: {}\n",
        "dsdone.yaml:7:19: inputs[0].expectations must not be empty",
        None,
        id="expectations-empty",
    ),
    pytest.param(
        HEAD + "inputs:\n  - name: raw\n    sample: [a.csv]\n",
        "dsdone.yaml:7:13: inputs[0].sample must be a string, not a list",
        None,
        id="input-sample-not-a-string",
    ),
]


@pytest.mark.parametrize(("contract", "message", "hint"), BAD_CONTRACTS)
def test_bad_contract_is_exit_2_with_its_place(
    make_repo, run_cli, contract: str, message: str, hint: str | None
) -> None:
    repo = make_repo(contract=contract, commit=False)
    result = run_cli("check", str(repo))
    assert result.stderr.startswith("dsdone: error: dsdone.yaml:")
    assert_user_error(result, message)
    if hint is not None:
        assert "  hint: " in result.stderr
        assert hint in result.stderr.split("  hint: ", 1)[1]


def test_lists_and_quotes_closed_on_a_later_line_are_valid(tmp_path: Path) -> None:
    # Near-misses of the "left open" errors: YAML lets a flow list or quoted text span lines.
    (tmp_path / "dsdone.yaml").write_text(
        'version: 1\nproject:\n  name: "churn\n    model"\n  owner: ana\n'
        "tests:\n  paths: [tests,\n          more_tests]\n",
        "utf-8",
    )
    contract = load_contract(tmp_path)
    assert (contract.project.name, contract.tests.paths) == ("churn model", ("tests", "more_tests"))


def test_every_problem_in_a_contract_is_listed_in_file_order(make_repo, run_cli) -> None:
    contract = "version: 1\nproject:\n  name: demo\n  ower: ana\ninputs: x\n"
    result = run_cli("check", str(make_repo(contract=contract, commit=False)))
    assert_user_error(result)
    assert re.findall(r"dsdone\.yaml:(\d+):(\d+)", result.stderr) == [
        ("3", "3"),  # project lacks owner: located at the project mapping
        ("4", "3"),  # the misspelt key
        ("5", "9"),  # inputs is not a list
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "dsdone.yaml: the contract is empty", id="empty"),
        pytest.param(b"\n   \n", "dsdone.yaml: the contract is empty", id="blank"),
        pytest.param(b"# version: 1\n", "dsdone.yaml: the contract is empty", id="only-comments"),
        pytest.param(
            b"version: 1\nproject:\n  name: caf\xe9\n",
            "dsdone.yaml:3:12: the contract is not valid UTF-8 (byte 0xe9)",
            id="latin-1-byte",
        ),
        pytest.param(
            b"version: 1\x00\n",
            "dsdone.yaml:1:11: the character U+0000 is not allowed in YAML",
            id="nul-byte",
        ),
        pytest.param(
            b'version: 1\nproject:\n  name: "\x07"\n',
            "dsdone.yaml:3:10: the character U+0007 is not allowed in YAML",
            id="raw-control-character",
        ),
        pytest.param(
            b'version: 1\nproject:\n  name: "\\e[2J"\n  owner: ana\n',
            "dsdone.yaml:3:9: the text holds the control or invalid character U+001B",
            id="escaped-terminal-control-sequence",
        ),
        pytest.param(
            b'version: 1\nproject:\n  name: "\\ud800"\n  owner: ana\n',
            "dsdone.yaml:3:9: the text holds the control or invalid character U+D800",
            id="lone-surrogate-that-utf-8-cannot-write",
        ),
        pytest.param(
            b'version: 1\n"\\x1b]0;pwned\\x07": 1\n',
            "dsdone.yaml:2:1: the text holds the control or invalid character U+001B",
            id="control-character-in-a-key",
        ),
        pytest.param(
            b"version: 1" + b"0" * 5000 + b"\n",
            "dsdone.yaml:1:10: the value cannot be read",
            id="integer-with-thousands-of-digits",
        ),
        pytest.param(
            b"version: 1\nproject:\n  name: !!int\n  owner: ana\n",
            "dsdone.yaml:3:9: the value cannot be read",
            id="a-number-tag-on-nothing",
        ),
    ],
)
def test_contract_that_is_not_text_yaml_is_exit_2(
    make_repo, run_cli, content: bytes, message: str
) -> None:
    repo = make_repo({"dsdone.yaml": content}, contract=None, commit=False)
    assert_user_error(run_cli("check", str(repo)), f"dsdone: error: {message}")


def test_a_utf_8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "dsdone.yaml").write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    assert load_contract(tmp_path).project.name == "demo"


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!!timestamp 2026-01-01",
        "!custom {marker}",
    ],
)
def test_yaml_tags_never_construct_objects(make_repo, run_cli, tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "constructed"
    contract = f"version: 1\nproject:\n  name: {tag.format(marker=marker)}\n  owner: ana\n"
    result = run_cli("check", str(make_repo(contract=contract, commit=False)))
    assert_user_error(result, "dsdone.yaml:3:9: the YAML tag '!", "is not allowed in a contract")
    assert not marker.exists()


BILLION_LAUGHS = """\
version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_an_alias_bomb_stops_at_the_value_cap(make_repo, run_cli) -> None:
    # 9**9 (387 million) strings if expanded: this test would not finish if the cap failed.
    result = run_cli("check", str(make_repo(contract=BILLION_LAUGHS, commit=False)))
    assert_user_error(result, "the document expands to more than 100,000 values", "aliases")


def test_a_self_referencing_alias_is_refused(make_repo, run_cli) -> None:
    result = run_cli("check", str(make_repo(contract="version: 1\na: &a [*a]\n", commit=False)))
    assert_user_error(result, "dsdone.yaml:2:", "nested more than 50 levels deep")


@pytest.mark.parametrize(
    ("contract", "message"),
    [
        pytest.param(
            "a: " + "[" * 60_000 + "]" * 60_000 + "\n",
            "dsdone.yaml: the YAML is nested too deeply to be a contract",
            id="flow-nesting-beyond-the-parser-stack",
        ),
        pytest.param(
            "".join("  " * depth + "k:\n" for depth in range(60)) + "  " * 60 + "k: 1\n",
            "dsdone.yaml:52:103: the document is nested more than 50 levels deep",
            id="block-nesting-beyond-the-cap",
        ),
    ],
)
def test_pathologically_deep_nesting_is_refused(
    make_repo, run_cli, contract: str, message: str
) -> None:
    assert_user_error(run_cli("check", str(make_repo(contract=contract, commit=False))), message)


def test_a_contract_of_many_megabytes_is_refused_before_parsing(make_repo, run_cli) -> None:
    # Valid YAML all the way down: refused for its size alone, not for a syntax error.
    huge = HEAD + "# " + "x" * (3 * MAX_CONTRACT_BYTES) + "\n"
    result = run_cli("check", str(make_repo(contract=huge, commit=False)))
    assert_user_error(
        result, "dsdone.yaml: the contract is larger than 256 KB", "files of their own"
    )


def test_no_contract_in_the_folder_points_to_init(make_repo, run_cli) -> None:
    repo = make_repo({"train.py": "print(1)\n"}, contract=None)
    assert_user_error(run_cli("check", str(repo)), "no dsdone.yaml in this folder", "dsdone init")


def test_a_missing_folder_is_exit_2(tmp_path: Path, run_cli) -> None:
    assert_user_error(run_cli("check", str(tmp_path / "nowhere")), "no such file or folder")


def test_a_contract_linking_out_of_the_project_is_refused(make_repo, run_cli, tmp_path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "dsdone.yaml").write_text(HEAD, "utf-8")
    repo = make_repo(contract=None, commit=False)
    (repo / "dsdone.yaml").symlink_to(outside / "dsdone.yaml")
    assert_user_error(
        run_cli("check", str(repo)), "dsdone.yaml: the contract is a symbolic link to", "outside"
    )


def test_a_contract_linking_inside_the_project_is_read(make_repo, tmp_path: Path) -> None:
    repo = make_repo({"contracts/main.yaml": HEAD}, contract=None, commit=False)
    (repo / "dsdone.yaml").symlink_to("contracts/main.yaml")
    contract = load_contract(repo)
    # The project is the folder the link is in, not the folder its target is in.
    assert contract.root == repo.resolve()
    assert contract.path == repo.resolve() / "dsdone.yaml"


def test_a_contract_link_that_loops_is_exit_2(make_repo, run_cli) -> None:
    repo = make_repo(contract=None, commit=False)
    (repo / "dsdone.yaml").symlink_to("dsdone.yml")
    (repo / "dsdone.yml").symlink_to("dsdone.yaml")
    assert_user_error(run_cli("check", str(repo)), "the contract is a symbolic link that loops")


def test_a_contract_given_as_a_file_makes_its_folder_the_project(make_repo) -> None:
    repo = make_repo({"sub/dsdone.yaml": HEAD})
    contract = load_contract(repo / "sub" / "dsdone.yaml")
    assert contract.root == (repo / "sub").resolve()


def test_a_valid_contract_becomes_typed_data(tmp_path: Path) -> None:
    (tmp_path / "dsdone.yaml").write_text(
        """\
version: 1
project:
  name: churn
  owner: ana@example.com
  consumers: [billing, crm]
inputs:
  - name: events
    source: s3://bucket/events/
    format: parquet
    pipeline: churn/data.py:load_events
outputs:
  - name: scores
    format: csv
    schema: {type: object}
config:
  files: ["configs/*.yaml"]
retrain:
  entrypoint: python -m churn.train
tests:
  paths: [tests, checks]
checks:
  personal-paths:
    severity: warning
    exclude: ["docs/**"]
    timeout: 2.5
waivers:
  - check: unit-tests
    reason: tests are being written
    until: 2026-12-31
""",
        "utf-8",
    )
    contract = load_contract(tmp_path)
    assert contract.project.consumers == ("billing", "crm")
    assert (
        contract.inputs is not None and contract.inputs[0].pipeline == "churn/data.py:load_events"
    )
    assert contract.outputs is not None and contract.outputs[0].schema == {"type": "object"}
    assert contract.config_files == ("configs/*.yaml",)
    assert contract.retrain is not None and contract.retrain.schedule is None
    assert contract.tests.paths == ("tests", "checks") and contract.tests.min_tests == 1
    settings = contract.settings("personal-paths")
    assert (settings.severity, settings.exclude, settings.timeout) == (
        Severity.WARNING,
        ("docs/**",),
        2.5,
    )
    assert contract.settings("unknown").enabled is True
    assert contract.waivers[0].until is not None and contract.waivers[0].until.isoformat() == (
        "2026-12-31"
    )
    # Lines of values, for findings located in the contract.
    assert contract.line_of("inputs", 0, "pipeline") == 10
    assert contract.line_of("checks", "personal-paths", "timeout") == 25
    assert contract.line_of("waivers", 0) == 27


def test_undeclared_sections_are_none_not_empty(tmp_path: Path) -> None:
    (tmp_path / "dsdone.yaml").write_text(HEAD, "utf-8")
    contract = load_contract(tmp_path)
    assert (contract.inputs, contract.outputs, contract.config_files, contract.retrain) == (
        None,
        None,
        None,
        None,
    )
    assert contract.waivers == () and contract.plugins == ()


def test_declared_but_empty_sections_are_empty_not_none(tmp_path: Path) -> None:
    (tmp_path / "dsdone.yaml").write_text(HEAD + "inputs: []\noutputs: []\n", "utf-8")
    contract = load_contract(tmp_path)
    assert contract.inputs == () and contract.outputs == ()


def test_a_date_stays_the_string_it_was_written_as(tmp_path: Path) -> None:
    # YAML 1.1 would make it a datetime.date, which JSON Schema calls neither string nor date.
    (tmp_path / "dsdone.yaml").write_text(HEAD + "  description: 2026-01-31\n", "utf-8")
    assert load_contract(tmp_path).project.description == "2026-01-31"


@pytest.mark.parametrize("word", ["on", "yes", "off"])
def test_a_yaml_1_1_boolean_where_a_string_belongs_is_named(make_repo, run_cli, word: str) -> None:
    # Not silently the string "True": the user sees what YAML made of their word.
    contract = HEAD + f"  description: {word}\n"
    result = run_cli("check", str(make_repo(contract=contract, commit=False)))
    assert_user_error(
        result, "dsdone.yaml:5:16: project.description must be a string, not the boolean"
    )


def test_version_1_0_is_version_1(tmp_path: Path) -> None:
    (tmp_path / "dsdone.yaml").write_text(HEAD.replace("version: 1", "version: 1.0"), "utf-8")
    version = load_contract(tmp_path).version
    assert version == 1 and isinstance(version, int)


def test_schemas_have_versions_and_inputs_have_schemas(tmp_path: Path) -> None:
    (tmp_path / "dsdone.yaml").write_text(
        HEAD
        + """\
inputs:
  - name: customers
    schema: schemas/customers.json
    version: "2.1.0"
outputs:
  - name: scores
    schema: {type: object}
    version: 3
waivers:
  - check: breaking-changes
    reason: the CRM team reads v2 from Monday
    change: scores#/properties/score/type
""",
        "utf-8",
    )
    contract = load_contract(tmp_path)
    assert contract.inputs is not None and contract.outputs is not None
    assert (contract.inputs[0].schema, contract.inputs[0].version) == (
        "schemas/customers.json",
        "2.1.0",
    )
    assert contract.outputs[0].version == 3
    assert contract.waivers[0].change == "scores#/properties/score/type"


@pytest.mark.parametrize("version", ['"two"', '"2.x"', "-1", "1.5"])
def test_a_schema_version_is_a_whole_number_or_semver(
    make_repo: Any, run_cli: Any, version: str
) -> None:
    contract = HEAD + f"outputs:\n  - name: scores\n    version: {version}\n"
    result = run_cli("check", str(make_repo(contract=contract, commit=False)))
    assert_user_error(result, "dsdone.yaml:7:14: outputs[0].version must be")
