"""Python source parsed into a syntax tree, whatever shape a stranger gave it.

``ast.parse`` raises more than ``SyntaxError`` on source that looks ordinary to a person: an
expression nested thousands of levels deep (``-`` repeated 100,000 times before a number, a sum
of a million terms) ends in ``RecursionError`` or ``MemoryError``, a NUL byte in ``ValueError``
(Python 3.11). Each is turned into a ``SyntaxError`` that says what is wrong, so that every
reader reports it as the file not parsing, and no check crashes on it.

Standard library only: the test-collection worker (``dsdone.analysis.pytest_collect``) parses
with it too.
"""

from __future__ import annotations

import ast


def parse_python(source: bytes | str, filename: str) -> ast.Module:
    """``ast.parse(source)``; ``SyntaxError`` for anything that keeps it from being parsed."""
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError:
        raise
    except (RecursionError, MemoryError):
        raise SyntaxError(
            "it nests expressions too deeply to be parsed", (filename, None, None, None)
        ) from None
    except ValueError as exc:  # a NUL byte: "source code string cannot contain null bytes"
        raise SyntaxError(str(exc), (filename, None, None, None)) from None
