"""Where things are in a notebook's file: which cell a line of the JSON text belongs to.

A finding in a notebook is reported at its line in the ``.ipynb`` file as stored (what editors,
code review and SARIF viewers show) and with its cell, so that both the file and Jupyter lead
to it. Notebooks are read as plain JSON (version 4 is what Jupyter has written since 2015);
nbformat, which validates every node it builds and costs far more than the JSON itself, is
imported only to convert an older version.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from typing import Any

from dsdone.analysis.personal_paths import cell_starts, locate_sources


def load_notebook(raw: str) -> dict[str, Any] | None:
    """The notebook as version 4's JSON object, or ``None`` if the text is not a notebook (not
    JSON, not an object, no list of cell objects). Not validated: ``notebook-hygiene`` does
    that, for the notebooks whose structure looks wrong."""
    try:
        notebook = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if isinstance(notebook, dict) and notebook.get("nbformat") != 4:
        notebook = _converted(raw)
    if not isinstance(notebook, dict):
        return None
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        return None
    return notebook


def _converted(raw: str) -> Any:
    import nbformat
    import nbformat.reader

    reads: Callable[..., Any] = nbformat.reader.reads  # nbformat has no type hints
    convert: Callable[..., Any] = nbformat.convert
    try:
        return convert(reads(raw), 4)
    except Exception:  # nbformat raises bare JSON, version and conversion errors
        return None


def source_text(cell: dict[str, Any]) -> str:
    """A cell's source as one string (nbformat stores it as a list of lines, or a string)."""
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


class Layout:
    """The cells of a notebook located in its JSON text."""

    def __init__(self, raw: str, cells: list[dict[str, Any]]) -> None:
        self.raw = raw
        self.starts = cell_starts(raw, len(cells))  # each cell's "cell_type" key
        # None when the sources cannot be found as stored (a tool that writes them unlike
        # Jupyter): then only the cell, not the line in it, is known.
        sources = locate_sources(raw, [source_text(cell) for cell in cells])
        self._by_line = {(line.cell, line.cell_line): line.start for line in sources or ()}
        self._line_starts: list[int] | None = None

    def source_offset(self, cell: int, cell_line: int, before: str = "") -> int:
        """The offset of a line of a cell's source in the text (of the character after
        ``before``, its start), or of the cell's start when the sources were not located."""
        start = self._by_line.get((cell, cell_line))
        if start is None:
            return self.starts[cell] if cell < len(self.starts) else 0
        return start + stored_length(self.raw, start, before)

    def text_offset(self, cell: int, text: str) -> int:
        """The offset of ``text`` (a line of a cell's output) after the cell's start, or of the
        cell's start when it is not stored as written."""
        start = self.starts[cell] if cell < len(self.starts) else 0
        end = self.starts[cell + 1] if cell + 1 < len(self.starts) else len(self.raw)
        for ascii_only in (False, True):
            found = self.raw.find(json.dumps(text, ensure_ascii=ascii_only)[1:-1], start, end)
            if found >= 0:
                return found
        return start

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of an offset in the text."""
        if self._line_starts is None:  # counted once, for the first thing located
            starts = [0]
            found = self.raw.find("\n")
            while found >= 0:
                starts.append(found + 1)
                found = self.raw.find("\n", found + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1


def stored_length(raw: str, start: int, text: str) -> int:
    """How many characters ``text`` takes in the JSON text ``raw`` where it starts at
    ``start``: escaped, and its non-ASCII characters as they are (Jupyter) or escaped too."""
    encoded = json.dumps(text, ensure_ascii=False)[1:-1]
    if raw.startswith(encoded, start):
        return len(encoded)
    return len(json.dumps(text)[1:-1])


# Outputs whose text a person reads (and which can print a secret): streams, errors and the
# plain-text form of a result. Not HTML, JavaScript or images: payloads, often megabytes, whose
# text the plain form repeats.
_TEXT_MIME_TYPES = ("text/plain", "text/markdown", "text/latex")


def output_texts(cell: dict[str, Any]) -> list[str]:
    """The text of a code cell's saved outputs, one string per output."""
    outputs = cell.get("outputs")
    texts: list[str] = []
    for output in outputs if isinstance(outputs, list) else ():
        if not isinstance(output, dict):
            continue
        # (the text, what joins its lines when it is stored as a list)
        parts: list[tuple[Any, str]] = [
            (output.get("text"), ""),
            (output.get("evalue"), ""),
            (output.get("traceback"), "\n"),
        ]
        data = output.get("data")
        if isinstance(data, dict):
            parts.extend((data.get(mime), "") for mime in _TEXT_MIME_TYPES)
        for part, joiner in parts:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, list):
                texts.append(joiner.join(item for item in part if isinstance(item, str)))
    return texts
