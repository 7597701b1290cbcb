"""breaking-changes: with --base REF, the schemas of outputs and inputs are compared with the ones
at REF, read from git, and every change is classified by whom it breaks. Every row of the
README's table of rules is a case below, run on a real repository with a base and a head commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo, RunCli, git

from dsdone.analysis.schema_diff import Direction, Verdict, compare
from dsdone.testing import write_files

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

CHECKS = "breaking-changes,contract-changes"

RECORD: dict[str, Any] = {
    "type": "object",
    "required": ["id", "score"],
    "properties": {
        "id": {"type": "integer", "description": "The customer."},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "band": {"type": "string", "enum": ["low", "high"]},
        "label": {"type": "string", "maxLength": 20},
        "when": {"type": "string", "format": "date"},
    },
}


def changed(**changes: Any) -> dict[str, Any]:
    """RECORD with ``changes``: ``score={...}`` replaces a property (None removes it),
    ``_required=[...]``, ``_top={...}`` updates the record itself."""
    record = json.loads(json.dumps(RECORD))
    for name, value in changes.items():
        if name == "_required":
            record["required"] = value
        elif name == "_top":
            record.update(value)
        elif value is None:
            del record["properties"][name]
        else:
            record["properties"][name] = value
    return record


CLOSED = changed(_top={"additionalProperties": False})


@dataclass(frozen=True)
class Row:
    """A row of the README's table: a change, an example, and its verdict for an output (read by
    consumers) and an input (written by producers)."""

    change: str
    old: dict[str, Any]
    new: dict[str, Any]
    pointer: str
    output: Verdict
    input: Verdict


B, C, R = Verdict.BREAKING, Verdict.COMPATIBLE, Verdict.REVIEW

ROWS = [
    Row("property removed", RECORD, changed(label=None), "/properties/label", B, C),
    Row(
        "property removed from a closed record",
        CLOSED,
        {**CLOSED, "properties": {k: v for k, v in CLOSED["properties"].items() if k != "label"}},
        "/properties/label",
        B,
        B,
    ),
    Row(
        "property renamed",
        RECORD,
        changed(score=None, _required=["id", "probability"], probability={"type": "number"}),
        "/properties/score",
        B,
        C,
    ),
    Row("required property made optional", RECORD, changed(_required=["id"]), "/required", B, C),
    Row(
        "optional property made required",
        RECORD,
        changed(_required=["id", "score", "band"]),
        "/required",
        C,
        B,
    ),
    Row(
        "new optional property",
        RECORD,
        changed(segment={"type": "string"}),
        "/properties/segment",
        C,
        C,
    ),
    Row(
        "new property in a closed record",
        CLOSED,
        {**CLOSED, "properties": {**CLOSED["properties"], "segment": {"type": "string"}}},
        "/properties/segment",
        B,
        C,
    ),
    Row(
        "new required property",
        RECORD,
        changed(segment={"type": "string"}, _required=["id", "score", "segment"]),
        "/required",
        C,
        B,
    ),
    Row("type changed", RECORD, changed(id={"type": "string"}), "/properties/id/type", B, B),
    Row(
        "type widened",
        RECORD,
        changed(id={"type": "number"}),
        "/properties/id/type",
        B,
        C,
    ),
    Row(
        "null allowed",
        RECORD,
        changed(score={"type": ["number", "null"], "minimum": 0, "maximum": 1}),
        "/properties/score/type",
        B,
        C,
    ),
    Row(
        "type narrowed",
        RECORD,
        changed(score={"type": "integer", "minimum": 0, "maximum": 1}),
        "/properties/score/type",
        C,
        B,
    ),
    Row(
        "enum gains a value",
        RECORD,
        changed(band={"type": "string", "enum": ["low", "mid", "high"]}),
        "/properties/band/enum",
        B,
        C,
    ),
    Row(
        "enum loses a value",
        RECORD,
        changed(band={"type": "string", "enum": ["low"]}),
        "/properties/band/enum",
        C,
        B,
    ),
    Row(
        "bound loosened",
        RECORD,
        changed(score={"type": "number", "minimum": 0, "maximum": 100}),
        "/properties/score/maximum",
        B,
        C,
    ),
    Row(
        "bound tightened",
        RECORD,
        changed(label={"type": "string", "maxLength": 10}),
        "/properties/label/maxLength",
        C,
        B,
    ),
    Row(
        "format added",
        RECORD,
        changed(label={"type": "string", "maxLength": 20, "format": "email"}),
        "/properties/label/format",
        C,
        B,
    ),
    Row(
        "format removed",
        RECORD,
        changed(when={"type": "string"}),
        "/properties/when/format",
        B,
        C,
    ),
    Row(
        "format changed",
        RECORD,
        changed(when={"type": "string", "format": "date-time"}),
        "/properties/when/format",
        B,
        B,
    ),
    Row(
        "pattern changed",
        changed(label={"type": "string", "pattern": "^[a-z]+$"}),
        changed(label={"type": "string", "pattern": "^[a-z0-9]+$"}),
        "/properties/label/pattern",
        B,
        B,
    ),
    Row(
        "record closed",
        RECORD,
        CLOSED,
        "/additionalProperties",
        C,
        B,
    ),
    Row("record opened", CLOSED, RECORD, "/additionalProperties", B, C),
    Row(
        "list items changed",
        changed(tags={"type": "array", "items": {"type": "string"}}),
        changed(tags={"type": "array", "items": {"type": ["string", "null"]}}),
        "/properties/tags/items/type",
        B,
        C,
    ),
    Row(
        "oneOf, not, if/then changed",
        changed(id={"oneOf": [{"type": "integer"}, {"type": "string"}]}),
        changed(id={"oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 3}]}),
        "/properties/id/oneOf",
        R,
        R,
    ),
]


def test_every_row_of_the_readme_table_is_a_case_here() -> None:
    section = README.split("### Breaking-change rules", 1)[1]
    table = section[section.index("\n| change |") :].strip().splitlines()
    listed = []
    for line in table[2:]:  # after the header and the rule
        if not line.startswith("|"):
            break
        listed.append(line.split("|")[1].strip())
    assert listed == [row.change for row in ROWS]


@pytest.mark.parametrize("row", ROWS, ids=[row.change for row in ROWS])
def test_the_comparison_classifies_each_rule(row: Row) -> None:
    changes = [c for c in compare(row.old, row.new) if c.pointer == row.pointer]
    assert changes, [c.pointer for c in compare(row.old, row.new)]
    for direction, expected in ((Direction.OUTPUT, row.output), (Direction.INPUT, row.input)):
        verdicts = {c.verdict(direction) for c in changes}
        worst = B if B in verdicts else R if R in verdicts else C
        assert worst is expected, (direction, [(c.summary, c.admits, c.rejects) for c in changes])


# -- on real repositories: a base commit, a head commit, dsdone check --base ---------------------

CONTRACT = (
    MINIMAL_CONTRACT
    + """\
inputs:
  - name: customers
    schema: schemas/customers.json
outputs:
  - name: scores
    schema: schemas/scores.json
"""
)


def schema_files(output: Any, input_: Any | None = None) -> dict[str, str]:
    return {
        "schemas/scores.json": json.dumps(output, indent=2) + "\n",
        "schemas/customers.json": json.dumps(output if input_ is None else input_, indent=2) + "\n",
    }


def commit(root: Path, files: dict[str, str], contract: str | None = None) -> None:
    """The head commit: ``files`` (and the contract) written over the base."""
    write_files(root, files if contract is None else {**files, "dsdone.yaml": contract})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "head")


def check(run_cli: RunCli, root: Path, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    result = run_cli("check", str(root), "--select", CHECKS, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, {r["check"]: r for r in json.loads(result.stdout)["results"]}


def changes_of(result: dict[str, Any]) -> list[str]:
    return [f["change"] for f in result["findings"]]


@pytest.mark.parametrize("row", ROWS, ids=[row.change for row in ROWS])
def test_each_rule_on_a_repository(make_repo: MakeRepo, run_cli: RunCli, row: Row) -> None:
    root = make_repo(schema_files(row.old), contract=CONTRACT)
    commit(root, schema_files(row.new))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    breaking, review = results["breaking-changes"], results["contract-changes"]
    for name, verdict in (("scores", row.output), ("customers", row.input)):
        key = f"{name}#{row.pointer}"
        assert (key in changes_of(breaking)) is (verdict is B), (key, breaking)
        assert (key in changes_of(review)) is (verdict is R), (key, review)
    assert code == (1 if B in (row.output, row.input) else 0)


def test_a_breaking_change_is_a_finding_at_its_line_with_what_a_consumer_sees(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(schema_files(RECORD), contract=CONTRACT)
    commit(root, schema_files(changed(score={"type": ["number", "null"], "maximum": 1})))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 1
    scores = [
        f for f in results["breaking-changes"]["findings"] if f["change"].startswith("scores")
    ]
    assert [(f["path"], f["line"], f["message"]) for f in scores] == [
        (
            "schemas/scores.json",
            12,  # where "score" is: its minimum is no longer there
            "output 'scores': /properties/score/minimum: minimum >= 0 became none; "
            "a consumer may now receive values below 0",
        ),
        (
            "schemas/scores.json",
            13,
            "output 'scores': /properties/score/type: type number became number or null; "
            "a consumer may now receive null",
        ),
    ]
    assert "raise the output's `version` to 2" in scores[1]["hint"]
    assert 'change: "scores#/properties/score/type"' in scores[1]["hint"]


def test_near_misses_stay_quiet(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(schema_files(RECORD), contract=CONTRACT)
    output = changed(
        id={"type": "integer", "description": "The customer's id in the CRM.", "title": "Id"},
        band={"type": "string", "enum": ["low"]},  # narrowed: consumers see fewer values
    )
    commit(root, schema_files(output, RECORD))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 0
    assert results["breaking-changes"]["status"] == "pass"
    assert results["contract-changes"]["status"] == "pass"
    assert 'enum lost ["high"]' in results["breaking-changes"]["summary"]
    assert "description" not in results["breaking-changes"]["summary"]


def test_refs_are_followed_across_files_and_the_change_is_found_where_it_is(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    scores = changed(score={"$ref": "common/types.json#/$defs/probability"})
    common = {"$defs": {"probability": {"type": "number", "minimum": 0, "maximum": 1}}}
    files = {
        **schema_files(scores, {"type": "object"}),
        "schemas/common/types.json": json.dumps(common, indent=2) + "\n",
    }
    root = make_repo(files, contract=CONTRACT)
    common["$defs"]["probability"]["maximum"] = 100
    commit(root, {"schemas/common/types.json": json.dumps(common, indent=2) + "\n"})

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 1
    (finding,) = results["breaking-changes"]["findings"]
    assert (finding["path"], finding["line"], finding["change"]) == (
        "schemas/common/types.json",
        6,
        "scores#/properties/score/maximum",
    )
    assert (
        "maximum <= 1 became <= 100; a consumer may now receive values above 1"
        in (finding["message"])
    )


def test_a_ref_that_leaves_the_repository_is_left_for_review(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(schema_files(RECORD, {"type": "object"}), contract=CONTRACT)
    ref = "https://example.com/schemas/probability.json"
    commit(root, schema_files(changed(score={"$ref": ref}), {"type": "object"}))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 0  # nothing provably breaks; a person must look
    (finding,) = results["contract-changes"]["findings"]
    assert finding["message"].startswith(
        f"output 'scores': /properties/score: $ref '{ref}' cannot be resolved: {ref} is not a "
        "file of the repository"
    )
    assert (finding["path"], finding["line"]) == ("schemas/scores.json", 13)


def test_an_inline_schema_is_compared_at_its_lines_in_the_contract(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    def contract(kind: str) -> str:
        return MINIMAL_CONTRACT + (
            "outputs:\n  - name: scores\n    schema:\n      type: object\n"
            f"      properties:\n        score: {{type: {kind}}}\n"
        )

    root = make_repo({"README.md": ""}, contract=contract("number"))
    commit(root, {}, contract("string"))

    _, results = check(run_cli, root, "--base", "HEAD~1")

    (finding,) = results["breaking-changes"]["findings"]
    assert (finding["path"], finding["line"], finding["change"]) == (
        "dsdone.yaml",
        10,
        "scores#/properties/score/type",
    )


def test_a_removed_output_or_schema_breaks_its_consumers(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    two = CONTRACT + "  - name: segments\n    schema: schemas/scores.json\n"
    root = make_repo(schema_files(RECORD), contract=two)
    commit(root, {}, CONTRACT.replace("    schema: schemas/scores.json\n", ""))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 1
    assert [(f["line"], f["message"]) for f in results["breaking-changes"]["findings"]] == [
        (8, "output 'segments' was removed from the contract (or renamed): its consumers lose it"),
        (9, "output 'scores': its schema was removed; consumers lose the promise of its shape"),
    ]


def test_a_new_major_version_accepts_the_breaking_changes(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(schema_files(RECORD), contract=CONTRACT)
    bumped = CONTRACT.replace(
        "    schema: schemas/scores.json\n",
        '    schema: schemas/scores.json\n    version: "2.0.0"\n',
    )
    commit(root, schema_files(changed(label=None), RECORD), bumped)

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 0
    assert results["breaking-changes"]["status"] == "pass"
    assert (
        "output 'scores': 1 breaking change accepted by its new major version 1 → 2.0.0"
        in (results["breaking-changes"]["summary"])
    )


def test_a_minor_version_accepts_nothing(make_repo: MakeRepo, run_cli: RunCli) -> None:
    versioned = CONTRACT.replace(
        "    schema: schemas/scores.json\n", "    schema: schemas/scores.json\n    version: 2\n"
    )
    root = make_repo(schema_files(RECORD), contract=versioned)
    commit(root, schema_files(changed(label=None), RECORD), versioned.replace("2\n", '"2.1"\n'))

    code, _ = check(run_cli, root, "--base", "HEAD~1")

    assert code == 1


def waiver(change: str, until: str = "2999-12-31") -> str:
    return (
        "waivers:\n  - check: breaking-changes\n    reason: the CRM team reads v2 from Monday\n"
        f"    until: {until}\n    change: {change}\n"
    )


@pytest.mark.parametrize(
    ("change", "waived"),
    [
        ("scores#/properties/score/type", True),
        ("scores#/properties/score", True),  # the part of the schema that holds it
        ("/properties/score/type", True),  # in any input or output
        ("scores", True),
        ("scores#/properties/id", False),
        ("customers#/properties/score/type", False),
    ],
)
def test_a_waiver_names_the_change_it_accepts(
    make_repo: MakeRepo, run_cli: RunCli, change: str, waived: bool
) -> None:
    root = make_repo(schema_files(RECORD, {"type": "object"}), contract=CONTRACT + waiver(change))
    score = {"type": "string"}
    commit(root, schema_files(changed(score=score), {"type": "object"}))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert (code, results["breaking-changes"]["status"]) == (
        (0, "waived") if waived else (1, "fail")
    )


def test_a_waiver_of_a_change_expires(make_repo: MakeRepo, run_cli: RunCli) -> None:
    contract = CONTRACT + waiver("scores#/properties/score/type", until="2020-01-31")
    root = make_repo(schema_files(RECORD, {"type": "object"}), contract=contract)
    commit(root, schema_files(changed(score={"type": "string"}), {"type": "object"}))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 1
    assert "waiver expired on 2020-01-31" in results["breaking-changes"]["summary"]


def test_a_schema_that_did_not_exist_at_the_base_is_new(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"README.md": ""}, contract=CONTRACT)
    commit(root, schema_files(RECORD))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 0
    assert results["breaking-changes"]["findings"] == []


def test_without_base_the_checks_are_skipped_with_the_reason(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(schema_files(RECORD), contract=CONTRACT)

    code, results = check(run_cli, root)

    assert code == 0
    for result in results.values():
        assert result["status"] == "skip"
        assert result["summary"].startswith("no --base revision to compare with")


def test_a_contract_that_is_new_since_the_base_is_skipped(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"README.md": ""}, contract=None)
    commit(root, schema_files(RECORD), CONTRACT)

    _, results = check(run_cli, root, "--base", "HEAD~1")

    assert results["breaking-changes"]["status"] == "skip"
    assert "dsdone.yaml is new since HEAD~1" in results["breaking-changes"]["summary"]


# -- a base that cannot be read ------------------------------------------------------------------


def test_a_revision_that_does_not_exist_is_an_error_that_says_what_to_fetch(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(schema_files(RECORD), contract=CONTRACT)

    code, results = check(run_cli, root, "--base", "origin/main")

    assert code == 1
    for result in results.values():
        assert result["status"] == "error"
        assert result["summary"] == (
            "--base origin/main: origin/main is not a commit of this repository; fetch it "
            "first, e.g. `git fetch --depth=1 origin main` (a CI checkout often has only the "
            "commit under test)"
        )


def test_a_shallow_clone_without_the_base_says_what_to_fetch(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    upstream = make_repo(schema_files(RECORD), contract=CONTRACT)
    git(upstream, "checkout", "-q", "-b", "feature")
    commit(upstream, schema_files(changed(label=None)))
    clone = tmp_path / "clone"
    git(
        tmp_path, "clone", "-q", "--depth=1", "--branch", "feature", "--single-branch",
        upstream.as_uri(), str(clone),
    )  # fmt: skip

    _, results = check(run_cli, clone, "--base", "origin/main")

    summary = results["breaking-changes"]["summary"]
    assert "origin/main is not a commit of this shallow clone" in summary
    assert "`git fetch --depth=1 origin main`" in summary

    git(clone, "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main")
    code, results = check(run_cli, clone, "--base", "origin/main")
    assert code == 1
    assert changes_of(results["breaking-changes"]) == ["scores#/properties/label"]


def test_a_schema_that_was_invalid_at_the_base_is_an_error(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    broken = changed(score={"type": "probability"})
    root = make_repo(schema_files(broken, {"type": "object"}), contract=CONTRACT)
    commit(root, schema_files(RECORD, {"type": "object"}))

    code, results = check(run_cli, root, "--base", "HEAD~1")

    assert code == 1
    summary = results["breaking-changes"]["summary"]
    assert results["breaking-changes"]["status"] == "error"
    assert summary.startswith(
        "outputs[0] (scores): the schema at HEAD~1 cannot be compared: schemas/scores.json at "
        "HEAD~1 is not a valid JSON Schema"
    )


def test_a_project_in_a_subfolder_reads_its_own_paths_at_the_base(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    files = {f"models/churn/{path}": text for path, text in schema_files(RECORD).items()}
    root = make_repo({**files, "models/churn/dsdone.yaml": CONTRACT}, contract=None)
    commit(root, {"models/churn/schemas/scores.json": json.dumps(changed(id=None))})

    code, results = check(run_cli, root / "models" / "churn", "--base", "HEAD~1")

    assert code == 1
    assert changes_of(results["breaking-changes"]) == ["scores#/properties/id"]
