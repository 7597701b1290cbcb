"""Writing to standard output and standard error, whatever the environment does to them.

The environment is not dsdone: none of these ends in "please report this bug" (exit 3).

- **An encoding that cannot say ✓** (``PYTHONIOENCODING=ascii``, a Latin-1 locale): the
  terminal's marks fall back to ASCII and any other character is written in the format's own
  escape (``\\u00e9`` in JSON strings, ``&#233;`` in XML and Markdown, ``\\xe9`` for people).
- **A reader that stops reading** (``dsdone check | head -1``): the rest of the output is
  dropped, quietly, and the command ends with the exit code it would have had.
- **Standard output closed or on a full device** (``> /dev/full``): "cannot write the report",
  exit 2, as ``--output`` to such a file is.
- **Standard error closed**: messages are dropped rather than sent to standard output, where
  ``print(file=None)`` would put them, inside the report.

After a failed write the stream's file descriptor is pointed at the null device, so that the
interpreter's last flush at exit has nowhere to fail ("Exception ignored ... BrokenPipeError").
"""

from __future__ import annotations

import codecs
import contextlib
import enum
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from dsdone.errors import DsdoneError


class Kind(enum.Enum):
    """What is written: how a character the stream cannot encode is spelled, and whether the
    text is for people (then no line of it may read as a GitHub workflow command, see
    ``escape.neutralize_terminal``) or a report whose format has done that itself."""

    TEXT = "text"  # for people: the terminal report, listings, messages
    ANNOTATIONS = "annotations"  # the GitHub format: workflow commands dsdone means to give
    JSON = "json"  # JSON and SARIF: only inside strings can a non-ASCII character be
    MARKUP = "markup"  # XML and Markdown: character references


# Marks and rules dsdone itself writes, and their ASCII stand-ins.
ASCII_MARKS = str.maketrans(
    {"✓": "+", "✗": "x", "·": "-", "─": "-", "…": "...", "→": "->", "✅": "+", "❌": "x"}
)


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code > 0xFFFF:  # a surrogate pair, as JSON spells a character beyond the BMP
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


codecs.register_error("dsdone-json", _json_escape)
_ERRORS = {
    Kind.TEXT: "backslashreplace",
    Kind.ANNOTATIONS: "backslashreplace",
    Kind.JSON: "dsdone-json",
    Kind.MARKUP: "xmlcharrefreplace",
}


def writable(text: str, encoding: str | None, kind: Kind = Kind.TEXT) -> str:
    """``text`` as it can be written in ``encoding`` (unchanged when it can be), and, for
    people, with nothing a GitHub runner would take for a workflow command."""
    if kind is Kind.TEXT:
        from dsdone.render.escape import neutralize_terminal

        text = neutralize_terminal(text)
    return _encodable(text, encoding or "utf-8", kind)


def _encodable(text: str, encoding: str, kind: Kind) -> str:
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:  # an encoding Python does not know: write what every encoding has
        encoding = "ascii"
    if kind in (Kind.TEXT, Kind.ANNOTATIONS):
        text = text.translate(ASCII_MARKS)
    return text.encode(encoding, _ERRORS[kind]).decode(encoding)


def stdout_is_terminal() -> bool:
    stream = sys.stdout
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def write_stdout(text: str, kind: Kind = Kind.TEXT) -> None:
    """Write ``text`` (the report, a listing) to standard output and flush it.

    Raises ``DsdoneError`` (exit 2) when standard output is closed or the write fails (a full
    device); returns quietly when the reader has gone (a closed pipe)."""
    stream = sys.stdout
    if stream is None:
        raise DsdoneError(
            "cannot write the report: standard output is closed",
            hint="run dsdone with its output going somewhere, or give --output FILE",
        )
    try:
        stream.write(writable(text, getattr(stream, "encoding", None), kind))
        stream.flush()
    except BrokenPipeError:
        _to_null(stream)  # the reader has what it wanted (`| head`): not an error
    except OSError as exc:
        _to_null(stream)
        raise DsdoneError(
            f"cannot write the report to standard output: {exc.strerror or exc}",
            hint="free space on the device, or give --output FILE",
        ) from None
    except ValueError:  # the stream was closed by someone in this process
        raise DsdoneError("cannot write the report: standard output is closed") from None


def write_stderr(text: str) -> None:
    """Write a message to standard error; a message that cannot be written is dropped."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(writable(text, getattr(stream, "encoding", None)))
        stream.flush()
    except (OSError, ValueError):
        _to_null(stream)


def _to_null(stream: TextIO) -> None:
    """Point ``stream``'s file descriptor at the null device: what is still buffered, and
    anything written later (the interpreter flushes at exit), goes nowhere without an error."""
    with contextlib.suppress(OSError, ValueError):  # not a file (a test's capture), or gone
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)


def ensure_standard_streams() -> None:
    """Called first thing: a standard stream the caller closed (``>&-``) gets the null device
    on its file descriptor, so that no pipe dsdone opens to git can take that number; standard
    output stays ``None`` for ``write_stdout`` to refuse, standard error is made a sink."""
    for fd in (1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_WRONLY)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
    if sys.stderr is None:
        sys.stderr = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - kept open


@contextlib.contextmanager
def stray_output_to_stderr() -> Iterator[None]:
    """While checks run, file descriptor 1 is standard error: what a plugin writes below
    Python's ``sys.stdout`` (``os.write(1, ...)``, a subprocess it starts, a thread of its own)
    cannot land in the report, which is written after."""
    try:
        _flush(sys.stdout)
        saved = os.dup(1)
    except OSError:  # no standard output at all: nothing to protect
        yield
        return
    try:
        os.dup2(2, 1)
    except OSError:  # no standard error: leave standard output as it is
        os.close(saved)
        yield
        return
    try:
        yield
    finally:
        # What a check left in Python's buffer of fd 1 belongs to standard error too.
        for stream in (sys.stdout, sys.__stdout__):
            _flush(stream)
        os.dup2(saved, 1)
        os.close(saved)


def _flush(stream: TextIO | None) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if stream is not None:
            stream.flush()
