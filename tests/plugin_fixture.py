"""A small third-party plugin distribution, written as an installed package would be.

``install_plugin(site)`` writes ``acme_checks.py`` and its ``acme_checks-1.0.dist-info`` (with
``entry_points.txt`` declaring the ``dsdone.checks`` group) into ``site``; putting ``site`` on
``sys.path`` (or PYTHONPATH) is then exactly what ``pip install`` would have done.
"""

from __future__ import annotations

from pathlib import Path

PLUGIN_MODULE = '''\
from __future__ import annotations

from dataclasses import dataclass

from dsdone import Finding, Note, check
from dsdone.api import option


@check(id="acme-pass", title="Always passes", fix="Nothing to fix.", area="model")
def acme_pass(project):
    """A check that passes and says how many files it saw."""
    yield Note(f"saw {len(project.files)} files")


@dataclass(frozen=True)
class MarkerOptions:
    marker: str = option("TODO", help="The word that must not be left in Python files.")


@check(
    id="acme-markers",
    title="No marker words left in code",
    fix="Finish the work, then remove the marker.",
    severity="warning",
    options=MarkerOptions,
)
def acme_markers(project, options):
    """Marker words are promises nobody kept."""
    for path in project.files:
        if path.endswith(".py"):
            for number, line in enumerate(project.read_text(path).splitlines(), start=1):
                column = line.find(options.marker)
                if column >= 0:
                    yield Finding(
                        f"{options.marker} left in the code",
                        path=path,
                        line=number,
                        column=column + 1,
                        hint="finish it or open an issue",
                    )


@check(id="acme-crash", title="Crashes", fix="Fix the plugin.")
def acme_crash(project):
    """A plugin with a bug."""
    raise RuntimeError("the plugin broke")
    yield
'''

ENTRY_POINTS = """\
[dsdone.checks]
acme = acme_checks
"""

METADATA = """\
Metadata-Version: 2.1
Name: acme-checks
Version: 1.0
"""


def install_plugin(site: Path) -> Path:
    site.mkdir(parents=True, exist_ok=True)
    (site / "acme_checks.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    dist_info = site / "acme_checks-1.0.dist-info"
    dist_info.mkdir(exist_ok=True)
    (dist_info / "METADATA").write_text(METADATA, encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    return site
