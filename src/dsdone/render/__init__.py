"""Renderers: pure functions from a ``Report`` to text, one module per format.

They are looked up by name and imported only when used, so that a format's dependencies
(rich for the terminal) cost nothing to the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from dsdone.model import Report

Renderer = Callable[[Report], str]

# format name -> (module, function); the terminal renderer takes display options and is
# called by the CLI directly.
FORMATS: dict[str, tuple[str, str]] = {
    "json": ("dsdone.render.json", "render_json"),
}


def renderer(name: str) -> Renderer:
    module, function = FORMATS[name]
    render: Renderer = getattr(importlib.import_module(module), function)
    return render
