"""Where a reader does not look for a project's own training code or configuration: tests,
documentation, examples, tutorials, course homework, vendored environments."""

from __future__ import annotations

from dsdone.analysis.vendored import VENDORED_FOLDERS

# Folder names (any depth) whose content is about the project, not the project itself.
ASIDE = frozenset(
    {
        "tests", "test", "testing", "fixtures", "docs", "doc", "examples", "example", "legacy",
        "tutorials", "tutorial", "homework", "homeworks", "notebooks", "benchmarks",
        "venv", ".venv", "env", "build", "dist", "archive",
        "deprecated", "old", "__pycache__",
    }
) | VENDORED_FOLDERS  # fmt: skip


def is_aside(path: str) -> bool:
    """Whether ``path`` lies in a folder such as ``tests/``, ``docs/``, ``examples/`` or a
    hidden one (``.github/``): never the project's own training code or configuration."""
    return any(
        part.lower() in ASIDE or part.startswith(".") or part.lower().startswith("homework")
        for part in path.split("/")[:-1]
    )
