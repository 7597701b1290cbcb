"""The commands a README documents: the lines of its fenced code blocks, as a reader would
copy them into a terminal (``$`` prompts dropped, ``\\`` continuations joined)."""

from __future__ import annotations

from dataclasses import dataclass

from dsdone.repository import OutsideProject, Repository

READMES = ("README.md", "readme.md", "Readme.md", "README.markdown")
MAX_COMMAND = 500  # characters: longer is a script pasted in, not one command


@dataclass(frozen=True)
class Documented:
    command: str
    path: str
    line: int


def documented_commands(repository: Repository) -> list[Documented]:
    """Every one-line command in the fenced code blocks of the README at the root."""
    path = next((name for name in READMES if repository.is_indexed(name)), None)
    if path is None:
        return []
    try:
        text = repository.read_text(path)
    except (OSError, OutsideProject, UnicodeDecodeError):
        return []
    found: list[Documented] = []
    fence: str | None = None
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (marker if fence is None else fence)
            pending = ""
            continue
        if fence is None:
            continue
        line = stripped.removeprefix("$ ").removeprefix("> ").removeprefix("% ")
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        command = " ".join(_without_comment(pending + line).split())
        pending = ""
        if command and not command.startswith("#") and len(command) <= MAX_COMMAND:
            found.append(Documented(command, path, start))
    return found


def _without_comment(line: str) -> str:
    """``python run.py --train  # Model training`` without its shell comment."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line
