"""INI and CFG files read as ``configparser`` reads them, with the line of every setting.

Not ``configparser`` itself: it finds the delimiter of an option line with a lazy pattern
followed by optional spaces, which backtracks over a long run of spaces at each of its
characters, and it builds its error message by adding every bad line to a growing string;
either turns one file a stranger wrote into minutes. This reader follows the same rules as
``configparser.ConfigParser(interpolation=None)`` (sections, ``=`` or ``:``, full-line ``#``
and ``;`` comments, indented continuation lines, option names in lower case, a duplicate
section or option is an error) in one pass, and stops at the first error.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

DEFAULT_SECTION = "DEFAULT"
_COMMENT_PREFIXES = ("#", ";")


@dataclass(frozen=True)
class IniSetting:
    section: str
    key: str  # in lower case, as configparser gives it
    value: str  # continuation lines joined by line breaks
    line: int  # 1-based, where the option starts


@dataclass(frozen=True)
class IniError:
    """The first error, worded as configparser words it (without the file name)."""

    message: str
    line: int


@dataclass
class IniFile:
    settings: list[IniSetting] = field(default_factory=list)
    error: IniError | None = None
    sections: list[str] = field(default_factory=list)  # in order, each once, empty ones too


def read_ini(text: str, *, keep_case: bool = False) -> IniFile:
    """The settings of ``text``, or the first error with its line. Option names in lower case
    as configparser gives them, or as written with ``keep_case`` (pytest's iniconfig)."""
    section: str | None = None
    seen: set[tuple[str, str] | str] = set()
    current: list[str] | None = None  # the lines of the value being read
    indent = 0  # of the option line whose value is being read
    values: dict[tuple[str, str], tuple[int, list[str]]] = {}
    sections: list[str] = []
    # io.StringIO splits on "\n" only, as configparser's read_string does.
    for number, line in enumerate(io.StringIO(text), start=1):
        stripped = line.strip()
        if stripped.startswith(_COMMENT_PREFIXES):
            continue
        if not stripped:
            if current is not None:
                current.append("")  # a blank line inside a value, as configparser keeps it
            continue
        line_indent = len(line) - len(line.lstrip())
        if current is not None and line_indent > indent:
            current.append(stripped)  # a continuation line
            continue
        indent = line_indent
        header = _section_header(stripped)
        if header is not None:
            if header in seen:
                return IniFile(error=IniError(f"section {header!r} already exists", number))
            if header != DEFAULT_SECTION:
                seen.add(header)
            if header not in sections:
                sections.append(header)
            section, current = header, None
            continue
        if section is None:
            return IniFile(error=IniError("File contains no section headers.", number))
        delimiter = _first_delimiter(stripped)
        name = stripped[:delimiter].rstrip() if delimiter >= 0 else ""
        name = name if keep_case else name.lower()
        if not name:
            return IniFile(error=IniError(_not_an_option(stripped), number))
        if (section, name) in seen:
            message = f"option {name!r} in section {section!r} already exists"
            return IniFile(error=IniError(message, number))
        seen.add((section, name))
        current = [stripped[delimiter + 1 :].strip()]
        values[(section, name)] = (number, current)
    return IniFile(
        [
            IniSetting(section_name, key, "\n".join(lines).rstrip(), line_number)
            for (section_name, key), (line_number, lines) in values.items()
        ],
        sections=sections,
    )


def _section_header(stripped: str) -> str | None:
    """``[name]`` (what follows the last ``]`` is ignored, as configparser's pattern does)."""
    if not stripped.startswith("["):
        return None
    end = stripped.rfind("]")
    return stripped[1:end] if end > 1 else None


def _first_delimiter(stripped: str) -> int:
    positions = [found for found in (stripped.find("="), stripped.find(":")) if found >= 0]
    return min(positions) if positions else -1


def _not_an_option(line: str) -> str:
    # Not the line itself: it may hold the very secret the caller looks for.
    if line.startswith(("=", ":")):
        return "an option line without a name"
    return "a line that is neither a [section] nor an option (no '=' or ':')"
