"""How a JSON Schema changed between two revisions, and whom each change breaks.

``compare(old, new)`` walks both schemas together (following their ``$ref``s) and returns the
changes, each with the JSON pointer where it is (``/properties/score/type``), what kind of
change it is, and in both directions what it means for data:

- ``admits``: what the new schema accepts that the old one did not (``null``, ``the value
  'premium'``): new to anyone who reads the data and knows the old schema;
- ``rejects``: what the old schema accepted that the new one does not: refused from anyone who
  writes the data to the old schema.

Whom that breaks depends on the ``Direction`` (``Change.verdict``). An OUTPUT is read by
consumers, so what the new schema admits breaks them, and so does a removed property (a
consumer may read it; stricter than Confluent's FORWARD rule). An INPUT is written by upstream
producers, so what the new schema rejects breaks them. What cannot be decided statically
(``oneOf``, ``not``, ``if``/``then``, ``patternProperties``, a keyword dsdone does not know, a
``$ref`` that cannot be resolved) is a change to REVIEW: never silence.

Pure: no file is read here; ``$ref``s are resolved by the ``referencing`` resolvers the caller
passes (see ``dsdone.analysis.schema_refs``).
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from dsdone.analysis.schema_refs import fragment_parts, refusal

if TYPE_CHECKING:
    from referencing._core import Resolver

MAX_DEPTH = 64  # nested schemas followed; deeper is reported for review
MAX_CHANGES = 200  # changes listed for one schema
_MAX_REF_HOPS = 32  # a $ref to a $ref to ...


class Direction(enum.Enum):
    """Who holds the old schema while the new one is in force."""

    OUTPUT = "output"  # consumers read what the project writes
    INPUT = "input"  # the project reads what upstream producers write


class Verdict(enum.Enum):
    BREAKING = "breaking"
    COMPATIBLE = "compatible"
    REVIEW = "review"  # its effect cannot be decided statically: a person must look


class Kind(enum.Enum):
    """What changed: the rows of the README's table of rules."""

    PROPERTY_REMOVED = "property removed"
    PROPERTY_ADDED = "property added"
    REQUIRED_ADDED = "required added"
    REQUIRED_REMOVED = "required removed"
    TYPE = "type"
    ENUM = "enum"
    BOUND = "bound"
    FORMAT = "format"
    PATTERN = "pattern"
    ADDITIONAL_PROPERTIES = "additionalProperties"
    UNIQUE_ITEMS = "uniqueItems"
    SCHEMA = "schema"  # a schema that became true or false, a conjunct or branch added
    UNDECIDABLE = "undecidable"


Parts = tuple[str | int, ...]


@dataclass(frozen=True)
class Place:
    """Where a value of a schema is: the URI of its file, and the keys leading to it there."""

    uri: str
    parts: Parts = ()

    def at(self, *parts: str | int) -> Place:
        return Place(self.uri, self.parts + parts)


@dataclass(frozen=True)
class Change:
    pointer: str  # from the root of the schema compared, through $refs: /properties/score/type
    kind: Kind
    summary: str  # what changed: "type number became number or null"
    place: Place  # in the new schema (for a removal: where the old value was held)
    admits: str | None = None  # what the new schema accepts that the old one did not
    rejects: str | None = None  # what the old schema accepted that the new one does not

    def verdict(self, direction: Direction) -> Verdict:
        if self.kind is Kind.UNDECIDABLE:
            return Verdict.REVIEW
        if direction is Direction.OUTPUT:
            breaking = self.admits is not None or self.kind is Kind.PROPERTY_REMOVED
        else:
            breaking = self.rejects is not None
        return Verdict.BREAKING if breaking else Verdict.COMPATIBLE


@dataclass(frozen=True)
class Schema:
    """One side of a comparison: a schema, the resolver of its ``$ref``s, and where it is."""

    contents: Any
    resolver: Resolver | None = None  # None: its $refs are resolved within itself
    place: Place = Place("")


def compare(old: Schema | Any, new: Schema | Any) -> list[Change]:
    """The changes from ``old`` to ``new`` (each a ``Schema``, or a plain schema whose
    ``$ref``s point within itself), in the order of the new schema."""
    walk = _Walk()
    walk.node(_side(old), _side(new), "", 0)
    return walk.changes


# -- the walk ----------------------------------------------------------------------------------

# Keywords that say nothing about which values are valid.
_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$comment",
        "$defs", "definitions", "$vocabulary", "title", "description", "default", "examples",
        "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding",
    }
)  # fmt: skip
# Keywords compared one by one below; any other that changed is reported for review.
_COMPARED = frozenset(
    {
        "$ref", "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "format",
        "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "properties",
        "required", "additionalProperties", "minProperties", "maxProperties", "allOf", "anyOf",
    }
)  # fmt: skip
# Counted bounds: keyword, "lower" or "upper", the type they apply to, what lies beyond N.
_COUNTS = (
    ("minLength", "lower", "string", "strings shorter than {}"),
    ("maxLength", "upper", "string", "strings longer than {}"),
    ("minItems", "lower", "array", "lists of fewer than {} items"),
    ("maxItems", "upper", "array", "lists of more than {} items"),
    ("minProperties", "lower", "object", "records with fewer than {} properties"),
    ("maxProperties", "upper", "object", "records with more than {} properties"),
)
_PLURALS = {
    "string": "strings",
    "number": "numbers",
    "integer": "integers",
    "boolean": "booleans",
    "null": "null",
    "array": "lists",
    "object": "records",
}
_OPEN, _CLOSED = "open", "closed"  # a record's additionalProperties: absent/true, or false


@dataclass(frozen=True)
class _Side:
    schema: Any
    resolver: Resolver | None
    place: Place
    identity: int  # of the schema as resolved, to compare a pair of schemas once
    siblings: frozenset[str] = frozenset()  # keywords written beside a $ref that was followed
    sibling_place: Place | None = None

    def place_of(self, keyword: str) -> Place:
        if keyword in self.siblings and self.sibling_place is not None:
            return self.sibling_place.at(keyword)
        if isinstance(self.schema, dict) and keyword in self.schema:
            return self.place.at(keyword)
        return self.place

    def child(self, value: Any, *parts: str | int) -> _Side:
        keyword = str(parts[0])
        base = (
            self.sibling_place
            if keyword in self.siblings and self.sibling_place is not None
            else self.place
        )
        resolver = self.resolver
        if isinstance(value, dict) and isinstance(value.get("$id"), str) and resolver is not None:
            from referencing.jsonschema import DRAFT202012

            resolver = resolver.in_subresource(DRAFT202012.create_resource(value))
        return _Side(value, resolver, base.at(*parts), id(value))


def _side(schema: Schema | Any) -> _Side:
    if not isinstance(schema, Schema):
        schema = Schema(schema)
    resolver = schema.resolver
    if resolver is None:
        from dsdone.analysis.schema_refs import tree_resolver, tree_uri

        uri = tree_uri("schema.json")
        resolver = tree_resolver(schema.contents, uri, lambda _: None)
        schema = replace(schema, place=Place(uri))
    return _Side(schema.contents, resolver, schema.place, id(schema.contents))


class _Walk:
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self._seen: set[tuple[int, int]] = set()
        self._full = False

    def add(self, pointer: str, kind: Kind, summary: str, place: Place, **effect: str) -> None:
        if len(self.changes) >= MAX_CHANGES:
            if not self._full:
                self._full = True
                self.changes.append(
                    Change(pointer, Kind.UNDECIDABLE, f"more than {MAX_CHANGES} changes", place)
                )
            return
        self.changes.append(Change(pointer, kind, summary, place, **effect))

    def node(self, old: _Side, new: _Side, pointer: str, depth: int) -> None:
        resolved_new, problem = _resolve(new)
        if resolved_new is None:
            self.add(pointer, Kind.UNDECIDABLE, problem, new.place.at("$ref"))
            return
        resolved_old, problem = _resolve(old)
        if resolved_old is None:
            self.add(pointer, Kind.UNDECIDABLE, f"{problem} (in the old schema)", new.place)
            return
        old, new = resolved_old, resolved_new
        if isinstance(old.schema, dict) and isinstance(new.schema, dict):
            if (old.identity, new.identity) in self._seen:
                return  # a recursive schema, or a definition used twice: compared once
            self._seen.add((old.identity, new.identity))
        if depth > MAX_DEPTH:
            self.add(pointer, Kind.UNDECIDABLE, "nested too deeply to compare", new.place)
            return
        o = {} if old.schema is True else old.schema
        n = {} if new.schema is True else new.schema
        if o == {} and n == {}:
            return
        if o is False or n is False:
            if o is not n:
                self._false_schema(o is False, pointer, new.place)
            return
        if not isinstance(o, dict) or not isinstance(n, dict):
            return  # not a schema: output-schema reports it
        old, new = replace(old, schema=o), replace(new, schema=n)
        old_types, new_types = _types(o), _types(n)
        self._type(o, n, old_types, new_types, pointer, new)
        self._enum(o, n, pointer, new)
        self._format_and_pattern(o, n, pointer, new)
        if _both_admit(old_types, new_types, "number"):
            self._number_bounds(o, n, pointer, new)
        for keyword, side, applies_to, beyond in _COUNTS:
            if _both_admit(old_types, new_types, applies_to):
                self._count(o, n, keyword, side, beyond, pointer, new)
        if _both_admit(old_types, new_types, "array"):
            self._array(old, new, pointer, depth)
        if _both_admit(old_types, new_types, "object"):
            self._record(old, new, pointer, depth)
        self._all_of(old, new, pointer, depth)
        self._any_of(old, new, pointer, depth)
        self._undecidable(old, new, pointer, depth)

    # -- keywords ------------------------------------------------------------------------------

    def _false_schema(self, was_false: bool, pointer: str, place: Place) -> None:
        if was_false:
            self.add(
                pointer,
                Kind.SCHEMA,
                "the schema allowed no value (false) and now allows some",
                place,
                admits="values where none were allowed",
            )
        else:
            self.add(
                pointer,
                Kind.SCHEMA,
                "the schema now allows no value (false)",
                place,
                rejects="any value",
            )

    def _type(
        self,
        o: dict[str, Any],
        n: dict[str, Any],
        old: frozenset[str] | None,
        new: frozenset[str] | None,
        pointer: str,
        side: _Side,
    ) -> None:
        if old == new or ("type" not in o and "type" not in n):
            return
        admitted = _beyond(new, old)
        rejected = _beyond(old, new)
        if not admitted and not rejected:
            return
        self.add(
            pointer + "/type",
            Kind.TYPE,
            f"type {_show_types(old)} became {_show_types(new)}",
            side.place_of("type"),
            **_effect(admitted, rejected),
        )

    def _enum(self, o: dict[str, Any], n: dict[str, Any], pointer: str, side: _Side) -> None:
        old, new = _allowed_values(o), _allowed_values(n)
        if old is None and new is None:
            return
        keyword = "enum" if "enum" in n or ("enum" in o and "const" not in n) else "const"
        where = pointer + "/" + keyword
        place = side.place_of(keyword)
        if old is None:
            assert new is not None
            listed = _show_values(new.values())
            summary, rejected = f"{keyword} {listed} was added", f"values other than {listed}"
            self.add(where, Kind.ENUM, summary, place, rejects=rejected)
            return
        if new is None:
            listed = _show_values(old.values())
            summary, admitted = f"{keyword} {listed} was removed", f"values other than {listed}"
            self.add(where, Kind.ENUM, summary, place, admits=admitted)
            return
        gained = [value for key, value in new.items() if key not in old]
        lost = [value for key, value in old.items() if key not in new]
        if not gained and not lost:
            return
        words = []
        if gained:
            words.append(f"gained {_show_values(gained)}")
        if lost:
            words.append(f"lost {_show_values(lost)}")
        self.add(
            where,
            Kind.ENUM,
            f"{keyword} {' and '.join(words)}",
            place,
            **_effect(
                _values_phrase(gained) if gained else None, _values_phrase(lost) if lost else None
            ),
        )

    def _format_and_pattern(
        self, o: dict[str, Any], n: dict[str, Any], pointer: str, side: _Side
    ) -> None:
        for keyword, kind, unlike in (
            ("format", Kind.FORMAT, "values that are not {}"),
            ("pattern", Kind.PATTERN, "strings that do not match {}"),
        ):
            old, new = o.get(keyword), n.get(keyword)
            if old == new:
                continue
            if old is None:
                summary = f"{keyword} {new!r} was added"
            elif new is None:
                summary = f"{keyword} {old!r} was removed"
            else:
                summary = f"{keyword} {old!r} became {new!r}"
            self.add(
                pointer + "/" + keyword,
                kind,
                summary,
                side.place_of(keyword),
                **_effect(
                    None if old is None else unlike.format(repr(old)),
                    None if new is None else unlike.format(repr(new)),
                ),
            )

    def _number_bounds(
        self, o: dict[str, Any], n: dict[str, Any], pointer: str, side: _Side
    ) -> None:
        for bound in ("lower", "upper"):
            old, new = _bound(o, bound), _bound(n, bound)
            if old == new:
                continue
            keyword = _bound_keyword(n, bound) or _bound_keyword(o, bound) or "minimum"
            looser = _looser(old, new, bound)
            tighter = _looser(new, old, bound)
            name = "minimum" if bound == "lower" else "maximum"
            self.add(
                pointer + "/" + keyword,
                Kind.BOUND,
                f"{name} {_show_bound(old, bound)} became {_show_bound(new, bound)}",
                side.place_of(keyword),
                **_effect(
                    f"values {_outside(old, bound)}" if looser and old else None,
                    f"values {_outside(new, bound)}" if tighter and new else None,
                ),
            )
        old_step, new_step = o.get("multipleOf"), n.get("multipleOf")
        if old_step != new_step and _is_number(old_step or 1) and _is_number(new_step or 1):
            admitted = old_step is not None and (
                new_step is None or not _divides(old_step, new_step)
            )
            rejected = new_step is not None and (
                old_step is None or not _divides(new_step, old_step)
            )
            self.add(
                pointer + "/multipleOf",
                Kind.BOUND,
                f"multipleOf {_none(old_step)} became {_none(new_step)}",
                side.place_of("multipleOf"),
                **_effect(
                    f"numbers that are not multiples of {old_step}" if admitted else None,
                    f"numbers that are not multiples of {new_step}" if rejected else None,
                ),
            )

    def _count(
        self,
        o: dict[str, Any],
        n: dict[str, Any],
        keyword: str,
        bound: str,
        beyond: str,
        pointer: str,
        side: _Side,
    ) -> None:
        old, new = o.get(keyword), n.get(keyword)
        if old == new or not all(v is None or _is_number(v) for v in (old, new)):
            return
        lower = bound == "lower"

        def looser(a: Any, b: Any) -> bool:  # b allows more than a
            return a is not None and (b is None or (b < a if lower else b > a))

        self.add(
            pointer + "/" + keyword,
            Kind.BOUND,
            f"{keyword} {_none(old)} became {_none(new)}",
            side.place_of(keyword),
            **_effect(
                beyond.format(old) if looser(old, new) else None,
                beyond.format(new) if looser(new, old) else None,
            ),
        )

    def _array(self, old: _Side, new: _Side, pointer: str, depth: int) -> None:
        o, n = old.schema, new.schema
        was, now = bool(o.get("uniqueItems")), bool(n.get("uniqueItems"))
        if was != now:
            self.add(
                pointer + "/uniqueItems",
                Kind.UNIQUE_ITEMS,
                "uniqueItems was " + ("added" if now else "removed"),
                new.place_of("uniqueItems"),
                **_effect(
                    None if now else "lists with repeated items",
                    "lists with repeated items" if now else None,
                ),
            )
        for keyword in ("items", "prefixItems"):
            if keyword not in o and keyword not in n:
                continue
            old_items, new_items = o.get(keyword, True), n.get(keyword, True)
            if isinstance(old_items, list) or isinstance(new_items, list):
                self._schema_lists(old, new, keyword, pointer, depth, pad=False)
            else:
                self.node(
                    old.child(old_items, keyword),
                    new.child(new_items, keyword),
                    f"{pointer}/{keyword}",
                    depth + 1,
                )

    def _record(self, old: _Side, new: _Side, pointer: str, depth: int) -> None:
        o, n = old.schema, new.schema
        old_props = o.get("properties") if isinstance(o.get("properties"), dict) else {}
        new_props = n.get("properties") if isinstance(n.get("properties"), dict) else {}
        old_required = set(_strings(o.get("required")))
        new_required = set(_strings(n.get("required")))
        old_extra, new_extra = _content_model(o), _content_model(n)
        for name in list(new_props) + [name for name in old_props if name not in new_props]:
            at = f"{pointer}/properties/{_escape(name)}"
            if name in old_props and name in new_props:
                self.node(
                    old.child(old_props[name], "properties", name),
                    new.child(new_props[name], "properties", name),
                    at,
                    depth + 1,
                )
            elif name in old_props:
                place = new.place_of("properties")
                effect = (
                    {"rejects": f"records with '{name}'"}
                    if new_extra == _CLOSED
                    else {"admits": f"any value under '{name}'"}
                )
                summary = f"property '{name}' was removed"
                self.add(at, Kind.PROPERTY_REMOVED, summary, place, **effect)
            elif isinstance(old_extra, dict):  # was covered by additionalProperties
                self.node(
                    old.child(old_extra, "additionalProperties"),
                    new.child(new_props[name], "properties", name),
                    at,
                    depth + 1,
                )
            else:
                closed = old_extra == _CLOSED
                self.add(
                    at,
                    Kind.PROPERTY_ADDED,
                    f"new property '{name}'"
                    + (
                        " in a record that was closed (additionalProperties: false)"
                        if closed
                        else ""
                    ),
                    new.place_of("properties").at(name) if "properties" in n else new.place,
                    **({"admits": f"records with '{name}'"} if closed else {}),
                )
        for name in sorted(new_required - old_required):
            brand_new = name not in old_props and name in new_props
            self.add(
                f"{pointer}/required",
                Kind.REQUIRED_ADDED,
                f"new required property '{name}'" if brand_new else f"'{name}' became required",
                new.place_of("required"),
                rejects=f"records without '{name}'",
            )
        for name in sorted(old_required - new_required):
            if name in old_props and name not in new_props:
                continue  # the removal of the property says it
            self.add(
                f"{pointer}/required",
                Kind.REQUIRED_REMOVED,
                f"'{name}' is no longer required",
                new.place_of("required"),
                admits=f"records without '{name}'",
            )
        self._additional(old, new, old_extra, new_extra, pointer, depth)

    def _additional(
        self, old: _Side, new: _Side, was: Any, now: Any, pointer: str, depth: int
    ) -> None:
        at = pointer + "/additionalProperties"
        place = new.place_of("additionalProperties")
        undeclared = "properties the schema does not declare"
        if was == now and not isinstance(was, dict):
            return
        if now == _CLOSED:
            closed = "the record was closed (additionalProperties: false)"
            self.add(at, Kind.ADDITIONAL_PROPERTIES, closed, place, rejects=undeclared)
        elif was == _CLOSED:
            opened = "the record is no longer closed (additionalProperties)"
            self.add(at, Kind.ADDITIONAL_PROPERTIES, opened, place, admits=undeclared)
        else:
            self.node(
                old.child(old.schema.get("additionalProperties", True), "additionalProperties"),
                new.child(new.schema.get("additionalProperties", True), "additionalProperties"),
                at,
                depth + 1,
            )

    def _all_of(self, old: _Side, new: _Side, pointer: str, depth: int) -> None:
        self._schema_lists(old, new, "allOf", pointer, depth, pad=True)

    def _any_of(self, old: _Side, new: _Side, pointer: str, depth: int) -> None:
        o, n = old.schema.get("anyOf"), new.schema.get("anyOf")
        if o is None and n is None:
            return
        if isinstance(o, list) and isinstance(n, list) and len(o) != len(n):
            kept = [branch for branch in n if branch in o]
            added = [i for i, branch in enumerate(n) if branch not in o]
            dropped = [branch for branch in o if branch not in n]
            if kept and not (added and dropped):
                places = new.place_of("anyOf")
                for i in added:
                    summary = "a branch was added to anyOf"
                    where = f"{pointer}/anyOf/{i}"
                    self.add(where, Kind.SCHEMA, summary, places.at(i), admits="its values")
                if dropped:
                    summary = (
                        "a branch of anyOf was removed"
                        if len(dropped) == 1
                        else f"{len(dropped)} branches of anyOf were removed"
                    )
                    rejected = "the values of the removed branches"
                    self.add(f"{pointer}/anyOf", Kind.SCHEMA, summary, places, rejects=rejected)
                return
        self._schema_lists(old, new, "anyOf", pointer, depth, pad=False)

    def _schema_lists(
        self, old: _Side, new: _Side, keyword: str, pointer: str, depth: int, *, pad: bool
    ) -> None:
        """Lists of schemas compared item by item (``allOf``, ``anyOf``, tuple ``items``); a
        list of another length is reported for review, unless ``pad`` (a conjunction: a
        missing list is a list of ``true``)."""
        o, n = old.schema.get(keyword), new.schema.get(keyword)
        if o is None and n is None:
            return
        o_list = o if isinstance(o, list) else ([] if o is None else [o])
        n_list = n if isinstance(n, list) else ([] if n is None else [n])
        if len(o_list) != len(n_list):
            if pad and (not o_list or not n_list):
                o_list = o_list or [True] * len(n_list)
                n_list = n_list or [True] * len(o_list)
            else:
                how = f"has {len(n_list)} schemas instead of {len(o_list)}"
                if o is None or n is None:
                    how = "was added" if o is None else "was removed"
                summary = f"{keyword} {how}; whether that breaks cannot be decided statically"
                self.add(f"{pointer}/{keyword}", Kind.UNDECIDABLE, summary, new.place_of(keyword))
                return
        for i, (a, b) in enumerate(zip(o_list, n_list, strict=True)):
            self.node(
                old.child(a, keyword, i),
                new.child(b, keyword, i),
                f"{pointer}/{keyword}/{i}",
                depth + 1,
            )

    def _undecidable(self, old: _Side, new: _Side, pointer: str, depth: int) -> None:
        """Any other keyword that changed, anything changed inside it included, is reported for
        a person to review."""
        o, n = old.schema, new.schema
        for keyword in sorted((set(o) | set(n)) - _COMPARED - _ANNOTATIONS):
            if keyword.startswith("x-"):
                continue  # an extension: annotations by convention
            if not self._differs(old, new, keyword, depth):
                continue
            how = "added" if keyword not in o else "removed" if keyword not in n else "changed"
            self.add(
                f"{pointer}/{keyword}",
                Kind.UNDECIDABLE,
                f"{keyword} was {how}; whether that breaks cannot be decided statically",
                new.place_of(keyword),
            )

    def _differs(self, old: _Side, new: _Side, keyword: str, depth: int) -> bool:
        o, n = old.schema.get(keyword), new.schema.get(keyword)
        if keyword not in old.schema or keyword not in new.schema:
            return True
        probe = _Walk()
        probe._seen = set(self._seen)
        pairs: Iterator[tuple[Any, Any, Parts]]
        if isinstance(o, dict) and isinstance(n, dict) and _all_schemas(o) and _all_schemas(n):
            if set(o) != set(n):  # dependentSchemas, patternProperties: by name
                return True
            pairs = ((o[key], n[key], (keyword, key)) for key in o)
        elif isinstance(o, list) and isinstance(n, list) and _all_schemas(o) and _all_schemas(n):
            if len(o) != len(n):
                return True
            pairs = ((a, b, (keyword, i)) for i, (a, b) in enumerate(zip(o, n, strict=True)))
        elif _is_schema(o) and _is_schema(n):
            pairs = iter([(o, n, (keyword,))])
        else:
            return _canonical(o) != _canonical(n)
        for a, b, parts in pairs:
            probe.node(old.child(a, *parts), new.child(b, *parts), "", depth + 1)
        return bool(probe.changes)


def _resolve(side: _Side) -> tuple[_Side | None, str]:
    """``side`` with its ``$ref`` followed (the keywords beside it kept), or why it cannot be."""
    from referencing.exceptions import Unresolvable

    for _ in range(_MAX_REF_HOPS):
        if not (isinstance(side.schema, dict) and isinstance(side.schema.get("$ref"), str)):
            return side, ""
        ref = side.schema["$ref"]
        if side.resolver is None:
            return None, f"$ref {ref!r} cannot be followed"
        try:
            found = side.resolver.lookup(ref)
        except Unresolvable as exc:
            return None, f"$ref {ref!r} cannot be resolved: {refusal(exc)}"
        target = urljoin(side.place.uri, ref)
        beside = {
            key: value
            for key, value in side.schema.items()
            if key != "$ref" and key not in _ANNOTATIONS
        }
        contents, identity = found.contents, id(found.contents)
        if beside and isinstance(contents, dict):
            # Read as the referenced schema with the keywords beside the $ref added.
            contents = {**contents, **beside}
            identity = hash((identity, _canonical(beside)))
        side = _Side(
            contents,
            found.resolver,
            Place(urldefrag(target).url, fragment_parts(target)),
            identity,
            frozenset(beside),
            side.place if beside else None,
        )
    return None, f"more than {_MAX_REF_HOPS} $refs in a row"


# -- helpers -----------------------------------------------------------------------------------


def _effect(admitted: str | None, rejected: str | None) -> dict[str, str]:
    effect = {}
    if admitted:
        effect["admits"] = admitted
    if rejected:
        effect["rejects"] = rejected
    return effect


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types the schema admits by its ``type`` (or the values of its ``enum`` or
    ``const``); ``None`` when it does not say (any type)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(t for t in declared if isinstance(t, str))
    values = _allowed_values(schema)
    if values is not None:
        return frozenset(_type_of(value) for value in values.values())
    return None


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _covers(types: frozenset[str] | None, kind: str) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def _both_admit(old: frozenset[str] | None, new: frozenset[str] | None, kind: str) -> bool:
    def admits(types: frozenset[str] | None) -> bool:
        return _covers(types, kind) or (kind == "number" and _covers(types, "integer"))

    return admits(old) and admits(new)


def _beyond(wider: frozenset[str] | None, narrower: frozenset[str] | None) -> str | None:
    """What ``wider`` admits that ``narrower`` does not, in words; None if nothing."""
    if wider is None:
        return None if narrower is None else f"values that are not {_show_types(narrower)}"
    extra = sorted(t for t in wider if not _covers(narrower, t))
    words = [_PLURALS.get(t, t) for t in extra]
    if narrower is not None and "integer" in narrower and "numbers" in words:
        words[words.index("numbers")] = "numbers that are not whole"
    return " and ".join(words) or None


def _show_types(types: frozenset[str] | None) -> str:
    if types is None:
        return "any type"
    return " or ".join(sorted(types, key=lambda t: (t == "null", t))) or "no type"


def _allowed_values(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """The values an ``enum`` or ``const`` allows, by a canonical key (JSON's equality: 1 and
    1.0 are one value, true and 1 are two); None when it has neither."""
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        values = schema["enum"]
    else:
        return None
    return {_canonical(value): value for value in values}


def _canonical(value: Any) -> str:
    def plain(item: Any) -> Any:
        if isinstance(item, float) and item.is_integer() and math.isfinite(item):
            return int(item)
        if isinstance(item, list):
            return [plain(x) for x in item]
        if isinstance(item, dict):
            return {str(k): plain(v) for k, v in item.items()}
        return item

    return json.dumps(plain(value), sort_keys=True, default=str)


def _show_values(values: Any) -> str:
    shown = [json.dumps(value, ensure_ascii=False, default=str) for value in values]
    if len(shown) > 6:
        shown = [*shown[:5], f"... ({len(shown) - 5} more)"]
    return "[" + ", ".join(shown) + "]"


def _values_phrase(values: list[Any]) -> str:
    if len(values) == 1:
        return f"the value {json.dumps(values[0], ensure_ascii=False, default=str)}"
    return f"the values {_show_values(values)}"


Bound = tuple[float, bool]  # the limit, and whether it is exclusive


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bound(schema: Mapping[str, Any], side: str) -> Bound | None:
    """The tightest lower or upper bound of a number (``minimum``, ``exclusiveMinimum`` as a
    number, or as draft 4's boolean beside ``minimum``)."""
    if side == "lower":
        inclusive, exclusive = "minimum", "exclusiveMinimum"
    else:
        inclusive, exclusive = "maximum", "exclusiveMaximum"
    found: list[Bound] = []
    if _is_number(schema.get(inclusive)):
        found.append((schema[inclusive], schema.get(exclusive) is True))
    if _is_number(schema.get(exclusive)):
        found.append((schema[exclusive], True))
    if not found:
        return None
    if side == "lower":
        return max(found, key=lambda b: (b[0], b[1]))
    return min(found, key=lambda b: (b[0], not b[1]))


def _bound_keyword(schema: Mapping[str, Any], side: str) -> str | None:
    names = ("exclusiveMinimum", "minimum") if side == "lower" else ("exclusiveMaximum", "maximum")
    return next((name for name in names if _is_number(schema.get(name))), None)


def _looser(old: Bound | None, new: Bound | None, side: str) -> bool:
    """Whether ``new`` allows a number that ``old`` did not."""
    if old is None:
        return False
    if new is None:
        return True
    if new[0] != old[0]:
        return new[0] < old[0] if side == "lower" else new[0] > old[0]
    return old[1] and not new[1]


def _show_bound(bound: Bound | None, side: str) -> str:
    if bound is None:
        return "none"
    sign = (">" if side == "lower" else "<") + ("" if bound[1] else "=")
    return f"{sign} {_number(bound[0])}"


def _outside(bound: Bound | None, side: str) -> str:
    assert bound is not None
    value = _number(bound[0])
    if side == "lower":
        return f"of {value} or less" if bound[1] else f"below {value}"
    return f"of {value} or more" if bound[1] else f"above {value}"


def _none(value: Any) -> str:
    return "none" if value is None else str(value)


def _number(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _divides(step: float, other: float) -> bool:
    """Whether every multiple of ``other`` is a multiple of ``step``."""
    ratio = other / step
    return math.isclose(ratio, round(ratio)) and round(ratio) != 0


def _content_model(schema: Mapping[str, Any]) -> Any:
    extra = schema.get("additionalProperties", True)
    if extra is True or extra == {}:
        return _OPEN
    if extra is False:
        return _CLOSED
    return extra


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))


def _escape(name: str) -> str:
    """``name`` as one step of a JSON pointer (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")


def _is_schema(value: Any) -> bool:
    return isinstance(value, (dict, bool))


def _all_schemas(values: Any) -> bool:
    items = values.values() if isinstance(values, dict) else values
    return all(_is_schema(item) for item in items) and bool(items)
