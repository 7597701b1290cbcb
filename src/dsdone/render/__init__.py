"""Renderers: pure functions from reports to text, one module per format.

Every format has two: one for the report of a project, one for the reports of ``--all``. They are
looked up by name and imported only when used, so that a format's dependencies (rich for the
terminal) cost nothing to the others. None of them writes a timing or an absolute path, except
``duration_ms`` in JSON, so the same tree gives the same bytes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from dsdone.report import Report

Renderer = Callable[[Report], str]
CombinedRenderer = Callable[[Sequence[Report]], str]

# format name -> (module, function for one project, function for --all); the terminal renderer
# takes display options and is called by the CLI directly.
FORMATS: dict[str, tuple[str, str, str]] = {
    "json": ("dsdone.render.json", "render_json", "render_json_all"),
    "sarif": ("dsdone.render.sarif", "render_sarif", "render_sarif_all"),
    "junit": ("dsdone.render.junit", "render_junit", "render_junit_all"),
    "markdown": ("dsdone.render.markdown", "render_markdown", "render_markdown_all"),
    "github": ("dsdone.render.github", "render_github", "render_github_all"),
}


def renderer(name: str) -> Renderer:
    module, function, _ = FORMATS[name]
    render: Renderer = getattr(importlib.import_module(module), function)
    return render


def combined_renderer(name: str) -> CombinedRenderer:
    module, _, function = FORMATS[name]
    render: CombinedRenderer = getattr(importlib.import_module(module), function)
    return render
