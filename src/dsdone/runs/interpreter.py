"""Which Python runs the project's code: the one the user names, else the project's own
environment, else ``python`` on PATH.

Under pre-commit or pipx, the ``python`` on PATH is dsdone's own environment, which rarely has
the project's dependencies; so the project's environment comes first, and the report always
says which interpreter ran and why it was chosen.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dsdone.errors import DsdoneError

# A project's own virtual environment, where tools such as uv, poetry (in-project) and venv put it.
_PROJECT_ENVIRONMENTS = (".venv", "venv", ".env", "env")


@dataclass(frozen=True)
class Interpreter:
    path: str
    why: str  # "--python", "the project's .venv", "$VIRTUAL_ENV", "python on PATH", ...


def find_interpreter(
    project: Path, given: str | None = None, environment: Mapping[str, str] | None = None
) -> Interpreter:
    """The interpreter for ``project``; ``DsdoneError`` (exit 2) when ``given`` is not one."""
    environment = os.environ if environment is None else environment
    if given is not None:
        found = shutil.which(given) or (given if _executable(Path(given)) else None)
        if found is None:
            raise DsdoneError(
                f"--python {given}: no such interpreter",
                hint="give the path of the project's Python, e.g. --python .venv/bin/python",
            )
        return Interpreter(found, "--python")
    for folder in _PROJECT_ENVIRONMENTS:
        candidate = _python_in(project / folder)
        if candidate is not None:
            return Interpreter(str(candidate), f"the project's {folder}/")
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        prefix = environment.get(variable)
        candidate = _python_in(Path(prefix)) if prefix else None
        if candidate is not None:
            return Interpreter(str(candidate), f"${variable}")
    for name in ("python", "python3"):
        found = shutil.which(name, path=environment.get("PATH"))
        if found is not None:
            return Interpreter(found, f"{name} on PATH")
    return Interpreter(sys.executable, "dsdone's own Python (no other was found)")


def _python_in(prefix: Path) -> Path | None:
    for relative in ("bin/python", "Scripts/python.exe", "python.exe"):
        candidate = prefix / relative
        if _executable(candidate):
            return candidate
    return None


def _executable(path: Path) -> bool:
    try:
        return path.is_file() and os.access(path, os.X_OK)
    except OSError:
        return False
