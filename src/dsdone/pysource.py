"""Python source parsed with ``ast``, one parse at a time.

CPython 3.11 keeps the depth of its conversion of a syntax tree to Python objects in state that
every thread shares (gh-106905). When a parse lets another thread run (a garbage collection
calls a finaliser), and that thread parses too, the first parse fails with ``SystemError: AST
constructor recursion depth mismatch``. Checks run on threads of their own and parse Python
files at the same time, so parses take turns: the GIL lets only one run at a time anyway.
"""

from __future__ import annotations

import ast
import threading

_ONE_AT_A_TIME = threading.Lock()


def parse_python(source: str | bytes, filename: str) -> ast.Module:
    """``ast.parse(source, filename=filename)``; raises ``SyntaxError`` as it does."""
    with _ONE_AT_A_TIME:
        return ast.parse(source, filename=filename)
