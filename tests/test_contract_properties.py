"""Property-based tests of the contract loader: whatever the bytes of dsdone.yaml, the loader
returns a Contract or raises DsdoneError naming the file, and never anything else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dsdone import yamlsource
from dsdone.contract import Contract, load_contract
from dsdone.errors import DsdoneError

VALID = """\
version: 1
project:
  name: demo
  owner: ana@example.com
  consumers: [billing]
inputs:
  - name: events
    source: data/events.csv
    format: csv
    pipeline: src/load.py:load
outputs:
  - name: scores
    format: csv
    schema: schemas/scores.json
config:
  files: [configs/*.yaml]
retrain:
  entrypoint: python -m demo.train
  schedule: "@weekly"
tests:
  paths: [tests]
  min_tests: 3
checks:
  personal-paths:
    severity: warning
    exclude: [docs/**]
waivers:
  - check: unit-tests
    reason: being written
    until: 2026-12-31
"""

# Pieces that make YAML interesting to a parser: structure, anchors, aliases, tags, quotes,
# escapes, directives, the contract's own words.
YAML_TOKENS = [
    ":",
    ": ",
    "-",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "?",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!!str ",
    "!!int ",
    "!!float ",
    "!!python/object:os.system ",
    "!x ",
    "'",
    '"',
    "\\",
    "\\e",
    "\\ud800",
    "\\x00",
    "#",
    "|",
    ">",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "<<: ",
    "\n",
    "  ",
    "\t",
    "~",
    "null",
    "true",
    "on",
    "1",
    "1.0",
    ".inf",
    "-0",
    "0x1F",
    "2026-01-31",
    "version",
    "project",
    "name",
    "owner",
    "inputs",
    "checks",
    "waivers",
    "until",
    "timeout",
    "exclude",
    "\u00e9",
    "\U0001f600",
    "\x85",
]


@pytest.fixture(scope="module")
def contract_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One file rewritten per example: hypothesis runs many examples in one test function.
    return tmp_path_factory.mktemp("contract") / "dsdone.yaml"


def load_outcome(path: Path, content: bytes) -> Contract | DsdoneError:
    path.write_bytes(content)
    try:
        return load_contract(path)
    except DsdoneError as exc:
        # The user-facing error: it names the file, and it prints without a traceback.
        assert exc.message.startswith("dsdone.yaml"), exc.message
        assert exc.exit_code == 2
        return exc


SETTINGS = settings(
    max_examples=300,
    deadline=None,  # the first example pays for importing jsonschema
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(content=st.binary(max_size=400))
def test_arbitrary_bytes_load_or_raise_the_users_error(contract_file: Path, content: bytes) -> None:
    load_outcome(contract_file, content)


@SETTINGS
@given(text=st.text(max_size=300))
def test_arbitrary_text_loads_or_raises_the_users_error(contract_file: Path, text: str) -> None:
    load_outcome(contract_file, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(pieces=st.lists(st.sampled_from(YAML_TOKENS), max_size=60))
def test_yaml_shaped_noise_loads_or_raises_the_users_error(
    contract_file: Path, pieces: list[str]
) -> None:
    load_outcome(contract_file, "".join(pieces).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(
    position=st.integers(min_value=0, max_value=len(VALID)),
    cut=st.integers(min_value=0, max_value=20),
    insert=st.sampled_from(YAML_TOKENS),
)
def test_a_damaged_valid_contract_loads_or_raises_the_users_error(
    contract_file: Path, position: int, cut: int, insert: str
) -> None:
    damaged = VALID[:position] + insert + VALID[position + cut :]
    load_outcome(contract_file, damaged.encode("utf-8", "surrogatepass"))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
keys = st.one_of(
    st.sampled_from(
        [
            "version",
            "project",
            "name",
            "owner",
            "inputs",
            "outputs",
            "source",
            "checks",
            "timeout",
            "exclude",
            "waivers",
            "check",
            "reason",
            "until",
            "tests",
            "paths",
            "min_tests",
            "config",
            "files",
            "plugins",
        ]
    ),
    st.text(max_size=10),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=30,
)


@SETTINGS
@given(data=st.dictionaries(keys, documents, max_size=6))
def test_any_well_formed_yaml_data_loads_or_raises_the_users_error(
    contract_file: Path, data: dict[str, Any]
) -> None:
    # Structurally valid YAML of any shape: the errors come from the schema and the builder.
    text = yaml.safe_dump({"version": 1, **data}, allow_unicode=True)
    load_outcome(contract_file, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(
    name=st.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s and s.isprintable()),
    owner=st.emails(),
    consumers=st.lists(st.text(alphabet="abcdefghij-", min_size=1, max_size=8), max_size=3),
)
def test_a_valid_contract_keeps_its_values(
    contract_file: Path, name: str, owner: str, consumers: list[str]
) -> None:
    text = yaml.safe_dump(
        {"version": 1, "project": {"name": name, "owner": owner, "consumers": consumers}},
        allow_unicode=True,
    )
    outcome = load_outcome(contract_file, text.encode("utf-8"))
    assert isinstance(outcome, Contract), outcome
    assert outcome.project.name == name
    assert outcome.project.owner == owner
    assert outcome.project.consumers == tuple(consumers)
    # Every value is located on a line that exists.
    line = outcome.line_of("project", "name")
    assert line is not None and 1 <= line <= text.count("\n")


# -- libyaml composes what it reads as the pure-Python parser does ---------------------------

LIBYAML = yamlsource._CLoader
# More of what the two parsers could read otherwise: scalars YAML 1.1 resolves, escapes,
# flow and block collections side by side, the characters that send a document to the pure
# parser.
PARSER_TOKENS = [
    *YAML_TOKENS,
    *("  - ", "key: ", "'a''b'", '"\\n"', "\r\n", "\r", "\u2028", "\ufeff", "|2-\n", "?"),
    *("a: >\n  x\n", "- [a, b]\n", "{a: 1, b: [x]}", "a: b: c", "x:y", ":x", "--- ", "`"),
    *("0o17", "1e3", "+.inf", ".NaN", "Yes", "NO", "0b101", "1_000", "12:30", "\u00a0"),
    *("''", '""', "\\u263a", "\\x41", "  \n", " #x", "- - ", "[[", "]]", "{{", "}}"),
]


def composed_both_ways(text: str) -> list[object]:
    """What ``load_yaml`` gives for ``text`` with libyaml composing what it can, and with the
    pure-Python parser alone: the data and every position, or the error and its place."""
    outcomes: list[object] = []
    try:
        for loader in (LIBYAML, None):
            yamlsource._CLoader = loader
            try:
                document = yamlsource.load_yaml(text, "dsdone.yaml")
            except DsdoneError as exc:
                outcomes.append((exc.message, exc.hint))
            else:
                outcomes.append((repr(document.data), document.values, document.keys))
    finally:
        yamlsource._CLoader = LIBYAML
    return outcomes


@pytest.mark.skipif(LIBYAML is None, reason="PyYAML is built without libyaml here")
@settings(max_examples=500, deadline=None)
# What the two read otherwise, found by this test: an empty value's place, a tab, a "?" in a
# flow list, a block scalar's header, a byte order mark.
@example(pieces=["{a: }"], position=0, cut=0)
@example(pieces=["? a"], position=0, cut=0)
@example(pieces=["::\t"], position=0, cut=0)
@example(pieces=["[c? d]"], position=0, cut=0)
@example(pieces=["|#"], position=0, cut=0)
@example(pieces=[":\ufeff"], position=0, cut=0)
@given(
    pieces=st.lists(st.sampled_from(PARSER_TOKENS), max_size=60),
    position=st.integers(min_value=0, max_value=len(VALID)),
    cut=st.integers(min_value=0, max_value=20),
)
def test_libyaml_and_the_pure_parser_give_the_same_data_positions_and_errors(
    pieces: list[str], position: int, cut: int
) -> None:
    for text in ("".join(pieces), VALID[:position] + "".join(pieces) + VALID[position + cut :]):
        fast, pure = composed_both_ways(text)
        assert fast == pure


@pytest.mark.skipif(LIBYAML is None, reason="PyYAML is built without libyaml here")
def test_libyaml_composes_a_contract_as_teams_write_them() -> None:
    # The point of it: the examples' contracts are read by libyaml, not by the slow parser.
    for name in ("ready", "not-ready"):
        text = (Path(__file__).parent.parent / "examples" / name / "dsdone.yaml").read_text()
        assert yamlsource._compose_fast(text) is not None, name
