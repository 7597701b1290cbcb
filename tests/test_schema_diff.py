"""The comparison of two JSON Schemas, as pure functions: what the new one admits and rejects, and
$refs resolved within one tree of files and nowhere else. (Each rule of the README's table is
run on a real repository in tests/checks/test_breaking_changes.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from dsdone.analysis.schema_diff import Direction, Kind, Place, Schema, Verdict, compare
from dsdone.analysis.schema_refs import MAX_FILES, Refused, tree_resolver, tree_uri


def found(old: Any, new: Any) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.pointer, c.summary, c.admits, c.rejects) for c in compare(old, new)]


def in_tree(files: dict[str, Any], path: str) -> Schema:
    """The schema at ``path`` of a tree of ``files``, its $refs read from them."""

    def read(name: str) -> Any:
        if name not in files:
            return None
        return files[name]

    uri = tree_uri(path)
    return Schema(files[path], tree_resolver(files[path], uri, read), Place(uri))


def test_identical_schemas_have_no_change() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "enum": ["x", 1.0]}}}
    assert compare(schema, schema) == []
    assert compare({"enum": [1]}, {"enum": [1.0]}) == []  # JSON's equality


def test_a_recursive_schema_is_compared_once_and_its_change_found() -> None:
    def tree(extra: dict[str, Any]) -> dict[str, Any]:
        node = {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}, **extra}}
        return {"$defs": {"node": node}, "$ref": "#/$defs/node"}

    assert found(tree({}), tree({"size": {"type": "integer"}})) == [
        ("/properties/size", "new property 'size'", None, None)
    ]


def test_keywords_beside_a_ref_are_read_with_it() -> None:
    defs = {"$defs": {"p": {"type": "number"}}}
    old = {**defs, "properties": {"a": {"$ref": "#/$defs/p", "maximum": 1}}}
    new = {**defs, "properties": {"a": {"$ref": "#/$defs/p", "maximum": 2}}}
    (change,) = compare(old, new)
    assert (change.pointer, change.admits) == ("/properties/a/maximum", "values above 1")
    assert change.place.parts == ("properties", "a", "maximum")  # beside the $ref, not in $defs


@pytest.mark.parametrize(
    ("old", "new", "admits", "rejects"),
    [
        ({"exclusiveMinimum": 0}, {"minimum": 0}, "values of 0 or less", None),
        ({"minimum": 0, "exclusiveMinimum": True}, {"minimum": 0}, "values of 0 or less", None),
        ({"multipleOf": 0.5}, {"multipleOf": 1}, None, "numbers that are not multiples of 1"),
        (
            {"multipleOf": 2},
            {"multipleOf": 3},
            "numbers that are not multiples of 2",
            "numbers that are not multiples of 3",
        ),
        ({"minLength": 2}, {}, "strings shorter than 2", None),
        (
            {"type": "array"},
            {"type": "array", "uniqueItems": True},
            None,
            "lists with repeated items",
        ),
        (
            {"type": "array", "maxItems": 3},
            {"type": "array", "maxItems": 5},
            "lists of more than 3 items",
            None,
        ),
    ],
)
def test_bounds_say_what_lies_beyond_them(
    old: dict[str, Any], new: dict[str, Any], admits: str | None, rejects: str | None
) -> None:
    (change,) = compare(old, new)
    assert (change.kind, change.admits, change.rejects) == (
        Kind.BOUND if "uniqueItems" not in new else Kind.UNIQUE_ITEMS,
        admits,
        rejects,
    )


def test_a_keyword_of_another_type_is_not_compared_once_the_type_changed() -> None:
    # maxLength means nothing for a number: only the type change is reported.
    assert found({"type": "string", "maxLength": 3}, {"type": "number"}) == [
        ("/type", "type string became number", "numbers", "strings")
    ]


def test_an_anyof_branch_added_admits_its_values() -> None:
    old = {"anyOf": [{"type": "number"}]}
    new = {"anyOf": [{"type": "number"}, {"type": "null"}]}
    (change,) = compare(old, new)
    assert change.pointer == "/anyOf/1"
    assert change.verdict(Direction.OUTPUT) is Verdict.BREAKING
    assert change.verdict(Direction.INPUT) is Verdict.COMPATIBLE


@pytest.mark.parametrize(
    ("old", "new", "pointer"),
    [
        ({"not": {"type": "null"}}, {"not": {"type": "string"}}, "/not"),
        (
            {"if": {"required": ["a"]}, "then": {"required": ["b"]}},
            {"if": {"required": ["a"]}},
            "/then",
        ),
        (
            {"patternProperties": {"^x": {"type": "string"}}},
            {"patternProperties": {"^x": {"type": "integer"}}},
            "/patternProperties",
        ),
        ({"contains": {"const": 1}}, {"contains": {"const": 2}}, "/contains"),
    ],
)
def test_what_cannot_be_decided_statically_is_for_review(
    old: dict[str, Any], new: dict[str, Any], pointer: str
) -> None:
    (change,) = compare(old, new)
    assert (change.pointer, change.kind) == (pointer, Kind.UNDECIDABLE)
    assert change.verdict(Direction.OUTPUT) is change.verdict(Direction.INPUT) is Verdict.REVIEW


def test_a_change_inside_oneof_through_a_ref_is_not_missed() -> None:
    # The oneOf is written the same; the schema it points to changed.
    old = {"oneOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"type": "string"}}}
    new = {"oneOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"type": "integer"}}}
    assert [c.kind for c in compare(old, new)] == [Kind.UNDECIDABLE]
    described = {"oneOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"type": "string", "title": "A"}}}
    assert compare(old, described) == []


def test_refs_are_read_from_the_tree_and_located_in_their_file() -> None:
    old = {
        "scores.json": {"properties": {"p": {"$ref": "defs/types.json#/$defs/p"}}},
        "defs/types.json": {"$defs": {"p": {"type": "number"}}},
    }
    new = {**old, "defs/types.json": {"$defs": {"p": {"type": "string"}}}}
    (change,) = compare(in_tree(old, "scores.json"), in_tree(new, "scores.json"))
    assert change.pointer == "/properties/p/type"
    assert change.place == Place(tree_uri("defs/types.json"), ("$defs", "p", "type"))


def test_a_schema_with_an_absolute_id_finds_its_neighbours_beside_its_file() -> None:
    files = {
        "schemas/scores.json": {
            "$id": "https://acme.example/schemas/scores.json",
            "properties": {"p": {"$ref": "types.json#/$defs/p"}},
        },
        "schemas/types.json": {"$defs": {"p": {"type": "number"}}},
    }
    changed = {**files, "schemas/types.json": {"$defs": {"p": {"type": "integer"}}}}
    (change,) = compare(
        in_tree(files, "schemas/scores.json"), in_tree(changed, "schemas/scores.json")
    )
    assert change.summary == "type number became integer"


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("https://example.com/p.json", "is not a file of the repository"),
        ("../../outside.json", "is not a file of the repository"),
        ("missing.json", "missing.json does not exist"),
        ("#/$defs/nothing", "it points to nothing in its file"),
    ],
)
def test_a_ref_outside_the_tree_is_refused_with_the_reason(ref: str, reason: str) -> None:
    files = {"s/scores.json": {"properties": {"p": {"$ref": ref}}}}
    (change,) = compare(in_tree(files, "s/scores.json"), in_tree(files, "s/scores.json"))
    assert change.kind is Kind.UNDECIDABLE
    assert change.summary.startswith(f"$ref {ref!r} cannot be resolved: ")
    assert reason in change.summary


def test_no_more_than_max_files_are_read_through_refs() -> None:
    files: dict[str, Any] = {
        f"f{i}.json": {"properties": {"next": {"$ref": f"f{i + 1}.json"}}} for i in range(100)
    }
    (change,) = compare(in_tree(files, "f0.json"), in_tree(files, "f0.json"))
    assert f"more than {MAX_FILES} files are referenced" in change.summary


def test_refused_is_what_a_reader_raises_for_a_file_it_will_not_give() -> None:
    def read(name: str) -> Any:
        raise Refused(f"{name} is larger than 10 MB")

    schema = {"properties": {"p": {"$ref": "big.json"}}}
    side = Schema(
        schema, tree_resolver(schema, tree_uri("a.json"), read), Place(tree_uri("a.json"))
    )
    (change,) = compare(side, side)
    assert "big.json is larger than 10 MB" in change.summary
