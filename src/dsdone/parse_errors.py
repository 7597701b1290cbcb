"""Why a file does not parse, in words that never quote the file.

A parser's exception text may quote what it read: PyYAML's ``str(exc)`` shows the offending
line, ``int()`` behind a ``!!int`` tag says ``invalid literal ... 'the-value'``, configparser
repeats the line it could not read. The files dsdone parses (configs, ``.env``, notebooks, a
baseline) may hold a password, and a finding is printed, uploaded as SARIF and posted as a
comment. So no parser's text reaches a message as it is: ``describe`` keeps the position and
the kind of problem, and ``content_free`` drops any quoted text longer than a character or two
(a token such as ``':'`` stays; a value does not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A quoted stretch, or a quote that is never closed (then all after it is dropped).
_QUOTED = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|['"]""")
# Quoted text that is the parser's own: the repr of one character ('\t', '\x00', '\u2028'),
# a PyYAML token ('<block end>', '<stream end>'), a tag of YAML's own namespace (the one that
# names Python objects: 'tag:yaml.org,2002:python/object/apply:os.system').
_PARSERS_OWN = re.compile(
    r"\\(?:[a-z]|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})|<[a-z ]+>|tag:yaml\.org,2002:[\w/.:-]*"
)
_MAX_LENGTH = 160


@dataclass(frozen=True)
class ParseFailure:
    """Where a file stopped parsing (1-based, when the parser said) and why, without content."""

    what: str
    line: int | None = None
    column: int | None = None


def content_free(text: str) -> str:
    """The first line of a parser's message, with quoted text longer than two characters (or
    one escaped character) replaced by ``'…'``, and at most 160 characters long."""
    first = text.strip().splitlines()[0] if text.strip() else ""

    def quoted(match: re.Match[str]) -> str:
        inner = match.group()[1:-1]
        return match.group() if len(inner) <= 2 or _PARSERS_OWN.fullmatch(inner) else "'…'"

    parts: list[str] = []
    end = 0
    for match in _QUOTED.finditer(first):
        parts.append(first[end : match.start()])
        if len(match.group()) == 1:  # unclosed: what follows is the file's, not the parser's
            parts.append("'…'")
            end = len(first)
            break
        parts.append(quoted(match))
        end = match.end()
    shown = "".join(parts) + first[end:]
    if len(shown) > _MAX_LENGTH:
        shown = shown[: _MAX_LENGTH - 1].rstrip() + "…"
    return shown or "it cannot be read"


def describe(exc: BaseException, text: str | None = None) -> ParseFailure:
    """What ``exc``, raised while parsing ``text`` (when given), says without the content."""
    import json

    if isinstance(exc, json.JSONDecodeError):
        return ParseFailure(content_free(exc.msg), exc.lineno, exc.colno)
    if isinstance(exc, SyntaxError):
        return ParseFailure(content_free(exc.msg or "invalid syntax"), exc.lineno, exc.offset)
    if isinstance(exc, RecursionError):
        return ParseFailure("it is nested too deeply")
    if isinstance(exc, UnicodeDecodeError):
        return ParseFailure(f"it is not UTF-8 text (byte {exc.start})")
    if isinstance(exc, OSError):
        return ParseFailure(exc.strerror or type(exc).__name__)
    yaml_failure = _yaml(exc, text)
    if yaml_failure is not None:
        return yaml_failure
    toml_failure = _toml(exc)
    if toml_failure is not None:
        return toml_failure
    ini_failure = _ini(exc)
    if ini_failure is not None:
        return ini_failure
    # A value a safe type cannot hold (a date 2026-02-30, an int of 5,000 digits, a !!float
    # tag on a word): the exception's text would quote it, so only its kind is said.
    return ParseFailure(f"a value cannot be read ({type(exc).__name__})")


def _yaml(exc: BaseException, text: str | None) -> ParseFailure | None:
    import sys

    yaml = sys.modules.get("yaml")  # only a YAML parser raises YAML errors: it is imported
    if yaml is None or not isinstance(exc, yaml.YAMLError):
        return None
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = content_free(exc.problem or exc.context or "invalid YAML")
        return ParseFailure(
            what, mark.line + 1 if mark else None, mark.column + 1 if mark else None
        )
    if isinstance(exc, yaml.reader.ReaderError):
        character = exc.character if isinstance(exc.character, int) else None
        what = "a character is not allowed" + (
            f" (U+{character:04X})" if character is not None else ""
        )
        if text is not None and isinstance(exc.position, int):
            line = text.count("\n", 0, exc.position) + 1
            column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
            return ParseFailure(what, line, column)
        return ParseFailure(what)
    return ParseFailure(f"invalid YAML ({type(exc).__name__})")


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml(exc: BaseException) -> ParseFailure | None:
    import tomllib

    if not isinstance(exc, tomllib.TOMLDecodeError):
        return None
    message = str(exc)
    at = _TOML_AT.search(message)
    what = content_free(message[: at.start()] if at else message)
    if at:
        return ParseFailure(what, int(at.group(1)), int(at.group(2)))
    return ParseFailure(what)


_INI_PREFIX = re.compile(r"^While reading from .*?\[line\s+\d+\]:\s*")


def _ini(exc: BaseException) -> ParseFailure | None:
    import sys

    configparser = sys.modules.get("configparser")
    if configparser is None or not isinstance(exc, configparser.Error):
        return None
    line = getattr(exc, "lineno", None)
    errors = getattr(exc, "errors", None)
    if line is None and errors:
        line = errors[0][0]
    if isinstance(exc, configparser.DuplicateOptionError):  # names of keys, not their values
        what = f"option {exc.option!r} in section {exc.section!r} already exists"
    elif isinstance(exc, configparser.DuplicateSectionError):
        what = f"section {exc.section!r} already exists"
    else:
        # configparser repeats the line it could not read after the first line of its message.
        what = content_free(_INI_PREFIX.sub("", str(exc).splitlines()[0] if str(exc) else ""))
    return ParseFailure(what, line if isinstance(line, int) else None)
