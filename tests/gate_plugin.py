"""A project-local check module for the CI-gating tests, loaded through the contract's
``plugins:`` and ``--allow-plugins`` exactly as a team's own checks would be.

Its checks are small and controlled by the files of the repository under test:

- ``gate-markers`` (data, error): one finding per line with ``FIXME`` in a file under ``src/``
  or ``notebooks/``, located at that line of the file as stored (for a notebook: of the .ipynb);
- ``gate-readme`` (monitoring, warning): a finding about the whole project without README.md;
- ``gate-pass`` (model, error): always passes;
- ``gate-skip`` (infrastructure): never applies;
- ``gate-crash`` (infrastructure, error): crashes when a file named CRASH exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from conftest import MINIMAL_CONTRACT

GATE = "gate-markers,gate-readme,gate-pass,gate-skip,gate-crash"

PLUGIN = '''\
from dsdone import Finding, Note, Skip, check


@check(id="gate-markers", title="No FIXME left", fix="Finish the work.", area="data")
def markers(project):
    """Markers are promises nobody kept."""
    for path in project.files:
        if path.startswith(("src/", "notebooks/")):
            for number, line in enumerate(project.read_text(path).splitlines(), start=1):
                if "FIXME" in line:
                    rest = line.split("FIXME", 1)[1].replace("\\\\n", "")
                    note = rest.strip().strip('",').strip()
                    yield Finding(f"FIXME left: {note}", path=path, line=number, hint="finish it")


@check(
    id="gate-readme", title="Has a README", fix="Write one.", area="monitoring", severity="warning"
)
def readme(project):
    """People read the README first."""
    if "README.md" not in project.files:
        yield Finding("no README.md", hint="write one")


@check(id="gate-pass", title="Always holds", fix="Nothing to fix.", area="model")
def passes(project):
    """A check that holds."""
    yield Note("fine")


@check(id="gate-skip", title="Never applies", fix="Nothing to fix.", area="infrastructure")
def skips(project):
    """A check that does not apply."""
    raise Skip("nothing to check here")
    yield


@check(id="gate-crash", title="Crashes on demand", fix="Fix the check.", area="infrastructure")
def crashes(project):
    """A check with a bug."""
    if "CRASH" in project.files:
        raise RuntimeError("the check broke")
    yield Note("did not crash")
'''

GATE_CONTRACT = MINIMAL_CONTRACT + "plugins:\n  - dsdone_checks/gate.py\n"


def gate_files(files: Mapping[str, str | bytes] | None = None) -> dict[str, str | bytes]:
    """``files`` plus the plugin module."""
    return {"dsdone_checks/gate.py": PLUGIN, **(files or {})}


def gate_repo(
    make_repo: Callable[..., Path],
    files: Mapping[str, str | bytes] | None = None,
    contract_extra: str = "",
    **kwargs: object,
) -> Path:
    """A git repository whose contract loads the gate checks, with ``files``."""
    return make_repo(gate_files(files), contract=GATE_CONTRACT + contract_extra, **kwargs)
