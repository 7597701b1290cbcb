"""How text that came from a repository is written in each format: shown, never obeyed.

Whatever a report or a message says about a project may come from files its user did not
write: paths, messages that quote a file, plugin titles and summaries, contract values. One
policy per format, applied to every such string:

- **Every format**: a lone surrogate (what Python makes of a byte of a file name that is not
  UTF-8) is shown as ``\\xNN``, the byte it stands for, so that every report is valid UTF-8.
- **Terminal, Markdown, JUnit, GitHub**: control characters (C0, DEL, C1), the Unicode line and
  paragraph separators, bidirectional overrides (which reorder what a reader sees) and the
  non-characters XML forbids are shown as ``\\xNN`` or ``\\uNNNN``. ``line`` is for a value
  that is one line (a path, a title, a name): a newline and a tab are escaped too. ``block`` is
  for a message or a hint, where a newline is kept and the renderer indents what follows it.
- **JSON, SARIF**: ``json.dumps`` escapes control characters, so a consumer reads the string
  as it was; only surrogates are replaced (``valid_data``).
- **GitHub Actions** reads a workflow command from any line of a job's log that starts with
  ``::`` after spaces, or that holds ``##[`` anywhere (the runner's older syntax). Whatever the
  format, no repository text may make such a line: ``##[`` and a ``::`` at the start of a line
  are written in each format's own escape (``neutralize_*``), which the format's reader decodes
  back, except on the terminal and in Markdown code, where they show as ``\\x23``/``\\x3a``.

A backslash is not escaped, so ``C:\\Users\\ana`` reads as it is written; ``\\x1b`` in a
report is therefore either an escape or those four characters in the file.
"""

from __future__ import annotations

import html
import re
from typing import Any


def _escape_code(code: int) -> str:
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte of a name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_SURROGATES = {code: _escape_code(code) for code in range(0xD800, 0xE000)}
_SHOWN = {
    **_SURROGATES,
    **{code: _escape_code(code) for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))},
    # Line and paragraph separators, which some terminals and viewers break lines on; the
    # bidirectional marks, embeddings, overrides and isolates ("Trojan Source"); and the
    # non-characters XML 1.0 does not allow.
    **{
        code: _escape_code(code)
        for code in (0x2028, 0x2029, 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F))
    },
    **{code: _escape_code(code) for code in (*range(0x2066, 0x206A), 0xFFFE, 0xFFFF)},
}
_LINE = _SHOWN
_BLOCK = {code: shown for code, shown in _SHOWN.items() if code not in (0x09, 0x0A)}


def valid_text(text: str) -> str:
    """``text`` without lone surrogates (``\\udce9`` becomes ``\\xe9``): writable as UTF-8."""
    return text.translate(_SURROGATES)


def valid_data(value: Any) -> Any:
    """``value`` (JSON-like data) with every string, key or value, made ``valid_text``."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {valid_data(key): valid_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [valid_data(item) for item in value]
    return value


def line(text: str) -> str:
    """A one-line value with every control and invisible-ordering character shown escaped."""
    return text.translate(_LINE)


def block(text: str) -> str:
    """Like ``line``, but newlines and tabs are kept: a message or a hint of several lines."""
    return text.translate(_BLOCK)


def indented(text: str, indent: str) -> str:
    """``block(text)`` with every line after the first indented by ``indent``."""
    return block(text).replace("\n", "\n" + indent)


# -- GitHub Actions workflow commands -------------------------------------------------------

# The runner trims any Unicode white space before it looks for ``::``; so does ``\s``.
_COMMAND_LINE = re.compile(r"^(\s*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = "##["


def neutralize_terminal(output: str) -> str:
    """Text for a person: ``##[`` and a line-starting ``::`` shown with an escape."""
    return _COMMAND_LINE.sub(r"\1\\x3a", output.replace(_LEGACY_COMMAND, "#\\x23["))


# What json.dumps(ensure_ascii=False) leaves raw but a terminal or viewer would obey: C1
# controls, separators, bidirectional controls. JSON spells any character as \uNNNN.
_JSON_ESCAPES = {
    code: f"\\u{code:04x}" for code in _SHOWN if code >= 0x7F and not 0xD800 <= code < 0xE000
}


def neutralize_json(output: str) -> str:
    """Serialized JSON: the characters a reader's terminal would obey as ``\\uNNNN``, and ``#``
    as ``\\u0023`` where it would spell ``##[`` (the same strings to a JSON reader). A line of
    ``json.dumps(indent=...)`` output never starts with a string."""
    return output.translate(_JSON_ESCAPES).replace(_LEGACY_COMMAND, "#\\u0023[")


def neutralize_xml(output: str) -> str:
    """Serialized XML: character references, which an XML reader decodes to the same text."""
    return _with_references(output)


def neutralize_markdown(output: str) -> str:
    """Rendered Markdown: HTML character references, which render as the same text. Text
    escapes ``#`` anyway, so a ``##[`` left is in HTML (``<summary>``); code spans, where a
    reference would show as it is written, escape ``##[`` themselves (``markdown_code``)."""
    return _with_references(output)


def neutralize_html(output: str) -> str:
    """A rendered HTML page: character references in its text and attribute values, which a
    browser decodes to the same text. The JSON of a script element, where references are not
    decoded, must have been neutralized as JSON when it was written (``neutralize_json``)."""
    return _with_references(output)


def _with_references(output: str) -> str:
    return _COMMAND_LINE.sub(r"\1&#58;", output.replace(_LEGACY_COMMAND, "#&#35;["))


# -- Markdown (GitHub Flavored) -------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


def markdown_text(text: str) -> str:
    """Literal text on one line of Markdown: HTML-escaped, Markdown punctuation escaped with a
    backslash, whitespace (newlines included) collapsed to single spaces."""
    return _markdown_literal(_one_line(text))


def _markdown_literal(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def markdown_html(text: str) -> str:
    """Literal text inside an HTML element (``<summary>``), on one line."""
    return html.escape(_one_line(text), quote=True)


def _one_line(text: str) -> str:
    return " ".join(block(text).split())


_BACKTICKS = re.compile(r"`+")


def markdown_code(text: str, *, in_table: bool = False) -> str:
    """``text`` as a code span that its own backticks cannot close: the fence is one backtick
    longer than the longest run inside (CommonMark 6.1), padded with a space when the text
    starts or ends with a backtick or a space, which CommonMark then strips. Entities are not
    decoded in code, so ``##[`` is shown as ``#\\x23[``. In a table cell a ``|`` is escaped,
    since GitHub splits cells before it reads code spans."""
    content = line(text).replace(_LEGACY_COMMAND, "#\\x23[")
    if in_table:
        content = content.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content[:1] in ("`", " ") or content[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def markdown_inline(text: str, *, in_table: bool = False) -> str:
    """A message on one line of Markdown in which what it quotes as code stays code: each
    CommonMark code span of ``text`` (a run of backticks closed by a run of the same length,
    one space stripped at each end when both are there) is written with ``markdown_code``, the
    rest with ``markdown_text``. Unpaired backticks are text. Whatever the spans hold, they are
    written anew, so no text of a repository can close one early or add live HTML."""
    text = _one_line(text)
    parts: list[str] = []
    shown = 0  # text[:shown] is written
    runs = list(_BACKTICKS.finditer(text))
    index = 0
    while index < len(runs):
        opening = runs[index]
        width = len(opening.group())
        close = next(
            (at for at in range(index + 1, len(runs)) if len(runs[at].group()) == width), None
        )
        if close is None:  # an unpaired run is text
            index += 1
            continue
        closing = runs[close]
        code = text[opening.end() : closing.start()]
        if len(code) >= 2 and code[0] == " " and code[-1] == " " and code.strip():
            code = code[1:-1]
        parts.append(_markdown_literal(text[shown : opening.start()]))
        parts.append(markdown_code(code, in_table=in_table))
        shown = closing.end()
        index = close + 1
    parts.append(_markdown_literal(text[shown:]))
    return "".join(parts)


# -- GitHub workflow commands ---------------------------------------------------------------


def github_data(text: str) -> str:
    """The message of a workflow command: as the Actions toolkit escapes it (``%``, CR, LF)."""
    return block(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property of a workflow command (``file=``, ``title=``): one line, and also ``:`` and
    ``,``, which would end the property or the command."""
    escaped = line(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.replace(":", "%3A").replace(",", "%2C")


# -- XML ------------------------------------------------------------------------------------


def xml(text: str) -> str:
    """Text or an attribute value of an XML 1.0 document: every character XML forbids (most
    controls, surrogates, U+FFFE/U+FFFF) is shown escaped; newlines and tabs are kept."""
    return block(text)
