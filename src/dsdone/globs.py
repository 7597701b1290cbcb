"""Gitignore-style globs, as the contract writes them (``exclude``, waivers' ``paths``, ...)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pathspec


@functools.lru_cache(maxsize=128)
def compile_globs(patterns: tuple[str, ...]) -> pathspec.PathSpec[Any]:
    """Gitignore-style globs: ``*.csv`` matches at any depth, ``data/*.csv`` is anchored."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)
