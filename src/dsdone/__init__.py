"""dsdone: an executable definition of done for data-science projects.

The public API for check authors is re-exported here lazily, so that ``import dsdone``
(and with it ``dsdone --version``) costs nothing::

    from dsdone import Finding, Project, check
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
# The names a project's contract may have, in the order they are looked for.
CONTRACT_NAMES = ("dsdone.yaml", "dsdone.yml")

__all__ = [
    "Area",
    "Finding",
    "Note",
    "Project",
    "Severity",
    "Skip",
    "__version__",
    "check",
]

if TYPE_CHECKING:
    from dsdone.api import Note, Skip, check
    from dsdone.project import Project
    from dsdone.report import Area, Finding, Severity

_LAZY = {
    "check": "dsdone.api",
    "Note": "dsdone.api",
    "Skip": "dsdone.api",
    "Area": "dsdone.report",
    "Finding": "dsdone.report",
    "Severity": "dsdone.report",
    "Project": "dsdone.project",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dsdone' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
