"""Find absolute paths that only exist on one person's machine, in bytes or text.

Pure functions, no ``Project``: text in, matches out, so that any input (a property-based
test feeds it arbitrary bytes) gives matches or nothing, never an exception.

What counts as a personal path: a home folder with a user name in it (``/Users/ana``,
``/home/ana``, ``C:\\Users\\ana`` in any spelling of its separators, ``/mnt/c/Users/ana``), a
Databricks user workspace (``/Workspace/Users/ana@corp.com``), a Colab Google Drive mount
(``/content/drive/MyDrive``), and ``file://`` URLs to those. What does not: the same words inside
a URL (``https://host/home/ana``) or a relative path (``data/home/ana``), a regular expression
or a template (``/home/[^/]+/``, ``/home/{user}``), a home folder without a user (``/home/``),
``~`` and ``$HOME``, and the users of the ``allowed`` list (generic container accounts).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from dsdone.safe_read import BINARY_PROBE_BYTES

# Every match of _PATH contains one of these, so a file without any of them cannot hold a
# personal path. ``bytes.find`` is a memchr-style scan, far cheaper than any regular expression,
# and most files of a repository stop here.
NEEDLES: tuple[bytes, ...] = (
    b"/home/",
    b"Users/",
    b"users/",
    b"USERS/",
    b"Users\\",
    b"users\\",
    b"USERS\\",
    b"/content/drive/",
)

TEXT_NEEDLES = tuple(needle.decode() for needle in NEEDLES)

# A user name as people and operating systems spell them: it starts and ends with a word
# character, so that regular expressions (``[^/]+``, ``\w+``), templates (``{user}``, ``<user>``)
# and globs (``*``) never look like a name.
_NAME = r"\w(?:[\w.-]*\w)?"
_EMAIL_OR_NAME = r"\w(?:[\w.+-]*\w)?(?:@\w(?:[\w.-]*\w)?)?"
# A Windows profile folder may hold spaces (C:\Users\Will Koehrsen): words joined by single
# spaces are one name only where a folder separator follows them, so that prose after a path
# ("copy it to C:\Users\ana and run") is not taken for the rest of the name.
_WINDOWS_NAME = rf"{_NAME}(?: {_NAME})+(?=[\\/])|{_NAME}"
# C:\Users, C:\\Users (escaped), C:\\\\Users (escaped twice, in a notebook's JSON), C:/Users
_SEP = r"(?:\\{1,4}|/)"
_USERS = r"(?:Users|users|USERS)"
# After the name: not more of a name, nor a regular-expression or template character.
_END = r"(?![\w-]|[*?\[{(+|$^<])"
# Where a path may start: not inside a word, a URL or a relative path (``s3://home/x``,
# ``https://host/home/x``, ``./home/x``, ``~/x``, ``${ROOT}/home/x``, ``%2Fhome``).
_START = r"(?<![\w.~$/\\%{}-])"
# The rest of the path, for the message: up to a quote, a space or a bracket, bounded.
_REST = r"(?P<rest>[/\\][^\s\"'`<>|,;(){}\[\]]{0,240})?"

_PATH = re.compile(
    _START
    + r"(?P<url>file://(?:localhost)?(?=/))?"
    + r"(?:/(?:"
    + rf"Workspace/Users/(?P<dbx>{_EMAIL_OR_NAME}){_END}"
    + rf"|mnt/[A-Za-z]/{_USERS}/(?P<wsl>{_WINDOWS_NAME}){_END}"
    + rf"|Users/(?P<mac>{_NAME}){_END}"
    + rf"|home/(?P<linux>{_NAME}){_END}"
    + r"|content/drive/(?P<colab>MyDrive|My Drive|Shareddrives)(?![\w-])"
    + r")"
    + rf"|/?[A-Za-z]:{_SEP}{_USERS}{_SEP}(?P<win>{_WINDOWS_NAME}){_END}"
    + r")"
    + _REST
)

# Whose place each kind of path is, for the message ("{user}" is the user name).
KINDS = {
    "dbx": "the Databricks workspace of '{user}'",
    "wsl": "the Windows home folder of '{user}', seen from WSL",
    "mac": "the macOS home folder of '{user}'",
    "linux": "the Linux home folder of '{user}'",
    "colab": "one person's Google Drive, as Colab mounts it",
    "win": "the Windows home folder of '{user}'",
}


@dataclass(frozen=True)
class PathMatch:
    """One personal path: where it starts (``offset`` in the text; 1-based ``line`` and
    ``column``), the path as written, and whose it is (``user`` is ``None`` for a Colab drive)."""

    offset: int
    line: int
    column: int
    text: str
    user: str | None
    kind: str  # whose place it is, in words: "the macOS home folder of 'ana'"


def is_binary(head: bytes) -> bool:
    """Whether the file is binary, by git's rule (a NUL byte in the first 8,000 bytes)."""
    return b"\0" in head[:BINARY_PROBE_BYTES]


def might_contain(data: bytes) -> bool:
    """False when ``data`` cannot contain a personal path: the cheap test before any decoding."""
    if b"/home/" in data or b"/content/drive/" in data:
        return True
    # Four "Users" needles share "sers" or "SERS": two scans rule out almost every file, and
    # the exact needles are looked for only in the few that remain.
    if b"sers" in data or b"SERS" in data:
        return any(needle in data for needle in NEEDLES)
    return False


def decode(data: bytes) -> str:
    """The text of a file, whatever its encoding: UTF-8 (a BOM dropped), bad bytes replaced."""
    return data.decode("utf-8-sig", errors="replace")


def scan_text(text: str, allowed: Collection[str] = ()) -> Iterator[PathMatch]:
    """The personal paths in ``text``, in order; ``allowed`` user names (compared without case)
    are not personal."""
    allowed_lower = _lowered(allowed if isinstance(allowed, frozenset) else frozenset(allowed))
    line, line_start, counted_to = 1, 0, 0
    for match in _matches(text):
        group = next(name for name in KINDS if match.group(name) is not None)
        user = None if group == "colab" else match.group(group)
        if user is not None and user.lower() in allowed_lower:
            continue
        start = match.start()
        # Count lines incrementally: matches come in order, so the whole scan stays linear.
        newlines = text.count("\n", counted_to, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted_to, start) + 1
        counted_to = start
        yield PathMatch(
            offset=start,
            line=line,
            column=start - line_start + 1,
            text=_clean(match.group(0)),
            user=user,
            kind=KINDS[group].format(user=user),
        )


@functools.lru_cache(maxsize=8)
def _lowered(names: frozenset[str]) -> frozenset[str]:
    # Once per set of names, not once per line scanned.
    return frozenset(name.lower() for name in names)


def _matches(text: str) -> Iterator[re.Match[str]]:
    """``_PATH.finditer(text)``, run only on the lines that hold a needle. A path never spans a
    line break, and at a line's edges the pattern sees what it would see in the whole text (a
    line break is neither a character a path may follow nor one a name may go on with), so the
    matches are the same; but the regular expression, far slower than ``str.find``, skips the
    rest: in a notebook, the long lines of base64 images in the outputs."""
    if "\n" not in text:  # one line (as git grep gives them): the needles were found already
        yield from _PATH.finditer(text)
        return
    starts: set[int] = set()
    for needle in TEXT_NEEDLES:
        found = text.find(needle)
        while found >= 0:
            starts.add(text.rfind("\n", 0, found) + 1)
            end = text.find("\n", found)
            if end < 0:
                break
            found = text.find(needle, end)
    for start in sorted(starts):
        end = text.find("\n", start)
        yield from _PATH.finditer(text, start, len(text) if end < 0 else end)


def _clean(path: str) -> str:
    # Trailing punctuation ends a sentence or a list, not the path; a trailing backslash is the
    # start of an escape (``\"`` or ``\n`` in JSON), not a folder.
    return path.rstrip(".:\\")


# -- notebooks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceLine:
    """Where one line of a cell's source is stored in the notebook's JSON text."""

    start: int  # offset of the line's first character (after the opening quote, if any)
    end: int
    cell: int  # 0-based index of the cell
    cell_line: int  # 1-based line in the cell's source


def locate_sources(raw: str, sources: list[str]) -> list[SourceLine] | None:
    """Where each line of each cell's source (``sources[i]`` is cell i's) is in ``raw``, the
    notebook's JSON text, in order; ``None`` when a line cannot be found (the notebook was not
    written the way Jupyter and nbformat write them).

    A cell's source is stored as a list of strings, one per line (nbformat's way), or as one
    string; either way each line's JSON encoding appears in the text after the cell's
    ``"source"`` key, in order. JSON encodes a quote as ``\\"`` and a line break as ``\\n``, so
    an encoded line can never be confused with the quotes, commas and newlines between the
    strings of the list.
    """
    import json

    located: list[SourceLine] = []
    cursor = 0
    for cell, source in enumerate(sources):
        key = raw.find('"source"', cursor)
        if key < 0:
            return None
        cursor = key + len('"source"')
        for number, line in enumerate(source.splitlines(keepends=True), start=1):
            start = -1
            # Jupyter writes non-ASCII characters as they are; other tools escape them.
            for ascii_only in (False, True):
                encoded = json.dumps(line, ensure_ascii=ascii_only)[1:-1]
                start = raw.find(encoded, cursor)
                if start >= 0:
                    break
            if start < 0:
                return None
            cursor = start + len(encoded)
            located.append(SourceLine(start, cursor, cell, number))
    return located


def cell_starts(raw: str, count: int) -> list[int]:
    """The offset of each cell's ``"cell_type"`` key: a cell's saved outputs lie between its
    start and the next cell's."""
    starts: list[int] = []
    cursor = 0
    for _ in range(count):
        found = raw.find('"cell_type"', cursor)
        if found < 0:
            break
        starts.append(found)
        cursor = found + 1
    return starts


def output_spans(raw: str, starts: list[int]) -> list[tuple[int, int] | None]:
    """For each cell (``starts``: its offsets, as ``cell_starts`` gives them), where the value
    of its ``"outputs"`` key is in ``raw``, or None: a match there is in a saved output. Each
    cell's outputs are decoded once, so placing any number of matches stays linear."""
    import json

    decoder = json.JSONDecoder()
    spans: list[tuple[int, int] | None] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(raw)
        span = None
        key = raw.find('"outputs"', start, end)
        while key >= 0 and span is None:
            colon = _skip_space(raw, key + len('"outputs"'))
            if raw.startswith(":", colon):
                value = _skip_space(raw, colon + 1)
                try:
                    outputs, value_end = decoder.raw_decode(raw, value)
                except (ValueError, RecursionError):
                    outputs = None
                if isinstance(outputs, list):
                    span = (value, value_end)
            key = raw.find('"outputs"', key + 1, end)
        spans.append(span)
    return spans


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def json_unescape(text: str) -> str:
    """A path as the notebook's user wrote it, from its JSON-encoded form in the file."""
    import json

    try:
        decoded = json.loads(f'"{text}"')
    except ValueError:
        return text
    # A JSON string holds a whole line (or a whole cell): the path ends at the line break.
    return re.split(r"[\n\r\t]", decoded)[0] or text
