"""TOML, read with the standard library's parser (``tomli``, the same parser, on Python 3.10)."""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """The document as plain data; raises ``TOMLDecodeError`` with the line and column."""
    data: dict[str, Any] = tomllib.loads(text)
    return data
