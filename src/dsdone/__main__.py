"""``python -m dsdone`` is the ``dsdone`` command."""

from __future__ import annotations

from dsdone.cli import console

console()
