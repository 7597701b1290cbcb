"""TOML, read with the standard library's parser."""

from __future__ import annotations

import tomllib
from typing import Any

TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """The document as plain data; raises ``TOMLDecodeError`` with the line and column."""
    data: dict[str, Any] = tomllib.loads(text)
    return data
