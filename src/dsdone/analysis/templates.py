"""Project templates and placeholders: what is not a value of this repository yet.

A cookiecutter or copier template holds folders named ``{{ cookiecutter.repo_name }}`` and
files full of ``{{ x }}``; a README or a config holds ``<path/to/data>`` and ``${DATA_DIR}``.
None of them is a path or a command of the repository as it is: they become one only once a
person or a tool fills them in. ``init --existing`` never writes one as a value, and never
adopts what lies inside a templated folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The markers each kind of placeholder opens with; a text holding one is not a literal value.
_OPENERS = ("{{", "{%", "$", "<")
# `<` opens a placeholder only when a word follows (`<path>`, `<your-bucket>`), not in `a < b`;
# `$` when a name does (`$DATA_DIR`, `${VAR}`), not in `price$`. Bounded: linear on any input.
_ANGLE = re.compile(r"<[A-Za-z_][^<>\s]{0,80}>")
_VARIABLE = re.compile(r"\$\{?[A-Za-z_]")

COOKIECUTTER_FILES = ("cookiecutter.json",)
COPIER_FILES = ("copier.yml", "copier.yaml")


def has_placeholder(text: str) -> bool:
    """Whether ``text`` holds a template placeholder: ``{{ x }}``, ``{% if %}``, ``${VAR}``,
    ``$VAR`` or ``<word>``; such a text is not yet a path or a command of the repository."""
    if not any(opener in text for opener in _OPENERS):
        return False
    if "{{" in text or "{%" in text:
        return True
    return _VARIABLE.search(text) is not None or _ANGLE.search(text) is not None


def is_templated_path(path: str) -> bool:
    """Whether a path of the repository lies in (or is) a templated folder or file, one whose
    name a template tool renders: ``{{ cookiecutter.repo_name }}/src/train.py``."""
    return "{{" in path or "{%" in path


@dataclass(frozen=True)
class TemplateLayout:
    """The templates a repository holds: the files that declare them, and the folders whose
    names are placeholders (the project that rendering makes)."""

    markers: tuple[str, ...]  # cookiecutter.json, copier.yml, ... (paths)
    templated_roots: tuple[str, ...]  # the outermost folders named by a placeholder

    @property
    def is_template(self) -> bool:
        return bool(self.markers or self.templated_roots)

    @property
    def at_root(self) -> bool:
        """Whether the repository itself is a template (its marker is at the top)."""
        return any("/" not in marker for marker in self.markers)

    def describe(self) -> str:
        """What kind of template, in words: "a cookiecutter template (cookiecutter.json)"."""
        tools = sorted({_tool(marker) for marker in self.markers}) or ["a project"]
        where = ", ".join(self.markers[:3] or self.templated_roots[:3])
        return f"{' and '.join(tools)} template ({where})"


def template_layout(files: Iterable[str]) -> TemplateLayout:
    """The templates among ``files`` (paths relative to the repository, forward slashes)."""
    markers: list[str] = []
    roots: set[str] = set()
    for path in files:
        name = path.rpartition("/")[2]
        if (name in COOKIECUTTER_FILES or name in COPIER_FILES) and not is_templated_path(path):
            markers.append(path)
        if is_templated_path(path):
            parts = path.split("/")
            first = next(i for i, part in enumerate(parts) if is_templated_path(part))
            roots.add("/".join(parts[: first + 1]))
    return TemplateLayout(tuple(sorted(markers)), tuple(sorted(roots)))


def _tool(marker: str) -> str:
    return "a copier" if marker.rpartition("/")[2] in COPIER_FILES else "a cookiecutter"
