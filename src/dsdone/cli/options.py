"""Options that several commands take, declared once so that they read the same everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

Debug = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks of internal errors and failing checks.")
]
