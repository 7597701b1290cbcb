"""Safe YAML that remembers where every value came from.

PyYAML's safe loader throws positions away and silently keeps the last of two duplicate keys.
A contract needs both: every error names ``file:line:column``, and a duplicate key is an error.
So we compose the node graph (which has the marks), then build plain Python data from it
ourselves, recording the position of every key and value by its path in the document.

Building it ourselves is also what bounds the cost of hostile input: aliases are counted each
time they are expanded (a "billion laughs" document stops at ``max_values``), nesting is
bounded by ``max_depth``, and only the plain scalar tags are accepted, so no tag can construct
an object.

The node graph is composed by libyaml when PyYAML has it: some fifteen times faster than PyYAML's
pure-Python parser, which matters when ``--all`` reads a hundred contracts. The two parsers do
not agree on everything, so libyaml composes only what they read alike: a document with what
they read differently (tabs, ``?``, block scalars, a byte order mark, an empty value), and every
document libyaml refuses, are composed by the pure-Python parser, whose messages and positions
every error is made from. A property test keeps the two giving the same data, positions and
errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from dsdone.errors import DsdoneError, Location
from dsdone.parse_errors import describe

YamlPath = tuple[str | int, ...]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _Loader(yaml.SafeLoader):
    """The safe loader, minus implicit timestamps: ``until: 2026-01-31`` stays a string, which
    is what JSON Schema validates and what the contract parses itself."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_CLoader: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser with the resolvers of ``_Loader``."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


# What libyaml reads otherwise than the pure-Python parser: a tab or a "?" (it accepts some
# that the other refuses), a block scalar's header (the same), a byte order mark (it counts
# columns otherwise); and what neither may read, which the pure-Python reader locates.
# (Two searches, not one joined pattern: PyYAML has compiled NON_PRINTABLE already, and
# compiling its ranges again costs 6 ms at every start.)
_NOT_ALIKE = re.compile("[\t?|>\ufeff]")
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


class _Unlike(Exception):
    """libyaml composed an empty value (``{a: }``), which the pure-Python parser places at the
    end of the token before it, and libyaml at the start of the token after it."""


@dataclass(frozen=True)
class Mark:
    """A 1-based position in the source text."""

    line: int
    column: int


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    values: dict[YamlPath, Mark]  # where each value starts
    keys: dict[YamlPath, Mark]  # where the key of each mapping entry starts

    def locate(self, path: YamlPath) -> Mark | None:
        """The position of the value at ``path``, or of its closest enclosing value."""
        while True:
            mark = self.values.get(path)
            if mark is not None or not path:
                return mark
            path = path[:-1]

    def locate_key(self, path: YamlPath) -> Mark | None:
        """The position of the key that holds ``path`` (falls back to the value's position)."""
        return self.keys.get(path) or self.locate(path)


def format_path(path: YamlPath) -> str:
    """``("inputs", 0, "source")`` as ``inputs[0].source``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the contract"


def load_yaml(
    text: str, filename: str, *, max_values: int = 100_000, max_depth: int = 50
) -> YamlDocument:
    """Parse one YAML document; raise ``DsdoneError`` naming ``filename:line:column`` if it is not
    plain, safe, duplicate-free data of bounded size."""
    fast = _compose_fast(text)
    if fast is not None:
        node, loader = fast
        builder = _Builder(loader, filename, max_values=max_values, max_depth=max_depth, fast=True)
        try:
            data = None if node is None else builder.build(node, (), 0)
        except _Unlike:
            pass  # composed again below, by the pure-Python parser
        else:
            return YamlDocument(data=data, values=builder.values, keys=builder.keys)
    try:
        # The reader refuses control characters as soon as it is built, so it is built in here.
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, filename, exc) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, filename) from None
    except yaml.reader.ReaderError as exc:  # the same refusal, found later in the stream
        raise _reader_error(text, filename, exc) from None
    except yaml.YAMLError as exc:
        failure = describe(exc, text)
        raise DsdoneError(
            f"YAML error: {failure.what}", at=Location(filename, failure.line, failure.column)
        ) from None
    except RecursionError:
        raise DsdoneError(
            "the YAML is nested too deeply to be a contract",
            at=Location(filename),
            hint="a contract is a few levels deep; flatten the document",
        ) from None
    finally:
        loader.dispose()
    builder = _Builder(loader, filename, max_values=max_values, max_depth=max_depth)
    data = None if node is None else builder.build(node, (), 0)
    return YamlDocument(data=data, values=builder.values, keys=builder.keys)


def _compose_fast(text: str) -> tuple[yaml.Node | None, Any] | None:
    """The node graph of ``text`` and the loader that composed it, by libyaml; None when
    PyYAML has no libyaml, when the text holds what the two parsers read otherwise, and when
    libyaml refuses it (the pure-Python parser then says why)."""
    if _CLoader is None or _NOT_ALIKE.search(text) or _NON_PRINTABLE.search(text):
        return None
    loader = _CLoader(text)
    try:
        return loader.get_single_node(), loader
    except Exception:  # a syntax error, nesting beyond libyaml's limit: for the other to explain
        return None
    finally:
        loader.dispose()


# Constructs that PyYAML names as the context of an error and that a person opens and must
# close: the mistake is at the place they began (as Python says "'[' was never closed" at the
# bracket), not where the parser gave up, which can be many lines below.
_LEFT_OPEN = {
    "while parsing a flow sequence": (
        "the list opened with '[' here is not closed",
        "close it with ']' (or write the list as lines starting with '- ')",
    ),
    "while parsing a flow mapping": (
        "the mapping opened with '{' here is not closed",
        "close it with '}' (or write the mapping as indented key: value lines)",
    ),
    "while scanning a quoted scalar": (
        "the text quoted here is not closed",
        "end the text with the quote it begins with",
    ),
    "while scanning a simple key": (
        "the key here has no ':' after it",
        "write `key: value`, with a space after the colon",
    ),
}
# PyYAML's names of tokens, as a person reading the contract would say them.
_TOKENS = {
    "'<stream end>'": "the end of the file",
    "end of stream": "end of the file",
    "<block end>": "the end of an indented block",
    "'<block mapping start>'": "a key at another indentation",
    "'<block sequence start>'": "a '-' list at another indentation",
    "'<scalar>'": "more text",
    "'?'": "a key at another indentation",
}


def _syntax_error(exc: yaml.MarkedYAMLError, filename: str) -> DsdoneError:
    """A syntax error at the place to fix, naming both places PyYAML knows: where the construct
    it was reading began (``context_mark``), and where it gave up (``problem_mark``)."""
    problem = _plain(exc.problem or exc.context or "invalid YAML")
    context, began, gave_up = exc.context, exc.context_mark, exc.problem_mark
    hint = "fix the YAML syntax at that place (indentation, a missing colon or quote)"
    if (
        began is not None
        and gave_up is not None
        and (began.line, began.column)
        != (
            gave_up.line,
            gave_up.column,
        )
    ):
        opened = _LEFT_OPEN.get(context or "")
        if opened is not None:
            what, fix = opened
            return DsdoneError(
                f"YAML syntax error: {what}; the parser gave up at line {gave_up.line + 1}, "
                f"column {gave_up.column + 1}: {problem}",
                at=_location(filename, began),
                hint=fix,
            )
        if context and context.startswith(("while parsing ", "while scanning ")):
            within = context.split(" ", 2)[2]
            problem += f" (in {within} that begins at line {began.line + 1}, column "
            problem += f"{began.column + 1})"
        elif context:  # "expected a single document in the stream", "but found another"
            problem = f"{_plain(context)}, {problem}"
        return DsdoneError(
            f"YAML syntax error: {problem}", at=_location(filename, gave_up), hint=hint
        )
    mark = gave_up or began
    return DsdoneError(
        f"YAML syntax error: {problem}",
        at=_location(filename, mark) if mark else Location(filename),
        hint=hint,
    )


def _location(filename: str, mark: yaml.Mark) -> Location:
    return Location(filename, mark.line + 1, mark.column + 1)


def _plain(message: str) -> str:
    for token, words in _TOKENS.items():
        message = message.replace(token, words)
    return message


def _reader_error(text: str, filename: str, exc: yaml.reader.ReaderError) -> DsdoneError:
    line, column = _line_column(text, exc.position)
    return DsdoneError(
        f"the character U+{exc.character:04X} is not allowed in YAML",
        at=Location(filename, line, column),
        hint="remove it; a contract is plain text",
    )


def _line_column(text: str, position: int) -> tuple[int, int]:
    """The 1-based line and column of the character at ``position`` in ``text``."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _unprintable(value: str) -> str | None:
    """The first character of ``value`` that must not reach a terminal or a UTF-8 report.

    Double-quoted YAML can spell any code point with an escape: ``"\\e[2J"`` would clear the
    terminal of whoever reads the report, and a lone surrogate (``"\\ud800"``) cannot be
    written as UTF-8 at all, so it would crash the report instead of failing the contract.
    """
    for char in value:
        code = ord(char)
        if (code < 0x20 and char not in "\t\n\r") or 0x7F <= code <= 0x9F:
            return char
        if 0xD800 <= code <= 0xDFFF:
            return char
    return None


class _Builder:
    def __init__(
        self, loader: Any, filename: str, *, max_values: int, max_depth: int, fast: bool = False
    ):
        self.loader = loader
        self.fast = fast  # composed by libyaml
        self.filename = filename
        self.max_values = max_values
        self.max_depth = max_depth
        self.count = 0
        self.values: dict[YamlPath, Mark] = {}
        self.keys: dict[YamlPath, Mark] = {}

    def _error(self, node: yaml.Node, message: str, hint: str | None = None) -> DsdoneError:
        mark = node.start_mark
        return DsdoneError(
            message, at=Location(self.filename, mark.line + 1, mark.column + 1), hint=hint
        )

    def build(self, node: yaml.Node, path: YamlPath, depth: int) -> Any:
        if self.fast and isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style:
            raise _Unlike  # before anything names its place
        self.count += 1
        if self.count > self.max_values:
            raise self._error(
                node,
                f"the document expands to more than {self.max_values:,} values",
                hint="a contract is small; remove the repeated aliases (*name) or split the file",
            )
        if depth > self.max_depth:
            raise self._error(
                node,
                f"the document is nested more than {self.max_depth} levels deep",
                hint="a contract is a few levels deep; flatten the document",
            )
        self.values.setdefault(path, Mark(node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                raise self._tag_error(node)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag not in _PLAIN_TAGS:
            raise self._tag_error(node)
        self._check_printable(node)
        try:
            return self.loader.construct_object(node, deep=False)
        except (ValueError, OverflowError, IndexError) as exc:
            # Python refuses to convert integers of more than 4300 digits (CVE-2020-10735);
            # PyYAML fails on an empty number with a tag (`!!int`) with an IndexError. The
            # message says so, and quotes nothing else (see unreadable_value).
            from dsdone.parsed import unreadable_value

            raise self._error(
                node,
                f"the value cannot be read: {unreadable_value(node.tag, str(node.value), exc)}",
                hint="write a shorter value",
            ) from None

    def _check_printable(self, node: yaml.ScalarNode) -> None:
        bad = _unprintable(str(node.value))
        if bad is not None:
            raise self._error(
                node,
                f"the text holds the control or invalid character U+{ord(bad):04X}",
                hint="remove the escape (such as \\e, \\x1b or \\ud800) from the quoted text",
            )

    def _mapping(self, node: yaml.MappingNode, path: YamlPath, depth: int) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            raise self._tag_error(node)
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self._error(
                    key_node,
                    "merge keys ('<<') are not supported in a contract",
                    hint="write the keys out",
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._error(key_node, "a key must be a plain word, not a list or a mapping")
            # Keys are taken as written: YAML 1.1 would turn `on:` into True and `1:` into 1.
            self._check_printable(key_node)
            key = str(key_node.value)
            if key in first_seen:
                raise self._error(
                    key_node,
                    f"duplicate key '{key}' in {format_path(path)} (first given on line "
                    f"{first_seen[key]})",
                    hint="keep one of the two; YAML would silently use the last",
                )
            first_seen[key] = key_node.start_mark.line + 1
            child = (*path, key)
            self.keys[child] = Mark(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _tag_error(self, node: yaml.Node) -> DsdoneError:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        return self._error(
            node,
            f"the YAML tag '{tag}' is not allowed in a contract",
            hint="a contract holds plain strings, numbers, booleans, lists and mappings; "
            "remove the tag",
        )
