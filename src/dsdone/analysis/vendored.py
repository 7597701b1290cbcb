"""Folders that hold other people's code, copied into the repository: vendored packages,
third-party sources, installed environments. The project does not write, name or edit what
is in them, so no check holds it to the project's rules (copy-versioning, logging) and
``init --existing`` never takes it for the project's own code."""

from __future__ import annotations

# Folder names, at any depth, matched whole: ``metaflow/_vendor/``, ``third_party/``,
# ``sklearn/externals/``, ``.venv/lib/python3.11/site-packages/``.
VENDORED_FOLDERS = frozenset(
    {
        "vendor", "vendored", "_vendor", "third_party", "third-party", "thirdparty", "externals",
        "node_modules", "site-packages",
    }
)  # fmt: skip


def is_vendored(path: str) -> bool:
    """Whether ``path`` (relative, with slashes) lies in a vendored folder."""
    return not VENDORED_FOLDERS.isdisjoint(path.split("/")[:-1])
