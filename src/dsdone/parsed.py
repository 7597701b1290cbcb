"""Data files of the repository (YAML, JSON, TOML) parsed safely, with where each value is.

What a check or ``init --existing`` reads from a repository's own files is not a contract: it
may use application tags (``!Ref``, ``!include``: read as the plain value they tag, never
constructed), hold several YAML documents, or be broken. Parsing never raises: a file that does
not parse is a ``Problem`` at its line, in words that never quote the file's content (it may
hold a secret).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsdone.errors import Location, Problem
from dsdone.parse_errors import ParseFailure, describe

if TYPE_CHECKING:
    import yaml

KeyPath = tuple[str | int, ...]

YAML_SUFFIXES = (".yaml", ".yml")
# A document nested deeper than this is not configuration; parsers would exhaust the stack.
MAX_DEPTH = 200


@dataclass(frozen=True)
class Parsed:
    """The documents of one file (YAML may have several; JSON and TOML have one), or why it
    does not parse."""

    path: str
    documents: tuple[Any, ...] = ()
    problem: Problem | None = None
    _nodes: tuple[Any, ...] = field(default=(), repr=False, compare=False)  # YAML's, for lines

    @property
    def data(self) -> Any:
        """The first document (``None`` for an empty file or one that does not parse)."""
        return self.documents[0] if self.documents else None

    def line_of(self, *at: str | int, document: int = 0) -> int | None:
        """The line of the key (or list item) that holds the value at ``at``, or of its closest
        parent; None when the format keeps no positions (TOML) or nothing matches."""
        if document >= len(self._nodes):
            return None
        import yaml

        node = self._nodes[document]
        line: int = node.start_mark.line + 1
        for part in at:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        child, line = value, key.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                child = node.value[part] if 0 <= part < len(node.value) else None
                line = child.start_mark.line + 1 if child is not None else line
            if child is None:
                break
            node = child
        return line


def parse(path: str, text: str) -> Parsed:
    """``text`` parsed by the format its ``path`` says (``.json``, ``.toml``, else YAML)."""
    lower = path.lower()
    if lower.endswith(".json"):
        return _parse_json(path, text)
    if lower.endswith(".toml"):
        return _parse_toml(path, text)
    return _parse_yaml(path, text)


def _parse_json(path: str, text: str) -> Parsed:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return _problem(path, "JSON", describe(exc, text))
    # JSON is YAML: the same node tree gives the lines, when it composes (it may not, for
    # escapes YAML 1.1 lacks); the data stays json's.
    nodes = _compose_all(text)
    return Parsed(path, (data,), None, tuple(nodes) if nodes else ())


def _parse_toml(path: str, text: str) -> Parsed:
    import tomllib

    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        return _problem(path, "TOML", describe(exc, text))
    return Parsed(path, (data,))


def _parse_yaml(path: str, text: str) -> Parsed:
    import yaml

    loader = _TagBlindLoader(text)
    documents: list[Any] = []
    nodes: list[yaml.Node] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                documents.append(loader.construct_document(node))
                nodes.append(node)
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError, TypeError) as exc:
        # ValueError and OverflowError: a timestamp or number that a safe type cannot hold
        # (2026-02-30). The exception's own text may quote the value: see parse_errors.
        return _problem(path, "YAML", describe(exc, text))
    finally:
        loader.dispose()
    return Parsed(path, tuple(documents), None, tuple(nodes))


def _compose_all(text: str) -> list[Any] | None:
    import yaml

    try:
        return [node for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node]
    except (yaml.YAMLError, RecursionError):
        return None


def _problem(path: str, kind: str, failure: ParseFailure) -> Parsed:
    where = Location(path, failure.line, failure.column)
    return Parsed(path, problem=Problem(f"not valid {kind}: {failure.what}", where))


def _tag_blind_loader() -> type[yaml.SafeLoader]:
    import yaml

    class TagBlindLoader(yaml.SafeLoader):
        """A safe loader that reads a value under an unknown tag (``!Ref x``, ``!include a.yaml``)
        as the plain scalar, list or mapping it tags: the file is data to read, not to run."""

    def plain(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)  # type: ignore[arg-type]

    TagBlindLoader.add_multi_constructor("!", plain)
    TagBlindLoader.add_multi_constructor("tag:", plain)
    return TagBlindLoader


class _LazyLoader:
    """Builds the loader class on first use: importing yaml is not free."""

    cls: type[yaml.SafeLoader] | None = None

    def __call__(self, text: str) -> yaml.SafeLoader:
        if self.cls is None:
            self.cls = _tag_blind_loader()
        return self.cls(text)


_TagBlindLoader = _LazyLoader()
