"""``$ref``s of a JSON Schema resolved within one tree of files, and nowhere else.

A schema compared with another revision may point into other files (``common.json#/$defs/id``).
``referencing`` resolves them (relative URIs, ``$id``s, anchors, JSON pointers); this module
gives it the one place it may look: a tree of files, named by ``tree_uri(path)``, read by a
function the caller provides (the work tree, or git's objects at a revision). Everything else is
refused: another scheme, a host, a path that climbs out of the tree, more than ``MAX_FILES``
files. Nothing is fetched from the network or read from the file system here.

A schema whose own ``$id`` is an absolute URI (``https://acme.example/schemas/scores.json``)
refers to its neighbours by that URI; they are looked for beside its file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urldefrag, urljoin

if TYPE_CHECKING:
    from referencing import Resource
    from referencing._core import Resolver

# A host that cannot exist (RFC 2606), and a first folder, so that a path that climbs above
# the tree's top (``../../x.json``) resolves to a URI outside it, which is refused.
_TREE = "https://dsdone.invalid/tree/"
MAX_FILES = 64  # files one comparison may read through $refs


class Refused(Exception):
    """A ``$ref`` names something outside the tree, or a file that cannot be used; the message
    says which and why."""


def tree_uri(path: str, part: str | None = None) -> str:
    """The URI of the file ``path`` of the tree (relative, forward slashes), or of a ``part``
    of it that is a schema of its own (one written inline in the contract)."""
    return _TREE + quote(path) + ("" if part is None else "?" + quote(part))


def tree_path(uri: str) -> tuple[str, str | None] | None:
    """The path in the tree that ``uri`` names, and the part of that file (see ``tree_uri``);
    ``None`` for a URI outside the tree."""
    bare = urldefrag(uri).url
    if not bare.startswith(_TREE):
        return None
    path, question, part = bare[len(_TREE) :].partition("?")
    return unquote(path), unquote(part) if question else None


def fragment_parts(uri: str) -> tuple[str | int, ...]:
    """The keys a JSON pointer fragment (``#/$defs/id``) walks, list indexes as numbers; none
    for an anchor or no fragment."""
    fragment = unquote(urldefrag(uri).fragment)
    if not fragment.startswith("/"):
        return ()
    parts = (part.replace("~1", "/").replace("~0", "~") for part in fragment[1:].split("/"))
    return tuple(int(part) if part.isdigit() else part for part in parts)


def tree_resolver(schema: Any, here: str, read: Callable[[str], Any]) -> Resolver:
    """A resolver for the ``$ref``s of ``schema``, which lives at the URI ``here`` of the tree
    (``tree_uri``: a file, or a schema written inline in the contract).

    ``read(path)`` returns the parsed document of a file of the tree, ``None`` when there is no
    such file, or raises ``Refused`` (saying why). Failures surface from ``lookup`` as
    ``referencing.exceptions.Unresolvable``; ``refusal(exc)`` says why."""
    from referencing import Registry

    own_id = schema.get("$id") if isinstance(schema, dict) else None
    aliases = {}
    if isinstance(own_id, str) and "://" in own_id and not own_id.startswith(_TREE):
        # Its neighbours, named by its $id's folder, are looked for beside its file.
        aliases[urljoin(own_id, ".")] = urljoin(here, ".")
    retrieved: dict[str, Resource[Any]] = {}  # one resource, one identity, per file

    def retrieve(uri: str) -> Resource[Any]:
        for alias, folder in aliases.items():
            if uri.startswith(alias):
                uri = folder + uri[len(alias) :]
        if uri in retrieved:
            return retrieved[uri]
        found = tree_path(uri)
        if found is None or found[1] is not None:
            raise Refused(
                f"{uri} is not a file of the repository (dsdone reads no URL and no file outside "
                "the project; refer to files by a relative path)"
            )
        relative = found[0]
        if posixpath.normpath(relative).startswith("../"):
            raise Refused(f"{relative} is outside the project folder")
        if len(retrieved) >= MAX_FILES:
            raise Refused(f"more than {MAX_FILES} files are referenced; {relative} was not read")
        contents = read(relative)
        if contents is None:
            raise Refused(f"{relative} does not exist")
        retrieved[uri] = _resource(contents)
        return retrieved[uri]

    root = _resource(schema)
    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]  # attrs
    registry = registry.with_resource(here, root)
    return registry.resolver(here).in_subresource(root)


def _resource(schema: Any) -> Resource[Any]:
    from referencing import Resource
    from referencing.exceptions import CannotDetermineSpecification
    from referencing.jsonschema import DRAFT202012

    try:
        return Resource.from_contents(schema, default_specification=DRAFT202012)
    except CannotDetermineSpecification:  # an unknown $schema: output-schema reports it
        return DRAFT202012.create_resource(schema)


def refusal(exc: BaseException) -> str:
    """Why a ``$ref`` could not be resolved, from the ``Unresolvable`` ``lookup`` raised."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, Refused):
            return str(cause)
        cause = cause.__cause__
    if type(exc).__name__ == "NoSuchAnchor":
        return "its file has no such anchor"
    return "it points to nothing in its file"
