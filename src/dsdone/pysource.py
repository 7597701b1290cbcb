"""Python source parsed into a syntax tree, one parse at a time, whatever shape a stranger
gave it.

``ast.parse`` raises more than ``SyntaxError`` on source that looks ordinary to a person: an
expression nested thousands of levels deep (``-`` repeated 100,000 times before a number, a sum
of a million terms) ends in ``RecursionError`` or ``MemoryError``, a NUL byte in ``ValueError``
(Python 3.11). Each is turned into a ``SyntaxError`` that says what is wrong, so that every
reader reports it as the file not parsing, and no check crashes on it.

Parses take turns: CPython 3.11 keeps the depth of its conversion of a syntax tree to Python
objects in state that every thread shares (gh-106905). When a parse lets another thread run (a
garbage collection calls a finaliser), and that thread parses too, the first parse fails with
``SystemError: AST constructor recursion depth mismatch``. Checks run on threads of their own
and parse Python files at the same time; the GIL lets only one parse run at a time anyway.

Standard library only: the test-collection worker (``dsdone.analysis.pytest_collect``) parses
with it too. Every ``ast.parse`` of dsdone goes through ``parse_python``.
"""

from __future__ import annotations

import ast
import threading

_ONE_AT_A_TIME = threading.Lock()


def parse_python(source: bytes | str, filename: str) -> ast.Module:
    """``ast.parse(source)``; ``SyntaxError`` for anything that keeps it from being parsed."""
    try:
        with _ONE_AT_A_TIME:
            return ast.parse(source, filename=filename)
    except SyntaxError:
        raise
    except (RecursionError, MemoryError):
        raise SyntaxError(
            "it nests expressions too deeply to be parsed", (filename, None, None, None)
        ) from None
    except ValueError as exc:  # a NUL byte: "source code string cannot contain null bytes"
        raise SyntaxError(str(exc), (filename, None, None, None)) from None
