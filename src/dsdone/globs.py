"""Gitignore-style globs (the contract's ``exclude``, waivers' ``paths``, ``config.files``, and
``.gitignore`` files outside git), matched in time linear in the path.

The rules are git's, as ``pathspec.GitIgnoreSpec`` implements them: ``*.csv`` matches at any
depth, ``data/*.csv`` and ``/x`` are anchored, ``**`` spans folders, ``dir/`` matches what is
below a folder, ``!keep`` re-includes, and the last pattern that matches the path itself wins
over one that matches only a folder of it. (A bracket never matches ``/``, as in git.)

Not pathspec's matching: it turns ``*a*a*a*b`` into a regular expression that backtracks over
every way of splitting a long name, for minutes, holding the interpreter's lock, and both the
globs and the names come from the repository under check. Here each glob becomes regular
expressions that cannot backtrack more than linearly: within a path segment, every ``*`` but
the last takes the first place where the fixed-length text after it fits (an atomic group),
and a ``**`` the first folder where the segments after it fit. The first place is always
right: whatever a later place leaves to the rest of the glob, an earlier one leaves more.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import NamedTuple

_SEGMENT_END = r"(?=/|\Z)"
_ANY_FOLDERS = r"(?:[^/]+/)*?"  # zero or more folders, fewest first


class _Rule(NamedTuple):
    """One glob: whether it includes (or, after ``!``, excludes) what it matches, and the
    patterns for a match of the path itself and of one of its folders. (A NamedTuple, not a
    dataclass: this module is imported as dsdone starts, and a dataclass costs a millisecond.)"""

    include: bool
    whole: re.Pattern[str] | None
    folder: re.Pattern[str] | None


class Globs:
    """Compiled gitignore-style globs; ``match_file`` as ``pathspec.PathSpec.match_file``."""

    def __init__(self, rules: Iterable[_Rule]) -> None:
        self._rules = tuple(reversed(tuple(rules)))  # the last rule that matches decides

    def check_file(self, path: str) -> bool | None:
        """True if the globs include ``path``, False if a ``!`` glob excludes it again, None
        if no glob matches it (a folder's path ends with ``/``)."""
        path = _normalized(path)
        by_folder: bool | None = None
        for rule in self._rules:
            if rule.whole is not None and rule.whole.match(path):
                return rule.include
            if by_folder is None and rule.folder is not None and rule.folder.match(path):
                by_folder = rule.include
        return by_folder

    def match_file(self, path: str) -> bool:
        return self.check_file(path) is True


@functools.lru_cache(maxsize=128)
def compile_globs(patterns: tuple[str, ...]) -> Globs:
    """The globs of ``patterns``; ``ValueError`` naming the first one that is not a glob."""
    return Globs(rule for rule in map(_rule, patterns) if rule is not None)


def gitignore_globs(lines: Iterable[str]) -> Globs:
    """The globs of a ``.gitignore`` file: a line git would not understand is left out, as git
    leaves it out, and the others still apply."""
    rules = []
    for line in lines:
        try:
            rule = _rule(line)
        except ValueError:
            continue
        if rule is not None:
            rules.append(rule)
    return Globs(rules)


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a glob, or None."""
    try:
        _rule(pattern)
    except ValueError as exc:
        return str(exc)
    return None


def _normalized(path: str) -> str:
    """As pathspec normalizes a path: relative, without a leading ``./``."""
    if path.startswith("/"):
        return path[1:]
    return path[2:] if path.startswith("./") else path


class _Discarded(Exception):
    """A bracket that is never closed: git discards the whole pattern."""


def _rule(line: str) -> _Rule | None:
    """The rule of one gitignore line; None for a blank line, a comment or a pattern git
    discards; ``ValueError`` for one that is not a pattern at all."""
    text = line if line.endswith("\\ ") else line.rstrip()  # `\ ` keeps a trailing space
    if not text or text.startswith("#") or text == "/":
        return None
    include = not text.startswith("!")
    if not include:
        text = text[1:]
    segments = text.split("/")
    is_folder = not segments[-1]
    if not segments[0]:
        del segments[0]  # a leading `/` anchors the pattern at the root
    elif segments[0] != "**" and (len(segments) == 1 or (len(segments) == 2 and not segments[1])):
        segments.insert(0, "**")  # one name matches at any depth
    if not segments:
        raise ValueError(f"{line!r} is not a pattern")
    if not segments[-1]:
        segments[-1] = "**"  # `dir/` matches everything below the folder
    collapsed: list[str] = []  # `**/**` is `**`
    for segment in segments:
        if not (segment == "**" and collapsed and collapsed[-1] == "**"):
            collapsed.append(segment)
    try:
        return _translate(include, collapsed, is_folder)
    except _Discarded:
        return None


def _translate(include: bool, segments: list[str], is_folder: bool) -> _Rule:
    if segments == ["**"] or segments == ["**", "*"]:  # everything
        return _Rule(include, None if is_folder else _compile(r"(?s:.)"), _below_any(is_folder))
    if segments == ["**", "*", "**"]:  # everything inside a folder
        below = _compile(r"[^/]*/")
        return _Rule(include, None if is_folder else below, below if is_folder else None)
    lead = segments[0] == "**"
    tail_below = segments[-1] == "**"
    groups: list[list[str]] = [[]]  # the segments between two `**`
    for segment in segments[1 if lead else 0 : -1 if tail_below else None]:
        if segment == "**":
            groups.append([])
        else:
            groups[-1].append(_segment(segment))
    head = ""  # the groups before the last, each at the first place it fits
    for index, group in enumerate(groups[:-1]):
        head += _group(index, lead, group, atomic=True)
    last = len(groups) - 1
    first_place = head + _group(last, lead, groups[-1], atomic=True) + "/"
    if tail_below:  # `dir/**` or `dir/`: what is below; `dir/**` counts as the path itself
        below = _compile(first_place)
        return _Rule(include, None if is_folder else below, below if is_folder else None)
    whole = head + _group(last, lead, groups[-1], atomic=False) + r"\Z"
    return _Rule(include, _compile(whole), _compile(first_place))


def _below_any(is_folder: bool) -> re.Pattern[str] | None:
    # `**/` matches what is inside any folder: every path with a slash, as a folder match.
    return _compile(r"[^/]*/") if is_folder else None


def _group(index: int, lead: bool, segments: list[str], *, atomic: bool) -> str:
    """Segments that follow each other, after any number of folders when a ``**`` comes
    before them: at the first place they fit (``atomic``), or at each place in turn."""
    body = "/".join(segments)
    sliding = index > 0 or lead
    if sliding:
        body = _ANY_FOLDERS + body
    if atomic:
        body = f"(?>{body})"
    return ("/" if index > 0 else "") + body


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:  # a bracket such as [z-a]
        raise ValueError(f"{exc.msg}") from None


def _segment(glob: str) -> str:
    """One path segment: ``*`` any run of characters, ``?`` one, ``[...]`` one of a set, in
    the shape that cannot backtrack more than linearly (see the module's docstring)."""
    if glob == "*":
        return rf"(?>[^/]+{_SEGMENT_END})"
    chunks: list[list[str]] = [[]]  # the fixed-length pieces between stars
    for token in _tokens(glob):
        if token == "*":
            chunks.append([])
        else:
            chunks[-1].append(token)
    parts = ["".join(chunk) for chunk in chunks]
    if len(parts) == 1:
        body = parts[0]
    else:
        middle = "".join(f"(?>[^/]*?{part})" for part in parts[1:-1] if part)
        body = parts[0] + middle + "[^/]*" + parts[-1]
    return f"(?>{body}{_SEGMENT_END})"


def _tokens(glob: str) -> list[str]:
    """The regular expression of each piece of a segment's glob, ``*`` for a star."""
    tokens: list[str] = []
    position = 0
    while position < len(glob):
        char = glob[position]
        position += 1
        if char == "\\":
            if position == len(glob):
                raise ValueError(f"{glob!r} ends with an escape character")
            tokens.append(re.escape(glob[position]))
            position += 1
        elif char == "*":
            if not tokens or tokens[-1] != "*":
                tokens.append("*")
        elif char == "?":
            tokens.append("[^/]")
        elif char == "[":
            token, position = _bracket(glob, position)
            tokens.append(token)
        else:
            tokens.append(re.escape(char))
    return tokens


def _bracket(glob: str, start: int) -> tuple[str, int]:
    """The set that starts after the ``[`` at ``start - 1``, and where the glob goes on.
    ``[!a]`` and ``[^a]`` negate, ``]`` first is a member, ranges as ``a-z``."""
    end = start
    if end < len(glob) and glob[end] in "!^":
        end += 1
    if end < len(glob) and glob[end] == "]":
        end += 1
    end = glob.find("]", end)
    if end < 0:
        raise _Discarded
    content = glob[start:end]
    negated = content[:1] in ("!", "^")
    if negated:
        content = content[1:]
    members = ""
    index = 0
    while index < len(content):
        if index + 2 < len(content) and content[index + 1] == "-":
            members += f"{re.escape(content[index])}-{re.escape(content[index + 2])}"
            index += 3
        else:
            members += re.escape(content[index])
            index += 1
    return f"(?!/)[{'^' if negated else ''}{members}]", end + 1
