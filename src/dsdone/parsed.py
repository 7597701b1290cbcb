"""Data files of the repository (YAML, JSON, TOML) parsed safely, with where each value is.

What a check or ``init --existing`` reads from a repository's own files is not a contract: it
may use application tags (``!Ref``, ``!include``: read as the plain value they tag, never
constructed), hold several YAML documents, or be broken. Parsing never raises: a file that does
not parse is a ``Problem`` at its line, in words that never quote the file's content (it may
hold a secret).

The loaders (``load_yaml``, ``load_json``, ``load_toml``) are what every reader of repository
data uses: each raises only ``DataError``, with the line where it knows it, for everything an
ordinary-looking file can hold that a parser chokes on: a date that does not exist
(``2026-02-30``), an integer of more than 4,300 digits (which Python refuses to read, because
reading it takes quadratic time), a document nested thousands of levels deep, a YAML file too
large for the pure-Python parser to read in reasonable time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsdone.errors import Location, Problem
from dsdone.parse_errors import ParseFailure, describe
from dsdone.report import Finding

if TYPE_CHECKING:
    import yaml

KeyPath = tuple[str | int, ...]

YAML_SUFFIXES = (".yaml", ".yml")
# PyYAML parses about 100 KB a second in Python and holds some 50 bytes of nodes per byte: a
# YAML file over 2 MB is data, not configuration, and would take half a minute to read.
MAX_YAML_BYTES = 2 * 1024 * 1024
_MAX_DIGITS = 4300  # Python's limit on reading integers (sys.get_int_max_str_digits)


class DataError(ValueError):
    """A data file that cannot be read as its format: what is wrong, and where if known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def describe(self, kind: str) -> str:
        """What is wrong, for a file of ``kind`` ("YAML"): "not valid YAML: ..."."""
        return f"not valid {kind}: {self.message}"


class TooLarge(DataError):
    """A file over the size its parser is given; not invalid, only not read."""

    def describe(self, kind: str) -> str:
        return self.message


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
        return node_line(self._nodes[document], at)


# What a finding about a file that does not parse asks for, when the parser said where.
FIX_THE_SYNTAX = "fix the syntax at that place"


def as_phrase(problem: str) -> str:
    """A parser's problem as it follows a file's name: ``is not valid JSON: ...`` for ``not
    valid JSON: ...``; any other (``larger than 2 MB, ...``) after a colon."""
    return f"is {problem}" if problem.startswith("not ") else f": {problem}"


def unparsed_finding(parsed: Parsed, subject: str, hint: str = FIX_THE_SYNTAX) -> Finding:
    """The finding for a file that does not parse (``parsed.problem`` is set), at the line and
    column where its parser stopped: ``subject`` (what the file is to the check, its name
    included: "schema data/schema.json") and the problem, as ``as_phrase`` says it."""
    assert parsed.problem is not None
    where = parsed.problem.location
    phrase = as_phrase(parsed.problem.message)
    return Finding(
        subject + ("" if phrase.startswith(":") else " ") + phrase,
        path=parsed.path,
        line=where.line if where else None,
        column=where.column if where else None,
        hint=hint if where is not None and where.line is not None else None,
    )


def node_line(node: yaml.Node, at: KeyPath) -> int:
    """The line of the key (or list item) under ``node`` that holds the value at ``at``, or
    of its closest parent."""
    import yaml

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
    kind = "JSON" if lower.endswith(".json") else "TOML" if lower.endswith(".toml") else "YAML"
    try:
        if kind == "JSON":
            data = load_json(text)
            # JSON is YAML: the same node tree gives the lines, when it composes (it may not,
            # for escapes YAML 1.1 lacks, or a file too large for YAML); the data stays json's.
            return Parsed(path, (data,), None, tuple(_compose_all(text)))
        if kind == "TOML":
            return Parsed(path, (load_toml(text),))
        documents, nodes = load_yaml(text, plain_tags=True)
    except DataError as exc:
        location = Location(path, exc.line, exc.column)
        return Parsed(path, problem=Problem(exc.describe(kind), location))
    return Parsed(path, tuple(documents), None, tuple(nodes))


def load_json(text: str) -> Any:
    """``json.loads(text)``; ``DataError`` for anything that keeps it from being read."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _data_error(describe(exc, text)) from None
    except RecursionError:
        raise DataError("it is nested too deeply to be read") from None
    except ValueError:  # valid JSON, but an integer Python refuses to read
        raise DataError(f"it holds an integer of more than {_MAX_DIGITS} digits") from None


def load_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``; ``DataError`` for anything that keeps it from being read."""
    import tomllib

    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _data_error(describe(exc, text)) from None
    except RecursionError:
        raise DataError("it is nested too deeply to be read") from None
    except ValueError:  # an integer Python refuses to read
        raise DataError(f"it holds an integer of more than {_MAX_DIGITS} digits") from None
    return data


def load_yaml(text: str, *, plain_tags: bool) -> tuple[list[Any], list[yaml.Node]]:
    """The documents of a YAML text and their node trees (for lines). With ``plain_tags`` an
    application tag (``!Ref x``) is read as the plain value it tags; without, it is an error
    (``yaml.safe_load``'s rule). ``DataError`` for anything that keeps the text from being
    read; a value that cannot be built (``2026-02-30``) is an error at its line."""
    import yaml

    if len(text) > MAX_YAML_BYTES:
        raise TooLarge(
            f"larger than {MAX_YAML_BYTES // (1024 * 1024)} MB, too large to parse as YAML"
        )
    loader = _loader_class(plain_tags)(text)
    documents: list[Any] = []
    nodes: list[yaml.Node] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                documents.append(loader.construct_document(node))
                nodes.append(node)
    except RecursionError:
        raise DataError("it is nested too deeply to be read") from None
    except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
        # A parser's or a constructor's own text may quote the value: parse_errors keeps the
        # place and the kind of problem only.
        raise _data_error(describe(exc, text)) from None
    finally:
        loader.dispose()
    return documents, nodes


def unreadable_value(tag: str, value: str, error: BaseException) -> str:
    """Why the YAML scalar ``value``, typed by ``tag``, cannot be built, in words that do not
    quote it: YAML resolves ``2026-02-30`` as a date, and Python refuses integers of more than
    4,300 digits (reading them takes quadratic time); anything else (``!!int s3cr3t``) by the
    kind of error only."""
    kind = tag.rsplit(":", 1)[-1]
    if kind == "timestamp":
        return "a date or time that does not exist"
    digits = value.replace("_", "").lstrip("+-")
    if kind == "int" and digits.isdigit() and len(digits) > _MAX_DIGITS:
        return f"an integer of more than {_MAX_DIGITS} digits"
    return f"a value cannot be read ({type(error).__name__})"


def _compose_all(text: str) -> list[Any]:
    import yaml

    if len(text) > MAX_YAML_BYTES:
        return []  # the lines are not worth half a minute of the pure-Python parser
    try:
        return [node for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node]
    except (yaml.YAMLError, RecursionError):
        return []


def _data_error(failure: ParseFailure) -> DataError:
    return DataError(failure.what, failure.line, failure.column)


_LOADERS: dict[bool, type[yaml.SafeLoader]] = {}


def _loader_class(plain_tags: bool) -> type[yaml.SafeLoader]:
    """Built on first use: importing yaml is not free."""
    if plain_tags not in _LOADERS:
        _LOADERS[plain_tags] = _build_loader(plain_tags)
    return _LOADERS[plain_tags]


def _build_loader(plain_tags: bool) -> type[yaml.SafeLoader]:
    import yaml

    class Loader(yaml.SafeLoader):
        """A safe loader that locates a value it cannot build, instead of failing with a bare
        ``ValueError`` that says neither where nor, safely, what."""

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError) as exc:
                scalar = node.value if isinstance(node.value, str) else ""
                what = unreadable_value(node.tag, scalar, exc)
                raise yaml.constructor.ConstructorError(None, None, what, node.start_mark) from None

    if plain_tags:

        def plain(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
            """A value under an unknown tag (``!Ref x``, ``!include a.yaml``) read as the plain
            scalar, list or mapping it tags: the file is data to read, not to run."""
            if isinstance(node, yaml.MappingNode):
                return loader.construct_mapping(node)
            if isinstance(node, yaml.SequenceNode):
                return loader.construct_sequence(node)
            return loader.construct_scalar(node)  # type: ignore[arg-type]

        Loader.add_multi_constructor("!", plain)
        Loader.add_multi_constructor("tag:", plain)
    return Loader
